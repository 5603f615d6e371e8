//! Iterator reductions (issue 4, part 2): `.sum::<f64>()` over a slice and
//! a `DVector`, `.product::<f64>()` over a `Vec`, and `.fold(..)` with a
//! differentiable closure (`|acc, &v| ..`) over an array and an `SVector`.
//! One `#[differentiate]` function per construct; the other loop forms are
//! in `tests/loop_forms.rs`.
//!
//! Oracles (`tests/harness/mod.rs` runs them): closed forms of each
//! gradient (`S + x0` and `x0` for `x0 Σx`, the products of the other
//! entries for `Πx`, `2x`, `2Σx`, `p · 2x_i / (1 + x_i²)` for
//! `p = Π(1 + x_i²)`); central differences check them. Every case checks
//! `grad`, `value_and_grad`, `jvp`, `vjp` (each unit cotangent, and the
//! dot-product test `<jvp(v), w> = <v, pullback(w)>`), `jacfwd` and
//! `jacrev` at pseudo-random points.
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against closed forms and between modes; `1e-6` against central
//! differences with step `1e-5 · max(1, |x|)`.

use autodiff::nalgebra::{DVector, SVector};
use autodiff::prelude::*;
use harness::{row, row_fn, sample};

mod common;
#[macro_use]
mod harness;

fn slices(seed: u64) -> Vec<Vec<f64>> {
    sample(&vec![0.0; 5], (-2.0, 2.0), 3, seed)
}

// ---------------------------------------------------------------------------
// Iterator reductions
// ---------------------------------------------------------------------------

/// `.sum::<f64>()` over a slice.
#[differentiate]
fn reduce_sum(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() * x[0]
}

#[test]
fn sum_over_slice() {
    case!(scalar reduce_sum, slices(21), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| {
            row_fn(5, |i| {
                if i == 0 {
                    x.iter().sum::<f64>() + x[0]
                } else {
                    x[0]
                }
            })
        })
        .run();
}

/// `.product::<f64>()` over a `Vec`.
#[differentiate]
fn reduce_product(x: Vec<f64>) -> f64 {
    x.iter().product::<f64>()
}

#[test]
fn product_over_vec() {
    case!(scalar reduce_product, slices(22), |x, v| (x.clone()) (v.clone()))
        .closed(&|x| row_fn(5, |i| (0..5).filter(|&j| j != i).map(|j| x[j]).product()))
        .run();
}

/// `.fold(..)` over an array with a differentiable closure.
#[differentiate]
fn reduce_fold(x: [f64; 5]) -> f64 {
    x.iter().fold(0.0, |acc, &v| acc + v * v)
}

#[test]
fn fold_over_array() {
    let points = sample(&[0.0; 5], (-2.0, 2.0), 3, 23);
    case!(scalar reduce_fold, points, |x, v| (*x) (*v))
        .closed(&|x| row(&x.map(|v| 2.0 * v)))
        .run();
}

/// `.sum::<f64>()` over a `DVector`.
#[differentiate]
fn reduce_sum_dvector(x: &DVector<f64>) -> f64 {
    let s = x.iter().sum::<f64>();
    s * s
}

/// `.fold(..)` over an `SVector`, multiplying.
#[differentiate]
fn reduce_fold_svector(x: SVector<f64, 4>) -> f64 {
    x.iter().fold(1.0, |acc, &v| acc * (1.0 + v * v))
}

#[test]
fn reductions_over_nalgebra_vectors() {
    let points = sample(&DVector::from_element(4, 0.0), (-2.0, 2.0), 3, 24);
    case!(scalar reduce_sum_dvector, points, |x, v| (x) (v.clone()))
        .closed(&|x| row(&[2.0 * x.sum(); 4]))
        .run();
    let points = sample(&SVector::<f64, 4>::zeros(), (-2.0, 2.0), 3, 25);
    case!(scalar reduce_fold_svector, points, |x, v| (*x) (*v))
        .closed(&|x| {
            let p: f64 = x.iter().map(|v| 1.0 + v * v).product();
            row_fn(4, |i| p * 2.0 * x[i] / (1.0 + x[i] * x[i]))
        })
        .run();
}
