//! Speed of generated scalar gradients.
//!
//! For each test function one criterion group holds, over the same 64 input
//! points per iteration:
//!
//! - `primal`: the function itself;
//! - `hand_grad`, `hand_value_and_grad`: derivatives written by hand the way a
//!   competent person would (shared subexpressions, reciprocals reused);
//! - `grad`, `value_and_grad`: what `#[differentiate]` generates;
//! - `num_dual`: forward mode with `num-dual` dual numbers (value and gradient).
//!
//! Ratios within a group are what matter; absolute times depend on the machine.
//! Before benchmarking, every generated gradient is checked against the
//! hand-written one (and num-dual's) to 1e-12 relative.
//!
//! Run: `cargo bench --bench scalar -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use autodiff::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};
use num_dual::{first_derivative, Dual64, DualNum, DualSVec64};

/// Input points evaluated per benchmark iteration.
const N: usize = 64;

/// Relative tolerance of the agreement checks.
const TOL: f64 = 1e-12;

// ---------------------------------------------------------------------------
// (a) The tutorial's function: sin(x²) + 3x².
// ---------------------------------------------------------------------------

#[differentiate]
fn tutorial(x: f64) -> f64 {
    (x * x).sin() + 3.0 * x * x
}

/// d/dx = 2x cos(x²) + 6x = 2x (cos(x²) + 3).
fn tutorial_grad_hand(x: f64) -> f64 {
    2.0 * x * ((x * x).cos() + 3.0)
}

fn tutorial_value_and_grad_hand(x: f64) -> (f64, f64) {
    let t = x * x;
    let (s, c) = t.sin_cos();
    (s + 3.0 * t, 2.0 * x * (c + 3.0))
}

fn tutorial_generic<D: DualNum<Primitive = f64> + Copy>(x: D) -> D {
    (x * x).sin() + x * 3.0 * x
}

fn tutorial_num_dual(x: f64) -> (f64, f64) {
    first_derivative(tutorial_generic::<Dual64>, x)
}

// ---------------------------------------------------------------------------
// (b) A four-argument loss-like expression: 23 operations, with tanh, sqrt,
//     exp, ln, powi and three divisions.
// ---------------------------------------------------------------------------

#[differentiate]
fn loss(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let z = a * b + c / d;
    let s = z.tanh();
    let r = (a * a + b * b + 1.0).sqrt();
    let e = (-c * d).exp();
    let l = (1.0 + e).ln();
    s * r + l / (1.0 + d * d) - (a - c).powi(3) / r
}

/// The intermediates a hand-written derivative of `loss` shares between the
/// value and the gradient.
struct LossParts {
    s: f64,
    r: f64,
    ir: f64,
    l: f64,
    iw: f64,
    p: f64,
    grad: (f64, f64, f64, f64),
}

/// Hand-written reverse sweep of `loss`: `c / d` as in the primal (it heads
/// the chain into `tanh`), then reciprocals 1/d, 1/r, 1/(1+d²) and one
/// division by 1 + e; multiplications everywhere else.
#[inline(always)]
fn loss_parts(a: f64, b: f64, c: f64, d: f64) -> LossParts {
    let cd = c / d;
    let s = (a * b + cd).tanh();
    let id = 1.0 / d;
    let r = (a * a + b * b + 1.0).sqrt();
    let ir = 1.0 / r;
    let e = (-c * d).exp();
    let e1 = 1.0 + e;
    let l = e1.ln();
    let iw = 1.0 / (1.0 + d * d);
    let u = a - c;
    let u2 = u * u;
    let p = u2 * u;

    // Adjoints: of z = ab + c/d, of r (already times 1/r, so that multiplying
    // by a or b gives the contribution through r = √(a² + b² + 1)), of
    // u = a - c, of the exponent m = -cd, and of w = 1 + d².
    let gz = (1.0 - s * s) * r;
    let gr = (s + p * ir * ir) * ir;
    let gu = 3.0 * u2 * ir;
    let gm = iw * e / e1;
    let gw = -l * iw * iw;
    let grad = (
        gz * b + gr * a - gu,
        gz * a + gr * b,
        gz * id - gm * d + gu,
        -gz * cd * id - gm * c + 2.0 * d * gw,
    );
    LossParts {
        s,
        r,
        ir,
        l,
        iw,
        p,
        grad,
    }
}

fn loss_grad_hand(a: f64, b: f64, c: f64, d: f64) -> (f64, f64, f64, f64) {
    loss_parts(a, b, c, d).grad
}

fn loss_value_and_grad_hand(a: f64, b: f64, c: f64, d: f64) -> (f64, (f64, f64, f64, f64)) {
    let q = loss_parts(a, b, c, d);
    (q.s * q.r + q.l * q.iw - q.p * q.ir, q.grad)
}

fn loss_generic<D: DualNum<Primitive = f64> + Copy>(a: D, b: D, c: D, d: D) -> D {
    let z = a * b + c / d;
    let s = z.tanh();
    let r = (a * a + b * b + 1.0).sqrt();
    let e = (-c * d).exp();
    let l = (e + 1.0).ln();
    s * r + l / (d * d + 1.0) - (a - c).powi(3) / r
}

fn loss_num_dual(a: f64, b: f64, c: f64, d: f64) -> (f64, (f64, f64, f64, f64)) {
    let var = |x: f64, i: usize| DualSVec64::<4>::from_re(x).derivative(i);
    let y = loss_generic(var(a, 0), var(b, 1), var(c, 2), var(d, 3));
    let g = match y.eps.0 {
        Some(g) => (g[0], g[1], g[2], g[3]),
        None => (0.0, 0.0, 0.0, 0.0),
    };
    (y.re, g)
}

// ---------------------------------------------------------------------------
// (c) Heavy reuse of one intermediate: `u` is used ten times, so its adjoint
//     is accumulated from ten contributions.
// ---------------------------------------------------------------------------

#[differentiate]
fn reuse(x: f64, y: f64) -> f64 {
    let u = x * y + x.sin();
    let a = u * u;
    let b = a * u;
    b + 2.0 * a - u * y + u.exp() + (u * x).cos() + u.tanh() * u + u / (1.0 + a)
}

/// Hand-written: one total derivative with respect to `u`, then the chain
/// rule through `u = xy + sin x` plus the explicit uses of `x` and `y`.
/// `grad` needs `sin(ux)`, `value_and_grad` also `cos(ux)`.
#[inline(always)]
fn reuse_hand(x: f64, y: f64, sin_cos_ux: impl Fn(f64) -> (f64, f64)) -> (f64, (f64, f64)) {
    let (sx, cx) = x.sin_cos();
    let u = x * y + sx;
    let a = u * u;
    let eu = u.exp();
    let t = u.tanh();
    let w = 1.0 + a;
    let iw = 1.0 / w;
    let (sux, cux) = sin_cos_ux(u * x);
    let value = a * u + 2.0 * a - u * y + eu + cux + t * u + u / w;
    let gu =
        3.0 * a + 4.0 * u - y + eu - sux * x + t + u * (1.0 - t * t) + iw * (1.0 - 2.0 * a * iw);
    (value, (gu * (y + cx) - sux * u, gu * x - u))
}

fn reuse_grad_hand(x: f64, y: f64) -> (f64, f64) {
    // The value is unused, so its cos(ux) (given as 0) is optimised away.
    reuse_hand(x, y, |ux| (ux.sin(), 0.0)).1
}

fn reuse_value_and_grad_hand(x: f64, y: f64) -> (f64, (f64, f64)) {
    reuse_hand(x, y, f64::sin_cos)
}

fn reuse_generic<D: DualNum<Primitive = f64> + Copy>(x: D, y: D) -> D {
    let u = x * y + x.sin();
    let a = u * u;
    let b = a * u;
    b + a * 2.0 - u * y + u.exp() + (u * x).cos() + u.tanh() * u + u / (a + 1.0)
}

fn reuse_num_dual(x: f64, y: f64) -> (f64, (f64, f64)) {
    let var = |v: f64, i: usize| DualSVec64::<2>::from_re(v).derivative(i);
    let r = reuse_generic(var(x, 0), var(y, 1));
    let g = match r.eps.0 {
        Some(g) => (g[0], g[1]),
        None => (0.0, 0.0),
    };
    (r.re, g)
}

// ---------------------------------------------------------------------------
// Inputs, checks and the benchmark loop.
// ---------------------------------------------------------------------------

/// A deterministic point in `[lo, hi)`: the `k`-th coordinate of point `i`,
/// spread so that the coordinates of one point are not correlated.
fn point(i: usize, k: usize, lo: f64, hi: f64) -> f64 {
    let j = (i * (2 * k + 7) + 13 * k) % N;
    lo + (hi - lo) * (j as f64 + 0.5) / N as f64
}

fn assert_close(what: &str, point: usize, got: f64, want: f64) {
    let scale = got.abs().max(want.abs()).max(f64::MIN_POSITIVE);
    assert!(
        (got - want).abs() <= TOL * scale,
        "{what} at point {point}: {got:e} vs {want:e} (relative {:e})",
        (got - want).abs() / scale
    );
}

/// Evaluates `f` on every input and hides the results from the optimiser.
#[inline(always)]
fn sweep<I: Copy, O>(inputs: &[I; N], out: &mut [O; N], f: impl Fn(I) -> O) {
    for (o, &i) in out.iter_mut().zip(black_box(inputs).iter()) {
        *o = f(i);
    }
    black_box(out);
}

fn bench_tutorial(c: &mut Criterion) {
    let xs: [f64; N] = std::array::from_fn(|i| point(i, 0, -3.0, 3.0));
    for (i, &x) in xs.iter().enumerate() {
        let h = tutorial_grad_hand(x);
        assert_close("tutorial grad", i, tutorial::grad(x), h);
        let (v, g) = tutorial::value_and_grad(x);
        let (hv, hg) = tutorial_value_and_grad_hand(x);
        assert_close("tutorial value", i, v, tutorial(x));
        assert_close("tutorial hand value", i, hv, v);
        assert_close("tutorial value_and_grad", i, g, hg);
        let (nv, ng) = tutorial_num_dual(x);
        assert_close("tutorial num-dual value", i, nv, v);
        assert_close("tutorial num-dual grad", i, ng, h);
    }

    let mut group = c.benchmark_group("tutorial");
    let mut out = [0.0; N];
    let mut out2 = [(0.0, 0.0); N];
    group.bench_function("primal", |b| b.iter(|| sweep(&xs, &mut out, tutorial)));
    group.bench_function("hand_grad", |b| {
        b.iter(|| sweep(&xs, &mut out, tutorial_grad_hand))
    });
    group.bench_function("grad", |b| b.iter(|| sweep(&xs, &mut out, tutorial::grad)));
    group.bench_function("hand_value_and_grad", |b| {
        b.iter(|| sweep(&xs, &mut out2, tutorial_value_and_grad_hand))
    });
    group.bench_function("value_and_grad", |b| {
        b.iter(|| sweep(&xs, &mut out2, tutorial::value_and_grad))
    });
    group.bench_function("num_dual", |b| {
        b.iter(|| sweep(&xs, &mut out2, tutorial_num_dual))
    });
    group.finish();
}

type Grad4 = (f64, f64, f64, f64);

fn bench_loss(c: &mut Criterion) {
    let ps: [Grad4; N] = std::array::from_fn(|i| {
        (
            point(i, 0, -1.5, 1.5),
            point(i, 1, -1.5, 1.5),
            point(i, 2, -1.5, 1.5),
            point(i, 3, 0.5, 2.0),
        )
    });
    let parts = |g: Grad4| [g.0, g.1, g.2, g.3];
    for (i, &(a, b, c, d)) in ps.iter().enumerate() {
        let h = parts(loss_grad_hand(a, b, c, d));
        let g = parts(loss::grad(a, b, c, d));
        let (v, vg) = loss::value_and_grad(a, b, c, d);
        let (hv, hvg) = loss_value_and_grad_hand(a, b, c, d);
        let (nv, ng) = loss_num_dual(a, b, c, d);
        assert_close("loss value", i, v, loss(a, b, c, d));
        assert_close("loss hand value", i, hv, v);
        assert_close("loss num-dual value", i, nv, v);
        for k in 0..4 {
            assert_close("loss grad", i, g[k], h[k]);
            assert_close("loss value_and_grad", i, parts(vg)[k], parts(hvg)[k]);
            assert_close("loss num-dual grad", i, parts(ng)[k], h[k]);
        }
    }

    let mut group = c.benchmark_group("loss");
    let mut out = [0.0; N];
    let mut out4 = [(0.0, 0.0, 0.0, 0.0); N];
    let mut out5 = [(0.0, (0.0, 0.0, 0.0, 0.0)); N];
    group.bench_function("primal", |bch| {
        bch.iter(|| sweep(&ps, &mut out, |(a, b, c, d)| loss(a, b, c, d)))
    });
    group.bench_function("hand_grad", |bch| {
        bch.iter(|| sweep(&ps, &mut out4, |(a, b, c, d)| loss_grad_hand(a, b, c, d)))
    });
    group.bench_function("grad", |bch| {
        bch.iter(|| sweep(&ps, &mut out4, |(a, b, c, d)| loss::grad(a, b, c, d)))
    });
    group.bench_function("hand_value_and_grad", |bch| {
        bch.iter(|| {
            sweep(&ps, &mut out5, |(a, b, c, d)| {
                loss_value_and_grad_hand(a, b, c, d)
            })
        })
    });
    group.bench_function("value_and_grad", |bch| {
        bch.iter(|| {
            sweep(&ps, &mut out5, |(a, b, c, d)| {
                loss::value_and_grad(a, b, c, d)
            })
        })
    });
    group.bench_function("num_dual", |bch| {
        bch.iter(|| sweep(&ps, &mut out5, |(a, b, c, d)| loss_num_dual(a, b, c, d)))
    });
    group.finish();
}

fn bench_reuse(c: &mut Criterion) {
    let ps: [(f64, f64); N] =
        std::array::from_fn(|i| (point(i, 0, -1.0, 1.0), point(i, 1, -1.0, 1.0)));
    for (i, &(x, y)) in ps.iter().enumerate() {
        let h = reuse_grad_hand(x, y);
        let g = reuse::grad(x, y);
        let (v, vg) = reuse::value_and_grad(x, y);
        let (hv, hvg) = reuse_value_and_grad_hand(x, y);
        let (nv, ng) = reuse_num_dual(x, y);
        assert_close("reuse value", i, v, reuse(x, y));
        assert_close("reuse hand value", i, hv, v);
        assert_close("reuse num-dual value", i, nv, v);
        for (what, got, want) in [
            ("reuse grad x", g.0, h.0),
            ("reuse grad y", g.1, h.1),
            ("reuse value_and_grad x", vg.0, hvg.0),
            ("reuse value_and_grad y", vg.1, hvg.1),
            ("reuse num-dual grad x", ng.0, h.0),
            ("reuse num-dual grad y", ng.1, h.1),
        ] {
            assert_close(what, i, got, want);
        }
    }

    let mut group = c.benchmark_group("reuse");
    let mut out = [0.0; N];
    let mut out2 = [(0.0, 0.0); N];
    let mut out3 = [(0.0, (0.0, 0.0)); N];
    group.bench_function("primal", |b| {
        b.iter(|| sweep(&ps, &mut out, |(x, y)| reuse(x, y)))
    });
    group.bench_function("hand_grad", |b| {
        b.iter(|| sweep(&ps, &mut out2, |(x, y)| reuse_grad_hand(x, y)))
    });
    group.bench_function("grad", |b| {
        b.iter(|| sweep(&ps, &mut out2, |(x, y)| reuse::grad(x, y)))
    });
    group.bench_function("hand_value_and_grad", |b| {
        b.iter(|| sweep(&ps, &mut out3, |(x, y)| reuse_value_and_grad_hand(x, y)))
    });
    group.bench_function("value_and_grad", |b| {
        b.iter(|| sweep(&ps, &mut out3, |(x, y)| reuse::value_and_grad(x, y)))
    });
    group.bench_function("num_dual", |b| {
        b.iter(|| sweep(&ps, &mut out3, |(x, y)| reuse_num_dual(x, y)))
    });
    group.finish();
}

criterion_group!(benches, bench_tutorial, bench_loss, bench_reuse);
criterion_main!(benches);
