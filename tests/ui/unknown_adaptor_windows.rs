use autodiff::prelude::*;

// An iterator the loops do not know (`windows`) is rejected: loop over
// indices instead (`for i in 1..x.len() { .. x[i] - x[i - 1] .. }`).
#[differentiate]
fn roughness(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for w in x.windows(2) {
        total += (w[1] - w[0]).powi(2);
    }
    total
}

fn main() {
    let _ = roughness::grad(&[1.0, 2.0, 4.0]);
}
