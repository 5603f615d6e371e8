//! Rules of the arithmetic operators `+ - * /` and unary `-`.
//!
//! Their meaning depends on the operand types (a scalar times a matrix, a
//! matrix product), so each operator is a trait with one implementation per
//! pair of types, and rustc picks it from the types at the call site. The
//! scalar implementations are here; nalgebra's are in `linalg`.

use crate::linear::{Identity, Negate};

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

macro_rules! scalar_arith {
    ($($t:ty),*) => {$(
        /// Partials `(1, 1)`.
        impl AddRule for $t {
            type Output = $t;
            type Partials = (Identity, Identity);
            #[inline(always)]
            fn add_rule(&self, b: &$t) -> ($t, (Identity, Identity)) {
                (*self + *b, (Identity, Identity))
            }
        }

        /// Partials `(1, -1)`.
        impl SubRule for $t {
            type Output = $t;
            type Partials = (Identity, Negate);
            #[inline(always)]
            fn sub_rule(&self, b: &$t) -> ($t, (Identity, Negate)) {
                (*self - *b, (Identity, Negate))
            }
        }

        /// Partials `(b, a)`.
        impl MulRule for $t {
            type Output = $t;
            type Partials = ($t, $t);
            #[inline(always)]
            fn mul_rule(&self, b: &$t) -> ($t, ($t, $t)) {
                (*self * *b, (*b, *self))
            }
        }

        /// Partials `(1/b, -a/b²)`. The second is `-(a·(1/b))·(1/b)` rather
        /// than `-(a/b)·(1/b)`, so that a gradient that does not need the
        /// quotient itself does not pay for its division.
        impl DivRule for $t {
            type Output = $t;
            type Partials = ($t, $t);
            #[inline(always)]
            fn div_rule(&self, b: &$t) -> ($t, ($t, $t)) {
                let (a, b) = (*self, *b);
                let r = 1.0 / b;
                (a / b, (r, -(a * r) * r))
            }
        }

        impl NegRule for $t {
            type Output = $t;
            #[inline(always)]
            fn neg_rule(&self) -> ($t, (Negate,)) {
                (-*self, (Negate,))
            }
        }
    )*};
}

scalar_arith!(f32, f64);

/// `x.clone()`: the value itself, partial `1`.
#[inline(always)]
pub fn clone<T: Clone>(x: &T) -> (T, (Identity,)) {
    (x.clone(), (Identity,))
}
