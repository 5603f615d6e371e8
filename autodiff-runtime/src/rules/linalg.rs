//! Rules of nalgebra's matrices and vectors: operators, methods, indexing.
//!
//! The rules cover nalgebra's owned matrices `OMatrix<T, R, C>` with `T`
//! `f32` or `f64` ([`MatrixScalar`]): `SMatrix`, `SVector` and their aliases
//! (`Vector3`, `Matrix2x3`, ...) always, `DMatrix`, `DVector` and
//! `RowDVector` with the `alloc` feature. Both operands of a binary rule have
//! the same dimension types (a `DMatrix` times a `DVector` is fine, an
//! `SMatrix` plus a `DMatrix` is not). Shapes are checked as nalgebra checks
//! them: at compile time for static sizes, by a panic for dynamic ones.
//!
//! | primitive | partials (see [`crate::linear`] for how they are applied) |
//! | --- | --- |
//! | `a + b`, `a - b`, `-a` | [`Identity`], [`Negate`] |
//! | `s * a`, `a * s` | [`Scale`]`(s)` for `a`, [`Outer`]`(a)` for `s` |
//! | `a / s` | [`Scale`]`(1/s)` for `a`, [`Outer`]`(-a/s²)` for `s` |
//! | `a * b` (matrix product) | [`RightMul`]`(b)` for `a`, [`LeftMul`]`(a)` for `b` |
//! | `a.dot(&b)` | [`DotWith`]`(b)`, [`DotWith`]`(a)` |
//! | `a.norm()`, `a.norm_squared()` | [`DotWith`]`(a/‖a‖)`, [`ScaledDotWith`]`(a, 2)` |
//! | `a.sum()` | [`SumEntries`] |
//! | `a.transpose()` | [`TransposeMap`] |
//! | `a.component_mul(&b)`, `a.component_div(&b)` | [`Hadamard`] |
//! | `a[i]`, `a[(i, j)]` | [`At`] |
//!
//! The methods are traits with one free function each, like the operators,
//! so that other types can implement them; the traits also accept references
//! (`rules::dot(&a, &b)` where `a: &DVector<f64>`). A partial owns copies of
//! the operands it needs: no heap for static sizes, one allocation per
//! matrix-valued partial for dynamic ones.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

pub use crate::linalg_partials::{
    DotWith, Hadamard, LeftMul, Normalized, Outer, RightMul, Sandwich, Scale, ScaledDotWith,
    SumEntries, TransposeMap,
};
pub use crate::linalg_tangent::{MatrixField, MatrixScalar};

use super::arith::{AddRule, DivRule, MulRule, NegRule, SubRule};
use super::index::IndexRule;
use crate::linear::{At, Identity, Negate};
use crate::tangent::Tangent;
use crate::Real;

mod eigen;
mod functions;
pub use eigen::*;
pub use functions::*;

/// Partials `(1, 1)`.
impl<T, R, C> AddRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partials = (Identity, Identity);
    #[inline]
    fn add_rule(&self, b: &Self) -> (Self, (Identity, Identity)) {
        (self + b, (Identity, Identity))
    }
}

/// Partials `(1, -1)`.
impl<T, R, C> SubRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partials = (Identity, Negate);
    #[inline]
    fn sub_rule(&self, b: &Self) -> (Self, (Identity, Negate)) {
        (self - b, (Identity, Negate))
    }
}

impl<T, R, C> NegRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    #[inline]
    fn neg_rule(&self) -> (Self, (Negate,)) {
        (-self, (Negate,))
    }
}

/// The matrix product (matrix times vector included): partials
/// `(dA ↦ dA·B, dB ↦ A·dB)`.
impl<T, R, K, C> MulRule<OMatrix<T, K, C>> for OMatrix<T, R, K>
where
    T: MatrixScalar,
    R: Dim,
    K: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, K> + Allocator<K, C> + Allocator<R, C>,
{
    type Output = OMatrix<T, R, C>;
    type Partials = (RightMul<OMatrix<T, K, C>>, LeftMul<OMatrix<T, R, K>>);
    #[inline]
    fn mul_rule(&self, b: &OMatrix<T, K, C>) -> (Self::Output, Self::Partials) {
        (self * b, (RightMul(b.clone()), LeftMul(self.clone())))
    }
}

// The products and quotient of a matrix and a scalar, for every matrix
// scalar at once (the floats, dual numbers, and so the generic reverse
// sweep's `dual::Number`, which rustc could not match with an
// implementation per type).

/// `s * a`: partials `(ds ↦ a·ds, da ↦ s·da)`.
impl<T: MatrixScalar, R, C> MulRule<OMatrix<T, R, C>> for T
where
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = OMatrix<T, R, C>;
    type Partials = (Outer<OMatrix<T, R, C>>, Scale<T>);
    #[inline]
    fn mul_rule(&self, a: &OMatrix<T, R, C>) -> (Self::Output, Self::Partials) {
        (a * *self, (Outer(a.clone()), Scale(*self)))
    }
}

/// `a * s`: partials `(da ↦ s·da, ds ↦ a·ds)`.
impl<T: MatrixScalar, R, C> MulRule<T> for OMatrix<T, R, C>
where
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partials = (Scale<T>, Outer<Self>);
    #[inline]
    fn mul_rule(&self, s: &T) -> (Self, Self::Partials) {
        (self * *s, (Scale(*s), Outer(self.clone())))
    }
}

/// `a / s`: partials `(da ↦ da/s, ds ↦ -(a/s)/s·ds)`. The second
/// is built from the quotient, one pass over the entries.
impl<T: MatrixScalar, R, C> DivRule<T> for OMatrix<T, R, C>
where
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partials = (Scale<T>, Outer<Self>);
    #[inline]
    fn div_rule(&self, s: &T) -> (Self, Self::Partials) {
        let r = <T as Real>::one() / *s;
        let y = self / *s;
        let ds = &y * -r;
        (y, (Scale(r), Outer(ds)))
    }
}

unary_method!(
    /// `a.norm()`, the Euclidean (for a matrix, Frobenius) norm; partial
    /// `dA ↦ ⟨A/‖A‖, dA⟩`. At `A = 0`, where the norm has no derivative,
    /// the partial is `0` (a subgradient, as for `abs` at `0`; JAX gives NaN).
    NormRule, norm_rule, norm
);
unary_method!(
    /// `a.norm_squared()`, the sum of the squared entries; partial
    /// `dA ↦ ⟨2A, dA⟩`.
    NormSquaredRule, norm_squared_rule, norm_squared
);

/// [`NormSquaredRule`] for an operand read for the last time.
pub trait NormSquaredOwned: NormSquaredRule + Sized {
    /// The value and the partial, the partial made from `self`.
    fn norm_squared_rule_owned(self) -> (Self::Output, (Self::Partial,));
}

/// `a.norm_squared()` where `a` is read for the last time: the partial
/// keeps `a` itself (no copy of a dynamic matrix, and no pass to double it).
#[inline(always)]
pub fn norm_squared_owned<A: NormSquaredOwned>(a: A) -> (A::Output, (A::Partial,)) {
    a.norm_squared_rule_owned()
}
unary_method!(
    /// `a.sum()`, the sum of the entries; partial `dA ↦ Σ dA`.
    SumRule, sum_rule, sum
);
unary_method!(
    /// `a.transpose()`; partial `dA ↦ dAᵀ`.
    TransposeRule, transpose_rule, transpose
);
binary_method!(
    /// `a.dot(&b)`, the sum of the entrywise products; partials
    /// `(dA ↦ ⟨B, dA⟩, dB ↦ ⟨A, dB⟩)`.
    DotRule, dot_rule, dot
);
binary_method!(
    /// `a.component_mul(&b)`, the entrywise product; partials
    /// `(dA ↦ B ∘ dA, dB ↦ A ∘ dB)`.
    ComponentMulRule, component_mul_rule, component_mul
);
binary_method!(
    /// `a.component_div(&b)`, the entrywise quotient; partials
    /// `(dA ↦ dA / B, dB ↦ -(A / B) / B ∘ dB)`.
    ComponentDivRule, component_div_rule, component_div
);

/// `OMatrix: Rule<&Y>` whenever `OMatrix: Rule<Y>`, for the binary method
/// traits: the argument of `a.dot(&b)` may be a reference.
macro_rules! forward_rhs_ref {
    ($($trait_:ident, $method:ident;)*) => {$(
        impl<'a, T, R, C, Y> $trait_<&'a Y> for OMatrix<T, R, C>
        where
            T: MatrixScalar,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
            Y: ?Sized,
            Self: $trait_<Y>,
        {
            type Output = <Self as $trait_<Y>>::Output;
            type Partials = <Self as $trait_<Y>>::Partials;
            #[inline(always)]
            fn $method(&self, rhs: &&'a Y) -> (Self::Output, Self::Partials) {
                <Self as $trait_<Y>>::$method(self, *rhs)
            }
        }
    )*};
}

forward_rhs_ref! {
    CrossRule, cross_rule;
    DotRule, dot_rule;
    ComponentMulRule, component_mul_rule;
    ComponentDivRule, component_div_rule;
}

/// `‖a‖²` as nalgebra computes it for real entries (the columns' dot
/// products, summed), for entries that are not nalgebra's `RealField`
/// (dual numbers) too.
fn squared_norm<T: MatrixScalar, R: Dim, C: Dim>(a: &OMatrix<T, R, C>) -> T
where
    DefaultAllocator: Allocator<R, C>,
{
    let mut sum = <T as Real>::zero();
    for column in a.column_iter() {
        sum += column.dot(&column);
    }
    sum
}

impl<T, R, C> NormRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = T;
    type Partial = DotWith<Self>;
    #[inline]
    fn norm_rule(&self) -> (T, (DotWith<Self>,)) {
        let n = Real::sqrt(squared_norm(self));
        let direction = if n == <T as Real>::zero() {
            self.zero_like()
        } else {
            self / n
        };
        (n, (DotWith(direction),))
    }
}

impl<T, R, C> NormSquaredRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = T;
    type Partial = ScaledDotWith<Self, T>;
    #[inline]
    fn norm_squared_rule(&self) -> (T, (Self::Partial,)) {
        self.clone().norm_squared_rule_owned()
    }
}

impl<T, R, C> NormSquaredOwned for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    #[inline]
    fn norm_squared_rule_owned(self) -> (T, (Self::Partial,)) {
        let value = squared_norm(&self);
        let factor = <T as Real>::from_f64(2.0);
        (
            value,
            (ScaledDotWith {
                matrix: self,
                factor,
            },),
        )
    }
}

impl<T, R, C> SumRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = T;
    type Partial = SumEntries<R, C>;
    #[inline]
    fn sum_rule(&self) -> (T, (SumEntries<R, C>,)) {
        let (r, c) = self.shape_generic();
        (self.sum(), (SumEntries(r, c),))
    }
}

impl<T, R, C> TransposeRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    type Output = OMatrix<T, C, R>;
    type Partial = TransposeMap;
    #[inline]
    fn transpose_rule(&self) -> (OMatrix<T, C, R>, (TransposeMap,)) {
        (self.transpose(), (TransposeMap,))
    }
}

impl<T, R, C> DotRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = T;
    type Partials = (DotWith<Self>, DotWith<Self>);
    #[inline]
    fn dot_rule(&self, b: &Self) -> (T, Self::Partials) {
        (self.dot(b), (DotWith(b.clone()), DotWith(self.clone())))
    }
}

impl<T, R, C> ComponentMulRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partials = (Hadamard<Self>, Hadamard<Self>);
    #[inline]
    fn component_mul_rule(&self, b: &Self) -> (Self, Self::Partials) {
        (
            self.component_mul(b),
            (Hadamard(b.clone()), Hadamard(self.clone())),
        )
    }
}

impl<T, R, C> ComponentDivRule for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partials = (Hadamard<Self>, Hadamard<Self>);
    #[inline]
    fn component_div_rule(&self, b: &Self) -> (Self, Self::Partials) {
        let y = self.component_div(b);
        let r = b.map(|x| <T as Real>::one() / x);
        let db = -y.component_mul(&r);
        (y, (Hadamard(r), Hadamard(db)))
    }
}

/// `m[i]`: nalgebra's linear index, column-major.
impl<T, R, C> IndexRule<usize> for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Elem = T;
    #[inline(always)]
    fn index_rule(&self, i: usize) -> (T, (At<usize>,)) {
        (self[i], (At(i),))
    }
}

/// `m[(i, j)]`: row `i`, column `j`.
impl<T, R, C> IndexRule<(usize, usize)> for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Elem = T;
    #[inline(always)]
    fn index_rule(&self, ij: (usize, usize)) -> (T, (At<(usize, usize)>,)) {
        (self[ij], (At(ij),))
    }
}

#[cfg(test)]
mod tests;
