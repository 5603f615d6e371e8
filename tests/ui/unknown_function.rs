use autodiff::prelude::*;

fn helper(t: f64) -> f64 {
    t * 3.0
}

#[differentiate]
fn f(x: f64) -> f64 {
    helper(x).sin()
}

fn main() {}
