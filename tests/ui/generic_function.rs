//! Generic functions differentiate over a type parameter with a float
//! bound; one without it is static, and an `impl Trait` argument has no
//! name for the generated functions to use.
use autodiff::prelude::*;

#[differentiate(wrt(x))]
fn unbounded<T: Copy + Into<f64>>(x: T) -> f64 {
    x.into()
}

#[differentiate]
fn anonymous(_x: impl Real) -> f64 {
    1.0
}

fn main() {}
