use autodiff::prelude::*;

// Assigning to a field of a differentiable tuple (`t.0 = x;`) is rejected:
// build the new tuple instead (`t = (x, t.1);`).
#[differentiate]
fn rotate_step(x: f64, y: f64) -> f64 {
    let mut t = (x, y);
    t.0 = t.0 * 0.5 - t.1;
    t.0 * t.1
}

fn main() {
    let _ = rotate_step::grad(1.0, 2.0);
}
