//! Partials of the rules whose linear maps are not a product with one
//! operand: the inverse and linear solves (a matrix on each side), and
//! normalization (a projection).

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixField;
use crate::linear::{Pull, Push};

/// Multiplication by fixed matrices on both sides: `dX ↦ L·dX·R`;
/// transpose `C ↦ Lᵀ·C·Rᵀ`.
///
/// The partial of `a.try_inverse()` (`L = -A⁻¹`, `R = A⁻¹`, Giles 2008
/// §2.2.3: `d(A⁻¹) = -A⁻¹ dA A⁻¹`) and of the solution `x = A⁻¹b` of
/// `a.lu().solve(&b)` with respect to `A` (`L = -A⁻¹`, `R = x`).
#[derive(Clone, Debug, PartialEq)]
pub struct Sandwich<L, R>(pub L, pub R);

impl<T, M, N, P, Q> Push<OMatrix<T, N, P>> for Sandwich<OMatrix<T, M, N>, OMatrix<T, P, Q>>
where
    T: MatrixField,
    M: Dim,
    N: Dim,
    P: Dim,
    Q: Dim,
    DefaultAllocator:
        Allocator<M, N> + Allocator<N, P> + Allocator<P, Q> + Allocator<M, P> + Allocator<M, Q>,
{
    type Out = OMatrix<T, M, Q>;
    #[inline]
    fn push(&self, t: &OMatrix<T, N, P>) -> OMatrix<T, M, Q> {
        &self.0 * t * &self.1
    }
}

impl<T, M, N, P, Q> Pull<OMatrix<T, M, Q>> for Sandwich<OMatrix<T, M, N>, OMatrix<T, P, Q>>
where
    T: MatrixField,
    M: Dim,
    N: Dim,
    P: Dim,
    Q: Dim,
    DefaultAllocator: Allocator<M, N>
        + Allocator<P, Q>
        + Allocator<Q, P>
        + Allocator<M, Q>
        + Allocator<N, Q>
        + Allocator<N, P>,
{
    type Out = OMatrix<T, N, P>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, M, Q>) -> OMatrix<T, N, P> {
        self.0.tr_mul(c) * self.1.transpose()
    }
}

/// The derivative of `X / ‖X‖`: `dX ↦ (dX − n⟨n, dX⟩) / ‖X‖` with
/// `n = X / ‖X‖`, the projection away from `n` scaled by `1/‖X‖`; it is
/// its own transpose.
///
/// The partial of `a.normalize()` (`‖·‖` the Euclidean or Frobenius norm).
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized<M, T> {
    /// `X / ‖X‖`.
    pub unit: M,
    /// `1 / ‖X‖`.
    pub inverse_norm: T,
}

impl<T, R, C> Normalized<OMatrix<T, R, C>, T>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    fn apply(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        let along = self.unit.dot(t);
        (t - &self.unit * along) * self.inverse_norm
    }
}

impl<T, R, C> Push<OMatrix<T, R, C>> for Normalized<OMatrix<T, R, C>, T>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        self.apply(t)
    }
}

impl<T, R, C> Pull<OMatrix<T, R, C>> for Normalized<OMatrix<T, R, C>, T>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        self.apply(c)
    }
}
