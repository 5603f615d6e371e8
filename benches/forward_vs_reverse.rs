//! Forward versus reverse mode on the JAX tutorial's two functions.
//!
//! - group `f`: `f(x) = ‖(eˣ − x²) / tan x‖`, `x ∈ Rⁿ` (n inputs, one output);
//! - group `g`: `g(t) = t^sin(1, t, t², …, tⁿ⁻¹)`, `t ∈ R` (one input, n
//!   outputs),
//!
//! for n in {10, 100, 1000, 10000}. Each group measures, per n:
//!
//! - `function`: the function itself;
//! - `jacfwd`, `jacrev`: what `#[differentiate]` generates (`f::grad` too);
//! - `num_dual`: forward mode with num-dual (`num_dual::gradient` with one
//!   n-vector of derivatives per dual number for `f`; one `Dual64` for `g`).
//!
//! Expected: `jacrev` of `f` and `jacfwd` of `g` cost a small constant times
//! the function at every n, the other mode n times that. The quadratic
//! computations are skipped at a size where one call takes longer than
//! `MAX_CALL` (timed once, before benchmarking; the bench prints what it
//! skips), and num-dual's gradient above n = 1000 (its dual numbers carry
//! dense n-vectors: 800 MB for the input alone at n = 10 000). Large sizes
//! use 10 samples in flat sampling mode.
//!
//! Before benchmarking, `jacfwd` and `jacrev` are checked to agree to 1e-10
//! relative, and num-dual with them. See `docs/forward_vs_reverse.md`.
//!
//! Run: `cargo bench --bench forward_vs_reverse -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};

/// The sizes benchmarked.
const SIZES: [usize; 4] = [10, 100, 1000, 10_000];

/// A computation one call of which takes longer than this is not benchmarked.
const MAX_CALL: Duration = Duration::from_secs(1);

/// num-dual's gradient is benchmarked up to this n.
const NUM_DUAL_GRADIENT_MAX_N: usize = 1000;

/// Relative tolerance of the agreement checks.
const TOL: f64 = 1e-10;

#[path = "../examples/forward_vs_reverse/functions.rs"]
mod functions;

use functions::{f, f_num_dual, g, g_num_dual, input_x, T};

fn assert_close(what: &str, n: usize, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}, n = {n}: lengths differ");
    for (k, (&u, &v)) in a.iter().zip(b).enumerate() {
        assert!(
            (u - v).abs() <= TOL * u.abs().max(v.abs()),
            "{what}, n = {n}: entry {k} differs: {u} vs {v}"
        );
    }
}

/// Runs `call` once: its result and how long it took.
fn timed<R>(call: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let result = call();
    (result, start.elapsed())
}

fn skip(group: &str, name: &str, n: usize, why: &str) {
    println!("{group}/{name}/{n}: skipped ({why})");
}

/// Fewer samples for the large sizes.
fn configure(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
) {
    if n >= 1000 {
        group.sample_size(10).sampling_mode(SamplingMode::Flat);
    } else {
        group.sample_size(50).sampling_mode(SamplingMode::Auto);
    }
}

fn bench_f(c: &mut Criterion) {
    let mut group = c.benchmark_group("f");
    for n in SIZES {
        configure(&mut group, n);
        let x = input_x(n);

        // Checks (and one timed call of the quadratic mode).
        let rev = f::jacrev(&x);
        assert_close(
            "f::grad vs f::jacrev",
            n,
            f::grad(&x).as_slice(),
            rev.as_slice(),
        );
        let (fwd, fwd_time) = timed(|| f::jacfwd(&x));
        assert_close("f::jacfwd vs f::jacrev", n, fwd.as_slice(), rev.as_slice());
        let with_num_dual = n <= NUM_DUAL_GRADIENT_MAX_N;
        if with_num_dual {
            assert_close(
                "num-dual vs f::jacrev",
                n,
                f_num_dual(&x).as_slice(),
                rev.as_slice(),
            );
        }

        group.bench_with_input(BenchmarkId::new("function", n), &x, |b, x| {
            b.iter(|| f(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("grad", n), &x, |b, x| {
            b.iter(|| f::grad(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("jacrev", n), &x, |b, x| {
            b.iter(|| f::jacrev(black_box(x)))
        });
        if fwd_time <= MAX_CALL {
            group.bench_with_input(BenchmarkId::new("jacfwd", n), &x, |b, x| {
                b.iter(|| f::jacfwd(black_box(x)))
            });
        } else {
            skip(
                "f",
                "jacfwd",
                n,
                &format!("one call takes {:.1} s", fwd_time.as_secs_f64()),
            );
        }
        if with_num_dual {
            group.bench_with_input(BenchmarkId::new("num_dual", n), &x, |b, x| {
                b.iter(|| f_num_dual(black_box(x)))
            });
        } else {
            skip("f", "num_dual", n, "its dual numbers would hold n² floats");
        }
    }
    group.finish();
}

fn bench_g(c: &mut Criterion) {
    let mut group = c.benchmark_group("g");
    for n in SIZES {
        configure(&mut group, n);

        let fwd = g::jacfwd(T, n);
        let (rev, rev_time) = timed(|| g::jacrev(T, n));
        assert_close("g::jacfwd vs g::jacrev", n, fwd.as_slice(), rev.as_slice());
        assert_close(
            "num-dual vs g::jacfwd",
            n,
            g_num_dual(T, n).as_slice(),
            fwd.as_slice(),
        );

        group.bench_with_input(BenchmarkId::new("function", n), &n, |b, &n| {
            b.iter(|| g(black_box(T), n))
        });
        group.bench_with_input(BenchmarkId::new("jacfwd", n), &n, |b, &n| {
            b.iter(|| g::jacfwd(black_box(T), n))
        });
        if rev_time <= MAX_CALL {
            group.bench_with_input(BenchmarkId::new("jacrev", n), &n, |b, &n| {
                b.iter(|| g::jacrev(black_box(T), n))
            });
        } else {
            skip(
                "g",
                "jacrev",
                n,
                &format!("one call takes {:.1} s", rev_time.as_secs_f64()),
            );
        }
        group.bench_with_input(BenchmarkId::new("num_dual", n), &n, |b, &n| {
            b.iter(|| g_num_dual(black_box(T), n))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_f, bench_g);
criterion_main!(benches);
