//! A function without arguments: one error, and the module's signatures
//! stay valid Rust (found by the no-panic fuzzer: the gradient buffers used
//! to follow an empty argument list with a comma).
use autodiff::prelude::*;

#[differentiate]
fn constant() -> f64 {
    1.0
}

fn main() {}
