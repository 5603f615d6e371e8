//! Rules of the arithmetic operators `+ - * /` and unary `-`.
//!
//! Their meaning depends on the operand types (a scalar times a matrix, a
//! matrix product), so each operator is a trait with one implementation per
//! pair of types, and rustc picks it from the types at the call site. The
//! scalar implementations are here; nalgebra's are in `linalg`.

use crate::linear::{Identity, Negate};
use crate::Real;

binary_rule!(
    /// `a + b`.
    AddRule, add_rule, add
);
binary_rule!(
    /// `a - b`.
    SubRule, sub_rule, sub
);
binary_rule!(
    /// `a * b`.
    MulRule, mul_rule, mul
);
binary_rule!(
    /// `a / b`.
    DivRule, div_rule, div
);

/// `-a`.
pub trait NegRule {
    /// The result's type.
    type Output;
    /// The value and the partial.
    fn neg_rule(&self) -> (Self::Output, (Negate,));
}

/// `-a`; partial `-1`.
#[inline(always)]
pub fn neg<A: NegRule + ?Sized>(a: &A) -> (A::Output, (Negate,)) {
    a.neg_rule()
}

// The scalar rules, for every `Real` (the floats and dual numbers) at
// once: the generic reverse sweep (`dual::Number`) resolves them from its
// type parameter's `Real` bound, next to the scalar × matrix rules of
// `linalg` for the same left operand.

/// Partials `(1, 1)`.
impl<T: Real> AddRule for T {
    type Output = T;
    type Partials = (Identity, Identity);
    #[inline(always)]
    fn add_rule(&self, b: &T) -> (T, (Identity, Identity)) {
        (*self + *b, (Identity, Identity))
    }
}

/// Partials `(1, -1)`.
impl<T: Real> SubRule for T {
    type Output = T;
    type Partials = (Identity, Negate);
    #[inline(always)]
    fn sub_rule(&self, b: &T) -> (T, (Identity, Negate)) {
        (*self - *b, (Identity, Negate))
    }
}

/// Partials `(b, a)`.
impl<T: Real> MulRule for T {
    type Output = T;
    type Partials = (T, T);
    #[inline(always)]
    fn mul_rule(&self, b: &T) -> (T, (T, T)) {
        (*self * *b, (*b, *self))
    }
}

/// Partials `(1/b, -a/b²)`. The second is `-(a·(1/b))·(1/b)` rather than
/// `-(a/b)·(1/b)`, so that a gradient that does not need the quotient
/// itself does not pay for its division.
impl<T: Real> DivRule for T {
    type Output = T;
    type Partials = (T, T);
    #[inline(always)]
    fn div_rule(&self, b: &T) -> (T, (T, T)) {
        let (a, b) = (*self, *b);
        let r = T::one() / b;
        (a / b, (r, -(a * r) * r))
    }
}

impl<T: Real> NegRule for T {
    type Output = T;
    #[inline(always)]
    fn neg_rule(&self) -> (T, (Negate,)) {
        (-*self, (Negate,))
    }
}

/// `x.clone()`: the value itself, partial `1`.
#[inline(always)]
pub fn clone<T: Clone>(x: &T) -> (T, (Identity,)) {
    (x.clone(), (Identity,))
}
