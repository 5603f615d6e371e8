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
    /// `(∂f/∂x)ᵀ · c`, given `c` to keep: partials that pass a cotangent on
    /// or scale it ([`Identity`], [`Negate`], a scalar on a matrix) reuse
    /// its storage instead of allocating.
    #[inline(always)]
    fn pull_owned(&self, c: C) -> Self::Out
    where
        C: Sized,
    {
        self.pull(&c)
    }
    /// `acc + (∂f/∂x)ᵀ · c`: partials that can add into `acc` in place (a
    /// scalar cotangent spread over a matrix) override it to allocate
    /// nothing.
    #[inline(always)]
    fn pull_add(&self, c: &C, acc: Self::Out) -> Self::Out
    where
        Self::Out: Tangent,
    {
        acc.add(self.pull(c))
    }
    /// [`Pull::pull_add`] given `c` to keep ([`Pull::pull_owned`]).
    #[inline(always)]
    fn pull_add_owned(&self, c: C, acc: Self::Out) -> Self::Out
    where
        C: Sized,
        Self::Out: Tangent,
    {
        acc.add(self.pull_owned(c))
    }
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

/// An index as generated code holds it: by value, or by reference when it
/// comes out of a taped record.
pub trait IndexValue {
    /// The index type.
    type Index: Copy;
    /// The index itself.
    fn index(self) -> Self::Index;
}

impl IndexValue for usize {
    type Index = usize;
    #[inline(always)]
    fn index(self) -> usize {
        self
    }
}

impl IndexValue for (usize, usize) {
    type Index = (usize, usize);
    #[inline(always)]
    fn index(self) -> (usize, usize) {
        self
    }
}

impl<I: IndexValue + Copy> IndexValue for &I {
    type Index = I::Index;
    #[inline(always)]
    fn index(self) -> I::Index {
        (*self).index()
    }
}

/// The partial of reading `x[i]` with respect to `x`, rebuilt from the
/// index where the replay reads it (rather than kept on a tape).
#[inline(always)]
pub fn at<I: IndexValue>(i: I) -> At<I::Index> {
    At(i.index())
}

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
    #[inline(always)]
    fn pull_owned(&self, c: C) -> C {
        c
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
    #[inline(always)]
    fn pull_owned(&self, c: C) -> C::Output {
        -c
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

/// A partial held by reference is the same linear map: the adjoint sweep
/// destructures a taped record by reference (`let (p1, p2) = rec;` with
/// `rec: &(P1, P2)`) and pulls through `&P1`.
impl<P: Push<T> + ?Sized, T: ?Sized> Push<T> for &P {
    type Out = P::Out;
    #[inline(always)]
    fn push(&self, t: &T) -> P::Out {
        (**self).push(t)
    }
}

/// A transposed partial held by reference (see the [`Push`] impl for `&P`).
impl<P: Pull<C> + ?Sized, C: ?Sized> Pull<C> for &P {
    type Out = P::Out;
    #[inline(always)]
    fn pull(&self, c: &C) -> P::Out {
        (**self).pull(c)
    }
    #[inline(always)]
    fn pull_owned(&self, c: C) -> P::Out
    where
        C: Sized,
    {
        (**self).pull_owned(c)
    }
    #[inline(always)]
    fn pull_add(&self, c: &C, acc: P::Out) -> P::Out
    where
        P::Out: Tangent,
    {
        (**self).pull_add(c, acc)
    }
    #[inline(always)]
    fn pull_add_owned(&self, c: C, acc: P::Out) -> P::Out
    where
        C: Sized,
        P::Out: Tangent,
    {
        (**self).pull_add_owned(c, acc)
    }
}

/// An in-place transposed partial held by reference (see the [`Push`] impl
/// for `&P`).
impl<P: PullInto<C, Acc> + ?Sized, C: ?Sized, Acc> PullInto<C, Acc> for &P {
    #[inline(always)]
    fn pull_into(&self, c: &C, acc: Acc) -> Acc {
        (**self).pull_into(c, acc)
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

/// Reverse mode: `(∂f/∂x)ᵀ · c` where nothing reads `c` afterwards
/// ([`Pull::pull_owned`]).
#[inline(always)]
pub fn pull_owned<P: Pull<C>, C>(partial: &P, c: C) -> P::Out {
    partial.pull_owned(c)
}

/// Reverse mode: [`pull_add`] where nothing reads `c` afterwards.
#[inline(always)]
pub fn pull_add_owned<P, C>(partial: &P, c: C, acc: P::Out) -> P::Out
where
    P: Pull<C>,
    P::Out: Tangent,
{
    partial.pull_add_owned(c, acc)
}

/// Reverse mode: `acc + (∂f/∂x)ᵀ · c`, a contribution added onto the
/// adjoint accumulated so far.
#[inline(always)]
pub fn pull_add<P, C>(partial: &P, c: &C, acc: P::Out) -> P::Out
where
    P: Pull<C>,
    P::Out: Tangent,
    C: ?Sized,
{
    partial.pull_add(c, acc)
}

/// Reverse mode: adds `(∂f/∂x)ᵀ · c` into the adjoint `acc` in place.
#[inline(always)]
pub fn pull_into<P: PullInto<C, Acc>, C: ?Sized, Acc>(partial: &P, c: &C, acc: Acc) -> Acc {
    partial.pull_into(c, acc)
}

/// Forward mode through a rule of two arguments: `∂f/∂a · ta + ∂f/∂b · tb`.
#[inline(always)]
pub fn push2<P1, T1, P2, T2>(p1: &P1, t1: &T1, p2: &P2, t2: &T2) -> P1::Out
where
    P1: Push<T1>,
    P1::Out: Tangent,
    P2: Push<T2, Out = P1::Out>,
    T1: ?Sized,
    T2: ?Sized,
{
    p1.push(t1).add(p2.push(t2))
}

/// Forward mode through a rule of three arguments (`mul_add`, `clamp`).
#[inline(always)]
pub fn push3<P1, T1, P2, T2, P3, T3>(
    p1: &P1,
    t1: &T1,
    p2: &P2,
    t2: &T2,
    p3: &P3,
    t3: &T3,
) -> P1::Out
where
    P1: Push<T1>,
    P1::Out: Tangent,
    P2: Push<T2, Out = P1::Out>,
    P3: Push<T3, Out = P1::Out>,
    T1: ?Sized,
    T2: ?Sized,
    T3: ?Sized,
{
    p1.push(t1).add(p2.push(t2)).add(p3.push(t3))
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

/// What a zero tangent at `x` needs of it ([`HasTangent::Shape`]).
#[inline(always)]
pub fn shape_of<X: HasTangent + ?Sized>(x: &X) -> X::Shape {
    x.shape()
}

/// Whether every component of a cotangent is zero: a call's pullback then
/// adds nothing and is not run, so that a partial that is infinite or NaN
/// there (`atan2` at the origin) meets no `0 × NaN`. Such a zero comes from
/// a caller that does not use the call's result (JAX's symbolic zero).
#[inline]
pub fn is_zero<C: Tangent>(c: &C) -> bool {
    (0..c.dim()).all(|k| c.component(k) == C::Scalar::zero())
}

/// The zero tangent of a value of type `X` and this shape.
#[inline(always)]
pub fn zero_of<X: HasTangent + ?Sized>(shape: &X::Shape) -> X::Tangent {
    X::zero_of(shape)
}

/// A zero tangent at `x` that need not be built (see
/// [`HasTangent::lazy_zero_tangent`]): where a gradient starts, when its
/// first contribution is added whole.
#[inline(always)]
pub fn lazy_zero_like<X: HasTangent + ?Sized>(x: &X) -> X::Tangent {
    x.lazy_zero_tangent()
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

/// A tangent of an array argument converted to what the callee's slot
/// holds: the array itself, or a `Vec` where the callee takes a slice
/// (`g(&[a, b])` calling `fn g(x: &[f64])`), and back.
pub trait Coerce<Target> {
    /// The converted tangent.
    fn coerce(self) -> Target;
}

impl<T, const N: usize> Coerce<[T; N]> for [T; N] {
    #[inline(always)]
    fn coerce(self) -> [T; N] {
        self
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> Coerce<alloc::vec::Vec<T>> for [T; N] {
    #[inline]
    fn coerce(self) -> alloc::vec::Vec<T> {
        alloc::vec::Vec::from(self)
    }
}

#[cfg(feature = "alloc")]
impl<T, const N: usize> Coerce<[T; N]> for alloc::vec::Vec<T> {
    #[inline]
    fn coerce(self) -> [T; N] {
        match self.try_into() {
            Ok(array) => array,
            Err(v) => panic!("a cotangent of {} entries for an array of {N}", v.len()),
        }
    }
}

/// `x` converted by [`Coerce`] (the target is the type the context asks for).
#[inline(always)]
pub fn coerce<X: Coerce<T>, T>(x: X) -> T {
    x.coerce()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_held_by_reference() {
        // A record of two partials, destructured by reference as the adjoint
        // sweep does.
        let rec: (f64, Inject<3>) = (2.5, Inject(1));
        let (p1, p2) = &rec;
        assert_eq!(pull(&p1, &4.0), 10.0);
        assert_eq!(push(&p1, &4.0), 10.0);
        assert_eq!(pull(&p2, &[1.0, 2.0, 3.0]), 2.0);
        assert_eq!(push(&p2, &5.0_f64), [0.0, 5.0, 0.0]);
        // Twice borrowed, and unsized partials behind a reference.
        let p3 = &p1;
        assert_eq!(pull(&p3, &1.0), 2.5);
        let rec = (At(2_usize), Identity, Negate);
        let (at, id, neg) = &rec;
        assert_eq!(push(&at, &[1.0, 2.0, 3.0]), 3.0);
        assert_eq!(pull_into(&at, &1.0, [0.0; 3]), [0.0, 0.0, 1.0]);
        assert_eq!(pull(&id, &7.0_f32), 7.0);
        assert_eq!(push(&neg, &7.0_f32), -7.0);
        let dyn_partial: &dyn Pull<f64, Out = f64> = &3.0_f64;
        assert_eq!(pull(&dyn_partial, &2.0), 6.0);
    }

    #[test]
    fn zero_like_through_references() {
        let x = [1.0, 2.0];
        let r = &x;
        let rr = &r;
        assert_eq!(zero_like(&x), [0.0, 0.0]);
        assert_eq!(zero_like(&r), [0.0, 0.0]);
        assert_eq!(zero_like(&rr), [0.0, 0.0]);
        assert_eq!(zero_like(r), [0.0, 0.0]);
        let s = 3.0_f32;
        assert_eq!(zero_like(&&&s), 0.0);
    }
}
