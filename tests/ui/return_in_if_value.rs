use autodiff::prelude::*;

// `return` inside an `if` whose value is used is rejected: use the `if` as a
// statement (`if x.abs() <= limit { return x; }`) and compute the value after it.
#[differentiate]
fn soft_clip(x: f64, limit: f64) -> f64 {
    let scale = if x.abs() <= limit { return x; } else { limit / x.abs() };
    x * scale
}

fn main() {
    let _ = soft_clip::grad(2.0, 1.0);
}
