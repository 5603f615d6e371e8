//! `stop_gradient` takes one value.
use autodiff::prelude::*;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    stop_gradient(x, y) * x
}

fn main() {}
