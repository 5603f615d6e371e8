//! Dual numbers, for second derivatives: forward mode over reverse mode.
//!
//! `hvp` and `hessian` run a function's reverse sweep once more, with each
//! differentiable argument `x` replaced by the dual number `x + ε v`
//! ([`lift`]). Every rule then computes its value and partials on dual
//! numbers, so the partials carry their own derivatives along `v`, and the
//! gradient that comes out is `∇f(x) + ε H v`: its `ε` parts
//! ([`tangent_part`]) are the Hessian-vector product. The rules are the
//! ones the first derivatives use, so kinks and ties follow the same
//! conventions (`docs/kinks.md`); piecewise-constant functions have a zero
//! second derivative.
//!
//! The macro writes that second reverse sweep with the differentiable
//! arguments' float types replaced by `Dual<f64>` (or `Dual<f32>`), and
//! makes constants dual where they meet dual values ([`promote`]). The
//! operators and comparisons also take a plain float on either side of a
//! dual number, for code written over `Dual` directly.

use core::cmp::Ordering;
use core::ops::{Add, Div, Mul, Neg, Sub};

use crate::buffer::Buffer;
use crate::linear::{Pull, Push};
use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// `re + ε eps`, with `ε² = 0`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Dual<T> {
    /// The value.
    pub re: T,
    /// The derivative along the direction the number was lifted with.
    pub eps: T,
}

impl<T: Real> Dual<T> {
    /// `re + ε eps`.
    #[inline(always)]
    pub fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }

    /// A constant: no derivative.
    #[inline(always)]
    pub fn constant(re: T) -> Self {
        Dual { re, eps: T::zero() }
    }

    /// `f(re) + ε f'(re) eps`, from the value and the derivative at `re`.
    #[inline(always)]
    fn chain(self, value: T, derivative: T) -> Self {
        Dual {
            re: value,
            eps: derivative * self.eps,
        }
    }
}

impl<T: Real> PartialEq for Dual<T> {
    /// Dual numbers compare by value, as branches on them must.
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<T: Real> PartialOrd for Dual<T> {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<T: Real> Neg for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual::new(-self.re, -self.eps)
    }
}

impl<T: Real> Add for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        Dual::new(self.re + b.re, self.eps + b.eps)
    }
}

impl<T: Real> Sub for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        Dual::new(self.re - b.re, self.eps - b.eps)
    }
}

impl<T: Real> Mul for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        Dual::new(self.re * b.re, self.eps * b.re + self.re * b.eps)
    }
}

/// `a op= b` as `a = a op b`, as `Real` asks of every float type.
macro_rules! assign_ops {
    ($($trait_:ident $method:ident $op:tt),*) => {$(
        impl<T: Real> core::ops::$trait_ for Dual<T> {
            #[inline(always)]
            fn $method(&mut self, b: Self) {
                *self = *self $op b;
            }
        }
    )*};
}

assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

impl<T: Real> Div for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        let r = T::one() / b.re;
        let re = self.re * r;
        Dual::new(re, (self.eps - re * b.eps) * r)
    }
}

/// A plain float on either side of a dual number: operators, comparisons.
macro_rules! mixed {
    ($($t:ty),*) => {$(
        impl Add<$t> for Dual<$t> {
            type Output = Self;
            #[inline(always)]
            fn add(self, b: $t) -> Self {
                Dual::new(self.re + b, self.eps)
            }
        }
        impl Add<Dual<$t>> for $t {
            type Output = Dual<$t>;
            #[inline(always)]
            fn add(self, b: Dual<$t>) -> Dual<$t> {
                Dual::new(self + b.re, b.eps)
            }
        }
        impl Sub<$t> for Dual<$t> {
            type Output = Self;
            #[inline(always)]
            fn sub(self, b: $t) -> Self {
                Dual::new(self.re - b, self.eps)
            }
        }
        impl Sub<Dual<$t>> for $t {
            type Output = Dual<$t>;
            #[inline(always)]
            fn sub(self, b: Dual<$t>) -> Dual<$t> {
                Dual::new(self - b.re, -b.eps)
            }
        }
        impl Mul<$t> for Dual<$t> {
            type Output = Self;
            #[inline(always)]
            fn mul(self, b: $t) -> Self {
                Dual::new(self.re * b, self.eps * b)
            }
        }
        impl Mul<Dual<$t>> for $t {
            type Output = Dual<$t>;
            #[inline(always)]
            fn mul(self, b: Dual<$t>) -> Dual<$t> {
                Dual::new(self * b.re, self * b.eps)
            }
        }
        impl Div<$t> for Dual<$t> {
            type Output = Self;
            #[inline(always)]
            fn div(self, b: $t) -> Self {
                Dual::new(self.re / b, self.eps / b)
            }
        }
        impl Div<Dual<$t>> for $t {
            type Output = Dual<$t>;
            #[inline(always)]
            fn div(self, b: Dual<$t>) -> Dual<$t> {
                Dual::constant(self) / b
            }
        }
        impl PartialEq<$t> for Dual<$t> {
            #[inline(always)]
            fn eq(&self, b: &$t) -> bool {
                self.re == *b
            }
        }
        impl PartialEq<Dual<$t>> for $t {
            #[inline(always)]
            fn eq(&self, b: &Dual<$t>) -> bool {
                *self == b.re
            }
        }
        impl PartialOrd<$t> for Dual<$t> {
            #[inline(always)]
            fn partial_cmp(&self, b: &$t) -> Option<Ordering> {
                self.re.partial_cmp(b)
            }
        }
        impl PartialOrd<Dual<$t>> for $t {
            #[inline(always)]
            fn partial_cmp(&self, b: &Dual<$t>) -> Option<Ordering> {
                self.partial_cmp(&b.re)
            }
        }
    )*};
}

mixed!(f32, f64);

/// `max` and `min` on a tie take the mean derivative, as their rules split
/// the partial evenly (`docs/kinks.md`).
fn select<T: Real>(a: Dual<T>, b: Dual<T>, a_wins: bool, b_wins: bool) -> Dual<T> {
    match (a_wins, b_wins) {
        (true, _) => a,
        (_, true) => b,
        _ => Dual::new(a.re, (a.eps + b.eps) * T::from_f64(0.5)),
    }
}

impl<T: Real> Real for Dual<T> {
    #[inline(always)]
    fn zero() -> Self {
        Dual::constant(T::zero())
    }
    #[inline(always)]
    fn one() -> Self {
        Dual::constant(T::one())
    }
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        Dual::constant(T::from_f64(x))
    }
    #[inline(always)]
    fn from_i32(n: i32) -> Self {
        Dual::constant(T::from_i32(n))
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        self.re.is_finite()
    }
    fn sin(self) -> Self {
        self.chain(self.re.sin(), self.re.cos())
    }
    fn cos(self) -> Self {
        self.chain(self.re.cos(), -self.re.sin())
    }
    fn tan(self) -> Self {
        let t = self.re.tan();
        self.chain(t, T::one() + t * t)
    }
    fn asin(self) -> Self {
        self.chain(
            self.re.asin(),
            (T::one() - self.re * self.re).sqrt().recip(),
        )
    }
    fn acos(self) -> Self {
        self.chain(
            self.re.acos(),
            -(T::one() - self.re * self.re).sqrt().recip(),
        )
    }
    fn atan(self) -> Self {
        self.chain(self.re.atan(), (T::one() + self.re * self.re).recip())
    }
    fn atan2(self, x: Self) -> Self {
        let r = (x.re * x.re + self.re * self.re).recip();
        Dual::new(self.re.atan2(x.re), (x.re * self.eps - self.re * x.eps) * r)
    }
    fn sinh(self) -> Self {
        self.chain(self.re.sinh(), self.re.cosh())
    }
    fn cosh(self) -> Self {
        self.chain(self.re.cosh(), self.re.sinh())
    }
    fn tanh(self) -> Self {
        let t = self.re.tanh();
        self.chain(t, T::one() - t * t)
    }
    fn asinh(self) -> Self {
        self.chain(
            self.re.asinh(),
            (self.re * self.re + T::one()).sqrt().recip(),
        )
    }
    fn acosh(self) -> Self {
        self.chain(
            self.re.acosh(),
            (self.re * self.re - T::one()).sqrt().recip(),
        )
    }
    fn atanh(self) -> Self {
        self.chain(self.re.atanh(), (T::one() - self.re * self.re).recip())
    }
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    fn exp2(self) -> Self {
        let e = self.re.exp2();
        self.chain(e, e * T::from_f64(core::f64::consts::LN_2))
    }
    fn exp_m1(self) -> Self {
        self.chain(self.re.exp_m1(), self.re.exp())
    }
    fn ln(self) -> Self {
        self.chain(self.re.ln(), self.re.recip())
    }
    fn ln_1p(self) -> Self {
        self.chain(self.re.ln_1p(), (T::one() + self.re).recip())
    }
    fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }
    fn log10(self) -> Self {
        self.chain(
            self.re.log10(),
            (self.re * T::from_f64(core::f64::consts::LN_10)).recip(),
        )
    }
    fn log2(self) -> Self {
        self.chain(
            self.re.log2(),
            (self.re * T::from_f64(core::f64::consts::LN_2)).recip(),
        )
    }
    fn sqrt(self) -> Self {
        let s = self.re.sqrt();
        self.chain(s, (s + s).recip())
    }
    fn cbrt(self) -> Self {
        let c = self.re.cbrt();
        self.chain(c, (T::from_f64(3.0) * c * c).recip())
    }
    fn powi(self, n: i32) -> Self {
        let d = match n {
            0 => T::zero(),
            _ => T::from_i32(n) * self.re.powi(n - 1),
        };
        self.chain(self.re.powi(n), d)
    }
    /// The derivative in the exponent is `0` at base `0`, as `powf`'s rule has it.
    fn powf(self, y: Self) -> Self {
        let value = self.re.powf(y.re);
        let zero = T::zero();
        let d_x = if y.re == zero {
            zero
        } else {
            y.re * self.re.powf(y.re - T::one())
        };
        let d_y = if self.re == zero {
            zero
        } else {
            value * self.re.ln()
        };
        Dual::new(value, d_x * self.eps + d_y * y.eps)
    }
    fn hypot(self, other: Self) -> Self {
        let h = self.re.hypot(other.re);
        match h == T::zero() {
            true => Dual::constant(h),
            false => Dual::new(h, (self.re * self.eps + other.re * other.eps) / h),
        }
    }
    /// Derivative `1` at `0`, as `abs`'s rule has it.
    fn abs(self) -> Self {
        match self.re >= T::zero() {
            true => Dual::new(self.re.abs(), self.eps),
            false => Dual::new(self.re.abs(), -self.eps),
        }
    }
    fn signum(self) -> Self {
        Dual::constant(self.re.signum())
    }
    fn recip(self) -> Self {
        let r = self.re.recip();
        self.chain(r, -r * r)
    }
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
    fn min(self, other: Self) -> Self {
        select(self, other, self.re < other.re, other.re < self.re)
    }
    fn max(self, other: Self) -> Self {
        select(self, other, self.re > other.re, other.re > self.re)
    }
    /// `min(max(x, lo), hi)`, as `clamp`'s rule has it.
    fn clamp(self, lo: Self, hi: Self) -> Self {
        self.max(lo).min(hi)
    }
    fn floor(self) -> Self {
        Dual::constant(self.re.floor())
    }
    fn ceil(self) -> Self {
        Dual::constant(self.re.ceil())
    }
    fn round(self) -> Self {
        Dual::constant(self.re.round())
    }
    fn trunc(self) -> Self {
        Dual::constant(self.re.trunc())
    }
    fn fract(self) -> Self {
        Dual::new(self.re.fract(), self.eps)
    }
    fn to_degrees(self) -> Self {
        Dual::new(self.re.to_degrees(), self.eps.to_degrees())
    }
    fn to_radians(self) -> Self {
        Dual::new(self.re.to_radians(), self.eps.to_radians())
    }
}

/// What nalgebra's matrix arithmetic asks of an entry, so that matrices of
/// dual numbers carry second derivatives through products, sums and dot
/// products (`linalg_tangent::MatrixScalar`).
impl<T: Real> num_traits::Zero for Dual<T> {
    #[inline(always)]
    fn zero() -> Self {
        <Self as Real>::zero()
    }
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.re == T::zero() && self.eps == T::zero()
    }
}

impl<T: Real> num_traits::One for Dual<T> {
    #[inline(always)]
    fn one() -> Self {
        <Self as Real>::one()
    }
}

impl<T: Real> Tangent for Dual<T> {
    type Scalar = Dual<T>;
    #[inline(always)]
    fn zero_like(&self) -> Self {
        Dual::zero()
    }
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self + other
    }
    #[inline(always)]
    fn scale(self, factor: Self) -> Self {
        self * factor
    }
    #[inline(always)]
    fn dim(&self) -> usize {
        1
    }
    #[inline(always)]
    fn component(&self, _i: usize) -> Self {
        *self
    }
    #[inline(always)]
    fn set_component(&mut self, _i: usize, value: Self) {
        *self = value;
    }
}

impl<T: Real> HasTangent for Dual<T> {
    type Tangent = Self;
    type Shape = ();
    #[inline(always)]
    fn zero_tangent(&self) -> Self {
        Dual::zero()
    }
    #[inline(always)]
    fn shape(&self) {}
    #[inline(always)]
    fn zero_of(_shape: &()) -> Self {
        Dual::zero()
    }
}

impl<T: Real> Buffer for Dual<T> {
    #[inline(always)]
    fn take(&mut self) -> Self {
        *self
    }
}

/// A dual partial applied to a dual tangent or cotangent: in the second
/// sweep every operand of a rule is dual (constants are promoted), and so
/// are its partials and adjoints.
impl<T: Real> Push<Dual<T>> for Dual<T> {
    type Out = Dual<T>;
    #[inline(always)]
    fn push(&self, t: &Dual<T>) -> Dual<T> {
        *self * *t
    }
}

impl<T: Real> Pull<Dual<T>> for Dual<T> {
    type Out = Dual<T>;
    #[inline(always)]
    fn pull(&self, c: &Dual<T>) -> Dual<T> {
        *self * *c
    }
}

/// What the second sweep of a caller meets when it calls a function
/// without second derivatives (its `__hvp_vjp_call` exists so that callers
/// compile; a caller's macro cannot know which functions have them).
#[cold]
pub fn no_second_order(name: &str, reason: &str) -> ! {
    panic!("hvp or hessian through a call of `{name}`, which has no second derivatives because {reason}")
}

/// Marks the `hvp` and `hessian` of a function outside the subset that gets
/// second derivatives: calling them is a compile-time error.
#[diagnostic::on_unimplemented(
    message = "no second derivatives were generated for this function",
    label = "`hvp` and `hessian` are not available here",
    note = "second derivatives are generated for functions of floats, arrays, `Vec`s and slices with a scalar output, whose derivatives flow through arithmetic, the float functions, indexing, loops, branches and calls; nalgebra's arithmetic, products, dot products, norms and blocks; not yet through decompositions, geometry, structs, `map` closures or custom rules (the stub's documentation says which)"
)]
pub trait SecondOrder {}

mod number;
mod values;
pub use number::*;
pub use values::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_derivatives_through_the_rules() {
        // d²/dx² sin(x) = -sin(x): the rule's partial cos(x), on a dual number.
        let x = Dual::new(0.7_f64, 1.0);
        let (_, (partial,)) = crate::rules::sin(&x);
        assert!((partial.eps + 0.7_f64.sin()).abs() < 1e-15);
        // Mixed operands: 3 x² at x = 2 along 1: 12 and 12.
        let y = 3.0 * (x * x);
        assert_eq!(y.re, 3.0 * (0.7 * 0.7));
        let z: Dual<f64> = Dual::new(2.0, 1.0);
        let w = 3.0 * z * z;
        assert_eq!((w.re, w.eps), (12.0, 12.0));
        // Comparisons read the value, with a float on either side.
        assert!(z > 1.5);
        assert!(2.5 > z);
        assert!(z == 2.0);
        assert_eq!(primal(&z) as usize, 2);
        let lifted = lift(&[1.0, 2.0], &[0.5, -1.0]);
        assert_eq!(tangent_part(&[0.0; 2], &lifted), [0.5, -1.0]);
    }
}
