use autodiff::prelude::*;

// Elements of a shared-reference argument cannot be assigned: copy the
// values into a local first (`let mut a = x.to_vec();`).
#[differentiate]
fn clamp_first(x: &[f64]) -> f64 {
    x[0] = x[0].min(1.0);
    x[0] + x[1]
}

fn main() {
    let _ = clamp_first::grad(&[1.0, 2.0]);
}
