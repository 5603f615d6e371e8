//! Procedural macros of the `autodiff` crate; use them through `autodiff`.
//!
//! The pipeline, one file per stage: `attr` and `signature` read the
//! attribute and the signature, `lower` turns the body into the IR of `ir`,
//! `activity` finds what carries derivatives, `forward`, `reverse` and
//! `fuse` are IR-to-IR transforms, and `emit` turns IR into tokens; `expand` runs them
//! in order and `fallback` stands in when there are errors. The primitives
//! are listed once, in `primitives`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod activity;
mod attr;
mod custom;
mod derive;
mod emit;
mod errors;
mod expand;
mod fallback;
mod forward;
mod fuse;
mod hessian;
#[cfg(test)]
mod interpret;
mod ir;
mod items;
mod lower;
#[cfg(test)]
mod no_panic;
mod primitives;
mod rebuild;
mod reverse;
mod shapes;
mod signature;
#[cfg(test)]
mod snapshots;
mod tape;
mod twin;
mod types;
mod vectorize;

use proc_macro::TokenStream;

/// Generates derivatives of a numeric function.
///
/// Keeps the function as it is and adds a module of the same name with
/// `grad`, `value_and_grad`, `jvp` and `vjp`. See the `autodiff` crate for
/// the full documentation and examples.
#[proc_macro_attribute]
pub fn differentiate(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiate(attr.into(), item.into()).into()
}

/// Gives a function a forward-mode rule of the user's (JAX's
/// `custom_jvp`): `#[custom_jvp(jvp = rule)]` with
/// `fn rule(primals: (A, ..), tangents: (T, ..)) -> (Out, Out)`.
///
/// See the `autodiff` crate for the full documentation and examples.
#[proc_macro_attribute]
pub fn custom_jvp(attr: TokenStream, item: TokenStream) -> TokenStream {
    custom::custom_jvp(attr.into(), item.into()).into()
}

/// Gives a function a reverse-mode rule of the user's (JAX's
/// `custom_vjp`): `#[custom_vjp(fwd = f_fwd, bwd = f_bwd)]` with
/// `fn f_fwd(args..) -> (Out, Residual)` and
/// `fn f_bwd(residual: Residual, cotangent: Out) -> gradients`.
///
/// See the `autodiff` crate for the full documentation and examples.
#[proc_macro_attribute]
pub fn custom_vjp(attr: TokenStream, item: TokenStream) -> TokenStream {
    custom::custom_vjp(attr.into(), item.into()).into()
}

/// Derives the tangent space of a struct, so that it can be a
/// differentiable argument (JAX's pytrees): its gradient is the same struct.
///
/// Fields marked `#[differentiable(skip)]` are static: they need only
/// `Clone`, and tangents and gradients hold the primal's value there. See
/// the `autodiff` crate for the full documentation and examples.
#[proc_macro_derive(Differentiable, attributes(differentiable))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    derive::derive(item.into()).into()
}

/// Generates batched variants of a function (JAX's `vmap`).
///
/// Adds a module of the same name with `batched`, `batched_into` and
/// `try_batched` (and, beside `#[differentiate]`, `batched_grad`,
/// `batched_value_and_grad` and `batched_jvp`). See the `autodiff` crate
/// for the full documentation and examples.
#[proc_macro_attribute]
pub fn vectorize(attr: TokenStream, item: TokenStream) -> TokenStream {
    vectorize::vectorize(attr.into(), item.into()).into()
}
