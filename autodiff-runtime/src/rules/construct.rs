//! The rule of vector constructors: `Vector3::new(a, b, c)` and
//! `SVector::from([a, b, c])`.
//!
//! The macro turns `Vector3::new(a, b, c)` into the array literal
//! `[a, b, c]` followed by `Vector3::from`, so one rule covers both: a
//! conversion from an array is linear, its partial converts tangents the
//! same way, and its transpose converts cotangents back into arrays.

use core::marker::PhantomData;

use crate::linear::{Pull, Push};

/// The partial of a conversion from an array `A` into a vector `V`.
pub struct FromArray<V, A>(PhantomData<fn(A) -> V>);

impl<V, A> Clone for FromArray<V, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V, A> Copy for FromArray<V, A> {}

impl<V, A> core::fmt::Debug for FromArray<V, A> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FromArray")
    }
}

/// `V::from(array)`: the vector and its partial; `convert` is the
/// conversion the user named (`Vector3::from`), which fixes `V`.
#[inline(always)]
pub fn from_array<A: Clone, V: From<A>>(array: &A, convert: fn(A) -> V) -> (V, (FromArray<V, A>,)) {
    (convert(array.clone()), (FromArray(PhantomData),))
}

impl<V: From<A>, A: Clone> Push<A> for FromArray<V, A> {
    type Out = V;
    #[inline(always)]
    fn push(&self, t: &A) -> V {
        V::from(t.clone())
    }
}

impl<V: Clone + Into<A>, A> Pull<V> for FromArray<V, A> {
    type Out = A;
    #[inline(always)]
    fn pull(&self, c: &V) -> A {
        c.clone().into()
    }
}

/// `V::from_element(.., x)`: a container filled with `x`. `fill` is the
/// user's constructor applied to one scalar; the partial with respect to `x`
/// is the container of ones ([`crate::rules::Outer`]).
#[inline(always)]
pub fn from_element<T: crate::Real, V>(
    x: &T,
    fill: impl Fn(T) -> V,
) -> (V, (crate::rules::Outer<V>,)) {
    (fill(*x), (crate::rules::Outer(fill(T::one())),))
}

/// `V::from_fn(sizes.., |i, j| ..)` with a closure that reads differentiable
/// scalars (`captures`). `build` is the user's constructor, given a function
/// of the entry's indices; `f` returns an entry's value and its partials with
/// respect to the captures. The partial with respect to each capture is the
/// container of that capture's derivatives ([`crate::rules::Outer`]).
///
/// `build` only shapes the containers (filled with zeros): the entries are
/// then written in one column-major pass, nalgebra's order, so that `f`
/// runs once per entry and is inlined into the loop (`build` takes a `dyn`
/// closure, which a call per entry would go through).
#[inline]
pub fn from_fn<V: Grid<S>, S: crate::Real, const K: usize>(
    captures: [&S; K],
    build: impl Fn(&mut dyn FnMut(usize, usize) -> S) -> V,
    f: impl FnMut(usize, usize, [S; K]) -> (S, [S; K]),
) -> (V, [crate::rules::Outer<V>; K]) {
    let (value, partials) = each_entry(
        captures,
        build,
        f,
        |zeros: &V| -> [V; K] { core::array::from_fn(|_| zeros.clone()) },
        |partials, at, d_captures| {
            for (partial, d) in partials.iter_mut().zip(d_captures) {
                partial[at] = d;
            }
        },
    );
    (value, partials.map(crate::rules::Outer))
}

/// `V::from_fn(..)` and its tangent in one pass, for the captures'
/// tangents `d_captures`: each entry's partials used where they are
/// computed, with no container of partials (what `jvp` calls, where
/// `linearize` keeps those of [`from_fn`]).
#[inline]
pub fn from_fn_jvp<V: Grid<S>, S: crate::Real, const K: usize>(
    captures: [&S; K],
    d_captures: [S; K],
    build: impl Fn(&mut dyn FnMut(usize, usize) -> S) -> V,
    f: impl FnMut(usize, usize, [S; K]) -> (S, [S; K]),
) -> (V, V) {
    each_entry(captures, build, f, V::clone, |tangent, at, partials| {
        let mut t = S::zero();
        for (p, d) in partials.into_iter().zip(d_captures) {
            t += p * d;
        }
        tangent[at] = t;
    })
}

/// The one pass [`from_fn`] and [`from_fn_jvp`] make: the container
/// shaped by `build`, what else they write made from it (`start`:
/// partials, a tangent), then `f` once per entry, its entry written into
/// the container and the rest handed to `store`.
#[inline]
fn each_entry<V: Grid<S>, S: crate::Real, A, const K: usize>(
    captures: [&S; K],
    build: impl Fn(&mut dyn FnMut(usize, usize) -> S) -> V,
    mut f: impl FnMut(usize, usize, [S; K]) -> (S, [S; K]),
    start: impl FnOnce(&V) -> A,
    mut store: impl FnMut(&mut A, (usize, usize), [S; K]),
) -> (V, A) {
    let captured = captures.map(|c| *c);
    let mut value = build(&mut |_, _| S::zero());
    let mut rest = start(&value);
    let (rows, columns) = value.grid_shape();
    for j in 0..columns {
        for i in 0..rows {
            let (entry, partials) = f(i, j, captured);
            value[(i, j)] = entry;
            store(&mut rest, (i, j), partials);
        }
    }
    (value, rest)
}

/// What `from_fn` builds: a matrix, whose shape it reads and whose entries it
/// writes by `(row, column)`.
pub trait Grid<S>: Clone + core::ops::IndexMut<(usize, usize), Output = S> {
    /// `(rows, columns)`.
    fn grid_shape(&self) -> (usize, usize);
}

impl<T, R, C> Grid<T> for nalgebra::OMatrix<T, R, C>
where
    T: nalgebra::Scalar,
    R: nalgebra::Dim,
    C: nalgebra::Dim,
    nalgebra::DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    #[inline]
    fn grid_shape(&self) -> (usize, usize) {
        self.shape()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linear::{pull, push};
    use nalgebra::{Matrix2x3, Vector3};

    #[test]
    fn from_fn_runs_its_closure_once_per_entry_in_nalgebras_order() {
        // m[(i, j)] = s·(i + 2j)²: partial (i + 2j)².
        let s = 1.5;
        let mut calls = [(0, 0); 6];
        let mut count = 0;
        let (m, [p]) = from_fn(
            [&s],
            |entry: &mut dyn FnMut(usize, usize) -> f64| Matrix2x3::from_fn(entry),
            |i, j, [s]| {
                calls[count] = (i, j);
                count += 1;
                let k = (i + 2 * j) as f64;
                (s * k * k, [k * k])
            },
        );
        assert_eq!(count, 6);
        assert_eq!(calls, [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]);
        assert_eq!(
            m,
            Matrix2x3::from_fn(|i, j| s * ((i + 2 * j) as f64).powi(2))
        );
        let dm = push(&p, &2.0);
        assert_eq!(
            dm,
            Matrix2x3::from_fn(|i, j| 2.0 * ((i + 2 * j) as f64).powi(2))
        );
        // The transpose: <p t, c> = <t, pᵀ c>.
        let c = Matrix2x3::new(1.0, -1.0, 0.5, 2.0, 0.0, 3.0);
        assert_eq!(pull(&p, &c), dm.component_mul(&c).sum() / 2.0);
    }

    #[test]
    fn from_fn_jvp_is_from_fn_with_its_partials_pushed() {
        // m[(i, j)] = a·i + b²·j: tangent i·ȧ + 2bj·ḃ.
        let (a, b) = (0.5, 2.0);
        let (da, db) = (1.5, -0.25);
        let build = |entry: &mut dyn FnMut(usize, usize) -> f64| Matrix2x3::from_fn(entry);
        let rule = |i: usize, j: usize, [a, b]: [f64; 2]| {
            let (i, j) = (i as f64, j as f64);
            (a * i + b * b * j, [i, 2.0 * b * j])
        };
        let (m, [p_a, p_b]) = from_fn([&a, &b], build, rule);
        let (value, tangent) = from_fn_jvp([&a, &b], [da, db], build, rule);
        assert_eq!(value, m);
        assert_eq!(tangent, push(&p_a, &da) + push(&p_b, &db));
    }

    #[test]
    fn conversion_and_its_transpose() {
        let (v, (p,)) = from_array(&[1.0, 2.0, 3.0], Vector3::from);
        assert_eq!(v, Vector3::new(1.0, 2.0, 3.0));
        assert_eq!(push(&p, &[0.5, 0.0, -1.0]), Vector3::new(0.5, 0.0, -1.0));
        assert_eq!(pull(&p, &Vector3::new(4.0, 5.0, 6.0)), [4.0, 5.0, 6.0]);
    }
}
