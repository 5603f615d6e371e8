//! Unknown options and broadcast names that are not arguments, reported together.
use autodiff::prelude::*;

#[vectorize(batch(x), broadcast(weights))]
fn f(x: f64, w: f64) -> f64 {
    x * w
}

fn main() {}
