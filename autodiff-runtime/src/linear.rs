//! Partial derivatives as linear maps, and the operations generated code uses.
//!
//! A rule in [`crate::rules`] returns, next to its value, one *partial* per
//! differentiable argument: a linear map from that argument's tangent space to
//! the output's. Forward mode applies it ([`push`]); reverse mode applies its
//! transpose ([`pull`]), and adds into an existing adjoint with [`pull_into`]
//! where a contribution touches only part of it (an indexed element). For
//! scalars a partial is just a number; the types here cover the structured
//! cases, and cost nothing beyond the arithmetic they stand for. Every
//! operation takes its operands by reference, so generated code never moves
//! a value that is used again.

use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// A partial derivative applied to a tangent of the argument (forward mode).
pub trait Push<T: ?Sized> {
    /// The output's tangent type.
    type Out;
    /// `∂f/∂x · t`.
    fn push(&self, t: &T) -> Self::Out;
}

/// A partial derivative transposed, applied to a cotangent of the output (reverse mode).
pub trait Pull<C: ?Sized> {
    /// The argument's cotangent type.
    type Out;
    /// `(∂f/∂x)ᵀ · c`.
    fn pull(&self, c: &C) -> Self::Out;
}

/// A transposed partial that adds into part of an existing adjoint.
pub trait PullInto<C: ?Sized, Acc> {
    /// `acc + (∂f/∂x)ᵀ · c`, touching only what the partial reaches.
    fn pull_into(&self, c: &C, acc: Acc) -> Acc;
}

/// The partial of an argument that passes through unchanged (`a + b`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Identity;

/// The partial of an argument that passes through negated (`-a`, `a - b` for `b`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Negate;

/// The partial of a container with respect to one element: `x[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At<I>(pub I);

/// The partial of an array literal `[a, b, ..]` with respect to element `.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inject<const N: usize>(pub usize);

impl<T: Clone> Push<T> for Identity {
    type Out = T;
    #[inline(always)]
    fn push(&self, t: &T) -> T {
        t.clone()
    }
}

impl<C: Clone> Pull<C> for Identity {
    type Out = C;
    #[inline(always)]
    fn pull(&self, c: &C) -> C {
        c.clone()
    }
}

impl<T: Clone + core::ops::Neg> Push<T> for Negate {
    type Out = T::Output;
    #[inline(always)]
    fn push(&self, t: &T) -> T::Output {
        -t.clone()
    }
}

impl<C: Clone + core::ops::Neg> Pull<C> for Negate {
    type Out = C::Output;
    #[inline(always)]
    fn pull(&self, c: &C) -> C::Output {
        -c.clone()
    }
}

macro_rules! scalar_partial {
    ($($t:ty),*) => {$(
        impl Push<$t> for $t {
            type Out = $t;
            #[inline(always)]
            fn push(&self, t: &$t) -> $t {
                *self * *t
            }
        }

        impl Pull<$t> for $t {
            type Out = $t;
            #[inline(always)]
            fn pull(&self, c: &$t) -> $t {
                *self * *c
            }
        }
    )*};
}

scalar_partial!(f32, f64);

impl<T: Clone, const N: usize> Push<[T; N]> for At<usize> {
    type Out = T;
    #[inline(always)]
    fn push(&self, t: &[T; N]) -> T {
        t[self.0].clone()
    }
}

impl<T: Tangent, const N: usize> PullInto<T, [T; N]> for At<usize> {
    #[inline(always)]
    fn pull_into(&self, c: &T, mut acc: [T; N]) -> [T; N] {
        acc[self.0] = acc[self.0].clone().add(c.clone());
        acc
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone> Push<alloc::vec::Vec<T>> for At<usize> {
    type Out = T;
    #[inline(always)]
    fn push(&self, t: &alloc::vec::Vec<T>) -> T {
        t[self.0].clone()
    }
}

#[cfg(feature = "alloc")]
impl<T: Tangent> PullInto<T, alloc::vec::Vec<T>> for At<usize> {
    #[inline(always)]
    fn pull_into(&self, c: &T, mut acc: alloc::vec::Vec<T>) -> alloc::vec::Vec<T> {
        acc[self.0] = acc[self.0].clone().add(c.clone());
        acc
    }
}

impl<T: Tangent, const N: usize> Push<T> for Inject<N> {
    type Out = [T; N];
    #[inline]
    fn push(&self, t: &T) -> [T; N] {
        core::array::from_fn(|k| {
            if k == self.0 {
                t.clone()
            } else {
                t.zero_like()
            }
        })
    }
}

impl<T: Clone, const N: usize> Pull<[T; N]> for Inject<N> {
    type Out = T;
    #[inline(always)]
    fn pull(&self, c: &[T; N]) -> T {
        c[self.0].clone()
    }
}

/// Forward mode: the contribution `∂f/∂x · t` of one argument's tangent.
#[inline(always)]
pub fn push<P: Push<T>, T: ?Sized>(partial: &P, t: &T) -> P::Out {
    partial.push(t)
}

/// Reverse mode: the contribution `(∂f/∂x)ᵀ · c` to one argument's cotangent.
#[inline(always)]
pub fn pull<P: Pull<C>, C: ?Sized>(partial: &P, c: &C) -> P::Out {
    partial.pull(c)
}

/// Reverse mode: adds `(∂f/∂x)ᵀ · c` into the adjoint `acc` in place.
#[inline(always)]
pub fn pull_into<P: PullInto<C, Acc>, C: ?Sized, Acc>(partial: &P, c: &C, acc: Acc) -> Acc {
    partial.pull_into(c, acc)
}

/// Adds a contribution to an accumulated tangent or cotangent.
#[inline(always)]
pub fn accumulate<T: Tangent>(acc: T, contribution: T) -> T {
    acc.add(contribution)
}

/// The zero tangent at `x`: the derivative of something that does not depend on the input.
#[inline(always)]
pub fn zero_like<X: HasTangent + ?Sized>(x: &X) -> X::Tangent {
    x.zero_tangent()
}

/// The contents of a caller's gradient buffer, to accumulate into (see
/// [`crate::buffer`]).
#[inline(always)]
pub fn take_buffer<B: crate::buffer::Buffer>(buffer: &mut B) -> B {
    buffer.take()
}

/// The cotangent `1` that seeds reverse mode for a scalar output (`grad`).
#[inline(always)]
pub fn seed<T: Real>(_output: &T) -> T {
    T::one()
}
