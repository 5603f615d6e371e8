// Local closures are inlined at each call; one that assigns to a variable
// it captures would have to carry that assignment out of the call.
use autodiff::prelude::*;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = |t: f64| total += t * t;
    add(x);
    total
}

fn main() {
    let _ = f::grad(1.0);
}
