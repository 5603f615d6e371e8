//! Differential fuzzing of the generated derivatives.
//!
//! Generates random differentiable programs (`gen`), each with a num-dual
//! twin, writes them with a checking harness into a crate under
//! a temporary directory, builds and runs it, and reports every mismatch. The
//! harness checks each program at random points in every mode (`grad`,
//! `value_and_grad`, `jvp`, `vjp`, `jacfwd`, `jacrev`) against the twin's
//! dual numbers, the value against the plain function bit for bit, and the
//! twin against central differences (a point where they disagree is next
//! to a kink or a branch boundary, and is skipped). The crates are written
//! to the system's temporary directory and built into the workspace's
//! `target/`, so that the dependencies are built once.
//!
//! ```sh
//! cargo run -p autodiff-fuzz -- --seed 1 --count 300     # CI's share
//! cargo run -p autodiff-fuzz -- --seed 2 --count 5000    # offline
//! cargo run -p autodiff-fuzz -- --seed 2 --count 5000 --batch 7 --keep   # one batch, kept
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

mod gen;
mod rng;

/// Programs per generated crate (one build each).
const BATCH: usize = 100;
/// Helpers at the start of each batch, callable by the programs after them.
const HELPERS: usize = 5;

fn main() {
    let mut seed = 1u64;
    let mut count = 300usize;
    let mut keep = false;
    let mut only: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed N"),
            "--count" => count = args.next().and_then(|v| v.parse().ok()).expect("--count N"),
            "--keep" => keep = true,
            "--batch" => only = args.next().and_then(|v| v.parse().ok()),
            other => {
                panic!("unknown argument {other}; use --seed N --count N [--keep] [--batch K]")
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().expect("the workspace root");
    let mut totals = Totals::default();
    let batches = count.div_ceil(BATCH);
    for batch in 0..batches {
        if only.is_some_and(|k| k != batch) {
            continue;
        }
        let size = BATCH.min(count - batch * BATCH);
        let batch_seed = seed.wrapping_mul(1_000_003).wrapping_add(batch as u64);
        // Outside the target directory, which cargo's fingerprints treat
        // as holding generated files, not sources.
        let dir = std::env::temp_dir()
            .join("autodiff-fuzz")
            .join(format!("seed-{seed}-batch-{batch}"));
        write_crate(&root, &dir, batch_seed, size);
        let output = run_crate(&root, &dir);
        totals.add(&output);
        if !keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
        eprintln!(
            "batch {}/{batches}: {} programs, {} points, {} checks, {} skipped, {} failures",
            batch + 1,
            totals.programs,
            totals.points,
            totals.checks,
            totals.skipped,
            totals.failures.len()
        );
    }
    println!(
        "seed {seed}: {} programs, {} points, {} checks, {} points skipped near kinks, {} failures",
        totals.programs,
        totals.points,
        totals.checks,
        totals.skipped,
        totals.failures.len()
    );
    for f in totals.failures.iter().take(20) {
        println!("{f}");
    }
    if !totals.failures.is_empty() {
        std::process::exit(1);
    }
}

/// What the harnesses reported.
#[derive(Default)]
struct Totals {
    programs: usize,
    points: usize,
    checks: usize,
    skipped: usize,
    failures: Vec<String>,
}

impl Totals {
    fn add(&mut self, output: &str) {
        for line in output.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("TOTALS") => {
                    let n: Vec<usize> = words.filter_map(|w| w.parse().ok()).collect();
                    if let [programs, points, checks, skipped] = n[..] {
                        self.programs += programs;
                        self.points += points;
                        self.checks += checks;
                        self.skipped += skipped;
                    }
                }
                Some("FAIL") => self.failures.push(line.to_string()),
                _ => {}
            }
        }
    }
}

/// Writes the crate of one batch: `size` programs from `seed`.
fn write_crate(root: &Path, dir: &Path, seed: u64, size: usize) {
    std::fs::create_dir_all(dir.join("src")).expect("the batch's directory");
    let manifest = format!(
        r#"[package]
name = "autodiff-fuzz-batch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
autodiff = {{ path = "{}" }}
num-dual = "0.15"

[workspace]
"#,
        root.display()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    // The workspace's lock file: the same versions, no registry lookup.
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    let mut rng = rng::Rng::new(seed);
    let mut source = String::from(
        "//! Generated by autodiff-fuzz.\nuse autodiff::nalgebra::{DVector, Vector3};\nuse autodiff::prelude::*;\nuse num_dual::{Dual64, DualNum};\n\n#[path = \"rng.rs\"]\nmod rng;\n#[path = \"harness.rs\"]\nmod harness;\nuse harness::*;\n\n",
    );
    let mut helpers: Vec<(String, usize)> = Vec::new();
    let mut checks = String::new();
    for k in 0..size {
        let helper = k < HELPERS.min(size / 2);
        let name = format!("p{k}");
        let program = gen::program(&mut rng, &name, &helpers, helper);
        source.push_str(&program.source);
        let _ = writeln!(checks, "{}", glue(&program, helper, seed ^ k as u64));
        if helper {
            helpers.push((name, 2));
        }
    }
    // A control whose twin is wrong on purpose (its derivative 1% off), so
    // that every run shows the checks can fail.
    let control = gen::Program {
        name: "control".into(),
        scalars: vec!["x0".into()],
        array: false,
        array_ref: false,
        vector: false,
        dynamic: false,
        source: String::new(),
        second_order: true,
    };
    source.push_str(CONTROL);
    let _ = writeln!(checks, "{}", glue(&control, false, seed));
    let _ = writeln!(
        source,
        "fn main() {{\n    let mut report = Report::default();\n{checks}    report.finish();\n}}"
    );
    std::fs::write(dir.join("src/main.rs"), source).expect("write main.rs");
    for (file, text) in [
        ("harness.rs", include_str!("harness.rs")),
        ("rng.rs", include_str!("rng.rs")),
    ] {
        std::fs::write(dir.join("src").join(file), text).expect("write the harness");
    }
}

/// The harness call for one program: closures over flat inputs.
fn glue(p: &gen::Program, helper: bool, seed: u64) -> String {
    let n = p.inputs();
    let scalars = p.scalars.len();
    // The arguments as built from a flat vector `v` (plain) or a function
    // `d(k)` of the component (dual).
    let build = |f: &dyn Fn(usize) -> String| -> Vec<String> {
        let mut args: Vec<String> = (0..scalars).map(f).collect();
        let mut next = scalars;
        if p.array {
            let by = if p.array_ref { "&" } else { "" };
            args.push(format!(
                "{by}[{}, {}, {}]",
                f(next),
                f(next + 1),
                f(next + 2)
            ));
            next += 3;
        }
        let (a, b, c) = (f(next), f(next + 1), f(next + 2));
        match (p.vector, p.dynamic) {
            (true, false) => args.push(format!("Vector3::new({a}, {b}, {c})")),
            (true, true) => args.push(format!("&DVector::from_vec(vec![{a}, {b}, {c}])")),
            _ => {}
        }
        args
    };
    let statics = if helper { "" } else { ", n, flag" };
    let plain_args = build(&|k| format!("v[{k}]")).join(", ");
    let dual_args = build(&|k| format!("Dual64::new(v[{k}], t[{k}])")).join(", ");
    let tangent_args = build(&|k| format!("t[{k}]"));
    let diff_count = tangent_args.len();
    // Tangents are owned: a `&DVector` argument's is a `DVector`.
    let owned: Vec<&str> = tangent_args
        .iter()
        .map(|a| a.strip_prefix('&').unwrap_or(a))
        .collect();
    let tangents = format!("({},)", owned.join(", "));
    // Part `k` of a gradient-shaped value: itself for one argument, a
    // tuple field for several.
    let part = |g: &str, k: usize| match diff_count {
        1 => g.to_string(),
        _ => format!("{g}.{k}"),
    };
    // A gradient, flattened (array and vector parts entry by entry).
    let flatten = |g: &str| -> String {
        let parts: Vec<String> = (0..diff_count)
            .map(|k| match k >= scalars {
                true => format!("{0}[0], {0}[1], {0}[2]", part(g, k)),
                false => part(g, k),
            })
            .collect();
        format!("vec![{}]", parts.join(", "))
    };
    // The Jacobians (a matrix per argument), flattened.
    let flatten_jac = |j: &str| -> String {
        let parts: Vec<String> = (0..diff_count)
            .map(|k| format!("{}.iter().copied().collect::<Vec<f64>>()", part(j, k)))
            .collect();
        format!("[{}].concat()", parts.join(", "))
    };
    let name = &p.name;
    let (g, c, j) = (flatten("g"), flatten("c"), flatten_jac("j"));
    format!(
        r#"    report.check::<{n}>("{name}", {seed}, {helper}, &Fns {{
        plain: &|v, n, flag| {name}({plain_args}{statics}),
        dual: &|v, t, n, flag| {{ let d = {name}_dual({dual_args}{statics}); (d.re, d.eps) }},
        grad: &|v, n, flag| {{ let g = {name}::grad({plain_args}{statics}); {g} }},
        value_and_grad: &|v, n, flag| {{ let (y, g) = {name}::value_and_grad({plain_args}{statics}); (y, {g}) }},
        jvp: &|v, t, n, flag| {name}::jvp(({plain_args},{statics_tuple}), {tangents}),
        vjp: &|v, w, n, flag| {{ let (y, pullback) = {name}::vjp({plain_args}{statics}); let c = pullback(w); (y, {c}) }},
        jacfwd: &|v, n, flag| {{ let j = {name}::jacfwd({plain_args}{statics}); {jf} }},
        jacrev: &|v, n, flag| {{ let j = {name}::jacrev({plain_args}{statics}); {jr} }},
        hvp: {hvp},
    }});"#,
        statics_tuple = if helper { "" } else { " n, flag" },
        jf = j,
        jr = j,
        hvp = match p.second_order {
            true => format!("Some(&|v, t, n, flag| {{ let h = {name}::hvp({plain_args}{statics}, {direction}); {flat} }})",
                direction = match diff_count {
                    1 => owned[0].to_string(),
                    _ => format!("({})", owned.join(", ")),
                },
                flat = flatten("h")),
            false => "None".to_string(),
        },
    )
}

/// The control program and its deliberately wrong twin.
const CONTROL: &str = "#[differentiate]
#[allow(unused)]
pub fn control(x0: f64, n: usize, flag: bool) -> f64 {
    x0 * x0.sin() + 2.0
}

#[allow(unused)]
pub fn control_dual(x0: Dual64, n: usize, flag: bool) -> Dual64 {
    let y = x0 * x0.sin() + Dual64::from_re(2.0);
    Dual64::new(y.re, 1.01 * y.eps)
}

";

/// Builds and runs one batch's crate; its standard output.
fn run_crate(root: &Path, dir: &Path) -> String {
    let target: PathBuf = root.join("target");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() && !stdout.contains("TOTALS") {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .take(10)
            .collect();
        return format!(
            "FAIL build of {}: {}\n{stdout}",
            dir.display(),
            errors.join(" | ")
        );
    }
    stdout
}
