//! The JAX tutorial's first `jit` example: `σ(‖Î − I‖² / 2)` of a predicted
//! image `Î` against a target `I`, differentiated with respect to `Î`.

use autodiff::nalgebra::DMatrix;
use autodiff::prelude::*;

/// The loss.
#[differentiate(wrt(predicted))]
pub fn loss(predicted: &DMatrix<f64>, target: &DMatrix<f64>) -> f64 {
    let d = predicted - target;
    let s = 0.5 * d.norm_squared();
    1.0 / (1.0 + (-s).exp())
}

/// The gradient by hand: `σ(s)(1 - σ(s)) (Î − I)`, one pass for `s` and
/// one for the result.
pub fn grad_by_hand(predicted: &DMatrix<f64>, target: &DMatrix<f64>) -> DMatrix<f64> {
    let s = 0.5 * predicted.zip_fold(target, 0.0, |acc, a, b| acc + (a - b) * (a - b));
    let sigma = 1.0 / (1.0 + (-s).exp());
    let scale = sigma * (1.0 - sigma);
    predicted.zip_map(target, |a, b| scale * (a - b))
}

/// An `n × n` target and a prediction near it, so that `‖Î − I‖²/2` is
/// about 1 and the sigmoid does not saturate.
pub fn images(n: usize) -> (DMatrix<f64>, DMatrix<f64>) {
    let target = DMatrix::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0);
    let step = (2.0 / (n * n) as f64).sqrt();
    let predicted = DMatrix::from_fn(n, n, |i, j| {
        target[(i, j)] + step * if (i + j) % 2 == 0 { 1.0 } else { -1.0 }
    });
    (predicted, target)
}
