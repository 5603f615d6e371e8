//! One reverse sweep for first and second derivatives: the number types
//! it runs over ([`Number`]) and the constants it meets ([`Constant`]).
//!
//! For most functions (of floats, arrays and fixed-size nalgebra matrices;
//! `hessian::generic` in the macro says which), the macro writes the
//! reverse sweep once, generic over a `Number<F>`: `grad` and `vjp` run it
//! over `F` itself, `hvp` and `hessian` over `Dual<F>`. rustc type-checks
//! one body instead of two (the build-time cost of a differentiated
//! function is the number of statements it checks, `docs/compile_time.md`),
//! and over `F` it compiles to the same code as a sweep written for `F`:
//! every method of these traits is the identity there.

use super::{Dual, Primal};
use crate::linear::{Pull, Push};
use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// A number the generic reverse sweep runs over: the float `F`, or a dual
/// number over it. Its bounds are what the sweep needs of it beyond the
/// rules: the rules themselves (arithmetic, the float functions, scalars
/// with matrices) are implemented for every [`Real`] or
/// [`MatrixScalar`](crate::rules::MatrixScalar) at once, so that
/// rustc finds them for the type parameter when it checks the generic body
/// (a rule among these bounds would be preferred to the implementations
/// and hide, say, a scalar times a matrix). Comparisons with a float on
/// the right (a match guard `v < 1.0`) read the value part, as on dual
/// numbers (the sweep compares everything else through `primal`).
pub trait Number<F>:
    Real
    + crate::linalg_tangent::MatrixScalar
    + Tangent<Scalar = Self>
    + HasTangent<Tangent = Self, Shape = ()>
    + Primal<Value = F>
    + Pull<Self, Out = Self>
    + Push<Self, Out = Self>
    + PartialOrd<F>
    + PartialEq<F>
    + Default
    + 'static
{
    /// A constant: `F` itself, or a dual number with no `ε` part.
    fn constant(value: F) -> Self;
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl Number<$t> for $t {
            #[inline(always)]
            fn constant(value: $t) -> $t {
                value
            }
        }

        impl Number<$t> for Dual<$t> {
            #[inline(always)]
            fn constant(value: $t) -> Dual<$t> {
                Dual::constant(value)
            }
        }

        /// A float constant as the sweep's number.
        impl<N: Number<$t>> Constant<$t, N> for $t {
            type Out = N;
            #[inline(always)]
            fn constant(&self) -> N {
                N::constant(*self)
            }
        }
    )*};
}

numbers!(f32, f64);

/// A value that does not depend on the arguments, as the generic sweep's
/// numbers `N` over the float `F` (floats element by element; the generic
/// counterpart of [`super::Promote`], which names the dual type). `F` is
/// the function's float type, named by the macro, so that a literal's
/// type is known before rustc's fallback.
pub trait Constant<F, N> {
    /// The same value over `N`.
    type Out;
    /// `self` over `N`.
    fn constant(&self) -> Self::Out;
}

impl<F, N, X: Constant<F, N>, const K: usize> Constant<F, N> for [X; K] {
    type Out = [X::Out; K];
    #[inline]
    fn constant(&self) -> [X::Out; K] {
        core::array::from_fn(|k| self[k].constant())
    }
}

#[cfg(feature = "alloc")]
impl<F, N, X: Constant<F, N>> Constant<F, N> for alloc::vec::Vec<X> {
    type Out = alloc::vec::Vec<X::Out>;
    fn constant(&self) -> alloc::vec::Vec<X::Out> {
        self.iter().map(Constant::constant).collect()
    }
}

impl<F, N, X: Constant<F, N>> Constant<F, N> for Option<X> {
    type Out = Option<X::Out>;
    fn constant(&self) -> Option<X::Out> {
        self.as_ref().map(Constant::constant)
    }
}

/// `x` as numbers `N` over the float `F` (see [`Constant`]).
#[inline(always)]
pub fn constant<F, N, X: Constant<F, N> + ?Sized>(x: &X) -> X::Out {
    x.constant()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generic sweep's view of one product `c·x·x` at `x`, over `N`.
    fn sweep<N: Number<f64>>(x: N) -> (N, N) {
        let c: N = constant::<f64, N, _>(&3.0);
        let (cx, (_, p1)) = crate::rules::mul(&c, &x);
        let (y, (p2, p3)) = crate::rules::mul(&cx, &x);
        // Adjoint of x: p3 + p1 · p2 (through cx).
        let g = crate::linear::pull_add(&p1, &crate::linear::pull(&p2, &<N as Real>::one()), p3);
        (y, g)
    }

    #[test]
    fn one_sweep_over_floats_and_dual_numbers() {
        // Over f64: 3x² and its derivative 6x, bit for bit as plain code.
        let (y, g) = sweep(2.0_f64);
        assert_eq!((y, g), (12.0, 12.0));
        // Over dual numbers along 1: the ε part of the gradient is 6.
        let (y, g) = sweep(Dual::new(2.0_f64, 1.0));
        assert_eq!((y.re, y.eps, g.re, g.eps), (12.0, 12.0, 12.0, 6.0));
        // Constants keep their shape, and indices stay as they are.
        let a: [Dual<f64>; 2] = constant::<f64, Dual<f64>, _>(&[1.0, 2.0]);
        assert_eq!((a[1].re, a[1].eps), (2.0, 0.0));
        let same: [f64; 2] = constant::<f64, f64, _>(&[1.0, 2.0]);
        assert_eq!(same, [1.0, 2.0]);
        assert_eq!(constant::<f64, Dual<f64>, _>(&7_usize), 7);
        // Comparisons with a float read the value part.
        assert!(Dual::new(2.0_f64, -5.0) > 1.0);
    }
}
