//! The rule of element assignment `x[i] = v`, in SSA form.
//!
//! Generated code does not mutate: `x[i] = v` becomes
//! `let (x2, (p_x, p_v)) = rules::set_index(&x, &i, &v);`, a new container
//! equal to `x` except that element `i` is `v`. The map `(x, v) ↦ x2` is
//! linear, with two partials:
//!
//! | argument | partial | push (`dx` or `dv`) | pull (`c`) |
//! | --- | --- | --- | --- |
//! | `x` | [`ZeroAt(i)`](ZeroAt) | `dx` with slot `i` zeroed | `c` with slot `i` zeroed |
//! | `v` | [`Inject<N>`] (arrays), [`InjectAt`] (others) | zeros except `dv` at `i` | `c[i]` |
//!
//! The index is static. The partial with respect to `v` builds a whole
//! container in forward mode, so it carries the container's shape, cheaply:
//! nothing for arrays (`N` is in the type), the length for `Vec`, nalgebra's
//! dimension values (nothing for static sizes) for matrices. The other slots
//! of that container are zeros shaped like `dv`, which is exact whenever all
//! elements have the same shape: always for scalars, arrays and statically
//! sized matrices; for a `Vec` of `Vec`s it assumes the inner lengths agree.
//!
//! Implemented for arrays `[T; N]` of tangents (so nested arrays, where
//! `a[i] = row` replaces a whole row), `Vec<T>` (with `alloc`), and owned
//! nalgebra matrices, static and dynamic, with a linear (column-major, as
//! nalgebra's `m[i]`) or a `(row, column)` index.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixScalar;
use crate::linear::{Inject, Pull, Push};
use crate::tangent::Tangent;

/// The partial of `x[i] = v` with respect to the container `x`: the
/// identity with slot `i` zeroed, its own transpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZeroAt<I>(pub I);

/// The partial of assigning `x[i] = v` with respect to `x`, rebuilt from
/// the index where the replay reads it (see [`crate::linear::at`]).
#[inline(always)]
pub fn zero_at<I: crate::linear::IndexValue>(i: I) -> ZeroAt<I::Index> {
    ZeroAt(i.index())
}

/// The partial of `x[i] = v` with respect to the value `v` for containers
/// whose shape is a run-time value: pushes `dv` to the container of shape
/// `shape` that is zero except `dv` at `index`; transposed, reads the
/// cotangent's element at `index`.
///
/// `shape` is the length of a `Vec`, and the pair of nalgebra dimension
/// values `(R, C)` of a matrix (which take no space for static sizes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InjectAt<I, S> {
    /// The index of the assigned element.
    pub index: I,
    /// The container's shape.
    pub shape: S,
}

/// `x[index] = value` for a container type.
pub trait SetIndexRule<I>: Sized + Clone {
    /// The element's type.
    type Elem;
    /// The partial with respect to the value.
    type ValuePartial;
    /// The container with element `index` replaced by `value` in place, and
    /// the partials with respect to the container and to the value.
    fn set_index_owned(
        self,
        index: I,
        value: &Self::Elem,
    ) -> (Self, (ZeroAt<I>, Self::ValuePartial));

    /// As [`set_index_owned`](Self::set_index_owned), on a copy.
    #[inline]
    #[track_caller]
    fn set_index_rule(
        &self,
        index: I,
        value: &Self::Elem,
    ) -> (Self, (ZeroAt<I>, Self::ValuePartial)) {
        self.clone().set_index_owned(index, value)
    }
}

/// `x[index] = value`: a copy of `x` with element `index` replaced by
/// `value`, and the partials [`ZeroAt(index)`](ZeroAt) with respect to `x`
/// and `X::ValuePartial` ([`Inject<N>`] or [`InjectAt`]) with respect to
/// `value`.
///
/// Panics when `index` is out of bounds, as `x[index] = value` does.
#[inline(always)]
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn set_index<X: SetIndexRule<I>, I: Copy>(
    x: &X,
    index: &I,
    value: &X::Elem,
) -> (X, (ZeroAt<I>, X::ValuePartial)) {
    x.set_index_rule(*index, value)
}

/// `x[index] = value` on a container the caller gives up: the assignment
/// happens in place, with no copy. Generated code uses it where the old
/// value of `x` is not read again.
#[inline(always)]
#[track_caller]
#[allow(clippy::type_complexity)]
pub fn set_index_owned<X: SetIndexRule<I>, I: Copy>(
    x: X,
    index: &I,
    value: &X::Elem,
) -> (X, (ZeroAt<I>, X::ValuePartial)) {
    x.set_index_owned(*index, value)
}

impl<T: Tangent, const N: usize> SetIndexRule<usize> for [T; N] {
    type Elem = T;
    type ValuePartial = Inject<N>;
    #[inline]
    #[track_caller]
    fn set_index_owned(mut self, i: usize, value: &T) -> (Self, (ZeroAt<usize>, Inject<N>)) {
        self[i] = value.clone();
        (self, (ZeroAt(i), Inject(i)))
    }
}

/// The index a [`ZeroAt`] partial holds, also through references (the
/// replay of a loop reads its partials by reference).
pub trait AssignedSlot<I> {
    /// The assigned element's index.
    fn slot(&self) -> I;
}

impl<I: Copy> AssignedSlot<I> for ZeroAt<I> {
    #[inline(always)]
    fn slot(&self) -> I {
        self.0
    }
}

impl<I, S: AssignedSlot<I> + ?Sized> AssignedSlot<I> for &S {
    #[inline(always)]
    fn slot(&self) -> I {
        (**self).slot()
    }
}

/// Forward mode through `x[i] = v` in place: the container's tangent `t`
/// (given up by the caller) with slot `i` set to the value's tangent `t_v`.
/// Equal to `push(ZeroAt(i), t) + push(value partial, t_v)`, without
/// building either container.
#[inline(always)]
#[track_caller]
pub fn push_set<P: AssignedSlot<I>, I, C>(partial: &P, mut t: C, t_v: &C::Output) -> C
where
    C: core::ops::IndexMut<I>,
    C::Output: Clone + Sized,
{
    t[partial.slot()] = t_v.clone();
    t
}

/// Forward mode through `x[i] = v` when `v` has no tangent: the container's
/// tangent with slot `i` zeroed, in place.
#[inline(always)]
#[track_caller]
pub fn push_zero_at<P: AssignedSlot<I>, I, C>(partial: &P, mut t: C) -> C
where
    C: core::ops::IndexMut<I>,
    C::Output: Tangent,
{
    let zero = t[partial.slot()].zero_like();
    t[partial.slot()] = zero;
    t
}

/// Reverse mode through `x[i] = v` in place: from the adjoint `g` of the
/// result (given up by the caller), the adjoint of the container (`g` with
/// slot `i` zeroed) and of the value (`g[i]`). Equal to pulling `g` through
/// both partials, without copying the container.
#[inline(always)]
#[track_caller]
pub fn pull_set<P: AssignedSlot<I>, I, C>(partial: &P, mut g: C) -> (C, C::Output)
where
    C: core::ops::IndexMut<I>,
    C::Output: Tangent,
{
    let value = g[partial.slot()].clone();
    g[partial.slot()] = value.zero_like();
    (g, value)
}

/// Reverse mode through `x[i] += v` (`x[i] = x[i] + v`, and `-=`) in
/// place: the adjoint of `v` is `g[i]`, and the container's is `g` as it
/// is, since the read of `x[i]` gives back what [`pull_set`] would take
/// out. One load instead of a store of zero, a load and an addition.
#[inline(always)]
#[track_caller]
pub fn pull_kept<P: AssignedSlot<I>, I, C>(partial: &P, g: C) -> (C, C::Output)
where
    C: core::ops::Index<I>,
    C::Output: Tangent,
{
    let value = g[partial.slot()].clone();
    (g, value)
}

impl<T: Tangent, const N: usize> Push<[T; N]> for ZeroAt<usize> {
    type Out = [T; N];
    #[inline]
    fn push(&self, t: &[T; N]) -> [T; N] {
        let mut out = t.clone();
        out[self.0] = out[self.0].zero_like();
        out
    }
}

impl<T: Tangent, const N: usize> Pull<[T; N]> for ZeroAt<usize> {
    type Out = [T; N];
    #[inline]
    fn pull(&self, c: &[T; N]) -> [T; N] {
        self.push(c)
    }
}

#[cfg(feature = "alloc")]
mod heap {
    use super::{InjectAt, SetIndexRule, ZeroAt};
    use crate::linear::{Pull, Push};
    use crate::tangent::Tangent;
    use alloc::vec::Vec;

    impl<T: Tangent> SetIndexRule<usize> for Vec<T> {
        type Elem = T;
        type ValuePartial = InjectAt<usize, usize>;
        #[inline]
        #[track_caller]
        fn set_index_owned(
            mut self,
            i: usize,
            value: &T,
        ) -> (Self, (ZeroAt<usize>, InjectAt<usize, usize>)) {
            self[i] = value.clone();
            let shape = self.len();
            (self, (ZeroAt(i), InjectAt { index: i, shape }))
        }
    }

    impl<T: Tangent> Push<Vec<T>> for ZeroAt<usize> {
        type Out = Vec<T>;
        #[inline]
        fn push(&self, t: &Vec<T>) -> Vec<T> {
            let mut out = t.clone();
            out[self.0] = out[self.0].zero_like();
            out
        }
    }

    impl<T: Tangent> Pull<Vec<T>> for ZeroAt<usize> {
        type Out = Vec<T>;
        #[inline]
        fn pull(&self, c: &Vec<T>) -> Vec<T> {
            self.push(c)
        }
    }

    /// `dv ↦` the `Vec` of length `shape`, zero except `dv` at `index`.
    impl<T: Tangent> Push<T> for InjectAt<usize, usize> {
        type Out = Vec<T>;
        #[inline]
        fn push(&self, t: &T) -> Vec<T> {
            let mut out = Vec::with_capacity(self.shape);
            out.resize(self.shape, t.zero_like());
            out[self.index] = t.clone();
            out
        }
    }

    impl<T: Clone> Pull<Vec<T>> for InjectAt<usize, usize> {
        type Out = T;
        #[inline]
        fn pull(&self, c: &Vec<T>) -> T {
            c[self.index].clone()
        }
    }
}

/// Element assignment with a linear (column-major) or `(row, column)` index
/// into an owned nalgebra matrix; `$index` is the index type.
macro_rules! matrix_set_index {
    ($($index:ty),*) => {$(
        impl<T, R, C> SetIndexRule<$index> for OMatrix<T, R, C>
        where
            T: MatrixScalar,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
        {
            type Elem = T;
            type ValuePartial = InjectAt<$index, (R, C)>;
            #[inline]
            #[track_caller]
            fn set_index_owned(
                mut self,
                i: $index,
                value: &T,
            ) -> (Self, (ZeroAt<$index>, InjectAt<$index, (R, C)>)) {
                self[i] = *value;
                let shape = self.shape_generic();
                (self, (ZeroAt(i), InjectAt { index: i, shape }))
            }
        }

        impl<T, R, C> Push<OMatrix<T, R, C>> for ZeroAt<$index>
        where
            T: MatrixScalar,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
        {
            type Out = OMatrix<T, R, C>;
            #[inline]
            fn push(&self, t: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
                let mut out = t.clone();
                out[self.0] = <T as crate::Real>::zero();
                out
            }
        }

        impl<T, R, C> Pull<OMatrix<T, R, C>> for ZeroAt<$index>
        where
            T: MatrixScalar,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
        {
            type Out = OMatrix<T, R, C>;
            #[inline]
            fn pull(&self, c: &OMatrix<T, R, C>) -> OMatrix<T, R, C> {
                self.push(c)
            }
        }

        /// `dv ↦` the zero matrix of shape `(R, C)` with `dv` at `index`.
        impl<T, R, C> Push<T> for InjectAt<$index, (R, C)>
        where
            T: MatrixScalar,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
        {
            type Out = OMatrix<T, R, C>;
            #[inline]
            fn push(&self, t: &T) -> OMatrix<T, R, C> {
                let (r, c) = self.shape;
                let mut out = OMatrix::from_element_generic(r, c, <T as crate::Real>::zero());
                out[self.index] = *t;
                out
            }
        }

        impl<T, R, C> Pull<OMatrix<T, R, C>> for InjectAt<$index, (R, C)>
        where
            T: MatrixScalar,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
        {
            type Out = T;
            #[inline]
            fn pull(&self, c: &OMatrix<T, R, C>) -> T {
                c[self.index]
            }
        }
    )*};
}

matrix_set_index!(usize, (usize, usize));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg_partials::check::{assert_adjoint, assert_fd, Rng, ADJOINT_TOL};
    use crate::linear::{pull, push};
    use nalgebra::{Matrix2x3, SMatrix, SVector};

    /// A tangent shaped like `x` with entries in `[-1, 1)`.
    fn random_like<X: Tangent<Scalar = f64>>(x: &X, rng: &mut Rng) -> X {
        let mut t = x.zero_like();
        for i in 0..t.dim() {
            t.set_component(i, rng.uniform());
        }
        t
    }

    /// For `x[index] = v`: finite differences of `(x, v) ↦ set_index` along
    /// `(dx, dv)` agree with the sum of the two pushes, and both partials pass
    /// the dot-product test.
    fn check_set_index<X, I>(x: &X, index: I, v: &X::Elem, seed: u64)
    where
        X: SetIndexRule<I> + Tangent<Scalar = f64> + core::fmt::Debug + PartialEq,
        X::Elem: Tangent<Scalar = f64>,
        X::ValuePartial: Push<X::Elem, Out = X> + Pull<X, Out = X::Elem>,
        ZeroAt<I>: Push<X, Out = X> + Pull<X, Out = X>,
        I: Copy,
    {
        let mut rng = Rng::new(seed);
        let (y, (px, pv)) = set_index(x, &index, v);
        let dx = random_like(x, &mut rng);
        let dv = random_like(v, &mut rng);
        let w = random_like(&y, &mut rng);
        let pushed = push(&px, &dx).add(push(&pv, &dv));
        assert_fd(
            |(x, v): &(X, X::Elem)| set_index(x, &index, v).0,
            &(x.clone(), v.clone()),
            &(dx.clone(), dv.clone()),
            &pushed,
        );
        assert_adjoint(&px, &dx, &w, ADJOINT_TOL);
        assert_adjoint(&pv, &dv, &w, ADJOINT_TOL);
        // Setting the value just read is the identity; the partials still
        // split the tangent between the container and the value.
        assert_eq!(push(&pv, &pull(&pv, &dx)).add(push(&px, &dx)), dx);
    }

    /// The in-place forms equal the partials they stand for.
    fn check_in_place<X, I>(x: &X, index: I, v: X::Elem, t: X, tv: X::Elem, g: X)
    where
        X: SetIndexRule<I> + Tangent<Scalar = f64> + core::fmt::Debug + PartialEq,
        X: core::ops::IndexMut<I, Output = X::Elem>,
        X::Elem: Tangent<Scalar = f64> + core::fmt::Debug + PartialEq,
        X::ValuePartial: Push<X::Elem, Out = X> + Pull<X, Out = X::Elem>,
        ZeroAt<I>: Push<X, Out = X> + Pull<X, Out = X> + AssignedSlot<I>,
        I: Copy,
    {
        let (y, (px, pv)) = set_index(x, &index, &v);
        assert_eq!(set_index_owned(x.clone(), &index, &v).0, y);
        assert_eq!(
            push_set(&px, t.clone(), &tv),
            push(&px, &t).add(push(&pv, &tv))
        );
        assert_eq!(push_zero_at(&px, t.clone()), push(&px, &t));
        let pulled = (pull(&px, &g), pull(&pv, &g));
        assert_eq!(pull_set(&px, g.clone()), pulled);
        // Replays hold partials by reference.
        assert_eq!(pull_set(&&px, g), pulled);
    }

    #[test]
    fn in_place_forms() {
        check_in_place(
            &[1.0, 2.0, 3.0],
            1,
            5.0,
            [0.1, 0.2, 0.3],
            0.7,
            [4.0, 5.0, 6.0],
        );
        let m = SMatrix::<f64, 2, 2>::new(1.0, 2.0, 3.0, 4.0);
        let (t, g) = (m * 0.5, m * -2.0);
        check_in_place(&m, (0, 1), 9.0, t, 0.25, g);
        check_in_place(&m, 3, 9.0, t, 0.25, g);
        #[cfg(feature = "alloc")]
        check_in_place(
            &alloc::vec![1.0, 2.0],
            0,
            5.0,
            alloc::vec![0.5, 0.25],
            1.5,
            alloc::vec![3.0, 4.0],
        );
    }

    #[test]
    fn array_of_scalars() {
        let x = [1.0, -2.0, 3.0, 0.5];
        let (y, (px, pv)) = set_index(&x, &2, &7.0);
        assert_eq!(y, [1.0, -2.0, 7.0, 0.5]);
        assert_eq!(px, ZeroAt(2));
        assert_eq!(pv, Inject::<4>(2));
        assert_eq!(push(&px, &[1.0, 2.0, 3.0, 4.0]), [1.0, 2.0, 0.0, 4.0]);
        assert_eq!(pull(&px, &[1.0, 2.0, 3.0, 4.0]), [1.0, 2.0, 0.0, 4.0]);
        assert_eq!(push(&pv, &5.0), [0.0, 0.0, 5.0, 0.0]);
        assert_eq!(pull(&pv, &[1.0, 2.0, 3.0, 4.0]), 3.0);
        for i in 0..4 {
            check_set_index(&x, i, &-1.5, i as u64);
        }
        let x32 = [1.0_f32, 2.0];
        let (y32, (px32, _)) = set_index(&x32, &0, &3.0);
        assert_eq!(y32, [3.0, 2.0]);
        assert_eq!(push(&px32, &[1.0_f32, 1.0]), [0.0, 1.0]);
    }

    #[test]
    fn nested_array_row() {
        let x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let row = [7.0, 8.0, 9.0];
        let (y, (px, pv)) = set_index(&x, &1, &row);
        assert_eq!(y, [[1.0, 2.0, 3.0], [7.0, 8.0, 9.0]]);
        assert_eq!(push(&px, &x), [[1.0, 2.0, 3.0], [0.0; 3]]);
        assert_eq!(push(&pv, &row), [[0.0; 3], row]);
        assert_eq!(pull(&pv, &x), [4.0, 5.0, 6.0]);
        check_set_index(&x, 0, &row, 10);
        check_set_index(&x, 1, &row, 11);
    }

    #[test]
    #[should_panic]
    fn array_index_out_of_bounds_panics() {
        let _ = set_index(&[1.0, 2.0], &2, &0.0);
    }

    #[test]
    fn static_matrix_linear_and_pair_index() {
        let mut rng = Rng::new(20);
        let m: Matrix2x3<f64> = rng.smatrix();
        // Linear index 3 is row 1, column 1 (column-major).
        let (y, (px, pv)) = set_index(&m, &3_usize, &10.0);
        let mut expected = m;
        expected[(1, 1)] = 10.0;
        assert_eq!(y, expected);
        let (y2, (px2, pv2)) = set_index(&m, &(1_usize, 1_usize), &10.0);
        assert_eq!(y2, expected);
        let ones = Matrix2x3::from_element(1.0);
        assert_eq!(push(&px, &ones), push(&px2, &ones));
        assert_eq!(push(&px, &ones).sum(), 5.0);
        assert_eq!(push(&pv, &2.0), push(&pv2, &2.0));
        assert_eq!(push(&pv, &2.0)[(1, 1)], 2.0);
        assert_eq!(pull(&pv2, &m), m[(1, 1)]);
        assert_eq!(core::mem::size_of_val(&pv), core::mem::size_of::<usize>());
        for i in 0..6 {
            check_set_index(&m, i, &rng.uniform(), 30 + i as u64);
        }
        for i in 0..2 {
            for j in 0..3 {
                check_set_index(&m, (i, j), &rng.uniform(), 40 + (i * 3 + j) as u64);
            }
        }
        let v: SVector<f64, 3> = rng.smatrix();
        check_set_index(&v, 2_usize, &0.25, 50);
        let m32: SMatrix<f32, 2, 2> = rng.smatrix();
        let (y32, (px32, pv32)) = set_index(&m32, &(0_usize, 1_usize), &4.0_f32);
        assert_eq!(y32[(0, 1)], 4.0);
        assert_eq!(
            push(&px32, &SMatrix::<f32, 2, 2>::from_element(1.0)).sum(),
            3.0
        );
        assert_eq!(pull(&pv32, &y32), 4.0);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn vec_of_scalars_and_of_arrays() {
        use alloc::vec;
        use alloc::vec::Vec;
        let x = vec![1.0, 2.0, 3.0];
        let (y, (px, pv)) = set_index(&x, &0, &-4.0);
        assert_eq!(y, vec![-4.0, 2.0, 3.0]);
        assert_eq!(pv, InjectAt { index: 0, shape: 3 });
        assert_eq!(push(&px, &vec![1.0, 1.0, 1.0]), vec![0.0, 1.0, 1.0]);
        assert_eq!(push(&pv, &2.0), vec![2.0, 0.0, 0.0]);
        assert_eq!(pull(&pv, &vec![5.0, 6.0, 7.0]), 5.0);
        for i in 0..3 {
            check_set_index(&x, i, &0.5, 60 + i as u64);
        }
        let rows: Vec<[f64; 2]> = vec![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let (y, (_, pv)) = set_index(&rows, &1, &[0.0, -1.0]);
        assert_eq!(y[1], [0.0, -1.0]);
        assert_eq!(push(&pv, &[1.0, 1.0]), vec![[0.0; 2], [1.0; 2], [0.0; 2]]);
        check_set_index(&rows, 2, &[9.0, 8.0], 63);
        let nested: Vec<Vec<f64>> = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
        check_set_index(&nested, 0, &vec![5.0, 6.0], 64);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn dynamic_matrix_and_vector() {
        use nalgebra::{DMatrix, DVector, Dyn};
        let mut rng = Rng::new(70);
        let m: DMatrix<f64> = rng.matrix(Dyn(3), Dyn(2));
        let (y, (_, pv)) = set_index(&m, &(2_usize, 1_usize), &1.0);
        assert_eq!(y[(2, 1)], 1.0);
        assert_eq!(y[5], 1.0);
        assert_eq!(push(&pv, &3.0).shape(), (3, 2));
        for i in 0..6 {
            check_set_index(&m, i, &rng.uniform(), 71 + i as u64);
        }
        check_set_index(&m, (0_usize, 1_usize), &0.3, 80);
        let v: DVector<f64> = rng.matrix(Dyn(4), nalgebra::U1);
        check_set_index(&v, 3_usize, &-0.7, 81);
        check_set_index(&v, (1_usize, 0_usize), &0.7, 82);
    }
}
