//! `a.symmetric_eigen()` and `a.symmetric_eigenvalues()`: the
//! eigendecomposition `A = U·diag(λ)·Uᵀ` of a symmetric matrix, whose lower
//! triangle nalgebra reads. Its tangent space is the decomposition's own
//! type (`eigenvalues` and `eigenvectors` fields, read as struct fields in
//! a differentiated body); the partial is [`EigenMap`]. Eigenvectors are
//! differentiable where the eigenvalues are distinct.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix, OVector, SymmetricEigen};

use super::MatrixField;
use crate::linalg_partials::{fold_upper, mirror_lower};
use crate::linear::{Pull, Push};
use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// The tangent of a decomposition: of the eigenvalues, then of the
/// eigenvectors (in that flattening order).
impl<T, D> Tangent for SymmetricEigen<T, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    type Scalar = T;
    fn zero_like(&self) -> Self {
        SymmetricEigen {
            eigenvalues: self.eigenvalues.zero_like(),
            eigenvectors: self.eigenvectors.zero_like(),
        }
    }
    fn add(self, other: Self) -> Self {
        SymmetricEigen {
            eigenvalues: self.eigenvalues + other.eigenvalues,
            eigenvectors: self.eigenvectors + other.eigenvectors,
        }
    }
    fn scale(self, factor: T) -> Self {
        SymmetricEigen {
            eigenvalues: self.eigenvalues * factor,
            eigenvectors: self.eigenvectors * factor,
        }
    }
    fn dim(&self) -> usize {
        self.eigenvalues.len() + self.eigenvectors.len()
    }
    fn component(&self, i: usize) -> T {
        let n = self.eigenvalues.len();
        match i < n {
            true => self.eigenvalues[i],
            false => self.eigenvectors[i - n],
        }
    }
    fn set_component(&mut self, i: usize, value: T) {
        let n = self.eigenvalues.len();
        match i < n {
            true => self.eigenvalues[i] = value,
            false => self.eigenvectors[i - n] = value,
        }
    }
}

impl<T, D> HasTangent for SymmetricEigen<T, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    type Tangent = Self;
    type Shape = D;
    fn zero_tangent(&self) -> Self {
        self.zero_like()
    }
    fn shape(&self) -> D {
        self.eigenvalues.shape_generic().0
    }
    fn zero_of(&d: &D) -> Self {
        let zero = <T as Real>::zero();
        SymmetricEigen {
            eigenvalues: OVector::from_element_generic(d, nalgebra::U1, zero),
            eigenvectors: OMatrix::from_element_generic(d, d, zero),
        }
    }
}

/// Both fields are differentiable.
impl<T, D> crate::rules::StaticFields for SymmetricEigen<T, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    fn is_static(_field: &str) -> bool {
        false
    }
}

/// `dA ↦ (dλ, dU)` of `A = U·diag(λ)·Uᵀ` (Giles 2008 §3.1): with
/// `M = Uᵀ·S(dA)·U` (`S` mirrors the lower triangle that is read),
/// `dλᵢ = Mᵢᵢ` and `dU = U·(F ∘ M)`, `Fᵢⱼ = 1/(λⱼ − λᵢ)` off the diagonal
/// and `0` on it; transpose `(λ̄, Ū) ↦ S*(U·(diag(λ̄) + F ∘ (Uᵀ·Ū))·Uᵀ)`.
#[derive(Clone, Debug)]
pub struct EigenMap<T: MatrixField, D: Dim>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    vectors: OMatrix<T, D, D>,
    gaps: OMatrix<T, D, D>,
}

impl<T: MatrixField, D: Dim> EigenMap<T, D>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    fn new(e: &SymmetricEigen<T, D>) -> Self {
        let d = e.eigenvalues.shape_generic().0;
        let values = &e.eigenvalues;
        let gaps = OMatrix::from_fn_generic(d, d, |i, j| match i == j {
            true => <T as Real>::zero(),
            false => <T as Real>::one() / (values[j] - values[i]),
        });
        EigenMap {
            vectors: e.eigenvectors.clone(),
            gaps,
        }
    }
}

impl<T: MatrixField, D: Dim> Push<OMatrix<T, D, D>> for EigenMap<T, D>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    type Out = SymmetricEigen<T, D>;
    fn push(&self, t: &OMatrix<T, D, D>) -> SymmetricEigen<T, D> {
        let u = &self.vectors;
        let m = u.tr_mul(&mirror_lower(t)) * u;
        SymmetricEigen {
            eigenvalues: m.diagonal(),
            eigenvectors: u * m.component_mul(&self.gaps),
        }
    }
}

impl<T: MatrixField, D: Dim> Pull<SymmetricEigen<T, D>> for EigenMap<T, D>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    type Out = OMatrix<T, D, D>;
    fn pull(&self, c: &SymmetricEigen<T, D>) -> OMatrix<T, D, D> {
        let u = &self.vectors;
        let inner = u.tr_mul(&c.eigenvectors).component_mul(&self.gaps)
            + OMatrix::from_diagonal(&c.eigenvalues);
        fold_upper(u * inner * u.transpose())
    }
}

unary_method!(
    /// `a.symmetric_eigen()`; partial [`EigenMap`].
    SymmetricEigenRule, symmetric_eigen_rule, symmetric_eigen
);

impl<T, D> SymmetricEigenRule for OMatrix<T, D, D>
where
    T: MatrixField,
    D: nalgebra::DimSub<nalgebra::U1>,
    DefaultAllocator:
        Allocator<D, D> + Allocator<D> + Allocator<nalgebra::DimDiff<D, nalgebra::U1>>,
{
    type Output = SymmetricEigen<T, D>;
    type Partial = EigenMap<T, D>;
    fn symmetric_eigen_rule(&self) -> (SymmetricEigen<T, D>, (EigenMap<T, D>,)) {
        let e = self.clone().symmetric_eigen();
        let partial = EigenMap::new(&e);
        (e, (partial,))
    }
}
