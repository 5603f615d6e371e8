//! Every primitive of `#[differentiate]`, one at a time, against independent
//! oracles.
//!
//! For each primitive, in both spellings (`x.sin()` and `f64::sin(x)`) and
//! for both `f64` and `f32`, at several points (including points close to
//! the edge of the domain), this checks:
//!
//! - the kept function, `value_and_grad`, `jvp` and `vjp` return exactly the
//!   value of the same expression written by hand;
//! - every partial derivative from `grad` and `value_and_grad` against
//!   num-dual (the same expression evaluated on dual numbers) and against
//!   central finite differences (Ridders' extrapolation);
//! - `jvp` against num-dual's directional derivative (which is
//!   `derivative * tangent` for one argument), for unit and mixed tangents;
//! - `vjp`'s pullback against `cotangent * derivative` for several
//!   cotangents, calling the same pullback more than once.
//!
//! Some primitives have no num-dual counterpart; their dual-number oracle is
//! written from other num-dual operations and says so (`hypot`, `log` with a
//! dual base, `min`, `max`, `clamp`, `abs`, `signum`).
//!
//! The derivative conventions at kinks (JAX's) are checked separately
//! against closed-form values, and `powi` with a static exponent `n` of
//! either sign and zero.
//!
//! Tolerances, relative: `|got - want| <= tol * max(|want|, scale)`. The
//! values below are about 10 to 1000 times the largest error measured on
//! this suite, and far below the O(1) error of a wrong rule.
//!
//! - f64 vs num-dual: `1e-13` (about 450 ulps). Both evaluate the textbook
//!   derivative in double precision, sometimes by different but equivalent
//!   formulas (`1 + tan²x` vs `1/cos²x`); measured: at most `5e-16`.
//! - f32 vs num-dual (`Dual32`): `4e-6` (about 30 f32 ulps); measured: at
//!   most `5e-7` (`exp_m1`).
//! - `tanh` vs num-dual: `4 eps cosh²(5)` (`4.9e-12` in f64, `2.6e-3` in
//!   f32). Both sides compute its derivative with cancellation (`1 - tanh²x`
//!   in the runtime, `(cosh²x - sinh²x)/cosh²x` in num-dual), which costs
//!   `eps cosh²x` relative; measured: `1.5e-12` and `1.5e-3` at `x = -5`.
//!   (The runtime's value is the closer one to the true `sech²x` there.)
//! - f64 vs finite differences: `1e-9`, with `scale = max(|f|, 1)` because
//!   the rounding error of a difference quotient is proportional to `|f|`
//!   rather than `|f'|`. Ridders' extrapolation from several initial steps
//!   stays accurate next to domain edges and poles; measured: at most
//!   `1.1e-12` (`acos` at 0.999).
//! - f32 vs finite differences of the f32 function: `5e-4`, same scaling.
//!   A difference quotient of single-precision values has a rounding error
//!   of about `eps_f32 |f| / h`, and the step cannot be small; measured: at
//!   most `3.2e-5` (`atanh` at ±0.99).

use autodiff::prelude::*;
use common::GradVec;

mod common;
use num_dual::{Dual, Dual32, Dual64, DualNum, DualNumFloat};
use std::fmt::{Debug, Display};

// ---------------------------------------------------------------------------
// Floats and tolerances
// ---------------------------------------------------------------------------

/// The two float types under test.
trait TestFloat: Copy + PartialEq + PartialOrd + Debug + Display + 'static {
    /// Machine epsilon.
    const EPS: f64;
    fn to_f64(self) -> f64;
    fn from_f64(x: f64) -> Self;
}

impl TestFloat for f64 {
    const EPS: f64 = f64::EPSILON;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> Self {
        x
    }
}

impl TestFloat for f32 {
    const EPS: f64 = f32::EPSILON as f64;
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

/// Relative tolerances of one float type (see the module documentation).
#[derive(Clone, Copy)]
struct Tol {
    /// Against num-dual.
    dual: f64,
    /// Against finite differences.
    fd: f64,
}

const TOL64: Tol = Tol {
    dual: 1e-13,
    fd: 1e-9,
};
const TOL32: Tol = Tol {
    dual: 4e-6,
    fd: 5e-4,
};

impl Tol {
    /// For `tanh`, whose derivative both sides compute with cancellation
    /// (`1 - tanh²x` here, `(cosh²x - sinh²x)/cosh²x` in num-dual): the
    /// relative error is about `eps cosh²x`; `4 eps cosh²(5)`, as the largest
    /// `|x|` tested is 5.
    fn tanh(self, eps: f64) -> Tol {
        Tol {
            dual: 4.0 * eps * 5.0f64.cosh().powi(2),
            fd: self.fd,
        }
    }
}

/// `|got - want| <= tol * max(|want|, scale)`; equal values (including equal
/// infinities) always pass.
fn close(got: f64, want: f64, tol: f64, scale: f64) -> bool {
    got == want || (got - want).abs() <= tol * want.abs().max(scale)
}

/// Bitwise-or-equal comparison of values: both NaN counts as equal.
fn same_value<F: TestFloat>(a: F, b: F) -> bool {
    a == b || (a.to_f64().is_nan() && b.to_f64().is_nan())
}

// ---------------------------------------------------------------------------
// Finite differences: Ridders' method (Numerical Recipes, `dfridr`)
// ---------------------------------------------------------------------------

/// Central differences of `f` at `x`, extrapolated to zero step
/// (Richardson, as in Ridders' method): the estimate with the smallest error
/// estimate over several initial steps `1e-2 * max(|x|, 1) / 8^k`. Trying
/// several initial steps keeps the estimate good next to a pole or a domain
/// edge, where a large step is wrong (it may even jump over a pole of `tan` or
/// `1/x` and see finite values on both sides) and is rejected by its large
/// error estimate. The function is evaluated in its own precision (`F`); the
/// extrapolation is done in f64.
fn finite_difference<F: TestFloat>(f: &dyn Fn(F) -> F, x: F) -> f64 {
    let x64 = x.to_f64();
    let mut best = (f64::NAN, f64::INFINITY);
    for k in 0..5 {
        let h = 1e-2 * x64.abs().max(1.0) / 8f64.powi(k);
        if let Some((d, err)) = ridders(f, x, h) {
            if err < best.1 {
                best = (d, err);
            }
        }
    }
    best.0
}

/// Ridders' method (Numerical Recipes, `dfridr`) from the initial step `h`:
/// `(estimate, error estimate)`, or `None` if `f(x ± h)` is not finite.
/// The error estimate adds the rounding error of a difference quotient
/// (`eps |f| / h` for the step the estimate came from) to Ridders' own
/// estimate, which cannot see it: with tiny steps in f32 the quotients are
/// ratios of a few ulps, all alike, and would look converged.
fn ridders<F: TestFloat>(f: &dyn Fn(F) -> F, x: F, mut h: f64) -> Option<(f64, f64)> {
    const CON: f64 = 1.4;
    const CON2: f64 = CON * CON;
    const NTAB: usize = 10;
    const SAFE: f64 = 2.0;
    let x64 = x.to_f64();
    // One central difference quotient, with the step the float type can
    // actually represent.
    let quotient = |h: f64| -> Option<f64> {
        let (xp, xm) = (F::from_f64(x64 + h), F::from_f64(x64 - h));
        let (fp, fm) = (f(xp).to_f64(), f(xm).to_f64());
        let q = (fp - fm) / (xp.to_f64() - xm.to_f64());
        (fp.is_finite() && fm.is_finite() && q.is_finite()).then_some(q)
    };
    let rounding = |h: f64| 4.0 * F::EPS * f(x).to_f64().abs().max(F::EPS) / h;
    let mut a = [[0.0f64; NTAB]; NTAB];
    a[0][0] = quotient(h)?;
    let mut err = f64::INFINITY;
    let mut ans = a[0][0];
    for i in 1..NTAB {
        h /= CON;
        a[0][i] = quotient(h)?;
        let round = rounding(h);
        let mut fac = CON2;
        for j in 1..=i {
            a[j][i] = (a[j - 1][i] * fac - a[j - 1][i - 1]) / (fac - 1.0);
            fac *= CON2;
            let errt = (a[j][i] - a[j - 1][i])
                .abs()
                .max((a[j][i] - a[j - 1][i - 1]).abs())
                + round;
            if errt <= err {
                err = errt;
                ans = a[j][i];
            }
        }
        if (a[i][i] - a[i - 1][i - 1]).abs() >= SAFE * err {
            break;
        }
    }
    Some((ans, err))
}

// ---------------------------------------------------------------------------
// The generated API seen through slices, and the oracles
// ---------------------------------------------------------------------------

type ValueAndGrad<'a, F> = &'a dyn Fn(&[F]) -> (F, Vec<F>);
type Jvp<'a, F> = &'a dyn Fn(&[F], &[F]) -> (F, F);
type Vjp<'a, F> = &'a dyn Fn(&[F], &[F]) -> (F, Vec<Vec<F>>);

/// The function kept by `#[differentiate]` and its generated module, with
/// the arguments in a slice.
struct Api<'a, F> {
    value: &'a dyn Fn(&[F]) -> F,
    grad: &'a dyn Fn(&[F]) -> Vec<F>,
    value_and_grad: ValueAndGrad<'a, F>,
    /// `(args, tangents)`.
    jvp: Jvp<'a, F>,
    /// `(args, cotangents)`: one `vjp` call, its pullback applied to every
    /// cotangent in turn.
    vjp: Vjp<'a, F>,
}

/// `Api` for a `#[differentiate]` function `$f` of the float arguments `$a`.
macro_rules! api {
    ($f:ident, $t:ty, $($a:ident),+) => {
        Api::<$t> {
            value: &|args: &[$t]| {
                let &[$($a),+] = args else { unreachable!() };
                $f($($a),+)
            },
            grad: &|args: &[$t]| {
                let &[$($a),+] = args else { unreachable!() };
                $f::grad($($a),+).into_vec()
            },
            value_and_grad: &|args: &[$t]| {
                let &[$($a),+] = args else { unreachable!() };
                let (v, g) = $f::value_and_grad($($a),+);
                (v, g.into_vec())
            },
            jvp: &|args: &[$t], tangents: &[$t]| {
                let tangents = {
                    let &[$($a),+] = tangents else { unreachable!() };
                    ($($a,)+)
                };
                let &[$($a),+] = args else { unreachable!() };
                $f::jvp(($($a,)+), tangents)
            },
            vjp: &|args: &[$t], cotangents: &[$t]| {
                let &[$($a),+] = args else { unreachable!() };
                let (v, pullback) = $f::vjp($($a),+);
                (v, cotangents.iter().map(|&c| pullback(c).into_vec()).collect())
            },
        }
    };
}

/// What the results are compared with.
struct Oracle<'a, F> {
    /// The expression written by hand.
    plain: &'a dyn Fn(&[F]) -> F,
    /// The directional derivative from num-dual: `(args, tangents) -> tangent`.
    dual_jvp: &'a dyn Fn(&[F], &[F]) -> F,
}

/// Tangents used for `jvp` besides the unit vectors (truncated to the arity).
const MIXED_TANGENTS: [[f64; 3]; 3] = [[1.0, 1.0, 1.0], [-0.75, 2.5, 0.3], [3.0, -1.25, -2.0]];
/// Cotangents given to the pullback.
const COTANGENTS: [f64; 4] = [1.0, -0.6, 2.5, 0.0];

/// Collects failure messages so that one test reports all its failures.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn check(&mut self, ok: bool, msg: impl FnOnce() -> String) {
        if !ok {
            self.0.push(msg());
        }
    }

    fn finish(self) {
        assert!(
            self.0.is_empty(),
            "{} failure(s):\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

/// Checks one primitive in one spelling at every point.
#[allow(clippy::too_many_arguments)]
fn check<F: TestFloat>(
    name: &str,
    form: &str,
    api: &Api<F>,
    oracle: &Oracle<F>,
    points: &[&[F]],
    tol: &Tol,
    fails: &mut Failures,
) {
    for &p in points {
        let n = p.len();
        let at = format!("{name} [{form}] at {p:?}");
        let f = |q: &[F]| (oracle.plain)(q).to_f64();
        let value = f(p);
        assert!(value.is_finite(), "{at}: test point outside the domain");

        // Values are those of the hand-written expression, exactly.
        let v = (api.value)(p);
        fails.check(same_value(v.to_f64(), value), || {
            format!("{at}: kept function returned {v}, expected {value}")
        });
        let (v, g_vag) = (api.value_and_grad)(p);
        fails.check(same_value(v.to_f64(), value), || {
            format!("{at}: value_and_grad value {v}, expected exactly {value}")
        });

        // Every partial, against num-dual and finite differences.
        let grad = (api.grad)(p);
        let mut partials = Vec::with_capacity(n);
        for i in 0..n {
            let mut unit = vec![F::from_f64(0.0); n];
            unit[i] = F::from_f64(1.0);
            let dual = (oracle.dual_jvp)(p, &unit).to_f64();
            partials.push(dual);
            let fd = finite_difference(
                &|xi: F| {
                    let mut q = p.to_vec();
                    q[i] = xi;
                    (oracle.plain)(&q)
                },
                p[i],
            );
            let (g, gv) = (grad[i].to_f64(), g_vag[i].to_f64());
            fails.check(close(g, dual, tol.dual, 0.0), || {
                format!(
                    "{at}: grad partial {i}: num-dual says {dual:e}, got {g:e} (tol {:e})",
                    tol.dual
                )
            });
            fails.check(close(gv, dual, tol.dual, 0.0), || {
                format!("{at}: value_and_grad partial {i}: num-dual says {dual:e}, got {gv:e} (tol {:e})", tol.dual)
            });
            let scale = value.abs().max(1.0);
            fails.check(close(g, fd, tol.fd, scale), || {
                format!("{at}: grad partial {i}: finite differences say {fd:e}, got {g:e} (tol {:e} * max(|f'|, |f|, 1))", tol.fd)
            });
        }

        // jvp: unit tangents and mixed ones.
        let mut tangents: Vec<Vec<F>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| F::from_f64(if i == j { 1.0 } else { 0.0 }))
                    .collect()
            })
            .collect();
        for t in &MIXED_TANGENTS {
            let t: Vec<F> = t[..n].iter().map(|&x| F::from_f64(x)).collect();
            if !tangents.contains(&t) {
                tangents.push(t);
            }
        }
        for t in &tangents {
            let want = (oracle.dual_jvp)(p, t).to_f64();
            let by_partials: f64 = partials.iter().zip(t).map(|(d, x)| d * x.to_f64()).sum();
            let scale: f64 = partials
                .iter()
                .zip(t)
                .map(|(d, x)| (d * x.to_f64()).abs())
                .sum();
            let (v, dy) = (api.jvp)(p, t);
            let dy = dy.to_f64();
            fails.check(same_value(v.to_f64(), value), || {
                format!("{at}: jvp value {v}, expected exactly {value}")
            });
            fails.check(close(dy, want, tol.dual, scale), || {
                format!("{at}: jvp with tangent {t:?}: num-dual says {want:e}, got {dy:e}")
            });
            fails.check(close(dy, by_partials, tol.dual, scale), || {
                format!("{at}: jvp with tangent {t:?}: sum of partial * tangent is {by_partials:e}, got {dy:e}")
            });
        }

        // vjp: the pullback scales the derivative by the cotangent.
        let cts: Vec<F> = COTANGENTS.iter().map(|&c| F::from_f64(c)).collect();
        let (v, pulled) = (api.vjp)(p, &cts);
        fails.check(same_value(v.to_f64(), value), || {
            format!("{at}: vjp value {v}, expected exactly {value}")
        });
        for (c, ct) in cts.iter().zip(&pulled) {
            for i in 0..n {
                let want = c.to_f64() * partials[i];
                let got = ct[i].to_f64();
                fails.check(close(got, want, tol.dual, 0.0), || {
                    format!("{at}: pullback({c}) partial {i}: cotangent * num-dual derivative = {want:e}, got {got:e}")
                });
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Dual-number stand-ins for the primitives num-dual does not have
// ---------------------------------------------------------------------------

fn dual_abs<F: DualNumFloat>(x: Dual<F>) -> Dual<F> {
    if x.re >= F::zero() {
        x
    } else {
        -x
    }
}

/// Piecewise constant: value `signum(x)`, derivative 0.
fn dual_signum<F: DualNumFloat>(x: Dual<F>) -> Dual<F> {
    Dual::new(x.re.signum(), F::zero())
}

/// Only used away from ties (comparisons of duals compare real parts).
fn dual_min<F: DualNumFloat>(a: Dual<F>, b: Dual<F>) -> Dual<F> {
    if a <= b {
        a
    } else {
        b
    }
}

fn dual_max<F: DualNumFloat>(a: Dual<F>, b: Dual<F>) -> Dual<F> {
    if a >= b {
        a
    } else {
        b
    }
}

/// Only used away from the boundaries.
fn dual_clamp<F: DualNumFloat>(x: Dual<F>, lo: Dual<F>, hi: Dual<F>) -> Dual<F> {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

// ---------------------------------------------------------------------------
// One primitive, both spellings
// ---------------------------------------------------------------------------

/// `prim!(name: float / dual / tol, (args) => method, path, dual expr, points)`
/// defines `mod name` with the method and path spellings differentiated and
/// a test checking both at every point.
macro_rules! prim {
    ($name:ident : $t:ident / $dual:ident / $tol:expr,
     ($($a:ident),+) => $method:expr, $path:expr, dual $d:expr,
     points: [$($pt:expr),+ $(,)?]) => {
        mod $name {
            use super::*;

            #[differentiate]
            fn method($($a: $t),+) -> $t {
                $method
            }

            #[differentiate]
            fn path($($a: $t),+) -> $t {
                $path
            }

            #[test]
            fn derivatives() {
                let plain = |args: &[$t]| -> $t {
                    let &[$($a),+] = args else { unreachable!() };
                    $method
                };
                let dual_jvp = |args: &[$t], tangents: &[$t]| -> $t {
                    let mut duals = args.iter().zip(tangents).map(|(&x, &dx)| $dual::new(x, dx));
                    $(let $a = duals.next().unwrap();)+
                    let y: $dual = $d;
                    y.eps
                };
                let oracle = Oracle { plain: &plain, dual_jvp: &dual_jvp };
                let points: &[&[$t]] = &[$(&$pt),+];
                let name = concat!(stringify!($name), "::<", stringify!($t), ">");
                let mut fails = Failures::default();
                check(name, "method", &api!(method, $t, $($a),+), &oracle, points, &$tol, &mut fails);
                check(name, "path", &api!(path, $t, $($a),+), &oracle, points, &$tol, &mut fails);
                fails.finish();
            }
        }
    };
}

/// `π/2 - 0.01`, close to the pole of `tan`.
const NEAR_HALF_PI: f64 = std::f64::consts::FRAC_PI_2 - 0.01;
/// `π/2 - 1e-4`, where `cos` is small and `sin` flat.
const NEARER_HALF_PI: f64 = std::f64::consts::FRAC_PI_2 - 1e-4;

/// Every primitive for one float type.
macro_rules! suite {
    ($t:ident, $dual:ident, $tol:expr) => {
        prim!(sin: $t / $dual / $tol, (x) => x.sin(), $t::sin(x), dual x.sin(),
            points: [[-3.0], [-1.0], [0.0], [0.5], [NEARER_HALF_PI as $t], [10.0]]);
        prim!(cos: $t / $dual / $tol, (x) => x.cos(), $t::cos(x), dual x.cos(),
            points: [[-3.0], [-1.0], [0.0], [0.5], [NEARER_HALF_PI as $t], [10.0]]);
        prim!(tan: $t / $dual / $tol, (x) => x.tan(), $t::tan(x), dual x.tan(),
            points: [[-1.2], [0.0], [0.5], [NEAR_HALF_PI as $t], [-NEAR_HALF_PI as $t], [3.0]]);
        prim!(asin: $t / $dual / $tol, (x) => x.asin(), $t::asin(x), dual x.asin(),
            points: [[-0.999], [-0.5], [0.0], [0.3], [0.999]]);
        prim!(acos: $t / $dual / $tol, (x) => x.acos(), $t::acos(x), dual x.acos(),
            points: [[-0.999], [-0.5], [0.0], [0.3], [0.999]]);
        prim!(atan: $t / $dual / $tol, (x) => x.atan(), $t::atan(x), dual x.atan(),
            points: [[-50.0], [-1.0], [0.0], [0.5], [3.0], [1000.0]]);
        // Rust's `y.atan2(x)`: all four quadrants, away from the branch cut
        // on the negative x axis.
        prim!(atan2: $t / $dual / $tol, (y, x) => y.atan2(x), $t::atan2(y, x), dual y.atan2(x),
            points: [[1.0, 2.0], [2.0, -1.0], [-1.0, -2.0], [-2.0, 1.0], [0.0, 3.0], [1e-3, 0.5],
                     [-1e-3, -0.5]]);
        // On the y axis num-dual's `atan2` differentiates `atan(y/x)` and
        // gives NaN; the oracle there is the half-angle form
        // `2 atan(y / (√(x² + y²) + x))`, valid off the negative x axis.
        prim!(atan2_y_axis: $t / $dual / $tol, (y, x) => y.atan2(x), $t::atan2(y, x),
            dual (y / ((x * x + y * y).sqrt() + x)).atan() * 2.0,
            points: [[3.0, 0.0], [-3.0, 0.0], [0.5, 0.0]]);
        prim!(sinh: $t / $dual / $tol, (x) => x.sinh(), $t::sinh(x), dual x.sinh(),
            points: [[-3.0], [-0.5], [0.0], [0.7], [5.0]]);
        prim!(cosh: $t / $dual / $tol, (x) => x.cosh(), $t::cosh(x), dual x.cosh(),
            points: [[-3.0], [-0.5], [0.0], [0.7], [5.0]]);
        prim!(tanh: $t / $dual / $tol.tanh(<$t as TestFloat>::EPS), (x) => x.tanh(), $t::tanh(x), dual x.tanh(),
            points: [[-5.0], [-0.5], [0.0], [1.0], [3.0]]);
        prim!(asinh: $t / $dual / $tol, (x) => x.asinh(), $t::asinh(x), dual x.asinh(),
            points: [[-10.0], [-1.0], [0.0], [0.5], [100.0]]);
        prim!(acosh: $t / $dual / $tol, (x) => x.acosh(), $t::acosh(x), dual x.acosh(),
            points: [[1.001], [1.5], [3.0], [100.0]]);
        prim!(atanh: $t / $dual / $tol, (x) => x.atanh(), $t::atanh(x), dual x.atanh(),
            points: [[-0.99], [-0.5], [0.0], [0.3], [0.99]]);
        prim!(exp: $t / $dual / $tol, (x) => x.exp(), $t::exp(x), dual x.exp(),
            points: [[-10.0], [-1.0], [0.0], [1.0], [5.0]]);
        prim!(exp2: $t / $dual / $tol, (x) => x.exp2(), $t::exp2(x), dual x.exp2(),
            points: [[-10.0], [-1.0], [0.0], [1.0], [5.0]]);
        prim!(exp_m1: $t / $dual / $tol, (x) => x.exp_m1(), $t::exp_m1(x), dual x.exp_m1(),
            points: [[-3.0], [-1e-3], [0.0], [1e-4], [2.0]]);
        prim!(ln: $t / $dual / $tol, (x) => x.ln(), $t::ln(x), dual x.ln(),
            points: [[1e-3], [0.1], [1.0], [2.5], [1000.0]]);
        prim!(ln_1p: $t / $dual / $tol, (x) => x.ln_1p(), $t::ln_1p(x), dual x.ln_1p(),
            points: [[-0.999], [-0.5], [0.0], [1e-4], [10.0]]);
        // `x.log(base)`: num-dual's `log` takes a plain base, so the oracle
        // is `ln x / ln base` on duals.
        prim!(log: $t / $dual / $tol, (x, b) => x.log(b), $t::log(x, b), dual x.ln() / b.ln(),
            points: [[1e-3, 10.0], [2.5, 2.0], [100.0, 0.5], [0.7, 3.0], [5.0, 1.5], [2.0, 1.01]]);
        prim!(log10: $t / $dual / $tol, (x) => x.log10(), $t::log10(x), dual x.log10(),
            points: [[1e-3], [0.5], [1.0], [10.0], [1e4]]);
        prim!(log2: $t / $dual / $tol, (x) => x.log2(), $t::log2(x), dual x.log2(),
            points: [[1e-3], [0.5], [1.0], [10.0], [1e4]]);
        prim!(sqrt: $t / $dual / $tol, (x) => x.sqrt(), $t::sqrt(x), dual x.sqrt(),
            points: [[1e-3], [0.25], [1.0], [2.0], [1e4]]);
        prim!(cbrt: $t / $dual / $tol, (x) => x.cbrt(), $t::cbrt(x), dual x.cbrt(),
            points: [[-8.0], [-1e-3], [1e-3], [0.5], [27.0]]);
        // `powf` with positive, negative and zero exponents (the base stays
        // positive: `d/dy` needs `ln x`). num-dual's `powd` takes a dual
        // exponent.
        prim!(powf: $t / $dual / $tol, (x, y) => x.powf(y), $t::powf(x, y), dual x.powd(y),
            points: [[2.0, 3.0], [0.5, -1.5], [3.0, 0.0], [1e-3, 0.5], [2.5, -2.0],
                     [1.0, 2.7], [10.0, -0.3], [0.8, -1.0]]);
        // num-dual has no `hypot`: the oracle is `√(x² + y²)` on duals.
        prim!(hypot: $t / $dual / $tol, (x, y) => x.hypot(y), $t::hypot(x, y), dual (x * x + y * y).sqrt(),
            points: [[3.0, 4.0], [-3.0, 4.0], [-3.0, -4.0], [3.0, -4.0], [1e-3, 2.0], [0.0, 1.0], [5.0, 0.0]]);
        // Away from the kink (checked in `conventions`); the step of the
        // finite differences (1e-2) does not reach it.
        prim!(abs: $t / $dual / $tol, (x) => x.abs(), $t::abs(x), dual dual_abs(x),
            points: [[-2.0], [-0.25], [0.25], [3.0]]);
        prim!(signum: $t / $dual / $tol, (x) => x.signum(), $t::signum(x), dual dual_signum(x),
            points: [[-2.0], [-0.5], [0.5], [3.0]]);
        prim!(recip: $t / $dual / $tol, (x) => x.recip(), $t::recip(x), dual x.recip(),
            points: [[-5.0], [-0.01], [0.01], [1.0], [1000.0]]);
        prim!(mul_add: $t / $dual / $tol, (x, a, b) => x.mul_add(a, b), $t::mul_add(x, a, b), dual x * a + b,
            points: [[1.0, 2.0, 3.0], [-0.5, 4.0, -1.0], [1000.0, -1e-3, 2.0], [0.0, 0.0, 0.0]]);
        // min, max and clamp away from ties and boundaries (see `conventions`).
        prim!(min: $t / $dual / $tol, (a, b) => a.min(b), $t::min(a, b), dual dual_min(a, b),
            points: [[1.0, 2.0], [2.0, 1.0], [-3.0, 0.5], [0.5, -3.0]]);
        prim!(max: $t / $dual / $tol, (a, b) => a.max(b), $t::max(a, b), dual dual_max(a, b),
            points: [[1.0, 2.0], [2.0, 1.0], [-3.0, 0.5], [0.5, -3.0]]);
        prim!(clamp: $t / $dual / $tol, (x, lo, hi) => x.clamp(lo, hi), $t::clamp(x, lo, hi),
            dual dual_clamp(x, lo, hi),
            points: [[0.5, 0.0, 1.0], [-2.0, -1.0, 1.0], [3.0, -1.0, 1.0], [-0.3, -0.5, -0.1]]);

        /// `powi` with a static exponent of either sign and zero.
        mod powi {
            use super::*;

            #[differentiate]
            fn method(x: $t, n: i32) -> $t {
                x.powi(n)
            }

            #[differentiate]
            fn path(x: $t, n: i32) -> $t {
                $t::powi(x, n)
            }

            #[test]
            fn derivatives() {
                let points: &[&[$t]] = &[&[-1.5], &[-0.5], &[0.5], &[2.0], &[3.0]];
                let mut fails = Failures::default();
                for n in [-3, -2, -1, 0, 1, 2, 3, 7] {
                    let plain = move |a: &[$t]| a[0].powi(n);
                    let dual_jvp = move |a: &[$t], t: &[$t]| $dual::new(a[0], t[0]).powi(n).eps;
                    let oracle = Oracle { plain: &plain, dual_jvp: &dual_jvp };
                    let name = format!("powi::<{}>(n = {n})", stringify!($t));
                    let method_api = Api::<$t> {
                        value: &|a| method(a[0], n),
                        grad: &|a| vec![method::grad(a[0], n)],
                        value_and_grad: &|a| {
                            let (v, g) = method::value_and_grad(a[0], n);
                            (v, vec![g])
                        },
                        jvp: &|a, t| method::jvp((a[0], n), (t[0],)),
                        vjp: &|a, cts| {
                            let (v, pullback) = method::vjp(a[0], n);
                            (v, cts.iter().map(|&c| vec![pullback(c)]).collect())
                        },
                    };
                    let path_api = Api::<$t> {
                        value: &|a| path(a[0], n),
                        grad: &|a| vec![path::grad(a[0], n)],
                        value_and_grad: &|a| {
                            let (v, g) = path::value_and_grad(a[0], n);
                            (v, vec![g])
                        },
                        jvp: &|a, t| path::jvp((a[0], n), (t[0],)),
                        vjp: &|a, cts| {
                            let (v, pullback) = path::vjp(a[0], n);
                            (v, cts.iter().map(|&c| vec![pullback(c)]).collect())
                        },
                    };
                    check(&name, "method", &method_api, &oracle, points, &$tol, &mut fails);
                    check(&name, "path", &path_api, &oracle, points, &$tol, &mut fails);
                }
                fails.finish();
            }

            /// At `x = 0`, closed form: `n xⁿ⁻¹` is 0 for `n ≥ 2`, 1 for
            /// `n = 1`, and 0 for `n = 0` (JAX: the derivative of the
            /// constant `x⁰ = 1`).
            #[test]
            fn at_zero() {
                for (n, want) in [(0, 0.0), (1, 1.0), (2, 0.0), (3, 0.0)] {
                    let want: $t = want;
                    assert_eq!(method::grad(0.0, n), want, "d/dx x^{n} at 0 (method)");
                    assert_eq!(path::grad(0.0, n), want, "d/dx x^{n} at 0 (path)");
                    assert_eq!(method::jvp((0.0, n), (2.0,)).1, 2.0 * want, "jvp of x^{n} at 0");
                    assert_eq!(method::vjp(0.0, n).1(-3.0), -3.0 * want, "vjp of x^{n} at 0");
                    assert_eq!(method(0.0, n), (0.0 as $t).powi(n));
                }
            }
        }

        /// Literal exponents, including a negative one (`x.powi(-2)` has a
        /// unary minus in the static position).
        mod powi_literal {
            use super::*;

            #[differentiate]
            fn cube(x: $t) -> $t {
                x.powi(3)
            }

            #[differentiate]
            fn inverse_square(x: $t) -> $t {
                x.powi(-2)
            }

            #[test]
            fn derivatives() {
                let mut fails = Failures::default();
                let points: &[&[$t]] = &[&[-1.5], &[0.5], &[2.0]];
                let plain = |a: &[$t]| a[0].powi(3);
                let dual_jvp = |a: &[$t], t: &[$t]| $dual::new(a[0], t[0]).powi(3).eps;
                let oracle = Oracle { plain: &plain, dual_jvp: &dual_jvp };
                check("powi(x, 3)", "method", &api!(cube, $t, x), &oracle, points, &$tol, &mut fails);
                let plain = |a: &[$t]| a[0].powi(-2);
                let dual_jvp = |a: &[$t], t: &[$t]| $dual::new(a[0], t[0]).powi(-2).eps;
                let oracle = Oracle { plain: &plain, dual_jvp: &dual_jvp };
                check("powi(x, -2)", "method", &api!(inverse_square, $t, x), &oracle, points, &$tol, &mut fails);
                fails.finish();
            }
        }

        /// JAX's conventions where the derivative is undefined, against
        /// closed-form values.
        mod conventions {
            use super::*;

            #[differentiate]
            fn abs(x: $t) -> $t {
                x.abs()
            }

            #[differentiate]
            fn abs_path(x: $t) -> $t {
                $t::abs(x)
            }

            #[differentiate]
            fn max(a: $t, b: $t) -> $t {
                a.max(b)
            }

            #[differentiate]
            fn min(a: $t, b: $t) -> $t {
                $t::min(a, b)
            }

            #[differentiate]
            fn relu(x: $t) -> $t {
                x.max(0.0)
            }

            #[differentiate]
            fn max_self(x: $t) -> $t {
                x.max(x)
            }

            #[differentiate]
            fn clamp(x: $t, lo: $t, hi: $t) -> $t {
                x.clamp(lo, hi)
            }

            #[differentiate]
            fn clamp_unit(x: $t) -> $t {
                x.clamp(0.0, 1.0)
            }

            #[differentiate]
            fn powf(x: $t, y: $t) -> $t {
                x.powf(y)
            }

            #[differentiate]
            fn powf_path(x: $t, y: $t) -> $t {
                $t::powf(x, y)
            }

            #[differentiate]
            fn hypot(x: $t, y: $t) -> $t {
                x.hypot(y)
            }

            #[differentiate]
            fn signum(x: $t) -> $t {
                x.signum()
            }

            #[differentiate]
            fn sqrt(x: $t) -> $t {
                x.sqrt()
            }

            /// `abs'(x) = +1` for `x >= 0`, including `-0.0` (JAX: `x >= 0`).
            #[test]
            fn abs_at_zero() {
                for x in [0.0, -0.0] {
                    let x: $t = x;
                    assert_eq!(abs::grad(x), 1.0, "abs'({x:?})");
                    assert_eq!(abs_path::grad(x), 1.0, "abs'({x:?}) path form");
                    assert_eq!(abs::value_and_grad(x), (0.0, 1.0), "value_and_grad abs at {x:?}");
                    assert_eq!(abs::jvp((x,), (-2.0,)), (0.0, -2.0), "jvp abs at {x:?}");
                    assert_eq!(abs::vjp(x).1(0.5), 0.5, "vjp abs at {x:?}");
                    assert_eq!(abs(x), x.abs());
                    assert_eq!(abs_path(x), x.abs());
                }
                assert_eq!(abs::grad(-1e-30), -1.0, "abs' just below 0");
            }

            /// Ties split the derivative in half.
            #[test]
            fn max_and_min_ties() {
                for t in [1.5, -2.0, 0.0] {
                    let t: $t = t;
                    assert_eq!(max::grad(t, t), (0.5, 0.5), "max tie at {t}");
                    assert_eq!(min::grad(t, t), (0.5, 0.5), "min tie at {t}");
                    assert_eq!(max::jvp((t, t), (1.0, 3.0)), (t, 2.0), "jvp max tie at {t}");
                    assert_eq!(min::vjp(t, t).1(4.0), (2.0, 2.0), "vjp min tie at {t}");
                    // Both halves reach the same variable.
                    assert_eq!(max_self::grad(t), 1.0, "d/dx max(x, x) at {t}");
                    assert_eq!((max(t, t), min(t, t), max_self(t)), (t, t, t));
                }
                assert_eq!(relu::grad(0.0), 0.5, "relu'(0) = d/dx max(x, 0) at 0");
                assert_eq!(relu::grad(-1.0), 0.0, "relu'(-1)");
                assert_eq!(relu::grad(1.0), 1.0, "relu'(1)");
                assert_eq!((relu(-1.0), relu(2.0)), (0.0, 2.0));
            }

            /// The derivative goes to `x` strictly inside, to `lo` strictly
            /// below and to `hi` strictly above; at a boundary it is split
            /// as `min(max(x, lo), hi)` splits ties (`docs/kinks.md`).
            #[test]
            fn clamp_at_boundaries() {
                let cases: [([$t; 3], ($t, $t, $t)); 8] = [
                    ([0.0, 0.0, 1.0], (0.5, 0.5, 0.0)),
                    ([1.0, 0.0, 1.0], (0.5, 0.0, 0.5)),
                    ([-2.0, -2.0, 3.0], (0.5, 0.5, 0.0)),
                    ([3.0, -2.0, 3.0], (0.5, 0.0, 0.5)),
                    ([2.0, 2.0, 2.0], (0.25, 0.25, 0.5)),
                    ([0.5, 0.0, 1.0], (1.0, 0.0, 0.0)),
                    ([-1.0, 0.0, 1.0], (0.0, 1.0, 0.0)),
                    ([2.0, 0.0, 1.0], (0.0, 0.0, 1.0)),
                ];
                for ([x, lo, hi], want) in cases {
                    assert_eq!(clamp::grad(x, lo, hi), want, "clamp grad at {:?}", (x, lo, hi));
                    // A subgradient: shifting all three shifts the value.
                    assert_eq!(want.0 + want.1 + want.2, 1.0);
                    let (v, ct) = clamp::vjp(x, lo, hi);
                    assert_eq!(v, x.clamp(lo, hi));
                    assert_eq!(clamp(x, lo, hi), x.clamp(lo, hi));
                    assert_eq!(ct(2.0), (2.0 * want.0, 2.0 * want.1, 2.0 * want.2), "clamp vjp at {:?}", (x, lo, hi));
                    let (_, dy) = clamp::jvp((x, lo, hi), (1.0, 10.0, 100.0));
                    assert_eq!(dy, want.0 + 10.0 * want.1 + 100.0 * want.2, "clamp jvp at {:?}", (x, lo, hi));
                }
                for (x, want) in [(0.0, 0.5), (1.0, 0.5), (0.25, 1.0), (-1.0, 0.0), (2.0, 0.0)] {
                    let (x, want): ($t, $t) = (x, want);
                    assert_eq!(clamp_unit::grad(x), want, "d/dx clamp(x, 0, 1) at {x}");
                    assert_eq!(clamp_unit(x), x.clamp(0.0, 1.0));
                }
            }

            /// `d/dy xʸ = 0` at `x = 0` and `d/dx xʸ = 0` at `y = 0`;
            /// elsewhere the textbook `y xʸ⁻¹` (so 1 at `(0, 1)` and +∞ at
            /// `(0, 0.5)`).
            #[test]
            fn powf_at_zero() {
                let ln2: $t = (2.0 as $t).ln();
                let cases: [([$t; 2], ($t, $t)); 7] = [
                    ([0.0, 2.0], (0.0, 0.0)),
                    ([0.0, 1.0], (1.0, 0.0)),
                    ([0.0, 3.0], (0.0, 0.0)),
                    ([0.0, 0.0], (0.0, 0.0)),
                    ([0.0, 0.5], (<$t>::INFINITY, 0.0)),
                    ([2.0, 0.0], (0.0, ln2)),
                    ([-3.0, 0.0], (0.0, <$t>::NAN)),
                ];
                for ([x, y], want) in cases {
                    for (form, g) in [("method", powf::grad(x, y)), ("path", powf_path::grad(x, y))] {
                        // Compare bit patterns where NaN is expected.
                        let ok = same_value(g.0, want.0) && same_value(g.1, want.1);
                        assert!(ok, "powf [{form}] grad at ({x}, {y}): expected {want:?}, got {g:?}");
                    }
                    assert_eq!(powf(x, y).to_bits(), x.powf(y).to_bits());
                    assert_eq!(powf_path(x, y).to_bits(), x.powf(y).to_bits());
                    if want.1 == want.1 {
                        let (_, ct) = powf::vjp(x, y);
                        assert_eq!(ct(1.0), want, "powf vjp at ({x}, {y})");
                    }
                }
            }

            /// Documented in the runtime: `(0, 0)` at the origin.
            #[test]
            fn hypot_at_origin() {
                assert_eq!(hypot::grad(0.0, 0.0), (0.0, 0.0));
                assert_eq!(hypot::jvp((0.0, 0.0), (1.0, 1.0)), (0.0, 0.0));
                assert_eq!(hypot(0.0, 0.0), 0.0);
            }

            #[test]
            fn signum_is_flat() {
                for x in [0.0, -0.0, 1.0, -1.0] {
                    let x: $t = x;
                    assert_eq!(signum::grad(x), 0.0, "signum'({x:?})");
                    assert_eq!(signum::value_and_grad(x).0, x.signum());
                    assert_eq!(signum(x), x.signum());
                }
            }

            /// `sqrt'(0) = +∞`, as in JAX.
            #[test]
            fn sqrt_at_zero() {
                assert_eq!(sqrt::grad(0.0), <$t>::INFINITY);
                assert_eq!(sqrt::value_and_grad(0.0), (0.0, <$t>::INFINITY));
                assert_eq!(sqrt(0.0), 0.0);
            }
        }
    };
}

/// Double precision, against `Dual64` and f64 finite differences.
mod double {
    use super::*;
    suite!(f64, Dual64, TOL64);
}

/// Single precision, against `Dual32` and f32 finite differences.
mod single {
    use super::*;
    suite!(f32, Dual32, TOL32);
}
