// The rule takes the primals and the tangents as two tuples and returns
// the value and its tangent; a rule of another signature is reported on
// its name in the attribute.
use autodiff::prelude::*;

#[custom_jvp(jvp = square_jvp)]
fn square(x: f64) -> f64 {
    x * x
}

fn square_jvp(x: f64, dx: f64) -> f64 {
    2.0 * x * dx
}

fn main() {
    let _ = square::grad(1.0);
}
