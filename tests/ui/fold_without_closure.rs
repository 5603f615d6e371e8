use autodiff::prelude::*;

// `fold` whose function is not a two-argument closure (`f64::max`) is
// rejected: write the closure out (`|acc, v| acc.max(v)`).
#[differentiate]
fn largest(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn main() {
    let _ = largest::grad(&[1.0, 2.0]);
}
