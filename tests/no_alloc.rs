//! Generated code for fixed-size inputs does not allocate: every generated
//! function of functions over arrays and over nalgebra's static matrices
//! (`SVector`, `SMatrix`, aliases such as `Matrix2x3`), measured with a
//! counting allocator.

use autodiff::nalgebra::{Matrix2x3, SMatrix, SVector, Vector3};
use autodiff::prelude::*;
use common::assert_no_allocation;

mod common;

/// Scalar output over an array.
#[differentiate]
fn energy(x: [f64; 4]) -> f64 {
    let a = x[0] * x[1] - x[2].sin();
    a * a + x[3].exp() * x[0]
}

/// Vector output over an array.
#[differentiate]
fn field(x: [f64; 3]) -> [f64; 2] {
    [x[0] * x[1], x[2].powi(3) - x[0]]
}

/// Scalar output over static matrices: a matrix-vector product, `dot`,
/// `norm_squared`, `(i, j)` indexing, `let mut` with `*=`.
#[differentiate]
fn matrix_energy(m: Matrix2x3<f64>, x: Vector3<f64>) -> f64 {
    let mut y = m * x;
    y *= 2.0;
    y.norm_squared() + x.dot(&x).sin() * m[(1, 2)]
}

/// Matrix output over static matrices: products, transposes, `norm`,
/// `component_mul`, scalar times matrix, a tuple output.
#[differentiate]
fn matrix_field(m: SMatrix<f64, 2, 2>, x: SVector<f64, 2>) -> (SMatrix<f64, 2, 2>, f64) {
    let y = (m * x).component_mul(&x) + m.transpose() * x * x.norm();
    (y * x.transpose() - 2.0 * m, y.sum())
}

#[test]
fn generated_functions_on_arrays_do_not_allocate() {
    let x = [0.3, -1.2, 0.8, 0.1];
    let y = [0.5, 2.0, -0.7];
    assert_no_allocation("grad", || {
        std::hint::black_box(energy::grad(std::hint::black_box(x)));
    });
    assert_no_allocation("value_and_grad", || {
        std::hint::black_box(energy::value_and_grad(x));
    });
    assert_no_allocation("jvp", || {
        std::hint::black_box(field::jvp((y,), ([1.0, 0.0, 0.0],)));
    });
    assert_no_allocation("vjp and its pullback", || {
        let (_, pullback) = field::vjp(y);
        std::hint::black_box(pullback([1.0, -1.0]));
    });
    assert_no_allocation("jacfwd", || {
        std::hint::black_box(field::jacfwd(y));
    });
    assert_no_allocation("jacrev", || {
        std::hint::black_box(field::jacrev(y));
    });
    // The counter does see allocations (so the assertions above can fail).
    assert_counter_sees_allocations();
}

#[test]
fn generated_functions_on_static_matrices_do_not_allocate() {
    let m = Matrix2x3::new(0.3, -1.2, 0.8, 0.1, 0.5, -0.7);
    let x = Vector3::new(0.5, 2.0, -0.7);
    let (n, y) = (
        SMatrix::<f64, 2, 2>::new(1.0, -0.5, 0.25, 2.0),
        SVector::<f64, 2>::new(0.4, -1.1),
    );
    assert_no_allocation("grad", || {
        std::hint::black_box(matrix_energy::grad(
            std::hint::black_box(m),
            std::hint::black_box(x),
        ));
    });
    assert_no_allocation("value_and_grad", || {
        std::hint::black_box(matrix_energy::value_and_grad(m, x));
    });
    assert_no_allocation("jvp", || {
        std::hint::black_box(matrix_field::jvp((n, y), (n * 0.5, y)));
    });
    assert_no_allocation("vjp and its pullback", || {
        let (_, pullback) = matrix_field::vjp(n, y);
        std::hint::black_box(pullback((n, 1.0)));
        std::hint::black_box(pullback((n.transpose(), -1.0)));
    });
    assert_no_allocation("jacfwd", || {
        std::hint::black_box(matrix_field::jacfwd(n, y));
        std::hint::black_box(matrix_energy::jacfwd(m, x));
    });
    assert_no_allocation("jacrev", || {
        std::hint::black_box(matrix_field::jacrev(n, y));
        std::hint::black_box(matrix_energy::jacrev(m, x));
    });
    assert_counter_sees_allocations();
}

/// The counter does see allocations (so the assertions can fail).
fn assert_counter_sees_allocations() {
    let info = allocation_counter::measure(|| {
        std::hint::black_box(vec![1.0_f64; 4]);
    });
    assert_eq!(info.count_total, 1);
}
