//! [`Float`]: the bound under which generated code is generic over the float type.

use crate::buffer::Buffer;
use crate::dual::{Dual, Lift, Primal, Promote};
use crate::linear::{Identity, Negate, Pull, Push};
use crate::rules::{AddRule, DivRule, MulRule, NegRule, SubRule};
use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// A float type that differentiated code can be generic over: `f32` and
/// `f64`.
///
/// `#[differentiate]` on `fn f<T: Real>(x: T) -> T` (or a bound on nalgebra's
/// `RealField`) makes the generated functions generic over `T` with this
/// bound added, because each rule the body uses must be known to hold for
/// `T`; a generic caller of `f::grad` states it too. It is [`Real`] together
/// with the tangent space and the arithmetic rules of a scalar, and its
/// dual numbers for second derivatives.
///
/// ```
/// use autodiff_runtime::{Float, Real};
///
/// // What a generic caller of `f::grad` writes (`docs/generics.md`).
/// fn halfway<T: Float>(a: T, b: T) -> T {
///     (a + b) * T::from_f64(0.5)
/// }
/// assert_eq!(halfway(1.0_f32, 2.0), 1.5);
/// ```
pub trait Float:
    Real
    + 'static
    + Tangent<Scalar = Self>
    + HasTangent<Tangent = Self, Shape = ()>
    + Buffer
    + Push<Self, Out = Self>
    + Pull<Self, Out = Self>
    + AddRule<Self, Output = Self, Partials = (Identity, Identity)>
    + SubRule<Self, Output = Self, Partials = (Identity, Negate)>
    + MulRule<Self, Output = Self, Partials = (Self, Self)>
    + DivRule<Self, Output = Self, Partials = (Self, Self)>
    + NegRule<Output = Self>
    + Primal<Value = Self>
    + Lift<Dual = Dual<Self>, Tangent = Self>
    + Promote<Self, Out = Dual<Self>>
{
}

impl Float for f32 {}
impl Float for f64 {}
