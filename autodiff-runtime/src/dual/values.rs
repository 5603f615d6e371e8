//! Between plain values and dual numbers: [`Primal`] (the value part that
//! code without a derivative reads), [`Lift`] (`x + ε v` from a value and a
//! direction, and back) and [`Promote`] (a constant as dual numbers).

use super::Dual;
use crate::Real;

/// The value code without a derivative reads: a float's own, a dual
/// number's `re`, a matrix's entries' (generated code reads dual values
/// through it, `primal(&x) as usize`, so that such code compiles in the
/// second sweep too).
pub trait Primal {
    /// The plain value.
    type Value;
    /// The value, without its derivative.
    fn primal(&self) -> Self::Value;
}

macro_rules! primal_float {
    ($($t:ty),*) => {$(
        impl Primal for $t {
            type Value = $t;
            #[inline(always)]
            fn primal(&self) -> $t {
                *self
            }
        }
    )*};
}

primal_float!(f32, f64);

impl<T: Real> Primal for Dual<T> {
    type Value = T;
    #[inline(always)]
    fn primal(&self) -> T {
        self.re
    }
}

/// Values that carry no derivative (a struct's static fields, indices)
/// are their own value, their own promotion and their own constant in the
/// generic sweep.
macro_rules! static_values {
    ($($t:ty),*) => {$(
        impl Primal for $t {
            type Value = $t;
            #[inline(always)]
            fn primal(&self) -> $t {
                *self
            }
        }
        impl<S> Promote<S> for $t {
            type Out = $t;
            #[inline(always)]
            fn promote(&self) -> $t {
                *self
            }
        }
        impl<F, N> super::Constant<F, N> for $t {
            type Out = $t;
            #[inline(always)]
            fn constant(&self) -> $t {
                *self
            }
        }
    )*};
}

static_values!(usize, isize, u8, u16, u32, u64, i8, i16, i32, i64, bool, char);

/// Tuples and `Option`s lift and promote element by element.
macro_rules! tuple_lift {
    ($(($($T:ident . $k:tt),+))*) => {$(
        impl<$($T: Lift),+> Lift for ($($T,)+) {
            type Dual = ($($T::Dual,)+);
            type Tangent = ($($T::Tangent,)+);
            fn lift(&self, direction: &Self::Tangent) -> Self::Dual {
                ($(self.$k.lift(&direction.$k),)+)
            }
            fn tangent_part(dual: &Self::Dual) -> Self::Tangent {
                ($($T::tangent_part(&dual.$k),)+)
            }
        }
        impl<S, $($T: Promote<S>),+> Promote<S> for ($($T,)+) {
            type Out = ($($T::Out,)+);
            fn promote(&self) -> Self::Out {
                ($(self.$k.promote(),)+)
            }
        }
    )*};
}

tuple_lift! {
    (A.0)
    (A.0, B.1)
    (A.0, B.1, C.2)
    (A.0, B.1, C.2, D.3)
}

impl<X: Lift> Lift for Option<X> {
    type Dual = Option<X::Dual>;
    type Tangent = Option<X::Tangent>;
    fn lift(&self, direction: &Self::Tangent) -> Self::Dual {
        match (self, direction) {
            (Some(x), Some(d)) => Some(x.lift(d)),
            _ => None,
        }
    }
    fn tangent_part(dual: &Self::Dual) -> Self::Tangent {
        dual.as_ref().map(X::tangent_part)
    }
}

impl<S, X: Promote<S>> Promote<S> for Option<X> {
    type Out = Option<X::Out>;
    fn promote(&self) -> Self::Out {
        self.as_ref().map(X::promote)
    }
}

/// An array's values, element by element.
impl<X: Primal, const N: usize> Primal for [X; N] {
    type Value = [X::Value; N];
    fn primal(&self) -> Self::Value {
        core::array::from_fn(|k| self[k].primal())
    }
}

#[cfg(feature = "alloc")]
impl<X: Primal> Primal for alloc::vec::Vec<X> {
    type Value = alloc::vec::Vec<X::Value>;
    fn primal(&self) -> Self::Value {
        self.iter().map(X::primal).collect()
    }
}

/// A borrowed argument's value.
impl<X: Primal + ?Sized> Primal for &X {
    type Value = X::Value;
    #[inline(always)]
    fn primal(&self) -> X::Value {
        (**self).primal()
    }
}

/// `x.primal()`, as generated code writes it.
#[inline(always)]
pub fn primal<X: Primal + ?Sized>(x: &X) -> X::Value {
    x.primal()
}

/// A differentiable value as dual numbers `x + ε v`, and back.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not differentiable: it has no dual form for second derivatives",
    label = "not differentiable",
    note = "derive it with `#[derive(Differentiable)]` (a struct that is not generic gets a dual twin), or list the differentiable arguments with `#[differentiate(wrt(..))]` to keep this one static"
)]
pub trait Lift {
    /// The same shape over dual numbers (owned).
    type Dual;
    /// The tangent type, as a gradient has it (owned).
    type Tangent;
    /// `self + ε direction`.
    fn lift(&self, direction: &Self::Tangent) -> Self::Dual;
    /// The `ε` parts of a dual value of this shape.
    fn tangent_part(dual: &Self::Dual) -> Self::Tangent;
}

macro_rules! lift_float {
    ($($t:ty),*) => {$(
        impl Lift for $t {
            type Dual = Dual<$t>;
            type Tangent = $t;
            #[inline(always)]
            fn lift(&self, direction: &$t) -> Dual<$t> {
                Dual::new(*self, *direction)
            }
            #[inline(always)]
            fn tangent_part(dual: &Dual<$t>) -> $t {
                dual.eps
            }
        }
    )*};
}

lift_float!(f32, f64);

impl<X: Lift, const N: usize> Lift for [X; N] {
    type Dual = [X::Dual; N];
    type Tangent = [X::Tangent; N];
    fn lift(&self, direction: &Self::Tangent) -> Self::Dual {
        core::array::from_fn(|k| self[k].lift(&direction[k]))
    }
    fn tangent_part(dual: &Self::Dual) -> Self::Tangent {
        core::array::from_fn(|k| X::tangent_part(&dual[k]))
    }
}

#[cfg(feature = "alloc")]
mod heap {
    use super::Lift;
    use alloc::vec::Vec;

    impl<X: Lift> Lift for [X] {
        type Dual = Vec<X::Dual>;
        type Tangent = Vec<X::Tangent>;
        fn lift(&self, direction: &Vec<X::Tangent>) -> Vec<X::Dual> {
            assert_eq!(self.len(), direction.len(), "a direction of another length");
            self.iter().zip(direction).map(|(x, v)| x.lift(v)).collect()
        }
        fn tangent_part(dual: &Vec<X::Dual>) -> Vec<X::Tangent> {
            dual.iter().map(X::tangent_part).collect()
        }
    }

    impl<X: Lift> Lift for Vec<X> {
        type Dual = Vec<X::Dual>;
        type Tangent = Vec<X::Tangent>;
        fn lift(&self, direction: &Vec<X::Tangent>) -> Vec<X::Dual> {
            self.as_slice().lift(direction)
        }
        fn tangent_part(dual: &Vec<X::Dual>) -> Vec<X::Tangent> {
            <[X]>::tangent_part(dual)
        }
    }
}

/// A value that does not depend on the arguments, as dual numbers over the
/// scalar type `S`: floats become dual constants (element by element in
/// arrays and `Vec`s), dual numbers stay as they are. In the second sweep,
/// generated code passes such values through [`promote`] where they meet
/// dual ones in one operation (`x.max(0.0)`, `x + 1.0`, `[x, 0.0]`,
/// `a[i] = x` on a constant array) or flow into one variable (an
/// accumulator `0.0` that a loop adds dual terms to). `S` is the
/// function's float type, named by the macro: a literal's type is not
/// known before rustc's fallback, which would take `f64` for an `f32`
/// function.
pub trait Promote<S> {
    /// The dual counterpart.
    type Out;
    /// `self` over dual numbers.
    fn promote(&self) -> Self::Out;
}

macro_rules! promote_float {
    ($($t:ty),*) => {$(
        impl Promote<$t> for $t {
            type Out = Dual<$t>;
            #[inline(always)]
            fn promote(&self) -> Dual<$t> {
                Dual::constant(*self)
            }
        }
    )*};
}

promote_float!(f32, f64);

impl<S: Real> Promote<S> for Dual<S> {
    type Out = Dual<S>;
    #[inline(always)]
    fn promote(&self) -> Dual<S> {
        *self
    }
}

impl<S, X: Promote<S>, const N: usize> Promote<S> for [X; N] {
    type Out = [X::Out; N];
    #[inline]
    fn promote(&self) -> [X::Out; N] {
        core::array::from_fn(|k| self[k].promote())
    }
}

#[cfg(feature = "alloc")]
impl<S, X: Promote<S>> Promote<S> for alloc::vec::Vec<X> {
    type Out = alloc::vec::Vec<X::Out>;
    fn promote(&self) -> alloc::vec::Vec<X::Out> {
        self.iter().map(Promote::promote).collect()
    }
}

/// `x` over dual numbers of the scalar type `S` (see [`Promote`]).
#[inline(always)]
pub fn promote<S, X: Promote<S> + ?Sized>(x: &X) -> X::Out {
    x.promote()
}

/// `x + ε direction` (see [`Lift`]).
#[inline]
pub fn lift<X: Lift + ?Sized>(x: &X, direction: &X::Tangent) -> X::Dual {
    x.lift(direction)
}

/// The `ε` parts of a dual gradient of an argument shaped like `_like`.
#[inline]
pub fn tangent_part<X: Lift + ?Sized>(_like: &X, dual: &X::Dual) -> X::Tangent {
    X::tangent_part(dual)
}
