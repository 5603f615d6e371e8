//! `Option`s that rules return (`try_inverse`, `lu().solve`): their tangent
//! space, `unwrap`/`expect`, and the partial of a rule whose result may be
//! `None`.
//!
//! The tangent of `Some(x)` is `Some(dx)` and that of `None` is `None`
//! (which adds as zero). A `None` has no derivative to give: reading it
//! panics in the original code, and a branch on `is_some()` keeps the
//! derivative to the arm that ran.

use crate::linear::{Pull, Push};
use crate::tangent::{HasTangent, Tangent};

impl<T: Tangent> Tangent for Option<T> {
    type Scalar = T::Scalar;
    #[inline]
    fn zero_like(&self) -> Self {
        self.as_ref().map(Tangent::zero_like)
    }
    #[inline]
    fn add(self, other: Self) -> Self {
        match (self, other) {
            (Some(a), Some(b)) => Some(a.add(b)),
            (a, None) => a,
            (None, b) => b,
        }
    }
    #[inline]
    fn scale(self, factor: T::Scalar) -> Self {
        self.map(|t| t.scale(factor))
    }
    #[inline]
    fn dim(&self) -> usize {
        self.as_ref().map_or(0, Tangent::dim)
    }
    #[inline]
    fn component(&self, i: usize) -> T::Scalar {
        match self {
            Some(t) => t.component(i),
            None => panic!("component {i} of the tangent of `None`"),
        }
    }
    #[inline]
    fn set_component(&mut self, i: usize, value: T::Scalar) {
        if let Some(t) = self {
            t.set_component(i, value);
        }
    }
}

impl<X: HasTangent> HasTangent for Option<X> {
    type Tangent = Option<X::Tangent>;
    type Shape = Option<X::Shape>;
    #[inline]
    fn zero_tangent(&self) -> Self::Tangent {
        self.as_ref().map(HasTangent::zero_tangent)
    }
    #[inline]
    fn shape(&self) -> Self::Shape {
        self.as_ref().map(HasTangent::shape)
    }
    #[inline]
    fn zero_of(shape: &Self::Shape) -> Self::Tangent {
        shape.as_ref().map(X::zero_of)
    }
}

/// The partial of a rule with an `Option` result with respect to one
/// argument: the partial `P` of the `Some` case (none for `None`), and what
/// a zero tangent of the argument needs, for pulling back a `None`.
#[derive(Clone, Debug)]
pub struct OnSome<P, S, O> {
    /// The partial where the result is `Some`.
    pub partial: Option<P>,
    /// The argument's shape.
    pub shape: S,
    /// Its zero tangent from the shape (`HasTangent::zero_of`).
    pub zero: fn(&S) -> O,
}

impl<T, P: Push<T>, S, O> Push<T> for OnSome<P, S, O> {
    type Out = Option<P::Out>;
    #[inline]
    fn push(&self, t: &T) -> Option<P::Out> {
        self.partial.as_ref().map(|p| p.push(t))
    }
}

impl<C, P: Pull<C, Out = O>, S, O> Pull<Option<C>> for OnSome<P, S, O> {
    type Out = O;
    #[inline]
    fn pull(&self, c: &Option<C>) -> O {
        match (&self.partial, c) {
            (Some(p), Some(c)) => p.pull(c),
            _ => (self.zero)(&self.shape),
        }
    }
}

/// The partial of `o.unwrap()` and `o.expect(..)`: `Some(dx) ↦ dx`;
/// transpose `c ↦ Some(c)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unwrapped;

impl<T: Clone> Push<Option<T>> for Unwrapped {
    type Out = T;
    #[inline]
    fn push(&self, t: &Option<T>) -> T {
        match t {
            Some(t) => t.clone(),
            None => panic!("the tangent of an unwrapped `None`"),
        }
    }
}

impl<C: Clone> Pull<C> for Unwrapped {
    type Out = Option<C>;
    #[inline]
    fn pull(&self, c: &C) -> Option<C> {
        Some(c.clone())
    }
    #[inline]
    fn pull_owned(&self, c: C) -> Option<C> {
        Some(c)
    }
}

/// `o.unwrap()`; partial [`Unwrapped`].
#[inline]
#[track_caller]
pub fn unwrap<X: Clone>(o: &Option<X>) -> (X, (Unwrapped,)) {
    (o.clone().unwrap(), (Unwrapped,))
}

/// `o.expect(message)`; partial [`Unwrapped`].
#[inline]
#[track_caller]
pub fn expect<X: Clone>(o: &Option<X>, message: &&str) -> (X, (Unwrapped,)) {
    (o.clone().expect(message), (Unwrapped,))
}
