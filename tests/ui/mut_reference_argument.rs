use autodiff::prelude::*;

// A `&mut` argument cannot be differentiated: take the values by shared
// reference (or by value) and return the result instead of writing it back.
#[differentiate]
fn normalize_in_place(x: &mut [f64]) -> f64 {
    let scale = x[0];
    x[0] = 1.0;
    x[1] = x[1] / scale;
    x[1]
}

// The same `&mut` buffer as a static output next to a differentiable argument.
#[differentiate(wrt(x))]
fn write_out(x: f64, out: &mut [f64]) -> f64 {
    out[0] = x * 2.0;
    x
}

fn main() {}
