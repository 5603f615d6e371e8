//! Gradient buffers: accumulating a gradient into memory the caller owns.
//!
//! `f::value_and_grad_into(args.., &mut grad_x, ..)` adds the gradient into
//! the caller's buffers instead of returning fresh ones (Enzyme's shadow
//! arguments). The generated code takes the buffer's contents over as the
//! starting adjoint ([`Buffer::take`], which never allocates: fixed-size
//! values are copied, heap ones moved out and an empty one left behind),
//! accumulates into it (indexed reads add in place) and moves the result
//! back. Summing gradients over many samples this way allocates nothing for
//! fixed-size types, nor for heap types whose function only reads entries by
//! index; whole-vector operations on heap types allocate their own
//! temporaries as they would in the function itself.

/// A value that can serve as a gradient buffer.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a gradient",
    label = "a gradient of this type is needed here",
    note = "gradients are `f32`, `f64`, arrays, `Vec`s, tuples and nalgebra matrices of them, and structs with `#[derive(Differentiable)]`"
)]
pub trait Buffer: Sized {
    /// The contents, leaving something cheap in their place.
    fn take(&mut self) -> Self;
}

macro_rules! copied {
    ($($t:ty),*) => {$(
        impl Buffer for $t {
            #[inline(always)]
            fn take(&mut self) -> Self {
                *self
            }
        }
    )*};
}

copied!(f32, f64);

impl<T: Buffer, const N: usize> Buffer for [T; N] {
    #[inline(always)]
    fn take(&mut self) -> Self {
        self.each_mut().map(Buffer::take)
    }
}

impl<T: nalgebra::Scalar + Copy, const R: usize, const C: usize> Buffer
    for nalgebra::SMatrix<T, R, C>
{
    #[inline(always)]
    fn take(&mut self) -> Self {
        *self
    }
}

#[cfg(feature = "alloc")]
mod heap {
    use super::Buffer;
    use alloc::vec::Vec;
    use nalgebra::{DMatrix, DVector, RowDVector, Scalar};

    impl<T> Buffer for Vec<T> {
        #[inline]
        fn take(&mut self) -> Self {
            core::mem::take(self)
        }
    }

    impl<T: Scalar> Buffer for DVector<T> {
        #[inline]
        fn take(&mut self) -> Self {
            core::mem::replace(self, DVector::from_vec(Vec::new()))
        }
    }

    impl<T: Scalar> Buffer for RowDVector<T> {
        #[inline]
        fn take(&mut self) -> Self {
            core::mem::replace(self, RowDVector::from_vec(Vec::new()))
        }
    }

    impl<T: Scalar> Buffer for DMatrix<T> {
        #[inline]
        fn take(&mut self) -> Self {
            core::mem::replace(self, DMatrix::from_vec(0, 0, Vec::new()))
        }
    }
}

macro_rules! tuple_buffer {
    ($(($($T:ident . $k:tt),+))*) => {$(
        impl<$($T: Buffer),+> Buffer for ($($T,)+) {
            #[inline]
            fn take(&mut self) -> Self {
                ($(self.$k.take(),)+)
            }
        }
    )*};
}

tuple_buffer! {
    (A.0)
    (A.0, B.1)
    (A.0, B.1, C.2)
    (A.0, B.1, C.2, D.3)
}
