use autodiff::prelude::*;

// A `match` pattern that takes apart a differentiable value is rejected: bind
// the value whole (`v if v > 0.0 =>`) or match on a static value.
#[differentiate]
fn larger(x: f64, y: f64) -> f64 {
    match (x, y) {
        (a, b) if a > b => a,
        (_, b) => b,
    }
}

fn main() {
    let _ = larger::grad(1.0, 2.0);
}
