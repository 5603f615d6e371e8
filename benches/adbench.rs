//! Derivatives of real programs against the programs themselves: the three
//! ADBench objectives and the tutorial's image loss (`benches/workloads/`),
//! each group holding the objective and its derivatives, so that the ratios
//! come out of one run.
//!
//! | group | measured | ADBench's hand-written C++ |
//! | --- | --- | --- |
//! | `gmm_d2_k5_n1000`, `gmm_d10_k25_n1000` | `objective`, `grad`, `hand_grad` (slices) | 1.9–7.2× |
//! | `gmm_nalgebra_d2_k5_n1000`, `gmm_nalgebra_d10_k25_n1000` | `objective`, `grad` (nalgebra) | |
//! | `ba_observation` | `objective`, `jacfwd`, `jacrev`, `vjp_pullback` (one pullback), `hand_jacobian` | 6.5–7.4× |
//! | `lstm_l2_c64_b14` | `objective`, `grad` | 6.3–11.6× |
//! | `image_loss_128` | `objective`, `grad`, `hand_grad` | |
//!
//! Before criterion runs, a table of each call's time over its group's
//! objective (medians of short timed loops) is printed. Values and
//! derivatives are checked in `tests/adbench.rs`. Measurement defaults to
//! 1 s of warm-up and 2 s per function; the command line overrides them.
//!
//! Run: `cargo bench --bench adbench -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;

#[path = "workloads/mod.rs"]
mod workloads;

#[path = "workloads/timing.rs"]
mod timing;

use workloads::{ba, gmm, image, lstm};

/// One named workload: the objective, then each derivative.
type Entry<'a> = (&'a str, Box<dyn Fn() + 'a>);

/// Every group: its name and entries, the objective first.
fn groups<'a>(
    (gmm_small, gmm_small_matrices): &'a (gmm::Problem, gmm::Matrices),
    (gmm_large, gmm_large_matrices): &'a (gmm::Problem, gmm::Matrices),
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
            (
                "hand_grad",
                Box::new(move || sink(black_box(g.grad_by_hand()))),
            ),
        ]
    };
    let gmm_nalgebra_group = |g: &'a gmm::Matrices| -> Vec<Entry<'a>> {
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
            "gmm_nalgebra_d2_k5_n1000".into(),
            gmm_nalgebra_group(gmm_small_matrices),
        ),
        (
            "gmm_nalgebra_d10_k25_n1000".into(),
            gmm_nalgebra_group(gmm_large_matrices),
        ),
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
                (
                    "hand_jacobian",
                    Box::new(move || {
                        sink(black_box(ba::jacobian_by_hand(black_box(p), ba::FEATURE)))
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

/// The number of calls that take about 20 ms, after one call to warm up.
fn calls_per_loop(run: &dyn Fn()) -> usize {
    let start = Instant::now();
    run();
    (0.02 / start.elapsed().as_secs_f64().max(1e-9)).clamp(1.0, 1e6) as usize
}

/// Prints each call's time and its ratio to its group's objective: the
/// medians over 11 rounds of the seconds one call takes, each round timing
/// one loop of every call in the group in turn, so that a drift of the
/// machine's speed (frequency, other work) affects them all alike.
fn print_ratios(groups: &[(String, Vec<Entry<'_>>)]) {
    const ROUNDS: usize = 11;
    println!(
        "{:<28} {:<14} {:>12} {:>8}",
        "workload", "call", "time", "ratio"
    );
    for (name, entries) in groups {
        let calls: Vec<usize> = entries
            .iter()
            .map(|(_, run)| calls_per_loop(&**run))
            .collect();
        let mut times = vec![Vec::with_capacity(ROUNDS); entries.len()];
        for _ in 0..ROUNDS {
            for ((_, run), (n, t)) in entries.iter().zip(calls.iter().zip(&mut times)) {
                let start = Instant::now();
                for _ in 0..*n {
                    run();
                }
                t.push(start.elapsed().as_secs_f64() / *n as f64);
            }
        }
        let medians = timing::medians(&mut times);
        for ((call, _), t) in entries.iter().zip(&medians) {
            println!(
                "{name:<28} {call:<14} {:>9.2} µs {:>7.2}x",
                t * 1e6,
                t / medians[0]
            );
        }
    }
}

/// The ratio table (under `cargo bench`), then criterion.
fn main() {
    // Each GMM problem with its inputs as matrices, for the nalgebra port.
    let with_matrices = |p: gmm::Problem| {
        let m = p.matrices();
        (p, m)
    };
    let gmm_small = with_matrices(gmm::Problem::new(2, 5, 1000));
    let gmm_large = with_matrices(gmm::Problem::new(10, 25, 1000));
    let lstm_problem = lstm::Problem::new(2, 64, 14);
    let images = image::images(128);
    let groups = groups(&gmm_small, &gmm_large, &lstm_problem, &images);

    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then criterion runs each function once, as a test, and the table is
    // skipped.
    if std::env::args().any(|a| a == "--bench") {
        print_ratios(&groups);
    }

    // Short by default, so that the whole run takes about two minutes.
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for (name, entries) in &groups {
        let mut group = criterion.benchmark_group(name);
        for (call, run) in entries {
            group.bench_function(*call, |b| b.iter(run));
        }
        group.finish();
    }
    criterion.final_summary();
}
