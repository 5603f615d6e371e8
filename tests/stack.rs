//! What a fixed-size gradient costs on the stack, measured: each gradient
//! runs on a thread of a given stack size in a child process (a stack
//! overflow aborts the process), and the smallest size that completes is
//! found by bisection, less what an empty thread needs. Also the bytes a
//! fixed tape adds per record (`size_of_val` of the pullback, which owns
//! the tapes). The figures are printed (`--nocapture`) and recorded in
//! `docs/control_flow.md`; the assertions are only on their shape.

use std::process::Command;

use autodiff::nalgebra::{Matrix3, Vector3};
use autodiff::prelude::*;

/// Iterated squaring with a 16-record tape.
#[differentiate(tape = 16)]
fn square_until_16(x: f64, limit: f64) -> f64 {
    let mut y = x;
    while y < limit {
        y = y * y;
    }
    y
}

/// The same with a 64-record tape.
#[differentiate(tape = 64)]
fn square_until_64(x: f64, limit: f64) -> f64 {
    let mut y = x;
    while y < limit {
        y = y * y;
    }
    y
}

/// 1,000 explicit Euler steps of a pendulum: a constant bound, so a fixed
/// tape of 1,000 records.
#[differentiate]
fn pendulum(theta0: f64, omega0: f64) -> f64 {
    let (mut theta, mut omega) = (theta0, omega0);
    let dt = 0.001;
    for _ in 0..1000 {
        let next = omega - dt * theta.sin();
        theta += dt * omega;
        omega = next;
    }
    theta
}

/// Straight-line code on a static matrix.
#[differentiate]
fn quadratic_form(m: Matrix3<f64>, v: Vector3<f64>) -> f64 {
    (m * v).dot(&v) + m.norm_squared()
}

/// The workloads, by name, each in a frame of its own (inlined into one
/// `match`, every arm would pay for the largest).
fn run(name: &str) {
    #[inline(never)]
    fn square_16() {
        std::hint::black_box(square_until_16::grad(1.5, 10.0));
    }
    #[inline(never)]
    fn square_64() {
        std::hint::black_box(square_until_64::grad(1.5, 10.0));
    }
    #[inline(never)]
    fn euler() {
        std::hint::black_box(pendulum::grad(0.5, 0.1));
    }
    #[inline(never)]
    fn quadratic() {
        std::hint::black_box(quadratic_form::grad(
            Matrix3::identity(),
            Vector3::new(1.0, 2.0, 3.0),
        ));
    }
    match name {
        "empty" => {}
        "square_until_16" => square_16(),
        "square_until_64" => square_64(),
        "pendulum" => euler(),
        "quadratic_form" => quadratic(),
        other => panic!("unknown workload {other}"),
    }
}

/// Runs `name` with 64 KiB of the stack taken first, so that every
/// workload, the empty one too, needs more than a thread's minimum stack
/// and the differences show to a page.
#[inline(never)]
fn padded(name: &str) {
    let pad = std::hint::black_box([1u8; 65536]);
    run(name);
    std::hint::black_box(&pad);
}

/// Whether `name` completes on a thread with `bytes` of stack (in a child
/// process).
fn fits(name: &str, bytes: usize) -> bool {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "stack_probe", "--nocapture", "--test-threads=1"])
        .env("AUTODIFF_STACK_PROBE", format!("{name}:{bytes}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The smallest stack (to a page) on which `name` completes.
fn smallest_stack(name: &str) -> usize {
    let (mut lo, mut hi) = (4096usize, 64 << 20);
    assert!(fits(name, hi), "{name} does not run on {hi} bytes");
    while hi - lo > 4096 {
        let mid = (lo + hi) / 2 / 4096 * 4096;
        if fits(name, mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// In the child: runs one workload on a thread of the given stack size.
#[test]
fn stack_probe() {
    let Ok(spec) = std::env::var("AUTODIFF_STACK_PROBE") else {
        return;
    };
    let (name, bytes) = spec.split_once(':').expect("name:bytes");
    let bytes: usize = bytes.parse().expect("a size");
    let name = name.to_string();
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(move || padded(&name))
        .expect("a thread")
        .join()
        .expect("the workload");
}

#[test]
fn stack_use_of_fixed_size_gradients() {
    if std::env::var("AUTODIFF_STACK_PROBE").is_ok() {
        return;
    }
    let empty = smallest_stack("empty");
    let mut report = Vec::new();
    for name in [
        "square_until_16",
        "square_until_64",
        "pendulum",
        "quadratic_form",
    ] {
        let used = smallest_stack(name).saturating_sub(empty);
        report.push((name, used));
        println!("{name}: about {used} bytes of stack (to a page) beyond an empty workload's");
    }
    // A fixed tape lives in the frame: 48 more records take more stack.
    let of = |n: &str| report.iter().find(|(k, _)| *k == n).map_or(0, |(_, b)| *b);
    assert!(of("square_until_64") >= of("square_until_16"));
    assert!(of("pendulum") > of("quadratic_form"));
}

#[test]
fn a_fixed_tape_costs_its_records() {
    // The pullback owns the tapes: its size is what `tape = N` costs.
    let small = std::mem::size_of_val(&square_until_16::vjp(1.5, 10.0).1);
    let large = std::mem::size_of_val(&square_until_64::vjp(1.5, 10.0).1);
    let per_record = (large - small) / 48;
    println!("tape = 16: {small} bytes, tape = 64: {large} bytes, {per_record} bytes a record");
    assert_eq!(large - small, 48 * per_record, "linear in N");
    // One record of `y = y * y`: the product's two partials, in an Option.
    assert_eq!(per_record, std::mem::size_of::<Option<(f64, f64)>>());
    let pendulum = std::mem::size_of_val(&pendulum::vjp(0.5, 0.1).1);
    println!("pendulum (1,000 records): {pendulum} bytes");
    assert!(pendulum >= 1000 * 8);
}
