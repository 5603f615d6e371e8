//! Blocks of nalgebra vectors and matrices (`rows`, `columns`,
//! `fixed_rows`, `fixed_columns`) and shape queries, against closed forms.

use autodiff::nalgebra::{DMatrix, DVector, Matrix3x4, SVector};
use autodiff::prelude::*;

/// The first two entries dotted with the last two.
#[differentiate]
fn ends(x: &DVector<f64>) -> f64 {
    let head = x.rows(0, 2);
    let tail = x.rows(x.len() - 2, 2);
    head.dot(&tail)
}

/// Fixed-size blocks of static types.
#[differentiate]
fn blocks(m: Matrix3x4<f64>, v: SVector<f64, 5>) -> f64 {
    let lower = m.fixed_rows::<2>(1);
    let middle = v.fixed_rows::<3>(1).into_owned();
    lower.norm_squared() + middle.sum() * m.fixed_columns::<1>(3).sum()
}

/// Columns of a dynamic matrix.
#[differentiate]
fn middle_columns(a: DMatrix<f64>) -> f64 {
    a.columns(1, 2).norm_squared()
}

#[test]
fn dynamic_row_blocks() {
    let x = DVector::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    // x₀x₃ + x₁x₄.
    let expected = DVector::from_vec(vec![4.0, 5.0, 0.0, 1.0, 2.0]);
    assert_eq!(ends::grad(&x), expected);
}

#[test]
fn fixed_blocks() {
    let m = Matrix3x4::from_fn(|i, j| (i * 4 + j) as f64 * 0.1 - 0.3);
    let v = SVector::<f64, 5>::from_fn(|i, _| i as f64 + 0.5);
    let (gm, gv) = blocks::grad(m, v);
    let column_sum = m.column(3).sum();
    let middle_sum = v[1] + v[2] + v[3];
    for i in 0..3 {
        for j in 0..4 {
            let mut expected = if i >= 1 { 2.0 * m[(i, j)] } else { 0.0 };
            if j == 3 {
                expected += middle_sum;
            }
            assert!((gm[(i, j)] - expected).abs() < 1e-14, "({i}, {j})");
        }
    }
    for k in 0..5 {
        let expected = if (1..4).contains(&k) { column_sum } else { 0.0 };
        assert!((gv[k] - expected).abs() < 1e-14, "{k}");
    }
}

#[test]
fn dynamic_column_blocks() {
    let a = DMatrix::from_fn(3, 4, |i, j| (i + 2 * j) as f64);
    let grad = middle_columns::grad(a.clone());
    for j in 0..4 {
        for i in 0..3 {
            let expected = if j == 1 || j == 2 {
                2.0 * a[(i, j)]
            } else {
                0.0
            };
            assert_eq!(grad[(i, j)], expected);
        }
    }
}
