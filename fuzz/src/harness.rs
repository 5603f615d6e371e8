//! The checks each generated program goes through (copied into every
//! generated crate beside its programs, with `rng.rs`).

use std::cell::Cell;

use crate::rng::Rng;

thread_local! {
    /// Whether the twin's last evaluation took a piecewise-constant
    /// function within rounding of one of its jumps.
    static NEAR_JUMP: Cell<bool> = const { Cell::new(false) };
}

/// `op(x)` for a piecewise-constant `op` in a twin, noting when `x`
/// (whose derivative is `dx`) is within rounding of a jump: num-dual's
/// functions may round the last bit of `x` differently from the program's
/// (`tanh` near 1), and the jump then makes the values differ by a whole
/// step. Such points are skipped, as points next to kinks are; a constant
/// exactly at a jump (`signum(0.0)`, `2.0.fract()`, no derivative) is
/// computed alike by both. (num-dual's `tanh` near 1 gives a derivative of
/// exactly 0, so `dx` alone does not tell a constant.)
pub fn flat_twin(x: f64, dx: f64, op: fn(f64) -> f64) -> f64 {
    let width = 1e-9 * (1.0 + x.abs());
    let exact_constant = dx == 0.0 && (2.0 * x).fract() == 0.0;
    if !exact_constant && op(x - width) != op(x + width) {
        NEAR_JUMP.with(|j| j.set(true));
    }
    op(x)
}

/// One program in every mode, over flat inputs `v` (its differentiable
/// components in order), a tangent `t`, a cotangent `w`, and the static
/// arguments `n` and `flag`.
#[allow(clippy::type_complexity)]
pub struct Fns<'a> {
    pub plain: &'a dyn Fn(&[f64], usize, bool) -> f64,
    pub dual: &'a dyn Fn(&[f64], &[f64], usize, bool) -> (f64, f64),
    pub grad: &'a dyn Fn(&[f64], usize, bool) -> Vec<f64>,
    pub value_and_grad: &'a dyn Fn(&[f64], usize, bool) -> (f64, Vec<f64>),
    pub jvp: &'a dyn Fn(&[f64], &[f64], usize, bool) -> (f64, f64),
    pub vjp: &'a dyn Fn(&[f64], f64, usize, bool) -> (f64, Vec<f64>),
    pub jacfwd: &'a dyn Fn(&[f64], usize, bool) -> Vec<f64>,
    pub jacrev: &'a dyn Fn(&[f64], usize, bool) -> Vec<f64>,
    /// `H t`, where the program has second derivatives.
    pub hvp: Option<&'a dyn Fn(&[f64], &[f64], usize, bool) -> Vec<f64>>,
}

/// Counts and failures, printed at the end for the fuzzer to read.
#[derive(Default)]
pub struct Report {
    programs: usize,
    points: usize,
    checks: usize,
    skipped: usize,
    /// Failures of the control program (whose twin is wrong on purpose).
    control_failures: usize,
}

/// Relative agreement of two derivatives.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

impl Report {
    /// Checks one program with `N` inputs at a few points.
    pub fn check<const N: usize>(&mut self, name: &str, seed: u64, helper: bool, f: &Fns<'_>) {
        self.programs += 1;
        // Inputs, tangents and cotangents in [-1.5, 1.5).
        let mut rng = Rng::new(seed);
        let mut point = || 3.0 * rng.unit() - 1.5;
        for k in 0..4 {
            let v: Vec<f64> = (0..N).map(|_| point()).collect();
            let t: Vec<f64> = (0..N).map(|_| point()).collect();
            let w = point();
            let (n, flag) = if helper { (0, false) } else { (k % 5, k % 2 == 0) };
            for failure in self.point(name, f, &v, &t, w, n, flag) {
                match name {
                    "control" => self.control_failures += 1,
                    _ => println!("FAIL {failure}"),
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn point(
        &mut self,
        name: &str,
        f: &Fns<'_>,
        v: &[f64],
        t: &[f64],
        w: f64,
        n: usize,
        flag: bool,
    ) -> Vec<String> {
        let mut failures = Vec::new();
        let value = (f.plain)(v, n, flag);
        NEAR_JUMP.with(|j| j.set(false));
        let (dual_value, dual_tangent) = (f.dual)(v, t, n, flag);
        let near_jump = NEAR_JUMP.with(Cell::get);
        if !value.is_finite() || !dual_tangent.is_finite() || near_jump {
            self.skipped += 1;
            return failures;
        }
        // Central differences along t: the twin must agree, or the point is
        // next to a kink or a branch boundary.
        let h = 1e-6;
        let shifted = |s: f64| {
            let u: Vec<f64> = v.iter().zip(t).map(|(a, b)| a + s * h * b).collect();
            (f.plain)(&u, n, flag)
        };
        let fd = (shifted(1.0) - shifted(-1.0)) / (2.0 * h);
        if !close(fd, dual_tangent, 1e-4) && name != "control" {
            self.skipped += 1;
            return failures;
        }
        self.points += 1;
        let here = format!("{name} at {v:?}, n = {n}, flag = {flag}");
        let mut fail = |what: &str, detail: String| {
            failures.push(format!("{here}: {what}: {detail}"));
        };
        let tol = 1e-9;
        // The value: the twin computes the same operations, but for
        // `powf` (num-dual's `powd`, `exp(y ln x)`) and `hypot` (`√(a² + b²)`),
        // which round differently (2e-14 relative seen after a loop).
        self.checks += 1;
        if value.to_bits() != dual_value.to_bits() && !close(value, dual_value, 1e-12) {
            fail("value vs the twin", format!("{value} vs {dual_value}"));
        }
        // grad against one dual pass per input component.
        let grad = (f.grad)(v, n, flag);
        self.checks += 1;
        for k in 0..v.len() {
            let e: Vec<f64> = (0..v.len()).map(|i| if i == k { 1.0 } else { 0.0 }).collect();
            let (_, d) = (f.dual)(v, &e, n, flag);
            if !close(grad[k], d, tol) {
                fail("grad vs num-dual", format!("component {k}: {} vs {d}", grad[k]));
            }
        }
        // value_and_grad: the function's value bit for bit, grad's gradient.
        let (y, g) = (f.value_and_grad)(v, n, flag);
        self.checks += 1;
        if y.to_bits() != value.to_bits() {
            fail("value_and_grad's value", format!("{y} vs {value}"));
        }
        if g.iter().zip(&grad).any(|(a, b)| a.to_bits() != b.to_bits()) {
            fail("value_and_grad's gradient", format!("{g:?} vs {grad:?}"));
        }
        // jvp against the twin along t.
        let (y, dy) = (f.jvp)(v, t, n, flag);
        self.checks += 1;
        if y.to_bits() != value.to_bits() {
            fail("jvp's value", format!("{y} vs {value}"));
        }
        if !close(dy, dual_tangent, tol) {
            fail("jvp vs num-dual", format!("{dy} vs {dual_tangent}"));
        }
        // vjp: w times the gradient, and the dot-product test.
        let (y, c) = (f.vjp)(v, w, n, flag);
        self.checks += 1;
        if y.to_bits() != value.to_bits() {
            fail("vjp's value", format!("{y} vs {value}"));
        }
        let dot: f64 = c.iter().zip(t).map(|(a, b)| a * b).sum();
        if !close(dot, w * dy, tol) {
            fail("<vjp(w), t> vs w jvp(t)", format!("{dot} vs {}", w * dy));
        }
        for (k, (ck, gk)) in c.iter().zip(&grad).enumerate() {
            if !close(*ck, w * gk, tol) {
                fail("vjp vs w grad", format!("component {k}: {ck} vs {}", w * gk));
            }
        }
        // The Jacobians of a scalar function: the gradient as one row.
        for (what, jac) in [("jacfwd", (f.jacfwd)(v, n, flag)), ("jacrev", (f.jacrev)(v, n, flag))] {
            self.checks += 1;
            if jac.len() != grad.len() || jac.iter().zip(&grad).any(|(a, b)| !close(*a, *b, tol)) {
                fail(what, format!("{jac:?} vs grad {grad:?}"));
            }
        }
        // hvp against central differences of grad along t, at two steps:
        // where they disagree, a kink or a branch boundary is near.
        if let Some(hvp) = f.hvp {
            let along = |h: f64| -> Vec<f64> {
                let at = |s: f64| {
                    let u: Vec<f64> = v.iter().zip(t).map(|(a, b)| a + s * h * b).collect();
                    (f.grad)(&u, n, flag)
                };
                let (plus, minus) = (at(1.0), at(-1.0));
                plus.iter().zip(&minus).map(|(p, m)| (p - m) / (2.0 * h)).collect()
            };
            let (coarse, fine) = (along(1e-4), along(1e-5));
            if coarse.iter().zip(&fine).all(|(a, b)| close(*a, *b, 1e-4)) {
                self.checks += 1;
                let hv = hvp(v, t, n, flag);
                for (k, (a, b)) in hv.iter().zip(&fine).enumerate() {
                    if !close(*a, *b, 1e-5) {
                        fail("hvp vs differences of grad", format!("component {k}: {a} vs {b}"));
                    }
                }
            }
        }
        failures
    }

    /// Prints the counts.
    pub fn finish(self) {
        // The control's twin is off by 1% in its derivative: the checks
        // that compare with the twin must have seen it.
        if self.control_failures == 0 {
            println!("FAIL control: a twin with a wrong derivative passed every check");
        }
        println!(
            "TOTALS {} {} {} {}",
            self.programs, self.points, self.checks, self.skipped
        );
    }
}
