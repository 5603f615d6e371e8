//! The ADBench objectives (Srajer, Kukelova & Fitzgibbon 2018) and the JAX
//! tutorial's image loss, written as a user porting them to Rust would:
//! loops over slices with index arithmetic and runtime bounds (GMM, LSTM),
//! fixed-size arrays with a branch (BA), dynamic nalgebra matrices (image
//! loss). Shared by `benches/adbench.rs` (speed) and `tests/adbench.rs`
//! (values and derivatives).

pub mod ba;
pub mod gmm;
pub mod image;
pub mod lstm;

/// Deterministic inputs in `[-0.5, 0.5)`: the fractional parts of
/// multiples of the golden ratio, from `offset` on.
pub fn inputs(len: usize, offset: usize) -> Vec<f64> {
    (0..len)
        .map(|i| ((i + offset) as f64 * 0.618_033_988_749_895).fract() - 0.5)
        .collect()
}
