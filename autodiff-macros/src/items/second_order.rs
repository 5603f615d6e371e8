//! `hvp` and `hessian` (`<name>_hvp`, `<name>_hessian` for a method): the
//! reverse function over dual numbers (`__hvp_reverse`, written by
//! `expand` with `emit::dual`), and the two entry points on it. Where the
//! reverse function is generic over its numbers (`hessian::generic`), the
//! entry points call it over dual numbers and there is no second copy.
//!
//! `hvp(args.., v)` lifts each differentiable argument to `x + ε v`, runs
//! the dual reverse sweep with the cotangent 1 and returns the `ε` parts
//! of the gradient: `H v`, shaped like `grad`'s result (one value, or a
//! tuple for several arguments). `hessian(args..)` is one `hvp` per input
//! component, assembled by the runtime's `jacobian::forward_slots`: the
//! matrix (an `SMatrix` when the sizes are fixed) for one differentiable
//! argument, a tuple of column blocks for several.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, Type};

use super::{call, checked, Shape};
use crate::emit::{dual_type, dual_types};
use crate::ir::ArgRole;
use crate::types;

/// The reverse function's signature over dual numbers.
struct DualSignature {
    args: Vec<TokenStream>,
    ret: TokenStream,
    tangents: Vec<TokenStream>,
    grad: TokenStream,
}

/// What the entry points need from `items`.
pub struct Context<'a> {
    pub is_method: bool,
    pub fn_vis: &'a TokenStream,
    pub allow: &'a TokenStream,
    pub receiver_arg: Option<TokenStream>,
    pub args: &'a TokenStream,
    pub captures: &'a TokenStream,
    /// Whether the reverse function is generic over its numbers
    /// (`hessian::generic`): `hvp` calls it over dual numbers, and there
    /// is no `__hvp_reverse`.
    pub generic_sweep: bool,
}

impl Shape {
    /// The second-order items, or stubs whose use is a compile-time error
    /// naming why there are none.
    pub(super) fn second_order(
        &self,
        body: Result<TokenStream, Option<String>>,
        cx: &Context,
    ) -> TokenStream {
        let name = &self.name;
        let fn_name = |kind: &str| match cx.is_method {
            true => format_ident!("{}_{}", name, kind),
            false => format_ident!("{}", kind),
        };
        let (hvp_fn, hessian_fn) = (fn_name("hvp"), fn_name("hessian"));
        let (generics, where_clause) = self.generic_header(&[]);
        let reverse_fn = match (cx.is_method, cx.generic_sweep) {
            (true, _) => format_ident!("__{}_hvp_reverse", name),
            (false, true) => format_ident!("__reverse"),
            (false, false) => format_ident!("__hvp_reverse"),
        };
        let body = match body {
            // A vector output: the second sweep and its call function for
            // callers, no `hvp` and `hessian`.
            Ok(body) if !types::is_scalar(&self.ret_ty) => {
                let stubs = self.second_order_stubs(
                    Some(&hvp_fn),
                    Some(&hessian_fn),
                    "its output is not a scalar",
                    cx,
                );
                let reverse = (!cx.generic_sweep).then(|| self.dual_reverse(&reverse_fn, body, cx));
                let call = (!cx.is_method).then(|| {
                    self.vjp_call(
                        &format_ident!("__hvp_vjp_call"),
                        &reverse_fn,
                        Some(&crate::hessian::scalar(&self.params, &self.ret_ty)),
                    )
                });
                return quote!(#stubs #reverse #call);
            }
            Ok(body) => body,
            Err(None) => return TokenStream::new(),
            Err(Some(reason)) => {
                let stubs = self.second_order_stubs(Some(&hvp_fn), Some(&hessian_fn), &reason, cx);
                let calls = self.panicking_hvp_call(&reverse_fn, &reason, cx);
                return quote!(#stubs #calls);
            }
        };
        let rt = crate::emit::runtime();
        let (fn_vis, allow, args) = (cx.fn_vis, cx.allow, cx.args);
        let params: Vec<&crate::ir::Param> =
            self.params.iter().filter(|p| p.name != "self").collect();
        let diff: Vec<&crate::ir::Param> = params
            .iter()
            .copied()
            .filter(|p| p.role == ArgRole::Differentiable)
            .collect();
        let grad_ty = &self.grad_ty;

        // `hvp`: lift, one dual sweep, the `ε` parts.
        let v = Ident::new("v", Span::mixed_site());
        let directions: Vec<Ident> = (0..diff.len())
            .map(|k| format_ident!("__v{}", k, span = Span::mixed_site()))
            .collect();
        let lifted: Vec<Ident> = diff
            .iter()
            .map(|p| format_ident!("__dual_{}", p.name, span = Span::mixed_site()))
            .collect();
        let borrow = |p: &crate::ir::Param| match &p.ty {
            Type::Reference(_) => {
                let n = &p.name;
                quote!(#n)
            }
            _ => {
                let n = &p.name;
                quote!(&#n)
            }
        };
        let lifts = diff
            .iter()
            .zip(&lifted)
            .zip(&directions)
            .map(|((p, d), v)| {
                let x = borrow(p);
                quote!(let #d = #rt::dual::lift(#x, &#v);)
            });
        let mut k = 0;
        let passed: Vec<TokenStream> = params
            .iter()
            .map(|p| match p.role {
                ArgRole::Differentiable => {
                    let d = &lifted[k];
                    k += 1;
                    match &p.ty {
                        Type::Reference(_) => quote!(&#d),
                        _ => quote!(#d),
                    }
                }
                _ => {
                    let n = &p.name;
                    quote!(#n)
                }
            })
            .collect();
        let [value, pullback, grads, zeros] = ["__value", "__pullback", "__grads", "__zeros"]
            .map(|n| Ident::new(n, Span::mixed_site()));
        let unpack = match directions.as_slice() {
            [one] => quote!(let #one = #v;),
            many => quote!(let (#(#many,)*) = #v;),
        };
        let parts: Vec<TokenStream> = diff
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let x = borrow(p);
                let g = match diff.len() {
                    1 => quote!(#grads),
                    _ => {
                        let k = syn::Index::from(k);
                        quote!(#grads.#k)
                    }
                };
                quote!(#rt::dual::tangent_part(#x, &#g))
            })
            .collect();
        let result = match parts.as_slice() {
            [one] => one.clone(),
            many => quote!((#(#many,)*)),
        };
        let sweep = checked(&call(cx.is_method, &reverse_fn, &quote!(#(#passed),*)));

        // `hessian`: one `hvp` per input component.
        let names: Vec<&Ident> = params.iter().map(|p| &p.name).collect();
        let diff_names = diff.iter().map(|p| &p.name);
        let direction = Ident::new("__direction", Span::mixed_site());
        let hvp_direction = match diff.len() {
            1 => quote!(#direction.0),
            _ => quote!(#direction),
        };
        let hvp_call = call(
            cx.is_method,
            &hvp_fn,
            &quote!(#(::core::clone::Clone::clone(&#names),)* #hvp_direction),
        );
        let blocks = self.hessian_types();
        let hessian_ty = match blocks.as_slice() {
            [one] => one.clone(),
            many => quote!((#(#many),*)),
        };
        let first = (blocks.len() == 1).then(|| quote!(.0));
        // A receiver taken by value is used up by one `hvp`.
        let by_value = self
            .receiver
            .as_ref()
            .is_some_and(|r| r.reference.is_none());
        let hessian_item = match by_value {
            true => self.second_order_stubs(
                None,
                Some(&hessian_fn),
                "the method takes `self` by value (one `hvp` uses it up); take `&self`",
                cx,
            ),
            false => {
                let doc_hessian = format!("Hessian of `{name}`: one `hvp` per input component (rows and columns in flattening order; for several differentiable arguments, one block of columns per argument).");
                quote! {
                    #[doc = #doc_hessian]
                    #[inline]
                    #allow
                    #fn_vis fn #hessian_fn #generics (#args) -> #hessian_ty #where_clause {
                        let #zeros = (#(#rt::linear::zero_like(&#diff_names),)*);
                        #rt::jacobian::forward_slots::<(#(#blocks,)*), _, _>(#zeros, |#direction| #hvp_call)#first
                    }
                }
            }
        };
        // What a caller's second sweep calls (free functions only: a
        // method's siblings are not reached through a path).
        let hvp_call = (!cx.is_method).then(|| {
            self.vjp_call(
                &format_ident!("__hvp_vjp_call"),
                &reverse_fn,
                Some(&crate::hessian::scalar(&self.params, &self.ret_ty)),
            )
        });
        let doc_hvp = format!("Hessian-vector product of `{name}`: `H v` for a direction `v` shaped like `grad`'s result, by forward mode over reverse mode (one reverse sweep over dual numbers, about twice the cost of a gradient).");
        let reverse = (!cx.generic_sweep).then(|| self.dual_reverse(&reverse_fn, body, cx));
        quote! {
            #reverse

            #[doc = #doc_hvp]
            #[inline]
            #allow
            #fn_vis fn #hvp_fn #generics (#args #v: #grad_ty) -> #grad_ty #where_clause {
                #unpack
                #(#lifts)*
                let #zeros = (#(#rt::linear::zero_like(&#lifted),)*);
                let (#value, #pullback) = #sweep;
                let #grads = #pullback(#rt::linear::seed(&#value), #zeros);
                #result
            }

            #hessian_item

            #hvp_call
        }
    }

    /// `hvp` and `hessian` of a function outside the supported subset:
    /// generic over their arguments, with a bound none satisfies, so a call
    /// is a compile-time error with the trait's message.
    fn second_order_stubs(
        &self,
        hvp_fn: Option<&Ident>,
        hessian_fn: Option<&Ident>,
        reason: &str,
        cx: &Context,
    ) -> TokenStream {
        let rt = crate::emit::runtime();
        let n = self.params.iter().filter(|p| p.name != "self").count();
        let names: Vec<Ident> = (0..n + 1)
            .map(|k| format_ident!("__a{}", k, span = Span::mixed_site()))
            .collect();
        let doc = format!(
            "Not available: `{}` has no generated second derivatives because {reason}.",
            self.name
        );
        let bound = quote!(#rt::dual::SecondOrder);
        let never = |f: &Ident, count: usize| {
            super::never_callable(
                cx.fn_vis,
                f,
                cx.receiver_arg.as_ref(),
                &names[..count],
                &bound,
                &doc,
            )
        };
        let hvp = hvp_fn.map(|f| never(f, n + 1));
        let hessian = hessian_fn.map(|f| never(f, n));
        quote!(#hvp #hessian)
    }

    /// The reverse function over dual numbers, `__hvp_reverse`.
    fn dual_reverse(&self, reverse_fn: &Ident, body: TokenStream, cx: &Context) -> TokenStream {
        let (fn_vis, allow, captures) = (cx.fn_vis, cx.allow, cx.captures);
        let receiver_arg = &cx.receiver_arg;
        let (generics, where_clause) = self.generic_header(&[]);
        let DualSignature {
            args,
            ret,
            tangents,
            grad,
        } = self.dual_signature();
        quote! {
            #[doc(hidden)]
            #[inline]
            #allow
            #fn_vis fn #reverse_fn #generics (#receiver_arg #(#args,)*) -> (#ret, impl Fn(#ret, (#(#tangents,)*)) -> #grad + #captures, bool) #where_clause { #body }
        }
    }

    /// The reverse function's signature over dual numbers.
    fn dual_signature(&self) -> DualSignature {
        let args = self
            .params
            .iter()
            .filter(|p| p.name != "self")
            .map(|p| {
                let n = &p.name;
                let t = match p.role {
                    ArgRole::Differentiable => dual_type(&p.ty),
                    _ => quote::ToTokens::to_token_stream(&p.ty),
                };
                quote!(#n: #t)
            })
            .collect();
        let grad = dual_types(std::slice::from_ref(&self.grad_ty));
        DualSignature {
            args,
            ret: dual_type(&self.ret_ty),
            tangents: dual_types(&self.tangent_tys),
            grad: quote!(#(#grad)*),
        }
    }

    /// For a free function without second derivatives whose arguments a
    /// caller's second sweep could pass as dual numbers: a `__hvp_vjp_call`
    /// (and the reverse function behind it) that compiles and panics,
    /// saying why, when that sweep runs (a caller's macro cannot know which
    /// functions have second derivatives).
    fn panicking_hvp_call(&self, reverse_fn: &Ident, reason: &str, cx: &Context) -> TokenStream {
        let liftable = self
            .params
            .iter()
            .filter(|p| p.role == ArgRole::Differentiable)
            .all(|p| types::liftable(&p.ty));
        if cx.is_method || !liftable || !types::liftable(&self.ret_ty) {
            return TokenStream::new();
        }
        let rt = crate::emit::runtime();
        let captures = cx.captures;
        let (generics, where_clause) = self.generic_header(&[]);
        let DualSignature {
            args,
            ret,
            tangents,
            grad,
        } = self.dual_signature();
        let name = self.name.to_string();
        let call = self.vjp_call(
            &format_ident!("__hvp_vjp_call"),
            reverse_fn,
            Some(&crate::hessian::scalar(&self.params, &self.ret_ty)),
        );
        quote! {
            #[doc(hidden)]
            fn #reverse_fn #generics (#(#args,)*) -> (#ret, impl Fn(#ret, (#(#tangents,)*)) -> #grad + #captures, bool) #where_clause {
                (
                    #rt::dual::no_second_order(#name, #reason),
                    move |_: #ret, _: (#(#tangents,)*)| -> #grad { ::core::unreachable!() },
                    false,
                )
            }

            #call
        }
    }

    /// The Hessian's blocks: rows for every differentiable component, one
    /// block of columns per differentiable argument; `SMatrix` where the
    /// sizes are fixed by the types' spelling.
    fn hessian_types(&self) -> Vec<TokenStream> {
        let rt = crate::emit::runtime();
        let scalar = types::scalar(&self.ret_ty)
            .map(|t| quote!(#t))
            .unwrap_or_else(|| quote!(f64));
        let diff: Vec<&crate::ir::Param> = self
            .params
            .iter()
            .filter(|p| p.role == ArgRole::Differentiable)
            .collect();
        let rows = types::total_dim(diff.iter().map(|p| &p.ty));
        diff.iter()
            .map(|p| match (&rows, types::static_dim(&p.ty)) {
                (Some(rows), Some(cols)) => {
                    quote!(#rt::nalgebra::SMatrix<#scalar, #rows, #cols>)
                }
                _ => quote!(#rt::nalgebra::DMatrix<#scalar>),
            })
            .collect()
    }
}
