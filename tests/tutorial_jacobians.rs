//! The tutorial's multivariate examples with arrays: its printed numbers, and
//! each derivative against its closed form.

use autodiff::nalgebra::{SMatrix, Vector3};
use autodiff::prelude::*;

/// f(X) = X₀² + 3 sin X₁ + cos X₂.
#[differentiate]
fn f(x: [f64; 3]) -> f64 {
    x[0].powi(2) + 3.0 * x[1].sin() + x[2].cos()
}

/// f(x) = (x₀ + 2x₁, sin(x₀) e^x₁, x₁³).
#[differentiate]
fn g(x: [f64; 2]) -> [f64; 3] {
    [x[0] + 2.0 * x[1], x[0].sin() * x[1].exp(), x[1].powi(3)]
}

/// g in single precision, as the tutorial computes it (JAX's float32).
#[differentiate]
fn g32(x: [f32; 2]) -> [f32; 3] {
    [x[0] + 2.0 * x[1], x[0].sin() * x[1].exp(), x[1].powi(3)]
}

/// g's Jacobian by hand.
fn g_jacobian(x: [f64; 2]) -> SMatrix<f64, 3, 2> {
    SMatrix::<f64, 3, 2>::new(
        1.0,
        2.0,
        x[0].cos() * x[1].exp(),
        x[0].sin() * x[1].exp(),
        0.0,
        3.0 * x[1] * x[1],
    )
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn gradient_of_array_function() {
    let x = [2.0, 3.0, 1.0];
    let grad = f::grad(x);
    let by_hand = [2.0 * x[0], 3.0 * x[1].cos(), -x[2].sin()];
    for k in 0..3 {
        assert!(close(grad[k], by_hand[k], 1e-15), "{grad:?} vs {by_hand:?}");
    }
    // The tutorial prints float32: [4. -2.9699774 -0.84147096].
    let printed = [4.0_f32, -2.969_977_4, -0.841_470_96];
    for k in 0..3 {
        assert_eq!(grad[k] as f32, printed[k]);
    }
}

#[test]
fn jvp_and_vjp_of_vector_function() {
    let (y, tangent) = g::jvp(([1.0, 2.0],), ([2.0, 3.0],));
    assert_eq!(y, g([1.0, 2.0]));
    let j = g_jacobian([1.0, 2.0]);
    let expected = j * SMatrix::<f64, 2, 1>::new(2.0, 3.0);
    for k in 0..3 {
        assert!(close(tangent[k], expected[k], 1e-15));
    }
    // The tutorial (float32): [ 8. 26.637676 36. ]
    assert_eq!(
        g32::jvp(([1.0, 2.0],), ([2.0, 3.0],)).1,
        [8.0, 26.637_676, 36.0]
    );

    let (_, pullback) = g::vjp([1.0, 2.0]);
    let cotangent = pullback([2.0, 3.0, 4.0]);
    let expected = j.transpose() * SMatrix::<f64, 3, 1>::new(2.0, 3.0, 4.0);
    for k in 0..2 {
        assert!(close(cotangent[k], expected[k], 1e-15));
    }
    // The tutorial (float32): [13.976972 70.65303 ]
    assert_eq!(
        g32::vjp([1.0, 2.0]).1([2.0, 3.0, 4.0]),
        [13.976_972, 70.653_03]
    );
}

#[test]
fn jacobians_four_ways() {
    let x = [2.0, 3.0];
    let by_hand = g_jacobian(x);
    let forward: SMatrix<f64, 3, 2> = g::jacfwd(x);
    let reverse: SMatrix<f64, 3, 2> = g::jacrev(x);
    // As the tutorial does it: columns from JVPs with the unit vectors,
    // rows from VJPs with the unit vectors.
    let columns: Vec<[f64; 3]> = [[1.0, 0.0], [0.0, 1.0]]
        .iter()
        .map(|e| g::jvp((x,), (*e,)).1)
        .collect();
    let (_, pullback) = g::vjp(x);
    let rows: Vec<[f64; 2]> = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        .iter()
        .map(|e| pullback(*e))
        .collect();
    for i in 0..3 {
        for j in 0..2 {
            let want = by_hand[(i, j)];
            assert!(close(forward[(i, j)], want, 1e-15), "jacfwd ({i},{j})");
            assert!(close(reverse[(i, j)], want, 1e-15), "jacrev ({i},{j})");
            assert!(close(columns[j][i], want, 1e-15), "jvp column ({i},{j})");
            assert!(close(rows[i][j], want, 1e-15), "vjp row ({i},{j})");
        }
    }
    // The tutorial (float32): [[ 1. 2. ] [ -8.358533 18.263727] [ 0. 27. ]]
    let printed = SMatrix::<f32, 3, 2>::new(1.0, 2.0, -8.358_533, 18.263_727, 0.0, 27.0);
    assert_eq!(g32::jacfwd([2.0, 3.0]), printed);
    assert_eq!(g32::jacrev([2.0, 3.0]), printed);
}

/// f(x, y) = ‖x‖² + ‖y‖ + ⟨x, y⟩, in single precision as the tutorial.
#[differentiate]
fn two_vectors(x: Vector3<f32>, y: Vector3<f32>) -> f32 {
    x.norm().powi(2) + y.norm() + x.dot(&y)
}

#[test]
fn gradients_with_respect_to_two_vectors() {
    let (x, y) = (Vector3::new(1.0, 2.0, 3.0), Vector3::new(0.0, -1.0, 1.0));
    let (d_x, d_y) = two_vectors::grad(x, y);
    // The closed forms 2x + y and y/‖y‖ + x, as the tutorial prints them.
    assert_eq!(d_x, 2.0 * x + y);
    assert_eq!(d_x, Vector3::new(2.0, 3.0, 7.0));
    let expected_y = y / y.norm() + x;
    for k in 0..3 {
        assert!((d_y[k] - expected_y[k]).abs() <= 1e-6 * expected_y[k].abs().max(1.0));
    }
    assert_eq!(d_y, Vector3::new(1.0, 1.292_893_2, 3.707_106_8));
}

#[test]
fn linearize_agrees_with_jvp() {
    // jax.linearize: one primal pass, then many cheap tangent pushes.
    let x = [1.0, 2.0];
    let (value, push) = g::linearize(x);
    assert_eq!(value, g(x));
    for v in [[2.0, 3.0], [1.0, 0.0], [-0.5, 4.0]] {
        assert_eq!(push((v,)), g::jvp((x,), (v,)).1);
    }
    let (value, push) =
        two_vectors::linearize(Vector3::new(1.0, 2.0, 3.0), Vector3::new(0.0, -1.0, 1.0));
    let (dx, dy) = (Vector3::new(1.0, 0.0, 0.5), Vector3::new(0.0, 2.0, 0.0));
    let (grad_x, grad_y) =
        two_vectors::grad(Vector3::new(1.0, 2.0, 3.0), Vector3::new(0.0, -1.0, 1.0));
    assert_eq!(
        value,
        two_vectors(Vector3::new(1.0, 2.0, 3.0), Vector3::new(0.0, -1.0, 1.0))
    );
    let expected = grad_x.dot(&dx) + grad_y.dot(&dy);
    assert!((push((dx, dy)) - expected).abs() < 1e-5 * expected.abs().max(1.0));
}
