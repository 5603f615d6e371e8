use autodiff::nalgebra::Vector3;
use autodiff::prelude::*;

// Fields of static values are fine (`p.scale`); nalgebra's named
// coordinates of a differentiable vector are not: index it instead.
struct Params {
    scale: f64,
}

#[differentiate(wrt(v))]
fn f(v: Vector3<f64>, p: &Params) -> f64 {
    v.x * p.scale + v[1]
}

fn main() {}
