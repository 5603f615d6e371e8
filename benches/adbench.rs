//! Derivatives of real programs against the programs themselves: the three
//! ADBench objectives and the tutorial's image loss (`benches/workloads/`),
//! each group holding the objective and its derivatives, so that the ratios
//! come out of one run.
//!
//! | group | measured | ADBench's hand-written C++ |
//! | --- | --- | --- |
//! | `gmm_d2_k5_n1000`, `gmm_d10_k25_n1000` | `objective`, `grad`, `hand_grad` (slices); `num_dual` at d = 2 | 1.9–7.2× |
//! | `gmm_nalgebra_d2_k5_n1000`, `gmm_nalgebra_d10_k25_n1000` | `objective`, `grad` (nalgebra) | |
//! | `ba_observation` | `objective`, `jacfwd`, `jacrev`, `vjp_pullback` (one pullback), `hand_jacobian`, `num_dual` | 6.5–7.4× |
//! | `lstm_l2_c64_b14` | `objective`, `grad`; `num_dual` if one call takes under 0.5 s | 6.3–11.6× |
//! | `image_loss_128` | `objective`, `grad`, `hand_grad` | |
//!
//! `num_dual` is num-dual's forward mode on a twin of the objective written
//! generic over the dual type (`ba::residual_dual`, `gmm::objective_dual`,
//! `lstm::objective_dual`): `num_dual::jacobian` with `DualSVec64<15>` for
//! BA, `num_dual::gradient` with `DualSVec64<30>` for GMM at d = 2 (at
//! d = 10 each number would carry 1650 derivatives) and with `DualDVec64`
//! for the LSTM (1216 derivatives per number, on the heap: quadratic cost).
//! At startup the twins are checked to agree with `jacrev` and `grad` to
//! 1e-10 relative, and BA's residual and GMM's objectives are printed
//! (`benches/jax_compare.py` prints JAX's at the same inputs). The LSTM's
//! num-dual gradient is timed once there, and benchmarked only if that call
//! takes under `MAX_LSTM_NUM_DUAL`.
//!
//! Before criterion runs, a table of each call's time over its group's
//! objective (medians of short timed loops) is printed. Values and
//! derivatives are checked in `tests/adbench.rs`. Measurement defaults to
//! 1 s of warm-up and 2 s per function; the command line overrides them.
//!
//! Run: `cargo bench --bench adbench -- --warm-up-time 1 --measurement-time 2`.

use std::hint::black_box;
use std::time::{Duration, Instant};

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
    lstm_num_dual: bool,
    images: &'a (
        autodiff::nalgebra::DMatrix<f64>,
        autodiff::nalgebra::DMatrix<f64>,
    ),
) -> Vec<(String, Vec<Entry<'a>>)> {
    let p = ba::parameters();
    let gmm_group = |g: &'a gmm::Problem| -> Vec<Entry<'a>> {
        let mut entries: Vec<Entry<'a>> = vec![
            ("objective", Box::new(move || sink(black_box(g.value())))),
            ("grad", Box::new(move || sink(black_box(g.grad())))),
            (
                "hand_grad",
                Box::new(move || sink(black_box(g.grad_by_hand()))),
            ),
        ];
        if g.d == 2 && g.k == 5 {
            entries.push((
                "num_dual",
                Box::new(move || sink(black_box(g.grad_num_dual::<30>()))),
            ));
        }
        entries
    };
    let gmm_nalgebra_group = |g: &'a gmm::Matrices| -> Vec<Entry<'a>> {
        vec![
            ("objective", Box::new(move || sink(black_box(g.value())))),
            ("grad", Box::new(move || sink(black_box(g.grad())))),
        ]
    };
    let mut lstm_group: Vec<Entry<'a>> = vec![
        (
            "objective",
            Box::new(move || sink(black_box(lstm_problem.value()))),
        ),
        (
            "grad",
            Box::new(move || sink(black_box(lstm_problem.grad()))),
        ),
    ];
    if lstm_num_dual {
        lstm_group.push((
            "num_dual",
            Box::new(move || sink(black_box(lstm_problem.grad_num_dual()))),
        ));
    }
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
                (
                    "num_dual",
                    Box::new(move || {
                        sink(black_box(ba::jacobian_num_dual(black_box(p), ba::FEATURE)))
                    }),
                ),
            ],
        ),
        ("lstm_l2_c64_b14".into(), lstm_group),
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

/// Relative tolerance of the num-dual checks.
const TOL: f64 = 1e-10;

/// Asserts that num-dual's derivatives agree with ours, entry by entry.
fn assert_close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths differ");
    for (k, (&a, &b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= TOL * a.abs().max(b.abs()),
            "{what}, entry {k}: ours {a} vs num-dual {b}"
        );
    }
}

/// Checks the num-dual twins against the generated derivatives and prints
/// the values that `benches/jax_compare.py` prints too.
fn check_num_dual(gmm_small: &gmm::Problem, gmm_large: &gmm::Problem) {
    let p = ba::parameters();
    assert_close(
        "BA Jacobian",
        ba::residual::jacrev(p, ba::FEATURE).as_slice(),
        ba::jacobian_num_dual(p, ba::FEATURE).as_slice(),
    );
    let (a, m, i) = gmm_small.grad();
    let (na, nm, ni) = gmm_small.grad_num_dual::<30>();
    assert_close(
        "GMM d = 2 gradient",
        &[a, m, i].concat(),
        &[na, nm, ni].concat(),
    );
    println!("BA residual: {:?}", ba::residual(p, ba::FEATURE));
    println!("GMM d = 2 objective: {:?}", gmm_small.value());
    println!("GMM d = 10 objective: {:?}", gmm_large.value());
}

/// The longest single call of the LSTM's num-dual gradient that is still
/// benchmarked.
const MAX_LSTM_NUM_DUAL: Duration = Duration::from_millis(500);

/// Checks the LSTM's num-dual gradient against ours, prints one call's time
/// and its ratio to ours (the median of 11 calls), and says whether to benchmark it
/// (under [`MAX_LSTM_NUM_DUAL`]; otherwise prints that it is skipped).
fn check_lstm_num_dual(problem: &lstm::Problem) -> bool {
    let (m, e) = problem.grad();
    let start = Instant::now();
    let (nm, ne) = problem.grad_num_dual();
    let theirs = start.elapsed();
    let mut ours: Vec<Duration> = (0..11)
        .map(|_| {
            let start = Instant::now();
            black_box(problem.grad());
            start.elapsed()
        })
        .collect();
    ours.sort();
    let ours = ours[ours.len() / 2];
    assert_close("LSTM gradient", &[m, e].concat(), &[nm, ne].concat());
    println!(
        "LSTM num-dual gradient: one call {:.1} ms, {:.0} times our grad ({:.1} µs, median of 11)",
        theirs.as_secs_f64() * 1e3,
        theirs.as_secs_f64() / ours.as_secs_f64(),
        ours.as_secs_f64() * 1e6
    );
    let keep = theirs < MAX_LSTM_NUM_DUAL;
    if !keep {
        println!(
            "lstm_l2_c64_b14/num_dual: skipped (one call takes {:.1} s, over {:.1} s)",
            theirs.as_secs_f64(),
            MAX_LSTM_NUM_DUAL.as_secs_f64()
        );
    }
    keep
}

/// The num-dual checks, the ratio table (under `cargo bench`), then
/// criterion.
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
    check_num_dual(&gmm_small.0, &gmm_large.0);
    let lstm_num_dual = check_lstm_num_dual(&lstm_problem);
    let groups = groups(
        &gmm_small,
        &gmm_large,
        &lstm_problem,
        lstm_num_dual,
        &images,
    );

    timing::table_then_criterion(&groups);
}
