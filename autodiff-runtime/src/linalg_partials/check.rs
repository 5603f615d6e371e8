//! Helpers shared by the tests of the nalgebra partials and rules: fixed
//! pseudo-random matrices, the dot-product test and finite differences.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use crate::linalg_tangent::MatrixScalar;
use crate::linear::{Pull, Push};
use crate::tangent::Tangent;
use crate::Real;

/// Central-difference step.
pub(crate) const H: f64 = 1e-6;
/// Finite differences agree with `push` to `FD_TOL · (1 + max |push|)`.
pub(crate) const FD_TOL: f64 = 1e-7;
/// `⟨push v, w⟩ = ⟨v, pull w⟩` to `ADJOINT_TOL · Σ|terms|` in `f64`.
pub(crate) const ADJOINT_TOL: f64 = 1e-12;

/// Fixed pseudo-random data (xorshift64*), uniform in `[-1, 1)`.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// A matrix of any shape with entries in `[-1, 1)`.
    pub(crate) fn matrix<T: MatrixScalar, R: Dim, C: Dim>(&mut self, r: R, c: C) -> OMatrix<T, R, C>
    where
        DefaultAllocator: Allocator<R, C>,
    {
        OMatrix::from_fn_generic(r, c, |_, _| <T as Real>::from_f64(self.uniform()))
    }

    /// A statically sized matrix with entries in `[-1, 1)`.
    pub(crate) fn smatrix<T: MatrixScalar, const R: usize, const C: usize>(
        &mut self,
    ) -> nalgebra::SMatrix<T, R, C> {
        self.matrix(nalgebra::Const::<R>, nalgebra::Const::<C>)
    }
}

fn abs<T: Real>(x: T) -> T {
    if x < T::zero() {
        -x
    } else {
        x
    }
}

/// `⟨a, b⟩` over the flat components, and the sum of the absolute terms.
pub(crate) fn inner<X: Tangent>(a: &X, b: &X) -> (X::Scalar, X::Scalar) {
    assert_eq!(a.dim(), b.dim(), "inner product of different shapes");
    let (mut sum, mut scale) = (X::Scalar::zero(), X::Scalar::zero());
    for i in 0..a.dim() {
        let term = a.component(i) * b.component(i);
        sum += term;
        scale += abs(term);
    }
    (sum, scale)
}

/// The dot-product test of a partial `p`: `⟨p·v, w⟩ = ⟨v, pᵀ·w⟩` to
/// `tol` relative to the sum of the absolute terms.
pub(crate) fn assert_adjoint<P, V, W>(p: &P, v: &V, w: &W, tol: f64)
where
    P: Push<V, Out = W> + Pull<W, Out = V>,
    V: Tangent,
    W: Tangent<Scalar = V::Scalar>,
{
    let (lhs, lscale) = inner(&p.push(v), w);
    let (rhs, rscale) = inner(v, &p.pull(w));
    let scale = if lscale > rscale { lscale } else { rscale };
    let tol = V::Scalar::from_f64(tol);
    assert!(
        abs(lhs - rhs) <= tol * scale,
        "dot-product test: <push v, w> = {lhs:?}, <v, pull w> = {rhs:?}"
    );
}

/// `x + h·dx`.
pub(crate) fn perturbed<X: Tangent>(x: &X, dx: &X, h: X::Scalar) -> X {
    let mut y = x.clone();
    for i in 0..x.dim() {
        y.set_component(i, x.component(i) + h * dx.component(i));
    }
    y
}

/// Central differences of `f` at `x` along `dx` agree with `pushed`.
pub(crate) fn assert_fd<X, Y>(f: impl Fn(&X) -> Y, x: &X, dx: &X, pushed: &Y)
where
    X: Tangent<Scalar = f64>,
    Y: Tangent<Scalar = f64>,
{
    let plus = f(&perturbed(x, dx, H));
    let minus = f(&perturbed(x, dx, -H));
    assert_eq!(plus.dim(), pushed.dim(), "push has the wrong shape");
    let mut err = 0.0_f64;
    let mut size = 0.0_f64;
    for i in 0..pushed.dim() {
        let fd = (plus.component(i) - minus.component(i)) / (2.0 * H);
        err = err.max((fd - pushed.component(i)).abs());
        size = size.max(pushed.component(i).abs());
    }
    assert!(
        err <= FD_TOL * (1.0 + size),
        "finite differences differ from push by {err:e} (push size {size:e})"
    );
}
