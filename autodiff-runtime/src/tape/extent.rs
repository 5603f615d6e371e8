//! The tape of a loop over a container, chosen by the container's type.
//!
//! The macro sees `for v in a.iter()` but not the type of `a`: an argument's
//! type is spelled in the signature, a local's or a field's is not. So the
//! tape of such a loop is picked here, where rustc knows the type: a
//! [`Fixed`] tape on the stack when the type fixes the length (`[T; N]`,
//! `SMatrix<T, R, C>`, references to them), a [`Growable`] one otherwise
//! (slices, `Vec`, dynamic nalgebra matrices).

use nalgebra::{Const, Dim, Dyn, Matrix};

use super::{Fixed, Growable};

/// A container a differentiated loop iterates over.
pub trait Extent {
    /// The tape for records of type `R` of a loop over it.
    type Tape<R: 'static>: Default;
}

/// A new tape for a loop over `container` ([`Extent::Tape`]).
#[inline(always)]
pub fn sized_like<C: Extent + ?Sized, R: 'static>(_container: &C) -> C::Tape<R> {
    Default::default()
}

impl<T, const N: usize> Extent for [T; N] {
    type Tape<R: 'static> = Fixed<R, N>;
}

impl<T> Extent for [T] {
    type Tape<R: 'static> = Growable<R>;
}

#[cfg(feature = "alloc")]
impl<T> Extent for alloc::vec::Vec<T> {
    type Tape<R: 'static> = Growable<R>;
}

impl<C: Extent + ?Sized> Extent for &C {
    type Tape<R: 'static> = C::Tape<R>;
}

/// The shape of an nalgebra matrix, as far as its tape is concerned.
pub trait Shape {
    /// The tape for records of type `R` of a loop over the entries.
    type Tape<R: 'static>: Default;
}

impl<const R: usize, const C: usize> Shape for (Const<R>, Const<C>) {
    type Tape<X: 'static> = Fixed<X, R, C>;
}

impl<const C: usize> Shape for (Dyn, Const<C>) {
    type Tape<X: 'static> = Growable<X>;
}

impl<const R: usize> Shape for (Const<R>, Dyn) {
    type Tape<X: 'static> = Growable<X>;
}

impl Shape for (Dyn, Dyn) {
    type Tape<X: 'static> = Growable<X>;
}

impl<T, R: Dim, C: Dim, S> Extent for Matrix<T, R, C, S>
where
    (R, C): Shape,
{
    type Tape<X: 'static> = <(R, C) as Shape>::Tape<X>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Matrix2x3, Vector3};

    #[test]
    fn fixed_sizes_give_fixed_tapes() {
        let mut on_array: Fixed<f64, 4> = sized_like(&[0.0; 4]);
        on_array.push(1.0);
        assert_eq!(on_array.capacity(), 4);
        let by_ref: Fixed<u8, 3> = sized_like(&&[0u8; 3]);
        assert_eq!(by_ref.capacity(), 3);
        let on_matrix: Fixed<f64, 2, 3> = sized_like(&Matrix2x3::<f64>::zeros());
        assert_eq!(on_matrix.capacity(), 6);
        let on_vector: Fixed<f64, 3> = sized_like(&Vector3::<f64>::zeros());
        assert_eq!(on_vector.capacity(), 3);
    }

    #[test]
    fn other_sizes_give_growable_tapes() {
        let on_slice: Growable<f64> = sized_like(&[1.0, 2.0][..]);
        assert!(on_slice.is_empty());
        #[cfg(feature = "alloc")]
        {
            let on_vec: Growable<f64> = sized_like(&alloc::vec![1.0]);
            assert!(on_vec.is_empty());
            let on_dynamic: Growable<f64> = sized_like(&nalgebra::DVector::<f64>::zeros(3));
            assert!(on_dynamic.is_empty());
        }
    }
}
