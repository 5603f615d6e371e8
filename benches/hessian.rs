//! Speed of second derivatives: `hvp` against `grad` on the same function,
//! and `hessian` of a 100-variable function against num-dual's (second-order
//! dual numbers over 100 directions, `Dual2Vec`).
//!
//! Targets (issue 11): `hvp` at most 4x `grad`; `hessian` at n = 100 reported
//! as a ratio to num-dual's. Run `cargo bench --bench hessian`: a ratio
//! table first (medians of interleaved rounds), then criterion.

// Loops over indices are the style these programs are written in.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;

use autodiff::nalgebra::{DVector, Dyn};
use autodiff::prelude::*;
use num_dual::{Dual2Vec, DualNum};

#[path = "workloads/timing.rs"]
mod timing;
use timing::Entry;

/// The extended Rosenbrock function over a slice, as a loop with index
/// arithmetic.
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        total += 100.0 * a * a + b * b;
    }
    total
}

fn rosenbrock_twin<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let mut total = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1].clone() - x[i].clone() * x[i].clone();
        let b = -x[i].clone() + 1.0;
        total += a.clone() * a * 100.0 + b.clone() * b;
    }
    total
}

/// A smooth loss with transcendental functions and a branch.
#[differentiate]
fn soft_loss(x: &[f64], k: f64) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() {
        let z = k * x[i] + 0.1 * i as f64;
        if z > 0.0 {
            total += (1.0 + (-z).exp()).ln() + z.sin() * x[i];
        } else {
            total += (1.0 + z.exp()).ln() - z + (x[i] * x[i]).sqrt();
        }
    }
    total
}

fn num_dual_hessian(x: &DVector<f64>) -> f64 {
    let (_, _, h) = num_dual::hessian(
        |v: DVector<Dual2Vec<f64, Dyn>>| rosenbrock_twin(v.as_slice()),
        x,
    );
    h[(0, 0)]
}

fn main() {
    let n = 100;
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.3 * (i as f64 * 0.7).sin()).collect();
    let v: Vec<f64> = (0..n).map(|i| (i as f64 * 1.3).cos()).collect();
    let xd = DVector::from_vec(x.clone());

    // The Hessians agree before anything is timed.
    let ours = rosenbrock::hessian(&x);
    let (_, _, theirs) = num_dual::hessian(
        |v: DVector<Dual2Vec<f64, Dyn>>| rosenbrock_twin(v.as_slice()),
        &xd,
    );
    assert!((ours - theirs).abs().max() < 1e-9, "the Hessians differ");

    let groups: Vec<(String, Vec<Entry<'_>>)> = vec![
        (
            format!("rosenbrock n={n}"),
            vec![
                (
                    "grad",
                    Box::new(|| drop(black_box(rosenbrock::grad(black_box(&x))))),
                ),
                (
                    "hvp",
                    Box::new(|| drop(black_box(rosenbrock::hvp(black_box(&x), v.clone())))),
                ),
            ],
        ),
        (
            format!("soft loss n={n}"),
            vec![
                (
                    "grad",
                    Box::new(|| drop(black_box(soft_loss::grad(black_box(&x), 0.8)))),
                ),
                (
                    "hvp",
                    Box::new(|| {
                        drop(black_box(soft_loss::hvp(
                            black_box(&x),
                            0.8,
                            (v.clone(), 1.0),
                        )))
                    }),
                ),
            ],
        ),
        (
            format!("hessian n={n}"),
            vec![
                (
                    "num_dual",
                    Box::new(|| {
                        black_box(num_dual_hessian(black_box(&xd)));
                    }),
                ),
                (
                    "hessian",
                    Box::new(|| drop(black_box(rosenbrock::hessian(black_box(&x))))),
                ),
            ],
        ),
    ];
    timing::table_then_criterion(&groups);
}
