//! `value_and_grad_into`: gradients added into the caller's buffers, as
//! when summing per-sample gradients, without allocating.

use autodiff::nalgebra::Vector3;
use autodiff::prelude::*;

/// A per-sample squared error of a linear model `w · x + b`.
#[differentiate(wrt(w, b))]
fn loss(w: Vector3<f64>, b: f64, x: Vector3<f64>, y: f64) -> f64 {
    let r = w.dot(&x) + b - y;
    r * r
}

/// Reads a slice by index only, so its buffer is updated in place.
#[differentiate]
fn weighted(x: &[f64], k: usize) -> f64 {
    x[0] * x[k] + x[1].sin()
}

#[test]
fn sums_gradients_over_samples() {
    let w = Vector3::new(0.5, -1.0, 2.0);
    let b = 0.25;
    let samples = [
        (Vector3::new(1.0, 2.0, 3.0), 4.0),
        (Vector3::new(-1.0, 0.5, 0.0), 1.0),
        (Vector3::new(0.3, 0.3, -2.0), -3.0),
    ];
    let (mut grad_w, mut grad_b) = (Vector3::zeros(), 0.0);
    let mut total = 0.0;
    let info = allocation_counter::measure(|| {
        for (x, y) in samples {
            total += loss::value_and_grad_into(w, b, x, y, &mut grad_w, &mut grad_b);
        }
    });
    assert_eq!(info.count_total, 0, "accumulating allocated");
    // The same sums from `value_and_grad`, and from the closed form 2r·(x, 1).
    let (mut expected_w, mut expected_b, mut expected_total) = (Vector3::zeros(), 0.0, 0.0);
    for (x, y) in samples {
        let (value, (gw, gb)) = loss::value_and_grad(w, b, x, y);
        let r = w.dot(&x) + b - y;
        assert!((gw - 2.0 * r * x).norm() < 1e-12 && (gb - 2.0 * r).abs() < 1e-12);
        expected_w += gw;
        expected_b += gb;
        expected_total += value;
    }
    assert_eq!(
        (grad_w, grad_b, total),
        (expected_w, expected_b, expected_total)
    );
}

#[test]
fn slice_buffer_is_updated_in_place() {
    let x = [1.5, 0.2, -2.0];
    let mut grad = vec![1.0, 1.0, 1.0];
    let info = allocation_counter::measure(|| {
        weighted::value_and_grad_into(&x, 2, &mut grad);
    });
    assert_eq!(info.count_total, 0, "an index-only function allocated");
    // ∂/∂x = (x₂, cos x₁, x₀), added to the ones already there.
    assert_eq!(grad, vec![1.0 + x[2], 1.0 + x[1].cos(), 1.0 + x[0]]);
}
