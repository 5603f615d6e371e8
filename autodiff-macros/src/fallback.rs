//! Placeholder bodies for the generated functions when the input has errors.
//!
//! They keep the module's signatures intact, so code that calls `f::grad`
//! type-checks and the only errors the user sees are the real ones.

use proc_macro2::TokenStream;
use quote::quote;

use crate::expand::Bodies;
use crate::items::Shape;

/// A body that never runs (the crate does not compile with the errors beside it).
pub fn never() -> TokenStream {
    quote!(::core::unreachable!(
        "`#[differentiate]` reported an error for this function"
    ))
}

/// Placeholder bodies for every generated function.
pub fn bodies(shape: &Shape) -> Bodies {
    let (ret_ty, grad_ty) = (&shape.ret_ty, &shape.grad_ty);
    let never = never();
    Bodies {
        linearize: quote!((#never, move |_| -> #ret_ty { #never })),
        reverse: quote!((#never, move |_: #ret_ty, _| -> #grad_ty { #never }, false)),
        gradient: None,
        lazy_starts: Vec::new(),
        jvp: None,
        placeholders: true,
        no_forward: false,
        // None, as for the callers' functions: their signatures could
        // repeat the error.
        hessian: Err(None),
        number: None,
    }
}
