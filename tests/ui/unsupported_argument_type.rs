use autodiff::prelude::*;

struct Params {
    scale: f64,
}

#[differentiate]
fn f(x: f64, _p: &Params) -> f64 {
    x * 2.0
}

fn main() {}
