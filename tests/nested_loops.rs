//! Nested loops with runtime bounds over slices, the way ported C code is
//! written: every run of an inner loop pushes onto one flat tape per loop
//! (see `autodiff::tape::Run`), so the number of heap allocations of a
//! gradient does not grow with the trip counts.
//!
//! Oracles: num-dual evaluating the same loops on dual numbers (one pass per
//! input component), to `1e-12` relative; central differences with step
//! `1e-6` to `1e-6` relative check the first components.

#![allow(clippy::needless_range_loop)]

use autodiff::prelude::*;
use common::{close, Rng};
use num_dual::{Dual64, DualNum};

mod common;

/// A log-sum of Gaussian bumps: `Σ_i ln Σ_j exp(-(x_i - w_j)² s_j)`,
/// with a branch inside the inner loop and an innermost loop of its own.
#[differentiate(wrt(x, w))]
fn bumps(x: &[f64], w: &[f64], n: usize, k: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..n {
        let mut acc = 0.0;
        for j in 0..k {
            let d = x[i] - w[j];
            let mut s = 1.0;
            for m in 0..j {
                s += 0.5 * w[m] * w[m];
            }
            if d > 0.0 {
                acc += (-(d * d) * s).exp();
            } else {
                acc += (-(d * d)).exp() * s;
            }
        }
        total += acc.ln();
    }
    total
}

/// The twin of [`bumps`] on dual numbers.
fn bumps_dual(x: &[Dual64], w: &[Dual64], n: usize, k: usize) -> Dual64 {
    let mut total = Dual64::from(0.0);
    for i in 0..n {
        let mut acc = Dual64::from(0.0);
        for j in 0..k {
            let d = x[i] - w[j];
            let mut s = Dual64::from(1.0);
            for m in 0..j {
                s += w[m] * w[m] * 0.5;
            }
            if d.re > 0.0 {
                acc += (-(d * d) * s).exp();
            } else {
                acc += (-(d * d)).exp() * s;
            }
        }
        total += acc.ln();
    }
    total
}

/// A triangular nest (the inner bound is the outer index) inside a branch
/// of an outer loop: `Σ_i [i even] Σ_{j<i} x_i x_j`.
#[differentiate(wrt(x))]
fn triangle(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if i % 2 == 0 {
            for j in 0..i {
                s += x[i] * x[j];
            }
        } else {
            s += x[i].sin();
        }
    }
    s
}

fn triangle_dual(x: &[Dual64]) -> Dual64 {
    let mut s = Dual64::from(0.0);
    for i in 0..x.len() {
        if i % 2 == 0 {
            for j in 0..i {
                s += x[i] * x[j];
            }
        } else {
            s += x[i].sin();
        }
    }
    s
}

/// The gradient of `f` by num-dual: one forward pass per component.
fn dual_gradient(x: &[f64], f: impl Fn(&[Dual64]) -> Dual64) -> Vec<f64> {
    (0..x.len())
        .map(|c| {
            let xs: Vec<Dual64> = x
                .iter()
                .enumerate()
                .map(|(i, &v)| Dual64::new(v, if i == c { 1.0 } else { 0.0 }))
                .collect();
            f(&xs).eps
        })
        .collect()
}

fn inputs(rng: &mut Rng, len: usize) -> Vec<f64> {
    (0..len).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

fn assert_all_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol, 1.0), "{what}[{i}]: {g} vs {w}");
    }
}

#[test]
fn nested_runtime_bounds_match_num_dual_and_differences() {
    let mut rng = Rng(7);
    for (n, k) in [(1, 1), (3, 4), (6, 2), (5, 7)] {
        let (x, w) = (inputs(&mut rng, n), inputs(&mut rng, k));
        let (value, (gx, gw)) = bumps::value_and_grad(&x, &w, n, k);
        assert!(close(value, bumps(&x, &w, n, k), 1e-15, 1.0));
        let joint: Vec<f64> = x.iter().chain(&w).copied().collect();
        let twin = |v: &[Dual64]| bumps_dual(&v[..n], &v[n..], n, k);
        let want = dual_gradient(&joint, twin);
        let got: Vec<f64> = gx.iter().chain(&gw).copied().collect();
        assert_all_close("bumps gradient", &got, &want, 1e-12);
        // Central differences on the first components.
        let h = 1e-6;
        for c in 0..joint.len().min(3) {
            let (mut up, mut down) = (joint.clone(), joint.clone());
            up[c] += h;
            down[c] -= h;
            let fd =
                (bumps(&up[..n], &up[n..], n, k) - bumps(&down[..n], &down[n..], n, k)) / (2.0 * h);
            assert!(
                close(got[c], fd, 1e-6, 1.0),
                "difference {c}: {} vs {fd}",
                got[c]
            );
        }
        // The pullback, called twice, replays the flat tapes twice.
        let (_, pullback) = bumps::vjp(&x, &w, n, k);
        let (px, pw) = pullback(2.0);
        let (qx, _) = pullback(1.0);
        let twice: Vec<f64> = got.iter().map(|g| 2.0 * g).collect();
        let pulled: Vec<f64> = px.iter().chain(&pw).copied().collect();
        assert_all_close("pullback(2)", &pulled, &twice, 1e-12);
        assert_all_close("pullback(1)", &qx, &gx, 1e-12);
    }
}

#[test]
fn nested_loops_in_branches_and_forward_mode() {
    let mut rng = Rng(11);
    for len in [1, 2, 5, 9] {
        let x = inputs(&mut rng, len);
        let want = dual_gradient(&x, triangle_dual);
        assert_all_close("triangle grad", &triangle::grad(&x), &want, 1e-12);
        // jacfwd replays the flat tapes first to last, once per column.
        let jac = triangle::jacfwd(&x);
        let columns: Vec<f64> = jac.iter().copied().collect();
        assert_all_close("triangle jacfwd", &columns, &want, 1e-12);
        let jac = triangle::jacrev(&x);
        let rows: Vec<f64> = jac.iter().copied().collect();
        assert_all_close("triangle jacrev", &rows, &want, 1e-12);
    }
}

#[test]
fn allocations_do_not_grow_with_trip_counts() {
    // One call at each size first: its tapes' storage stays with the
    // thread (`autodiff::tape::spares`) for the calls after it.
    let count = |n: usize, k: usize| {
        let mut rng = Rng(3);
        let (x, w) = (inputs(&mut rng, n), inputs(&mut rng, k));
        let (mut gx, mut gw) = (vec![0.0; n], vec![0.0; k]);
        bumps::value_and_grad_into(&x, &w, n, k, &mut gx, &mut gw);
        let returned = allocation_counter::measure(|| {
            std::hint::black_box(bumps::value_and_grad(&x, &w, n, k));
        });
        let into = allocation_counter::measure(|| {
            std::hint::black_box(bumps::value_and_grad_into(&x, &w, n, k, &mut gx, &mut gw));
        });
        (returned.count_total, into.count_total)
    };
    // `value_and_grad` allocates its two gradients and nothing else; into
    // the caller's buffers, a gradient allocates nothing at all.
    assert_eq!(count(4, 3), (2, 0));
    assert_eq!(count(400, 30), (2, 0));
    autodiff::tape::spares::release();
    assert_eq!(autodiff::tape::spares::retained_bytes(), 0);
}
