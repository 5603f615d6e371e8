//! Placeholder bodies for the generated functions when the input has errors.
//!
//! They keep the module's signatures intact, so code that calls `f::grad`
//! type-checks and the only errors the user sees are the real ones.

use quote::quote;

use crate::expand::{Bodies, Shape};

/// Bodies that never run (the crate does not compile with the errors beside them).
pub fn bodies(shape: &Shape) -> Bodies {
    let (ret_ty, grad_ty) = (&shape.ret_ty, &shape.grad_ty);
    let never = quote!(::core::unreachable!(
        "`#[differentiate]` reported an error for this function"
    ));
    Bodies {
        value_and_grad: never.clone(),
        jvp: never.clone(),
        vjp: quote!((#never, move |_: #ret_ty| -> #grad_ty { #never })),
    }
}
