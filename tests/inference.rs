//! Type inference parity: code whose float types rustc infers in the
//! original (untyped literals, loop-carried accumulators, method calls on
//! them) compiles under `#[differentiate]` too, in every mode. Derivatives
//! are checked against central differences (tolerance 1e-7 relative).
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

use autodiff::prelude::*;

/// The fuzzer's case: a loop-carried untyped accumulator whose method is
/// called in a comparison inside the loop.
#[differentiate]
fn carried_accumulator(x0: f64, x1: f64) -> f64 {
    let mut t1 = 0.0;
    let mut out = x1;
    for k in 0..4 {
        if t1.abs() >= x0 + 1.2 {
            out = out * x0;
        } else {
            out = out + x1.sin() * (k as f64);
        }
        t1 = t1 + x0 * 0.7 - 0.3;
    }
    out + t1
}

/// Untyped constants read by methods before any float meets them.
#[differentiate]
fn constant_methods(x: f64) -> f64 {
    let k = 3.0;
    let half = 0.5;
    let c = k.sqrt() * half.exp();
    let (a, b) = (1.5, 2.5);
    let w = [0.25, 0.75];
    c * x + a.powi(2) * b.ln() * (w[0] * x).sin() + w[1].max(0.5) * x
}

/// An untyped running maximum over a slice and a running sum in `f32`.
#[differentiate]
fn running_max(x: &[f64]) -> f64 {
    let mut best = 0.0;
    let mut sum = 0.0;
    for v in x.iter() {
        best = best.max(*v);
        sum += v * v;
    }
    best + sum.sqrt()
}

#[differentiate]
fn single_precision(x: f32) -> f32 {
    let c = 0.5;
    let mut acc = 0.0;
    for i in 0..3 {
        acc += (c * x).exp() * (i as f32);
        if acc.abs() > 2.0 {
            acc = acc * 0.5;
        }
    }
    acc
}

/// A float literal compared with an untyped accumulator that a branch
/// later reassigns from an argument.
#[differentiate]
fn reassigned_in_branch(x: f64) -> f64 {
    let mut m = 0.0;
    if x > m {
        m = x * x;
    }
    let t = m.clamp(0.1, 4.0);
    t * x
}

fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-7 * (1.0 + b.abs()), "{a} vs {b}");
}

#[test]
fn loop_carried_accumulator() {
    for (x0, x1) in [(0.4, 1.3), (1.1, -0.7), (-0.2, 0.9)] {
        let (g0, g1) = carried_accumulator::grad(x0, x1);
        close(g0, central(|x| carried_accumulator(x, x1), x0));
        close(g1, central(|x| carried_accumulator(x0, x), x1));
        let (_, d) = carried_accumulator::jvp((x0, x1), (1.0, 0.0));
        close(d, g0);
    }
}

#[test]
fn untyped_constants() {
    for x in [0.3, -1.2, 1.7] {
        close(constant_methods::grad(x), central(constant_methods, x));
        close(
            reassigned_in_branch::grad(x),
            central(reassigned_in_branch, x),
        );
        let h = reassigned_in_branch::hessian(x)[(0, 0)];
        close(h, central(reassigned_in_branch::grad, x));
    }
}

#[test]
fn accumulators_over_slices_and_f32() {
    let x = [0.3, -1.2, 2.0, 0.7];
    let g = running_max::grad(&x);
    for i in 0..x.len() {
        let fd = central(
            |v| {
                let mut y = x;
                y[i] = v;
                running_max(&y)
            },
            x[i],
        );
        close(g[i], fd);
    }
    // In f32, a step of 1e-2 (truncation error ~1e-4 here).
    let g32 = single_precision::grad(0.4_f32);
    let h = 1e-2_f32;
    let fd = (single_precision(0.4 + h) - single_precision(0.4 - h)) / (2.0 * h);
    assert!((g32 - fd).abs() < 1e-3 * (1.0 + fd.abs()), "{g32} vs {fd}");
}
