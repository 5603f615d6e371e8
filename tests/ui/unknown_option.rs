use autodiff::prelude::*;

#[differentiate(order = 2, wrt(x))]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}

/// An unknown option with arguments is reported as such, not as a parse error.
#[differentiate(argnums(0))]
fn h(x: f64) -> f64 {
    x
}
