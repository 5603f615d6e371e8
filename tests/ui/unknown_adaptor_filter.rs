use autodiff::prelude::*;

// An iterator adaptor the loops do not know (`filter`) is rejected: loop and
// test each item with an `if` instead.
#[differentiate]
fn positive_energy(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for v in x.iter().filter(|v| **v > 0.0) {
        total += v * v;
    }
    total
}

fn main() {
    let _ = positive_energy::grad(&[1.0, -2.0]);
}
