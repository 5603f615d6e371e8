//! The rule of `x.map(f)`: a scalar function applied to every entry.
//!
//! The generated code passes `f` as a *scalar rule*: a function from `&S`
//! to `(value, (derivative,))`, either a rule of [`crate::rules`] itself
//! (`x.map(f64::exp)` passes `rules::exp`) or one the macro writes from the
//! closure (`x.map(|v| v * v)`). Each entry's value and derivative come
//! from one call, and the partial is the entrywise product by the
//! derivatives ([`Hadamard`]).

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixScalar;
use crate::linear::{Pull, Push};
use crate::rules::Hadamard;
use crate::Real;

/// `x.map(f)` for a container type.
pub trait MapRule<S> {
    /// The mapped container.
    type Output;
    /// The values and the partial, from a scalar rule `f`.
    fn map_rule(&self, f: impl FnMut(&S) -> (S, (S,)))
        -> (Self::Output, (Hadamard<Self::Output>,));
}

/// `x.map(f)`: the values and the entrywise partial.
#[inline]
pub fn map<X: MapRule<S> + ?Sized, S>(
    x: &X,
    f: impl FnMut(&S) -> (S, (S,)),
) -> (X::Output, (Hadamard<X::Output>,)) {
    x.map_rule(f)
}

impl<T: Real, const N: usize> MapRule<T> for [T; N] {
    type Output = [T; N];
    #[inline]
    fn map_rule(&self, mut f: impl FnMut(&T) -> (T, (T,))) -> ([T; N], (Hadamard<[T; N]>,)) {
        let mut values = *self;
        let mut derivatives = *self;
        for (k, x) in self.iter().enumerate() {
            let (y, (dy,)) = f(x);
            values[k] = y;
            derivatives[k] = dy;
        }
        (values, (Hadamard(derivatives),))
    }
}

impl<T, R, C> MapRule<T> for OMatrix<T, R, C>
where
    T: MatrixScalar,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = OMatrix<T, R, C>;
    #[inline]
    fn map_rule(
        &self,
        mut f: impl FnMut(&T) -> (T, (T,)),
    ) -> (OMatrix<T, R, C>, (Hadamard<OMatrix<T, R, C>>,)) {
        let mut values = self.clone();
        let mut derivatives = self.clone();
        for (k, x) in self.iter().enumerate() {
            let (y, (dy,)) = f(x);
            values[k] = y;
            derivatives[k] = dy;
        }
        (values, (Hadamard(derivatives),))
    }
}

impl<X: MapRule<S> + ?Sized, S> MapRule<S> for &X {
    type Output = X::Output;
    #[inline]
    fn map_rule(&self, f: impl FnMut(&S) -> (S, (S,))) -> (X::Output, (Hadamard<X::Output>,)) {
        (**self).map_rule(f)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linear::{pull, push};
    use crate::rules;
    use nalgebra::Vector3;

    #[test]
    fn map_with_a_scalar_rule_gives_values_and_derivatives() {
        let x = [0.5_f64, -1.0, 2.0];
        let (y, (p,)) = map(&x, rules::exp);
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
        let square = |v: &f64| (v * v, (2.0 * v,));
        let (y, (p,)) = map(&x, square);
        assert_eq!(y, x.component_mul(&x));
        assert_eq!(push(&p, &Vector3::new(1.0, 1.0, 1.0)), 2.0 * x);
    }
}
