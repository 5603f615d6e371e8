//! Partials of the nalgebra rules: linear maps between matrix tangents.
//!
//! Each type is one linear map, with [`Push`] applying it to an argument's
//! tangent (forward mode) and [`Pull`] applying its transpose to the output's
//! cotangent (reverse mode). The matrices a partial holds are owned copies
//! of the rule's operands (a rule cannot borrow them: the adjoint sweep runs
//! after the forward sweep has moved on), so a partial of a statically sized
//! matrix lives on the stack and one of a dynamically sized matrix allocates
//! once. Nothing here allocates for static sizes. The rules that build these
//! partials are in `rules::linalg`, which also re-exports them.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixScalar;
use crate::linear::{At, Pull, PullInto, Push};

/// A scalar factor acting on matrix tangents: `dX ↦ s·dX`, its own transpose.
///
/// The partial of `s * A` and `A * s` with respect to `A`, and of `A / s`
/// with respect to `A` (factor `1/s`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale<T>(pub T);

/// A scalar tangent times a fixed matrix: `ds ↦ M·ds`; transpose `C ↦ ⟨M, C⟩`.
///
/// The partial of `s * A` and `A * s` (`M = A`) and of `A / s`
/// (`M = -A/s²`) with respect to the scalar `s`. The transpose of
/// [`DotWith`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outer<M>(pub M);

/// The inner product with a fixed matrix: `dX ↦ ⟨M, dX⟩` (a scalar);
/// transpose `c ↦ M·c`.
///
/// `⟨M, X⟩` is the sum of the entrywise products (nalgebra's `M.dot(&X)`).
/// The partial of `a.dot(&b)` (`M = b` for `a`) and of `a.norm()`
/// (`M = a/‖a‖`). The transpose of [`Outer`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DotWith<M>(pub M);

/// [`DotWith`] of a scaled matrix, the scale kept apart: `dX ↦ s·⟨M, dX⟩`;
/// transpose `c ↦ M·(s·c)`.
///
/// The partial of `a.norm_squared()` (`M = a`, `s = 2`): the operand is
/// kept as it is (moved where it is read for the last time) rather than
/// doubled in a pass of its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaledDotWith<M, T> {
    /// `M`.
    pub matrix: M,
    /// `s`.
    pub factor: T,
}

/// Multiplication on the right by a fixed matrix `B`: `dA ↦ dA·B`;
/// transpose `C ↦ C·Bᵀ`.
///
/// The partial of the matrix product `A * B` with respect to `A`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RightMul<M>(pub M);

/// Multiplication on the left by a fixed matrix `A`: `dB ↦ A·dB`;
/// transpose `C ↦ Aᵀ·C`.
///
/// The partial of the matrix product `A * B` with respect to `B`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeftMul<M>(pub M);

/// Transposition: `dX ↦ dXᵀ`; transpose `C ↦ Cᵀ`.
///
/// The partial of `a.transpose()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransposeMap;

/// The entrywise (Hadamard) product with a fixed matrix: `dX ↦ M ∘ dX`,
/// its own transpose.
///
/// The partial of `a.component_mul(&b)` (`M = b` for `a`) and of
/// `a.component_div(&b)` (`M = 1/b` for `a`, `M = -a/b²` for `b`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hadamard<M>(pub M);

/// The sum of all entries of a `R × C` matrix: `dX ↦ Σᵢⱼ dXᵢⱼ` (a scalar);
/// transpose `c ↦` the `R × C` matrix filled with `c`.
///
/// The partial of `a.sum()`. It holds the shape (nalgebra's dimension
/// values, which take no space for static sizes), since the transpose has
/// to build a matrix of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SumEntries<R, C>(pub R, pub C);

impl<T, R, C> Push<OMatrix<T, R, C>> for Scale<T>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        t * self.0
    }
}

impl<T, R, C> Pull<OMatrix<T, R, C>> for Scale<T>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        c * self.0
    }
    #[inline]
    fn pull_owned(&self, c: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        c * self.0
    }
}

impl<T, R, C> Push<T> for Outer<OMatrix<T, R, C>>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn push(&self, t: &T) -> OMatrix<T, R, C> {
        &self.0 * *t
    }
}

impl<T, R, C> Pull<OMatrix<T, R, C>> for Outer<OMatrix<T, R, C>>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = T;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> T {
        self.0.dot(c)
    }
}

impl<T, R, C> Push<OMatrix<T, R, C>> for DotWith<OMatrix<T, R, C>>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = T;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> T {
        self.0.dot(t)
    }
}

impl<T, R, C> Pull<T> for DotWith<OMatrix<T, R, C>>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn pull(&self, c: &T) -> OMatrix<T, R, C> {
        &self.0 * *c
    }
    #[inline]
    fn pull_add(&self, c: &T, acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        add_scaled(&self.0, *c, acc)
    }
    #[inline]
    fn pull_add_owned(&self, c: T, acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        self.pull_add(&c, acc)
    }
}

/// `acc + M·c`, the transpose of [`DotWith`] added into an adjoint; an
/// empty `acc` is a lazy zero (`HasTangent::lazy_zero_tangent`).
#[inline]
fn add_scaled<T, R, C>(m: &OMatrix<T, R, C>, c: T, mut acc: OMatrix<T, R, C>) -> OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    if acc.is_empty() && !m.is_empty() {
        return m * c;
    }
    acc.zip_apply(m, |a, v| *a += v * c);
    acc
}

impl<T, R, C> Push<OMatrix<T, R, C>> for ScaledDotWith<OMatrix<T, R, C>, T>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = T;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> T {
        self.matrix.dot(t) * self.factor
    }
}

impl<T, R, C> Pull<T> for ScaledDotWith<OMatrix<T, R, C>, T>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn pull(&self, c: &T) -> OMatrix<T, R, C> {
        &self.matrix * (*c * self.factor)
    }
    #[inline]
    fn pull_add(&self, c: &T, acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        add_scaled(&self.matrix, *c * self.factor, acc)
    }
    #[inline]
    fn pull_add_owned(&self, c: T, acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        self.pull_add(&c, acc)
    }
}

/// `dA ↦ dA·B` for `A: R × K`, `B: K × C`.
impl<T, R, K, C> Push<OMatrix<T, R, K>> for RightMul<OMatrix<T, K, C>>
where
    T: MatrixScalar,
    R: Dim,
    K: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, K> + Allocator<K, C> + Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, K>) -> OMatrix<T, R, C> {
        t * &self.0
    }
}

/// `C ↦ C·Bᵀ` for `C: R × C`, `B: K × C`.
impl<T, R, K, C> Pull<OMatrix<T, R, C>> for RightMul<OMatrix<T, K, C>>
where
    T: MatrixScalar,
    R: Dim,
    K: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, K> + Allocator<K, C> + Allocator<C, K> + Allocator<R, C>,
{
    type Out = OMatrix<T, R, K>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, R, K> {
        c * self.0.transpose()
    }
}

/// `dB ↦ A·dB` for `A: R × K`, `B: K × C`.
impl<T, R, K, C> Push<OMatrix<T, K, C>> for LeftMul<OMatrix<T, R, K>>
where
    T: MatrixScalar,
    R: Dim,
    K: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, K> + Allocator<K, C> + Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, K, C>) -> OMatrix<T, R, C> {
        &self.0 * t
    }
}

/// `C ↦ Aᵀ·C` for `A: R × K`, `C: R × C`.
impl<T, R, K, C> Pull<OMatrix<T, R, C>> for LeftMul<OMatrix<T, R, K>>
where
    T: MatrixScalar,
    R: Dim,
    K: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, K> + Allocator<K, C> + Allocator<R, C>,
{
    type Out = OMatrix<T, K, C>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, K, C> {
        self.0.tr_mul(c)
    }
}

impl<T, R, C> Push<OMatrix<T, R, C>> for TransposeMap
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    type Out = OMatrix<T, C, R>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, C, R> {
        t.transpose()
    }
}

impl<T, R, C> Pull<OMatrix<T, R, C>> for TransposeMap
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    type Out = OMatrix<T, C, R>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, C, R> {
        c.transpose()
    }
}

impl<T, R, C> Push<OMatrix<T, R, C>> for Hadamard<OMatrix<T, R, C>>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        self.0.component_mul(t)
    }
}

impl<T, R, C> Pull<OMatrix<T, R, C>> for Hadamard<OMatrix<T, R, C>>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        self.0.component_mul(c)
    }
}

impl<T, R, C> Push<OMatrix<T, R, C>> for SumEntries<R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = T;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> T {
        t.sum()
    }
}

impl<T, R, C> Pull<T> for SumEntries<R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = OMatrix<T, R, C>;
    #[inline]
    fn pull(&self, c: &T) -> OMatrix<T, R, C> {
        OMatrix::from_element_generic(self.0, self.1, *c)
    }
}

/// `m[i]`: nalgebra's linear index, column-major.
impl<T, R, C> Push<OMatrix<T, R, C>> for At<usize>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = T;
    #[inline(always)]
    fn push(&self, t: &OMatrix<T, R, C>) -> T {
        t[self.0]
    }
}

/// Adds `c` into entry `i` (column-major) of the adjoint, in place.
impl<T, R, C> PullInto<T, OMatrix<T, R, C>> for At<usize>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    #[inline(always)]
    fn pull_into(&self, c: &T, mut acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        acc[self.0] += *c;
        acc
    }
}

/// `m[(i, j)]`: row `i`, column `j`.
impl<T, R, C> Push<OMatrix<T, R, C>> for At<(usize, usize)>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Out = T;
    #[inline(always)]
    fn push(&self, t: &OMatrix<T, R, C>) -> T {
        t[self.0]
    }
}

/// Adds `c` into entry `(i, j)` of the adjoint, in place.
impl<T, R, C> PullInto<T, OMatrix<T, R, C>> for At<(usize, usize)>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    #[inline(always)]
    fn pull_into(&self, c: &T, mut acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        acc[self.0] += *c;
        acc
    }
}

mod cholesky;
mod nonlinear;
pub(crate) use cholesky::{fold_upper, mirror_lower};
pub use cholesky::{CholeskyMap, CholeskySolveMap};
pub use nonlinear::{Normalized, Sandwich};

/// Helpers shared by the tests of the nalgebra partials and rules.
#[cfg(test)]
pub(crate) mod check;

#[cfg(test)]
mod tests {
    use super::check::{assert_adjoint, Rng, ADJOINT_TOL};
    use super::*;
    use crate::linear::pull_into;
    use nalgebra::{Const, Matrix2x3, SMatrix, SVector};

    /// Every matrix partial, on operands of the given shapes, passes the
    /// dot-product test. `r`, `k`, `c` are nalgebra dimension values.
    fn all_partials_adjoint<R: Dim, K: Dim, C: Dim>(seed: u64, r: R, k: K, c: C)
    where
        DefaultAllocator:
            Allocator<R, K> + Allocator<K, R> + Allocator<K, C> + Allocator<C, K> + Allocator<R, C>,
    {
        let mut rng = Rng::new(seed);
        let a: OMatrix<f64, R, K> = rng.matrix(r, k);
        let b: OMatrix<f64, K, C> = rng.matrix(k, c);
        let da: OMatrix<f64, R, K> = rng.matrix(r, k);
        let db: OMatrix<f64, K, C> = rng.matrix(k, c);
        let w: OMatrix<f64, R, C> = rng.matrix(r, c);
        let wa: OMatrix<f64, R, K> = rng.matrix(r, k);
        let wt: OMatrix<f64, K, R> = rng.matrix(k, r);
        let (s, ds) = (rng.uniform(), rng.uniform());
        assert_adjoint(&Scale(s), &da, &wa, ADJOINT_TOL);
        assert_adjoint(&Outer(a.clone()), &ds, &wa, ADJOINT_TOL);
        assert_adjoint(&DotWith(a.clone()), &da, &ds, ADJOINT_TOL);
        let scaled = ScaledDotWith {
            matrix: a.clone(),
            factor: 2.0,
        };
        assert_adjoint(&scaled, &da, &ds, ADJOINT_TOL);
        assert_adjoint(&RightMul(b.clone()), &da, &w, ADJOINT_TOL);
        assert_adjoint(&LeftMul(a.clone()), &db, &w, ADJOINT_TOL);
        assert_adjoint(&TransposeMap, &da, &wt, ADJOINT_TOL);
        assert_adjoint(&Hadamard(a.clone()), &da, &wa, ADJOINT_TOL);
        assert_adjoint(&SumEntries(r, k), &da, &ds, ADJOINT_TOL);
        // `At` pulls by adding into an adjoint: start from zero.
        let zero = OMatrix::<f64, R, K>::from_element_generic(r, k, 0.0);
        let last = da.len() - 1;
        assert_eq!(
            At(last).push(&da) * ds,
            da.dot(&pull_into(&At(last), &ds, zero.clone()))
        );
        let (i, j) = (r.value() - 1, k.value() - 1);
        assert_eq!(
            At((i, j)).push(&da) * ds,
            da.dot(&pull_into(&At((i, j)), &ds, zero))
        );
        // Push against the formulas.
        assert_eq!(Scale(s).push(&da), &da * s);
        assert_eq!(Outer(a.clone()).push(&ds), &a * ds);
        assert_eq!(DotWith(a.clone()).push(&da), a.dot(&da));
        assert_eq!(RightMul(b.clone()).push(&da), &da * &b);
        assert_eq!(LeftMul(a.clone()).push(&db), &a * &db);
        assert_eq!(TransposeMap.push(&da), da.transpose());
        assert_eq!(Hadamard(a.clone()).push(&da), a.component_mul(&da));
        assert_eq!(SumEntries(r, k).push(&da), da.sum());
    }

    #[test]
    fn static_partials_are_adjoint() {
        all_partials_adjoint(1, Const::<2>, Const::<3>, Const::<3>);
        all_partials_adjoint(2, Const::<3>, Const::<3>, Const::<1>);
        all_partials_adjoint(3, Const::<2>, Const::<3>, Const::<4>);
        all_partials_adjoint(4, Const::<1>, Const::<3>, Const::<2>);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn dynamic_partials_are_adjoint() {
        use nalgebra::{Dyn, U1};
        all_partials_adjoint(5, Dyn(2), Dyn(3), Dyn(4));
        all_partials_adjoint(6, Dyn(4), Dyn(3), U1);
        all_partials_adjoint(7, U1, Dyn(5), Dyn(2));
        all_partials_adjoint(8, Dyn(3), Const::<2>, Dyn(2));
    }

    #[test]
    fn f32_partials_are_adjoint() {
        let mut rng = Rng::new(9);
        let a: SMatrix<f32, 3, 3> = rng.smatrix();
        let v: SVector<f32, 3> = rng.smatrix();
        let w: SVector<f32, 3> = rng.smatrix();
        let da: SMatrix<f32, 3, 3> = rng.smatrix();
        assert_adjoint(&RightMul(v), &da, &w, 1e-5);
        assert_adjoint(&LeftMul(a), &v, &w, 1e-5);
        assert_adjoint(&Hadamard(a), &da, &a, 1e-5);
    }

    #[test]
    fn static_at_push_and_pull_into() {
        let m = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
        assert_eq!(At(1_usize).push(&m), 4.0);
        assert_eq!(At((0_usize, 2_usize)).push(&m), 3.0);
        let acc = pull_into(&At(3_usize), &10.0, m);
        assert_eq!(acc, Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 15.0, 6.0));
        let acc = pull_into(&At((1_usize, 0_usize)), &0.5, acc);
        assert_eq!(acc[(1, 0)], 4.5);
        let mut rng = Rng::new(10);
        let dm: SMatrix<f64, 3, 3> = rng.smatrix();
        for i in 0..3 {
            for j in 0..3 {
                let c = rng.uniform();
                let z = SMatrix::<f64, 3, 3>::zeros();
                // The transpose of reading entry (i, j) puts c at (i, j).
                let pulled = pull_into(&At((i, j)), &c, z);
                assert_eq!(pulled[(i, j)], c);
                assert_eq!(pulled.sum(), c);
                assert_eq!(At((i, j)).push(&dm), dm[i + 3 * j]);
                assert_eq!(pull_into(&At(i + 3 * j), &c, z), pulled);
            }
        }
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn dynamic_at_push_and_pull_into() {
        use nalgebra::{DMatrix, DVector};
        let m = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(At(5_usize).push(&m), 6.0);
        assert_eq!(At((1_usize, 1_usize)).push(&m), 5.0);
        let acc = pull_into(&At((0_usize, 1_usize)), &1.0, DMatrix::zeros(2, 3));
        let acc = pull_into(&At(2_usize), &2.0, acc);
        assert_eq!(acc[(0, 1)], 3.0);
        assert_eq!(acc.sum(), 3.0);
        let v = DVector::from_column_slice(&[1.0, 2.0, 3.0]);
        assert_eq!(At(2_usize).push(&v), 3.0);
        assert_eq!(At((2_usize, 0_usize)).push(&v), 3.0);
        assert_eq!(
            pull_into(&At(1_usize), &4.0, v),
            DVector::from_column_slice(&[1.0, 6.0, 3.0])
        );
    }
}
