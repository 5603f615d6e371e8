//! Forward versus reverse mode, after the JAX tutorial's `jacfwd`/`jacrev`
//! comparison.
//!
//! Two functions with opposite shapes:
//!
//! - `f(x) = ‖(eˣ − x²) / tan x‖` for `x ∈ Rⁿ`: n inputs, one output;
//! - `g(t) = t^sin(1, t, t², …, tⁿ⁻¹)` for `t ∈ R`: one input, n outputs.
//!
//! For each n the example times the function itself, `jacfwd`, `jacrev` and
//! num-dual's forward mode (`num_dual::gradient` for `f`, one dual number for
//! `g`), prints the times and their ratios to the function's own time, counts
//! the heap allocations of one call, and draws time against n (log-log, the
//! tutorial's four lines, and the two functions dashed) to
//! `target/forward_vs_reverse.svg`.
//!
//! Each time is the median of several batches of calls. A computation whose
//! predicted time for one call (from the previous n, assuming quadratic
//! growth) exceeds a few seconds is skipped and marked as such; so is
//! num-dual's gradient above n = 3000, whose dual numbers carry dense
//! n-vectors (n² floats for the input alone).
//!
//! Run: `cargo run --release --example forward_vs_reverse [max_n]`
//! (or `FVR_MAX_N=1000`); the default largest n is 10 000 in release builds
//! and 1000 in debug builds.
//!
//! With glibc, times of the dynamic-size derivatives can include page faults
//! from the allocator trimming the heap between calls (see
//! `docs/forward_vs_reverse.md`);
//! `GLIBC_TUNABLES=glibc.malloc.trim_threshold=4000000000` turns that off.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use autodiff::nalgebra::DMatrix;
use plotters::prelude::*;

mod functions;

use functions::{f, f_num_dual, g, g_num_dual, input_x, T};

// ---------------------------------------------------------------------------
// The two functions, as in the tutorial.
// ---------------------------------------------------------------------------

/// Relative tolerance of the agreement checks.
const TOL: f64 = 1e-10;

fn assert_close(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (k, (&u, &v)) in a.iter().zip(b).enumerate() {
        assert!(
            (u - v).abs() <= TOL * u.abs().max(v.abs()),
            "{what}: entry {k} differs: {u} vs {v}"
        );
    }
}

// ---------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------

/// A single call predicted to take longer than this is skipped.
const MAX_CALL: Duration = Duration::from_secs(4);
/// Each batch of calls takes at least this long.
const MIN_BATCH: Duration = Duration::from_millis(2);
/// Time spent on the repetitions of one measurement, roughly.
const BUDGET: Duration = Duration::from_millis(300);

/// Median time of one call (over batches of calls; at least 3 batches unless
/// one call takes longer than `BUDGET`), and the result of the first call.
fn measure<R>(mut call: impl FnMut() -> R) -> (Duration, R) {
    let start = Instant::now();
    let result = black_box(call());
    let first = start.elapsed();
    if first >= BUDGET {
        return (first, result);
    }
    let batch = if first >= MIN_BATCH {
        1
    } else {
        (MIN_BATCH.as_secs_f64() / first.as_secs_f64().max(1e-9)).ceil() as u32
    };
    let batch_time = first * batch;
    let repetitions = (BUDGET.as_secs_f64() / batch_time.as_secs_f64()).clamp(3.0, 15.0) as usize;
    let mut times: Vec<Duration> = (0..repetitions)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(call());
            }
            start.elapsed() / batch
        })
        .collect();
    times.sort();
    (times[times.len() / 2], result)
}

/// One timed computation across the sizes: its label and `(n, seconds)`.
struct Series {
    label: &'static str,
    points: Vec<(usize, f64)>,
}

impl Series {
    fn new(label: &'static str) -> Self {
        Series {
            label,
            points: Vec::new(),
        }
    }

    /// Time of one call at `n` predicted from the last point, as if the cost
    /// grew like n².
    fn predicted(&self, n: usize) -> Option<f64> {
        let &(m, t) = self.points.last()?;
        let ratio = n as f64 / m as f64;
        Some(t * ratio * ratio)
    }

    /// Times `call` at `n` unless it is predicted to take too long; returns
    /// the first call's result if it ran.
    fn run<R>(&mut self, n: usize, call: impl FnMut() -> R) -> Option<R> {
        if self
            .predicted(n)
            .is_some_and(|t| t > MAX_CALL.as_secs_f64())
        {
            return None;
        }
        let (time, result) = measure(call);
        self.points.push((n, time.as_secs_f64()));
        Some(result)
    }

    fn at(&self, n: usize) -> Option<f64> {
        self.points.iter().find(|p| p.0 == n).map(|p| p.1)
    }
}

fn column(m: &DMatrix<f64>) -> &[f64] {
    m.as_slice()
}

// ---------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------

fn format_time(seconds: f64) -> String {
    if seconds < 1e-6 {
        format!("{:.0} ns", seconds * 1e9)
    } else if seconds < 1e-3 {
        format!("{:.1} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

/// One table: the function's own time, then each other series' time and its
/// ratio to the function's.
fn table(title: &str, sizes: &[usize], base: &Series, others: &[&Series]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{title}");
    let _ = write!(out, "{:>6} {:>10}", "n", base.label);
    for s in others {
        let _ = write!(out, " {:>22}", s.label);
    }
    out.push('\n');
    for &n in sizes {
        let Some(t0) = base.at(n) else { continue };
        let _ = write!(out, "{n:>6} {:>10}", format_time(t0));
        for s in others {
            let cell = match s.at(n) {
                Some(t) => format!("{} ({:.1}x)", format_time(t), t / t0),
                None => "skipped".to_string(),
            };
            let _ = write!(out, " {cell:>22}");
        }
        out.push('\n');
    }
    out
}

/// Heap allocations (count, bytes) of one call.
fn allocations<R>(call: impl FnOnce() -> R) -> (u64, u64) {
    let info = allocation_counter::measure(|| {
        black_box(call());
    });
    (info.count_total, info.bytes_total)
}

/// Draws `series` as solid lines and `references` (the functions themselves)
/// as thin dashed ones, log-log.
fn plot(
    path: &Path,
    series: &[(&Series, RGBColor)],
    references: &[(&Series, RGBColor)],
) -> Result<(), Box<dyn std::error::Error>> {
    let points = || {
        series
            .iter()
            .chain(references)
            .flat_map(|(s, _)| s.points.iter())
    };
    let (n_min, n_max) = points().fold((usize::MAX, 0), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (t_min, t_max) = points().fold((f64::MAX, 0.0_f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let root = SVGBackend::new(path, (900, 620)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Jacobians by forward and reverse mode", ("sans-serif", 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (n_min as f64 / 1.5..n_max as f64 * 1.5).log_scale(),
            (t_min / 3.0..t_max * 3.0).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("n")
        .y_desc("time of one call (s)")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()?;
    for &(s, color) in series {
        let data: Vec<(f64, f64)> = s.points.iter().map(|&(n, t)| (n as f64, t)).collect();
        chart
            .draw_series(LineSeries::new(data.clone(), color.stroke_width(2)))?
            .label(s.label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart.draw_series(PointSeries::of_element(
            data,
            4,
            color.filled(),
            &|c, s, st| Circle::new(c, s, st),
        ))?;
    }
    for &(s, color) in references {
        let data = s.points.iter().map(|&(n, t)| (n as f64, t));
        let label = format!("{} itself", s.label);
        chart
            .draw_series(DashedLineSeries::new(data, 6, 4, color.stroke_width(1)))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(1))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

fn max_n() -> usize {
    let default = if cfg!(debug_assertions) { 1000 } else { 10_000 };
    std::env::args()
        .nth(1)
        .or_else(|| std::env::var("FVR_MAX_N").ok())
        .map(|s| s.parse().expect("the largest n must be a positive integer"))
        .unwrap_or(default)
}

/// `target/` of this workspace (or `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let max_n = max_n();
    let sizes: Vec<usize> = [10, 30, 100, 300, 1000, 3000, 10_000]
        .into_iter()
        .filter(|&n| n <= max_n)
        .collect();
    let started = Instant::now();

    let mut f_itself = Series::new("f");
    let mut f_fwd = Series::new("jacfwd(f)");
    let mut f_rev = Series::new("jacrev(f)");
    let mut f_nd = Series::new("num-dual gradient(f)");
    let mut g_itself = Series::new("g");
    let mut g_fwd = Series::new("jacfwd(g)");
    let mut g_rev = Series::new("jacrev(g)");
    let mut g_nd = Series::new("num-dual (g)");

    for &n in &sizes {
        let x = input_x(n);
        f_itself.run(n, || f(black_box(&x)));
        let fwd = f_fwd.run(n, || f::jacfwd(black_box(&x)));
        let rev = f_rev
            .run(n, || f::jacrev(black_box(&x)))
            .expect("jacrev(f) is linear");
        if let Some(fwd) = &fwd {
            assert_close("jacfwd(f) vs jacrev(f)", column(fwd), column(&rev));
        }
        if n <= 3000 {
            if let Some(nd) = f_nd.run(n, || f_num_dual(black_box(&x))) {
                assert_close("num-dual vs jacrev(f)", nd.as_slice(), column(&rev));
            }
        }

        g_itself.run(n, || g(black_box(T), n));
        let fwd = g_fwd
            .run(n, || g::jacfwd(black_box(T), n))
            .expect("jacfwd(g) is linear");
        if let Some(rev) = g_rev.run(n, || g::jacrev(black_box(T), n)) {
            assert_close("jacfwd(g) vs jacrev(g)", column(&fwd), column(&rev));
        }
        if let Some(nd) = g_nd.run(n, || g_num_dual(black_box(T), n)) {
            assert_close("num-dual vs jacfwd(g)", nd.as_slice(), column(&fwd));
        }
        eprintln!(
            "n = {n} done ({:.1} s so far)",
            started.elapsed().as_secs_f64()
        );
    }

    println!("Time of one call (median), and its ratio to the function's own time.");
    println!("Jacobians agree to {TOL:e} relative (forward, reverse and num-dual).\n");
    print!(
        "{}",
        table("f: Rⁿ → R", &sizes, &f_itself, &[&f_fwd, &f_rev, &f_nd])
    );
    println!();
    print!(
        "{}",
        table("g: R → Rⁿ", &sizes, &g_itself, &[&g_fwd, &g_rev, &g_nd])
    );
    println!();
    let all = [&f_fwd, &f_rev, &f_nd, &g_fwd, &g_rev, &g_nd];
    if all.iter().any(|s| s.points.len() < sizes.len()) {
        let limit = MAX_CALL.as_secs();
        println!("skipped: predicted to take over {limit} s per call (from the previous n, as if");
        println!("growing like n²), or num-dual's gradient above n = 3000 (n² floats per vector).");
    }
    println!();

    let n = *sizes
        .iter()
        .filter(|&&n| n <= 1000)
        .max()
        .expect("at least n = 10");
    let x = input_x(n);
    println!("Heap allocations of one call at n = {n} (count, bytes):");
    let rows: [(&str, (u64, u64)); 9] = [
        ("f", allocations(|| f(&x))),
        ("f::grad", allocations(|| f::grad(&x))),
        ("f::jacrev", allocations(|| f::jacrev(&x))),
        ("f::jacfwd", allocations(|| f::jacfwd(&x))),
        ("num-dual gradient(f)", allocations(|| f_num_dual(&x))),
        ("g", allocations(|| g(T, n))),
        ("g::jacfwd", allocations(|| g::jacfwd(T, n))),
        ("g::jacrev", allocations(|| g::jacrev(T, n))),
        ("num-dual (g)", allocations(|| g_num_dual(T, n))),
    ];
    for (name, (count, bytes)) in rows {
        println!("  {name:<22} {count:>8} {bytes:>12}");
    }
    println!();

    let path = target_dir().join("forward_vs_reverse.svg");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    plot(
        &path,
        &[
            (&f_fwd, RGBColor(214, 39, 40)),
            (&f_rev, RGBColor(31, 119, 180)),
            (&g_fwd, RGBColor(255, 127, 14)),
            (&g_rev, RGBColor(44, 160, 44)),
        ],
        &[
            (&f_itself, RGBColor(90, 90, 90)),
            (&g_itself, RGBColor(170, 170, 170)),
        ],
    )?;
    println!("plot: {}", path.display());
    println!("total: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
