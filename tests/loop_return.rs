//! An early `return` from inside a loop (issue 4, parts 2 and 7): the
//! first negative entry ends a sum of squares. In a file of its own so that,
//! should the macro reject `return` inside loops, the other loop tests
//! (`tests/loops.rs`, `tests/loop_forms.rs`) still compile.
//!
//! Oracle (`tests/harness/mod.rs` runs it): the closed form. With `k` the
//! first negative index and `s = Σ_{j<k} x_j²` the value is `s x_k`, with
//! gradient `2 x_j x_k` for `j < k`, `s` at `k` and 0 after; without a
//! negative entry the value is `Σ x_j²` with gradient `2x`. Central
//! differences check it. The case checks `grad`, `value_and_grad`, `jvp`,
//! `vjp` (each unit cotangent, and the dot-product test
//! `<jvp(v), w> = <v, pullback(w)>`), `jacfwd` and `jacrev` at points whose
//! first negative entry is at 0, 1, 2, 3, or absent.
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against the closed form and between modes; `1e-6` against
//! central differences with step `1e-5 · max(1, |x|)`.
#![allow(clippy::needless_range_loop)]

use autodiff::prelude::*;
use harness::row_fn;

mod common;
#[macro_use]
mod harness;

/// Returns from inside a `for` loop at the first negative entry.
#[differentiate]
fn return_from_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if x[i] < 0.0 {
            return s * x[i];
        }
        s += x[i] * x[i];
    }
    s
}

#[test]
fn early_return_from_loop() {
    // The first negative entry at 1, 3, 2, 0, and none.
    let points = vec![
        vec![0.5, -1.0, 1.2, 0.9, -0.3, 1.1],
        vec![0.4, 0.3, 0.6, -2.0, 0.7, 0.2],
        vec![1.5, 1.2, -0.5, 0.4, 0.9, 0.1],
        vec![-1.0, -0.2, 0.6, -0.8, 0.9, -1.1],
        vec![0.3, 1.1, 0.8, 0.5, 1.9, 0.6],
    ];
    case!(scalar return_from_loop, points, |x, v| (&x[..]) (v.clone()))
        .closed(&|x| match x.iter().position(|&v| v < 0.0) {
            Some(k) => {
                let s: f64 = x[..k].iter().map(|v| v * v).sum();
                row_fn(6, |j| match j {
                    j if j < k => 2.0 * x[j] * x[k],
                    j if j == k => s,
                    _ => 0.0,
                })
            }
            None => row_fn(6, |j| 2.0 * x[j]),
        })
        .run();
}
