use autodiff::prelude::*;

struct Params {
    scale: f64,
}

// Reading a field of a static argument is fine; the tuple built from the
// differentiable `x` is not (yet).
#[differentiate(wrt(x))]
fn f(x: f64, p: &Params) -> f64 {
    let pair = (x, p.scale);
    pair.0 * p.scale
}

fn main() {}
