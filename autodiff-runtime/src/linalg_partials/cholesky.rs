//! Partials of the Cholesky factorization `A = L·Lᵀ` and of solving with
//! it (Murray 2016, "Differentiation of the Cholesky decomposition").
//!
//! nalgebra's `cholesky` reads the lower triangle of `A` only, so the
//! tangent of `A` that matters is `S(dA) = tril(dA) + tril(dA, -1)ᵀ`, and
//! a cotangent lands on the lower triangle. With `Φ(X)` the lower triangle
//! of `X` with its diagonal halved, `dL = L·Φ(L⁻¹·S(dA)·L⁻ᵀ)`: from
//! `L⁻¹·dA·L⁻ᵀ = X + Xᵀ` for the lower-triangular `X = L⁻¹·dL`.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixField;
use crate::linear::{Pull, Push};
use crate::Real;

/// `dA ↦ dL` of `L = cholesky(A)`; transpose
/// `L̄ ↦ S*(L⁻ᵀ·Φ(Lᵀ·L̄)·L⁻¹)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CholeskyMap<M> {
    /// The factor `L`.
    pub l: M,
    /// `L⁻¹`.
    pub l_inverse: M,
}

/// `S(t) = tril(t) + tril(t, -1)ᵀ`: the symmetric matrix whose lower
/// triangle is `t`'s, the tangent of a symmetric matrix read by its lower
/// triangle (`cholesky`, `symmetric_eigen`).
pub(crate) fn mirror_lower<T: MatrixField, D: Dim>(t: &OMatrix<T, D, D>) -> OMatrix<T, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let mut s = t.clone();
    for j in 0..t.ncols() {
        for i in 0..j {
            s[(i, j)] = t[(j, i)];
        }
    }
    s
}

/// `S*`, the transpose of [`mirror_lower`]: what lands on an upper entry
/// goes to its mirror below.
pub(crate) fn fold_upper<T: MatrixField, D: Dim>(mut g: OMatrix<T, D, D>) -> OMatrix<T, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    for j in 0..g.ncols() {
        for i in 0..j {
            let upper = g[(i, j)];
            g[(j, i)] += upper;
            g[(i, j)] = <T as Real>::zero();
        }
    }
    g
}

/// The lower triangle of `x` with its diagonal halved.
fn phi<T: MatrixField, D: Dim>(mut x: OMatrix<T, D, D>) -> OMatrix<T, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let half = <T as Real>::from_f64(0.5);
    let n = x.nrows();
    for j in 0..n {
        for i in 0..n {
            if i < j {
                x[(i, j)] = <T as Real>::zero();
            } else if i == j {
                x[(i, j)] *= half;
            }
        }
    }
    x
}

impl<T, D> Push<OMatrix<T, D, D>> for CholeskyMap<OMatrix<T, D, D>>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Out = OMatrix<T, D, D>;
    fn push(&self, t: &OMatrix<T, D, D>) -> OMatrix<T, D, D> {
        let inner = &self.l_inverse * mirror_lower(t) * self.l_inverse.transpose();
        &self.l * phi(inner)
    }
}

impl<T, D> Pull<OMatrix<T, D, D>> for CholeskyMap<OMatrix<T, D, D>>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Out = OMatrix<T, D, D>;
    fn pull(&self, c: &OMatrix<T, D, D>) -> OMatrix<T, D, D> {
        fold_upper(self.l_inverse.transpose() * phi(self.l.tr_mul(c)) * &self.l_inverse)
    }
}

/// The partial of `X = A⁻¹·B` (solved with the factor `L` of `A`) with
/// respect to the factorization's tangent `dL`:
/// `dL ↦ -A⁻¹·(dL·Lᵀ + L·dLᵀ)·X`; transpose `X̄ ↦ -(Y·Xᵀ + X·Yᵀ)·L` with
/// `Y = A⁻¹·X̄`.
#[derive(Clone, Debug, PartialEq)]
pub struct CholeskySolveMap<M, X> {
    /// The factor `L`.
    pub l: M,
    /// `A⁻¹`.
    pub a_inverse: M,
    /// The solution `X`.
    pub x: X,
}

impl<T, D, C> Push<OMatrix<T, D, D>> for CholeskySolveMap<OMatrix<T, D, D>, OMatrix<T, D, C>>
where
    T: MatrixField,
    D: Dim,
    C: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D, C>,
{
    type Out = OMatrix<T, D, C>;
    fn push(&self, t: &OMatrix<T, D, D>) -> OMatrix<T, D, C> {
        let da = t * self.l.transpose() + &self.l * t.transpose();
        -(&self.a_inverse * da * &self.x)
    }
}

impl<T, D, C> Pull<OMatrix<T, D, C>> for CholeskySolveMap<OMatrix<T, D, D>, OMatrix<T, D, C>>
where
    T: MatrixField,
    D: Dim,
    C: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D, C> + Allocator<C, D>,
{
    type Out = OMatrix<T, D, D>;
    fn pull(&self, c: &OMatrix<T, D, C>) -> OMatrix<T, D, D> {
        let y = self.a_inverse.tr_mul(c);
        let outer = &y * self.x.transpose() + &self.x * y.transpose();
        -(outer * &self.l)
    }
}
