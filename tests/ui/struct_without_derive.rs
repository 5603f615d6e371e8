// A struct argument is differentiable only with `#[derive(Differentiable)]`;
// reading a field of one that is not is an error on the argument.
use autodiff::prelude::*;

#[derive(Clone)]
struct Params {
    scale: f64,
}

#[differentiate]
fn f(x: f64, p: &Params) -> f64 {
    x * p.scale
}

fn main() {
    let _ = f::grad(1.0, &Params { scale: 2.0 });
}
