//! `jacfwd` and `jacrev`: the runtime's `jacobian::forward_slots` and
//! `reverse_slots` handed `linearize` (or, for one column, `jvp`) and
//! `__reverse`, and the Jacobians' types.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

use super::{call, checked, Shape};
use crate::ir::ArgRole;
use crate::types;

impl Shape {
    /// Whether `jacfwd` calls `jvp` for its one column: the function has one
    /// differentiable argument, a scalar, and `jvp` a body of its own (one
    /// pass of values and tangents, where `linearize` would keep partials).
    pub(super) fn jacfwd_by_jvp(&self, direct_jvp: bool) -> bool {
        let mut diff = self
            .params
            .iter()
            .filter(|p| p.role == ArgRole::Differentiable);
        match (diff.next(), diff.next()) {
            (Some(p), None) => direct_jvp && types::is_scalar(&p.ty),
            _ => false,
        }
    }

    /// The Jacobian's type for each differentiable argument: an `SMatrix` when
    /// both sizes are fixed by the types' spelling, a `DMatrix` otherwise.
    fn jacobian_types(&self) -> Vec<TokenStream> {
        let rt = crate::emit::runtime();
        let scalar = types::scalar(&self.ret_ty)
            .map(|t| quote!(#t))
            .unwrap_or_else(|| quote!(f64));
        let rows = types::static_dim(&self.ret_ty);
        self.params
            .iter()
            .filter(|p| p.role == ArgRole::Differentiable)
            .map(|p| match (&rows, types::static_dim(&p.ty)) {
                (Some(rows), Some(cols)) => {
                    quote!(#rt::nalgebra::SMatrix<#scalar, #rows, #cols>)
                }
                _ => quote!(#rt::nalgebra::DMatrix<#scalar>),
            })
            .collect()
    }

    pub(super) fn jacobian_type(&self) -> TokenStream {
        match self.jacobian_types().as_slice() {
            [one] => one.clone(),
            many => quote!((#(#many),*)),
        }
    }

    /// Bodies of `jacfwd` and `jacrev`: the module's own `linearize` (one
    /// primal pass, then a tangent pass per column) or reverse function
    /// (one primal pass, then a backward pass per row), handed to the
    /// runtime's `forward_slots`/`reverse_slots` with the zero tangents of
    /// the differentiable arguments; the arguments are cloned once (free for
    /// `Copy` types).
    ///
    /// `jvp_fn` (see `jacfwd_by_jvp`) pushes `jacfwd`'s only column.
    pub(super) fn jacobians(
        &self,
        is_method: bool,
        arg_names: &[&Ident],
        (lin_fn, jvp_fn): (&Ident, Option<&Ident>),
        reverse_fn: &Ident,
    ) -> (TokenStream, TokenStream) {
        let rt = crate::emit::runtime();
        let clones = arg_names
            .iter()
            .map(|n| quote!(::core::clone::Clone::clone(&#n)));
        let args = quote!(#(#clones),*);
        let (lin_call, reverse_call) = (
            call(is_method, lin_fn, &args),
            checked(&call(is_method, reverse_fn, &args)),
        );
        let diff = self.differentiable_names();
        let [out, pullback, push, zeros, ct] =
            ["__output", "__pullback", "__push", "__zeros", "__cotangent"]
                .map(|n| Ident::new(n, Span::mixed_site()));
        let types = self.jacobian_types();
        // One argument: its gradient is bare, its Jacobian not in a tuple.
        let (wrap, first) = match diff.len() {
            1 => (quote!(,), quote!(.0)),
            _ => (TokenStream::new(), TokenStream::new()),
        };
        let push_fn = match jvp_fn {
            Some(jvp_fn) => {
                let d = Ident::new("__d", Span::mixed_site());
                let jvp_call = call(is_method, jvp_fn, &quote!((#args,), (#d,)));
                quote!(let #push = |(#d,)| #jvp_call.1;)
            }
            None => quote!(let (_, #push) = #lin_call;),
        };
        (
            quote! {
                let #zeros = (#(#rt::linear::zero_like(&#diff),)*);
                #push_fn
                #rt::jacobian::forward_slots::<(#(#types,)*), _, _>(#zeros, #push)#first
            },
            quote! {
                let #zeros = (#(#rt::linear::zero_like(&#diff),)*);
                let (#out, #pullback) = #reverse_call;
                #rt::jacobian::reverse_slots::<(#(#types,)*), _, _>(&#zeros, &#out, |#ct| {
                    (#pullback(::core::clone::Clone::clone(#ct), ::core::clone::Clone::clone(&#zeros)) #wrap)
                })#first
            },
        )
    }
}
