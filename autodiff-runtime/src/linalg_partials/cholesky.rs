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

use crate::linalg_tangent::MatrixScalar;
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

/// The lower triangle of `x` with its diagonal halved.
fn phi<T: MatrixScalar, D: Dim>(mut x: OMatrix<T, D, D>) -> OMatrix<T, D, D>
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
    T: MatrixScalar,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Out = OMatrix<T, D, D>;
    fn push(&self, t: &OMatrix<T, D, D>) -> OMatrix<T, D, D> {
        // S(dA): the lower triangle mirrored.
        let mut symmetric = t.clone();
        let n = t.nrows();
        for j in 0..n {
            for i in 0..j {
                symmetric[(i, j)] = t[(j, i)];
            }
        }
        let inner = &self.l_inverse * symmetric * self.l_inverse.transpose();
        &self.l * phi(inner)
    }
}

impl<T, D> Pull<OMatrix<T, D, D>> for CholeskyMap<OMatrix<T, D, D>>
where
    T: MatrixScalar,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Out = OMatrix<T, D, D>;
    fn pull(&self, c: &OMatrix<T, D, D>) -> OMatrix<T, D, D> {
        let mut g = self.l_inverse.transpose() * phi(self.l.tr_mul(c)) * &self.l_inverse;
        // S*: what lands on an upper entry goes to its mirror below.
        let n = g.nrows();
        for j in 0..n {
            for i in 0..j {
                let upper = g[(i, j)];
                g[(j, i)] += upper;
                g[(i, j)] = <T as Real>::zero();
            }
        }
        g
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
    T: MatrixScalar,
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
    T: MatrixScalar,
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
