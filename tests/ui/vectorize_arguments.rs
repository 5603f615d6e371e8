//! Arguments a batch cannot hold: `&mut`, `impl Trait`, patterns.
use autodiff::prelude::*;

#[vectorize]
fn f(x: &mut f64, y: impl Into<f64>, (a, b): (f64, f64)) -> f64 {
    *x + y.into() + a + b
}

fn main() {}
