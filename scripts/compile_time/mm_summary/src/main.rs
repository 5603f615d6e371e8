//! Self time per rustc query/activity from `-Z self-profile` output, like
//! measureme's `summarize` (which is not on crates.io), via `analyzeme`.
//!
//!     mm_summary [--top K] DIFF.mm_profdata [PLAIN.mm_profdata]
//!
//! With one file: the K activities with the most self time (time in the
//! activity minus the time in the activities it called), in seconds, with
//! their invocation counts. With two: the same for the first file, side by
//! side with the second and sorted by the difference (first - second), which
//! is what `#[differentiate]` adds when the first profile is of the `diff`
//! crate and the second of the `plain` one.
//!
//!     mm_summary --by-item FILE.mm_profdata
//!
//! needs a profile recorded with `-Z self-profile-events=default,query-keys`:
//! the time of the per-body queries (`typeck_root`, `mir_borrowck`,
//! `mir_built`, `check_liveness`, inclusive of what they call) summed over
//! the items of the same name after the user's function, e.g. `f12::jvp`
//! and `f40::jvp` both count for `jvp` (`-` for the function itself), and
//! `expand_proc_macro` per macro.

use std::collections::HashMap;
use std::path::Path;

use analyzeme::{AnalysisResults, ProfilingData};

fn load(path: &str) -> AnalysisResults {
    // `ProfilingData::new` takes the path with or without the extension.
    let stem = path.strip_suffix(".mm_profdata").unwrap_or(path);
    ProfilingData::new(Path::new(stem))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
        .perform_analysis()
}

/// `ct_diff[1a2b]::f12::jvp::{closure#0}` -> `jvp::{closure}`; `ct_diff[..]::f12` -> `-`.
fn item_kind(key: &str) -> String {
    let path = key.split("::").skip(2).map(|seg| {
        if seg.starts_with("{closure") { "{closure}" } else if seg.starts_with("{constant") { "{constant}" } else { seg }
    });
    let kind: Vec<&str> = path.collect();
    if kind.is_empty() { "-".to_string() } else { kind.join("::") }
}

fn by_item(path: &str) {
    let stem = path.strip_suffix(".mm_profdata").unwrap_or(path);
    let data = ProfilingData::new(Path::new(stem)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    const QUERIES: [&str; 5] = ["typeck_root", "mir_borrowck", "mir_built", "check_liveness", "expand_proc_macro"];
    // (query, item kind) -> (seconds, count)
    let mut sums: HashMap<(String, String), (f64, usize)> = HashMap::new();
    let mut keyed = 0usize;
    for event in data.iter_full() {
        let Some(q) = QUERIES.iter().find(|q| event.label == **q) else { continue };
        let Some(d) = event.duration() else { continue };
        let kind = match event.additional_data.first() {
            Some(key) if *q == "expand_proc_macro" => key.to_string(),
            Some(key) => { keyed += 1; item_kind(key) }
            None => "?".to_string(),
        };
        let e = sums.entry((q.to_string(), kind)).or_default();
        e.0 += d.as_secs_f64();
        e.1 += 1;
    }
    if keyed == 0 {
        eprintln!("no query keys: record with -Z self-profile-events=default,query-keys");
    }
    let mut rows: Vec<_> = sums.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.partial_cmp(&a.1 .0).unwrap());
    println!("{:<18} {:<40} {:>9} {:>7}", "query", "item (after the user's fn)", "incl. s", "count");
    for ((q, kind), (s, n)) in rows.iter().filter(|r| r.1 .0 >= 0.005) {
        println!("{q:<18} {kind:<40} {s:>9.3} {n:>7}");
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--by-item") {
        return by_item(&args[1]);
    }
    let mut top = 25;
    if let Some(i) = args.iter().position(|a| a == "--top") {
        top = args[i + 1].parse().expect("--top K");
        args.drain(i..i + 2);
    }
    if args.is_empty() || args.len() > 2 {
        eprintln!("usage: mm_summary [--top K] DIFF.mm_profdata [PLAIN.mm_profdata]");
        std::process::exit(2);
    }
    let first = load(&args[0]);
    let second = args.get(1).map(|p| load(p));
    let base: HashMap<&str, (f64, usize)> = second
        .as_ref()
        .map(|r| {
            r.query_data
                .iter()
                .map(|q| (q.label.as_str(), (q.self_time.as_secs_f64(), q.invocation_count)))
                .collect()
        })
        .unwrap_or_default();
    let mut rows: Vec<(&str, f64, usize, f64, usize)> = first
        .query_data
        .iter()
        .map(|q| {
            let (b, bn) = base.get(q.label.as_str()).copied().unwrap_or((0.0, 0));
            (q.label.as_str(), q.self_time.as_secs_f64(), q.invocation_count, b, bn)
        })
        .collect();
    rows.sort_by(|a, b| (b.1 - b.3).partial_cmp(&(a.1 - a.3)).unwrap());
    let total = first.total_time.as_secs_f64();
    match &second {
        None => {
            println!("total {total:.3} s; activities by self time:");
            println!("{:<45} {:>9} {:>6} {:>9}", "activity", "self s", "%", "count");
            for (label, s, n, _, _) in rows.iter().take(top) {
                println!("{label:<45} {s:>9.3} {:>5.1}% {n:>9}", 100.0 * s / total);
            }
        }
        Some(second) => {
            let total2 = second.total_time.as_secs_f64();
            println!(
                "total {total:.3} s vs {total2:.3} s (+{:.3} s); activities by extra self time:",
                total - total2
            );
            println!(
                "{:<45} {:>9} {:>9} {:>9} {:>9} {:>9}",
                "activity", "self s", "base s", "extra s", "count", "base cnt"
            );
            for (label, s, n, b, bn) in rows.iter().take(top) {
                println!("{label:<45} {s:>9.3} {b:>9.3} {:>9.3} {n:>9} {bn:>9}", s - b);
            }
        }
    }
}
