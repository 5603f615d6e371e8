//! Mutation (issue 4, parts 3 and 5): `let mut` with reassignment and
//! `+= -= *= /=`, `mut` argument bindings (a scalar and an array; an
//! array reference copied into a local by `*x`), element
//! assignment `a[i] = v` and `a[i] op= v` on local arrays, `Vec`s,
//! `SVector`, `DVector` and matrices (`m[(i, j)]`), the tutorial's
//! `A.at[0].set(0)` written `let mut a = x; a[0] = 0.0;`, `swap` on arrays
//! and `Vec`s, `vec![x; n]`, `vec![a, b, c]`, and the tutorial's
//! `stupid_mult(a: usize, b)`, whose vector's length comes from a static
//! argument. One `#[differentiate]` function per construct.
//!
//! Oracles (`tests/harness/mod.rs` runs them): closed forms of each
//! Jacobian (for the linear `swap_vec`, the columns `f(e_k)`, which a
//! linear map's Jacobian is), and num-dual for the two functions with a
//! long chain of updates (`reassign_compound`, `array_elements`); central
//! differences check both. Every case checks `grad` and `value_and_grad`
//! (scalar outputs), `jvp`, `vjp` (each unit cotangent, and the dot-product
//! test `<jvp(v), w> = <v, pullback(w)>`), `jacfwd` and `jacrev`.
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against closed forms, num-dual and between modes; `1e-6` against
//! central differences with step `1e-5 · max(1, |x|)`. Derivatives that
//! are sums of ones (`stupid_mult`, a zeroed element) are compared exactly.
#![allow(clippy::needless_range_loop, clippy::useless_vec)]

use autodiff::nalgebra::{DMatrix, DVector, Matrix2, SVector};
use autodiff::prelude::*;
use harness::{row, row_fn, sample, Case};
use num_dual::{Dual64, DualNum};

mod common;
#[macro_use]
mod harness;

// ---------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------

/// Reassignment and every compound assignment on a `let mut`.
#[differentiate]
fn reassign_compound(x: f64, y: f64) -> f64 {
    let mut a = x;
    a = a * y + 1.0;
    a += x;
    a -= y.sin();
    a *= x;
    a /= 1.0 + y * y;
    a
}

fn reassign_compound_dual(&(x, y): &(Dual64, Dual64)) -> Dual64 {
    let mut a = x;
    a = a * y + 1.0;
    a += x;
    a -= y.sin();
    a *= x;
    a /= y * y + 1.0;
    a
}

#[test]
fn reassignment_and_compound_assignment() {
    let points = sample(&(0.0, 0.0), (-2.0, 2.0), 5, 1);
    case!(scalar reassign_compound, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&reassign_compound_dual)
        .run();
}

/// A `mut` scalar argument.
#[differentiate]
fn mut_argument(mut x: f64) -> f64 {
    x *= 2.0;
    x.sin()
}

/// A `mut` array argument, updated element by element.
#[differentiate]
fn mut_array_argument(mut x: [f64; 3]) -> f64 {
    x[1] = x[0] * x[2];
    x[0] += 1.0;
    x[0] * x[1]
}

/// The same through a reference: `*x` copies the array into a local that
/// is assigned into (the macro once took the copy for the reference and
/// rejected the assignment).
#[differentiate]
fn copied_array_reference(x: &[f64; 3]) -> f64 {
    let mut y = *x;
    y[1] = y[0] * y[2];
    y[0] += 1.0;
    y[0] * y[1] + x[1]
}

#[test]
fn mut_argument_bindings() {
    let points = sample(&0.0, (-2.0, 2.0), 4, 2);
    case!(scalar mut_argument, points, |x, v| (*x) (*v))
        .closed(&|x| row(&[2.0 * (2.0 * x).cos()]))
        .run();
    // (x0 + 1) x0 x2; the incoming x1 is overwritten.
    let points = sample(&[0.0; 3], (-2.0, 2.0), 4, 3);
    case!(scalar mut_array_argument, points, |x, v| (*x) (*v))
        .closed(&|x| row(&[(2.0 * x[0] + 1.0) * x[2], 0.0, (x[0] + 1.0) * x[0]]))
        .run();
    let points = sample(&[0.0; 3], (-2.0, 2.0), 4, 4);
    case!(scalar copied_array_reference, points, |x, v| (x) (*v))
        .closed(&|x| row(&[(2.0 * x[0] + 1.0) * x[2], 1.0, (x[0] + 1.0) * x[0]]))
        .run();
}

// ---------------------------------------------------------------------------
// Elements of arrays and `Vec`s
// ---------------------------------------------------------------------------

/// A constant array filled by element assignment and every compound
/// assignment on elements.
#[differentiate]
fn array_elements(x: [f64; 3]) -> [f64; 3] {
    let mut a = [0.0; 3];
    a[0] = x[1] * x[2];
    a[1] = x[0];
    a[1] += x[2].sin();
    a[2] = a[0] - a[1];
    a[2] *= x[0];
    a[0] -= x[0];
    a[0] /= 1.0 + x[1] * x[1];
    a
}

fn array_elements_dual(x: &[Dual64; 3]) -> [Dual64; 3] {
    let mut a = [Dual64::from(0.0); 3];
    a[0] = x[1] * x[2];
    a[1] = x[0];
    a[1] += x[2].sin();
    a[2] = a[0] - a[1];
    a[2] *= x[0];
    a[0] -= x[0];
    a[0] /= x[1] * x[1] + 1.0;
    a
}

#[test]
fn element_assignment_on_local_array() {
    let points = sample(&[0.0; 3], (-2.0, 2.0), 5, 4);
    case!(array_elements, points, |x, v| (*x)(*v))
        .dual(&array_elements_dual)
        .run();
}

/// The tutorial's `A.at[0].set(0)`: the copy's first element is zeroed.
#[differentiate]
fn set_first_to_zero(x: [f64; 3]) -> [f64; 3] {
    let mut a = x;
    a[0] = 0.0;
    a
}

/// The argument is unchanged by the update of its copy.
#[differentiate]
fn copy_is_independent(x: [f64; 3]) -> f64 {
    let mut a = x;
    a[0] = 0.0;
    a[1] * x[0] + a[0] * x[2]
}

#[test]
fn tutorial_set_element_of_copy() {
    let diagonal = DMatrix::from_diagonal(&DVector::from_vec(vec![0.0, 1.0, 1.0]));
    let points = sample(&[0.0; 3], (-2.0, 2.0), 3, 5);
    case!(set_first_to_zero, points.clone(), |x, v| (*x)(*v))
        .closed(&|_| diagonal.clone())
        .run();
    case!(scalar copy_is_independent, points, |x, v| (*x) (*v))
        .closed(&|x| row(&[x[1], x[0], 0.0]))
        .run();
    assert_eq!(
        harness::jac(set_first_to_zero::jacfwd([1.0, 2.0, 3.0])),
        diagonal
    );
    assert_eq!(
        harness::jac(set_first_to_zero::jacrev([1.0, 2.0, 3.0])),
        diagonal
    );
}

/// `vec![0.0; 3]` filled and updated element by element.
#[differentiate]
fn vec_elements(x: &[f64]) -> f64 {
    let mut v = vec![0.0; 3];
    v[0] = x[0] * x[1];
    v[2] += x[2];
    v[1] = v[0] + v[2];
    v[1] *= x[0];
    v[0] + v[1] * v[2]
}

#[test]
fn element_assignment_on_vec() {
    // x0 x1 + (x0² x1 + x0 x2) x2.
    let points = sample(&vec![0.0; 3], (-2.0, 2.0), 4, 6);
    case!(scalar vec_elements, points, |x, v| (&x[..]) (v.clone()))
        .closed(&|x| {
            let [a, b, c] = [x[0], x[1], x[2]];
            row(&[
                b + (2.0 * a * b + c) * c,
                a + a * a * c,
                a * a * b + 2.0 * a * c,
            ])
        })
        .run();
}

/// `a[i] += ..` in a loop where the sum may read the slot it writes
/// (`k[i] == i`) or one another iteration writes: the sum's adjoint reads
/// the slot's and leaves it in place (`reverse::in_place`), and the
/// order of the additions must not matter.
#[differentiate(wrt(x))]
fn accumulate_aliased(x: [f64; 4], k: [usize; 4]) -> f64 {
    let mut a = x;
    for i in 0..4 {
        a[i] += a[k[i]] * x[i];
        a[k[i]] -= 0.5 * a[i];
    }
    a[0] * a[1] + a[2] * a[3]
}

fn accumulate_aliased_dual(x: &[Dual64; 4], k: [usize; 4]) -> Dual64 {
    let mut a = *x;
    for i in 0..4 {
        a[i] += a[k[i]] * x[i];
        a[k[i]] -= a[i] * 0.5;
    }
    a[0] * a[1] + a[2] * a[3]
}

#[test]
fn accumulation_into_aliased_slots() {
    for k in [[0, 1, 2, 3], [1, 1, 0, 3], [3, 2, 1, 0]] {
        let points = sample(&[0.0; 4], (-2.0, 2.0), 4, 9);
        case!(scalar accumulate_aliased, points, |x, v| (*x) (*v); k)
            .dual(&|x| accumulate_aliased_dual(x, k))
            .run();
    }
}

/// `swap` on an array copy.
#[differentiate]
fn swap_array(x: [f64; 3]) -> [f64; 3] {
    let mut a = x;
    a.swap(0, 2);
    a[1] *= a[0];
    a
}

/// `swap` on an owned `Vec`, one index a static argument.
#[differentiate]
fn swap_vec(x: Vec<f64>, i: usize) -> Vec<f64> {
    let mut v = x;
    v.swap(i, 3);
    v[0] -= v[1];
    v
}

#[test]
fn swapping_elements() {
    // [x2, x1 x2, x0].
    let points = sample(&[0.0; 3], (-2.0, 2.0), 4, 7);
    case!(swap_array, points, |x, v| (*x)(*v))
        .closed(&|x| {
            DMatrix::from_row_slice(3, 3, &[0.0, 0.0, 1.0, 0.0, x[2], x[1], 1.0, 0.0, 0.0])
        })
        .run();
    for i in 0..4 {
        // Linear: column k is the function at the unit vector e_k.
        let columns: Vec<DVector<f64>> = (0..4)
            .map(|k| DVector::from_vec(swap_vec((0..4).map(|j| f64::from(j == k)).collect(), i)))
            .collect();
        let jacobian = DMatrix::from_columns(&columns);
        let points = sample(&vec![0.0; 4], (-2.0, 2.0), 3, 8);
        case!(swap_vec, points, |x, v| (x.clone()) (v.clone()); i)
            .closed(&|_| jacobian.clone())
            .run();
    }
}

// ---------------------------------------------------------------------------
// Elements of nalgebra vectors and matrices
// ---------------------------------------------------------------------------

/// Element assignment on a copy of an `SVector`.
#[differentiate]
fn svector_elements(x: SVector<f64, 3>) -> SVector<f64, 3> {
    let mut y = x;
    y[0] = x[1] * x[2];
    y[2] += y[0];
    y[1] -= x[0].exp();
    y
}

/// Element updates on a clone of a `DVector`, then `norm_squared`.
#[differentiate]
fn dvector_elements(x: &DVector<f64>) -> f64 {
    let mut y = x.clone();
    y[0] *= 2.0;
    y[1] = y[0] - y[2];
    y[3] += y[0] * y[1];
    y.norm_squared()
}

#[test]
fn element_assignment_on_nalgebra_vectors() {
    // [x1 x2, x1 - e^x0, x2 + x1 x2].
    let points = sample(&SVector::<f64, 3>::zeros(), (-2.0, 2.0), 4, 9);
    case!(svector_elements, points, |x, v| (*x)(*v))
        .closed(&|x| {
            let (a, b, c) = (x[0], x[1], x[2]);
            DMatrix::from_row_slice(3, 3, &[0.0, c, b, -a.exp(), 1.0, 0.0, 0.0, c, 1.0 + b])
        })
        .run();
    let points = sample(&DVector::from_element(5, 0.0), (-2.0, 2.0), 4, 10);
    case!(scalar dvector_elements, points, |x, v| (x) (v.clone()))
        .closed(&|x| {
            // y = (2x0, 2x0 - x2, x2, x3 + 2x0 (2x0 - x2), x4); gradient = Jᵀ 2y.
            let y = [
                2.0 * x[0],
                2.0 * x[0] - x[2],
                x[2],
                x[3] + 2.0 * x[0] * (2.0 * x[0] - x[2]),
                x[4],
            ];
            let mut j = DMatrix::<f64>::identity(5, 5);
            j[(0, 0)] = 2.0;
            j[(1, 0)] = 2.0;
            j[(1, 1)] = 0.0;
            j[(1, 2)] = -1.0;
            j[(3, 0)] = 8.0 * x[0] - 2.0 * x[2];
            j[(3, 2)] = -2.0 * x[0];
            let g = j.transpose() * DVector::from_row_slice(&y) * 2.0;
            row(g.as_slice())
        })
        .run();
}

/// `m[(i, j)]` assignment and compound assignment on a static matrix.
#[differentiate]
fn matrix_elements(m: Matrix2<f64>) -> Matrix2<f64> {
    let mut a = m;
    a[(0, 1)] = m[(1, 0)] * m[(0, 0)];
    a[(1, 1)] += a[(0, 1)];
    a[(1, 0)] *= 3.0;
    a
}

/// The same on a clone of a `DMatrix`, then `sum`.
#[differentiate]
fn dmatrix_elements(m: DMatrix<f64>) -> f64 {
    let mut a = m.clone();
    a[(0, 0)] = m[(1, 1)] * m[(0, 1)];
    a[(1, 0)] *= a[(0, 0)];
    a.sum()
}

#[test]
fn element_assignment_on_matrices() {
    // Column-major: components m00, m10, m01, m11; outputs in the same order.
    let points = sample(&Matrix2::<f64>::zeros(), (-2.0, 2.0), 4, 11);
    case!(matrix_elements, points, |x, v| (*x)(*v))
        .closed(&|m| {
            let (m00, m10) = (m[(0, 0)], m[(1, 0)]);
            #[rustfmt::skip]
            let j = [
                1.0, 0.0, 0.0, 0.0,
                0.0, 3.0, 0.0, 0.0,
                m10, m00, 0.0, 0.0,
                m10, m00, 0.0, 1.0,
            ];
            DMatrix::from_row_slice(4, 4, &j)
        })
        .run();
    // Σ_(i,j) ∉ {(0,0), (1,0)} m_ij + m11 m01 + m10 m11 m01, 3×3, index i + 3j.
    let points = sample(&DMatrix::<f64>::zeros(3, 3), (-2.0, 2.0), 4, 12);
    case!(scalar dmatrix_elements, points, |x, v| (x.clone()) (v.clone()))
        .closed(&|m| {
            let (m10, m01, m11) = (m[(1, 0)], m[(0, 1)], m[(1, 1)]);
            row_fn(9, |k| match k {
                0 => 0.0,
                1 => m11 * m01,
                3 => 1.0 + m11 + m10 * m11,
                4 => 1.0 + m01 + m10 * m01,
                _ => 1.0,
            })
        })
        .run();
}

// ---------------------------------------------------------------------------
// `vec!` and shapes from static arguments
// ---------------------------------------------------------------------------

/// `vec![x; n]` with `n` a static argument, one element updated.
#[differentiate]
fn fill(x: f64, n: usize) -> Vec<f64> {
    let mut v = vec![x; n];
    v[0] *= x;
    v
}

/// `vec![a, b, c]` of active expressions.
#[differentiate]
fn vec_literal(a: f64, b: f64, c: f64) -> f64 {
    let v = vec![a * b, b, c.sin()];
    v[0] + v[1] * v[2]
}

#[test]
fn vec_macro() {
    for n in [1, 2, 5] {
        let points = sample(&0.0, (-2.0, 2.0), 3, 13);
        case!(fill, points, |x, v| (*x) (*v); n)
            .closed(&|&x| DMatrix::from_fn(n, 1, |i, _| if i == 0 { 2.0 * x } else { 1.0 }))
            .run();
    }
    let points = sample(&(0.0, 0.0, 0.0), (-2.0, 2.0), 4, 14);
    case!(scalar vec_literal, points, |x, v| (x.0, x.1, x.2) (v.0, v.1, v.2))
        .closed(&|&(a, b, c)| row(&[b, a + c.sin(), b * c.cos()]))
        .run();
}

/// The tutorial's `stupid_mult`: a vector of length `a` (static) filled
/// with `b`, summed in a loop. `a · b`, with derivative `a`.
#[differentiate]
fn stupid_mult(a: usize, b: f64) -> f64 {
    let v = vec![b; a];
    let mut s = 0.0;
    for i in 0..a {
        s += v[i];
    }
    s
}

#[test]
fn tutorial_stupid_mult() {
    for a in [0usize, 1, 3, 10] {
        let points = vec![-1.5, 0.5, 2.0];
        Case::new(
            "stupid_mult",
            points,
            &|b| stupid_mult(a, *b),
            &|b, v| stupid_mult::jvp((a, *b), (*v,)),
            &|b, ws| {
                let (y, pullback) = stupid_mult::vjp(a, *b);
                (y, ws.iter().map(|w| pullback(*w)).collect())
            },
        )
        .grad(&|b| stupid_mult::grad(a, *b), &|b| {
            stupid_mult::value_and_grad(a, *b)
        })
        .jacobians(&|b| harness::jac(stupid_mult::jacfwd(a, *b)), &|b| {
            harness::jac(stupid_mult::jacrev(a, *b))
        })
        .closed(&|_| row(&[a as f64]))
        .run();
        for b in [-1.5, 0.5, 2.0] {
            assert_eq!(stupid_mult::grad(a, b), a as f64, "a = {a}");
            assert_eq!(
                stupid_mult::value_and_grad(a, b),
                (stupid_mult(a, b), a as f64)
            );
        }
    }
}
