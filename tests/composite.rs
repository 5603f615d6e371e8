//! Functions built from several primitives, against independent oracles.
//!
//! - The dot-product test, `<jvp(v), w> = <v, vjp(w)>`, on functions of 3 and
//!   4 arguments mixing primitives, a static integer argument, `let mut`
//!   with compound assignment, shadowing (of locals and of arguments),
//!   blocks, type annotations and `wrt(..)` subsets, at several
//!   deterministic pseudo-random points with pseudo-random `v` and `w`.
//!   Forward and reverse mode are generated separately, so agreement is a
//!   real check of both.
//! - Each gradient, and each `jvp`, against num-dual: the same body written
//!   for dual numbers.
//! - The values returned by `value_and_grad`, `jvp` and `vjp` equal the kept
//!   function's exactly.
//! - The tutorial's numbers, against closed forms.
//! - Degenerate cases: an argument the output does not depend on (gradient
//!   exactly 0), a constant function, an argument used many times, the
//!   identity.
//!
//! Tolerances (relative, `|got - want| <= tol * max(|want|, scale)`):
//! f64: `1e-12`, f32: `1e-5` (about 80 ulps), for every comparison with
//! num-dual and for the dot-product test. `scale` is the size of what is
//! being summed: the largest partial for one partial (a small partial can be
//! the sum of larger terms that cancel), `Σ |g_i v_i|` for a `jvp` and
//! `Σ |g_i v_i w|` for the dot-product test (the two sides add the same
//! terms in different orders). Both tolerances are far below the O(1) error
//! of a wrong derivative and well above the rounding differences between
//! two evaluations of the same derivative (measured: at most `1e-15` in f64,
//! `5e-7` in f32).

use autodiff::prelude::*;
use common::{close, GradVec, Rng, TOL32, TOL64};

mod common;
use num_dual::{Dual, Dual32, Dual64, DualNum, DualNumFloat};
use std::fmt::{Debug, Display};

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

trait TestFloat: DualNumFloat + Debug + Display {
    fn as_f64(self) -> f64;
    fn of_f64(x: f64) -> Self;
}

impl TestFloat for f64 {
    fn as_f64(self) -> f64 {
        self
    }
    fn of_f64(x: f64) -> Self {
        x
    }
}

impl TestFloat for f32 {
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    fn of_f64(x: f64) -> Self {
        x as f32
    }
}

type Args<'a, F> = &'a dyn Fn(&[F]) -> F;
type Grad<'a, F> = &'a dyn Fn(&[F]) -> Vec<F>;
type ValueAndGrad<'a, F> = &'a dyn Fn(&[F]) -> (F, Vec<F>);
type Jvp<'a, F> = &'a dyn Fn(&[F], &[F]) -> (F, F);
type Vjp<'a, F> = &'a dyn Fn(&[F], &[F]) -> (F, Vec<Vec<F>>);
type DualFn<'a, F> = &'a dyn Fn(&[Dual<F>]) -> Dual<F>;

/// A differentiated function seen through slices: `args` holds its float
/// arguments in order (static ones are captured by the closures), `diff`
/// says which of them are differentiable, `ranges` where to sample them.
struct Case<'a, F> {
    name: &'a str,
    diff: &'a [usize],
    ranges: &'a [(f64, f64)],
    /// The kept function.
    value: Args<'a, F>,
    /// The same body on dual numbers (num-dual).
    dual: DualFn<'a, F>,
    grad: Grad<'a, F>,
    value_and_grad: ValueAndGrad<'a, F>,
    /// `(args, tangents of the differentiable arguments)`.
    jvp: Jvp<'a, F>,
    /// `(args, cotangents)`: one `vjp`, its pullback applied to each.
    vjp: Vjp<'a, F>,
}

impl<F: TestFloat> Case<'_, F> {
    /// The directional derivative from num-dual along `tangent` (one entry
    /// per differentiable argument).
    fn dual_jvp(&self, args: &[F], tangent: &[F]) -> f64 {
        let mut duals: Vec<Dual<F>> = args.iter().map(|&a| Dual::new(a, F::zero())).collect();
        for (&i, &t) in self.diff.iter().zip(tangent) {
            duals[i].eps = t;
        }
        (self.dual)(&duals).eps.as_f64()
    }

    /// Runs every check at `trials` pseudo-random points.
    fn run(&self, trials: usize, seed: u64, tol: f64) {
        let mut rng = Rng(seed);
        let mut fails = Vec::new();
        let n = self.diff.len();
        for trial in 0..trials {
            let p: Vec<F> = self
                .ranges
                .iter()
                .map(|&(lo, hi)| F::of_f64(rng.uniform(lo, hi)))
                .collect();
            let v: Vec<F> = (0..n).map(|_| F::of_f64(rng.uniform(-2.0, 2.0))).collect();
            let w = F::of_f64(rng.uniform(-2.0, 2.0));
            let at = format!("{} trial {trial} at {p:?}", self.name);
            let value = (self.value)(&p);
            assert!(value.is_finite(), "{at}: sampled outside the domain");

            // Values are exactly those of the kept function.
            let (vg_value, vg_grad) = (self.value_and_grad)(&p);
            let (jvp_value, jvp_tangent) = (self.jvp)(&p, &v);
            let (vjp_value, pulled) = (self.vjp)(&p, &[w, F::one()]);
            for (what, got) in [
                ("value_and_grad", vg_value),
                ("jvp", jvp_value),
                ("vjp", vjp_value),
            ] {
                if got != value {
                    fails.push(format!(
                        "{at}: {what} value {got}, expected exactly {value}"
                    ));
                }
            }

            // The gradient against num-dual, one partial at a time, relative
            // to the largest partial: a small partial can be the sum of
            // larger terms that cancel, and its rounding error is theirs.
            let grad = (self.grad)(&p);
            let partials: Vec<f64> = (0..n)
                .map(|k| {
                    let mut unit = vec![F::zero(); n];
                    unit[k] = F::one();
                    self.dual_jvp(&p, &unit)
                })
                .collect();
            let largest = partials.iter().fold(0.0f64, |m, g| m.max(g.abs()));
            for (k, &want) in partials.iter().enumerate() {
                for (what, got) in [
                    ("grad", grad[k]),
                    ("value_and_grad", vg_grad[k]),
                    ("pullback(1)", pulled[1][k]),
                ] {
                    let got = got.as_f64();
                    if !close(got, want, tol, largest) {
                        fails.push(format!(
                            "{at}: {what} partial {k} (argument {}): num-dual says {want:e}, got {got:e}",
                            self.diff[k]
                        ));
                    }
                }
            }

            // jvp against num-dual along v.
            let scale: f64 = partials
                .iter()
                .zip(&v)
                .map(|(g, t)| (g * t.as_f64()).abs())
                .sum();
            let want = self.dual_jvp(&p, &v);
            let got = jvp_tangent.as_f64();
            if !close(got, want, tol, scale) {
                fails.push(format!(
                    "{at}: jvp along {v:?}: num-dual says {want:e}, got {got:e}"
                ));
            }

            // The dot-product test: <jvp(v), w> = <v, vjp(w)>.
            let lhs = jvp_tangent.as_f64() * w.as_f64();
            let rhs: f64 = v
                .iter()
                .zip(&pulled[0])
                .map(|(a, b)| a.as_f64() * b.as_f64())
                .sum();
            if !close(lhs, rhs, tol, scale * w.as_f64().abs()) {
                fails.push(format!(
                    "{at}: dot-product test with v = {v:?}, w = {w}: <jvp(v), w> = {lhs:e}, <v, vjp(w)> = {rhs:e}"
                ));
            }
        }
        assert!(
            fails.is_empty(),
            "{} failure(s):\n{}",
            fails.len(),
            fails.join("\n")
        );
    }
}

/// Comparisons of duals compare real parts; used away from ties and kinks.
fn dual_max<F: DualNumFloat>(a: Dual<F>, b: Dual<F>) -> Dual<F> {
    if a >= b {
        a
    } else {
        b
    }
}

fn dual_min<F: DualNumFloat>(a: Dual<F>, b: Dual<F>) -> Dual<F> {
    if a <= b {
        a
    } else {
        b
    }
}

fn dual_clamp<F: DualNumFloat>(x: Dual<F>, lo: F, hi: F) -> Dual<F> {
    if x.re < lo {
        Dual::from_re(lo)
    } else if x.re > hi {
        Dual::from_re(hi)
    } else {
        x
    }
}

fn dual_abs<F: DualNumFloat>(x: Dual<F>) -> Dual<F> {
    if x.re >= F::zero() {
        x
    } else {
        -x
    }
}

// ---------------------------------------------------------------------------
// The functions, each with its dual-number twin
// ---------------------------------------------------------------------------

/// Shadowing, `let mut` with `+=` and `*=`, `powi`, `hypot`.
macro_rules! shadowed {
    ($name:ident, $dual_name:ident, $t:ident, $dual:ty) => {
        #[differentiate]
        fn $name(x: $t, y: $t, z: $t) -> $t {
            let a = x * y.sin();
            let mut s = a + z.exp();
            s += x.powi(2) * z;
            s *= 0.5;
            let a = s / (1.0 + y * y);
            a.tanh() + x.hypot(z)
        }

        fn $dual_name(x: $dual, y: $dual, z: $dual) -> $dual {
            let a = x * y.sin();
            let mut s = a + z.exp();
            s += x.powi(2) * z;
            s *= 0.5;
            let a = s / (y * y + 1.0);
            a.tanh() + (x * x + z * z).sqrt()
        }
    };
}
shadowed!(shadowed, shadowed_dual, f64, Dual64);
shadowed!(shadowed32, shadowed32_dual, f32, Dual32);

/// A static integer argument between float ones, used by `powi` and in a
/// cast; `-=` and `/=`; the path spelling `f64::atan2`.
macro_rules! with_static {
    ($name:ident, $dual_name:ident, $t:ident, $dual:ty) => {
        #[differentiate]
        fn $name(x: $t, n: i32, y: $t, w: $t) -> $t {
            let mut acc = x.powi(n);
            acc -= y.ln_1p() * w;
            acc /= 2.0 + w.cos();
            acc + $t::atan2(y, x) * (n as $t)
        }

        fn $dual_name(x: $dual, n: i32, y: $dual, w: $dual) -> $dual {
            let mut acc = x.powi(n);
            acc -= y.ln_1p() * w;
            acc /= w.cos() + 2.0;
            acc + y.atan2(x) * (n as $t)
        }
    };
}
with_static!(with_static, with_static_dual, f64, Dual64);
with_static!(with_static32, with_static32_dual, f32, Dual32);

/// `wrt(x, z)`: `y` is a float argument that is not differentiated, `k` a
/// static one converted with `f64::from`; a type annotation and a block.
#[differentiate(wrt(x, z))]
fn subset(x: f64, y: f64, z: f64, k: i32) -> f64 {
    let t: f64 = x.mul_add(y, z);
    let u = {
        let q = t * t;
        q.ln_1p() + (z / y).exp()
    };
    u * f64::from(k) - x.atan() * y
}

fn subset_dual(x: Dual64, y: Dual64, z: Dual64, k: i32) -> Dual64 {
    let t = x * y + z;
    let u = {
        let q = t * t;
        q.ln_1p() + (z / y).exp()
    };
    u * f64::from(k) - x.atan() * y
}

/// Four arguments: `max`, `clamp` with literal bounds, `min` with a literal,
/// `abs`, `cbrt`, `exp2`, `log` with a non-constant base, `mul_add` in a
/// block, and an argument shadowed by a local.
#[differentiate]
fn mixed(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let t = {
        let u = a * b;
        u.mul_add(c, d)
    };
    let a = a.max(b) + t.clamp(-1.0, 1.0);
    let r = (c * c + 1.0).sqrt().log(2.0 + d * d);
    a * r - (b - c).abs().cbrt() + d.exp2().min(4.0)
}

fn mixed_dual(a: Dual64, b: Dual64, c: Dual64, d: Dual64) -> Dual64 {
    let t = {
        let u = a * b;
        u * c + d
    };
    let a = dual_max(a, b) + dual_clamp(t, -1.0, 1.0);
    let r = (c * c + 1.0).sqrt().ln() / (d * d + 2.0).ln();
    a * r - dual_abs(b - c).cbrt() + dual_min(d.exp2(), Dual64::from_re(4.0))
}

/// `wrt(y)` alone: `grad` returns a bare value; `powf` with both operands
/// variable, `recip`, trigonometric and hyperbolic functions, unary minus.
#[differentiate(wrt(y))]
fn only_y(x: f64, y: f64) -> f64 {
    let s = x.sin() * y.powf(x) + y.recip();
    -s * (y * x).cosh().sqrt()
}

fn only_y_dual(x: Dual64, y: Dual64) -> Dual64 {
    let s = x.sin() * y.powd(x) + y.recip();
    -s * (y * x).cosh().sqrt()
}

/// Three arguments with `let mut` updated from another `let mut`,
/// reassignment (`=`), inverse hyperbolic and logarithmic functions (`q`
/// stays in `(-0.9, 0.9)`, inside the domains of `atanh` and `asin`).
#[differentiate]
fn chain(x: f64, y: f64, z: f64) -> f64 {
    let mut p = x.asinh();
    let mut q = (y.log10() - z.log2()).tanh() * 0.9;
    p = p * q + z.acosh();
    q /= p.abs() + 1.0;
    p -= q.atanh() * x.exp_m1();
    p + x.cbrt() * q.asin()
}

fn chain_dual(x: Dual64, y: Dual64, z: Dual64) -> Dual64 {
    let mut p = x.asinh();
    let mut q = (y.log10() - z.log2()).tanh() * 0.9;
    p = p * q + z.acosh();
    q /= dual_abs(p) + 1.0;
    p -= q.atanh() * x.exp_m1();
    p + x.cbrt() * q.asin()
}

// ---------------------------------------------------------------------------
// Dot-product tests and num-dual gradients
// ---------------------------------------------------------------------------

#[test]
fn shadowed_and_compound_assignment() {
    Case::<f64> {
        name: "shadowed",
        diff: &[0, 1, 2],
        ranges: &[(-2.0, 2.0), (-2.0, 2.0), (-1.5, 1.5)],
        value: &|a| shadowed(a[0], a[1], a[2]),
        dual: &|d| shadowed_dual(d[0], d[1], d[2]),
        grad: &|a| shadowed::grad(a[0], a[1], a[2]).into_vec(),
        value_and_grad: &|a| {
            let (v, g) = shadowed::value_and_grad(a[0], a[1], a[2]);
            (v, g.into_vec())
        },
        jvp: &|a, t| shadowed::jvp((a[0], a[1], a[2]), (t[0], t[1], t[2])),
        vjp: &|a, cts| {
            let (v, pullback) = shadowed::vjp(a[0], a[1], a[2]);
            (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
        },
    }
    .run(8, 1, TOL64);
}

#[test]
fn static_argument() {
    for n in [3, -2, 0, 1] {
        Case::<f64> {
            name: &format!("with_static(n = {n})"),
            diff: &[0, 1, 2],
            ranges: &[(0.5, 2.0), (0.1, 3.0), (-2.0, 2.0)],
            value: &|a| with_static(a[0], n, a[1], a[2]),
            dual: &|d| with_static_dual(d[0], n, d[1], d[2]),
            grad: &|a| with_static::grad(a[0], n, a[1], a[2]).into_vec(),
            value_and_grad: &|a| {
                let (v, g) = with_static::value_and_grad(a[0], n, a[1], a[2]);
                (v, g.into_vec())
            },
            jvp: &|a, t| with_static::jvp((a[0], n, a[1], a[2]), (t[0], t[1], t[2])),
            vjp: &|a, cts| {
                let (v, pullback) = with_static::vjp(a[0], n, a[1], a[2]);
                (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
            },
        }
        .run(6, 2, TOL64);
    }
}

#[test]
fn wrt_subset() {
    for k in [2, -1] {
        Case::<f64> {
            name: &format!("subset(k = {k})"),
            diff: &[0, 2],
            ranges: &[(-1.5, 1.5), (0.5, 2.0), (-1.0, 1.0)],
            value: &|a| subset(a[0], a[1], a[2], k),
            dual: &|d| subset_dual(d[0], d[1], d[2], k),
            grad: &|a| subset::grad(a[0], a[1], a[2], k).into_vec(),
            value_and_grad: &|a| {
                let (v, g) = subset::value_and_grad(a[0], a[1], a[2], k);
                (v, g.into_vec())
            },
            jvp: &|a, t| subset::jvp((a[0], a[1], a[2], k), (t[0], t[1])),
            vjp: &|a, cts| {
                let (v, pullback) = subset::vjp(a[0], a[1], a[2], k);
                (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
            },
        }
        .run(6, 3, TOL64);
    }
}

#[test]
fn four_arguments_mixed_primitives() {
    Case::<f64> {
        name: "mixed",
        diff: &[0, 1, 2, 3],
        ranges: &[(-2.0, 2.0), (-2.0, 2.0), (-2.0, 2.0), (-1.5, 2.5)],
        value: &|a| mixed(a[0], a[1], a[2], a[3]),
        dual: &|d| mixed_dual(d[0], d[1], d[2], d[3]),
        grad: &|a| mixed::grad(a[0], a[1], a[2], a[3]).into_vec(),
        value_and_grad: &|a| {
            let (v, g) = mixed::value_and_grad(a[0], a[1], a[2], a[3]);
            (v, g.into_vec())
        },
        jvp: &|a, t| mixed::jvp((a[0], a[1], a[2], a[3]), (t[0], t[1], t[2], t[3])),
        vjp: &|a, cts| {
            let (v, pullback) = mixed::vjp(a[0], a[1], a[2], a[3]);
            (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
        },
    }
    .run(12, 4, TOL64);
}

#[test]
fn single_wrt_argument() {
    Case::<f64> {
        name: "only_y",
        diff: &[1],
        ranges: &[(-2.0, 2.0), (0.2, 2.0)],
        value: &|a| only_y(a[0], a[1]),
        dual: &|d| only_y_dual(d[0], d[1]),
        grad: &|a| vec![only_y::grad(a[0], a[1])],
        value_and_grad: &|a| {
            let (v, g) = only_y::value_and_grad(a[0], a[1]);
            (v, vec![g])
        },
        jvp: &|a, t| only_y::jvp((a[0], a[1]), (t[0],)),
        vjp: &|a, cts| {
            let (v, pullback) = only_y::vjp(a[0], a[1]);
            (v, cts.iter().map(|&c| vec![pullback(c)]).collect())
        },
    }
    .run(8, 5, TOL64);
}

#[test]
fn reassignment_chain() {
    Case::<f64> {
        name: "chain",
        diff: &[0, 1, 2],
        ranges: &[(-1.5, 1.5), (0.5, 5.0), (1.2, 4.0)],
        value: &|a| chain(a[0], a[1], a[2]),
        dual: &|d| chain_dual(d[0], d[1], d[2]),
        grad: &|a| chain::grad(a[0], a[1], a[2]).into_vec(),
        value_and_grad: &|a| {
            let (v, g) = chain::value_and_grad(a[0], a[1], a[2]);
            (v, g.into_vec())
        },
        jvp: &|a, t| chain::jvp((a[0], a[1], a[2]), (t[0], t[1], t[2])),
        vjp: &|a, cts| {
            let (v, pullback) = chain::vjp(a[0], a[1], a[2]);
            (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
        },
    }
    .run(10, 6, TOL64);
}

#[test]
fn single_precision() {
    Case::<f32> {
        name: "shadowed32",
        diff: &[0, 1, 2],
        ranges: &[(-2.0, 2.0), (-2.0, 2.0), (-1.5, 1.5)],
        value: &|a| shadowed32(a[0], a[1], a[2]),
        dual: &|d| shadowed32_dual(d[0], d[1], d[2]),
        grad: &|a| shadowed32::grad(a[0], a[1], a[2]).into_vec(),
        value_and_grad: &|a| {
            let (v, g) = shadowed32::value_and_grad(a[0], a[1], a[2]);
            (v, g.into_vec())
        },
        jvp: &|a, t| shadowed32::jvp((a[0], a[1], a[2]), (t[0], t[1], t[2])),
        vjp: &|a, cts| {
            let (v, pullback) = shadowed32::vjp(a[0], a[1], a[2]);
            (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
        },
    }
    .run(8, 7, TOL32);
    for n in [3, -2] {
        Case::<f32> {
            name: &format!("with_static32(n = {n})"),
            diff: &[0, 1, 2],
            ranges: &[(0.5, 2.0), (0.1, 3.0), (-2.0, 2.0)],
            value: &|a| with_static32(a[0], n, a[1], a[2]),
            dual: &|d| with_static32_dual(d[0], n, d[1], d[2]),
            grad: &|a| with_static32::grad(a[0], n, a[1], a[2]).into_vec(),
            value_and_grad: &|a| {
                let (v, g) = with_static32::value_and_grad(a[0], n, a[1], a[2]);
                (v, g.into_vec())
            },
            jvp: &|a, t| with_static32::jvp((a[0], n, a[1], a[2]), (t[0], t[1], t[2])),
            vjp: &|a, cts| {
                let (v, pullback) = with_static32::vjp(a[0], n, a[1], a[2]);
                (v, cts.iter().map(|&c| pullback(c).into_vec()).collect())
            },
        }
        .run(6, 8, TOL32);
    }
}

// ---------------------------------------------------------------------------
// The tutorial's numbers (closed forms)
// ---------------------------------------------------------------------------

#[differentiate]
fn sine(x: f64) -> f64 {
    x.sin()
}

#[differentiate]
fn tutorial(x: f64) -> f64 {
    (x * x).sin() + 3.0 * x * x
}

#[differentiate]
fn tutorial_powi(x: f64) -> f64 {
    x.powi(2).sin() + 3.0 * x.powi(2)
}

#[differentiate]
fn tutorial32(x: f32) -> f32 {
    (x * x).sin() + 3.0 * x * x
}

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

/// `2x cos(x²) + 6x`, the derivative of the tutorial's function by hand.
fn tutorial_derivative(x: f64) -> f64 {
    2.0 * x * (x * x).cos() + 6.0 * x
}

#[test]
fn tutorial_sine_at_one() {
    let g = sine::grad(1.0);
    assert!(
        close(g, 1f64.cos(), 1e-15, 0.0),
        "grad sin at 1: {g} vs cos 1"
    );
    assert_eq!(format!("{g:.4}"), "0.5403");
    assert_eq!(sine(1.0), 1f64.sin());
}

#[test]
fn tutorial_function_at_two() {
    for (form, g, (v, vg)) in [
        ("x * x", tutorial::grad(2.0), tutorial::value_and_grad(2.0)),
        (
            "powi",
            tutorial_powi::grad(2.0),
            tutorial_powi::value_and_grad(2.0),
        ),
    ] {
        assert_eq!(format!("{g:.4}"), "9.3854", "{form}: f'(2) = {g}");
        let want = tutorial_derivative(2.0);
        assert!(
            close(g, want, 1e-14, 0.0),
            "{form}: f'(2) = {g}, 2x cos(x²) + 6x = {want}"
        );
        assert_eq!(g, vg, "{form}: grad and value_and_grad disagree");
        assert!(
            close(v, 4f64.sin() + 12.0, 1e-15, 0.0),
            "{form}: f(2) = {v}"
        );
    }
    assert_eq!(tutorial(2.0), tutorial::value_and_grad(2.0).0);
    assert_eq!(tutorial_powi(2.0), tutorial_powi::value_and_grad(2.0).0);
    // The contract's other entry points at the same point.
    let want = tutorial_derivative(2.0);
    let (y, dy) = tutorial::jvp((2.0,), (1.0,));
    assert_eq!(y, tutorial(2.0));
    assert!(close(dy, want, 1e-14, 0.0), "jvp: {dy} vs {want}");
    let (y, pullback) = tutorial::vjp(2.0);
    assert_eq!(y, tutorial(2.0));
    assert!(close(pullback(1.0), want, 1e-14, 0.0));
    assert!(close(pullback(-2.0), -2.0 * want, 1e-14, 0.0));
    // And elsewhere, against the hand-written derivative.
    for x in [-3.0, -0.7, 0.0, 0.4, 1.3, 5.0] {
        let want = tutorial_derivative(x);
        for got in [tutorial::grad(x), tutorial_powi::grad(x)] {
            assert!(
                close(got, want, 1e-13, 1e-300),
                "f'({x}) = {got}, expected {want}"
            );
        }
    }
}

#[test]
fn tutorial_function_single_precision() {
    let x = 2.0f32;
    let g = tutorial32::grad(x);
    let want = 2.0 * x * (x * x).cos() + 6.0 * x;
    assert!(
        close(g.into(), want.into(), TOL32, 0.0),
        "f32 f'(2) = {g}, expected {want}"
    );
    assert!((f64::from(g) - 9.3854).abs() < 5e-5, "f32 f'(2) = {g}");
    assert_eq!(tutorial32::value_and_grad(x).0, tutorial32(x));
}

#[test]
fn square_at_three() {
    assert_eq!(square::value_and_grad(3.0), (9.0, 6.0));
    assert_eq!(square::jvp((3.0,), (0.5,)), (9.0, 3.0));
    assert_eq!(square::vjp(3.0).1(2.0), 12.0);
}

// ---------------------------------------------------------------------------
// Degenerate cases
// ---------------------------------------------------------------------------

/// `y` is not used at all.
#[differentiate]
#[allow(unused_variables)]
fn ignores_y(x: f64, y: f64) -> f64 {
    x.sin() * 2.0
}

/// `y` is used, but only in a value that is thrown away, or cancels.
#[differentiate]
#[allow(clippy::eq_op)]
fn y_cancels(x: f64, y: f64) -> f64 {
    let _unused = y.exp();
    x * 3.0 + (y - y)
}

#[differentiate]
#[allow(unused_variables)]
fn constant(x: f64) -> f64 {
    2.5
}

#[differentiate]
#[allow(unused_variables)]
fn constant_expression(x: f64, y: f64) -> f64 {
    let c = 2.0;
    c * 3.0 + 1.0
}

#[differentiate]
fn identity(x: f64) -> f64 {
    x
}

/// `x` appears many times, through many primitives.
#[differentiate]
fn many_uses(x: f64) -> f64 {
    x * x * x + x.sin() * x - x / (1.0 + x * x) + x.exp() * x.cos() + x.powi(3) * x + x
}

fn many_uses_dual(x: Dual64) -> Dual64 {
    x * x * x + x.sin() * x - x / (x * x + 1.0) + x.exp() * x.cos() + x.powi(3) * x + x
}

/// The derivative of `many_uses` by hand.
fn many_uses_derivative(x: f64) -> f64 {
    let d = 1.0 + x * x;
    3.0 * x * x + x.cos() * x + x.sin() - (d - 2.0 * x * x) / (d * d)
        + x.exp() * (x.cos() - x.sin())
        + 4.0 * x.powi(3)
        + 1.0
}

#[test]
fn unused_argument_has_zero_gradient() {
    for (x, y) in [(0.3, 1.7), (-2.0, 0.0), (1.0, -5.0)] {
        let (gx, gy) = ignores_y::grad(x, y);
        assert_eq!(
            gy.to_bits(),
            0.0f64.to_bits(),
            "d/dy of a function without y at ({x}, {y}): {gy}"
        );
        assert!(close(gx, 2.0 * x.cos(), 1e-15, 0.0));
        assert_eq!(ignores_y::jvp((x, y), (0.0, 1.0)).1, 0.0);
        assert_eq!(ignores_y::vjp(x, y).1(3.0).1, 0.0);
        assert_eq!(ignores_y::value_and_grad(x, y).0, ignores_y(x, y));

        let (gx, gy) = y_cancels::grad(x, y);
        assert_eq!(gy, 0.0, "d/dy (y - y) at ({x}, {y})");
        assert_eq!(gx, 3.0);
        assert_eq!(y_cancels::jvp((x, y), (0.0, 1.0)), (y_cancels(x, y), 0.0));
        assert_eq!(y_cancels::vjp(x, y).1(2.0), (6.0, 0.0));
    }
}

#[test]
fn constant_function() {
    for x in [-1.0, 0.0, 3.5] {
        assert_eq!(constant::grad(x), 0.0);
        assert_eq!(constant::value_and_grad(x), (2.5, 0.0));
        assert_eq!(constant::jvp((x,), (1.0,)), (2.5, 0.0));
        assert_eq!(constant::vjp(x).1(4.0), 0.0);
        assert_eq!(constant(x), 2.5);
        assert_eq!(
            constant_expression::value_and_grad(x, 1.0),
            (7.0, (0.0, 0.0))
        );
        assert_eq!(constant_expression::jvp((x, 1.0), (1.0, 1.0)), (7.0, 0.0));
        assert_eq!(constant_expression::vjp(x, 1.0).1(1.0), (0.0, 0.0));
        assert_eq!(constant_expression(x, 1.0), 7.0);
    }
}

#[test]
fn identity_function() {
    for x in [-1.0, 0.0, 3.5] {
        assert_eq!(identity::value_and_grad(x), (x, 1.0));
        assert_eq!(identity::jvp((x,), (-2.0,)), (x, -2.0));
        assert_eq!(identity::vjp(x).1(0.25), 0.25);
        assert_eq!(identity(x), x);
    }
}

#[test]
fn argument_used_many_times() {
    Case::<f64> {
        name: "many_uses",
        diff: &[0],
        ranges: &[(-3.0, 3.0)],
        value: &|a| many_uses(a[0]),
        dual: &|d| many_uses_dual(d[0]),
        grad: &|a| vec![many_uses::grad(a[0])],
        value_and_grad: &|a| {
            let (v, g) = many_uses::value_and_grad(a[0]);
            (v, vec![g])
        },
        jvp: &|a, t| many_uses::jvp((a[0],), (t[0],)),
        vjp: &|a, cts| {
            let (v, pullback) = many_uses::vjp(a[0]);
            (v, cts.iter().map(|&c| vec![pullback(c)]).collect())
        },
    }
    .run(10, 9, TOL64);
    for x in [-2.5, -1.0, 0.0, 0.5, 2.0] {
        let (got, want) = (many_uses::grad(x), many_uses_derivative(x));
        // The terms are of order 10-100 at |x| = 2.5 and can cancel.
        assert!(
            close(got, want, 1e-12, 1.0),
            "many_uses'({x}) = {got}, by hand {want}"
        );
    }
}

// ---------------------------------------------------------------------------
// Corners of the supported language, against closed forms and num-dual
// ---------------------------------------------------------------------------

const SCALE: f64 = 2.5;

/// A block with its own `s` shadowing the outer one, then the outer one.
#[differentiate]
fn block_shadowing(x: f64, y: f64) -> f64 {
    let s = x;
    let t = {
        let s = y * 2.0;
        s + 1.0
    };
    let mut u = s * t;
    u += y;
    u
}

/// Unary minus on literals, on a method call (`-x.powi(2)` is
/// `-(x.powi(2))`) and on an argument.
#[differentiate]
#[allow(clippy::neg_multiply)]
fn negations(x: f64) -> f64 {
    -2.0 * x + x * -1.0 - x.powi(2) + -x
}

/// A `mut` argument updated in place.
#[differentiate]
fn mut_argument(mut x: f64, y: f64) -> f64 {
    x *= y;
    x += 1.0;
    x.sin()
}

/// Several operands of one primitive are the same variable: the adjoints
/// must add up.
#[differentiate]
fn same_operand(x: f64) -> f64 {
    x.atan2(x) + x.powf(x) + x.hypot(x) + x.mul_add(x, x) + x.log(x + 1.0) + x.min(x * 2.0)
}

fn same_operand_dual(x: Dual64) -> Dual64 {
    x.atan2(x) + x.powd(x) + (x * x * 2.0).sqrt() + x * x + x + x.ln() / (x + 1.0).ln() + x
}

/// Literal receivers and literal first arguments of path calls.
#[differentiate]
fn literal_operands(x: f64) -> f64 {
    2.0_f64.powf(x) + f64::powf(3.0, x) + 10f64.log(x)
}

fn literal_operands_dual(x: Dual64) -> Dual64 {
    Dual64::from_re(2.0).powd(x) + Dual64::from_re(3.0).powd(x) + x.ln().recip() * 10f64.ln()
}

/// Constants of the enclosing scope, by plain, `std::` and `self::` paths.
#[differentiate]
fn constants(x: f64) -> f64 {
    std::f64::consts::PI * x + SCALE * x + self::SCALE
}

/// A final `return`, type-annotated lets, redundant parentheses.
#[differentiate]
#[allow(unused_parens, clippy::needless_return)]
fn annotated_return(x: f64) -> f64 {
    let y: f64 = x;
    let t: f64 = 2.0;
    return (y * t);
}

/// `wrt` lists `z` before `x`; the gradient is still in argument order.
#[differentiate(wrt(z, x))]
fn wrt_out_of_order(x: f64, y: f64, z: f64) -> f64 {
    x * 2.0 + z * 3.0 + y
}

/// Static arguments (`i32`, `usize`) in integer arithmetic, an annotated
/// static local, and casts of statics to float.
#[differentiate]
fn static_arithmetic(x: f64, n: i32, m: usize) -> f64 {
    let k: i32 = n * 2;
    x.powi(n + 1) + x.powi(k) + x.powi(m as i32) * (m as f64)
}

/// A static argument's name reused by a float local.
#[differentiate]
fn static_shadowed_by_float(x: f64, n: i32) -> f64 {
    let m = x.powi(n);
    let n = m * 2.0;
    let _ = x.exp();
    n + x
}

/// A comparison of an active value is static: no derivative flows through
/// it (the cast to `i32` and `f64::from` see only the static `bool`).
#[differentiate]
fn comparison_is_static(x: f64, y: f64) -> f64 {
    let positive = x > 0.0;
    let step = positive as i32;
    f64::from(step) * y
}

/// A variable updated from itself.
#[differentiate]
fn self_update(x: f64) -> f64 {
    let mut s = x;
    s += s * x;
    s *= s;
    s
}

/// The output is one of the arguments.
#[differentiate]
#[allow(unused_variables)]
fn projection(x: f64, y: f64) -> f64 {
    y
}

#[differentiate]
fn relu_plus_linear32(x: f32) -> f32 {
    f32::max(x, 0.0) + 2.0f32 * x
}

/// Argument names that the generated code also uses (`primals`,
/// `cotangent`).
#[differentiate]
fn generated_names(primals: f64, cotangent: f64) -> f64 {
    primals * cotangent.sin()
}

#[test]
fn language_corners_closed_form() {
    for (x, y) in [(1.5, 0.5), (-0.7, 2.0), (0.0, -1.0)] {
        assert_eq!(
            block_shadowing::grad(x, y),
            (2.0 * y + 1.0, 2.0 * x + 1.0),
            "block_shadowing at ({x}, {y})"
        );
        assert_eq!(negations::grad(x), -4.0 - 2.0 * x, "negations at {x}");
        let c = (x * y + 1.0).cos();
        let (gx, gy) = mut_argument::grad(x, y);
        assert!(
            close(gx, y * c, 1e-15, 0.0) && close(gy, x * c, 1e-15, 0.0),
            "mut_argument at ({x}, {y}): {:?}",
            (gx, gy)
        );
        assert_eq!(mut_argument::value_and_grad(x, y).0, mut_argument(x, y));
        assert_eq!(
            constants::grad(x),
            std::f64::consts::PI + SCALE,
            "constants at {x}"
        );
        assert_eq!(annotated_return::value_and_grad(x), (2.0 * x, 2.0));
        assert_eq!(
            wrt_out_of_order::grad(x, y, 1.0),
            (2.0, 3.0),
            "wrt(z, x) gives (d/dx, d/dz)"
        );
        assert_eq!(wrt_out_of_order::jvp((x, y, 1.0), (1.0, 10.0)).1, 32.0);
        assert_eq!(
            comparison_is_static::grad(x, y),
            (0.0, if x > 0.0 { 1.0 } else { 0.0 })
        );
        let want = 2.0 * (x + x * x) * (1.0 + 2.0 * x);
        assert!(
            close(self_update::grad(x), want, 1e-15, 1e-300),
            "self_update at {x}"
        );
        assert_eq!(projection::value_and_grad(x, y), (y, (0.0, 1.0)));
        let (gp, gc) = generated_names::grad(x, y);
        assert!(close(gp, y.sin(), 1e-15, 0.0) && close(gc, x * y.cos(), 1e-15, 0.0));
        assert_eq!(
            generated_names::jvp((x, y), (1.0, 0.0)),
            (generated_names(x, y), gp)
        );
        assert_eq!(generated_names::vjp(x, y).1(2.0), (2.0 * gp, 2.0 * gc));
    }
    for x in [0.5, 1.5, 2.0] {
        for (n, m) in [(2, 3usize), (-1, 0), (0, 1)] {
            let (nf, mf) = (f64::from(n), m as f64);
            let want = (nf + 1.0) * x.powi(n)
                + 2.0 * nf * x.powi(2 * n - 1)
                + mf * mf * x.powi(m as i32 - 1);
            let got = static_arithmetic::grad(x, n, m);
            assert!(
                close(got, want, 1e-14, 1e-300),
                "static_arithmetic({x}, {n}, {m}): {got} vs {want}"
            );
            let want = 2.0 * nf * x.powi(n - 1) + 1.0;
            let got = static_shadowed_by_float::grad(x, n);
            assert!(
                close(got, want, 1e-14, 1e-300),
                "static_shadowed_by_float({x}, {n}): {got} vs {want}"
            );
        }
    }
    for (x, want) in [(1.5f32, 3.0f32), (-1.5, 2.0)] {
        assert_eq!(relu_plus_linear32::grad(x), want);
    }
}

#[test]
fn repeated_operands_against_num_dual() {
    for (name, f, g, d) in [
        (
            "same_operand",
            &same_operand as &dyn Fn(f64) -> f64,
            &same_operand::grad as &dyn Fn(f64) -> f64,
            &same_operand_dual as &dyn Fn(Dual64) -> Dual64,
        ),
        (
            "literal_operands",
            &literal_operands,
            &literal_operands::grad,
            &literal_operands_dual,
        ),
    ] {
        for x in [0.3, 1.5, 4.0] {
            let want = d(Dual64::new(x, 1.0));
            let got = g(x);
            assert!(
                close(got, want.eps, 1e-13, 0.0),
                "{name}'({x}): num-dual says {}, got {got}",
                want.eps
            );
            assert!(
                close(f(x), want.re, 1e-13, 0.0),
                "{name}({x}) against num-dual's value"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Known bugs (see the report that came with this file)
// ---------------------------------------------------------------------------

/// An argument named `d_<other argument>` collides with the name `jvp`
/// gives the tangent of `<other argument>`.
#[differentiate]
fn tangent_name_clash(x: f64, d_x: f64) -> f64 {
    x * d_x
}

#[test]
fn argument_named_like_a_tangent() {
    // f(x, d_x) = x * d_x at (2, 3), tangent (1, 0): value 6, tangent 3.
    assert_eq!(tangent_name_clash::grad(2.0, 3.0), (3.0, 2.0));
    assert_eq!(tangent_name_clash::jvp((2.0, 3.0), (1.0, 0.0)), (6.0, 3.0));
}

/// A block used as a statement, updating an outer `let mut`.
#[differentiate]
fn unit_block_statement(x: f64) -> f64 {
    let mut u = x;
    {
        u += 1.0;
    }
    u * u
}

/// An argument named like `jvp`'s own parameter.
#[differentiate]
fn argument_named_tangents(x: f64, tangents: f64) -> f64 {
    x * tangents
}

/// A cast of a comparison: the comparison stops the derivative, so the
/// factor is a constant as far as `x` is concerned.
#[differentiate]
fn cast_of_a_comparison(x: f64, y: f64) -> f64 {
    ((x > 0.0) as i32 as f64) * y * x
}

#[test]
fn formerly_rejected_valid_inputs() {
    // d/dx (x + 1)² = 2(x + 1).
    assert_eq!(unit_block_statement::grad(2.0), 6.0);
    assert_eq!(
        argument_named_tangents::jvp((2.0, 3.0), (1.0, 0.0)),
        (6.0, 3.0)
    );
    assert_eq!(argument_named_tangents::grad(2.0, 3.0), (3.0, 2.0));
    // For x > 0: f = x y, so (y, x); for x < 0: f = 0.
    assert_eq!(cast_of_a_comparison::grad(2.0, 3.0), (3.0, 2.0));
    assert_eq!(cast_of_a_comparison::grad(-2.0, 3.0), (0.0, -0.0));
}
