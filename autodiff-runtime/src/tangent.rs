//! Tangent spaces: the values derivatives take, and how to flatten them.
//!
//! A tangent (forward mode) or cotangent (reverse mode) of a value has the
//! value's own type: the derivative of an `[f64; 3]` is an `[f64; 3]`, of an
//! `SMatrix` an `SMatrix` of the same shape. [`Tangent`] gives the vector
//! space operations the generated code needs and a flat view of the scalar
//! components, which the Jacobian assembly uses: arrays flatten in index
//! order (row-major when nested), nalgebra matrices in their storage order
//! (column-major). [`HasTangent`] maps an argument type to its tangent type,
//! which is owned: a `&[f64]` argument has `Vec<f64>` tangents.

use crate::Real;

/// A vector space of derivatives, with a flat view of its scalar components.
///
/// Implemented for `f32`, `f64`, arrays, `Vec`s, tuples and nalgebra
/// matrices of them, and by `#[derive(Differentiable)]` for structs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no tangent space: derivatives cannot flow through it",
    label = "not differentiable",
    note = "differentiable are `f32`, `f64`, arrays, `Vec`s, tuples and nalgebra matrices of them, and structs with `#[derive(Differentiable)]`; mark a static struct field `#[differentiable(skip)]`, and keep a static argument out of `#[differentiate(wrt(..))]`"
)]
pub trait Tangent: Clone {
    /// The scalar type of the components.
    type Scalar: Real;
    /// The zero tangent of the same shape.
    fn zero_like(&self) -> Self;
    /// Sum of two tangents of the same shape.
    fn add(self, other: Self) -> Self;
    /// The tangent times a scalar (a gradient step is `p.add(g.scale(-lr))`).
    fn scale(self, factor: Self::Scalar) -> Self;
    /// Number of scalar components.
    fn dim(&self) -> usize;
    /// Component `i` in flattening order.
    fn component(&self, i: usize) -> Self::Scalar;
    /// Sets component `i` in flattening order.
    fn set_component(&mut self, i: usize, value: Self::Scalar);
}

/// A type whose values can be differentiated, with the type of their tangents.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not differentiable",
    label = "a differentiable argument must have a tangent space",
    note = "derive it with `#[derive(Differentiable)]`, or list the differentiable arguments with `#[differentiate(wrt(..))]` to keep this one static"
)]
pub trait HasTangent {
    /// The (owned) tangent type.
    type Tangent: Tangent;
    /// What building a zero tangent needs to know of the value, without
    /// borrowing it: nothing for scalars, the length of a slice, the
    /// dimensions of a matrix. A pullback keeps it to build a zero only if
    /// its caller does not hand it an adjoint to add into.
    type Shape: Clone;
    /// The zero tangent at `self`.
    fn zero_tangent(&self) -> Self::Tangent;
    /// See [`HasTangent::Shape`].
    fn shape(&self) -> Self::Shape;
    /// The zero tangent of a value of this shape.
    fn zero_of(shape: &Self::Shape) -> Self::Tangent;
    /// A zero tangent that need not be built: for heap-backed values an
    /// empty one, which [`Tangent::add`] treats as zero (adding to it gives
    /// the other term), so that a gradient that starts from it and is only
    /// added to allocates nothing more. Not for tangents written into by
    /// index: generated code passes it only where the first contribution
    /// to the gradient is an addition of a whole tangent.
    #[inline(always)]
    fn lazy_zero_tangent(&self) -> Self::Tangent {
        self.zero_tangent()
    }
}

macro_rules! scalar_tangent {
    ($($t:ty),*) => {$(
        impl Tangent for $t {
            type Scalar = $t;
            #[inline(always)]
            fn zero_like(&self) -> Self {
                0.0
            }
            #[inline(always)]
            fn add(self, other: Self) -> Self {
                self + other
            }
            #[inline(always)]
            fn scale(self, factor: $t) -> Self {
                self * factor
            }
            #[inline(always)]
            fn dim(&self) -> usize {
                1
            }
            #[inline(always)]
            fn component(&self, _i: usize) -> $t {
                *self
            }
            #[inline(always)]
            fn set_component(&mut self, _i: usize, value: $t) {
                *self = value;
            }
        }

        impl HasTangent for $t {
            type Tangent = $t;
            type Shape = ();
            #[inline(always)]
            fn zero_tangent(&self) -> $t {
                0.0
            }
            /// `-0.0`: adding to it gives the other term exactly (also
            /// `+0.0`), and the compiler drops the addition, which it
            /// cannot for `+0.0`.
            #[inline(always)]
            fn lazy_zero_tangent(&self) -> $t {
                -0.0
            }
            #[inline(always)]
            fn shape(&self) {}
            #[inline(always)]
            fn zero_of(_shape: &()) -> $t {
                0.0
            }
        }
    )*};
}

scalar_tangent!(f32, f64);

/// Finds the element holding flat component `i` of a sequence of tangents.
fn locate<T: Tangent>(items: &[T], mut i: usize) -> (usize, usize) {
    for (k, item) in items.iter().enumerate() {
        let d = item.dim();
        if i < d {
            return (k, i);
        }
        i -= d;
    }
    panic!("component index out of range")
}

impl<T: Tangent, const N: usize> Tangent for [T; N] {
    type Scalar = T::Scalar;
    #[inline]
    fn zero_like(&self) -> Self {
        core::array::from_fn(|k| self[k].zero_like())
    }
    #[inline]
    fn add(mut self, other: Self) -> Self {
        for (a, b) in self.iter_mut().zip(other) {
            *a = a.clone().add(b);
        }
        self
    }
    #[inline]
    fn scale(self, factor: T::Scalar) -> Self {
        self.map(|a| a.scale(factor))
    }
    #[inline]
    fn dim(&self) -> usize {
        self.iter().map(Tangent::dim).sum()
    }
    #[inline]
    fn component(&self, i: usize) -> T::Scalar {
        let (k, j) = locate(self, i);
        self[k].component(j)
    }
    #[inline]
    fn set_component(&mut self, i: usize, value: T::Scalar) {
        let (k, j) = locate(self, i);
        self[k].set_component(j, value);
    }
}

impl<T: Tangent, const N: usize> HasTangent for [T; N] {
    type Tangent = [T; N];
    /// The zero itself: an array of fixed-size tangents costs nothing to keep.
    type Shape = [T; N];
    #[inline]
    fn zero_tangent(&self) -> Self {
        self.zero_like()
    }
    #[inline]
    fn shape(&self) -> Self {
        self.zero_like()
    }
    #[inline]
    fn zero_of(shape: &Self) -> Self {
        shape.clone()
    }
}

#[cfg(feature = "alloc")]
mod heap {
    use super::{locate, HasTangent, Tangent};
    use alloc::vec::Vec;

    impl<T: Tangent> Tangent for Vec<T> {
        type Scalar = T::Scalar;
        fn zero_like(&self) -> Self {
            self.iter().map(Tangent::zero_like).collect()
        }
        fn add(mut self, other: Self) -> Self {
            // An empty tangent is a lazy zero (`HasTangent::lazy_zero_tangent`).
            if self.is_empty() {
                return other;
            }
            assert_eq!(self.len(), other.len(), "tangents of different lengths");
            for (a, b) in self.iter_mut().zip(other) {
                *a = a.clone().add(b);
            }
            self
        }
        fn scale(self, factor: T::Scalar) -> Self {
            self.into_iter().map(|a| a.scale(factor)).collect()
        }
        fn dim(&self) -> usize {
            self.iter().map(Tangent::dim).sum()
        }
        fn component(&self, i: usize) -> T::Scalar {
            let (k, j) = locate(self, i);
            self[k].component(j)
        }
        fn set_component(&mut self, i: usize, value: T::Scalar) {
            let (k, j) = locate(self, i);
            self[k].set_component(j, value);
        }
    }

    /// The length and the zero of the first element: the elements of a
    /// `Vec` argument are of one shape.
    impl<T: Tangent> HasTangent for Vec<T> {
        type Tangent = Vec<T>;
        type Shape = (usize, Option<T>);
        fn zero_tangent(&self) -> Self {
            self.zero_like()
        }
        fn shape(&self) -> (usize, Option<T>) {
            self.as_slice().shape()
        }
        fn zero_of(shape: &(usize, Option<T>)) -> Vec<T> {
            <[T]>::zero_of(shape)
        }
        fn lazy_zero_tangent(&self) -> Self {
            Vec::new()
        }
    }

    /// A borrowed slice has owned `Vec` tangents.
    impl<T: Tangent> HasTangent for [T] {
        type Tangent = Vec<T>;
        type Shape = (usize, Option<T>);
        fn zero_tangent(&self) -> Vec<T> {
            self.iter().map(Tangent::zero_like).collect()
        }
        fn shape(&self) -> (usize, Option<T>) {
            (self.len(), self.first().map(Tangent::zero_like))
        }
        fn zero_of((len, first): &(usize, Option<T>)) -> Vec<T> {
            first.iter().cycle().take(*len).cloned().collect()
        }
        fn lazy_zero_tangent(&self) -> Vec<T> {
            Vec::new()
        }
    }
}

impl<X: HasTangent + ?Sized> HasTangent for &X {
    type Tangent = X::Tangent;
    type Shape = X::Shape;
    #[inline(always)]
    fn zero_tangent(&self) -> X::Tangent {
        (**self).zero_tangent()
    }
    #[inline(always)]
    fn shape(&self) -> X::Shape {
        (**self).shape()
    }
    #[inline(always)]
    fn zero_of(shape: &X::Shape) -> X::Tangent {
        X::zero_of(shape)
    }
    #[inline(always)]
    fn lazy_zero_tangent(&self) -> X::Tangent {
        (**self).lazy_zero_tangent()
    }
}

impl<X: HasTangent + ?Sized> HasTangent for &mut X {
    type Tangent = X::Tangent;
    type Shape = X::Shape;
    #[inline(always)]
    fn zero_tangent(&self) -> X::Tangent {
        (**self).zero_tangent()
    }
    #[inline(always)]
    fn shape(&self) -> X::Shape {
        (**self).shape()
    }
    #[inline(always)]
    fn zero_of(shape: &X::Shape) -> X::Tangent {
        X::zero_of(shape)
    }
}

/// Tuples are tangent spaces componentwise; they flatten in field order.
macro_rules! tuple_tangent {
    ($(($($T:ident . $k:tt),+))*) => {$(
        impl<S: Real, $($T: Tangent<Scalar = S>),+> Tangent for ($($T,)+) {
            type Scalar = S;
            #[inline]
            fn zero_like(&self) -> Self {
                ($(self.$k.zero_like(),)+)
            }
            #[inline]
            fn add(self, other: Self) -> Self {
                ($(self.$k.add(other.$k),)+)
            }
            #[inline]
            fn scale(self, factor: S) -> Self {
                ($(self.$k.scale(factor),)+)
            }
            #[inline]
            fn dim(&self) -> usize {
                0 $(+ self.$k.dim())+
            }
            #[inline]
            #[allow(unused_assignments)]
            fn component(&self, mut i: usize) -> S {
                $(
                    let d = self.$k.dim();
                    if i < d {
                        return self.$k.component(i);
                    }
                    i -= d;
                )+
                panic!("component index out of range")
            }
            #[inline]
            #[allow(unused_assignments)]
            fn set_component(&mut self, mut i: usize, value: S) {
                $(
                    let d = self.$k.dim();
                    if i < d {
                        return self.$k.set_component(i, value);
                    }
                    i -= d;
                )+
                panic!("component index out of range")
            }
        }

        impl<S: Real, $($T: Tangent<Scalar = S>),+> HasTangent for ($($T,)+) {
            type Tangent = Self;
            /// The zero itself.
            type Shape = Self;
            #[inline]
            fn zero_tangent(&self) -> Self {
                self.zero_like()
            }
            #[inline]
            fn shape(&self) -> Self {
                self.zero_like()
            }
            #[inline]
            fn zero_of(shape: &Self) -> Self {
                shape.clone()
            }
        }
    )*};
}

// Up to twelve: the gradients of the most differentiable arguments a
// function may have (`hessian` assembles its blocks from them).
tuples_up_to_twelve!(tuple_tangent);
