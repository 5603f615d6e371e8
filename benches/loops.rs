//! Speed of reverse mode through a loop: explicit Euler integration of a
//! damped pendulum over 1,000 steps, differentiated with respect to the
//! initial state and both parameters.
//!
//! One criterion group per loop form, all on the same inputs:
//!
//! - `primal`: the function itself;
//! - `grad`: what `#[differentiate]` generates (each iteration's partials
//!   pushed on a tape, then replayed backwards);
//! - `hand_grad`: the adjoint written by hand, keeping the states in arrays;
//! - `num_dual`: forward mode with four-component dual numbers.
//!
//! `prefix_sums_vec` differentiates element assignments `a[i] += a[i - 1]`
//! over a `Vec` of 1,000 entries, which are done in place (as are their
//! derivatives), against a hand-written gradient.
//!
//! `fixed` has a constant bound (a fixed-capacity tape on the stack, no
//! allocation); `growable` takes the number of steps as an argument (the
//! tape is a `Vec`). Ratios within a group are what matter. Before
//! benchmarking, the generated gradients are checked against the
//! hand-written one to 1e-10 relative (1,000 steps reorder sums).
//!
//! Run: `cargo bench --bench loops -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use autodiff::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};
use num_dual::{DualNum, DualSVec64};

const STEPS: usize = 1000;
const DT: f64 = 0.01;

/// The pendulum `x'' = -k sin x - c x'` by explicit Euler; returns the
/// final energy-like `x² + v²`.
#[differentiate]
fn pendulum(x0: f64, v0: f64, k: f64, c: f64) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..1000 {
        let a = -k * x.sin() - c * v;
        x += 0.01 * v;
        v += 0.01 * a;
    }
    x * x + v * v
}

/// The same with the number of steps as an argument.
#[differentiate]
fn pendulum_n(x0: f64, v0: f64, k: f64, c: f64, steps: usize) -> f64 {
    let mut x = x0;
    let mut v = v0;
    for _ in 0..steps {
        let a = -k * x.sin() - c * v;
        x += 0.01 * v;
        v += 0.01 * a;
    }
    x * x + v * v
}

/// The gradient by hand: a forward sweep keeping `sin x`, `cos x` and `v`
/// of each step, then the adjoint recursion backwards.
fn pendulum_grad_hand(x0: f64, v0: f64, k: f64, c: f64) -> [f64; 4] {
    let mut sines = [0.0; STEPS];
    let mut cosines = [0.0; STEPS];
    let mut vs = [0.0; STEPS];
    let (mut x, mut v) = (x0, v0);
    for n in 0..STEPS {
        let (s, co) = x.sin_cos();
        sines[n] = s;
        cosines[n] = co;
        vs[n] = v;
        let a = -k * s - c * v;
        x += DT * v;
        v += DT * a;
    }
    let (mut gx, mut gv) = (2.0 * x, 2.0 * v);
    let (mut gk, mut gc) = (0.0, 0.0);
    for n in (0..STEPS).rev() {
        let v = vs[n];
        let ga = DT * gv;
        gk -= ga * sines[n];
        gc -= ga * v;
        let gx_prev = gx - ga * k * cosines[n];
        let gv_prev = gv + DT * gx - ga * c;
        gx = gx_prev;
        gv = gv_prev;
    }
    [gx, gv, gk, gc]
}

fn pendulum_generic<D: DualNum<Primitive = f64> + Copy>(x0: D, v0: D, k: D, c: D) -> D {
    let (mut x, mut v) = (x0, v0);
    for _ in 0..STEPS {
        let a = -k * x.sin() - c * v;
        x += v * DT;
        v += a * DT;
    }
    x * x + v * v
}

fn pendulum_num_dual(p: [f64; 4]) -> [f64; 4] {
    let var = |x: f64, i: usize| DualSVec64::<4>::from_re(x).derivative(i);
    let y = pendulum_generic(var(p[0], 0), var(p[1], 1), var(p[2], 2), var(p[3], 3));
    match y.eps.0 {
        Some(g) => [g[0], g[1], g[2], g[3]],
        None => [0.0; 4],
    }
}

/// Prefix sums in place over a `Vec`, then their squares summed: element
/// assignment in a loop (taken over in place, no copy per assignment).
#[differentiate]
fn prefix_energy(x: Vec<f64>) -> f64 {
    let mut a = x;
    for i in 1..a.len() {
        a[i] += a[i - 1];
    }
    let mut s = 0.0;
    for v in a.iter() {
        s += v * v;
    }
    s
}

/// Its gradient by hand: `g_j = 2 Σ_{i >= j} a_i` (suffix sums of `2a`).
fn prefix_energy_grad_hand(x: Vec<f64>) -> Vec<f64> {
    let mut a = x;
    for i in 1..a.len() {
        a[i] += a[i - 1];
    }
    let mut g = a;
    let mut suffix = 0.0;
    for v in g.iter_mut().rev() {
        suffix += 2.0 * *v;
        *v = suffix;
    }
    g
}

const POINT: [f64; 4] = [0.8, -0.3, 2.0, 0.15];

fn check() {
    let [x0, v0, k, c] = POINT;
    let hand = pendulum_grad_hand(x0, v0, k, c);
    let (gx, gv, gk, gc) = pendulum::grad(x0, v0, k, c);
    let (nx, nv, nk, nc) = pendulum_n::grad(x0, v0, k, c, STEPS);
    let dual = pendulum_num_dual(POINT);
    for (i, h) in hand.iter().enumerate() {
        for got in [[gx, gv, gk, gc][i], [nx, nv, nk, nc][i], dual[i]] {
            assert!(
                (got - h).abs() <= 1e-10 * h.abs().max(1.0),
                "component {i}: {got} vs hand-written {h}"
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    check();
    let [x0, v0, k, cc] = POINT;
    let mut group = c.benchmark_group("euler_fixed");
    group.bench_function("primal", |b| {
        b.iter(|| pendulum(black_box(x0), black_box(v0), black_box(k), black_box(cc)))
    });
    group.bench_function("grad", |b| {
        b.iter(|| pendulum::grad(black_box(x0), black_box(v0), black_box(k), black_box(cc)))
    });
    group.bench_function("hand_grad", |b| {
        b.iter(|| pendulum_grad_hand(black_box(x0), black_box(v0), black_box(k), black_box(cc)))
    });
    group.bench_function("num_dual", |b| {
        b.iter(|| pendulum_num_dual(black_box(POINT)))
    });
    group.finish();
    let mut group = c.benchmark_group("euler_growable");
    let steps = STEPS;
    group.bench_function("primal", |b| {
        b.iter(|| {
            pendulum_n(
                black_box(x0),
                black_box(v0),
                black_box(k),
                black_box(cc),
                black_box(steps),
            )
        })
    });
    group.bench_function("grad", |b| {
        b.iter(|| {
            pendulum_n::grad(
                black_box(x0),
                black_box(v0),
                black_box(k),
                black_box(cc),
                black_box(steps),
            )
        })
    });
    group.finish();

    let x: Vec<f64> = (0..STEPS).map(|i| ((i as f64) * 0.37).sin()).collect();
    let hand = prefix_energy_grad_hand(x.clone());
    let got = prefix_energy::grad(x.clone());
    for (g, h) in got.iter().zip(&hand) {
        assert!((g - h).abs() <= 1e-10 * h.abs().max(1.0), "{g} vs {h}");
    }
    let mut group = c.benchmark_group("prefix_sums_vec");
    group.bench_function("primal", |b| b.iter(|| prefix_energy(black_box(x.clone()))));
    group.bench_function("grad", |b| {
        b.iter(|| prefix_energy::grad(black_box(x.clone())))
    });
    group.bench_function("hand_grad", |b| {
        b.iter(|| prefix_energy_grad_hand(black_box(x.clone())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
