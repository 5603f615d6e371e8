//! Rules of nalgebra's matrix functions and decompositions: `trace`,
//! `determinant`, `try_inverse`, `lu().solve`, `cross`, `normalize`,
//! `row_sum`/`column_sum`, entrywise `abs`, and the extreme entries
//! (`max`, `min`, `amax`, `amin`). Each states its value (nalgebra's own
//! operation) and its partials, from Giles 2008 ("Collected matrix
//! derivative results for forward and reverse mode AD") where they are
//! not elementary.
//!
//! | method | partial |
//! | --- | --- |
//! | `a.trace()` | `⟨I, dA⟩` ([`DotWith`]) |
//! | `a.determinant()` | `⟨det(A)·A⁻ᵀ, dA⟩` ([`DotWith`]; `0` where `A` is singular) |
//! | `a.try_inverse()` | `-A⁻¹·dA·A⁻¹` ([`Sandwich`], in [`OnSome`]) |
//! | `a.lu().solve(&b)` | `-A⁻¹·dA·x` and `A⁻¹·db` for `x = A⁻¹b` |
//! | `a.cross(&b)` | `-[b]ₓ·da` and `[a]ₓ·db` ([`LeftMul`] by the cross-product matrices) |
//! | `a.normalize()` | [`Normalized`] |
//! | `a.row_sum()`, `a.column_sum()` | `1ᵀ·dA`, `dA·1` ([`LeftMul`], [`RightMul`]) |
//! | `a.abs()` | `sign(A) ∘ dA` ([`Hadamard`]) |
//! | `a.max()`, `a.min()`, `a.amax()`, `a.amin()` | the chosen entry's tangent (times its sign for `amax`/`amin`), the first one on a tie |
//! | `a.cholesky()` | [`CholeskyMap`] (in [`OnSome`]); the factorization's tangent is `dL` |
//! | `c.l()` | `dL` itself |
//! | `c.solve(&b)` | [`CholeskySolveMap`] for the factorization, `A⁻¹·db` for `b` |

use nalgebra::allocator::Allocator;
use nalgebra::{Const, DefaultAllocator, Dim, DimMin, OMatrix, Vector3, U1};

use super::{DotWith, Hadamard, LeftMul, MatrixField, RightMul};
use crate::linalg_partials::{CholeskyMap, CholeskySolveMap, Normalized, Sandwich};
use crate::linear::Identity;
use crate::rules::option::OnSome;
use crate::tangent::{HasTangent, Tangent};
use crate::Real;
use nalgebra::Cholesky;

unary_method!(
    /// `a.trace()`, the sum of the diagonal.
    TraceRule, trace_rule, trace
);
unary_method!(
    /// `a.determinant()`.
    DeterminantRule, determinant_rule, determinant
);
unary_method!(
    /// `a.try_inverse()`, `None` where `a` is singular.
    TryInverseRule, try_inverse_rule, try_inverse
);
unary_method!(
    /// `a.normalize()`: `a / ‖a‖`.
    NormalizeRule, normalize_rule, normalize
);
unary_method!(
    /// `a.cholesky()`: the factorization `A = L·Lᵀ` of a symmetric positive
    /// definite matrix (its lower triangle is read), `None` otherwise.
    CholeskyRule, cholesky_rule, cholesky
);
unary_method!(
    /// `c.l()`: the lower-triangular factor of a Cholesky factorization.
    LRule, l_rule, l
);
binary_method!(
    /// `c.solve(&b)`: `A⁻¹·b` through the Cholesky factorization of `A`.
    SolveRule, solve_rule, solve
);
unary_method!(
    /// `a.row_sum()`: the row vector of the columns' sums.
    RowSumRule, row_sum_rule, row_sum
);
unary_method!(
    /// `a.column_sum()`: the column vector of the rows' sums.
    ColumnSumRule, column_sum_rule, column_sum
);
unary_method!(
    /// `a.max()`: the largest entry.
    EntryMaxRule, entry_max_rule, entry_max
);
unary_method!(
    /// `a.min()`: the smallest entry.
    EntryMinRule, entry_min_rule, entry_min
);
unary_method!(
    /// `a.amax()`: the largest absolute value of an entry.
    AmaxRule, amax_rule, amax
);
unary_method!(
    /// `a.amin()`: the smallest absolute value of an entry.
    AminRule, amin_rule, amin
);

/// An `R × C` matrix that is `value` at `index` and zero elsewhere.
fn one_hot<T: MatrixField, R: Dim, C: Dim>(
    (r, c): (R, C),
    index: usize,
    value: T,
) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    let mut m = OMatrix::from_element_generic(r, c, <T as Real>::zero());
    m[index] = value;
    m
}

/// The index of the first entry whose `key` is best by `better`.
fn pick<T: MatrixField, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    key: impl Fn(T) -> T,
    better: impl Fn(T, T) -> bool,
) -> usize
where
    DefaultAllocator: Allocator<R, C>,
{
    let mut best = 0;
    for (i, &x) in a.iter().enumerate() {
        if better(key(x), key(a[best])) {
            best = i;
        }
    }
    best
}

macro_rules! extreme_entry {
    ($trait_:ident, $method:ident, $key:expr, $better:expr, $signed:expr) => {
        impl<T, R, C> $trait_ for OMatrix<T, R, C>
        where
            T: MatrixField,
            R: Dim,
            C: Dim,
            DefaultAllocator: Allocator<R, C>,
        {
            type Output = T;
            type Partial = DotWith<Self>;
            #[inline]
            fn $method(&self) -> (T, (DotWith<Self>,)) {
                assert!(!self.is_empty(), "the extreme entry of an empty matrix");
                let i = pick(self, $key, $better);
                let x = self[i];
                let (value, slope) = match $signed && x < <T as Real>::zero() {
                    true => (-x, -<T as Real>::one()),
                    false => ($key(x), <T as Real>::one()),
                };
                (value, (DotWith(one_hot(self.shape_generic(), i, slope)),))
            }
        }
    };
}

extreme_entry!(EntryMaxRule, entry_max_rule, |x| x, |a, b| a > b, false);
extreme_entry!(EntryMinRule, entry_min_rule, |x| x, |a, b| a < b, false);
extreme_entry!(AmaxRule, amax_rule, |x: T| Real::abs(x), |a, b| a > b, true);
extreme_entry!(AminRule, amin_rule, |x: T| Real::abs(x), |a, b| a < b, true);

impl<T, D> TraceRule for OMatrix<T, D, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Output = T;
    type Partial = DotWith<Self>;
    #[inline]
    fn trace_rule(&self) -> (T, (DotWith<Self>,)) {
        let (r, c) = self.shape_generic();
        (self.trace(), (DotWith(OMatrix::identity_generic(r, c)),))
    }
}

impl<T, D> DeterminantRule for OMatrix<T, D, D>
where
    T: MatrixField,
    D: DimMin<D, Output = D>,
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    type Output = T;
    type Partial = DotWith<Self>;
    #[inline]
    fn determinant_rule(&self) -> (T, (DotWith<Self>,)) {
        let det = self.determinant();
        let cofactors = match self.clone().try_inverse() {
            Some(inverse) => inverse.transpose() * det,
            None => self.zero_like(),
        };
        (det, (DotWith(cofactors),))
    }
}

/// What the partial of a rule with an `Option` result needs for pulling
/// back a `None`: the argument's shape and how to build its zero.
fn on_some<P, X: HasTangent>(x: &X, partial: Option<P>) -> OnSome<P, X::Shape, X::Tangent> {
    OnSome {
        partial,
        shape: x.shape(),
        zero: X::zero_of,
    }
}

/// The partial of the inverse (and of a solve) with respect to `A`.
type InversePartial<T, D, C> =
    OnSome<Sandwich<OMatrix<T, D, D>, OMatrix<T, D, C>>, (D, D), OMatrix<T, D, D>>;

impl<T, D> TryInverseRule for OMatrix<T, D, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Output = Option<Self>;
    type Partial = InversePartial<T, D, D>;
    #[inline]
    fn try_inverse_rule(&self) -> (Option<Self>, (Self::Partial,)) {
        let inverse = self.clone().try_inverse();
        let partial = inverse.as_ref().map(|i| Sandwich(-i, i.clone()));
        (inverse, (on_some(self, partial),))
    }
}

/// `a.lu().solve(&b)`: the solution `x` of `A x = b` by nalgebra's LU
/// decomposition, `None` where `A` is singular; partials `-A⁻¹·dA·x` for
/// `A` and `A⁻¹·db` for `b` (the inverse is formed for them).
#[allow(clippy::type_complexity)]
#[inline]
pub fn lu_solve<T, D, C>(
    a: &OMatrix<T, D, D>,
    b: &OMatrix<T, D, C>,
) -> (
    Option<OMatrix<T, D, C>>,
    (
        InversePartial<T, D, C>,
        OnSome<LeftMul<OMatrix<T, D, D>>, (D, C), OMatrix<T, D, C>>,
    ),
)
where
    T: MatrixField,
    D: DimMin<D, Output = D>,
    C: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D, C> + Allocator<D>,
{
    let x = a.clone().lu().solve(b);
    let inverse = a.clone().try_inverse();
    let (for_a, for_b) = match (&x, inverse) {
        (Some(x), Some(i)) => (Some(Sandwich(-&i, x.clone())), Some(LeftMul(i))),
        _ => (None, None),
    };
    (x, (on_some(a, for_a), on_some(b, for_b)))
}

/// A Cholesky factorization's tangent is its factor's, `dL`.
impl<T, D> HasTangent for Cholesky<T, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Tangent = OMatrix<T, D, D>;
    type Shape = (D, D);
    fn zero_tangent(&self) -> OMatrix<T, D, D> {
        self.l_dirty().zero_like()
    }
    fn shape(&self) -> (D, D) {
        self.l_dirty().shape_generic()
    }
    fn zero_of(&(r, c): &(D, D)) -> OMatrix<T, D, D> {
        OMatrix::from_element_generic(r, c, <T as Real>::zero())
    }
}

impl<T, D> CholeskyRule for OMatrix<T, D, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Output = Option<Cholesky<T, D>>;
    type Partial = OnSome<CholeskyMap<Self>, (D, D), Self>;
    fn cholesky_rule(&self) -> (Self::Output, (Self::Partial,)) {
        let c = self.clone().cholesky();
        let partial = c.as_ref().and_then(|c| {
            let l = c.l();
            let l_inverse = l.clone().try_inverse()?;
            Some(CholeskyMap { l, l_inverse })
        });
        (c, (on_some(self, partial),))
    }
}

impl<T, D> LRule for Cholesky<T, D>
where
    T: MatrixField,
    D: Dim,
    DefaultAllocator: Allocator<D, D>,
{
    type Output = OMatrix<T, D, D>;
    type Partial = Identity;
    fn l_rule(&self) -> (OMatrix<T, D, D>, (Identity,)) {
        (self.l(), (Identity,))
    }
}

impl<T, D, C> SolveRule<OMatrix<T, D, C>> for Cholesky<T, D>
where
    T: MatrixField,
    D: Dim,
    C: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D, C>,
{
    type Output = OMatrix<T, D, C>;
    type Partials = (
        CholeskySolveMap<OMatrix<T, D, D>, OMatrix<T, D, C>>,
        LeftMul<OMatrix<T, D, D>>,
    );
    fn solve_rule(&self, b: &OMatrix<T, D, C>) -> (OMatrix<T, D, C>, Self::Partials) {
        let x = self.solve(b);
        let a_inverse = self.inverse();
        let l = self.l();
        let for_l = CholeskySolveMap {
            l,
            a_inverse: a_inverse.clone(),
            x: x.clone(),
        };
        (x, (for_l, LeftMul(a_inverse)))
    }
}

impl<'a, T, D, C> SolveRule<&'a OMatrix<T, D, C>> for Cholesky<T, D>
where
    T: MatrixField,
    D: Dim,
    C: Dim,
    DefaultAllocator: Allocator<D, D> + Allocator<D, C>,
{
    type Output = OMatrix<T, D, C>;
    type Partials = <Self as SolveRule<OMatrix<T, D, C>>>::Partials;
    fn solve_rule(&self, b: &&'a OMatrix<T, D, C>) -> (OMatrix<T, D, C>, Self::Partials) {
        <Self as SolveRule<OMatrix<T, D, C>>>::solve_rule(self, *b)
    }
}

/// `[v]ₓ`, the matrix of `w ↦ v × w`.
fn cross_matrix<T: MatrixField>(v: &Vector3<T>) -> OMatrix<T, Const<3>, Const<3>> {
    v.cross_matrix()
}

binary_method!(
    /// `a.cross(&b)` of 3-vectors; partials `da ↦ da × b = -[b]ₓ da` and
    /// `db ↦ a × db = [a]ₓ db`.
    CrossRule, cross_rule, cross
);

impl<T: MatrixField> CrossRule for Vector3<T> {
    type Output = Self;
    type Partials = (
        LeftMul<OMatrix<T, Const<3>, Const<3>>>,
        LeftMul<OMatrix<T, Const<3>, Const<3>>>,
    );
    #[inline]
    fn cross_rule(&self, b: &Self) -> (Self, Self::Partials) {
        (
            self.cross(b),
            (LeftMul(-cross_matrix(b)), LeftMul(cross_matrix(self))),
        )
    }
}

impl<T, R, C> NormalizeRule for OMatrix<T, R, C>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partial = Normalized<Self, T>;
    #[inline]
    fn normalize_rule(&self) -> (Self, (Normalized<Self, T>,)) {
        let unit = self.normalize();
        let inverse_norm = <T as Real>::one() / self.norm();
        (unit.clone(), (Normalized { unit, inverse_norm },))
    }
}

impl<T, R, C> RowSumRule for OMatrix<T, R, C>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C> + Allocator<U1, R>,
{
    type Output = OMatrix<T, U1, C>;
    type Partial = LeftMul<OMatrix<T, U1, R>>;
    #[inline]
    fn row_sum_rule(&self) -> (Self::Output, (Self::Partial,)) {
        let (r, _) = self.shape_generic();
        let ones = OMatrix::from_element_generic(U1, r, <T as Real>::one());
        (self.row_sum(), (LeftMul(ones),))
    }
}

impl<T, R, C> ColumnSumRule for OMatrix<T, R, C>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C> + Allocator<R> + Allocator<C>,
{
    type Output = OMatrix<T, R, U1>;
    type Partial = RightMul<OMatrix<T, C, U1>>;
    #[inline]
    fn column_sum_rule(&self) -> (Self::Output, (Self::Partial,)) {
        let (_, c) = self.shape_generic();
        let ones = OMatrix::from_element_generic(c, U1, <T as Real>::one());
        (self.column_sum(), (RightMul(ones),))
    }
}

/// The entrywise `|a|` of a matrix; partial `sign(A) ∘ dA` (`+1` at `0`, as
/// for a scalar's `abs`).
impl<T, R, C> crate::rules::AbsRule for OMatrix<T, R, C>
where
    T: MatrixField,
    R: Dim,
    C: Dim,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;
    type Partial = Hadamard<Self>;
    #[inline]
    fn abs_rule(&self) -> (Self, (Hadamard<Self>,)) {
        let signs = self.map(|x| match x < <T as Real>::zero() {
            true => -<T as Real>::one(),
            false => <T as Real>::one(),
        });
        (self.map(Real::abs), (Hadamard(signs),))
    }
}

#[cfg(test)]
mod tests;
