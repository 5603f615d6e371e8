//! Tangent spaces of nalgebra's owned matrices and vectors.
//!
//! The tangent of an `OMatrix<T, R, C>` (which covers `SMatrix`, `SVector`,
//! `DMatrix`, `DVector` and aliases such as `Vector3` or `Matrix2x3`) is a
//! matrix of the same type and shape. Its flat view is nalgebra's storage
//! order, column-major, so component `i` is the linear index `m[i]`.
//! Statically sized matrices live on the stack and none of these operations
//! allocate; dynamically sized ones exist only with the `alloc` feature, which
//! is where nalgebra's `DefaultAllocator` gets its `Dyn` implementations.

use nalgebra::allocator::Allocator;
use nalgebra::{
    ClosedAddAssign, ClosedDivAssign, ClosedMulAssign, ClosedSubAssign, DefaultAllocator, Dim,
    OMatrix, RealField, Scalar,
};

use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// A scalar that can be the entry type of a differentiable nalgebra matrix:
/// `f32`, `f64`, and their dual numbers (for second derivatives).
///
/// It joins the crate's [`Real`] (what the rules compute with) and what
/// nalgebra's arithmetic, products and reductions ask of an entry; the
/// rules that need nalgebra's [`RealField`] (norms, decompositions,
/// geometry) ask for [`MatrixField`] instead. Both `Real` and nalgebra's
/// traits name some of the same methods (`sqrt`, `zero`, ...), so code
/// generic over them calls them as `Real::sqrt(x)` or `<T as Real>::zero()`.
pub trait MatrixScalar:
    Real
    + Scalar
    + num_traits::Zero
    + num_traits::One
    + ClosedAddAssign
    + ClosedSubAssign
    + ClosedMulAssign
    + ClosedDivAssign
{
}

impl<T> MatrixScalar for T where
    T: Real
        + Scalar
        + num_traits::Zero
        + num_traits::One
        + ClosedAddAssign
        + ClosedSubAssign
        + ClosedMulAssign
        + ClosedDivAssign
{
}

/// A [`MatrixScalar`] that is also nalgebra's [`RealField`]: `f32` and
/// `f64` (not dual numbers: nalgebra's SIMD traits ask for `unsafe`
/// methods, which this crate does not write).
pub trait MatrixField: MatrixScalar + RealField {}

impl<T: MatrixScalar + RealField> MatrixField for T {}

impl<T, R, C> Tangent for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Scalar = T;
    #[inline]
    fn zero_like(&self) -> Self {
        let (r, c) = self.shape_generic();
        Self::from_element_generic(r, c, <T as Real>::zero())
    }
    #[inline]
    fn add(self, other: Self) -> Self {
        // An empty dynamic matrix is a lazy zero (`lazy_zero_tangent`).
        match self.is_empty() && !other.is_empty() {
            true => other,
            false => self + other,
        }
    }
    #[inline]
    fn scale(self, factor: T) -> Self {
        self * factor
    }
    #[inline]
    fn dim(&self) -> usize {
        self.len()
    }
    #[inline]
    fn component(&self, i: usize) -> T {
        self[i]
    }
    #[inline]
    fn set_component(&mut self, i: usize, value: T) {
        self[i] = value;
    }
}

/// `v.x`, `v.y`, `v.z`, `v.w` of a small nalgebra vector (through its
/// `Deref` to coordinates) are differentiable fields.
impl<T, R, C> crate::rules::StaticFields for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    #[inline(always)]
    fn is_static(_field: &str) -> bool {
        false
    }
}

impl<T, R, C> HasTangent for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Tangent = Self;
    /// The dimensions.
    type Shape = (R, C);
    #[inline]
    fn zero_tangent(&self) -> Self {
        self.zero_like()
    }
    #[inline]
    fn shape(&self) -> (R, C) {
        self.shape_generic()
    }
    #[inline]
    fn zero_of(&(r, c): &(R, C)) -> Self {
        Self::from_element_generic(r, c, <T as Real>::zero())
    }
    /// Empty along each dynamic dimension (nothing to allocate), zeros
    /// for static sizes.
    #[inline]
    fn lazy_zero_tangent(&self) -> Self {
        let r = R::from_usize(R::try_to_usize().unwrap_or(0));
        let c = C::from_usize(C::try_to_usize().unwrap_or(0));
        Self::from_element_generic(r, c, <T as Real>::zero())
    }
}

/// A matrix as dual numbers `x + ε v`, entry by entry (second derivatives).
impl<T, R, C> crate::dual::Lift for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Dual = OMatrix<crate::dual::Dual<T>, R, C>;
    type Tangent = Self;
    fn lift(&self, direction: &Self) -> Self::Dual {
        self.zip_map(direction, crate::dual::Dual::new)
    }
    fn tangent_part(dual: &Self::Dual) -> Self {
        dual.map(|d| d.eps)
    }
}

/// A constant matrix as dual numbers.
impl<S, R, C> crate::dual::Promote<S> for OMatrix<S, R, C>
where
    S: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<crate::dual::Dual<S>, R, C>;
    fn promote(&self) -> Self::Out {
        self.map(crate::dual::Dual::constant)
    }
}

/// A constant matrix as the generic sweep's numbers.
impl<F, N, R, C> crate::dual::Constant<F, N> for OMatrix<F, R, C>
where
    F: MatrixScalar,
    N: crate::dual::Number<F>,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<N, R, C>;
    fn constant(&self) -> Self::Out {
        self.map(N::constant)
    }
}

/// The entries' values (`dual::primal`).
impl<T, R, C> crate::dual::Primal for OMatrix<T, R, C>
where
    T: Scalar + crate::dual::Primal,
    T::Value: Scalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Value = OMatrix<T::Value, R, C>;
    fn primal(&self) -> Self::Value {
        self.map(|x| x.primal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Matrix2x3, SMatrix, SVector, Vector3};

    #[test]
    fn static_matrix_flattens_column_major() {
        let m = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        assert_eq!(m.dim(), 6);
        let flat: [f64; 6] = core::array::from_fn(|i| m.component(i));
        assert_eq!(flat, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let mut z = m.zero_like();
        assert_eq!(z, SMatrix::<f64, 2, 3>::zeros());
        z.set_component(3, 7.0);
        assert_eq!(z[(1, 1)], 7.0);
        assert_eq!(m.zero_tangent(), Matrix2x3::zeros());
        assert_eq!(Tangent::add(m, m), m * 2.0);
    }

    #[test]
    fn static_vector_and_references() {
        let v = Vector3::new(1.0_f32, -2.0, 3.0);
        assert_eq!(v.dim(), 3);
        assert_eq!(v.component(1), -2.0);
        let r = &v;
        assert_eq!(crate::linear::zero_like(&r), SVector::<f32, 3>::zeros());
        assert_eq!(Tangent::add(v, v), v * 2.0);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn dynamic_matrix_and_vector() {
        use nalgebra::{DMatrix, DVector, RowDVector};
        let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(m.dim(), 6);
        assert_eq!(m.component(1), 4.0);
        let mut z = m.zero_like();
        assert_eq!(z.shape(), (2, 3));
        assert!(z.iter().all(|&x| x == 0.0));
        z.set_component(5, 1.0);
        assert_eq!(z[(1, 2)], 1.0);
        assert_eq!(Tangent::add(m.clone(), m.clone()), &m * 2.0);
        let v = DVector::from_column_slice(&[1.0, 2.0]);
        assert_eq!(v.zero_tangent(), DVector::zeros(2));
        let r = RowDVector::from_row_slice(&[1.0, 2.0, 3.0]);
        assert_eq!(r.dim(), 3);
        assert_eq!(r.zero_like().shape(), (1, 3));
    }

    #[cfg(feature = "alloc")]
    #[test]
    #[should_panic]
    fn adding_dynamic_tangents_of_different_shapes_panics() {
        use nalgebra::DVector;
        let _ = Tangent::add(DVector::<f64>::zeros(2), DVector::zeros(3));
    }
}
