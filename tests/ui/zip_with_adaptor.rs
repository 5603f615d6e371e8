use autodiff::prelude::*;

// The argument of `zip` cannot have adaptors of its own (`b.iter().rev()`):
// zip the containers and index the reversed one by hand instead.
#[differentiate]
fn convolve_tail(a: &[f64], b: &[f64]) -> f64 {
    let mut total = 0.0;
    for (x, y) in a.iter().zip(b.iter().rev()) {
        total += x * y;
    }
    total
}

fn main() {
    let _ = convolve_tail::grad(&[1.0, 2.0], &[3.0, 4.0]);
}
