//! Gradients of heap-backed arguments that start from a lazy zero (an
//! empty tangent, see `HasTangent::lazy_zero_tangent`) where their first
//! contribution is added whole, and from real zeros otherwise: in every
//! case the gradient has the argument's shape and the closed-form value
//! (to `1e-12` relative), and a whole-vector gradient allocates only its
//! result.

use autodiff::nalgebra::DVector;
use autodiff::prelude::*;

/// `‖x‖²` plus a term in `y` alone: `x`'s gradient is added whole.
#[differentiate]
fn whole(x: &DVector<f64>, y: &DVector<f64>) -> f64 {
    x.norm_squared() + 2.0 * y.sum()
}

/// `‖x‖² + 3 x₀`: one whole contribution, one by index.
#[differentiate]
fn whole_and_indexed(x: &DVector<f64>) -> f64 {
    x.norm_squared() + 3.0 * x[0]
}

/// `x` does not reach the output: its gradient is zeros of its length.
#[differentiate]
fn unused(_x: &DVector<f64>, y: &DVector<f64>) -> f64 {
    y.norm_squared()
}

fn assert_close(what: &str, got: &DVector<f64>, want: &DVector<f64>) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}: {g} vs {w}"
        );
    }
}

#[test]
fn gradients_have_the_arguments_shapes_and_values() {
    let x = DVector::from_vec(vec![0.5, -1.5, 2.0]);
    let y = DVector::from_vec(vec![1.0, 3.0]);
    let (gx, gy) = whole::grad(&x, &y);
    assert_close("whole x", &gx, &(2.0 * &x));
    assert_close("whole y", &gy, &DVector::from_element(2, 2.0));

    let mut want = 2.0 * &x;
    want[0] += 3.0;
    assert_close("whole and indexed", &whole_and_indexed::grad(&x), &want);

    let (gx, gy) = unused::grad(&x, &y);
    assert_close("unused x", &gx, &DVector::zeros(3));
    assert_close("unused y", &gy, &(2.0 * &y));

    // The pullback, called twice, starts from a fresh lazy zero each time.
    let (_, pullback) = whole::vjp(&x, &y);
    for ct in [1.0, -0.5] {
        let (px, py) = pullback(ct);
        assert_close("pullback x", &px, &(2.0 * ct * &x));
        assert_close("pullback y", &py, &DVector::from_element(2, 2.0 * ct));
    }
}

#[test]
fn a_whole_gradient_allocates_only_its_result() {
    let x = DVector::from_fn(1000, |i, _| (i as f64).sin());
    let y = DVector::from_element(3, 1.0);
    let info = allocation_counter::measure(|| {
        std::hint::black_box(whole::grad(&x, &y));
    });
    // The partial of `‖x‖²` (2x), the gradient of `x` (that partial times
    // the cotangent) and the gradient of `y` (2, 2, 2): no zeros for either
    // gradient to start from.
    assert_eq!(info.count_total, 3);
}
