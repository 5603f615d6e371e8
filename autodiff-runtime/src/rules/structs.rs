//! Rules of struct fields `p.w`, struct literals `P { w: a, ..base }` and
//! field assignments `p.w = a`, for types with `#[derive(Differentiable)]`.
//!
//! The macro sees field names but not types, so generated code reaches a
//! field through accessor closures written where it is used (`|s| &s.w` and
//! `|s| &mut s.w`); rustc infers their types from the struct's. The
//! closures capture nothing, so the partials holding them are free to copy
//! and to keep on a tape. Fields of tuple structs (`p.0`) go through
//! [`FieldRule`](super::FieldRule), as tuples' do.

use crate::linear::{Pull, PullInto, Push};
use crate::tangent::Tangent;

/// Which fields of a struct are static (`#[differentiable(skip)]`), by
/// name (`"0"` for a tuple struct's first field): derived with
/// `Differentiable`. A static field carries no derivative: its tangent
/// reads as zero, no cotangent is added to it, and in a struct's tangent
/// it holds the primal's value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not differentiable: a derivative flows through its fields",
    label = "a field read or set here carries a derivative",
    note = "derive it with `#[derive(Differentiable)]`, or list the differentiable arguments with `#[differentiate(wrt(..))]` to keep this one static"
)]
pub trait StaticFields {
    /// Whether the field called `field` is static.
    fn is_static(field: &str) -> bool;
}

macro_rules! tuple_fields {
    ($(($($T:ident),+))*) => {$(
        /// A tuple's fields are all differentiable.
        impl<$($T),+> StaticFields for ($($T,)+) {
            #[inline(always)]
            fn is_static(_field: &str) -> bool {
                false
            }
        }
    )*};
}

tuple_fields! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
}

/// The partial of `c.field` with respect to `c`: reads the field's tangent
/// in forward mode, adds into the field of the container's adjoint in place
/// in reverse mode.
#[derive(Clone, Copy, Debug)]
pub struct Member<G, M> {
    name: &'static str,
    get: G,
    get_mut: M,
}

/// `c.field`: the field (cloned) and its partial [`Member`].
#[inline(always)]
pub fn member<C, E, G, M>(c: &C, name: &'static str, get: G, get_mut: M) -> (E, (Member<G, M>,))
where
    E: Clone,
    G: Fn(&C) -> &E,
    M: Fn(&mut C) -> &mut E,
{
    (get(c).clone(), (Member { name, get, get_mut },))
}

impl<C: StaticFields, E: Tangent, G: Fn(&C) -> &E, M> Push<C> for Member<G, M> {
    type Out = E;
    #[inline(always)]
    fn push(&self, t: &C) -> E {
        let field = (self.get)(t);
        match C::is_static(self.name) {
            true => field.zero_like(),
            false => field.clone(),
        }
    }
}

impl<C: StaticFields, E: Tangent, G, M: Fn(&mut C) -> &mut E> PullInto<E, C> for Member<G, M> {
    #[inline(always)]
    fn pull_into(&self, c: &E, mut acc: C) -> C {
        if !C::is_static(self.name) {
            let field = (self.get_mut)(&mut acc);
            *field = field.clone().add(c.clone());
        }
        acc
    }
}

/// A struct literal: the value, and its partials built from the value's
/// zero by `partials` (one [`FieldSlot`] per field, [`Rest`] for `..base`).
#[inline]
pub fn structure<C: Tangent, P>(value: C, partials: impl FnOnce(&C) -> P) -> (C, P) {
    let zero = value.zero_like();
    let partials = partials(&zero);
    (value, partials)
}

/// `c.field = v` as a value: `c` with the field replaced (so that every
/// operation sees owned values), and the partials with respect to `c` (a
/// [`Rest`]) and to `v` (a [`FieldSlot`]).
#[inline]
#[allow(clippy::type_complexity)]
pub fn set_member<C, E, G, M>(
    c: &C,
    v: &E,
    name: &'static str,
    get: G,
    get_mut: M,
) -> (C, (Rest<C, impl Fn(&mut C, &C) + Copy>, FieldSlot<C, G, M>))
where
    C: Tangent,
    E: Clone,
    G: Fn(&C) -> &E + Copy,
    M: Fn(&mut C) -> &mut E + Copy,
{
    let mut value = c.clone();
    *get_mut(&mut value) = v.clone();
    let zero = value.zero_like();
    let rest = move |s: &mut C, zero: &C| *get_mut(s) = get(zero).clone();
    (
        value,
        (
            Rest {
                zero: zero.clone(),
                clear: rest,
            },
            FieldSlot {
                zero,
                name,
                get,
                get_mut,
            },
        ),
    )
}

/// The partial of a struct literal with respect to one field's value: the
/// zero struct with that field set, in forward mode; the field of the
/// cotangent, in reverse mode.
#[derive(Clone, Copy, Debug)]
pub struct FieldSlot<C, G, M> {
    zero: C,
    name: &'static str,
    get: G,
    get_mut: M,
}

/// A [`FieldSlot`] partial for the field `get`/`get_mut` reach, given the
/// literal's zero.
#[inline(always)]
pub fn slot<C: Clone, E, G, M>(
    zero: &C,
    name: &'static str,
    get: G,
    get_mut: M,
) -> FieldSlot<C, G, M>
where
    G: Fn(&C) -> &E,
    M: Fn(&mut C) -> &mut E,
{
    FieldSlot {
        zero: zero.clone(),
        name,
        get,
        get_mut,
    }
}

impl<C, E, G, M> Push<E> for FieldSlot<C, G, M>
where
    C: Clone + StaticFields,
    E: Clone,
    M: Fn(&mut C) -> &mut E,
{
    type Out = C;
    #[inline]
    fn push(&self, t: &E) -> C {
        let mut out = self.zero.clone();
        if !C::is_static(self.name) {
            *(self.get_mut)(&mut out) = t.clone();
        }
        out
    }
}

impl<C: StaticFields, E: Tangent, G: Fn(&C) -> &E, M> Pull<C> for FieldSlot<C, G, M> {
    type Out = E;
    #[inline]
    fn pull(&self, c: &C) -> E {
        let field = (self.get)(c);
        match C::is_static(self.name) {
            true => field.zero_like(),
            false => field.clone(),
        }
    }
}

/// The partial of `P { a: .., ..base }` with respect to `base`: the
/// base's tangent (or the literal's cotangent) with the fields the literal
/// sets replaced by the zero's, in both modes.
#[derive(Clone, Copy, Debug)]
pub struct Rest<C, F> {
    zero: C,
    clear: F,
}

/// A [`Rest`] partial: `clear(s, zero)` replaces the fields the literal
/// sets in `s` by those of `zero` (zeros, and the primal's values for
/// skipped fields).
#[inline(always)]
pub fn rest<C: Clone, F: Fn(&mut C, &C)>(zero: &C, clear: F) -> Rest<C, F> {
    Rest {
        zero: zero.clone(),
        clear,
    }
}

impl<C: Clone, F: Fn(&mut C, &C)> Rest<C, F> {
    #[inline]
    fn apply(&self, t: &C) -> C {
        let mut out = t.clone();
        (self.clear)(&mut out, &self.zero);
        out
    }
}

impl<C: Clone, F: Fn(&mut C, &C)> Push<C> for Rest<C, F> {
    type Out = C;
    #[inline]
    fn push(&self, t: &C) -> C {
        self.apply(t)
    }
}

impl<C: Clone, F: Fn(&mut C, &C)> Pull<C> for Rest<C, F> {
    type Out = C;
    #[inline]
    fn pull(&self, c: &C) -> C {
        self.apply(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_slot_and_rest_are_transposes() {
        // (a, b) stands in for a struct.
        let c = (2.0_f64, [1.0_f64, 3.0]);
        let (v, (p,)) = member(&c, "1", |s| &s.1, |s| &mut s.1);
        assert_eq!(v, [1.0, 3.0]);
        assert_eq!(p.push(&(5.0, [7.0, 8.0])), [7.0, 8.0]);
        assert_eq!(
            p.pull_into(&[1.0, 2.0], (0.5, [1.0, 1.0])),
            (0.5, [2.0, 3.0])
        );

        let (value, (slot_a, slot_b, rest_c)) = structure(c, |z| {
            (
                slot(z, "0", |s| &s.0, |s| &mut s.0),
                slot(z, "1", |s| &s.1, |s| &mut s.1),
                rest(z, |s: &mut (f64, [f64; 2]), z: &(f64, [f64; 2])| s.0 = z.0),
            )
        });
        assert_eq!(value, c);
        assert_eq!(slot_a.push(&4.0), (4.0, [0.0, 0.0]));
        assert_eq!(slot_b.pull(&(4.0, [5.0, 6.0])), [5.0, 6.0]);
        assert_eq!(rest_c.push(&(4.0, [5.0, 6.0])), (0.0, [5.0, 6.0]));

        let (set, (p_c, p_v)) = set_member(&c, &9.0, "0", |s| &s.0, |s| &mut s.0);
        assert_eq!(set, (9.0, [1.0, 3.0]));
        assert_eq!(p_c.pull(&(1.0, [2.0, 3.0])), (0.0, [2.0, 3.0]));
        assert_eq!(p_v.pull(&(1.0, [2.0, 3.0])), 1.0);
    }
}
