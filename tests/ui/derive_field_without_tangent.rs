// Every field of a differentiable struct needs a tangent space, or
// `#[differentiable(skip)]`.
use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Particle {
    position: [f64; 3],
    name: String,
}

fn main() {}
