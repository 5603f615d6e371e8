//! Tangent spaces and the linear maps between them.
//!
//! A rule in [`crate::rules`] returns, next to its value, one *partial* per
//! differentiable argument: a linear map from that argument's tangent space to
//! the output's. Forward mode applies it ([`push`]); reverse mode applies its
//! transpose ([`pull`]). For scalars a partial is just a number, for `+` and
//! `-` it is [`Identity`] or [`Negate`], which cost nothing. Later types
//! (vectors, matrices) add their own partials without changing generated code.

use crate::Real;

/// The values a derivative can take: tangents (forward) and cotangents (reverse).
pub trait Tangent: Sized {
    /// The zero tangent at the point `self` (same shape as `self`).
    fn zero_like(&self) -> Self;
    /// Sum of two tangents at the same point.
    fn add(self, other: Self) -> Self;
}

/// A partial derivative applied to a tangent of the argument (forward mode).
pub trait Push<T> {
    /// The output's tangent type.
    type Out;
    /// `∂f/∂x · t`.
    fn push(&self, t: T) -> Self::Out;
}

/// A partial derivative transposed, applied to a cotangent of the output (reverse mode).
pub trait Pull<C> {
    /// The argument's cotangent type.
    type Out;
    /// `(∂f/∂x)ᵀ · c`.
    fn pull(&self, c: C) -> Self::Out;
}

/// The partial of an argument that passes through unchanged (`a + b`, `a - b` for `a`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity;

/// The partial of an argument that passes through negated (`-a`, `a - b` for `b`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Negate;

impl<T> Push<T> for Identity {
    type Out = T;
    #[inline(always)]
    fn push(&self, t: T) -> T {
        t
    }
}

impl<C> Pull<C> for Identity {
    type Out = C;
    #[inline(always)]
    fn pull(&self, c: C) -> C {
        c
    }
}

impl<T: core::ops::Neg> Push<T> for Negate {
    type Out = T::Output;
    #[inline(always)]
    fn push(&self, t: T) -> T::Output {
        -t
    }
}

impl<C: core::ops::Neg> Pull<C> for Negate {
    type Out = C::Output;
    #[inline(always)]
    fn pull(&self, c: C) -> C::Output {
        -c
    }
}

macro_rules! scalar_tangent {
    ($($t:ty),*) => {$(
        impl Tangent for $t {
            #[inline(always)]
            fn zero_like(&self) -> Self {
                0.0
            }
            #[inline(always)]
            fn add(self, other: Self) -> Self {
                self + other
            }
        }

        impl Push<$t> for $t {
            type Out = $t;
            #[inline(always)]
            fn push(&self, t: $t) -> $t {
                *self * t
            }
        }

        impl Pull<$t> for $t {
            type Out = $t;
            #[inline(always)]
            fn pull(&self, c: $t) -> $t {
                *self * c
            }
        }
    )*};
}

scalar_tangent!(f32, f64);

/// Forward mode: the contribution `∂f/∂x · t` of one argument's tangent.
#[inline(always)]
pub fn push<P: Push<T>, T>(partial: &P, t: T) -> P::Out {
    partial.push(t)
}

/// Reverse mode: the contribution `(∂f/∂x)ᵀ · c` to one argument's cotangent.
#[inline(always)]
pub fn pull<P: Pull<C>, C>(partial: &P, c: C) -> P::Out {
    partial.pull(c)
}

/// Adds a contribution to an accumulated tangent or cotangent.
#[inline(always)]
pub fn accumulate<T: Tangent>(acc: T, contribution: T) -> T {
    acc.add(contribution)
}

/// The zero tangent at `x`: the derivative of something that does not depend on the input.
#[inline(always)]
pub fn zero_like<T: Tangent>(x: &T) -> T {
    x.zero_like()
}

/// The cotangent `1` that seeds reverse mode for a scalar output (`grad`).
#[inline(always)]
pub fn seed<T: Real>(_output: &T) -> T {
    T::one()
}
