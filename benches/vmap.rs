//! The tutorial's `vmap` example at full size: the Frobenius norm of one
//! hundred 1000 × 1000 `f32` matrices (400 MB), by a hand-written loop over
//! the plain function, by `#[vectorize]`'s `batched`, and, with the
//! `parallel` feature, by `batched_par` on all cores next to the same loop
//! written with rayon by hand (`par_loop`).
//!
//! Before criterion runs, a table gives each form's time, its ratio to the
//! loop and the bytes it reads per second, next to the machine's read
//! bandwidth measured on the same bytes (`stream_sum`: a sum over every
//! matrix with eight independent accumulators, which the compiler
//! vectorises, on one core and, with `parallel`, on all of them).
//!
//! A second table does the same for a compute-bound batch, per-example
//! gradients of a small function (`ripple`), where all cores help.
//!
//! Run: `cargo bench --bench vmap --features parallel`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autodiff::nalgebra::DMatrix;
use autodiff::prelude::*;
use criterion::{Criterion, SamplingMode};

// Shared with the other benches; this one uses only the medians.
#[allow(dead_code)]
#[path = "workloads/timing.rs"]
mod timing;

/// The number of matrices.
const BATCH: usize = 100;
/// Their side.
const SIDE: usize = 1000;

/// The tutorial's `frob_norm`.
#[vectorize]
fn frob_norm(a: &DMatrix<f32>) -> f32 {
    a.norm()
}

/// The tutorial's `manual_batched_frob_norm`: a loop over the plain function.
fn by_hand(matrices: &[DMatrix<f32>]) -> Vec<f32> {
    let mut norms = Vec::with_capacity(matrices.len());
    for m in matrices {
        norms.push(frob_norm(m));
    }
    norms
}

/// Reads every byte of one matrix as fast as the core can: eight sums.
fn stream_sum(m: &DMatrix<f32>) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = m.as_slice().chunks_exact(8);
    let rest: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + rest
}

/// A compute-bound batch for contrast: per-example gradients of a small
/// function of transcendentals (nothing to wait for from memory).
#[vectorize]
#[differentiate]
fn ripple(x: [f64; 8]) -> f64 {
    let mut s = 0.0;
    for (i, v) in x.iter().enumerate() {
        s += (v * (i + 1) as f64).sin() * (-0.1 * v * v).exp();
    }
    s
}

/// One named way of computing the batch.
type Form<'a> = (&'static str, Box<dyn Fn() + 'a>);

fn forms(matrices: &[DMatrix<f32>]) -> Vec<Form<'_>> {
    let forms: Vec<Form<'_>> = vec![
        ("loop", Box::new(move || drop(black_box(by_hand(matrices))))),
        (
            "batched",
            Box::new(move || drop(black_box(frob_norm::batched(matrices)))),
        ),
        (
            "read_bandwidth",
            Box::new(move || {
                black_box(matrices.iter().map(stream_sum).sum::<f32>());
            }),
        ),
    ];
    #[cfg(feature = "parallel")]
    let forms = {
        use rayon::prelude::*;
        let mut forms = forms;
        forms.push((
            "batched_par",
            Box::new(move || drop(black_box(frob_norm::batched_par(matrices)))),
        ));
        forms.push((
            "par_loop",
            Box::new(move || {
                drop(black_box(
                    matrices.par_iter().map(frob_norm).collect::<Vec<f32>>(),
                ))
            }),
        ));
        forms.push((
            "read_bandwidth_par",
            Box::new(move || {
                black_box(matrices.par_iter().map(stream_sum).sum::<f32>());
            }),
        ));
        forms
    };
    forms
}

/// Medians over 7 rounds of each form's time, the forms taking turns.
fn print_table(forms: &[Form<'_>], bytes: f64) {
    const ROUNDS: usize = 7;
    let mut times = vec![Vec::new(); forms.len()];
    for _ in 0..ROUNDS {
        for ((_, run), t) in forms.iter().zip(&mut times) {
            let start = Instant::now();
            run();
            t.push(start.elapsed().as_secs_f64());
        }
    }
    let medians = timing::medians(&mut times);
    println!(
        "{:<20} {:>10} {:>14} {:>10}",
        "form", "time", "time / loop", "GB/s"
    );
    for ((name, _), t) in forms.iter().zip(&medians) {
        println!(
            "{name:<20} {:>7.1} ms {:>13.3}x {:>10.2}",
            t * 1e3,
            t / medians[0],
            bytes / t / 1e9
        );
    }
}

/// Per-example gradients of `ripple`: a loop, `batched_grad` and, with
/// `parallel`, `batched_grad_par`.
fn gradient_forms(points: &[[f64; 8]]) -> Vec<Form<'_>> {
    let forms: Vec<Form<'_>> = vec![
        (
            "grad_loop",
            Box::new(move || {
                let grads: Vec<[f64; 8]> = points.iter().map(|p| ripple::grad(*p)).collect();
                drop(black_box(grads));
            }),
        ),
        (
            "batched_grad",
            Box::new(move || drop(black_box(ripple::batched_grad(points)))),
        ),
    ];
    #[cfg(feature = "parallel")]
    let forms = {
        let mut forms = forms;
        forms.push((
            "batched_grad_par",
            Box::new(move || drop(black_box(ripple::batched_grad_par(points)))),
        ));
        forms
    };
    forms
}

fn main() {
    let matrices: Vec<DMatrix<f32>> = (0..BATCH)
        .map(|k| {
            DMatrix::from_fn(SIDE, SIDE, |i, j| {
                ((i * 31 + j * 17 + k) % 101) as f32 / 101.0
            })
        })
        .collect();
    assert_eq!(frob_norm::batched(&matrices), by_hand(&matrices));
    #[cfg(feature = "parallel")]
    assert_eq!(frob_norm::batched_par(&matrices), by_hand(&matrices));
    let bytes = (BATCH * SIDE * SIDE * std::mem::size_of::<f32>()) as f64;
    let forms = forms(&matrices);
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then each form runs once, as a test.
    let points: Vec<[f64; 8]> = (0..100_000)
        .map(|k| std::array::from_fn(|i| ((k * 8 + i) as f64 * 0.618).fract() * 4.0 - 2.0))
        .collect();
    let gradient_forms = gradient_forms(&points);
    if std::env::args().any(|a| a == "--bench") {
        print_table(&forms, bytes);
        println!();
        print_table(&gradient_forms, (points.len() * 64) as f64);
    }
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10)
        .configure_from_args();
    let mut group = criterion.benchmark_group("frobenius_100x1000x1000_f32");
    group.sampling_mode(SamplingMode::Flat);
    for (name, run) in &forms {
        group.bench_function(*name, |b| b.iter(run));
    }
    group.finish();
    let mut group = criterion.benchmark_group("ripple_grad_100000");
    for (name, run) in &gradient_forms {
        group.bench_function(*name, |b| b.iter(run));
    }
    group.finish();
    criterion.final_summary();
}
