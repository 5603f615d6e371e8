use autodiff::nalgebra::{DVector, SMatrix};
use autodiff::prelude::*;

// A closure given to `from_fn` or `map` gets what it captures as scalars:
// an element of a captured differentiable array is an error, at the index.
#[differentiate]
fn grid(a: f64, x: [f64; 3]) -> f64 {
    let m = SMatrix::<f64, 2, 2>::from_fn(|i, j| a * (i + j) as f64 + x[0]);
    m.norm_squared()
}

#[differentiate]
fn mapped(v: &DVector<f64>, w: [f64; 2]) -> f64 {
    let y = v.map(|e| e * w[1]);
    y.norm()
}

fn main() {}
