//! Rules of blocks of rows and columns of nalgebra matrices, and of
//! `into_owned`/`clone_owned`.
//!
//! nalgebra's `x.rows(start, len)` is a view that borrows `x`; generated code
//! works with owned values, so the rules return an owned copy of the block
//! (what `x.rows(start, len).into_owned()` returns), and `into_owned` and
//! `clone_owned` on an owned value are the identity.
//!
//! | primitive | value | partial |
//! | --- | --- | --- |
//! | `x.rows(start, len)` | `OMatrix<T, Dyn, C>` | [`RowBlock`] |
//! | `x.columns(start, len)` | `OMatrix<T, R, Dyn>` | [`ColumnBlock`] |
//! | `x.fixed_rows::<N>(start)` | `OMatrix<T, Const<N>, C>` | [`FixedRowBlock<N>`] |
//! | `x.fixed_columns::<N>(start)` | `OMatrix<T, R, Const<N>>` | [`FixedColumnBlock<N>`] |
//! | `x.into_owned()`, `x.clone_owned()` | `x` (cloned) | [`Identity`] |
//!
//! The start and length are static (integers the derivative does not flow
//! through). A block partial pushes a tangent of `x` to the same block of
//! it, and, like indexing, adds the block's cotangent into the adjoint of `x`
//! in place ([`PullInto`]): the adjoint starts as zeros shaped like `x`, so
//! taking many blocks costs the size of each block, not of `x`. `rows` and
//! `columns` need the `alloc` feature (their result has a dynamic size);
//! fixed blocks of statically sized matrices do not allocate. Bounds are
//! checked as nalgebra checks them, by a panic.

use nalgebra::allocator::Allocator;
#[cfg(feature = "alloc")]
use nalgebra::Dyn;
use nalgebra::{Const, DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixScalar;
use crate::linear::{Identity, PullInto, Push};

/// The partial of `x.rows(start, len)`: rows `start..start + len` of the
/// tangent; transposed, adds the block's cotangent into those rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowBlock {
    /// The first row of the block.
    pub start: usize,
    /// The number of rows of the block.
    pub len: usize,
}

/// The partial of `x.columns(start, len)`: columns `start..start + len` of
/// the tangent; transposed, adds the block's cotangent into those columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnBlock {
    /// The first column of the block.
    pub start: usize,
    /// The number of columns of the block.
    pub len: usize,
}

/// The partial of `x.fixed_rows::<N>(start)`: rows `start..start + N` of the
/// tangent; transposed, adds the block's cotangent into those rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedRowBlock<const N: usize> {
    /// The first row of the block.
    pub start: usize,
}

/// The partial of `x.fixed_columns::<N>(start)`: columns `start..start + N`
/// of the tangent; transposed, adds the block's cotangent into those
/// columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedColumnBlock<const N: usize> {
    /// The first column of the block.
    pub start: usize,
}

/// `x.rows(start, len)` as an owned matrix, and the partial [`RowBlock`].
///
/// Called as `rules::rows(&x, &start, &len)`; `x` may also be a reference
/// to a matrix (`&&DMatrix<f64>` coerces).
#[cfg(feature = "alloc")]
#[inline]
pub fn rows<T, R, C>(
    x: &OMatrix<T, R, C>,
    start: &usize,
    len: &usize,
) -> (OMatrix<T, Dyn, C>, (RowBlock,))
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<Dyn, C>,
{
    let (start, len) = (*start, *len);
    (x.rows(start, len).into_owned(), (RowBlock { start, len },))
}

/// `x.columns(start, len)` as an owned matrix, and the partial
/// [`ColumnBlock`].
///
/// Called as `rules::columns(&x, &start, &len)`; `x` may also be a
/// reference to a matrix.
#[cfg(feature = "alloc")]
#[inline]
pub fn columns<T, R, C>(
    x: &OMatrix<T, R, C>,
    start: &usize,
    len: &usize,
) -> (OMatrix<T, R, Dyn>, (ColumnBlock,))
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn>,
{
    let (start, len) = (*start, *len);
    (
        x.columns(start, len).into_owned(),
        (ColumnBlock { start, len },),
    )
}

/// `x.fixed_rows::<N>(start)` for a matrix type (owned copy of the block).
pub trait FixedRowsRule<const N: usize> {
    /// The block's type, `OMatrix<T, Const<N>, C>` for `OMatrix<T, R, C>`.
    type Block;
    /// The block (owned) and the partial.
    fn fixed_rows_rule(&self, start: usize) -> (Self::Block, (FixedRowBlock<N>,));
}

/// `x.fixed_columns::<N>(start)` for a matrix type (owned copy of the block).
pub trait FixedColumnsRule<const N: usize> {
    /// The block's type, `OMatrix<T, R, Const<N>>` for `OMatrix<T, R, C>`.
    type Block;
    /// The block (owned) and the partial.
    fn fixed_columns_rule(&self, start: usize) -> (Self::Block, (FixedColumnBlock<N>,));
}

impl<T, R, C, const N: usize> FixedRowsRule<N> for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<Const<N>, C>,
{
    type Block = OMatrix<T, Const<N>, C>;
    #[inline]
    fn fixed_rows_rule(&self, start: usize) -> (Self::Block, (FixedRowBlock<N>,)) {
        (
            self.fixed_rows::<N>(start).into_owned(),
            (FixedRowBlock { start },),
        )
    }
}

impl<T, R, C, const N: usize> FixedColumnsRule<N> for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R, Const<N>>,
{
    type Block = OMatrix<T, R, Const<N>>;
    #[inline]
    fn fixed_columns_rule(&self, start: usize) -> (Self::Block, (FixedColumnBlock<N>,)) {
        (
            self.fixed_columns::<N>(start).into_owned(),
            (FixedColumnBlock { start },),
        )
    }
}

impl<X: FixedRowsRule<N> + ?Sized, const N: usize> FixedRowsRule<N> for &X {
    type Block = X::Block;
    #[inline(always)]
    fn fixed_rows_rule(&self, start: usize) -> (X::Block, (FixedRowBlock<N>,)) {
        (**self).fixed_rows_rule(start)
    }
}

impl<X: FixedColumnsRule<N> + ?Sized, const N: usize> FixedColumnsRule<N> for &X {
    type Block = X::Block;
    #[inline(always)]
    fn fixed_columns_rule(&self, start: usize) -> (X::Block, (FixedColumnBlock<N>,)) {
        (**self).fixed_columns_rule(start)
    }
}

/// `x.fixed_rows::<N>(start)` as an owned matrix, and the partial
/// [`FixedRowBlock<N>`].
///
/// Call it with the block size first and the matrix type inferred:
/// `rules::fixed_rows::<N, _>(&x, &start)`, e.g.
/// `rules::fixed_rows::<2, _>(&x, &1)` for rows 1 and 2. (The short form
/// `rules::fixed_rows::<2>(..)` is not possible: the result type depends on
/// the matrix type, so that must be a named generic parameter, and a
/// turbofish has to list every named parameter.) Does not allocate for a
/// statically sized `x`.
#[inline(always)]
pub fn fixed_rows<const N: usize, X: FixedRowsRule<N> + ?Sized>(
    x: &X,
    start: &usize,
) -> (X::Block, (FixedRowBlock<N>,)) {
    x.fixed_rows_rule(*start)
}

/// `x.fixed_columns::<N>(start)` as an owned matrix, and the partial
/// [`FixedColumnBlock<N>`].
///
/// Call it with the block size first and the matrix type inferred:
/// `rules::fixed_columns::<N, _>(&x, &start)` (see [`fixed_rows`]). Does
/// not allocate for a statically sized `x`.
#[inline(always)]
pub fn fixed_columns<const N: usize, X: FixedColumnsRule<N> + ?Sized>(
    x: &X,
    start: &usize,
) -> (X::Block, (FixedColumnBlock<N>,)) {
    x.fixed_columns_rule(*start)
}

/// `x.into_owned()` on an owned value: the identity (a clone), partial
/// [`Identity`].
///
/// Users write `v.rows(0, 2).into_owned()`; the rule of `rows` already
/// returns an owned block.
#[inline(always)]
pub fn into_owned<X: Clone>(x: &X) -> (X, (Identity,)) {
    (x.clone(), (Identity,))
}

/// `x.clone_owned()` on an owned value: the identity (a clone), partial
/// [`Identity`].
#[inline(always)]
pub fn clone_owned<X: Clone>(x: &X) -> (X, (Identity,)) {
    (x.clone(), (Identity,))
}

/// Rows `start..start + len` of the tangent.
#[cfg(feature = "alloc")]
impl<T, R, C> Push<OMatrix<T, R, C>> for RowBlock
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<Dyn, C>,
{
    type Out = OMatrix<T, Dyn, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, Dyn, C> {
        t.rows(self.start, self.len).into_owned()
    }
}

/// Adds the block's cotangent into rows `start..start + len` of the
/// adjoint, in place.
#[cfg(feature = "alloc")]
impl<T, R, C> PullInto<OMatrix<T, Dyn, C>, OMatrix<T, R, C>> for RowBlock
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<Dyn, C>,
{
    #[inline]
    fn pull_into(&self, c: &OMatrix<T, Dyn, C>, mut acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        let mut block = acc.rows_mut(self.start, self.len);
        block += c;
        acc
    }
}

/// Columns `start..start + len` of the tangent.
#[cfg(feature = "alloc")]
impl<T, R, C> Push<OMatrix<T, R, C>> for ColumnBlock
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn>,
{
    type Out = OMatrix<T, R, Dyn>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, Dyn> {
        t.columns(self.start, self.len).into_owned()
    }
}

/// Adds the block's cotangent into columns `start..start + len` of the
/// adjoint, in place.
#[cfg(feature = "alloc")]
impl<T, R, C> PullInto<OMatrix<T, R, Dyn>, OMatrix<T, R, C>> for ColumnBlock
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R, Dyn>,
{
    #[inline]
    fn pull_into(&self, c: &OMatrix<T, R, Dyn>, mut acc: OMatrix<T, R, C>) -> OMatrix<T, R, C> {
        let mut block = acc.columns_mut(self.start, self.len);
        block += c;
        acc
    }
}

/// Rows `start..start + N` of the tangent.
impl<T, R, C, const N: usize> Push<OMatrix<T, R, C>> for FixedRowBlock<N>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<Const<N>, C>,
{
    type Out = OMatrix<T, Const<N>, C>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, Const<N>, C> {
        t.fixed_rows::<N>(self.start).into_owned()
    }
}

/// Adds the block's cotangent into rows `start..start + N` of the adjoint,
/// in place.
impl<T, R, C, const N: usize> PullInto<OMatrix<T, Const<N>, C>, OMatrix<T, R, C>>
    for FixedRowBlock<N>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<Const<N>, C>,
{
    #[inline]
    fn pull_into(
        &self,
        c: &OMatrix<T, Const<N>, C>,
        mut acc: OMatrix<T, R, C>,
    ) -> OMatrix<T, R, C> {
        let mut block = acc.fixed_rows_mut::<N>(self.start);
        block += c;
        acc
    }
}

/// Columns `start..start + N` of the tangent.
impl<T, R, C, const N: usize> Push<OMatrix<T, R, C>> for FixedColumnBlock<N>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R, Const<N>>,
{
    type Out = OMatrix<T, R, Const<N>>;
    #[inline]
    fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, Const<N>> {
        t.fixed_columns::<N>(self.start).into_owned()
    }
}

/// Adds the block's cotangent into columns `start..start + N` of the
/// adjoint, in place.
impl<T, R, C, const N: usize> PullInto<OMatrix<T, R, Const<N>>, OMatrix<T, R, C>>
    for FixedColumnBlock<N>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R, Const<N>>,
{
    #[inline]
    fn pull_into(
        &self,
        c: &OMatrix<T, R, Const<N>>,
        mut acc: OMatrix<T, R, C>,
    ) -> OMatrix<T, R, C> {
        let mut block = acc.fixed_columns_mut::<N>(self.start);
        block += c;
        acc
    }
}

#[cfg(test)]
mod tests {
    #[cfg(feature = "alloc")]
    use nalgebra::{allocator::Allocator, Const, DefaultAllocator, Dim, OMatrix};
    use nalgebra::{SMatrix, SVector};

    use crate::linalg_partials::check::{inner, Rng};
    use crate::linear::{pull_into, push, Identity, PullInto, Push};
    use crate::rules;
    use crate::tangent::Tangent;

    /// `⟨push v, w⟩ = ⟨v, pull_into(w, 0)⟩` to `1e-12` relative to the sum
    /// of the absolute terms, and `pull_into(w, acc)` is `acc + pull_into(w, 0)`.
    fn check_block<P, X, Y>(p: &P, x: &X, rng: &mut Rng)
    where
        P: Push<X, Out = Y> + PullInto<Y, X>,
        X: Tangent<Scalar = f64>,
        Y: Tangent<Scalar = f64>,
    {
        let mut v = x.zero_like();
        for i in 0..v.dim() {
            v.set_component(i, rng.uniform());
        }
        let y = p.push(&v);
        let mut w = y.zero_like();
        for i in 0..w.dim() {
            w.set_component(i, rng.uniform());
        }
        let pulled = p.pull_into(&w, x.zero_like());
        let (lhs, lscale) = inner(&y, &w);
        let (rhs, rscale) = inner(&v, &pulled);
        assert!(
            (lhs - rhs).abs() <= 1e-12 * lscale.max(rscale),
            "dot-product test: <push v, w> = {lhs}, <v, pull_into(w, 0)> = {rhs}"
        );
        // Accumulation: adds into what the adjoint already holds.
        let mut acc = x.zero_like();
        for i in 0..acc.dim() {
            acc.set_component(i, rng.uniform());
        }
        let added = p.pull_into(&w, acc.clone());
        let expected = acc.add(pulled);
        for i in 0..x.dim() {
            assert_eq!(added.component(i), expected.component(i), "component {i}");
        }
    }

    #[cfg(feature = "alloc")]
    fn random_matrix<R: Dim, C: Dim>(r: R, c: C, seed: u64) -> OMatrix<f64, R, C>
    where
        DefaultAllocator: Allocator<R, C>,
    {
        Rng::new(seed).matrix(r, c)
    }

    #[test]
    fn fixed_rows_of_svector() {
        let x: SVector<f64, 5> = Rng::new(1).smatrix();
        let (y, (p,)) = rules::fixed_rows::<2, _>(&x, &1);
        assert_eq!(y, x.fixed_rows::<2>(1).into_owned());
        assert_eq!(p, rules::FixedRowBlock::<2> { start: 1 });
        // Push is the same block of the tangent.
        let t: SVector<f64, 5> = Rng::new(2).smatrix();
        assert_eq!(push(&p, &t), t.fixed_rows::<2>(1).into_owned());
        check_block(&p, &x, &mut Rng::new(3));
        // Only the block's rows are touched.
        let c = SVector::<f64, 2>::new(10.0, 20.0);
        let acc = pull_into(&p, &c, SVector::<f64, 5>::repeat(1.0));
        assert_eq!(acc, SVector::<f64, 5>::from([1.0, 11.0, 21.0, 1.0, 1.0]));
    }

    #[test]
    fn fixed_blocks_of_smatrix_3x4() {
        let x: SMatrix<f64, 3, 4> = Rng::new(4).smatrix();
        let (r, (pr,)) = rules::fixed_rows::<2, _>(&x, &1);
        assert_eq!(r, x.fixed_rows::<2>(1).into_owned());
        let _: &SMatrix<f64, 2, 4> = &r;
        check_block(&pr, &x, &mut Rng::new(5));

        let (c, (pc,)) = rules::fixed_columns::<3, _>(&x, &1);
        assert_eq!(c, x.fixed_columns::<3>(1).into_owned());
        let _: &SMatrix<f64, 3, 3> = &c;
        check_block(&pc, &x, &mut Rng::new(6));

        // Through a reference (a `&SMatrix` argument of the user's function).
        let xr = &x;
        let (c2, _) = rules::fixed_columns::<3, _>(&xr, &1);
        assert_eq!(c2, c);

        let cot = SMatrix::<f64, 3, 3>::repeat(2.0);
        let acc = pull_into(&pc, &cot, SMatrix::<f64, 3, 4>::repeat(1.0));
        let mut expected = SMatrix::<f64, 3, 4>::repeat(3.0);
        expected.column_mut(0).fill(1.0);
        assert_eq!(acc, expected);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn blocks_of_smatrix_3x4() {
        let x: SMatrix<f64, 3, 4> = Rng::new(7).smatrix();
        let (r, (pr,)) = rules::rows(&x, &0, &2);
        assert_eq!(r, x.rows(0, 2).into_owned());
        assert_eq!(pr, rules::RowBlock { start: 0, len: 2 });
        check_block(&pr, &x, &mut Rng::new(8));

        let (c, (pc,)) = rules::columns(&x, &2, &2);
        assert_eq!(c, x.columns(2, 2).into_owned());
        assert_eq!(pc, rules::ColumnBlock { start: 2, len: 2 });
        check_block(&pc, &x, &mut Rng::new(9));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn blocks_of_svector() {
        let x: SVector<f64, 5> = Rng::new(10).smatrix();
        let (r, (pr,)) = rules::rows(&x, &2, &3);
        assert_eq!(r, x.rows(2, 3).into_owned());
        check_block(&pr, &x, &mut Rng::new(11));
        let (c, (pc,)) = rules::columns(&x, &0, &1);
        assert_eq!(c, x.columns(0, 1).into_owned());
        check_block(&pc, &x, &mut Rng::new(12));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn blocks_of_dvector() {
        use nalgebra::{DVector, Dyn, U1};
        let x: DVector<f64> = random_matrix(Dyn(6), U1, 13);
        let (r, (pr,)) = rules::rows(&x, &1, &4);
        assert_eq!(r, x.rows(1, 4).into_owned());
        let _: &DVector<f64> = &r;
        check_block(&pr, &x, &mut Rng::new(14));

        let (f, (pf,)) = rules::fixed_rows::<3, _>(&x, &2);
        assert_eq!(f, x.fixed_rows::<3>(2).into_owned());
        let _: &SVector<f64, 3> = &f;
        check_block(&pf, &x, &mut Rng::new(15));

        // Through a reference (a `&DVector` argument of the user's function).
        let xr = &x;
        // Generated code borrows every argument, so `&xr` is a `&&DVector`.
        #[allow(clippy::needless_borrow)]
        let (r2, _) = rules::rows(&xr, &1, &4);
        assert_eq!(r2, r);
        let (f2, _) = rules::fixed_rows::<3, _>(&xr, &2);
        assert_eq!(f2, f);

        let c = DVector::from_column_slice(&[1.0, 2.0, 3.0, 4.0]);
        let acc = pull_into(&pr, &c, DVector::from_element(6, 0.5));
        assert_eq!(
            acc,
            DVector::from_column_slice(&[0.5, 1.5, 2.5, 3.5, 4.5, 0.5])
        );
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn blocks_of_dmatrix() {
        use nalgebra::{DMatrix, Dyn};
        let x: DMatrix<f64> = random_matrix(Dyn(4), Dyn(5), 16);
        let (r, (pr,)) = rules::rows(&x, &1, &2);
        assert_eq!(r, x.rows(1, 2).into_owned());
        check_block(&pr, &x, &mut Rng::new(17));

        let (c, (pc,)) = rules::columns(&x, &2, &3);
        assert_eq!(c, x.columns(2, 3).into_owned());
        check_block(&pc, &x, &mut Rng::new(18));

        let (fr, (pfr,)) = rules::fixed_rows::<3, _>(&x, &0);
        assert_eq!(fr, x.fixed_rows::<3>(0).into_owned());
        let _: &OMatrix<f64, Const<3>, Dyn> = &fr;
        check_block(&pfr, &x, &mut Rng::new(19));

        let (fc, (pfc,)) = rules::fixed_columns::<2, _>(&x, &3);
        assert_eq!(fc, x.fixed_columns::<2>(3).into_owned());
        let _: &OMatrix<f64, Dyn, Const<2>> = &fc;
        check_block(&pfc, &x, &mut Rng::new(20));

        // Only the block's columns are touched, and existing content is kept.
        let cot = DMatrix::from_element(4, 3, 1.0);
        let acc = pull_into(&pc, &cot, DMatrix::from_element(4, 5, 2.0));
        let expected = DMatrix::from_fn(4, 5, |_, j| if j >= 2 { 3.0 } else { 2.0 });
        assert_eq!(acc, expected);
    }

    #[test]
    fn into_owned_and_clone_owned_are_the_identity() {
        let x: SMatrix<f64, 3, 4> = Rng::new(21).smatrix();
        let (y, (p,)) = rules::into_owned(&x);
        assert_eq!((y, p), (x, Identity));
        let (z, (q,)) = rules::clone_owned(&x);
        assert_eq!((z, q), (x, Identity));
        let t: SMatrix<f64, 3, 4> = Rng::new(22).smatrix();
        assert_eq!(push(&q, &t), t);
    }

    #[test]
    fn f32_fixed_rows() {
        let x = SVector::<f32, 4>::new(1.0, 2.0, 3.0, 4.0);
        let (y, (p,)) = rules::fixed_rows::<2, _>(&x, &2);
        assert_eq!(y, SVector::<f32, 2>::new(3.0, 4.0));
        let acc = pull_into(
            &p,
            &SVector::<f32, 2>::new(1.0, 1.0),
            SVector::<f32, 4>::zeros(),
        );
        assert_eq!(acc, SVector::<f32, 4>::new(0.0, 0.0, 1.0, 1.0));
    }
}
