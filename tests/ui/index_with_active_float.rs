use autodiff::prelude::*;

#[differentiate]
fn f(x: [f64; 3], y: f64) -> f64 {
    x[y] * 2.0
}

fn main() {}
