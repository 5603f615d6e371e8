//! [`Real`]: the float operations the derivative rules are written in.
//!
//! With the `std` feature the methods forward to the standard library, so
//! generated code computes exactly what a hand-written `f64` expression does;
//! without it they forward to [`libm`], so the same rules work in `no_std`.
//! Bringing the trait into scope (it is in `autodiff::prelude`) also gives
//! `no_std` code the `x.sin()` method syntax that `core` lacks; with `std`,
//! the inherent methods of `f32`/`f64` take precedence and nothing changes.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real floating-point scalar: `f32` or `f64`.
///
/// ```
/// use autodiff_runtime::Real;
/// fn twice_sin<T: Real>(x: T) -> T { x.sin() + x.sin() }
/// assert_eq!(twice_sin(0.0_f32), 0.0);
/// ```
pub trait Real:
    Copy
    + Debug
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
    /// Additive identity.
    fn zero() -> Self;
    /// Multiplicative identity.
    fn one() -> Self;
    /// Converts a small constant such as `0.5` or `3.0` (exact in both widths).
    fn from_f64(x: f64) -> Self;
    /// Converts an integer exponent (for `powi`'s derivative).
    fn from_i32(n: i32) -> Self;
    /// Whether the value is neither infinite nor NaN.
    fn is_finite(self) -> bool;

    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Tangent.
    fn tan(self) -> Self;
    /// Arcsine.
    fn asin(self) -> Self;
    /// Arccosine.
    fn acos(self) -> Self;
    /// Arctangent.
    fn atan(self) -> Self;
    /// Four-quadrant arctangent of `self / other`.
    fn atan2(self, other: Self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// Inverse hyperbolic sine.
    fn asinh(self) -> Self;
    /// Inverse hyperbolic cosine.
    fn acosh(self) -> Self;
    /// Inverse hyperbolic tangent.
    fn atanh(self) -> Self;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `2^self`.
    fn exp2(self) -> Self;
    /// `e^self - 1`, accurate near zero.
    fn exp_m1(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// `ln(1 + self)`, accurate near zero.
    fn ln_1p(self) -> Self;
    /// Logarithm in base `base`.
    fn log(self, base: Self) -> Self;
    /// Base-10 logarithm.
    fn log10(self) -> Self;
    /// Base-2 logarithm.
    fn log2(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// Cube root.
    fn cbrt(self) -> Self;
    /// Integer power.
    fn powi(self, n: i32) -> Self;
    /// Real power.
    fn powf(self, n: Self) -> Self;
    /// `sqrt(self² + other²)` without undue overflow.
    fn hypot(self, other: Self) -> Self;
    /// Absolute value.
    fn abs(self) -> Self;
    /// `1` for positive numbers and `+0`, `-1` for negative numbers and `-0`.
    fn signum(self) -> Self;
    /// `1 / self`.
    fn recip(self) -> Self;
    /// `self * a + b`.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// The smaller of two numbers.
    fn min(self, other: Self) -> Self;
    /// The larger of two numbers.
    fn max(self, other: Self) -> Self;
    /// `self` restricted to `[lo, hi]`.
    fn clamp(self, lo: Self, hi: Self) -> Self;
    /// Largest integer not above `self`.
    fn floor(self) -> Self;
    /// Smallest integer not below `self`.
    fn ceil(self) -> Self;
    /// Nearest integer, halves away from zero.
    fn round(self) -> Self;
    /// Integer part.
    fn trunc(self) -> Self;
    /// `self - self.trunc()`.
    fn fract(self) -> Self;
    /// Radians to degrees.
    fn to_degrees(self) -> Self;
    /// Degrees to radians.
    fn to_radians(self) -> Self;
}

/// Forwards each method to `std` when it is there and to `libm` otherwise.
macro_rules! impl_real {
    ($t:ident, $libm_fma:ident, $libm_pow:ident, { $($name:ident($($arg:ident),*) => $libm:ident;)* }) => {
        impl Real for $t {
            #[inline(always)]
            fn zero() -> Self { 0.0 }
            #[inline(always)]
            fn one() -> Self { 1.0 }
            #[inline(always)]
            fn from_f64(x: f64) -> Self { x as $t }
            #[inline(always)]
            fn from_i32(n: i32) -> Self { n as $t }
            #[inline(always)]
            fn is_finite(self) -> bool { $t::is_finite(self) }
            $(
                #[inline(always)]
                fn $name(self $(, $arg: Self)*) -> Self {
                    #[cfg(feature = "std")]
                    { $t::$name(self $(, $arg)*) }
                    #[cfg(not(feature = "std"))]
                    { libm::$libm(self $(, $arg)*) }
                }
            )*
            #[inline(always)]
            fn powi(self, n: i32) -> Self {
                #[cfg(feature = "std")]
                { $t::powi(self, n) }
                #[cfg(not(feature = "std"))]
                { libm::$libm_pow(self, n as $t) }
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                #[cfg(feature = "std")]
                { $t::mul_add(self, a, b) }
                #[cfg(not(feature = "std"))]
                { libm::$libm_fma(self, a, b) }
            }
            #[inline(always)]
            fn log(self, base: Self) -> Self {
                #[cfg(feature = "std")]
                { $t::log(self, base) }
                #[cfg(not(feature = "std"))]
                { Real::ln(self) / Real::ln(base) }
            }
            #[inline(always)]
            fn abs(self) -> Self { $t::abs(self) }
            #[inline(always)]
            fn signum(self) -> Self { $t::signum(self) }
            #[inline(always)]
            fn recip(self) -> Self { $t::recip(self) }
            #[inline(always)]
            fn min(self, other: Self) -> Self { $t::min(self, other) }
            #[inline(always)]
            fn max(self, other: Self) -> Self { $t::max(self, other) }
            #[inline(always)]
            fn clamp(self, lo: Self, hi: Self) -> Self { $t::clamp(self, lo, hi) }
            #[inline(always)]
            fn fract(self) -> Self { self - Real::trunc(self) }
            #[inline(always)]
            fn to_degrees(self) -> Self { $t::to_degrees(self) }
            #[inline(always)]
            fn to_radians(self) -> Self { $t::to_radians(self) }
        }
    };
}

impl_real!(f64, fma, pow, {
    sin() => sin; cos() => cos; tan() => tan; asin() => asin; acos() => acos; atan() => atan;
    atan2(other) => atan2; sinh() => sinh; cosh() => cosh; tanh() => tanh; asinh() => asinh;
    acosh() => acosh; atanh() => atanh; exp() => exp; exp2() => exp2; exp_m1() => expm1;
    ln() => log; ln_1p() => log1p; log10() => log10; log2() => log2; sqrt() => sqrt;
    cbrt() => cbrt; powf(n) => pow; hypot(other) => hypot; floor() => floor; ceil() => ceil;
    round() => round; trunc() => trunc;
});

impl_real!(f32, fmaf, powf, {
    sin() => sinf; cos() => cosf; tan() => tanf; asin() => asinf; acos() => acosf; atan() => atanf;
    atan2(other) => atan2f; sinh() => sinhf; cosh() => coshf; tanh() => tanhf; asinh() => asinhf;
    acosh() => acoshf; atanh() => atanhf; exp() => expf; exp2() => exp2f; exp_m1() => expm1f;
    ln() => logf; ln_1p() => log1pf; log10() => log10f; log2() => log2f; sqrt() => sqrtf;
    cbrt() => cbrtf; powf(n) => powf; hypot(other) => hypotf; floor() => floorf; ceil() => ceilf;
    round() => roundf; trunc() => truncf;
});
