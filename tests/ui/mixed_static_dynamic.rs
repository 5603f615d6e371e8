use autodiff::nalgebra::{DVector, SVector};
use autodiff::prelude::*;

// A fixed-size and a dynamic vector cannot be added: nalgebra needs both
// sides of one kind.
#[differentiate]
fn f(x: SVector<f64, 3>, y: DVector<f64>) -> f64 {
    (x + y).norm()
}

fn main() {}
