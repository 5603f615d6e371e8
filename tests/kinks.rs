//! The rows of `docs/kinks.md` not covered by `primitives.rs`'s
//! `conventions` (abs, max/min ties, clamp boundaries, powf at a zero
//! base, hypot at the origin, signum, sqrt at 0): closed-form values at
//! points where the derivative has a kink, a pole or no limit, in every
//! mode.

use autodiff::nalgebra::{DVector, Vector3};
use autodiff::prelude::*;

#[differentiate]
fn cbrt(x: f64) -> f64 {
    x.cbrt()
}

#[differentiate]
fn powi(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[differentiate]
fn atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

#[differentiate]
fn ln(x: f64) -> f64 {
    x.ln()
}

#[differentiate]
fn quotient(x: f64, y: f64) -> f64 {
    x / y
}

#[differentiate]
fn norm3(v: Vector3<f64>) -> f64 {
    v.norm()
}

#[differentiate]
fn norm_dynamic(v: &DVector<f64>) -> f64 {
    v.norm()
}

#[differentiate]
fn rounding(x: f64) -> f64 {
    x.floor() + x.ceil() + x.round() + x.trunc()
}

#[differentiate]
fn fract(x: f64) -> f64 {
    x.fract()
}

/// Equal values, NaN equal to NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[test]
fn cbrt_at_zero_is_infinite() {
    assert_eq!(cbrt::grad(0.0), f64::INFINITY);
    assert_eq!(cbrt::jvp((0.0,), (1.0,)), (0.0, f64::INFINITY));
}

#[test]
fn powi_at_a_zero_base() {
    // n xⁿ⁻¹ at x = 0: 0 for n ≥ 2, 1 for n = 1, 0 for n = 0 (a constant),
    // the formula's -∞ for n = -1.
    for (n, want) in [
        (3, 0.0),
        (2, 0.0),
        (1, 1.0),
        (0, 0.0),
        (-1, f64::NEG_INFINITY),
    ] {
        assert_eq!(powi::grad(0.0, n), want, "d/dx x^{n} at 0");
        assert_eq!(powi::vjp(0.0, n).1(1.0), want);
        assert_eq!(powi::jvp((0.0, n), (1.0,)).1, want);
    }
}

#[differentiate]
fn powf(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[test]
fn powers_where_the_value_over_or_underflows() {
    // The partial n xⁿ⁻¹ is taken from the value as n xⁿ / x; where xⁿ
    // underflows to 0 or overflows, the power is taken again.
    assert_eq!(powi::grad(1e-200, 2), 2e-200); // x² underflows, 2x does not
    assert_eq!(powf::grad(1e-200, 2.0).0, 2e-200);
    let tiny = 1e-310; // subnormal
    assert_eq!(powi::grad(tiny, 2), 2.0 * tiny);
    assert_eq!(powi::jvp((tiny, 2), (1.0,)).1, 2.0 * tiny);
    assert_eq!(powf::grad(tiny, 2.0).0, 2.0 * tiny);
    // 1e300^1.5 overflows, 1.5 · 1e300^0.5 does not.
    let (d_x, d_y) = powf::grad(1e300, 1.5);
    assert_eq!(d_x, 1.5 * 1e300f64.sqrt());
    assert_eq!(d_y, f64::INFINITY);
    assert_eq!(powi::grad(1e200, 2), 2e200);
}

#[test]
fn atan2_at_the_origin_is_the_formulas_nan() {
    // No limit exists there; (x, -y) / (x² + y²) gives 0/0.
    let (dy, dx) = atan2::grad(0.0, 0.0);
    assert!(dy.is_nan() && dx.is_nan(), "{dy}, {dx}");
    assert_eq!(atan2(0.0, 0.0), 0.0);
    // Next to it, finite.
    assert_eq!(atan2::grad(0.0, 1.0), (1.0, 0.0));
}

#[test]
fn ln_at_zero() {
    assert_eq!(ln::value_and_grad(0.0), (f64::NEG_INFINITY, f64::INFINITY));
    // Below zero the value is NaN and the partial is the formula's 1/x.
    let (v, g) = ln::value_and_grad(-2.0);
    assert!(v.is_nan());
    assert_eq!(g, -0.5);
}

#[test]
fn division_by_zero_is_ieee() {
    // x / y: (1/y, -x/y²) at y = 0.
    let (dx, dy) = quotient::grad(2.0, 0.0);
    assert_eq!((dx, dy), (f64::INFINITY, f64::NEG_INFINITY));
    let (dx, dy) = quotient::grad(0.0, 0.0);
    assert_eq!(dx, f64::INFINITY);
    assert!(same(dy, f64::NAN), "{dy}");
}

#[test]
fn norm_of_a_zero_vector_has_gradient_zero() {
    // A subgradient (the unit ball holds them all); JAX gives NaN here.
    assert_eq!(norm3::grad(Vector3::zeros()), Vector3::zeros());
    assert_eq!(
        norm3::jvp((Vector3::zeros(),), (Vector3::new(1.0, 2.0, 3.0),)),
        (0.0, 0.0)
    );
    assert_eq!(norm3::vjp(Vector3::zeros()).1(1.0), Vector3::zeros());
    assert_eq!(norm_dynamic::grad(&DVector::zeros(4)), DVector::zeros(4));
    // Away from zero, the unit vector.
    assert_eq!(
        norm3::grad(Vector3::new(3.0, 0.0, 4.0)),
        Vector3::new(0.6, 0.0, 0.8)
    );
}

#[test]
fn rounding_is_flat_everywhere_and_fract_has_slope_one() {
    for x in [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5] {
        assert_eq!(rounding::grad(x), 0.0, "at {x}");
        assert_eq!(fract::grad(x), 1.0, "at {x}");
    }
}
