// The backward rule returns cotangents shaped like `grad`'s result: one
// value for one differentiable argument, a tuple for several.
use autodiff::prelude::*;

#[custom_vjp(fwd = scale_fwd, bwd = scale_bwd)]
fn scale(x: f64, k: f64) -> f64 {
    k * x
}

fn scale_fwd(x: f64, k: f64) -> (f64, (f64, f64)) {
    (k * x, (x, k))
}

fn scale_bwd((x, k): (f64, f64), cotangent: f64) -> [f64; 2] {
    [k * cotangent, x * cotangent]
}

fn main() {
    let _ = scale::grad(1.0, 2.0);
}
