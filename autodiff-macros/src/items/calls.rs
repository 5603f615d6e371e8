//! What a `#[differentiate]` caller uses: `__linearize_call` and
//! `__vjp_call`, with one slot per argument position (the caller's macro
//! cannot know which of the callee's arguments are static), and over dual
//! numbers `__hvp_vjp_call`, for its second sweep.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::{Ident, Type};

use super::{checked, Shape};
use crate::ir::ArgRole;

impl Shape {
    /// `__linearize_call` and `__vjp_call`: what a `#[differentiate]`
    /// function calling this one uses. Unlike `linearize` and `vjp`, they
    /// take and return one slot per argument position (the caller's macro
    /// cannot know which of this function's arguments are static): the
    /// linear map takes an `Option` per position (`None`: no tangent, or a
    /// static argument), the pullback returns a cotangent per position (`()`
    /// for a static one).
    /// Without a forward rule (`no_forward`, a `#[custom_vjp]` function),
    /// `__linearize_call` panics when a caller's forward mode runs: the
    /// caller's macro emits forward code for every call, so a compile-time
    /// error there would reject callers that only use reverse mode.
    pub(super) fn call_functions(
        &self,
        lin_fn: &Ident,
        reverse_fn: &Ident,
        no_forward: bool,
    ) -> TokenStream {
        let rt = crate::emit::runtime();
        let captures = self.captures();
        let (generics, where_clause) = self.generic_header(&[]);
        let ret_ty = &self.ret_ty;
        let args = self.params.iter().map(|p| {
            let (n, t) = (&p.name, &p.ty);
            quote!(#n: #t)
        });
        let args = quote!(#(#args),*);
        let names: Vec<&Ident> = self.params.iter().map(|p| &p.name).collect();
        let slots = self.slots(None);
        let (option_tys, shapes, filled) = (&slots.option_tys, &slots.shapes, &slots.starts);
        let slot_names = &slots.names;
        let (value, map) = (
            Ident::new("__value", Span::mixed_site()),
            Ident::new("__map", Span::mixed_site()),
        );
        let name = &self.name;
        let linearize_call = match no_forward {
            false => quote! {
                #(#shapes)*
                let (#value, #map) = #lin_fn(#(#names),*);
                (#value, move |(#(#slot_names,)*): (#(#option_tys,)*)| #map((#(#filled,)*)))
            },
            true => {
                let text = name.to_string();
                quote!((super::#name(#(#names),*), move |_: (#(#option_tys,)*)| -> #ret_ty { #rt::custom::no_forward_rule(#text) }))
            }
        };
        let vjp_call = self.vjp_call(&format_ident!("__vjp_call"), reverse_fn, None);
        quote! {
            #[doc(hidden)]
            #[inline]
            pub fn __linearize_call #generics (#args) -> (#ret_ty, impl Fn((#(#option_tys,)*)) -> #ret_ty + #captures) #where_clause {
                #linearize_call
            }

            #vjp_call
        }
    }

    /// The slots of the call functions, one per argument position (see
    /// [`Shape::call_functions`]); over dual numbers of the scalar type
    /// `dual` when it is given (`__hvp_vjp_call`).
    fn slots(&self, dual: Option<&TokenStream>) -> Slots {
        let rt = crate::emit::runtime();
        let diff_count = self.tangent_tys.len();
        let grads = Ident::new("__grads", Span::mixed_site());
        let mut out = Slots::default();
        let mut k = 0;
        for (i, p) in self.params.iter().enumerate() {
            let slot = format_ident!("__slot{}", i, span = Span::mixed_site());
            out.names.push(slot.clone());
            if p.role == ArgRole::Differentiable {
                let (t, ty) = match dual {
                    Some(_) => (
                        crate::emit::dual_type(
                            &syn::parse2(self.tangent_tys[k].clone())
                                .unwrap_or_else(|_| p.ty.clone()),
                        ),
                        crate::emit::dual_type(&p.ty),
                    ),
                    None => (self.tangent_tys[k].clone(), p.ty.to_token_stream()),
                };
                out.slot_tys.push(t.clone());
                out.option_tys.push(quote!(::core::option::Option<#t>));
                // A missing tangent, or the pullback's start where the
                // caller has no adjoint, is a zero built from the argument's
                // shape, kept without borrowing it (nothing built up front).
                let shape = format_ident!("__shape{}", i, span = Span::mixed_site());
                let name = &p.name;
                out.shapes
                    .push(quote!(let #shape = #rt::linear::shape_of(&#name);));
                let start = quote!(#slot.unwrap_or_else(|| #rt::linear::zero_of::<#ty>(&#shape)));
                out.unchanged.push(start.clone());
                out.starts.push(start);
                let index = syn::Index::from(k);
                out.pulled.push(match diff_count {
                    1 => quote!(#grads),
                    _ => quote!(#grads.#index),
                });
                k += 1;
            } else {
                out.slot_tys.push(quote!(()));
                out.option_tys.push(quote!(::core::option::Option<()>));
                out.pulled.push(quote!(()));
                out.unchanged.push(quote!(()));
            }
        }
        out
    }

    /// `__vjp_call` (or, over dual numbers of the scalar type `dual`,
    /// `__hvp_vjp_call`): the value and a pullback with one slot per
    /// argument position, what a `#[differentiate]` caller uses. In the
    /// dual form a by-value differentiable argument may be a plain float
    /// (a caller's constant) and is promoted.
    pub(super) fn vjp_call(
        &self,
        call_fn: &Ident,
        reverse_fn: &Ident,
        dual: Option<&TokenStream>,
    ) -> TokenStream {
        let rt = crate::emit::runtime();
        let ret_ty = match dual {
            Some(_) => crate::emit::dual_type(&self.ret_ty),
            None => self.ret_ty.to_token_stream(),
        };
        let mut generics = Vec::new();
        let mut generic_names = Vec::new();
        let mut promotions = Vec::new();
        let args: Vec<TokenStream> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (n, t) = (&p.name, &p.ty);
                match (dual, p.role, t) {
                    // A borrowed one is a dual container already.
                    (Some(_), ArgRole::Differentiable, Type::Reference(_)) => {
                        let t = crate::emit::dual_type(t);
                        quote!(#n: #t)
                    }
                    (Some(scalar), ArgRole::Differentiable, _) => {
                        let g = format_ident!("__A{}", i, span = Span::mixed_site());
                        let d = crate::emit::dual_type(t);
                        generics.push(quote!(#g: #rt::dual::Promote<#scalar, Out = #d>));
                        generic_names.push(g.clone());
                        promotions.push(quote!(let #n = #rt::dual::promote::<#scalar, _>(&#n);));
                        quote!(#n: #g)
                    }
                    _ => quote!(#n: #t),
                }
            })
            .collect();
        let (generics, where_clause) = self.generic_header(&generics);
        // The promoted arguments' types are parameters the returned map
        // is said to capture (it owns only dual values, but `use<..>` must
        // name every type parameter).
        let captures = self.captures_with(&generic_names);
        let names: Vec<&Ident> = self.params.iter().map(|p| &p.name).collect();
        let slots = self.slots(dual);
        let Slots {
            names: slot_names,
            slot_tys,
            option_tys,
            shapes,
            starts,
            unchanged,
            pulled,
        } = &slots;
        let (value, map, ct, grads) = (
            Ident::new("__value", Span::mixed_site()),
            Ident::new("__map", Span::mixed_site()),
            Ident::new("__cotangent", Span::mixed_site()),
            Ident::new("__grads", Span::mixed_site()),
        );
        // A fixed tape of a callee that overflowed panics, as in `vjp`.
        let reverse_call = checked(&quote!(#reverse_fn(#(#names),*)));
        quote! {
            #[doc(hidden)]
            #[inline]
            pub fn #call_fn #generics (#(#args),*) -> (#ret_ty, impl Fn(#ret_ty, (#(#option_tys,)*)) -> (#(#slot_tys,)*) + #captures) #where_clause {
                #(#promotions)*
                #(#shapes)*
                let (#value, #map) = #reverse_call;
                (#value, move |#ct: #ret_ty, (#(#slot_names,)*): (#(#option_tys,)*)| {
                    // A zero cotangent (the caller does not use the
                    // result) adds nothing: no `0 × NaN` from a partial.
                    if #rt::linear::is_zero(&#ct) {
                        return (#(#unchanged,)*);
                    }
                    let #grads = #map(#ct, (#(#starts,)*));
                    (#(#pulled,)*)
                })
            }
        }
    }
}

/// The pieces of the call functions' slots, one per argument position.
#[derive(Default)]
struct Slots {
    /// The slot variables.
    names: Vec<Ident>,
    /// The pullback's cotangent per position (`()` for a static one).
    slot_tys: Vec<TokenStream>,
    /// What a slot holds: an `Option` of it.
    option_tys: Vec<TokenStream>,
    /// The arguments' shapes, kept to build zeros.
    shapes: Vec<TokenStream>,
    /// A differentiable slot's value, or a zero of the argument's shape.
    starts: Vec<TokenStream>,
    /// Per position, what a zero cotangent gives back: the start, or `()`.
    unchanged: Vec<TokenStream>,
    /// The gradient of each position, from the pullback's result.
    pulled: Vec<TokenStream>,
}
