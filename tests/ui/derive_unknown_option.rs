// The one option of `#[differentiable(..)]` is `skip`; every field without
// a tangent space is reported, not only the first.
use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Particle {
    position: [f64; 3],
    #[differentiable(static)]
    id: u32,
    #[differentiable(skip = true)]
    mass: f64,
}

#[derive(Clone, Differentiable)]
struct Empty {
    #[differentiable(skip)]
    id: u32,
}

fn main() {}
