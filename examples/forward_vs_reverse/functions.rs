//! The two functions of the forward-versus-reverse comparison, shared by
//! `examples/forward_vs_reverse` and `benches/forward_vs_reverse.rs`, with
//! their num-dual counterparts and inputs.

use autodiff::nalgebra::DVector;
use autodiff::prelude::*;
use num_dual::{gradient, Dual64, DualDVec64, DualNum};

/// ‖(eˣ − x²) / tan x‖: n inputs, one output.
#[differentiate]
pub fn f(x: &DVector<f64>) -> f64 {
    let num = x.map(f64::exp) - x.component_mul(x);
    num.component_div(&x.map(f64::tan)).norm()
}

/// t^sin(1, t, t², …, tⁿ⁻¹): one input, n outputs. The powers come from
/// `from_fn` and the outer power from a closure capturing `t`, both
/// differentiated with respect to `t`.
#[differentiate]
pub fn g(t: f64, n: usize) -> DVector<f64> {
    let powers = DVector::from_fn(n, |i, _| t.powi(i as i32));
    powers.map(|p| t.powf(p.sin()))
}

/// `f` over num-dual numbers, one entry at a time (no intermediate vectors of
/// dual numbers, each of which would hold n² floats for `DualDVec64`).
pub fn f_dual<D: DualNum<Primitive = f64>>(x: &DVector<D>) -> D {
    x.iter()
        .map(|xi| {
            let q = (xi.exp() - xi.powi(2)) / xi.tan();
            q.powi(2)
        })
        .fold(D::zero(), |acc, q2| acc + q2)
        .sqrt()
}

/// num-dual's gradient of `f`: forward mode with one `n`-vector of
/// derivatives per dual number.
pub fn f_num_dual(x: &DVector<f64>) -> DVector<f64> {
    gradient(|x: DVector<DualDVec64>| f_dual(&x), x).1
}

/// num-dual's Jacobian of `g`: forward mode with one dual number `t`.
pub fn g_num_dual(t: f64, n: usize) -> DVector<f64> {
    let t = Dual64::from_re(t).derivative();
    DVector::from_fn(n, |k, _| (t.ln() * t.powi(k as i32).sin()).exp().eps)
}

// ---------------------------------------------------------------------------
// Inputs and checks.
// ---------------------------------------------------------------------------

/// Entries spread deterministically over [0.1, 1.4], away from tan's poles.
pub fn input_x(n: usize) -> DVector<f64> {
    const GOLDEN: f64 = 0.618_033_988_749_894_9;
    DVector::from_fn(n, |i, _| 0.1 + 1.3 * ((i as f64 + 1.0) * GOLDEN).fract())
}

/// The point at which g is differentiated. Close to 1 so that tᵏ stays
/// finite up to k = 10 000 (1.3ᵏ overflows past k ≈ 2700, and sin(∞) is NaN),
/// while k ln t still reaches 5, so that sin(tᵏ) oscillates.
pub const T: f64 = 1.0005;
