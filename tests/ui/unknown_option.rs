use autodiff::prelude::*;

#[differentiate(order = 2, wrt(x))]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
