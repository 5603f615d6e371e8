use autodiff::prelude::*;

#[differentiate]
fn f(x: f64) -> f64 {
    x % 1.0
}

fn main() {}
