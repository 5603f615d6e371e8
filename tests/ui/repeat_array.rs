use autodiff::prelude::*;

// An array `[x; N]` of a differentiable value is rejected: write the
// elements out (`[x, x, x]`).
#[differentiate]
fn spread(x: f64) -> f64 {
    let weights = [x; 3];
    weights[0] * weights[1] + weights[2]
}

fn main() {
    let _ = spread::grad(1.0);
}
