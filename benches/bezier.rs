//! The Bézier example's pixel loss (`examples/bezier/scene.rs`: a cubic
//! curve rendered into a 48 × 48 image as the summed Gaussians of 40
//! samples, `tanh`-squashed, against a target image) and its gradient with
//! respect to the eight control-point coordinates, at the fit's start:
//!
//! - `render`: the plain renderer (the image, allocated);
//! - `loss`: the differentiated function itself;
//! - `grad`: `loss::grad`, one forward and one reverse sweep over the
//!   2304 × 40 loop;
//! - `num_dual`: the same gradient by num-dual, `num_dual::gradient` over
//!   `DualSVec64<8>` (eight derivatives carried by every number), on a twin
//!   of `loss` written generic over the dual type;
//! - `exp_only`: the 2304 × 40 exponentials of the Gaussians alone (their
//!   arguments computed beforehand), summed: what the loop costs in `exp`.
//!
//! Before timing, num-dual's gradient is checked to agree with `loss::grad`
//! to 1e-10 relative, and the loss and gradient at the start are printed
//! (`benches/jax_compare.py` prints JAX's at the same inputs). Under `cargo
//! bench`, a table of each call's time over `render`'s is printed first
//! (medians of short timed loops).
//!
//! Run: `cargo bench --bench bezier -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use autodiff::nalgebra::SVector;
use num_dual::{DualNum, DualSVec64};

#[path = "../examples/bezier/scene.rs"]
mod scene;

#[path = "workloads/timing.rs"]
mod timing;

use scene::{loss, render, SAMPLES, SIDE, START, TRUTH, WIDTH};
use timing::Entry;

/// Relative tolerance of the agreement check.
const TOL: f64 = 1e-10;

/// [`scene::loss`] over num-dual's numbers: the same loops and formula.
#[allow(clippy::needless_range_loop)]
fn loss_dual<D: DualNum<Primitive = f64> + Copy>(c: [D; 8], target: &[f64]) -> D {
    let zero = D::from(0.0);
    let mut xs = [zero; SAMPLES];
    let mut ys = [zero; SAMPLES];
    for k in 0..SAMPLES {
        let t = k as f64 / (SAMPLES - 1) as f64;
        let s = 1.0 - t;
        let (w0, w1, w2, w3) = (s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t);
        xs[k] = c[0] * w0 + c[2] * w1 + c[4] * w2 + c[6] * w3;
        ys[k] = c[1] * w0 + c[3] * w1 + c[5] * w2 + c[7] * w3;
    }
    let mut total = zero;
    for p in 0..SIDE * SIDE {
        let px = (p % SIDE) as f64 + 0.5;
        let py = (p / SIDE) as f64 + 0.5;
        let mut density = zero;
        for k in 0..SAMPLES {
            let dx = xs[k] - px;
            let dy = ys[k] - py;
            density += (-(dx * dx + dy * dy) / (2.0 * WIDTH * WIDTH)).exp();
        }
        let r = (density * 0.6).tanh() - target[p];
        total += r * r;
    }
    total / (SIDE * SIDE) as f64
}

/// num-dual's value and gradient of the loss: forward mode, one pass with
/// eight derivatives per number.
fn num_dual_grad(c: [f64; 8], target: &[f64]) -> (f64, [f64; 8]) {
    let (value, g) = num_dual::gradient(
        |c: SVector<DualSVec64<8>, 8>| loss_dual(c.into(), target),
        &SVector::from(c),
    );
    (value, g.into())
}

/// The arguments of the render's 2304 × 40 exponentials at `c`.
fn exponents(c: [f64; 8]) -> Vec<f64> {
    let samples: Vec<(f64, f64)> = (0..SAMPLES)
        .map(|k| {
            let t = k as f64 / (SAMPLES - 1) as f64;
            let s = 1.0 - t;
            let w = [s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t];
            (
                w[0] * c[0] + w[1] * c[2] + w[2] * c[4] + w[3] * c[6],
                w[0] * c[1] + w[1] * c[3] + w[2] * c[5] + w[3] * c[7],
            )
        })
        .collect();
    let mut out = Vec::with_capacity(SIDE * SIDE * SAMPLES);
    for p in 0..SIDE * SIDE {
        let (px, py) = ((p % SIDE) as f64 + 0.5, (p / SIDE) as f64 + 0.5);
        for &(x, y) in &samples {
            let (dx, dy) = (px - x, py - y);
            out.push(-(dx * dx + dy * dy) / (2.0 * WIDTH * WIDTH));
        }
    }
    out
}

/// Checks num-dual's gradient against ours and prints both values.
fn check(target: &[f64]) {
    let (value, ours) = loss::value_and_grad(START, target);
    let (their_value, theirs) = num_dual_grad(START, target);
    println!("loss at the start: {value:?} (num-dual {their_value:?})");
    println!("its gradient: {ours:?}");
    assert!((value - their_value).abs() <= TOL * value.abs());
    for (k, (&a, &b)) in ours.iter().zip(&theirs).enumerate() {
        assert!(
            (a - b).abs() <= TOL * a.abs().max(b.abs()),
            "gradient entry {k}: loss::grad {a} vs num-dual {b}"
        );
    }
}

/// Consumes a result (whose computation `black_box` keeps).
fn sink<T>(value: T) {
    drop(value);
}

fn main() {
    let target = render(&TRUTH);
    check(&target);
    let target = &target;
    let exponents = &exponents(START);
    let group: Vec<Entry<'_>> = vec![
        (
            "render",
            Box::new(|| sink(black_box(render(black_box(&START))))),
        ),
        (
            "loss",
            Box::new(move || sink(black_box(loss(black_box(START), target)))),
        ),
        (
            "grad",
            Box::new(move || sink(black_box(loss::grad(black_box(START), target)))),
        ),
        (
            "num_dual",
            Box::new(move || sink(black_box(num_dual_grad(black_box(START), target)))),
        ),
        (
            "exp_only",
            Box::new(move || {
                sink(black_box(
                    black_box(exponents).iter().map(|a| a.exp()).sum::<f64>(),
                ))
            }),
        ),
    ];
    timing::table_then_criterion(&[("bezier".to_string(), group)]);
}
