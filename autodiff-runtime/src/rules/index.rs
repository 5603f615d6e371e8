//! Rules of indexing `x[i]` and of array literals `[a, b, c]`.
//!
//! The index is static (an integer the derivative does not flow through).
//! In reverse mode an indexed element's cotangent is added into the
//! container's adjoint in place ([`crate::linear::PullInto`]), so reading
//! every element of an array in a loop costs O(1) per read, not O(length).

use crate::linear::{At, Inject};

/// `x[index]` for a container type.
pub trait IndexRule<I> {
    /// The element's type.
    type Elem;
    /// The element (cloned) and the partial.
    fn index_rule(&self, index: I) -> (Self::Elem, (At<I>,));
}

/// `x[index]`: the element and the partial `At(index)`.
#[inline(always)]
pub fn index<X: IndexRule<I> + ?Sized, I: Copy>(x: &X, index: &I) -> (X::Elem, (At<I>,)) {
    x.index_rule(*index)
}

impl<T: Clone, const N: usize> IndexRule<usize> for [T; N] {
    type Elem = T;
    #[inline(always)]
    fn index_rule(&self, i: usize) -> (T, (At<usize>,)) {
        (self[i].clone(), (At(i),))
    }
}

impl<T: Clone> IndexRule<usize> for [T] {
    type Elem = T;
    #[inline(always)]
    fn index_rule(&self, i: usize) -> (T, (At<usize>,)) {
        (self[i].clone(), (At(i),))
    }
}

#[cfg(feature = "alloc")]
impl<T: Clone> IndexRule<usize> for alloc::vec::Vec<T> {
    type Elem = T;
    #[inline(always)]
    fn index_rule(&self, i: usize) -> (T, (At<usize>,)) {
        (self[i].clone(), (At(i),))
    }
}

/// A slice argument kept for a replay (`tape::kept::keep`).
impl<T: Clone + 'static> IndexRule<usize> for crate::tape::Growable<T> {
    type Elem = T;
    #[inline(always)]
    fn index_rule(&self, i: usize) -> (T, (At<usize>,)) {
        (self.get(i).clone(), (At(i),))
    }
}

impl<X: IndexRule<I> + ?Sized, I> IndexRule<I> for &X {
    type Elem = X::Elem;
    #[inline(always)]
    fn index_rule(&self, i: I) -> (X::Elem, (At<I>,)) {
        (**self).index_rule(i)
    }
}

/// `[a, b, ..]`: the array and one partial `Inject(k)` per element.
#[inline(always)]
pub fn array<T: Clone, const N: usize>(elements: [&T; N]) -> ([T; N], [Inject<N>; N]) {
    (
        core::array::from_fn(|k| elements[k].clone()),
        core::array::from_fn(Inject),
    )
}
