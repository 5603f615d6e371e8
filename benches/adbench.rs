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

#[path = "workloads/mod.rs"]
mod workloads;

#[path = "workloads/timing.rs"]
mod timing;

use workloads::{ba, gmm, image, lstm};

/// One named workload: the objective, then each derivative.
use timing::Entry;

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

    timing::table_then_criterion(&groups);
}
