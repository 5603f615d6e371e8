//! Functions of structured values (nested arrays, slices, `Vec`, tuples,
//! nalgebra's static and dynamic matrices, in `f64` and `f32`) against
//! independent oracles.
//!
//! Every case runs, at several deterministic pseudo-random points, these
//! checks (see `Case::run`):
//!
//! - The values returned by `value_and_grad`, `jvp` and `vjp` equal the kept
//!   function's exactly.
//! - The Jacobian from num-dual (the same body written for dual numbers, one
//!   evaluation per input component) against `jacfwd`, `jacrev`, `grad`
//!   (scalar outputs) and each `jvp` (`J v`); `jacfwd` against `jacrev`.
//! - The same derivatives against central finite differences (f64 only).
//! - The dot-product test `<jvp(v), w> = <v, pullback(w)>` with several
//!   pseudo-random `v` and `w` and one pullback called for all of them.
//!
//! Shapes follow the documented flattening: arrays in index order (row-major
//! when nested), nalgebra matrices column-major, tuples field by field. The
//! harness flattens values its own way (`Structure`), so a Jacobian laid out
//! differently fails the comparison. Several arguments are one tuple of
//! arguments to the harness, and a tuple of Jacobians is compared as the
//! matrices side by side.
//!
//! Further tests check closed forms: a least-squares loss `‖A x - b‖²` with
//! gradient `2Aᵀ(A x - b)` (static and dynamic `A`), the end-effector of a
//! 2-link arm, a quadratic form `xᵀ M x` with gradient `(M + Mᵀ) x`.
//!
//! Tolerances, relative: `|got - want| <= tol * max(|want|, scale)`.
//!
//! - Against num-dual and between modes: `1e-12` in f64, `1e-5` in f32
//!   (about 80 ulps), as in `tests/composite.rs`. `scale` is the largest
//!   entry of the oracle Jacobian for an entry of a Jacobian or gradient,
//!   `Σ_j |J_ij v_j|` for component `i` of `J v`, and `Σ_ij |w_i J_ij v_j|`
//!   for the dot-product test: the sizes of the terms being summed, whose
//!   rounding errors the result inherits.
//! - Against central differences with step `h = 1e-5 · max(1, |x_k|)`:
//!   `1e-6` with `scale = max(1, largest |J_ij|, largest |f_i|)`. The
//!   truncation error is `h²/6 · f'''`, about `2e-11` here, and the rounding
//!   error `ε |f| / h`, about `2e-11 |f|`; a wrong derivative is off by O(1).
//! - Closed forms: `1e-12` with `scale` the largest entry.
//!
//! Measured (`cargo test --test structured -- --nocapture` prints the worst
//! error of each case as a fraction of its tolerance): at most `5e-3` of the
//! tolerance in f64 (errors of a few ulps), `2e-2` in f32, and `3e-4`
//! against finite differences.
//!
//! Single precision has no finite differences (a step small enough for the
//! truncation error leaves too few bits); `single_precision_agrees_with_double`
//! compares the f32 gradients with the f64 ones instead.
//!
//! `reference_operands` at the end is compiled out: operators whose operand
//! is a reference-typed argument do not compile yet (see there).

use autodiff::nalgebra::{
    DMatrix, DVector, Matrix2, Matrix2x3, Matrix3, Matrix3x2, RowDVector, RowVector3, SMatrix,
    SVector, Vector2, Vector3,
};
use autodiff::prelude::*;
use common::{close, Rng, TOL32, TOL64};
mod common;

use num_dual::{Dual, Dual32, Dual64, DualNum};
use std::fmt::Debug;

// ---------------------------------------------------------------------------
// Harness: flattening, dual lifting, oracles
// ---------------------------------------------------------------------------

const FD_TOL: f64 = 1e-6;
const FD_STEP: f64 = 1e-5;

/// Test inputs shaped like the function's arguments.
trait Sample {
    /// A value shaped like `like` with components uniform in `[lo, hi)`.
    fn sample<X: Structure>(&mut self, like: &X, range: (f64, f64)) -> X;
}

impl Sample for Rng {
    /// A value shaped like `like` with components uniform in `[lo, hi)`.
    fn sample<X: Structure>(&mut self, like: &X, (lo, hi): (f64, f64)) -> X {
        like.rebuild(&mut std::iter::from_fn(|| Some(self.uniform(lo, hi))))
    }
}

type Components<'a> = &'a mut dyn Iterator<Item = f64>;

fn next(components: Components) -> f64 {
    components.next().expect("enough components")
}

/// A differentiable value as the harness sees it: its scalar components in
/// the documented flattening order, and the same shape over dual numbers.
/// Implemented here independently of the runtime's `Tangent`.
trait Structure: Clone + Debug {
    /// The same shape with dual-number components.
    type Dual;
    /// The components, in flattening order.
    fn flat(&self) -> Vec<f64>;
    /// A value of the same shape taking its components from `components`.
    fn rebuild(&self, components: Components) -> Self;
    /// `self` as dual numbers whose derivative parts come from `tangent`.
    fn lift(&self, tangent: Components) -> Self::Dual;
    /// The real and derivative parts of a dual value of this shape.
    fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>);
}

/// The scalar types: conversion from the harness's `f64`.
trait Float: Copy + Into<f64> + DualNum + Debug + 'static {
    fn of(x: f64) -> Self;
}

impl Float for f64 {
    fn of(x: f64) -> Self {
        x
    }
}

impl Float for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
}

fn dual_parts<'a, S: Float>(
    duals: impl Iterator<Item = &'a Dual<S>> + Clone,
) -> (Vec<f64>, Vec<f64>) {
    (
        duals.clone().map(|d| d.re.into()).collect(),
        duals.map(|d| d.eps.into()).collect(),
    )
}

macro_rules! scalar_structures {
    ($($s:ty),*) => {$(
        impl Structure for $s {
            type Dual = Dual<$s>;
            fn flat(&self) -> Vec<f64> {
                vec![(*self).into()]
            }
            fn rebuild(&self, components: Components) -> Self {
                <$s>::of(next(components))
            }
            fn lift(&self, tangent: Components) -> Self::Dual {
                Dual::new(*self, <$s>::of(next(tangent)))
            }
            fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
                dual_parts(std::iter::once(dual))
            }
        }

        /// Column-major, as nalgebra stores it.
        impl<const R: usize, const C: usize> Structure for SMatrix<$s, R, C> {
            type Dual = SMatrix<Dual<$s>, R, C>;
            fn flat(&self) -> Vec<f64> {
                self.iter().map(|&x| x.into()).collect()
            }
            fn rebuild(&self, components: Components) -> Self {
                Self::from_iterator(self.iter().map(|_| <$s>::of(next(components))))
            }
            fn lift(&self, tangent: Components) -> Self::Dual {
                Self::Dual::from_iterator(self.iter().map(|&x| Dual::new(x, <$s>::of(next(tangent)))))
            }
            fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
                dual_parts(dual.iter())
            }
        }

        impl Structure for DMatrix<$s> {
            type Dual = DMatrix<Dual<$s>>;
            fn flat(&self) -> Vec<f64> {
                self.iter().map(|&x| x.into()).collect()
            }
            fn rebuild(&self, components: Components) -> Self {
                Self::from_iterator(
                    self.nrows(),
                    self.ncols(),
                    self.iter().map(|_| <$s>::of(next(components))),
                )
            }
            fn lift(&self, tangent: Components) -> Self::Dual {
                Self::Dual::from_iterator(
                    self.nrows(),
                    self.ncols(),
                    self.iter().map(|&x| Dual::new(x, <$s>::of(next(tangent)))),
                )
            }
            fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
                dual_parts(dual.iter())
            }
        }

        impl Structure for DVector<$s> {
            type Dual = DVector<Dual<$s>>;
            fn flat(&self) -> Vec<f64> {
                self.iter().map(|&x| x.into()).collect()
            }
            fn rebuild(&self, components: Components) -> Self {
                Self::from_iterator(self.len(), self.iter().map(|_| <$s>::of(next(components))))
            }
            fn lift(&self, tangent: Components) -> Self::Dual {
                Self::Dual::from_iterator(
                    self.len(),
                    self.iter().map(|&x| Dual::new(x, <$s>::of(next(tangent)))),
                )
            }
            fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
                dual_parts(dual.iter())
            }
        }

        impl Structure for RowDVector<$s> {
            type Dual = RowDVector<Dual<$s>>;
            fn flat(&self) -> Vec<f64> {
                self.iter().map(|&x| x.into()).collect()
            }
            fn rebuild(&self, components: Components) -> Self {
                Self::from_iterator(self.len(), self.iter().map(|_| <$s>::of(next(components))))
            }
            fn lift(&self, tangent: Components) -> Self::Dual {
                Self::Dual::from_iterator(
                    self.len(),
                    self.iter().map(|&x| Dual::new(x, <$s>::of(next(tangent)))),
                )
            }
            fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
                dual_parts(dual.iter())
            }
        }
    )*};
}

scalar_structures!(f64, f32);

/// Index order; nested arrays are therefore row-major.
impl<T: Structure, const N: usize> Structure for [T; N] {
    type Dual = [T::Dual; N];
    fn flat(&self) -> Vec<f64> {
        self.iter().flat_map(T::flat).collect()
    }
    fn rebuild(&self, components: Components) -> Self {
        std::array::from_fn(|k| self[k].rebuild(components))
    }
    fn lift(&self, tangent: Components) -> Self::Dual {
        std::array::from_fn(|k| self[k].lift(tangent))
    }
    fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
        let (mut re, mut eps) = (Vec::new(), Vec::new());
        for d in dual {
            let (r, e) = T::parts(d);
            re.extend(r);
            eps.extend(e);
        }
        (re, eps)
    }
}

impl<T: Structure> Structure for Vec<T> {
    type Dual = Vec<T::Dual>;
    fn flat(&self) -> Vec<f64> {
        self.iter().flat_map(T::flat).collect()
    }
    fn rebuild(&self, components: Components) -> Self {
        self.iter().map(|x| x.rebuild(components)).collect()
    }
    fn lift(&self, tangent: Components) -> Self::Dual {
        self.iter().map(|x| x.lift(tangent)).collect()
    }
    fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
        let (mut re, mut eps) = (Vec::new(), Vec::new());
        for d in dual {
            let (r, e) = T::parts(d);
            re.extend(r);
            eps.extend(e);
        }
        (re, eps)
    }
}

/// Field by field.
macro_rules! tuple_structures {
    ($(($($T:ident . $k:tt),+))*) => {$(
        impl<$($T: Structure),+> Structure for ($($T,)+) {
            type Dual = ($($T::Dual,)+);
            fn flat(&self) -> Vec<f64> {
                let mut flat = Vec::new();
                $(flat.extend(self.$k.flat());)+
                flat
            }
            fn rebuild(&self, components: Components) -> Self {
                ($(self.$k.rebuild(components),)+)
            }
            fn lift(&self, tangent: Components) -> Self::Dual {
                ($(self.$k.lift(tangent),)+)
            }
            fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
                let (mut re, mut eps) = (Vec::new(), Vec::new());
                $(
                    let (r, e) = $T::parts(&dual.$k);
                    re.extend(r);
                    eps.extend(e);
                )+
                (re, eps)
            }
        }
    )*};
}

tuple_structures! {
    (A.0, B.1)
    (A.0, B.1, C.2)
}

/// A Jacobian as returned by `jacfwd`/`jacrev`, as a `DMatrix<f64>`; a
/// tuple of Jacobians (one per argument) becomes the matrices side by side.
trait ToDMatrix {
    fn to_dmatrix(&self) -> DMatrix<f64>;
}

macro_rules! matrix_to_dmatrix {
    ($($s:ty),*) => {$(
        impl<const R: usize, const C: usize> ToDMatrix for SMatrix<$s, R, C> {
            fn to_dmatrix(&self) -> DMatrix<f64> {
                DMatrix::from_fn(R, C, |i, j| self[(i, j)].into())
            }
        }
        impl ToDMatrix for DMatrix<$s> {
            fn to_dmatrix(&self) -> DMatrix<f64> {
                DMatrix::from_fn(self.nrows(), self.ncols(), |i, j| self[(i, j)].into())
            }
        }
        /// A column (for comparing gradients).
        impl ToDMatrix for DVector<$s> {
            fn to_dmatrix(&self) -> DMatrix<f64> {
                DMatrix::from_fn(self.len(), 1, |i, _| self[i].into())
            }
        }
    )*};
}

matrix_to_dmatrix!(f64, f32);

fn side_by_side(blocks: &[DMatrix<f64>]) -> DMatrix<f64> {
    let rows = blocks[0].nrows();
    assert!(
        blocks.iter().all(|b| b.nrows() == rows),
        "one row per output"
    );
    let columns: Vec<_> = blocks
        .iter()
        .flat_map(|b| b.column_iter().map(|c| c.into_owned()))
        .collect();
    DMatrix::from_columns(&columns)
}

impl<A: ToDMatrix, B: ToDMatrix> ToDMatrix for (A, B) {
    fn to_dmatrix(&self) -> DMatrix<f64> {
        side_by_side(&[self.0.to_dmatrix(), self.1.to_dmatrix()])
    }
}

impl<A: ToDMatrix, B: ToDMatrix, C: ToDMatrix> ToDMatrix for (A, B, C) {
    fn to_dmatrix(&self) -> DMatrix<f64> {
        side_by_side(&[
            self.0.to_dmatrix(),
            self.1.to_dmatrix(),
            self.2.to_dmatrix(),
        ])
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "shapes differ");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn largest(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().fold(0.0, |m, x| m.max(x.abs()))
}

type Map<'a, X, Y> = &'a dyn Fn(&X) -> Y;
type DualMap<'a, X, Y> = &'a dyn Fn(&<X as Structure>::Dual) -> <Y as Structure>::Dual;
type Jvp<'a, X, Y> = &'a dyn Fn(&X, &X) -> (Y, Y);
type Vjp<'a, X, Y> = &'a dyn Fn(&X, &[Y]) -> (Y, Vec<X>);
type ValueAndGrad<'a, X, Y> = &'a dyn Fn(&X) -> (Y, X);

/// `grad` and `value_and_grad`, which exist for scalar outputs.
struct Grad<'a, X, Y> {
    grad: Map<'a, X, X>,
    value_and_grad: ValueAndGrad<'a, X, Y>,
}

/// A differentiated function seen as a map from `X` (its differentiable
/// arguments, a tuple if there are several; other arguments are captured by
/// the closures) to `Y`.
struct Case<'a, X: Structure, Y: Structure> {
    name: &'a str,
    /// Shape of the input (its values are not used).
    shape: X,
    /// Where every input component is sampled.
    range: (f64, f64),
    /// Single precision: `TOL32`, and no finite differences.
    single: bool,
    /// The kept function.
    f: Map<'a, X, Y>,
    /// The same body on dual numbers (num-dual).
    dual: DualMap<'a, X, Y>,
    /// `(x, v) -> (value, tangent)`.
    jvp: Jvp<'a, X, Y>,
    /// `(x, cotangents)`: one `vjp`, its pullback applied to each.
    vjp: Vjp<'a, X, Y>,
    jacfwd: Map<'a, X, DMatrix<f64>>,
    jacrev: Map<'a, X, DMatrix<f64>>,
    grad: Option<Grad<'a, X, Y>>,
}

/// Collects failures and the worst error seen (as a fraction of the
/// tolerance), so that one run reports every mismatch.
#[derive(Default)]
struct Checks {
    fails: Vec<String>,
    /// Against num-dual and between modes.
    worst: f64,
    /// Against finite differences.
    worst_fd: f64,
}

impl Checks {
    /// One number against another; `fd` says which worst error it counts in.
    fn number(
        &mut self,
        what: &dyn Fn() -> String,
        got: f64,
        want: f64,
        tol: f64,
        scale: f64,
        fd: bool,
    ) {
        let bound = tol * want.abs().max(scale);
        if got != want && bound > 0.0 {
            let worst = if fd {
                &mut self.worst_fd
            } else {
                &mut self.worst
            };
            *worst = worst.max((got - want).abs() / bound);
        }
        if !close(got, want, tol, scale) {
            self.fails
                .push(format!("{}: expected {want:e}, got {got:e}", what()));
        }
    }

    /// Two matrices of the same shape, entry by entry.
    fn matrix(
        &mut self,
        what: &str,
        got: &DMatrix<f64>,
        want: &DMatrix<f64>,
        tol: f64,
        scale: f64,
        fd: bool,
    ) {
        if got.shape() != want.shape() {
            self.fails.push(format!(
                "{what} is {:?}, expected {:?}",
                got.shape(),
                want.shape()
            ));
            return;
        }
        for i in 0..want.nrows() {
            for j in 0..want.ncols() {
                self.number(
                    &|| format!("{what} ({i}, {j})"),
                    got[(i, j)],
                    want[(i, j)],
                    tol,
                    scale,
                    fd,
                );
            }
        }
    }

    /// Values that must be identical.
    fn exact(&mut self, what: &str, got: &[f64], want: &[f64]) {
        if got != want {
            self.fails
                .push(format!("{what}: {got:?}, expected exactly {want:?}"));
        }
    }
}

impl<X: Structure, Y: Structure> Case<'_, X, Y> {
    /// The Jacobian from num-dual: one dual evaluation per input component.
    /// Also checks that the dual twin computes the function's value.
    fn dual_jacobian(&self, x: &X, value: &[f64], tol: f64, checks: &mut Checks) -> DMatrix<f64> {
        let n = x.flat().len();
        let scale = largest(value.iter().copied());
        let columns: Vec<DVector<f64>> = (0..n)
            .map(|k| {
                let mut unit = (0..n).map(|i| if i == k { 1.0 } else { 0.0 });
                let (re, eps) = Y::parts(&(self.dual)(&x.lift(&mut unit)));
                assert_eq!(
                    re.len(),
                    value.len(),
                    "{}: the dual twin's shape",
                    self.name
                );
                for (i, (r, v)) in re.iter().zip(value).enumerate() {
                    let what = || format!("{}: value {i} of the dual twin", self.name);
                    checks.number(&what, *r, *v, tol, scale, false);
                }
                DVector::from_vec(eps)
            })
            .collect();
        DMatrix::from_columns(&columns)
    }

    /// The Jacobian from central differences.
    fn fd_jacobian(&self, x: &X) -> DMatrix<f64> {
        let flat = x.flat();
        let columns: Vec<DVector<f64>> = (0..flat.len())
            .map(|k| {
                let h = FD_STEP * flat[k].abs().max(1.0);
                let shifted = |s: f64| {
                    let mut p = flat.clone();
                    p[k] += s;
                    (self.f)(&x.rebuild(&mut p.into_iter())).flat()
                };
                let (up, down) = (shifted(h), shifted(-h));
                DVector::from_iterator(
                    up.len(),
                    up.iter().zip(&down).map(|(u, d)| (u - d) / (2.0 * h)),
                )
            })
            .collect();
        DMatrix::from_columns(&columns)
    }

    /// Runs every check at `trials` pseudo-random points.
    fn run(&self, trials: usize, seed: u64) {
        let tol = if self.single { TOL32 } else { TOL64 };
        let mut rng = Rng(seed);
        let mut checks = Checks::default();
        for trial in 0..trials {
            let x = rng.sample(&self.shape, self.range);
            let at = format!("{} trial {trial} at {:?}", self.name, x.flat());
            let value = (self.f)(&x).flat();
            assert!(
                value.iter().all(|v| v.is_finite()),
                "{at}: sampled outside the domain"
            );
            let (n, m) = (x.flat().len(), value.len());
            let oracle = self.dual_jacobian(&x, &value, tol, &mut checks);
            assert_eq!(oracle.shape(), (m, n));
            let scale = largest(oracle.iter().copied());

            // Jacobians: both modes against num-dual, and each other.
            let forward = (self.jacfwd)(&x);
            let reverse = (self.jacrev)(&x);
            checks.matrix(
                &format!("{at}: jacfwd vs num-dual"),
                &forward,
                &oracle,
                tol,
                scale,
                false,
            );
            checks.matrix(
                &format!("{at}: jacrev vs num-dual"),
                &reverse,
                &oracle,
                tol,
                scale,
                false,
            );
            checks.matrix(
                &format!("{at}: jacfwd vs jacrev"),
                &forward,
                &reverse,
                tol,
                scale,
                false,
            );

            // Central differences (f64 only).
            let fd = (!self.single).then(|| self.fd_jacobian(&x));
            let fd_scale = scale.max(largest(value.iter().copied())).max(1.0);
            if let Some(fd) = &fd {
                checks.matrix(
                    &format!("{at}: jacfwd vs finite differences"),
                    &forward,
                    fd,
                    FD_TOL,
                    fd_scale,
                    true,
                );
                checks.matrix(
                    &format!("{at}: jacrev vs finite differences"),
                    &reverse,
                    fd,
                    FD_TOL,
                    fd_scale,
                    true,
                );
            }

            // grad and value_and_grad for scalar outputs.
            if let Some(g) = &self.grad {
                let grad = (g.grad)(&x);
                let (vg_value, vg_grad) = (g.value_and_grad)(&x);
                checks.exact(
                    &format!("{at}: value_and_grad's value"),
                    &vg_value.flat(),
                    &value,
                );
                checks.exact(
                    &format!("{at}: value_and_grad's gradient vs grad"),
                    &vg_grad.flat(),
                    &grad.flat(),
                );
                let grad = DMatrix::from_row_slice(1, n, &grad.flat());
                checks.matrix(
                    &format!("{at}: grad vs num-dual"),
                    &grad,
                    &oracle,
                    tol,
                    scale,
                    false,
                );
                if let Some(fd) = &fd {
                    checks.matrix(
                        &format!("{at}: grad vs finite differences"),
                        &grad,
                        fd,
                        FD_TOL,
                        fd_scale,
                        true,
                    );
                }
            }

            // jvp against J v, and the dot-product test, with one pullback
            // applied to every w.
            let output = (self.f)(&x);
            let vs: Vec<X> = (0..3).map(|_| rng.sample(&x, (-1.0, 1.0))).collect();
            let ws: Vec<Y> = (0..3).map(|_| rng.sample(&output, (-1.0, 1.0))).collect();
            let (vjp_value, pulled) = (self.vjp)(&x, &ws);
            checks.exact(&format!("{at}: vjp's value"), &vjp_value.flat(), &value);
            for (v, (w, pulled)) in vs.iter().zip(ws.iter().zip(&pulled)) {
                let (jvp_value, tangent) = (self.jvp)(&x, v);
                checks.exact(&format!("{at}: jvp's value"), &jvp_value.flat(), &value);
                let (v, w) = (v.flat(), w.flat());
                let (tangent, pulled) = (tangent.flat(), pulled.flat());
                let jv = &oracle * DVector::from_column_slice(&v);
                for i in 0..m {
                    let row_scale: f64 = (0..n).map(|j| (oracle[(i, j)] * v[j]).abs()).sum();
                    let what = || format!("{at}: jvp along {v:?}, component {i} vs num-dual");
                    checks.number(&what, tangent[i], jv[i], tol, row_scale, false);
                }
                let scale: f64 = (0..m)
                    .flat_map(|i| (0..n).map(move |j| (i, j)))
                    .map(|(i, j)| (w[i] * oracle[(i, j)] * v[j]).abs())
                    .sum();
                let what = || {
                    format!(
                        "{at}: dot-product test, v = {v:?}, w = {w:?}: <v, vjp(w)> vs <jvp(v), w>"
                    )
                };
                checks.number(
                    &what,
                    dot(&v, &pulled),
                    dot(&tangent, &w),
                    tol,
                    scale,
                    false,
                );
            }
        }
        eprintln!(
            "{}: worst error {:.2e} of the tolerance against num-dual and between modes, {:.2e} against finite differences",
            self.name, checks.worst, checks.worst_fd
        );
        assert!(
            checks.fails.is_empty(),
            "{} failure(s):\n{}",
            checks.fails.len(),
            checks.fails.join("\n")
        );
    }
}

/// `SMatrix`/`DMatrix`/tuple Jacobians as one `DMatrix<f64>`.
fn jac<J: ToDMatrix>(j: J) -> DMatrix<f64> {
    j.to_dmatrix()
}

// ---------------------------------------------------------------------------
// Nested arrays
// ---------------------------------------------------------------------------

macro_rules! nested {
    ($name:ident, $dual_name:ident, $t:ident, $d:ty) => {
        /// Rows destructured, double indexing, `let mut` with `+=`.
        #[differentiate]
        fn $name(m: [[$t; 3]; 2]) -> $t {
            let [r0, r1] = m;
            let mut s = r0[0] * r1[2] + r0[1].sin() * r1[0];
            s += (r0[2] / r1[1]).exp();
            s - m[1][1] * m[0][0].powi(3)
        }

        fn $dual_name(m: &[[$d; 3]; 2]) -> $d {
            let [r0, r1] = *m;
            let mut s = r0[0] * r1[2] + r0[1].sin() * r1[0];
            s += (r0[2] / r1[1]).exp();
            s - m[1][1] * m[0][0].powi(3)
        }
    };
}
nested!(nested, nested_dual, f64, Dual64);
nested!(nested32, nested32_dual, f32, Dual32);

/// The square of a 2×2 matrix held as a nested array: a nested pattern and
/// a nested array literal.
#[differentiate]
fn square(m: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let [[a, b], [c, d]] = m;
    [
        [a * a + b * c, a * b + b * d],
        [c * a + d * c, c * b + d * d],
    ]
}

fn square_dual(m: &[[Dual64; 2]; 2]) -> [[Dual64; 2]; 2] {
    let [[a, b], [c, d]] = *m;
    [
        [a * a + b * c, a * b + b * d],
        [c * a + d * c, c * b + d * d],
    ]
}

#[test]
fn nested_array_to_scalar() {
    Case {
        name: "nested",
        shape: [[0.0; 3]; 2],
        range: (0.5, 1.5),
        single: false,
        f: &|m| nested(*m),
        dual: &nested_dual,
        jvp: &|m, v| nested::jvp((*m,), (*v,)),
        vjp: &|m, ws| {
            let (y, pullback) = nested::vjp(*m);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|m| jac::<SMatrix<f64, 1, 6>>(nested::jacfwd(*m)),
        jacrev: &|m| jac::<SMatrix<f64, 1, 6>>(nested::jacrev(*m)),
        grad: Some(Grad {
            grad: &|m| nested::grad(*m),
            value_and_grad: &|m| nested::value_and_grad(*m),
        }),
    }
    .run(6, 1);
}

#[test]
fn nested_array_to_scalar_f32() {
    Case {
        name: "nested32",
        shape: [[0.0f32; 3]; 2],
        range: (0.5, 1.5),
        single: true,
        f: &|m| nested32(*m),
        dual: &nested32_dual,
        jvp: &|m, v| nested32::jvp((*m,), (*v,)),
        vjp: &|m, ws| {
            let (y, pullback) = nested32::vjp(*m);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|m| jac::<SMatrix<f32, 1, 6>>(nested32::jacfwd(*m)),
        jacrev: &|m| jac::<SMatrix<f32, 1, 6>>(nested32::jacrev(*m)),
        grad: Some(Grad {
            grad: &|m| nested32::grad(*m),
            value_and_grad: &|m| nested32::value_and_grad(*m),
        }),
    }
    .run(6, 2);
}

#[test]
fn nested_array_to_nested_array() {
    Case {
        name: "square",
        shape: [[0.0; 2]; 2],
        range: (-1.5, 1.5),
        single: false,
        f: &|m| square(*m),
        dual: &square_dual,
        jvp: &|m, v| square::jvp((*m,), (*v,)),
        vjp: &|m, ws| {
            let (y, pullback) = square::vjp(*m);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|m| jac::<SMatrix<f64, 4, 4>>(square::jacfwd(*m)),
        jacrev: &|m| jac::<SMatrix<f64, 4, 4>>(square::jacrev(*m)),
        grad: None,
    }
    .run(6, 3);
}

/// Row-major flattening, against the closed form d(M²) = dM M + M dM.
#[test]
fn nested_array_jacobian_is_row_major() {
    let m = [[1.0, 2.0], [3.0, 4.0]];
    let j = square::jacfwd(m);
    let mm = Matrix2::new(1.0, 2.0, 3.0, 4.0);
    for col in 0..4 {
        // The input component `col` is m[col / 2][col % 2].
        let mut dm = Matrix2::zeros();
        dm[(col / 2, col % 2)] = 1.0;
        let d = dm * mm + mm * dm;
        for row in 0..4 {
            assert_eq!(j[(row, col)], d[(row / 2, row % 2)], "({row}, {col})");
        }
    }
    assert_eq!(square::jacrev(m), j);
}

// ---------------------------------------------------------------------------
// Slices and `Vec`
// ---------------------------------------------------------------------------

/// A borrowed slice, indexed by constants.
#[differentiate]
fn slice_energy(x: &[f64]) -> f64 {
    x[0] * x[1] + x[2].powi(3) - x[0].cos() * x[3] + x[3].atan2(x[1])
}

fn slice_energy_dual(x: &[Dual64]) -> Dual64 {
    x[0] * x[1] + x[2].powi(3) - x[0].cos() * x[3] + x[3].atan2(x[1])
}

/// A slice to a fixed-size array.
#[differentiate]
fn slice_map(x: &[f64]) -> [f64; 2] {
    [x[0] * x[2], (x[1] - x[0]).tanh() / x[2]]
}

fn slice_map_dual(x: &[Dual64]) -> [Dual64; 2] {
    [x[0] * x[2], (x[1] - x[0]).tanh() / x[2]]
}

/// A slice of arrays: the squared distances between consecutive points
/// and an angle.
#[differentiate]
fn polyline(p: &[[f64; 2]]) -> f64 {
    let d0 = [p[1][0] - p[0][0], p[1][1] - p[0][1]];
    let d1 = [p[2][0] - p[1][0], p[2][1] - p[1][1]];
    let cross = d0[0] * d1[1] - d0[1] * d1[0];
    d0[0] * d0[0] + d0[1] * d0[1] + d1[0] * d1[0] + d1[1] * d1[1] + cross.atan()
}

fn polyline_dual(p: &[[Dual64; 2]]) -> Dual64 {
    let d0 = [p[1][0] - p[0][0], p[1][1] - p[0][1]];
    let d1 = [p[2][0] - p[1][0], p[2][1] - p[1][1]];
    let cross = d0[0] * d1[1] - d0[1] * d1[0];
    d0[0] * d0[0] + d0[1] * d0[1] + d1[0] * d1[0] + d1[1] * d1[1] + cross.atan()
}

/// An owned `Vec`.
#[differentiate]
fn vec_energy(x: Vec<f64>) -> f64 {
    let a = x[0] * x[0] + x[1].exp() * x[2];
    a.sqrt() - x[1] / x[2]
}

fn vec_energy_dual(x: &[Dual64]) -> Dual64 {
    let a = x[0] * x[0] + x[1].exp() * x[2];
    a.sqrt() - x[1] / x[2]
}

#[test]
fn slice_to_scalar() {
    Case {
        name: "slice_energy",
        shape: vec![0.0; 4],
        range: (0.5, 1.5),
        single: false,
        f: &|x| slice_energy(x),
        dual: &|x| slice_energy_dual(x),
        jvp: &|x, v| slice_energy::jvp((&x[..],), (v.clone(),)),
        vjp: &|x, ws| {
            let (y, pullback) = slice_energy::vjp(x);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|x| jac::<DMatrix<f64>>(slice_energy::jacfwd(x)),
        jacrev: &|x| jac::<DMatrix<f64>>(slice_energy::jacrev(x)),
        grad: Some(Grad {
            grad: &|x| slice_energy::grad(x),
            value_and_grad: &|x| slice_energy::value_and_grad(x),
        }),
    }
    .run(6, 4);
}

#[test]
fn slice_to_array() {
    Case {
        name: "slice_map",
        shape: vec![0.0; 3],
        range: (0.5, 1.5),
        single: false,
        f: &|x| slice_map(x),
        dual: &|x| slice_map_dual(x),
        jvp: &|x, v| slice_map::jvp((&x[..],), (v.clone(),)),
        vjp: &|x, ws| {
            let (y, pullback) = slice_map::vjp(x);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|x| jac::<DMatrix<f64>>(slice_map::jacfwd(x)),
        jacrev: &|x| jac::<DMatrix<f64>>(slice_map::jacrev(x)),
        grad: None,
    }
    .run(6, 5);
}

#[test]
fn slice_of_arrays() {
    Case {
        name: "polyline",
        shape: vec![[0.0; 2]; 3],
        range: (-1.5, 1.5),
        single: false,
        f: &|p| polyline(p),
        dual: &|x| polyline_dual(x),
        jvp: &|p, v| polyline::jvp((&p[..],), (v.clone(),)),
        vjp: &|p, ws| {
            let (y, pullback) = polyline::vjp(p);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|p| jac::<DMatrix<f64>>(polyline::jacfwd(p)),
        jacrev: &|p| jac::<DMatrix<f64>>(polyline::jacrev(p)),
        grad: Some(Grad {
            grad: &|p| polyline::grad(p),
            value_and_grad: &|p| polyline::value_and_grad(p),
        }),
    }
    .run(6, 6);
}

#[test]
fn owned_vec() {
    Case {
        name: "vec_energy",
        shape: vec![0.0; 3],
        range: (0.5, 1.5),
        single: false,
        f: &|x| vec_energy(x.clone()),
        dual: &|x| vec_energy_dual(x),
        jvp: &|x, v| vec_energy::jvp((x.clone(),), (v.clone(),)),
        vjp: &|x, ws| {
            let (y, pullback) = vec_energy::vjp(x.clone());
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|x| jac::<DMatrix<f64>>(vec_energy::jacfwd(x.clone())),
        jacrev: &|x| jac::<DMatrix<f64>>(vec_energy::jacrev(x.clone())),
        grad: Some(Grad {
            grad: &|x| vec_energy::grad(x.clone()),
            value_and_grad: &|x| vec_energy::value_and_grad(x.clone()),
        }),
    }
    .run(6, 7);
}

// ---------------------------------------------------------------------------
// Tuples
// ---------------------------------------------------------------------------

/// Polar to Cartesian coordinates.
#[differentiate]
fn polar(t: (f64, f64)) -> (f64, f64) {
    let (r, theta) = t;
    (r * theta.cos(), r * theta.sin())
}

fn polar_dual(t: &(Dual64, Dual64)) -> (Dual64, Dual64) {
    let (r, theta) = *t;
    (r * theta.cos(), r * theta.sin())
}

/// A tuple of a scalar, an array and a vector, to a tuple holding a vector;
/// fields read both by destructuring and by `t.k`.
#[differentiate]
fn tuple_mix(t: (f64, [f64; 2], Vector2<f64>)) -> (f64, Vector2<f64>) {
    let (s, a, v) = t;
    let u = v * s + t.2 * a[1];
    (s * a[0] + v.dot(&v) * t.1[1], u.component_mul(&v))
}

fn tuple_mix_dual(t: &(Dual64, [Dual64; 2], Vector2<Dual64>)) -> (Dual64, Vector2<Dual64>) {
    let (s, a, v) = *t;
    let u = v * s + t.2 * a[1];
    (s * a[0] + v.dot(&v) * t.1[1], u.component_mul(&v))
}

#[test]
fn tuple_to_tuple() {
    Case {
        name: "polar",
        shape: (0.0, 0.0),
        range: (-2.0, 2.0),
        single: false,
        f: &|t| polar(*t),
        dual: &polar_dual,
        jvp: &|t, v| polar::jvp((*t,), (*v,)),
        vjp: &|t, ws| {
            let (y, pullback) = polar::vjp(*t);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|t| jac::<SMatrix<f64, 2, 2>>(polar::jacfwd(*t)),
        jacrev: &|t| jac::<SMatrix<f64, 2, 2>>(polar::jacrev(*t)),
        grad: None,
    }
    .run(6, 8);
}

#[test]
fn tuple_of_mixed_structures() {
    Case {
        name: "tuple_mix",
        shape: (0.0, [0.0; 2], Vector2::zeros()),
        range: (-1.5, 1.5),
        single: false,
        f: &|t| tuple_mix(*t),
        dual: &tuple_mix_dual,
        jvp: &|t, v| tuple_mix::jvp((*t,), (*v,)),
        vjp: &|t, ws| {
            let (y, pullback) = tuple_mix::vjp(*t);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|t| jac::<SMatrix<f64, 3, 5>>(tuple_mix::jacfwd(*t)),
        jacrev: &|t| jac::<SMatrix<f64, 3, 5>>(tuple_mix::jacrev(*t)),
        grad: None,
    }
    .run(6, 9);
}

// ---------------------------------------------------------------------------
// Static nalgebra matrices
// ---------------------------------------------------------------------------

/// Three differentiable arguments: a tuple of gradients and of Jacobians;
/// compound assignment on a vector, a scalar times a vector.
#[differentiate]
fn affine(m: Matrix2x3<f64>, x: Vector3<f64>, b: Vector2<f64>) -> Vector2<f64> {
    let mut y = m * x;
    y += b;
    y *= 0.5;
    y.component_mul(&y) - x.norm() * b
}

fn affine_dual(
    (m, x, b): &(Matrix2x3<Dual64>, Vector3<Dual64>, Vector2<Dual64>),
) -> Vector2<Dual64> {
    let mut y = m * x;
    y += b;
    y *= Dual64::from_re(0.5);
    y.component_mul(&y) - b * x.norm()
}

/// A matrix output (column-major flattening): an outer product.
#[differentiate]
fn outer(x: SVector<f64, 2>, y: SVector<f64, 3>) -> SMatrix<f64, 2, 3> {
    let p = x * y.transpose();
    p * x.norm() - p / (1.0 + y.norm_squared())
}

fn outer_dual((x, y): &(SVector<Dual64, 2>, SVector<Dual64, 3>)) -> SMatrix<Dual64, 2, 3> {
    let p = x * y.transpose();
    p * x.norm() - p / (y.norm_squared() + 1.0)
}

/// A square matrix: product with its transpose, `(i, j)` and linear
/// indexing, `sum`, `norm`, unary minus.
#[differentiate]
fn frobenius(m: Matrix3<f64>) -> f64 {
    let g = m.transpose() * m;
    g.sum() + m[(0, 1)] * m[(2, 2)] - m[4].sin() + (-g).norm()
}

fn frobenius_dual(m: &Matrix3<Dual64>) -> Dual64 {
    let g = m.transpose() * m;
    g.sum() + m[(0, 1)] * m[(2, 2)] - m[4].sin() + (-g).norm()
}

macro_rules! least_squares {
    ($name:ident, $dual_name:ident, $t:ident, $d:ty) => {
        /// `‖A x - b‖²`, every argument differentiable.
        #[differentiate]
        fn $name(a: Matrix3x2<$t>, x: Vector2<$t>, b: Vector3<$t>) -> $t {
            let r = a * x - b;
            r.norm_squared()
        }

        fn $dual_name((a, x, b): &(Matrix3x2<$d>, Vector2<$d>, Vector3<$d>)) -> $d {
            let r = a * x - b;
            r.norm_squared()
        }
    };
}
least_squares!(least_squares, least_squares_dual, f64, Dual64);
least_squares!(least_squares32, least_squares32_dual, f32, Dual32);

#[test]
fn several_static_matrices_to_vector() {
    Case {
        name: "affine",
        shape: (Matrix2x3::zeros(), Vector3::zeros(), Vector2::zeros()),
        range: (-1.5, 1.5),
        single: false,
        f: &|(m, x, b)| affine(*m, *x, *b),
        dual: &affine_dual,
        jvp: &|(m, x, b), (dm, dx, db)| affine::jvp((*m, *x, *b), (*dm, *dx, *db)),
        vjp: &|(m, x, b), ws| {
            let (y, pullback) = affine::vjp(*m, *x, *b);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(m, x, b)| {
            jac::<(SMatrix<f64, 2, 6>, SMatrix<f64, 2, 3>, SMatrix<f64, 2, 2>)>(affine::jacfwd(
                *m, *x, *b,
            ))
        },
        jacrev: &|(m, x, b)| {
            jac::<(SMatrix<f64, 2, 6>, SMatrix<f64, 2, 3>, SMatrix<f64, 2, 2>)>(affine::jacrev(
                *m, *x, *b,
            ))
        },
        grad: None,
    }
    .run(6, 10);
}

#[test]
fn static_matrix_output() {
    Case {
        name: "outer",
        shape: (SVector::<f64, 2>::zeros(), SVector::<f64, 3>::zeros()),
        range: (-1.5, 1.5),
        single: false,
        f: &|(x, y)| outer(*x, *y),
        dual: &outer_dual,
        jvp: &|(x, y), (dx, dy)| outer::jvp((*x, *y), (*dx, *dy)),
        vjp: &|(x, y), ws| {
            let (v, pullback) = outer::vjp(*x, *y);
            (v, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(x, y)| jac::<(SMatrix<f64, 6, 2>, SMatrix<f64, 6, 3>)>(outer::jacfwd(*x, *y)),
        jacrev: &|(x, y)| jac::<(SMatrix<f64, 6, 2>, SMatrix<f64, 6, 3>)>(outer::jacrev(*x, *y)),
        grad: None,
    }
    .run(6, 11);
}

#[test]
fn square_matrix_to_scalar() {
    Case {
        name: "frobenius",
        shape: Matrix3::zeros(),
        range: (-1.5, 1.5),
        single: false,
        f: &|m| frobenius(*m),
        dual: &frobenius_dual,
        jvp: &|m, v| frobenius::jvp((*m,), (*v,)),
        vjp: &|m, ws| {
            let (y, pullback) = frobenius::vjp(*m);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|m| jac::<SMatrix<f64, 1, 9>>(frobenius::jacfwd(*m)),
        jacrev: &|m| jac::<SMatrix<f64, 1, 9>>(frobenius::jacrev(*m)),
        grad: Some(Grad {
            grad: &|m| frobenius::grad(*m),
            value_and_grad: &|m| frobenius::value_and_grad(*m),
        }),
    }
    .run(6, 12);
}

#[test]
fn least_squares_all_arguments() {
    Case {
        name: "least_squares",
        shape: (Matrix3x2::zeros(), Vector2::zeros(), Vector3::zeros()),
        range: (-1.5, 1.5),
        single: false,
        f: &|(a, x, b)| least_squares(*a, *x, *b),
        dual: &least_squares_dual,
        jvp: &|(a, x, b), (da, dx, db)| least_squares::jvp((*a, *x, *b), (*da, *dx, *db)),
        vjp: &|(a, x, b), ws| {
            let (y, pullback) = least_squares::vjp(*a, *x, *b);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(a, x, b)| {
            jac::<(SMatrix<f64, 1, 6>, SMatrix<f64, 1, 2>, SMatrix<f64, 1, 3>)>(
                least_squares::jacfwd(*a, *x, *b),
            )
        },
        jacrev: &|(a, x, b)| {
            jac::<(SMatrix<f64, 1, 6>, SMatrix<f64, 1, 2>, SMatrix<f64, 1, 3>)>(
                least_squares::jacrev(*a, *x, *b),
            )
        },
        grad: Some(Grad {
            grad: &|(a, x, b)| least_squares::grad(*a, *x, *b),
            value_and_grad: &|(a, x, b)| least_squares::value_and_grad(*a, *x, *b),
        }),
    }
    .run(6, 13);
}

#[test]
fn least_squares_f32() {
    Case {
        name: "least_squares32",
        shape: (Matrix3x2::zeros(), Vector2::zeros(), Vector3::zeros()),
        range: (-1.5, 1.5),
        single: true,
        f: &|(a, x, b)| least_squares32(*a, *x, *b),
        dual: &least_squares32_dual,
        jvp: &|(a, x, b), (da, dx, db)| least_squares32::jvp((*a, *x, *b), (*da, *dx, *db)),
        vjp: &|(a, x, b), ws| {
            let (y, pullback) = least_squares32::vjp(*a, *x, *b);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(a, x, b)| {
            jac::<(SMatrix<f32, 1, 6>, SMatrix<f32, 1, 2>, SMatrix<f32, 1, 3>)>(
                least_squares32::jacfwd(*a, *x, *b),
            )
        },
        jacrev: &|(a, x, b)| {
            jac::<(SMatrix<f32, 1, 6>, SMatrix<f32, 1, 2>, SMatrix<f32, 1, 3>)>(
                least_squares32::jacrev(*a, *x, *b),
            )
        },
        grad: Some(Grad {
            grad: &|(a, x, b)| least_squares32::grad(*a, *x, *b),
            value_and_grad: &|(a, x, b)| least_squares32::value_and_grad(*a, *x, *b),
        }),
    }
    .run(6, 14);
}

/// An array of vectors, destructured and indexed.
#[differentiate]
fn pair(p: [Vector2<f64>; 2]) -> f64 {
    let [u, v] = p;
    (u - v).norm() + u.dot(&p[1]) * v[0]
}

fn pair_dual(p: &[Vector2<Dual64>; 2]) -> Dual64 {
    let [u, v] = *p;
    (u - v).norm() + u.dot(&p[1]) * v[0]
}

/// A chain of two springs of rest length 1 between points in a slice.
#[differentiate]
fn springs(p: &[Vector3<f64>]) -> f64 {
    let e0 = (p[1] - p[0]).norm() - 1.0;
    let e1 = (p[2] - p[1]).norm() - 1.0;
    e0 * e0 + e1 * e1
}

fn springs_dual(p: &[Vector3<Dual64>]) -> Dual64 {
    let e0 = (p[1] - p[0]).norm() - 1.0;
    let e1 = (p[2] - p[1]).norm() - 1.0;
    e0 * e0 + e1 * e1
}

#[test]
fn array_of_vectors() {
    Case {
        name: "pair",
        shape: [Vector2::zeros(); 2],
        range: (-1.5, 1.5),
        single: false,
        f: &|p| pair(*p),
        dual: &pair_dual,
        jvp: &|p, v| pair::jvp((*p,), (*v,)),
        vjp: &|p, ws| {
            let (y, pullback) = pair::vjp(*p);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|p| jac::<SMatrix<f64, 1, 4>>(pair::jacfwd(*p)),
        jacrev: &|p| jac::<SMatrix<f64, 1, 4>>(pair::jacrev(*p)),
        grad: Some(Grad {
            grad: &|p| pair::grad(*p),
            value_and_grad: &|p| pair::value_and_grad(*p),
        }),
    }
    .run(6, 30);
}

#[test]
fn slice_of_vectors() {
    Case {
        name: "springs",
        shape: vec![Vector3::zeros(); 3],
        range: (-1.5, 1.5),
        single: false,
        f: &|p| springs(p),
        dual: &|x| springs_dual(x),
        jvp: &|p, v| springs::jvp((&p[..],), (v.clone(),)),
        vjp: &|p, ws| {
            let (y, pullback) = springs::vjp(p);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|p| jac::<DMatrix<f64>>(springs::jacfwd(p)),
        jacrev: &|p| jac::<DMatrix<f64>>(springs::jacrev(p)),
        grad: Some(Grad {
            grad: &|p| springs::grad(p),
            value_and_grad: &|p| springs::value_and_grad(p),
        }),
    }
    .run(6, 31);
}

/// Only `y` reaches the output.
#[differentiate]
fn ignores_structures(_x: &DVector<f64>, _a: [[f64; 2]; 2], _m: Matrix2x3<f64>, y: f64) -> f64 {
    y * y
}

/// Arguments the output does not depend on get zero gradients of their own
/// shape (JAX's symbolic zeros, materialised), and zero Jacobian blocks.
#[test]
fn unused_arguments_have_zero_gradients() {
    let x = DVector::from_vec(vec![1.0, 2.0, 3.0]);
    let (a, m) = ([[1.0, 2.0], [3.0, 4.0]], Matrix2x3::from_element(1.5));
    let (gx, ga, gm, gy) = ignores_structures::grad(&x, a, m, 3.0);
    assert_eq!(gx, DVector::zeros(3));
    assert_eq!(ga, [[0.0; 2]; 2]);
    assert_eq!(gm, Matrix2x3::zeros());
    assert_eq!(gy, 6.0);
    let (jx, ja, jm, jy) = ignores_structures::jacrev(&x, a, m, 3.0);
    assert_eq!(jx, DMatrix::zeros(1, 3));
    assert_eq!(ja, SMatrix::<f64, 1, 4>::zeros());
    assert_eq!(jm, SMatrix::<f64, 1, 6>::zeros());
    assert_eq!(jy, SMatrix::<f64, 1, 1>::new(6.0));
    let (jx, ..) = ignores_structures::jacfwd(&x, a, m, 3.0);
    assert_eq!(jx, DMatrix::zeros(1, 3));
}

// ---------------------------------------------------------------------------
// Dynamic nalgebra matrices
// ---------------------------------------------------------------------------

/// `‖A x - b‖²` on dynamic matrices, borrowed for the operators.
#[differentiate]
fn dyn_least_squares(a: DMatrix<f64>, x: DVector<f64>, b: DVector<f64>) -> f64 {
    let r = &a * &x - &b;
    r.norm_squared()
}

fn dyn_least_squares_dual(
    (a, x, b): &(DMatrix<Dual64>, DVector<Dual64>, DVector<Dual64>),
) -> Dual64 {
    let r = a * x - b;
    r.norm_squared()
}

macro_rules! dyn_map {
    ($name:ident, $dual_name:ident, $t:ident, $d:ty) => {
        /// Owned dynamic arguments, borrowed for a product; a dynamic
        /// vector output.
        #[differentiate]
        fn $name(a: DMatrix<$t>, x: DVector<$t>) -> DVector<$t> {
            let y = &a * &x;
            let z = y.component_mul(&y) / x.norm();
            z - y * x.sum()
        }

        fn $dual_name((a, x): &(DMatrix<$d>, DVector<$d>)) -> DVector<$d> {
            let y = a * x;
            let z = y.component_mul(&y) / x.norm();
            z - y * x.sum()
        }
    };
}
dyn_map!(dyn_map, dyn_map_dual, f64, Dual64);
dyn_map!(dyn_map32, dyn_map32_dual, f32, Dual32);

/// A dynamic matrix output.
#[differentiate]
fn dyn_outer(x: DVector<f64>, y: DVector<f64>) -> DMatrix<f64> {
    &x * y.transpose() * y.norm_squared()
}

fn dyn_outer_dual((x, y): &(DVector<Dual64>, DVector<Dual64>)) -> DMatrix<Dual64> {
    x * y.transpose() * y.norm_squared()
}

/// A row vector times a column vector (a 1×1 matrix), and a transpose.
#[differentiate]
fn row_times(r: RowDVector<f64>, x: DVector<f64>) -> f64 {
    let p = &r * &x;
    p[(0, 0)] + r.transpose().dot(&x).sin()
}

fn row_times_dual((r, x): &(RowDVector<Dual64>, DVector<Dual64>)) -> Dual64 {
    let p = r * x;
    p[(0, 0)] + r.transpose().dot(x).sin()
}

#[test]
fn dynamic_least_squares() {
    Case {
        name: "dyn_least_squares",
        shape: (DMatrix::zeros(4, 3), DVector::zeros(3), DVector::zeros(4)),
        range: (-1.5, 1.5),
        single: false,
        f: &|(a, x, b)| dyn_least_squares(a.clone(), x.clone(), b.clone()),
        dual: &dyn_least_squares_dual,
        jvp: &|(a, x, b), (da, dx, db)| {
            dyn_least_squares::jvp(
                (a.clone(), x.clone(), b.clone()),
                (da.clone(), dx.clone(), db.clone()),
            )
        },
        vjp: &|(a, x, b), ws| {
            let (y, pullback) = dyn_least_squares::vjp(a.clone(), x.clone(), b.clone());
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(a, x, b)| {
            jac::<(DMatrix<f64>, DMatrix<f64>, DMatrix<f64>)>(dyn_least_squares::jacfwd(
                a.clone(),
                x.clone(),
                b.clone(),
            ))
        },
        jacrev: &|(a, x, b)| {
            jac::<(DMatrix<f64>, DMatrix<f64>, DMatrix<f64>)>(dyn_least_squares::jacrev(
                a.clone(),
                x.clone(),
                b.clone(),
            ))
        },
        grad: Some(Grad {
            grad: &|(a, x, b)| dyn_least_squares::grad(a.clone(), x.clone(), b.clone()),
            value_and_grad: &|(a, x, b)| {
                dyn_least_squares::value_and_grad(a.clone(), x.clone(), b.clone())
            },
        }),
    }
    .run(6, 15);
}

#[test]
fn dynamic_vector_output() {
    Case {
        name: "dyn_map",
        shape: (DMatrix::zeros(3, 4), DVector::zeros(4)),
        range: (-1.5, 1.5),
        single: false,
        f: &|(a, x)| dyn_map(a.clone(), x.clone()),
        dual: &dyn_map_dual,
        jvp: &|(a, x), (da, dx)| dyn_map::jvp((a.clone(), x.clone()), (da.clone(), dx.clone())),
        vjp: &|(a, x), ws| {
            let (y, pullback) = dyn_map::vjp(a.clone(), x.clone());
            (y, ws.iter().map(|w| pullback(w.clone())).collect())
        },
        jacfwd: &|(a, x)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(dyn_map::jacfwd(a.clone(), x.clone()))
        },
        jacrev: &|(a, x)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(dyn_map::jacrev(a.clone(), x.clone()))
        },
        grad: None,
    }
    .run(6, 16);
}

#[test]
fn dynamic_vector_output_f32() {
    Case {
        name: "dyn_map32",
        shape: (DMatrix::<f32>::zeros(3, 4), DVector::<f32>::zeros(4)),
        range: (-1.5, 1.5),
        single: true,
        f: &|(a, x)| dyn_map32(a.clone(), x.clone()),
        dual: &dyn_map32_dual,
        jvp: &|(a, x), (da, dx)| dyn_map32::jvp((a.clone(), x.clone()), (da.clone(), dx.clone())),
        vjp: &|(a, x), ws| {
            let (y, pullback) = dyn_map32::vjp(a.clone(), x.clone());
            (y, ws.iter().map(|w| pullback(w.clone())).collect())
        },
        jacfwd: &|(a, x)| {
            jac::<(DMatrix<f32>, DMatrix<f32>)>(dyn_map32::jacfwd(a.clone(), x.clone()))
        },
        jacrev: &|(a, x)| {
            jac::<(DMatrix<f32>, DMatrix<f32>)>(dyn_map32::jacrev(a.clone(), x.clone()))
        },
        grad: None,
    }
    .run(6, 17);
}

#[test]
fn dynamic_matrix_output() {
    Case {
        name: "dyn_outer",
        shape: (DVector::zeros(3), DVector::zeros(2)),
        range: (-1.5, 1.5),
        single: false,
        f: &|(x, y)| dyn_outer(x.clone(), y.clone()),
        dual: &dyn_outer_dual,
        jvp: &|(x, y), (dx, dy)| dyn_outer::jvp((x.clone(), y.clone()), (dx.clone(), dy.clone())),
        vjp: &|(x, y), ws| {
            let (v, pullback) = dyn_outer::vjp(x.clone(), y.clone());
            (v, ws.iter().map(|w| pullback(w.clone())).collect())
        },
        jacfwd: &|(x, y)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(dyn_outer::jacfwd(x.clone(), y.clone()))
        },
        jacrev: &|(x, y)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(dyn_outer::jacrev(x.clone(), y.clone()))
        },
        grad: None,
    }
    .run(6, 18);
}

#[test]
fn dynamic_row_vector() {
    Case {
        name: "row_times",
        shape: (RowDVector::zeros(3), DVector::zeros(3)),
        range: (-1.5, 1.5),
        single: false,
        f: &|(r, x)| row_times(r.clone(), x.clone()),
        dual: &row_times_dual,
        jvp: &|(r, x), (dr, dx)| row_times::jvp((r.clone(), x.clone()), (dr.clone(), dx.clone())),
        vjp: &|(r, x), ws| {
            let (y, pullback) = row_times::vjp(r.clone(), x.clone());
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(r, x)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(row_times::jacfwd(r.clone(), x.clone()))
        },
        jacrev: &|(r, x)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(row_times::jacrev(r.clone(), x.clone()))
        },
        grad: Some(Grad {
            grad: &|(r, x)| row_times::grad(r.clone(), x.clone()),
            value_and_grad: &|(r, x)| row_times::value_and_grad(r.clone(), x.clone()),
        }),
    }
    .run(6, 19);
}

// ---------------------------------------------------------------------------
// `wrt(..)` subsets and static index arguments
// ---------------------------------------------------------------------------

/// `‖A x - b‖²` with respect to `x` only.
#[differentiate(wrt(x))]
fn least_squares_x(a: Matrix3x2<f64>, x: Vector2<f64>, b: Vector3<f64>) -> f64 {
    let r = a * x - b;
    r.norm_squared()
}

/// `‖A x - b‖²` with respect to `A` and `b`: a matrix gradient.
#[differentiate(wrt(a, b))]
fn least_squares_ab(a: Matrix3x2<f64>, x: Vector2<f64>, b: Vector3<f64>) -> f64 {
    let r = a * x - b;
    r.norm_squared()
}

/// A window of an array chosen by a static index.
#[differentiate]
fn window(x: [f64; 5], i: usize) -> f64 {
    x[i] * x[i + 1] - x[i + 2].sin() / x[4 - i]
}

fn window_dual(x: &[Dual64; 5], i: usize) -> Dual64 {
    x[i] * x[i + 1] - x[i + 2].sin() / x[4 - i]
}

/// Linear indexing of a borrowed dynamic vector by a static index, with
/// respect to the vector only.
#[differentiate(wrt(x))]
fn dyn_window(x: &DVector<f64>, i: usize, scale: f64) -> f64 {
    x[i] * x[i + 1].exp() * scale
}

fn dyn_window_dual(x: &DVector<Dual64>, i: usize, scale: f64) -> Dual64 {
    x[i] * x[i + 1].exp() * scale
}

#[test]
fn wrt_subset_of_structured_arguments() {
    let (a, b) = (
        Matrix3x2::new(0.3, -1.2, 0.8, 0.5, -0.4, 1.1),
        Vector3::new(0.2, -0.7, 0.9),
    );
    Case {
        name: "least_squares_x",
        shape: Vector2::zeros(),
        range: (-1.5, 1.5),
        single: false,
        f: &|x| least_squares_x(a, *x, b),
        dual: &|x| least_squares_dual(&(a.map(Dual64::from), *x, b.map(Dual64::from))),
        jvp: &|x, v| least_squares_x::jvp((a, *x, b), (*v,)),
        vjp: &|x, ws| {
            let (y, pullback) = least_squares_x::vjp(a, *x, b);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|x| jac::<SMatrix<f64, 1, 2>>(least_squares_x::jacfwd(a, *x, b)),
        jacrev: &|x| jac::<SMatrix<f64, 1, 2>>(least_squares_x::jacrev(a, *x, b)),
        grad: Some(Grad {
            grad: &|x| least_squares_x::grad(a, *x, b),
            value_and_grad: &|x| least_squares_x::value_and_grad(a, *x, b),
        }),
    }
    .run(6, 20);

    let x = Vector2::new(0.6, -0.9);
    Case {
        name: "least_squares_ab",
        shape: (Matrix3x2::zeros(), Vector3::zeros()),
        range: (-1.5, 1.5),
        single: false,
        f: &|(a, b)| least_squares_ab(*a, x, *b),
        dual: &|(a, b)| least_squares_dual(&(*a, x.map(Dual64::from), *b)),
        jvp: &|(a, b), (da, db)| least_squares_ab::jvp((*a, x, *b), (*da, *db)),
        vjp: &|(a, b), ws| {
            let (y, pullback) = least_squares_ab::vjp(*a, x, *b);
            (y, ws.iter().map(|w| pullback(*w)).collect())
        },
        jacfwd: &|(a, b)| {
            jac::<(SMatrix<f64, 1, 6>, SMatrix<f64, 1, 3>)>(least_squares_ab::jacfwd(*a, x, *b))
        },
        jacrev: &|(a, b)| {
            jac::<(SMatrix<f64, 1, 6>, SMatrix<f64, 1, 3>)>(least_squares_ab::jacrev(*a, x, *b))
        },
        grad: Some(Grad {
            grad: &|(a, b)| least_squares_ab::grad(*a, x, *b),
            value_and_grad: &|(a, b)| least_squares_ab::value_and_grad(*a, x, *b),
        }),
    }
    .run(6, 21);
}

#[test]
fn static_index_argument() {
    for i in 0..3 {
        Case {
            name: &format!("window i = {i}"),
            shape: [0.0; 5],
            range: (0.5, 1.5),
            single: false,
            f: &|x| window(*x, i),
            dual: &|x| window_dual(x, i),
            jvp: &|x, v| window::jvp((*x, i), (*v,)),
            vjp: &|x, ws| {
                let (y, pullback) = window::vjp(*x, i);
                (y, ws.iter().map(|w| pullback(*w)).collect())
            },
            jacfwd: &|x| jac::<SMatrix<f64, 1, 5>>(window::jacfwd(*x, i)),
            jacrev: &|x| jac::<SMatrix<f64, 1, 5>>(window::jacrev(*x, i)),
            grad: Some(Grad {
                grad: &|x| window::grad(*x, i),
                value_and_grad: &|x| window::value_and_grad(*x, i),
            }),
        }
        .run(4, 22 + i as u64);
    }
    let scale = 1.5;
    for i in 0..3 {
        Case {
            name: &format!("dyn_window i = {i}"),
            shape: DVector::zeros(4),
            range: (-1.5, 1.5),
            single: false,
            f: &|x| dyn_window(x, i, scale),
            dual: &|x| dyn_window_dual(x, i, scale),
            jvp: &|x, v| dyn_window::jvp((x, i, scale), (v.clone(),)),
            vjp: &|x, ws| {
                let (y, pullback) = dyn_window::vjp(x, i, scale);
                (y, ws.iter().map(|w| pullback(*w)).collect())
            },
            jacfwd: &|x| jac::<DMatrix<f64>>(dyn_window::jacfwd(x, i, scale)),
            jacrev: &|x| jac::<DMatrix<f64>>(dyn_window::jacrev(x, i, scale)),
            grad: Some(Grad {
                grad: &|x| dyn_window::grad(x, i, scale),
                value_and_grad: &|x| dyn_window::value_and_grad(x, i, scale),
            }),
        }
        .run(4, 25 + i as u64);
    }
    // Components the output does not read have exactly zero gradient.
    let g = window::grad([1.0, 2.0, 3.0, 4.0, 5.0], 0);
    assert_eq!(g[3], 0.0);
    let g = dyn_window::grad(&DVector::from_vec(vec![1.0, 2.0, 3.0, 4.0]), 1, 1.0);
    assert_eq!((g[0], g[3]), (0.0, 0.0));
}

// ---------------------------------------------------------------------------
// Realistic examples against closed forms
// ---------------------------------------------------------------------------

/// Every entry within `TOL64` of the largest.
fn assert_matrix_close(what: &str, got: &DMatrix<f64>, want: &DMatrix<f64>) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    let scale = largest(want.iter().copied());
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(
            close(*g, *w, TOL64, scale),
            "{what}: got\n{got}\nexpected\n{want}"
        );
    }
}

fn dm<J: ToDMatrix>(j: &J) -> DMatrix<f64> {
    j.to_dmatrix()
}

#[test]
fn least_squares_gradient_closed_form() {
    let a = Matrix3x2::new(1.0, -0.5, 0.3, 2.0, -1.2, 0.7);
    let x = Vector2::new(0.4, -1.1);
    let b = Vector3::new(0.2, 0.9, -0.3);
    let r = a * x - b;
    // ∇ₓ = 2Aᵀr, ∇_A = 2 r xᵀ, ∇_b = -2r.
    let (dx, da, db) = (2.0 * a.transpose() * r, 2.0 * r * x.transpose(), -2.0 * r);
    let (ga, gx, gb) = least_squares::grad(a, x, b);
    assert_matrix_close("d/dA", &dm(&ga), &dm(&da));
    assert_matrix_close("d/dx", &dm(&gx), &dm(&dx));
    assert_matrix_close("d/db", &dm(&gb), &dm(&db));
    assert_matrix_close("wrt(x)", &dm(&least_squares_x::grad(a, x, b)), &dm(&dx));
    let (ga, gb) = least_squares_ab::grad(a, x, b);
    assert_matrix_close("wrt(a, b): d/dA", &dm(&ga), &dm(&da));
    assert_matrix_close("wrt(a, b): d/db", &dm(&gb), &dm(&db));
    assert_eq!(least_squares::value_and_grad(a, x, b).0, r.norm_squared());

    // The same with dynamic matrices, 5×3.
    let a = DMatrix::from_fn(5, 3, |i, j| ((i * 3 + j) as f64 * 0.7).sin());
    let x = DVector::from_vec(vec![0.5, -1.0, 0.25]);
    let b = DVector::from_fn(5, |i, _| (i as f64 * 0.3).cos());
    let r = &a * &x - &b;
    let (ga, gx, gb) = dyn_least_squares::grad(a.clone(), x.clone(), b.clone());
    assert_matrix_close("dynamic d/dA", &ga, &(2.0 * &r * x.transpose()));
    assert_matrix_close("dynamic d/dx", &dm(&gx), &dm(&(2.0 * a.transpose() * &r)));
    assert_matrix_close("dynamic d/db", &dm(&gb), &dm(&(-2.0 * &r)));
}

/// End-effector of a planar 2-link arm with link lengths 1.5 and 0.8, as a
/// function of its joint angles.
#[differentiate]
fn arm(q: [f64; 2]) -> [f64; 2] {
    let [a, b] = q;
    let (l1, l2) = (1.5, 0.8);
    let ab = a + b;
    [l1 * a.cos() + l2 * ab.cos(), l1 * a.sin() + l2 * ab.sin()]
}

#[test]
fn two_link_arm_jacobian_closed_form() {
    let (l1, l2) = (1.5, 0.8);
    for q in [[0.3, 0.9], [-1.2, 2.0], [2.5, -0.4], [0.0, 0.0]] {
        let (s1, c1) = q[0].sin_cos();
        let (s12, c12) = (q[0] + q[1]).sin_cos();
        let want =
            SMatrix::<f64, 2, 2>::new(-l1 * s1 - l2 * s12, -l2 * s12, l1 * c1 + l2 * c12, l2 * c12);
        let forward: SMatrix<f64, 2, 2> = arm::jacfwd(q);
        let reverse: SMatrix<f64, 2, 2> = arm::jacrev(q);
        assert_matrix_close("arm jacfwd", &dm(&forward), &dm(&want));
        assert_matrix_close("arm jacrev", &dm(&reverse), &dm(&want));
        assert_eq!(arm::jvp((q,), ([1.0, 0.0],)).0, arm(q));
        // The velocity of the end effector for joint velocities (0.5, -2).
        let (_, v) = arm::jvp((q,), ([0.5, -2.0],));
        let want_v = want * Vector2::new(0.5, -2.0);
        assert_matrix_close("arm velocity", &dm(&Vector2::from(v)), &dm(&want_v));
        // The joint torques for an end-effector force (1, 3): Jᵀ f.
        let (_, pullback) = arm::vjp(q);
        let torque = pullback([1.0, 3.0]);
        let want_t = want.transpose() * Vector2::new(1.0, 3.0);
        assert_matrix_close("arm torque", &dm(&Vector2::from(torque)), &dm(&want_t));
    }
}

/// The quadratic form xᵀ M x, with respect to x.
#[differentiate(wrt(x))]
fn quadratic(x: Vector3<f64>, m: Matrix3<f64>) -> f64 {
    x.dot(&(m * x))
}

/// The same written with a transpose and a 1×1 matrix.
#[differentiate(wrt(x))]
fn quadratic_t(x: Vector3<f64>, m: Matrix3<f64>) -> f64 {
    (x.transpose() * m * x)[(0, 0)]
}

/// The same on dynamic shapes, with respect to both.
#[differentiate]
fn quadratic_dyn(x: DVector<f64>, m: DMatrix<f64>) -> f64 {
    x.dot(&(&m * &x))
}

#[test]
fn quadratic_form_closed_form() {
    let m = Matrix3::new(2.0, -1.0, 0.5, 0.3, 1.5, -0.7, 1.2, 0.4, -0.9);
    for x in [Vector3::new(1.0, 2.0, -0.5), Vector3::new(-0.3, 0.8, 1.7)] {
        let want = (m + m.transpose()) * x;
        assert_matrix_close("xᵀMx", &dm(&quadratic::grad(x, m)), &dm(&want));
        assert_matrix_close("xᵀMx transposed", &dm(&quadratic_t::grad(x, m)), &dm(&want));
        let j: SMatrix<f64, 1, 3> = quadratic::jacrev(x, m);
        assert_matrix_close("xᵀMx jacrev", &dm(&j), &dm(&want.transpose()));
        let j: SMatrix<f64, 1, 3> = quadratic_t::jacfwd(x, m);
        assert_matrix_close("xᵀMx jacfwd", &dm(&j), &dm(&want.transpose()));
        let (value, _) = quadratic::value_and_grad(x, m);
        assert_eq!(value, quadratic(x, m));

        let (xd, md) = (
            DVector::from_column_slice(x.as_slice()),
            DMatrix::from_column_slice(3, 3, m.as_slice()),
        );
        let (gx, gm) = quadratic_dyn::grad(xd.clone(), md.clone());
        assert_matrix_close("dynamic xᵀMx d/dx", &dm(&gx), &dm(&want));
        // d/dM = x xᵀ.
        assert_matrix_close("dynamic xᵀMx d/dM", &gm, &(&xd * xd.transpose()));
    }
}

/// The f32 functions agree with their f64 twins to f32 precision.
#[test]
fn single_precision_agrees_with_double() {
    let m32 = [[0.7f32, 1.3, 0.9], [1.1, 0.6, 1.4]];
    let m64 = m32.map(|r| r.map(f64::from));
    let (g32, g64) = (nested32::grad(m32), nested::grad(m64));
    let scale = largest(g64.flat());
    for (a, b) in g32.flat().iter().zip(g64.flat()) {
        assert!(close(*a, b, TOL32, scale), "{g32:?} vs {g64:?}");
    }

    let a = Matrix3x2::<f32>::new(1.0, -0.5, 0.3, 2.0, -1.2, 0.7);
    let x = Vector2::<f32>::new(0.4, -1.1);
    let b = Vector3::<f32>::new(0.2, 0.9, -0.3);
    let g32 = least_squares32::grad(a, x, b);
    let g64 = least_squares::grad(a.cast(), x.cast(), b.cast());
    let scale = largest(g64.flat());
    for (p, q) in g32.flat().iter().zip(g64.flat()) {
        assert!(close(*p, q, TOL32, scale), "{g32:?} vs {g64:?}");
    }
}

// ---------------------------------------------------------------------------
// More shapes and constructs, with `Copy` arguments
// ---------------------------------------------------------------------------

/// A `Case` for a function whose arguments are all `Copy` and
/// differentiable: `args` names them, `tangents` names their tangents,
/// `jac` is the type of `jacfwd`'s and `jacrev`'s result.
macro_rules! copy_case {
    (
        $f:ident, $dual:expr, shape: $shape:expr, range: $range:expr,
        args: ($($a:ident),+), tangents: ($($d:ident),+), jac: $jac:ty, seed: $seed:expr
        $(, grad: $grad:ident)?
    ) => {{
        // A single argument's pattern is `(x)`.
        #[allow(unused_parens)]
        let case = Case {
            name: stringify!($f),
            shape: $shape,
            range: $range,
            single: false,
            f: &|($($a),+)| $f($(*$a),+),
            dual: &$dual,
            jvp: &|($($a),+), ($($d),+)| $f::jvp(($(*$a,)+), ($(*$d,)+)),
            vjp: &|($($a),+), ws| {
                let (y, pullback) = $f::vjp($(*$a),+);
                (y, ws.iter().map(|w| pullback(*w)).collect())
            },
            jacfwd: &|($($a),+)| jac::<$jac>($f::jacfwd($(*$a),+)),
            jacrev: &|($($a),+)| jac::<$jac>($f::jacrev($(*$a),+)),
            grad: copy_case!(@grad $f, ($($a),+) $(, $grad)?),
        };
        case.run(6, $seed);
    }};
    (@grad $f:ident, ($($a:ident),+)) => { None };
    (@grad $f:ident, ($($a:ident),+), yes) => {
        Some(Grad {
            grad: &|($($a),+)| $f::grad($(*$a),+),
            value_and_grad: &|($($a),+)| $f::value_and_grad($(*$a),+),
        })
    };
}

/// A nested tuple, destructured by a nested pattern and read by fields.
#[differentiate]
fn nested_tuple(t: ((f64, f64), [f64; 2])) -> f64 {
    let ((a, b), c) = t;
    a * b.exp() + c[0] * (t.0).1 + t.1[1].sin()
}

fn nested_tuple_dual(t: &((Dual64, Dual64), [Dual64; 2])) -> Dual64 {
    let ((a, b), c) = *t;
    a * b.exp() + c[0] * (t.0).1 + t.1[1].sin()
}

/// `m[i][j]` with static `i` and `j`.
#[differentiate]
fn nested_index(m: [[f64; 3]; 3], i: usize, j: usize) -> f64 {
    m[i][j] * m[j][i] + m[i][i].cos()
}

fn nested_index_dual(m: &[[Dual64; 3]; 3], i: usize, j: usize) -> Dual64 {
    m[i][j] * m[j][i] + m[i][i].cos()
}

/// A row vector alias times a column vector; a double transpose.
#[differentiate]
fn row_alias(r: RowVector3<f64>, x: Vector3<f64>) -> f64 {
    (r * x)[0] + r.transpose().transpose()[1] * x[2]
}

fn row_alias_dual((r, x): &(RowVector3<Dual64>, Vector3<Dual64>)) -> Dual64 {
    (r * x)[0] + r.transpose().transpose()[1] * x[2]
}

/// The cube of a matrix by reassignment of a `let mut`.
#[differentiate]
fn cube(m: Matrix2<f64>) -> Matrix2<f64> {
    let mut a = m;
    a = m * a;
    a = m * a;
    a
}

fn cube_dual(m: &Matrix2<Dual64>) -> Matrix2<Dual64> {
    m * m * m
}

/// Indexing the result of an expression.
#[differentiate]
fn index_of_expression(a: Matrix2<f64>, x: Vector2<f64>) -> f64 {
    (a * x)[1] + (a * x).norm().sqrt()
}

fn index_of_expression_dual((a, x): &(Matrix2<Dual64>, Vector2<Dual64>)) -> Dual64 {
    (a * x)[1] + (a * x).norm().sqrt()
}

/// A tuple of vectors built, read by fields and returned with a scalar.
#[differentiate]
fn tuple_of_vectors(x: Vector2<f64>, y: Vector2<f64>) -> (Vector2<f64>, f64) {
    let t = (x, y);
    (t.0 - t.1 * 3.0, t.0.dot(&t.1))
}

fn tuple_of_vectors_dual((x, y): &(Vector2<Dual64>, Vector2<Dual64>)) -> (Vector2<Dual64>, Dual64) {
    (x - y * Dual64::from_re(3.0), x.dot(y))
}

/// A type-annotated tuple pattern and local.
#[differentiate]
fn annotated(t: (f64, Vector2<f64>)) -> Vector2<f64> {
    let (a, b): (f64, Vector2<f64>) = t;
    let c: Vector2<f64> = b * a.sin();
    c
}

fn annotated_dual(t: &(Dual64, Vector2<Dual64>)) -> Vector2<Dual64> {
    t.1 * t.0.sin()
}

/// An array of vectors as the output.
#[differentiate]
fn vectors_out(x: Vector2<f64>, y: Vector2<f64>) -> [Vector2<f64>; 2] {
    [x + y, x.component_div(&y)]
}

fn vectors_out_dual((x, y): &(Vector2<Dual64>, Vector2<Dual64>)) -> [Vector2<Dual64>; 2] {
    [x + y, x.component_div(y)]
}

#[test]
fn nested_tuples_and_static_double_index() {
    copy_case!(nested_tuple, nested_tuple_dual, shape: ((0.0, 0.0), [0.0; 2]), range: (-1.5, 1.5),
        args: (t), tangents: (dt), jac: SMatrix<f64, 1, 4>, seed: 40, grad: yes);
    for (i, j) in [(0, 2), (1, 1), (2, 0)] {
        Case {
            name: &format!("nested_index ({i}, {j})"),
            shape: [[0.0; 3]; 3],
            range: (-1.5, 1.5),
            single: false,
            f: &|m| nested_index(*m, i, j),
            dual: &|m| nested_index_dual(m, i, j),
            jvp: &|m, v| nested_index::jvp((*m, i, j), (*v,)),
            vjp: &|m, ws| {
                let (y, pullback) = nested_index::vjp(*m, i, j);
                (y, ws.iter().map(|w| pullback(*w)).collect())
            },
            jacfwd: &|m| jac::<SMatrix<f64, 1, 9>>(nested_index::jacfwd(*m, i, j)),
            jacrev: &|m| jac::<SMatrix<f64, 1, 9>>(nested_index::jacrev(*m, i, j)),
            grad: Some(Grad {
                grad: &|m| nested_index::grad(*m, i, j),
                value_and_grad: &|m| nested_index::value_and_grad(*m, i, j),
            }),
        }
        .run(4, 41 + 3 * i as u64 + j as u64);
    }
}

#[test]
fn more_matrix_constructs() {
    copy_case!(row_alias, row_alias_dual, shape: (RowVector3::zeros(), Vector3::zeros()),
        range: (-1.5, 1.5), args: (r, x), tangents: (dr, dx),
        jac: (SMatrix<f64, 1, 3>, SMatrix<f64, 1, 3>), seed: 50, grad: yes);
    copy_case!(cube, cube_dual, shape: Matrix2::zeros(), range: (-1.5, 1.5),
        args: (m), tangents: (dm), jac: SMatrix<f64, 4, 4>, seed: 51);
    copy_case!(index_of_expression, index_of_expression_dual,
        shape: (Matrix2::zeros(), Vector2::zeros()), range: (0.5, 1.5),
        args: (a, x), tangents: (da, dx),
        jac: (SMatrix<f64, 1, 4>, SMatrix<f64, 1, 2>), seed: 52, grad: yes);
    copy_case!(tuple_of_vectors, tuple_of_vectors_dual,
        shape: (Vector2::zeros(), Vector2::zeros()), range: (-1.5, 1.5),
        args: (x, y), tangents: (dx, dy),
        jac: (SMatrix<f64, 3, 2>, SMatrix<f64, 3, 2>), seed: 53);
    copy_case!(annotated, annotated_dual, shape: (0.0, Vector2::zeros()), range: (-1.5, 1.5),
        args: (t), tangents: (dt), jac: SMatrix<f64, 2, 3>, seed: 54);
    copy_case!(vectors_out, vectors_out_dual, shape: (Vector2::zeros(), Vector2::zeros()),
        range: (0.5, 1.5), args: (x, y), tangents: (dx, dy),
        jac: (SMatrix<f64, 4, 2>, SMatrix<f64, 4, 2>), seed: 55);
}

/// An owned `Vec` of vectors; negation and division of a dynamic vector.
#[differentiate]
fn vec_of_vectors(p: Vec<Vector3<f64>>, x: DVector<f64>) -> DVector<f64> {
    let d = (p[0] - p[1]).norm();
    -x.clone() / d + x * p[2][1]
}

fn vec_of_vectors_dual((p, x): &(Vec<Vector3<Dual64>>, DVector<Dual64>)) -> DVector<Dual64> {
    let d = (p[0] - p[1]).norm();
    -x / d + x * p[2][1]
}

#[test]
fn vec_of_vectors_and_dynamic_negation() {
    Case {
        name: "vec_of_vectors",
        shape: (vec![Vector3::zeros(); 3], DVector::zeros(4)),
        range: (-1.5, 1.5),
        single: false,
        f: &|(p, x)| vec_of_vectors(p.clone(), x.clone()),
        dual: &vec_of_vectors_dual,
        jvp: &|(p, x), (dp, dx)| {
            vec_of_vectors::jvp((p.clone(), x.clone()), (dp.clone(), dx.clone()))
        },
        vjp: &|(p, x), ws| {
            let (y, pullback) = vec_of_vectors::vjp(p.clone(), x.clone());
            (y, ws.iter().map(|w| pullback(w.clone())).collect())
        },
        jacfwd: &|(p, x)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(vec_of_vectors::jacfwd(p.clone(), x.clone()))
        },
        jacrev: &|(p, x)| {
            jac::<(DMatrix<f64>, DMatrix<f64>)>(vec_of_vectors::jacrev(p.clone(), x.clone()))
        },
        grad: None,
    }
    .run(6, 56);
}

// ---------------------------------------------------------------------------
// Operators on reference-typed arguments
// ---------------------------------------------------------------------------

/// Operators whose operands are reference arguments (`a: &Matrix3x2<f64>`
/// in `a * x`, `x: &f64` in `x * 2.0`); each function must agree with its
/// owned twin above.
mod reference_operands {
    use super::*;

    #[differentiate]
    fn scaled(x: &f64) -> f64 {
        x * 2.0
    }

    #[differentiate(wrt(x))]
    fn least_squares_x_ref(a: &Matrix3x2<f64>, x: Vector2<f64>, b: &Vector3<f64>) -> f64 {
        let r = a * x - b;
        r.norm_squared()
    }

    #[differentiate]
    fn dyn_least_squares_ref(a: &DMatrix<f64>, x: &DVector<f64>, b: &DVector<f64>) -> f64 {
        let r = a * x - b;
        r.norm_squared()
    }

    #[differentiate(wrt(x))]
    fn quadratic_t_ref(x: Vector3<f64>, m: &Matrix3<f64>) -> f64 {
        (x.transpose() * m * x)[(0, 0)]
    }

    #[test]
    fn reference_arguments_in_operators() {
        assert_eq!(scaled::grad(&1.5), 2.0);
        let a = Matrix3x2::new(1.0, -0.5, 0.3, 2.0, -1.2, 0.7);
        let x = Vector2::new(0.4, -1.1);
        let b = Vector3::new(0.2, 0.9, -0.3);
        assert_eq!(
            least_squares_x_ref::grad(&a, x, &b),
            least_squares_x::grad(a, x, b)
        );
        let (ad, xd, bd) = (
            DMatrix::from_column_slice(3, 2, a.as_slice()),
            DVector::from_column_slice(x.as_slice()),
            DVector::from_column_slice(b.as_slice()),
        );
        assert_eq!(
            dyn_least_squares_ref::grad(&ad, &xd, &bd),
            dyn_least_squares::grad(ad.clone(), xd.clone(), bd.clone())
        );
        let m = Matrix3::new(2.0, -1.0, 0.5, 0.3, 1.5, -0.7, 1.2, 0.4, -0.9);
        let x = Vector3::new(1.0, 2.0, -0.5);
        assert_eq!(quadratic_t_ref::grad(x, &m), quadratic_t::grad(x, m));
    }
}
