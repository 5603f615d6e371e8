//! The generated items: everything about the module beside a
//! differentiated function (or the sibling methods of a method) that
//! follows from its signature, and the short bodies of the functions built
//! on the two sweeps `expand` emits (`value_and_grad`, `vjp`, `jvp`, the
//! Jacobians, the entry points for callers).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, ItemFn, Type};

mod calls;
mod jacobians;
mod second_order;

use crate::expand::Bodies;
use crate::ir::{ArgRole, Param};
use crate::{fallback, types};

/// Everything about the generated module that follows from the signature alone.
pub struct Shape {
    name: Ident,
    vis: syn::Visibility,
    /// The function's generic parameters and where clause, each float type
    /// parameter also bounded by the runtime's `Float` (what the rules need).
    generics: syn::Generics,
    /// Whether naming the function needs type arguments (`is_generic`).
    generic: bool,
    /// `&self` and the like, for a method.
    receiver: Option<syn::Receiver>,
    params: Vec<Param>,
    /// The return type.
    pub ret_ty: Type,
    /// The type `grad` returns: the differentiable argument's, or a tuple.
    pub grad_ty: TokenStream,
    /// The owned tangent type of each differentiable argument.
    pub tangent_tys: Vec<TokenStream>,
    /// Names of `value_and_grad_into`'s gradient buffers, one per
    /// differentiable argument.
    pub buffer_names: Vec<Ident>,
    /// Names of `jvp`'s tangent inputs, one per differentiable argument.
    pub tangent_names: Vec<Ident>,
}

/// Whether naming the function needs type or const arguments: it has such
/// parameters (not only lifetimes), or `impl Trait` arguments.
pub fn is_generic(sig: &syn::Signature) -> bool {
    let impl_trait =
        |a: &syn::FnArg| matches!(a, syn::FnArg::Typed(t) if matches!(*t.ty, Type::ImplTrait(_)));
    sig.generics
        .params
        .iter()
        .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)))
        || sig.inputs.iter().any(impl_trait)
}

/// `generics` with `T: Float` added for each float type parameter `T`.
fn with_float_bounds(generics: &syn::Generics) -> syn::Generics {
    let rt = crate::emit::runtime();
    let mut generics = generics.clone();
    let floats = types::float_params(&generics);
    if !floats.is_empty() {
        let predicates = &mut generics.make_where_clause().predicates;
        for t in floats {
            predicates.push(syn::parse_quote!(#t: #rt::Float));
        }
    }
    generics
}

impl Shape {
    pub fn new(func: &ItemFn, params: &[Param], ret_ty: &Type) -> Self {
        let diff: Vec<&Param> = params
            .iter()
            .filter(|p| p.role == ArgRole::Differentiable)
            .collect();
        let runtime = crate::emit::runtime();
        let tangent_tys: Vec<TokenStream> =
            diff.iter().map(|p| types::owned(&p.ty, &runtime)).collect();
        let grad_ty = match tangent_tys.as_slice() {
            [one] => quote!(#one),
            many => quote!((#(#many),*)),
        };
        Shape {
            name: func.sig.ident.clone(),
            vis: func.vis.clone(),
            generics: with_float_bounds(&func.sig.generics),
            generic: is_generic(&func.sig),
            receiver: func.sig.receiver().cloned(),
            params: params.to_vec(),
            ret_ty: ret_ty.clone(),
            grad_ty,
            tangent_tys,
            buffer_names: diff
                .iter()
                .map(|p| format_ident!("grad_{}", p.name, span = Span::mixed_site()))
                .collect(),
            // Hygienic: an argument named `d_x` or `tangents` cannot capture these.
            tangent_names: diff
                .iter()
                .map(|p| format_ident!("d_{}", p.name, span = Span::mixed_site()))
                .collect(),
        }
    }

    /// What the `impl Fn` maps returned by the generated functions may
    /// borrow: nothing (`use<..>` names only the type and const
    /// parameters). They own what they capture, and saying so keeps them
    /// `'static` in every edition, as the tapes that hold the maps of calls
    /// need (`tape::Growable`).
    fn captures(&self) -> TokenStream {
        self.captures_with(&[])
    }

    /// [`Shape::captures`] with the type parameters `extra` of one function.
    fn captures_with(&self, extra: &[Ident]) -> TokenStream {
        let params = self.generics.params.iter().filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(&t.ident),
            syn::GenericParam::Const(c) => Some(&c.ident),
            syn::GenericParam::Lifetime(_) => None,
        });
        quote!(use<#(#params,)* #(#extra),*>)
    }

    /// A generated function's generic parameters (the function's, then
    /// `extra`) and where clause.
    fn generic_header(&self, extra: &[TokenStream]) -> (TokenStream, TokenStream) {
        // One comma after each of the function's parameters, whether or not
        // it wrote a trailing one.
        let own = self.generics.params.iter();
        let params = match self.generics.params.is_empty() && extra.is_empty() {
            true => TokenStream::new(),
            false => quote!(<#(#own,)* #(#extra),*>),
        };
        let where_clause = &self.generics.where_clause;
        (params, quote!(#where_clause))
    }

    /// Whether the function is neither a method nor generic.
    pub fn is_plain_function(&self) -> bool {
        self.receiver.is_none() && !self.generic
    }

    /// The reverse function's generic parameters, arguments and the types
    /// of its output, its pullback's tangents and gradient: the function's
    /// own, or over the type parameter `number` where the sweep is generic
    /// (`hessian::generic`: a free, non-generic function).
    fn reverse_signature(&self, args: &TokenStream, number: Option<&Ident>) -> ReverseSignature {
        let Some(number) = number else {
            let (generics, where_clause) = self.generic_header(&[]);
            return ReverseSignature {
                generics,
                where_clause,
                args: args.clone(),
                ret: quote::ToTokens::to_token_stream(&self.ret_ty),
                tangents: self.tangent_tys.clone(),
                grad: self.grad_ty.clone(),
                captures: self.captures(),
            };
        };
        let rt = crate::emit::runtime();
        let scalar = crate::hessian::scalar(&self.params, &self.ret_ty);
        let args = self.params.iter().map(|p| {
            let n = &p.name;
            let t = match p.role {
                ArgRole::Differentiable => crate::emit::number_type(&p.ty, Some(number)),
                _ => quote::ToTokens::to_token_stream(&p.ty),
            };
            quote!(#n: #t,)
        });
        ReverseSignature {
            generics: quote!(<#number: #rt::dual::Number<#scalar>>),
            where_clause: TokenStream::new(),
            args: quote!(#(#args)*),
            ret: crate::emit::number_type(&self.ret_ty, Some(number)),
            tangents: crate::emit::number_types(&self.tangent_tys, Some(number)),
            grad: crate::emit::number_types(std::slice::from_ref(&self.grad_ty), Some(number))
                .into_iter()
                .collect(),
            captures: self.captures_with(std::slice::from_ref(number)),
        }
    }

    /// The names of the differentiable arguments, in order.
    fn differentiable_names(&self) -> Vec<&Ident> {
        self.params
            .iter()
            .filter(|p| p.role == ArgRole::Differentiable)
            .map(|p| &p.name)
            .collect()
    }

    /// The generated functions: in a module of the function's name, or for a
    /// method, sibling methods `<name>_grad`, ... in the same `impl`.
    pub fn items(&self, bodies: Bodies, batched: TokenStream) -> TokenStream {
        let Shape {
            name,
            vis,
            generics: _,
            ret_ty,
            grad_ty,
            ..
        } = self;
        let (generics, where_clause) = self.generic_header(&[]);
        let captures = self.captures();
        let receiver = self.receiver.as_ref();
        let params = || self.params.iter().filter(|p| p.name != "self");
        let args = params().map(|p| {
            let (n, t) = (&p.name, &p.ty);
            quote!(#n: #t)
        });
        let receiver_arg = receiver.map(|r| quote!(#r,));
        // Each parameter with its comma, so that more can follow (or none).
        let args = quote!(#receiver_arg #(#args,)*);
        let all_tys = params().map(|p| &p.ty);
        let names = params().map(|p| &p.name);
        let diff_tys = &self.tangent_tys;
        let tangent_names = &self.tangent_names;
        let primals = Ident::new("primals", Span::mixed_site());
        let tangents = Ident::new("tangents", Span::mixed_site());
        let Bodies {
            reverse,
            gradient,
            lazy_starts,
            linearize,
            jvp: direct_jvp,
            placeholders,
            no_forward,
            hessian,
            number,
        } = bodies;
        let is_method = receiver.is_some();
        let fn_name = |kind: &str| match is_method {
            true => format_ident!("{}_{}", name, kind),
            false => format_ident!("{}", kind),
        };
        let (fn_vis, allow) = match is_method {
            true => (
                quote!(#vis),
                quote!(#[allow(unused, clippy::all, clippy::pedantic, clippy::nursery)]),
            ),
            false => (quote!(pub), TokenStream::new()),
        };
        let reverse_fn = match is_method {
            true => format_ident!("__{}_reverse", name),
            false => format_ident!("__reverse"),
        };
        let (grad_fn, vag_fn, jvp_fn, vjp_fn, lin_fn) = (
            fn_name("grad"),
            fn_name("value_and_grad"),
            fn_name("jvp"),
            fn_name("vjp"),
            fn_name("linearize"),
        );
        let doc_grad = format!("Gradient of `{name}` with respect to its differentiable arguments (a tuple in argument order if there are several).");
        let doc_vag = format!("`({name}(..), grad(..))` from one forward and one reverse sweep.");
        let doc_into = format!("`{name}(..)`, adding its gradient into the caller's buffers (one `&mut` per differentiable argument, after the arguments) instead of returning it; see `autodiff::buffer` for when this allocates nothing.");
        let into_fn = fn_name("value_and_grad_into");
        let buffer_params = self
            .buffer_names
            .iter()
            .zip(&self.tangent_tys)
            .map(|(b, t)| quote!(#b: &mut #t));
        let doc_jvp = format!("Jacobian-vector product of `{name}`: `primals` holds every argument in order (the receiver excepted), `tangents` one tangent per differentiable argument; returns `(value, tangent of the output)`.");
        let doc_lin = format!("`{name}` linearized, like `jax.linearize`: returns the value and a function mapping the tangents of the differentiable arguments (one tuple) to the output's tangent. The primal pass and every partial are computed once; each call of the returned function only pushes tangents through them.");
        let doc_vjp = format!("Vector-Jacobian product of `{name}`: returns the value and a pullback mapping a cotangent of the output to cotangents shaped like `grad`'s result.");
        // `grad` is `value_and_grad` without the value: after inlining, rustc
        // removes the value's last step where nothing else needs it.
        let arg_names: Vec<&Ident> = params().map(|p| &p.name).collect();
        let arg_list = quote!(#(#arg_names),*);
        let grad = call(is_method, &vag_fn, &arg_list);
        let grad = quote!(#grad.1);
        // `jvp` is `linearize` with one tangent pass: after inlining, the
        // same code as interleaving values and tangents.
        let (value, push) = (
            Ident::new("__value", Span::mixed_site()),
            Ident::new("__push", Span::mixed_site()),
        );
        let lin_call = call(is_method, &lin_fn, &arg_list);
        let jacfwd_by_jvp = self.jacfwd_by_jvp(direct_jvp.is_some());
        let jvp = direct_jvp.unwrap_or_else(|| {
            quote! {
                let (#value, #push) = #lin_call;
                (#value, #push((#(#tangent_names,)*)))
            }
        });
        let (jacfwd, jacrev) = match placeholders {
            true => (fallback::never(), fallback::never()),
            false => self.jacobians(
                is_method,
                &arg_names,
                (&lin_fn, jacfwd_by_jvp.then_some(&jvp_fn)),
                &reverse_fn,
            ),
        };
        let (jacfwd_fn, jacrev_fn) = (fn_name("jacfwd"), fn_name("jacrev"));
        let jac_ty = self.jacobian_type();
        let doc_jacfwd = match jacfwd_by_jvp {
            true => format!("Jacobian of `{name}`: its one column, from one `jvp` (values and tangents in one pass)."),
            false => format!("Jacobian of `{name}` built column by column from `linearize` (rows: output components, columns: input components; one matrix per differentiable argument). Costs one forward pass, then one tangent pass per input component."),
        };
        let doc_jacrev = format!("Jacobian of `{name}` built row by row from one VJP's pullback (rows: output components, columns: input components; one matrix per differentiable argument). Costs one backward sweep per output component.");
        // A gradient needs a scalar output; other outputs get JVPs, VJPs and Jacobians.
        let scalar_output = types::is_scalar(ret_ty);
        let rt = crate::emit::runtime();
        let (value, pullback, zeros, grads, cotangent) = (
            Ident::new("__value", Span::mixed_site()),
            Ident::new("__pullback", Span::mixed_site()),
            Ident::new("__zeros", Span::mixed_site()),
            Ident::new("__grads", Span::mixed_site()),
            Ident::new("__cotangent", Span::mixed_site()),
        );
        let reverse_raw = call(is_method, &reverse_fn, &arg_list);
        let reverse_call = checked(&reverse_raw);
        // The gradients start from zeros shaped like the arguments, built
        // before the arguments move into the reverse function.
        let diff_names = self.differentiable_names();
        let starts = diff_names
            .iter()
            .zip(&lazy_starts)
            .map(|(n, lazy)| match lazy {
                true => quote!(#rt::linear::lazy_zero_like(&#n)),
                false => quote!(#rt::linear::zero_like(&#n)),
            });
        let zero_adjoints = quote!(let #zeros = (#(#starts,)*););
        let buffer_names = &self.buffer_names;
        let taken = quote!((#(#rt::linear::take_buffer(#buffer_names),)*));
        let stores = match buffer_names.as_slice() {
            [one] => quote!(*#one = #grads;),
            many => {
                let k = (0..many.len()).map(syn::Index::from);
                quote!(#(*#many = #grads.#k;)*)
            }
        };
        let vjp_body = quote! {
            #zero_adjoints
            let (#value, #pullback) = #reverse_call;
            (#value, move |#cotangent: #ret_ty| -> #grad_ty {
                #pullback(#cotangent, ::core::clone::Clone::clone(&#zeros))
            })
        };
        let gradient_fn = match is_method {
            true => format_ident!("__{}_gradient", name),
            false => format_ident!("__gradient"),
        };
        // The sweeps in one body, where the reverse function's pullback
        // would copy a fixed tape (see `derivatives`).
        let gradient_item = gradient.as_ref().map(|body| {
            quote! {
                #[doc(hidden)]
                #[inline]
                #allow
                #fn_vis fn #gradient_fn #generics (#args (#(#buffer_names,)*): (#(#diff_tys,)*)) -> (#ret_ty, #grad_ty, bool) #where_clause { #body }
            }
        });
        // `try_value_and_grad`: the sweeps, with a fixed tape's overflow
        // returned as an error; `value_and_grad` (and so `grad`) is it
        // unwrapped, a panic naming `tape = N`.
        let overflowed = Ident::new("__overflowed", Span::mixed_site());
        let try_vag_body = match (placeholders, gradient.is_some()) {
            (true, _) => fallback::never(),
            (false, true) => {
                let call = call(is_method, &gradient_fn, &quote!(#(#arg_names,)* #zeros));
                quote! {
                    #zero_adjoints
                    let (#value, #grads, #overflowed) = #call;
                    #rt::tape::fits(#overflowed)?;
                    ::core::result::Result::Ok((#value, #grads))
                }
            }
            (false, false) => quote! {
                #zero_adjoints
                let (#value, #pullback, #overflowed) = #reverse_raw;
                #rt::tape::fits(#overflowed)?;
                let #grads = #pullback(#rt::linear::seed(&#value), #zeros);
                ::core::result::Result::Ok((#value, #grads))
            },
        };
        // With errors, the reverse function is a placeholder: so are these,
        // or their bounds would add follow-on errors to the real one.
        let (into_body, vjp_body) = match placeholders {
            true => {
                let never = fallback::never();
                (
                    never.clone(),
                    quote!((#never, move |_: #ret_ty| -> #grad_ty { #never })),
                )
            }
            false if gradient.is_some() => {
                let with_buffers = checked(&call(
                    is_method,
                    &gradient_fn,
                    &quote!(#(#arg_names,)* #taken),
                ));
                (
                    quote! {
                        let (#value, #grads) = #with_buffers;
                        #stores
                        #value
                    },
                    vjp_body,
                )
            }
            false => (
                quote! {
                    let (#value, #pullback) = #reverse_call;
                    let #grads = #pullback(#rt::linear::seed(&#value), #taken);
                    #stores
                    #value
                },
                vjp_body,
            ),
        };
        let (try_grad_fn, try_vag_fn) = (fn_name("try_grad"), fn_name("try_value_and_grad"));
        let try_vag = call(is_method, &try_vag_fn, &arg_list);
        let vag_body = quote!(#rt::tape::unwrap_fits(#try_vag));
        let doc_try_vag = format!("`value_and_grad` of `{name}`, or `Err(TapeFull)` where a loop ran more iterations than its fixed tape holds (`#[differentiate(tape = N)]`), instead of a panic.");
        let doc_try_grad = format!("`grad` of `{name}`, or `Err(TapeFull)` where a loop ran more iterations than its fixed tape holds, instead of a panic.");
        let gradients = scalar_output.then(|| quote! {
            #[doc = #doc_try_vag]
            #[inline]
            #allow
            #fn_vis fn #try_vag_fn #generics (#args) -> ::core::result::Result<(#ret_ty, #grad_ty), #rt::tape::TapeFull> #where_clause { #try_vag_body }

            #[doc = #doc_try_grad]
            #[inline]
            #allow
            #fn_vis fn #try_grad_fn #generics (#args) -> ::core::result::Result<#grad_ty, #rt::tape::TapeFull> #where_clause {
                #try_vag.map(|(_, #grads)| #grads)
            }

            #[doc = #doc_grad]
            #[inline]
            #allow
            #fn_vis fn #grad_fn #generics (#args) -> #grad_ty #where_clause { #grad }

            #[doc = #doc_vag]
            #[inline]
            #allow
            #fn_vis fn #vag_fn #generics (#args) -> (#ret_ty, #grad_ty) #where_clause { #vag_body }

            #[doc = #doc_into]
            #[inline]
            #allow
            #fn_vis fn #into_fn #generics (#args #(#buffer_params),*) -> #ret_ty #where_clause { #into_body }

            #gradient_item
        });
        let forward = match no_forward {
            false => quote! {
                #[doc = #doc_jacfwd]
                #[inline]
                #allow
                #fn_vis fn #jacfwd_fn #generics (#args) -> #jac_ty #where_clause { #jacfwd }

                #[doc = #doc_jvp]
                #[inline]
                #allow
                #fn_vis fn #jvp_fn #generics (#receiver_arg #primals: (#(#all_tys,)*), #tangents: (#(#diff_tys,)*)) -> (#ret_ty, #ret_ty) #where_clause {
                    let (#(#names,)*) = #primals;
                    let (#(#tangent_names,)*) = #tangents;
                    #jvp
                }

                #[doc = #doc_lin]
                #[inline]
                #allow
                #fn_vis fn #lin_fn #generics (#args) -> (#ret_ty, impl Fn((#(#diff_tys,)*)) -> #ret_ty + #captures) #where_clause { #linearize }
            },
            // Without a forward rule (`#[custom_vjp]`), calling these is a
            // compile-time error, through a bound no argument satisfies.
            true => {
                let names: Vec<Ident> = params().map(|p| p.name.clone()).collect();
                let doc = format!("Not available: `{name}` has only a reverse-mode rule (`#[custom_vjp]`), so calling this is a compile-time error.");
                let bound = quote!(#rt::custom::ForwardRule);
                let never = |f: &Ident, args: &[Ident]| {
                    never_callable(&fn_vis, f, None, args, &bound, &doc)
                };
                let (jvp, lin, jacfwd) = (
                    never(&jvp_fn, &[primals.clone(), tangents.clone()]),
                    never(&lin_fn, &names),
                    never(&jacfwd_fn, &names),
                );
                quote!(#jvp #lin #jacfwd)
            }
        };
        let ReverseSignature {
            generics: reverse_generics,
            where_clause: reverse_where,
            args: reverse_args,
            ret: reverse_ret,
            tangents: reverse_tangents,
            grad: reverse_grad,
            captures: reverse_captures,
        } = self.reverse_signature(&args, number.as_ref());
        let second_order = self.second_order(
            hessian,
            &second_order::Context {
                is_method,
                fn_vis: &fn_vis,
                allow: &allow,
                receiver_arg: receiver.map(|r| quote!(#r,)),
                args: &args,
                captures: &captures,
                generic_sweep: number.is_some(),
            },
        );
        let functions = quote! {
            #gradients

            #forward

            #second_order

            #[doc = #doc_vjp]
            #[inline]
            #allow
            #fn_vis fn #vjp_fn #generics (#args) -> (#ret_ty, impl Fn(#ret_ty) -> #grad_ty + #captures) #where_clause { #vjp_body }

            #[doc(hidden)]
            #[inline]
            #allow
            #fn_vis fn #reverse_fn #reverse_generics (#reverse_args) -> (#reverse_ret, impl Fn(#reverse_ret, (#(#reverse_tangents,)*)) -> #reverse_grad + #reverse_captures, bool) #reverse_where { #reverse }

            #[doc = #doc_jacrev]
            #[inline]
            #allow
            #fn_vis fn #jacrev_fn #generics (#args) -> #jac_ty #where_clause { #jacrev }

            #batched
        };
        if is_method {
            return functions;
        }
        // Callers need these only from a function without errors.
        let calls = (!placeholders).then(|| self.call_functions(&lin_fn, &reverse_fn, no_forward));
        // The derivatives stand for the function: using only them should not
        // make rustc call the function dead code. (Naming a generic one here
        // would need its type arguments: it is marked `allow(dead_code)`.)
        let keep_alive = (!self.generic).then(|| quote!(const _: () = { let _ = super::#name; };));
        let doc_module =
            format!("Derivatives of [`{name}`](fn@{name}), generated by `#[differentiate]`.");
        quote! {
            #[doc = #doc_module]
            #[allow(unused, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
            #vis mod #name {
                use super::*;

                #keep_alive

                #functions

                #calls
            }
        }
    }
}

/// See [`Shape::reverse_signature`].
struct ReverseSignature {
    generics: TokenStream,
    where_clause: TokenStream,
    args: TokenStream,
    ret: TokenStream,
    tangents: Vec<TokenStream>,
    grad: TokenStream,
    captures: TokenStream,
}

/// A function no call of which compiles: generic over each argument, with
/// a bound on the first that nothing satisfies, so that a call is an error
/// with the bound trait's message (the forward mode of a `#[custom_vjp]`
/// function, second derivatives outside their subset). Without arguments
/// it still has the one type parameter the bound names.
fn never_callable(
    vis: &TokenStream,
    f: &Ident,
    receiver: Option<&TokenStream>,
    args: &[Ident],
    bound: &TokenStream,
    doc: &str,
) -> TokenStream {
    let generics: Vec<Ident> = (0..args.len().max(1))
        .map(|k| format_ident!("__A{}", k, span = Span::mixed_site()))
        .collect();
    let first = &generics[0];
    let typed = args.iter().zip(&generics).map(|(a, g)| quote!(#a: #g));
    quote! {
        #[doc = #doc]
        #vis fn #f<#(#generics),*>(#receiver #(#typed),*) -> ! where #first: #bound {
            ::core::unreachable!()
        }
    }
}

/// A call of the reverse function (`(value, pullback, overflowed)`, or
/// `__gradient`'s `(value, gradients, overflowed)`) as the infallible entry
/// points make it: `(value, pullback)`, panicking if a fixed tape
/// overflowed.
fn checked(call: &TokenStream) -> TokenStream {
    let rt = crate::emit::runtime();
    let (a, b, overflowed) = (
        Ident::new("__a", Span::mixed_site()),
        Ident::new("__b", Span::mixed_site()),
        Ident::new("__overflowed", Span::mixed_site()),
    );
    quote!({
        let (#a, #b, #overflowed) = #call;
        #rt::tape::assert_fits(#overflowed);
        (#a, #b)
    })
}

/// A call of one of the generated functions: `f(args)`, or `self.f(args)`
/// for a method's sibling.
fn call(is_method: bool, f: &Ident, args: &TokenStream) -> TokenStream {
    match is_method {
        true => quote!(self.#f(#args)),
        false => quote!(#f(#args)),
    }
}
