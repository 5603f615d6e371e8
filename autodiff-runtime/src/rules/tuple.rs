//! Rules of tuple literals `(a, b)` and fields `t.0` (also used for
//! destructuring `let (a, b) = t;`).
//!
//! A tuple's partial with respect to field `K` is [`Slot`], which keeps the
//! zero tuple to fill in the other fields in forward mode; a field's partial
//! is [`Field`], which in reverse mode adds into the tuple's adjoint in place.

use crate::linear::{Pull, PullInto, Push};
use crate::tangent::Tangent;

/// The partial of a tuple literal with respect to its field `K`.
#[derive(Clone, Debug)]
pub struct Slot<const K: usize, Z> {
    /// The zero tuple of the literal's shape.
    pub zero: Z,
}

/// The partial of `t.K` with respect to `t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<const K: usize>;

/// `t.K` for a tuple, or a tuple struct with `#[derive(Differentiable)]`.
pub trait FieldRule<const K: usize> {
    /// The field's type.
    type Elem: Clone;
    /// Whether the field is static (`#[differentiable(skip)]`; see
    /// [`StaticFields`](super::StaticFields)).
    const STATIC: bool = false;
    /// The field.
    fn field_ref(&self) -> &Self::Elem;
    /// The field, to write.
    fn field_mut(&mut self) -> &mut Self::Elem;
}

impl<const K: usize, T: FieldRule<K>> Push<T> for Field<K>
where
    T::Elem: Tangent,
{
    type Out = T::Elem;
    #[inline(always)]
    fn push(&self, t: &T) -> T::Elem {
        match T::STATIC {
            true => t.field_ref().zero_like(),
            false => t.field_ref().clone(),
        }
    }
}

impl<const K: usize, T: FieldRule<K>> PullInto<T::Elem, T> for Field<K>
where
    T::Elem: Tangent,
{
    #[inline(always)]
    fn pull_into(&self, c: &T::Elem, mut acc: T) -> T {
        if !T::STATIC {
            let field = acc.field_mut();
            *field = field.clone().add(c.clone());
        }
        acc
    }
}

/// `t.K`: the field and the partial [`Field`].
#[inline(always)]
pub fn field<const K: usize, T: FieldRule<K>>(t: &T) -> (T::Elem, (Field<K>,)) {
    (t.field_ref().clone(), (Field,))
}

macro_rules! tuple_field {
    ($k:tt, $T:ident, [$($G:ident),+]) => {
        impl<$($G: Tangent),+> Push<$T> for Slot<$k, ($($G,)+)> {
            type Out = ($($G,)+);
            #[inline]
            fn push(&self, t: &$T) -> Self::Out {
                let mut out = self.zero.clone();
                out.$k = t.clone();
                out
            }
        }

        impl<$($G: Tangent),+> Pull<($($G,)+)> for Slot<$k, ($($G,)+)> {
            type Out = $T;
            #[inline]
            fn pull(&self, c: &($($G,)+)) -> $T {
                c.$k.clone()
            }
        }

        impl<$($G: Clone),+> FieldRule<$k> for ($($G,)+) {
            type Elem = $T;
            #[inline(always)]
            fn field_ref(&self) -> &$T {
                &self.$k
            }
            #[inline(always)]
            fn field_mut(&mut self) -> &mut $T {
                &mut self.$k
            }
        }
    };
}

macro_rules! tuple_rules {
    ($name:ident, $gens:tt, $tuple:ty, [$($T:ident . $k:tt),+]) => {
        /// A tuple literal: the tuple and one [`Slot`] partial per field.
        #[inline]
        #[allow(clippy::type_complexity)]
        pub fn $name<$($T: Tangent),+>(fields: ($(&$T,)+)) -> ($tuple, ($(Slot<$k, $tuple>,)+)) {
            let value = ($(fields.$k.clone(),)+);
            let zero = ($(fields.$k.zero_like(),)+);
            (value, ($(Slot::<$k, _> { zero: zero.clone() },)+))
        }

        $(tuple_field!($k, $T, $gens);)+
    };
}

tuple_rules!(tuple1, [A], (A,), [A.0]);
tuple_rules!(tuple2, [A, B], (A, B), [A.0, B.1]);
tuple_rules!(tuple3, [A, B, C], (A, B, C), [A.0, B.1, C.2]);
tuple_rules!(tuple4, [A, B, C, D], (A, B, C, D), [A.0, B.1, C.2, D.3]);
