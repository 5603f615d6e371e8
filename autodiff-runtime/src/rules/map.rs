//! The rule of `x.map(f)`: a scalar function applied to every entry.
//!
//! The generated code passes `f` as a *scalar rule*: a function of an entry
//! and of the differentiable scalars the closure captures, returning the
//! value and its partials `(∂/∂entry, [∂/∂capture; K])`. For a float
//! function by path (`x.map(f64::exp)`) it wraps that function's rule; for a
//! closure the macro writes it from the closure's body (one reverse sweep).
//! Each entry's value and partials come from one call. The partial with
//! respect to the mapped value is the entrywise product by the entry
//! derivatives ([`Hadamard`]); with respect to a captured scalar it is the
//! container of that capture's derivatives ([`Outer`]).

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixScalar;
use crate::linear::{Pull, Push};
use crate::rules::{Hadamard, Outer};
use crate::Real;

/// The partials of `x.map(f)` with `K` captured differentiable scalars.
pub type MapPartials<X, const K: usize> = (Hadamard<X>, [Outer<X>; K]);

/// `x.map(f)` for a container type.
pub trait MapRule<S> {
    /// The mapped container.
    type Output;
    /// The values and the partials, from a scalar rule `f`.
    fn map_rule<const K: usize>(
        &self,
        captures: [&S; K],
        f: impl FnMut(&S, [S; K]) -> (S, (S, [S; K])),
    ) -> (Self::Output, MapPartials<Self::Output, K>);

    /// The values and their tangent for the entries' tangent `dx` (`None`:
    /// zero) and the captures' tangents `d_captures`, each entry's partials
    /// used where they are computed: forward mode in one pass, with no
    /// container of partials.
    fn map_jvp<const K: usize>(
        &self,
        dx: Option<&Self>,
        captures: [&S; K],
        d_captures: [S; K],
        f: impl FnMut(&S, [S; K]) -> (S, (S, [S; K])),
    ) -> (Self::Output, Self::Output);
}

/// `x.map(f)`: the values, the entrywise partial and one partial per
/// captured differentiable scalar.
#[inline]
pub fn map<X: MapRule<S> + ?Sized, S, const K: usize>(
    x: &X,
    captures: [&S; K],
    f: impl FnMut(&S, [S; K]) -> (S, (S, [S; K])),
) -> (X::Output, MapPartials<X::Output, K>) {
    x.map_rule(captures, f)
}

/// `x.map(f)` and its tangent in one pass (see [`MapRule::map_jvp`]): what
/// `jvp` calls, where `linearize` keeps the partials of [`map`].
#[inline]
pub fn map_jvp<X: MapRule<S> + ?Sized, S, const K: usize>(
    x: &X,
    dx: Option<&X>,
    captures: [&S; K],
    d_captures: [S; K],
    f: impl FnMut(&S, [S; K]) -> (S, (S, [S; K])),
) -> (X::Output, X::Output) {
    x.map_jvp(dx, captures, d_captures, f)
}

/// Runs `f` on every entry, writing the values into a copy of the
/// container (`iter` yields the entries in its index order) and handing
/// `store` each entry's index and derivatives, to write into `rest`.
macro_rules! each_entry {
    ($self:ident, $captures:ident, $f:ident, $rest:expr, $store:expr) => {{
        let captured = $captures.map(|c| *c);
        let mut values = $self.clone();
        let mut rest = $rest;
        for (k, entry) in $self.iter().enumerate() {
            let (y, derivatives) = $f(entry, captured);
            values[k] = y;
            $store(&mut rest, k, derivatives);
        }
        (values, rest)
    }};
}

/// The two methods of [`MapRule`] for a container of `T` indexed by
/// position, whose `iter` gives its entries in that order.
macro_rules! map_by_entries {
    ($out:ty) => {
        type Output = $out;
        #[inline]
        fn map_rule<const K: usize>(
            &self,
            captures: [&T; K],
            mut f: impl FnMut(&T, [T; K]) -> (T, (T, [T; K])),
        ) -> ($out, MapPartials<$out, K>) {
            // The entries' derivatives, and each capture's.
            let (values, (derivatives, by_capture)) = each_entry!(
                self,
                captures,
                f,
                (
                    self.clone(),
                    core::array::from_fn::<_, K, _>(|_| self.clone())
                ),
                |(derivatives, by_capture): &mut ($out, [$out; K]),
                 k: usize,
                 (dy, d_captures): (T, [T; K])| {
                    derivatives[k] = dy;
                    for (j, d) in d_captures.into_iter().enumerate() {
                        by_capture[j][k] = d;
                    }
                }
            );
            (values, (Hadamard(derivatives), by_capture.map(Outer)))
        }
        #[inline]
        fn map_jvp<const K: usize>(
            &self,
            dx: Option<&Self>,
            captures: [&T; K],
            d_captures: [T; K],
            mut f: impl FnMut(&T, [T; K]) -> (T, (T, [T; K])),
        ) -> ($out, $out) {
            // An entry's tangent: its derivative times the entry's tangent,
            // plus each capture's partial times that capture's tangent.
            each_entry!(self, captures, f, self.clone(), |tangents: &mut $out,
                                                          k: usize,
                                                          (dy, d_by_capture): (
                T,
                [T; K]
            )| {
                let mut t = match dx {
                    Some(dx) => dy * dx[k],
                    None => <T as Real>::zero(),
                };
                for (d, dc) in d_by_capture.into_iter().zip(d_captures) {
                    t += d * dc;
                }
                tangents[k] = t;
            })
        }
    };
}

impl<T: Real, const N: usize> MapRule<T> for [T; N] {
    map_by_entries!([T; N]);
}

impl<T, R, C> MapRule<T> for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    map_by_entries!(OMatrix<T, R, C>);
}

impl<X: MapRule<S> + ?Sized, S> MapRule<S> for &X {
    type Output = X::Output;
    #[inline]
    fn map_rule<const K: usize>(
        &self,
        captures: [&S; K],
        f: impl FnMut(&S, [S; K]) -> (S, (S, [S; K])),
    ) -> (X::Output, MapPartials<X::Output, K>) {
        (**self).map_rule(captures, f)
    }
    #[inline]
    fn map_jvp<const K: usize>(
        &self,
        dx: Option<&Self>,
        captures: [&S; K],
        d_captures: [S; K],
        f: impl FnMut(&S, [S; K]) -> (S, (S, [S; K])),
    ) -> (X::Output, X::Output) {
        (**self).map_jvp(dx.map(|d| &**d), captures, d_captures, f)
    }
}

impl<T: Real, const N: usize> Push<[T; N]> for Hadamard<[T; N]> {
    type Out = [T; N];
    #[inline]
    fn push(&self, t: &[T; N]) -> [T; N] {
        core::array::from_fn(|k| self.0[k] * t[k])
    }
}

impl<T: Real, const N: usize> Pull<[T; N]> for Hadamard<[T; N]> {
    type Out = [T; N];
    #[inline]
    fn pull(&self, c: &[T; N]) -> [T; N] {
        core::array::from_fn(|k| self.0[k] * c[k])
    }
}

impl<T: Real, const N: usize> Push<T> for Outer<[T; N]> {
    type Out = [T; N];
    #[inline]
    fn push(&self, t: &T) -> [T; N] {
        core::array::from_fn(|k| self.0[k] * *t)
    }
}

impl<T: Real, const N: usize> Pull<[T; N]> for Outer<[T; N]> {
    type Out = T;
    #[inline]
    fn pull(&self, c: &[T; N]) -> T {
        self.0
            .iter()
            .zip(c)
            .fold(T::zero(), |acc, (a, b)| acc + *a * *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linear::{pull, push};
    use crate::rules;
    use nalgebra::Vector3;

    #[test]
    fn map_with_a_scalar_rule_gives_values_and_derivatives() {
        let x = [0.5_f64, -1.0, 2.0];
        let exp = |v: &f64, _: [f64; 0]| {
            let (y, (d,)) = rules::exp(v);
            (y, (d, []))
        };
        let (y, (p, [])) = map(&x, [], exp);
        assert_eq!(y, x.map(f64::exp));
        let t = [1.0, 2.0, -3.0];
        let pushed = push(&p, &t);
        for k in 0..3 {
            assert_eq!(pushed[k], x[k].exp() * t[k]);
        }
        // The entrywise product is its own transpose: <p t, c> = <t, p c>.
        let c = [0.3, 0.7, -1.1];
        let lhs: f64 = pushed.iter().zip(&c).map(|(a, b)| a * b).sum();
        let rhs: f64 = t.iter().zip(pull(&p, &c)).map(|(a, b)| a * b).sum();
        assert!((lhs - rhs).abs() < 1e-12);
    }

    #[test]
    fn map_on_a_matrix() {
        let x = Vector3::new(0.1_f64, 0.2, 0.3);
        // v ↦ s·v², capturing s.
        let s = 3.0;
        let scaled_square = |v: &f64, [s]: [f64; 1]| (s * v * v, (2.0 * s * v, [v * v]));
        let (y, (p, [p_s])) = map(&x, [&s], scaled_square);
        assert_eq!(y, x.map(|v| s * v * v));
        assert_eq!(push(&p, &Vector3::new(1.0, 1.0, 1.0)), 6.0 * x);
        assert_eq!(push(&p_s, &2.0), 2.0 * x.component_mul(&x));
        assert_eq!(
            pull(&p_s, &Vector3::new(1.0, 0.0, 1.0)),
            x[0] * x[0] + x[2] * x[2]
        );
    }

    #[test]
    fn map_jvp_is_map_with_its_partials_pushed() {
        // v ↦ s·v², capturing s: the tangent 2sv·ẋ + v²·ṡ per entry.
        let scaled_square = |v: &f64, [s]: [f64; 1]| (s * v * v, (2.0 * s * v, [v * v]));
        let (x, s) = ([0.5_f64, -1.0, 2.0], 1.5);
        let (dx, ds) = ([1.0, 0.25, -2.0], 0.5);
        let (y, (p, [p_s])) = map(&x, [&s], scaled_square);
        let pushed: [f64; 3] = core::array::from_fn(|k| push(&p, &dx)[k] + push(&p_s, &ds)[k]);
        assert_eq!(
            map_jvp(&x, Some(&dx), [&s], [ds], scaled_square),
            (y, pushed)
        );
        // No tangent for the entries: only the capture's term.
        assert_eq!(
            map_jvp(&x, None, [&s], [ds], scaled_square),
            (y, push(&p_s, &ds))
        );
        // On a matrix, and through a reference.
        let m = Vector3::from(x);
        let (ym, tm) = map_jvp(&&m, Some(&&Vector3::from(dx)), [&s], [ds], scaled_square);
        assert_eq!((ym, tm), (Vector3::from(y), Vector3::from(pushed)));
    }
}
