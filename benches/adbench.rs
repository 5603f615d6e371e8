//! Derivatives of real programs against the programs themselves: the three
//! ADBench objectives and the tutorial's image loss (`benches/workloads/`),
//! each group holding the objective and its derivatives, so that the ratios
//! come out of one run.
//!
//! | group | measured | ADBench's hand-written C++ |
//! | --- | --- | --- |
//! | `gmm_d2_k5_n1000`, `gmm_d10_k25_n1000` | `objective`, `grad` | 1.9–7.2× |
//! | `ba_observation` | `objective`, `jacfwd`, `jacrev`, `vjp_pullback` (one pullback) | 6.5–7.4× |
//! | `lstm_l2_c64_b14` | `objective`, `grad` | 6.3–11.6× |
//! | `image_loss_128` | `objective`, `grad`, `hand_grad` | |
//!
//! Before criterion runs, a table of derivative/objective ratios (medians
//! of short timed loops) is printed. Values and derivatives are checked in
//! `tests/adbench.rs`.
//!
//! Run: `cargo bench --bench adbench -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;

#[path = "workloads/mod.rs"]
mod workloads;

use workloads::{ba, gmm, image, lstm};

/// One named workload: the objective, then each derivative.
type Entry<'a> = (&'a str, Box<dyn Fn() + 'a>);

/// Every group: its name and entries, the objective first.
fn groups<'a>(
    gmm_small: &'a gmm::Problem,
    gmm_large: &'a gmm::Problem,
    lstm_problem: &'a lstm::Problem,
    images: &'a (
        autodiff::nalgebra::DMatrix<f64>,
        autodiff::nalgebra::DMatrix<f64>,
    ),
) -> Vec<(String, Vec<Entry<'a>>)> {
    let p = ba::parameters();
    let gmm_group = |g: &'a gmm::Problem| -> Vec<Entry<'a>> {
        vec![
            ("objective", Box::new(move || sink(black_box(g.value())))),
            ("grad", Box::new(move || sink(black_box(g.grad())))),
        ]
    };
    let (predicted, target) = images;
    vec![
        ("gmm_d2_k5_n1000".into(), gmm_group(gmm_small)),
        ("gmm_d10_k25_n1000".into(), gmm_group(gmm_large)),
        (
            "ba_observation".into(),
            vec![
                (
                    "objective",
                    Box::new(move || sink(black_box(ba::residual(black_box(p), ba::FEATURE)))),
                ),
                (
                    "jacfwd",
                    Box::new(move || {
                        sink(black_box(ba::residual::jacfwd(black_box(p), ba::FEATURE)))
                    }),
                ),
                (
                    "jacrev",
                    Box::new(move || {
                        sink(black_box(ba::residual::jacrev(black_box(p), ba::FEATURE)))
                    }),
                ),
                (
                    "vjp_pullback",
                    Box::new(move || {
                        let (_, pullback) = ba::residual::vjp(black_box(p), ba::FEATURE);
                        black_box(pullback([1.0, 0.5, 0.25]));
                    }),
                ),
            ],
        ),
        (
            "lstm_l2_c64_b14".into(),
            vec![
                (
                    "objective",
                    Box::new(move || sink(black_box(lstm_problem.value()))),
                ),
                (
                    "grad",
                    Box::new(move || sink(black_box(lstm_problem.grad()))),
                ),
            ],
        ),
        (
            "image_loss_128".into(),
            vec![
                (
                    "objective",
                    Box::new(move || sink(black_box(image::loss(black_box(predicted), target)))),
                ),
                (
                    "grad",
                    Box::new(move || {
                        sink(black_box(image::loss::grad(black_box(predicted), target)))
                    }),
                ),
                (
                    "hand_grad",
                    Box::new(move || {
                        sink(black_box(image::grad_by_hand(black_box(predicted), target)))
                    }),
                ),
            ],
        ),
    ]
}

/// Consumes a result (whose computation `black_box` keeps).
fn sink<T>(value: T) {
    drop(value);
}

/// The median over 11 timed loops of the seconds one call takes.
fn seconds(run: &dyn Fn()) -> f64 {
    let start = Instant::now();
    run();
    // About 20 ms a loop.
    let calls = (0.02 / start.elapsed().as_secs_f64().max(1e-9)).clamp(1.0, 1e6) as usize;
    let mut times: Vec<f64> = (0..11)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                run();
            }
            start.elapsed().as_secs_f64() / calls as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[5]
}

fn main() {
    let gmm_small = gmm::Problem::new(2, 5, 1000);
    let gmm_large = gmm::Problem::new(10, 25, 1000);
    let lstm_problem = lstm::Problem::new(2, 64, 14);
    let images = image::images(128);
    let groups = groups(&gmm_small, &gmm_large, &lstm_problem, &images);

    println!(
        "{:<20} {:<14} {:>12} {:>8}",
        "workload", "call", "time", "ratio"
    );
    for (name, entries) in &groups {
        let base = seconds(&*entries[0].1);
        for (call, run) in entries {
            let t = seconds(&**run);
            println!(
                "{name:<20} {call:<14} {:>9.2} µs {:>7.2}x",
                t * 1e6,
                t / base
            );
        }
    }

    let mut criterion = Criterion::default().configure_from_args();
    for (name, entries) in &groups {
        let mut group = criterion.benchmark_group(name);
        for (call, run) in entries {
            group.bench_function(*call, |b| b.iter(run));
        }
        group.finish();
    }
    criterion.final_summary();
}
