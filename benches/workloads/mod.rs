//! The ADBench objectives (Srajer, Kukelova & Fitzgibbon 2018) and the JAX
//! tutorial's image loss, written as a user porting them to Rust would:
//! loops over slices with index arithmetic and runtime bounds (GMM, LSTM),
//! the GMM again with dynamic nalgebra matrices, fixed-size arrays with a
//! branch (BA), dynamic nalgebra matrices (image loss); and hand-written
//! derivatives of GMM, BA and the image loss as baselines. Shared by
//! `benches/adbench.rs` (speed) and `tests/adbench.rs` (values and
//! derivatives); formulas as in the microsoft/ADBench C++ sources.

use autodiff::prelude::*;

pub mod ba;
pub mod gmm;
pub mod image;
pub mod lstm;

/// `log Σ exp v`, shifted by the maximum (ADBench's GMM `logsumexp`),
/// which the GMM objective calls for every point. (The LSTM has its own,
/// [`lstm::logsumexp_plus_two`].)
#[allow(clippy::needless_range_loop)]
#[differentiate]
pub fn logsumexp(v: &[f64]) -> f64 {
    let mut mx = v[0];
    for i in 1..v.len() {
        if v[i] > mx {
            mx = v[i];
        }
    }
    let mut se = 0.0;
    for i in 0..v.len() {
        se += (v[i] - mx).exp();
    }
    se.ln() + mx
}

/// Deterministic inputs in `[-0.5, 0.5)`: the fractional parts of
/// multiples of the golden ratio, from `offset` on.
pub fn inputs(len: usize, offset: usize) -> Vec<f64> {
    (0..len)
        .map(|i| ((i + offset) as f64 * 0.618_033_988_749_895).fract() - 0.5)
        .collect()
}
