//! Rules of the scalar float functions (`x.sin()`, `f64::atan2(y, x)`, ...).
//!
//! Each takes its arguments by reference, like every rule, and returns the
//! value and one partial per differentiable argument. Where a derivative is
//! undefined (kinks, ties, poles) the rules follow JAX's conventions, stated
//! on each function.

use crate::linear::Identity;
use crate::Real;

#[inline(always)]
fn half<T: Real>() -> T {
    T::from_f64(0.5)
}

/// `sin x`; partial `cos x`.
///
/// The partial passes through `black_box` where it is computed: LLVM merges
/// a sine and a cosine of one argument into one `sincos` call only within a
/// basic block, and without the barrier it moves the cosine to its first
/// use, often past a branch (`powf`'s rare cases, a loop's tape), where it
/// costs a call of its own. Measured: `grad` of 1,000 Euler steps of a
/// pendulum 1.43 -> 1.02-1.08 times the function, `jacfwd` of the tutorial's
/// `g` 1.62 -> 1.46; a `grad` that needs only the cosine pays the barrier
/// (2-5%).
#[inline(always)]
pub fn sin<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let sin = x.sin();
    (sin, (core::hint::black_box(x.cos()),))
}

/// `cos x`; partial `-sin x` (through `black_box`, as in [`sin`]).
#[inline(always)]
pub fn cos<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let cos = x.cos();
    (cos, (-core::hint::black_box(x.sin()),))
}

/// `tan x`; partial `1 + tan² x`.
#[inline(always)]
pub fn tan<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.tan();
    (y, (T::one() + y * y,))
}

/// `asin x`; partial `1/√(1 - x²)`.
#[inline(always)]
pub fn asin<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.asin(), ((T::one() - x * x).sqrt().recip(),))
}

/// `acos x`; partial `-1/√(1 - x²)`.
#[inline(always)]
pub fn acos<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.acos(), (-(T::one() - x * x).sqrt().recip(),))
}

/// `atan x`; partial `1/(1 + x²)`.
#[inline(always)]
pub fn atan<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.atan(), ((T::one() + x * x).recip(),))
}

/// `atan2(y, x)` (Rust's `y.atan2(x)`); partials `(x, -y)/(x² + y²)`.
#[inline(always)]
pub fn atan2<T: Real>(y: &T, x: &T) -> (T, (T, T)) {
    let (y, x) = (*y, *x);
    let r = (x * x + y * y).recip();
    (y.atan2(x), (x * r, -y * r))
}

/// `sinh x`; partial `cosh x`.
#[inline(always)]
pub fn sinh<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.sinh(), (x.cosh(),))
}

/// `cosh x`; partial `sinh x`.
#[inline(always)]
pub fn cosh<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.cosh(), (x.sinh(),))
}

/// `tanh x`; partial `1 - tanh² x`, computed as `(1 - tanh x)(1 + tanh x)`
/// (as JAX does), which keeps its relative precision where `tanh x` is near ±1.
#[inline(always)]
pub fn tanh<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.tanh();
    (y, ((T::one() - y) * (T::one() + y),))
}

/// `asinh x`; partial `1/√(x² + 1)`.
#[inline(always)]
pub fn asinh<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.asinh(), ((x * x + T::one()).sqrt().recip(),))
}

/// `acosh x`; partial `1/√(x² - 1)`.
#[inline(always)]
pub fn acosh<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.acosh(), ((x * x - T::one()).sqrt().recip(),))
}

/// `atanh x`; partial `1/(1 - x²)`.
#[inline(always)]
pub fn atanh<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.atanh(), ((T::one() - x * x).recip(),))
}

/// `eˣ`; partial `eˣ` (the value itself).
#[inline(always)]
pub fn exp<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.exp();
    (y, (y,))
}

/// `2ˣ`; partial `2ˣ ln 2`.
#[inline(always)]
pub fn exp2<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.exp2();
    (y, (y * T::from_f64(core::f64::consts::LN_2),))
}

/// `eˣ - 1`; partial `eˣ`.
#[inline(always)]
pub fn exp_m1<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.exp_m1();
    (y, (y + T::one(),))
}

/// `ln x`; partial `1/x`.
#[inline(always)]
pub fn ln<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.ln(), (x.recip(),))
}

/// `ln(1 + x)`; partial `1/(1 + x)`.
#[inline(always)]
pub fn ln_1p<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.ln_1p(), ((T::one() + x).recip(),))
}

/// `log_b x` (Rust's `x.log(b)`); partials `(1/(x ln b), -log_b x/(b ln b))`.
#[inline(always)]
pub fn log<T: Real>(x: &T, base: &T) -> (T, (T, T)) {
    let (x, base) = (*x, *base);
    let y = x.log(base);
    let ln_b = base.ln();
    (y, ((x * ln_b).recip(), -y / (base * ln_b)))
}

/// `log₁₀ x`; partial `1/(x ln 10)`.
#[inline(always)]
pub fn log10<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (
        x.log10(),
        ((x * T::from_f64(core::f64::consts::LN_10)).recip(),),
    )
}

/// `log₂ x`; partial `1/(x ln 2)`.
#[inline(always)]
pub fn log2<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (
        x.log2(),
        ((x * T::from_f64(core::f64::consts::LN_2)).recip(),),
    )
}

/// `√x`; partial `1/(2√x)` (infinite at 0, as in JAX).
#[inline(always)]
pub fn sqrt<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.sqrt();
    // `½ · (1/y)`: a reciprocal that LLVM can share with a `div` rule's.
    (y, (half::<T>() * y.recip(),))
}

/// `∛x`; partial `1/(3∛x²)`.
#[inline(always)]
pub fn cbrt<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.cbrt();
    (y, ((T::from_f64(3.0) * y * y).recip(),))
}

/// `xⁿ` for an integer `n` (static, so no partial); partial `n xⁿ⁻¹`, `0` for `n = 0`,
/// computed as `n xⁿ / x` from the value (one power, not two) where that
/// value neither overflowed nor underflowed to zero.
#[inline(always)]
pub fn powi<T: Real>(x: &T, n: &i32) -> (T, (T,)) {
    let (x, n) = (*x, *n);
    let value = x.powi(n);
    let partial = if n == 0 {
        T::zero()
    } else if value != T::zero() && value.is_finite() {
        T::from_i32(n) * value / x
    } else {
        T::from_i32(n) * x.powi(n - 1)
    };
    (value, (partial,))
}

/// `xʸ`; partials `(y xʸ⁻¹, xʸ ln x)`. As in JAX, the first is `0` when `y = 0`
/// and the second is `0` when `x = 0`. The first is `y xʸ / x`, from the
/// value (one power, not two), where that value neither overflowed nor
/// underflowed to zero.
#[inline(always)]
pub fn powf<T: Real>(x: &T, y: &T) -> (T, (T, T)) {
    let (x, y) = (*x, *y);
    let value = x.powf(y);
    let zero = T::zero();
    let d_x = if y == zero {
        zero
    } else if value != zero && value.is_finite() {
        y * value / x
    } else {
        y * x.powf(y - T::one())
    };
    let d_y = if x == zero { zero } else { value * x.ln() };
    (value, (d_x, d_y))
}

/// `√(x² + y²)`; partials `(x, y)/√(x² + y²)`, taken as `(0, 0)` at the origin.
#[inline(always)]
pub fn hypot<T: Real>(x: &T, y: &T) -> (T, (T, T)) {
    let (x, y) = (*x, *y);
    let h = x.hypot(y);
    if h == T::zero() {
        (h, (T::zero(), T::zero()))
    } else {
        (h, (x / h, y / h))
    }
}

/// `|a|`: of a float, and entrywise of a matrix (`rules::linalg`).
pub trait AbsRule {
    /// The result's type.
    type Output;
    /// The partial with respect to the argument.
    type Partial;
    /// The value and the partial.
    fn abs_rule(&self) -> (Self::Output, (Self::Partial,));
}

/// `|a|`; see the implementations for the partials.
#[inline(always)]
pub fn abs<A: AbsRule + ?Sized>(a: &A) -> (A::Output, (A::Partial,)) {
    a.abs_rule()
}

/// `|x|`; partial `1` for `x ≥ 0` (including `-0`) and `-1` below, as in JAX.
impl<T: Real> AbsRule for T {
    type Output = T;
    type Partial = T;
    #[inline(always)]
    fn abs_rule(&self) -> (T, (T,)) {
        let x = *self;
        let partial = if x >= T::zero() { T::one() } else { -T::one() };
        (x.abs(), (partial,))
    }
}

/// `signum x`; partial `0` (piecewise constant).
#[inline(always)]
pub fn signum<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.signum(), (T::zero(),))
}

/// `1/x`; partial `-1/x²`.
#[inline(always)]
pub fn recip<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    let y = x.recip();
    (y, (-y * y,))
}

/// `x·a + b` with one rounding; partials `(a, x, 1)`.
#[inline(always)]
pub fn mul_add<T: Real>(x: &T, a: &T, b: &T) -> (T, (T, T, Identity)) {
    let (x, a, b) = (*x, *a, *b);
    (x.mul_add(a, b), (a, x, Identity))
}

/// Partials of a binary selection: who won, with ties split evenly as in JAX.
#[inline(always)]
fn selection<T: Real>(a: T, b: T, value: T) -> (T, T) {
    if a == b {
        (half(), half())
    } else if value == a {
        (T::one(), T::zero())
    } else {
        (T::zero(), T::one())
    }
}

/// `min(a, b)`; partial `1` for the smaller argument, `½` each on a tie.
#[inline(always)]
pub fn min<T: Real>(a: &T, b: &T) -> (T, (T, T)) {
    let (a, b) = (*a, *b);
    let y = a.min(b);
    (y, selection(a, b, y))
}

/// `max(a, b)`; partial `1` for the larger argument, `½` each on a tie.
#[inline(always)]
pub fn max<T: Real>(a: &T, b: &T) -> (T, (T, T)) {
    let (a, b) = (*a, *b);
    let y = a.max(b);
    (y, selection(a, b, y))
}

/// `x` clamped to `[lo, hi]`, differentiated as `min(max(x, lo), hi)` (JAX's
/// `jnp.clip`): the partial goes to `x` strictly inside the interval, to
/// `lo` below it and to `hi` above it, and is split evenly at a tie, as for
/// [`max`] and [`min`]: `(½, ½, 0)` at `x = lo < hi`, `(½, 0, ½)` at
/// `x = hi > lo`, `(¼, ¼, ½)` at `x = lo = hi`. The partials always sum to
/// `1` (shifting all three shifts the result), so each is a subgradient.
#[inline(always)]
pub fn clamp<T: Real>(x: &T, lo: &T, hi: &T) -> (T, (T, T, T)) {
    let (x, lo, hi) = (*x, *lo, *hi);
    let inner = x.max(lo);
    let (to_x, to_lo) = selection(x, lo, inner);
    let (to_inner, to_hi) = selection(inner, hi, inner.min(hi));
    (x.clamp(lo, hi), (to_inner * to_x, to_inner * to_lo, to_hi))
}

/// `stop_gradient(x)` as a scalar rule (inside `map`): the value, partial
/// `0`. Elsewhere the macro gives it no derivative code at all.
#[inline(always)]
pub fn stop_gradient<T: Real>(x: &T) -> (T, (T,)) {
    (*x, (T::zero(),))
}

/// `floor x`; partial `0` (piecewise constant, as in JAX).
#[inline(always)]
pub fn floor<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.floor(), (T::zero(),))
}

/// `ceil x`; partial `0`.
#[inline(always)]
pub fn ceil<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.ceil(), (T::zero(),))
}

/// `round x`; partial `0`.
#[inline(always)]
pub fn round<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.round(), (T::zero(),))
}

/// `trunc x`; partial `0`.
#[inline(always)]
pub fn trunc<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (x.trunc(), (T::zero(),))
}

/// `x - trunc x`; partial `1`.
#[inline(always)]
pub fn fract<T: Real>(x: &T) -> (T, (Identity,)) {
    let x = *x;
    (x.fract(), (Identity,))
}

/// Radians to degrees; partial `180/π`.
#[inline(always)]
pub fn to_degrees<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (
        x.to_degrees(),
        (T::from_f64(180.0 / core::f64::consts::PI),),
    )
}

/// Degrees to radians; partial `π/180`.
#[inline(always)]
pub fn to_radians<T: Real>(x: &T) -> (T, (T,)) {
    let x = *x;
    (
        x.to_radians(),
        (T::from_f64(core::f64::consts::PI / 180.0),),
    )
}
