//! What the benches' ratio tables share.

use std::time::{Duration, Instant};

use criterion::Criterion;

/// One timed call of a group: its name and the call.
pub type Entry<'a> = (&'a str, Box<dyn Fn() + 'a>);

/// Each list's median, the lists sorted in place.
pub fn medians(times: &mut [Vec<f64>]) -> Vec<f64> {
    times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
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
pub fn print_ratios(groups: &[(String, Vec<Entry<'_>>)]) {
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
        let medians = medians(&mut times);
        for ((call, _), t) in entries.iter().zip(&medians) {
            println!(
                "{name:<28} {call:<14} {:>9.2} µs {:>7.2}x",
                t * 1e6,
                t / medians[0]
            );
        }
    }
}

/// The ratio table (under `cargo bench`, which passes `--bench`; `cargo
/// test --benches` does not, and then criterion runs each call once, as a
/// test, and the table is skipped), then a short criterion run of every
/// call.
pub fn table_then_criterion(groups: &[(String, Vec<Entry<'_>>)]) {
    if std::env::args().any(|a| a == "--bench") {
        print_ratios(groups);
    }
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for (name, entries) in groups {
        let mut group = criterion.benchmark_group(name);
        for (call, run) in entries {
            group.bench_function(*call, |b| b.iter(run));
        }
        group.finish();
    }
    criterion.final_summary();
}
