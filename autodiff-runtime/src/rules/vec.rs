//! Rules of the `vec!` macro (with the `alloc` feature).
//!
//! | primitive | value | partial | push | pull |
//! | --- | --- | --- | --- | --- |
//! | `vec![x; n]` | `Vec<T>` of `n` copies | [`Broadcast`] | `vec![t; n]` | sum of the cotangent's elements |
//! | `vec![a, b, c]` | `Vec<T>` | [`ToVec<N>`] | `t.to_vec()` | the cotangent as an array |
//! | `x.to_vec()` | an owned copy of a slice or `Vec` | [`Identity`] | `t` | `c` |
//!
//! The macro lowers `vec![a, b, c]` to the array literal `[a, b, c]`
//! (rule `array`, one partial per element) followed by [`vec_from_array`],
//! so each element's derivative flows through both. The length `n` is
//! static.

use alloc::vec::Vec;

use crate::linear::{Identity, Pull, Push};
use crate::tangent::Tangent;

/// The partial of `vec![x; n]` with respect to `x`: `t ↦ vec![t; n]`;
/// transpose `c ↦ Σₖ c[k]`.
///
/// It keeps the zero tangent of `x`, the transpose's result when `n` is
/// `0` (one element's worth of memory: nothing for a scalar).
#[derive(Clone, Debug, PartialEq)]
pub struct Broadcast<T> {
    /// The length `n`.
    pub len: usize,
    /// The zero tangent shaped like `x`.
    pub zero: T,
}

/// The partial of the conversion of an `[T; N]` into a `Vec<T>`: `t ↦
/// t.to_vec()`; transpose `c ↦` the array of `c`'s `N` elements.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ToVec<const N: usize>;

/// `x.to_vec()`: an owned copy of a slice (or `Vec`), whose tangent space
/// is already `Vec<T>` (see [`crate::tangent::HasTangent`]), so the partial
/// is the identity.
#[inline]
pub fn to_vec<T: Clone>(x: &[T]) -> (Vec<T>, (Identity,)) {
    (x.to_vec(), (Identity,))
}

/// `vec![x; n]`: the `Vec` of `n` copies of `x`, and the partial
/// [`Broadcast`].
#[inline]
pub fn vec_from_elem<T: Tangent>(x: &T, n: &usize) -> (Vec<T>, (Broadcast<T>,)) {
    let len = *n;
    (
        alloc::vec![x.clone(); len],
        (Broadcast {
            len,
            zero: x.zero_like(),
        },),
    )
}

/// `vec![a, b, ..]` as `[a, b, ..].to_vec()`: the `Vec` and the partial
/// [`ToVec<N>`].
#[inline]
pub fn vec_from_array<T: Clone, const N: usize>(a: &[T; N]) -> (Vec<T>, (ToVec<N>,)) {
    (a.to_vec(), (ToVec,))
}

impl<T: Tangent> Push<T> for Broadcast<T> {
    type Out = Vec<T>;
    #[inline]
    fn push(&self, t: &T) -> Vec<T> {
        alloc::vec![t.clone(); self.len]
    }
}

impl<T: Tangent> Pull<Vec<T>> for Broadcast<T> {
    type Out = T;
    #[inline]
    fn pull(&self, c: &Vec<T>) -> T {
        assert_eq!(c.len(), self.len, "cotangent of the wrong length");
        c.iter()
            .cloned()
            .reduce(Tangent::add)
            .unwrap_or_else(|| self.zero.clone())
    }
}

impl<T: Clone, const N: usize> Push<[T; N]> for ToVec<N> {
    type Out = Vec<T>;
    #[inline]
    fn push(&self, t: &[T; N]) -> Vec<T> {
        t.to_vec()
    }
}

impl<T: Clone, const N: usize> Pull<Vec<T>> for ToVec<N> {
    type Out = [T; N];
    #[inline]
    #[track_caller]
    fn pull(&self, c: &Vec<T>) -> [T; N] {
        assert!(c.len() >= N, "cotangent shorter than the array");
        core::array::from_fn(|k| c[k].clone())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn to_vec_is_the_identity_on_tangents() {
        use crate::linear::{pull, push};
        let (v, (p,)) = super::to_vec(&[1.0, 2.0][..]);
        assert_eq!(v, alloc::vec![1.0, 2.0]);
        assert_eq!(push(&p, &alloc::vec![0.5, 0.25]), alloc::vec![0.5, 0.25]);
        assert_eq!(pull(&p, &alloc::vec![3.0, 4.0]), alloc::vec![3.0, 4.0]);
    }

    use super::*;
    use crate::linalg_partials::check::{assert_adjoint, assert_fd, Rng, ADJOINT_TOL};
    use crate::linear::{pull, push};
    use alloc::vec;

    #[test]
    fn from_elem_scalar() {
        let (v, (p,)) = vec_from_elem(&2.5, &3);
        assert_eq!(v, vec![2.5, 2.5, 2.5]);
        assert_eq!(push(&p, &1.5), vec![1.5, 1.5, 1.5]);
        assert_eq!(pull(&p, &vec![1.0, 2.0, 4.0]), 7.0);
        assert_fd(
            |x: &f64| vec_from_elem(x, &3).0,
            &2.5,
            &0.75,
            &push(&p, &0.75),
        );
        let mut rng = Rng::new(1);
        let w: Vec<f64> = (0..3).map(|_| rng.uniform()).collect();
        assert_adjoint(&p, &rng.uniform(), &w, ADJOINT_TOL);
    }

    #[test]
    fn from_elem_empty() {
        let (v, (p,)) = vec_from_elem(&[1.0_f32, 2.0], &0);
        assert!(v.is_empty());
        assert!(push(&p, &[3.0, 4.0]).is_empty());
        assert_eq!(pull(&p, &Vec::new()), [0.0, 0.0]);
    }

    #[test]
    fn from_elem_of_arrays_and_vecs() {
        let x = [1.0, -2.0];
        let (v, (p,)) = vec_from_elem(&x, &4);
        assert_eq!(v, vec![x; 4]);
        let mut rng = Rng::new(2);
        let dx = [rng.uniform(), rng.uniform()];
        assert_fd(
            |x: &[f64; 2]| vec_from_elem(x, &4).0,
            &x,
            &dx,
            &push(&p, &dx),
        );
        let w: Vec<[f64; 2]> = (0..4).map(|_| [rng.uniform(), rng.uniform()]).collect();
        assert_adjoint(&p, &dx, &w, ADJOINT_TOL);
        let (v, (p,)) = vec_from_elem(&vec![1.0, 2.0, 3.0], &2);
        assert_eq!(v.len(), 2);
        assert_eq!(
            pull(&p, &vec![vec![1.0, 1.0, 1.0], vec![0.0, 1.0, 2.0]]),
            vec![1.0, 2.0, 3.0]
        );
        assert_eq!(pull(&p, &vec![vec![1.0; 3]; 2]).len(), 3);
    }

    #[test]
    fn from_array() {
        let a = [1.0, 2.0, 3.0];
        let (v, (p,)) = vec_from_array(&a);
        assert_eq!(v, vec![1.0, 2.0, 3.0]);
        assert_eq!(p, ToVec::<3>);
        assert_eq!(push(&p, &[4.0, 5.0, 6.0]), vec![4.0, 5.0, 6.0]);
        assert_eq!(pull(&p, &vec![7.0, 8.0, 9.0]), [7.0, 8.0, 9.0]);
        let mut rng = Rng::new(3);
        let da = [rng.uniform(), rng.uniform(), rng.uniform()];
        assert_fd(|a: &[f64; 3]| vec_from_array(a).0, &a, &da, &push(&p, &da));
        let w: Vec<f64> = (0..3).map(|_| rng.uniform()).collect();
        assert_adjoint(&p, &da, &w, ADJOINT_TOL);
        // Through the array literal: `vec![x, 2x]` as `[x, 2x]` then to_vec.
        let (arr, [p0, p1]) = crate::rules::array([&1.0, &2.0]);
        let (_, (pv,)) = vec_from_array(&arr);
        let g = pull(&pv, &vec![10.0, 20.0]);
        assert_eq!(pull(&p0, &g) + 2.0 * pull(&p1, &g), 50.0);
        let (empty, (pe,)) = vec_from_array::<f64, 0>(&[]);
        assert!(empty.is_empty());
        assert_eq!(pull(&pe, &Vec::<f64>::new()), [0.0_f64; 0]);
    }
}
