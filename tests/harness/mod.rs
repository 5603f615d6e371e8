//! The harness shared by the control-flow tests (`branches.rs`,
//! `loops.rs`, `loop_forms.rs`, `loop_return.rs`, `reductions.rs`,
//! `mutation.rs`, `calls.rs`), after the one in `tests/structured.rs`.
//!
//! A case sees a differentiated function as a map from `X` (its
//! differentiable arguments, a tuple if there are several; static arguments
//! are captured by the closures) to `Y`, flattened the documented way:
//! arrays in index order (row-major when nested), nalgebra matrices
//! column-major, tuples field by field. At each point `Case::run`:
//!
//! 1. Builds the oracle Jacobian: num-dual (the same body written for dual
//!    numbers, one evaluation per input component) and/or a closed form.
//!    When both are given they must agree (`closed_tol`), and the dual twin
//!    must compute the function's value. Central differences (step
//!    `1e-5 · max(1, |x_k|)`) must agree with the oracle to `1e-6`. These
//!    checks run before any generated function is called, and panic at
//!    once with "oracle" in the message: a failure there is a bug of the
//!    test, not of the macro.
//! 2. Checks the values of `jvp`, `vjp` and `value_and_grad` equal the kept
//!    function's exactly.
//! 3. Compares `jacfwd`, `jacrev`, `grad`, `value_and_grad` and the
//!    pullback applied to unit cotangents with the oracle, `jacfwd` with
//!    `jacrev`, and the Jacobians and gradient with central differences.
//! 4. Checks `jvp` along three pseudo-random `v` against `J v`, and the
//!    dot-product test `<jvp(v), w> = <v, pullback(w)>` with three
//!    pseudo-random `w` and one pullback called for all of them.
//!
//! Tolerances, relative (`|got - want| <= tol * max(|want|, scale)`, as in
//! `tests/structured.rs`): `tol` (default `1e-12`) against the oracle and
//! between modes, with `scale` the largest oracle entry for a Jacobian or
//! gradient entry, `Σ_j |J_ij v_j|` for component `i` of `J v` and
//! `Σ_ij |w_i J_ij v_j|` for the dot-product test (the sizes of the terms
//! summed, whose rounding errors the result inherits). Central
//! differences: `1e-6` with `scale = max(1, largest |J_ij|, largest |f_i|)`
//! (truncation `h²/6 f'''` and rounding `ε |f| / h` are both about `1e-11`
//! here; a wrong derivative is off by O(1)). Points are chosen by each test
//! away from the kinks and ties of its function, farther than the step.
#![allow(dead_code)]

use crate::common::{close, Rng, TOL64};
use autodiff::nalgebra::{DMatrix, DVector, SMatrix};
use num_dual::Dual64;
use std::fmt::Debug;

pub const FD_TOL: f64 = 1e-6;
pub const FD_STEP: f64 = 1e-5;

pub type Components<'a> = &'a mut dyn Iterator<Item = f64>;

fn next(components: Components) -> f64 {
    components.next().expect("enough components")
}

/// A differentiable value as the harness sees it, independently of the
/// runtime's `Tangent`.
pub trait Structure: Clone + Debug {
    /// The same shape over dual numbers.
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

impl Structure for f64 {
    type Dual = Dual64;
    fn flat(&self) -> Vec<f64> {
        vec![*self]
    }
    fn rebuild(&self, components: Components) -> Self {
        next(components)
    }
    fn lift(&self, tangent: Components) -> Dual64 {
        Dual64::new(*self, next(tangent))
    }
    fn parts(dual: &Dual64) -> (Vec<f64>, Vec<f64>) {
        (vec![dual.re], vec![dual.eps])
    }
}

fn concat<'a, T: Structure + 'a>(duals: impl Iterator<Item = &'a T::Dual>) -> (Vec<f64>, Vec<f64>)
where
    T::Dual: 'a,
{
    let (mut re, mut eps) = (Vec::new(), Vec::new());
    for d in duals {
        let (r, e) = T::parts(d);
        re.extend(r);
        eps.extend(e);
    }
    (re, eps)
}

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
        concat::<T>(dual.iter())
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
        concat::<T>(dual.iter())
    }
}

/// Column-major, as nalgebra stores it (`SVector` included).
impl<const R: usize, const C: usize> Structure for SMatrix<f64, R, C> {
    type Dual = SMatrix<Dual64, R, C>;
    fn flat(&self) -> Vec<f64> {
        self.iter().copied().collect()
    }
    fn rebuild(&self, components: Components) -> Self {
        Self::from_iterator(self.iter().map(|_| next(components)))
    }
    fn lift(&self, tangent: Components) -> Self::Dual {
        Self::Dual::from_iterator(self.iter().map(|&x| Dual64::new(x, next(tangent))))
    }
    fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
        (
            dual.iter().map(|d| d.re).collect(),
            dual.iter().map(|d| d.eps).collect(),
        )
    }
}

impl Structure for DVector<f64> {
    type Dual = DVector<Dual64>;
    fn flat(&self) -> Vec<f64> {
        self.iter().copied().collect()
    }
    fn rebuild(&self, components: Components) -> Self {
        Self::from_iterator(self.len(), self.iter().map(|_| next(components)))
    }
    fn lift(&self, tangent: Components) -> Self::Dual {
        Self::Dual::from_iterator(
            self.len(),
            self.iter().map(|&x| Dual64::new(x, next(tangent))),
        )
    }
    fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
        (
            dual.iter().map(|d| d.re).collect(),
            dual.iter().map(|d| d.eps).collect(),
        )
    }
}

impl Structure for DMatrix<f64> {
    type Dual = DMatrix<Dual64>;
    fn flat(&self) -> Vec<f64> {
        self.iter().copied().collect()
    }
    fn rebuild(&self, components: Components) -> Self {
        let (r, c) = self.shape();
        Self::from_iterator(r, c, self.iter().map(|_| next(components)))
    }
    fn lift(&self, tangent: Components) -> Self::Dual {
        let (r, c) = self.shape();
        Self::Dual::from_iterator(r, c, self.iter().map(|&x| Dual64::new(x, next(tangent))))
    }
    fn parts(dual: &Self::Dual) -> (Vec<f64>, Vec<f64>) {
        (
            dual.iter().map(|d| d.re).collect(),
            dual.iter().map(|d| d.eps).collect(),
        )
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

/// A Jacobian as returned by `jacfwd`/`jacrev`, as a `DMatrix<f64>`; a tuple
/// of Jacobians (one per argument) becomes the matrices side by side.
pub trait ToDMatrix {
    fn to_dmatrix(&self) -> DMatrix<f64>;
}

impl<const R: usize, const C: usize> ToDMatrix for SMatrix<f64, R, C> {
    fn to_dmatrix(&self) -> DMatrix<f64> {
        DMatrix::from_fn(R, C, |i, j| self[(i, j)])
    }
}

impl ToDMatrix for DMatrix<f64> {
    fn to_dmatrix(&self) -> DMatrix<f64> {
        self.clone()
    }
}

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

/// Any Jacobian (or tuple of Jacobians) as one `DMatrix<f64>`.
pub fn jac<J: ToDMatrix>(j: J) -> DMatrix<f64> {
    j.to_dmatrix()
}

/// A gradient as the one-row Jacobian of a scalar function.
pub fn row(gradient: &[f64]) -> DMatrix<f64> {
    DMatrix::from_row_slice(1, gradient.len(), gradient)
}

/// The one-row Jacobian whose entry `i` is `partial(i)`, for `i < n`.
pub fn row_fn(n: usize, partial: impl Fn(usize) -> f64) -> DMatrix<f64> {
    DMatrix::from_fn(1, n, |_, i| partial(i))
}

/// `n` pseudo-random points shaped like `like`, components in `[lo, hi)`.
pub fn sample<X: Structure>(like: &X, (lo, hi): (f64, f64), n: usize, seed: u64) -> Vec<X> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| like.rebuild(&mut std::iter::from_fn(|| Some(rng.uniform(lo, hi)))))
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "shapes differ");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn largest<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values.into_iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Records a failure per entry of `got` not close to `want`.
fn compare(
    fails: &mut Vec<String>,
    what: &str,
    got: &DMatrix<f64>,
    want: &DMatrix<f64>,
    tol: f64,
    scale: f64,
) {
    if got.shape() != want.shape() {
        fails.push(format!(
            "{what} is {:?}, expected {:?}",
            got.shape(),
            want.shape()
        ));
        return;
    }
    for i in 0..want.nrows() {
        for j in 0..want.ncols() {
            let (g, w) = (got[(i, j)], want[(i, j)]);
            if !close(g, w, tol, scale) {
                fails.push(format!("{what} ({i}, {j}): expected {w:e}, got {g:e}"));
            }
        }
    }
}

type Map<'a, X, Y> = &'a dyn Fn(&X) -> Y;
/// `(x, v) -> (value, tangent)`.
type Jvp<'a, X, Y> = &'a dyn Fn(&X, &X) -> (Y, Y);
/// `(x, cotangents)`: one `vjp`, its pullback applied to each.
type Vjp<'a, X, Y> = &'a dyn Fn(&X, &[Y]) -> (Y, Vec<X>);
/// `jacfwd` and `jacrev`.
type Jacobians<'a, X> = (Map<'a, X, DMatrix<f64>>, Map<'a, X, DMatrix<f64>>);
/// `grad` and `value_and_grad`.
type Grads<'a, X, Y> = (Map<'a, X, X>, Map<'a, X, (Y, X)>);

/// One differentiated function and its oracles; see the module docs.
pub struct Case<'a, X: Structure, Y: Structure> {
    name: &'a str,
    points: Vec<X>,
    f: Map<'a, X, Y>,
    jvp: Jvp<'a, X, Y>,
    vjp: Vjp<'a, X, Y>,
    dual: Option<Map<'a, X::Dual, Y::Dual>>,
    closed: Option<Map<'a, X, DMatrix<f64>>>,
    jacobians: Option<Jacobians<'a, X>>,
    grad: Option<Grads<'a, X, Y>>,
    fd: bool,
    tol: f64,
    closed_tol: f64,
}

impl<'a, X: Structure, Y: Structure> Case<'a, X, Y> {
    /// A case with the generated `jvp` and `vjp`, to be run at `points`.
    pub fn new(
        name: &'a str,
        points: Vec<X>,
        f: Map<'a, X, Y>,
        jvp: Jvp<'a, X, Y>,
        vjp: Vjp<'a, X, Y>,
    ) -> Self {
        Case {
            name,
            points,
            f,
            jvp,
            vjp,
            dual: None,
            closed: None,
            jacobians: None,
            grad: None,
            fd: true,
            tol: TOL64,
            closed_tol: TOL64,
        }
    }

    /// The oracle from num-dual: the body written for dual numbers.
    pub fn dual(mut self, dual: Map<'a, X::Dual, Y::Dual>) -> Self {
        self.dual = Some(dual);
        self
    }

    /// The oracle from a closed form (rows: output components).
    pub fn closed(mut self, closed: Map<'a, X, DMatrix<f64>>) -> Self {
        self.closed = Some(closed);
        self
    }

    /// The generated `jacfwd` and `jacrev`.
    pub fn jacobians(
        mut self,
        fwd: Map<'a, X, DMatrix<f64>>,
        rev: Map<'a, X, DMatrix<f64>>,
    ) -> Self {
        self.jacobians = Some((fwd, rev));
        self
    }

    /// The generated `grad` and `value_and_grad` (scalar outputs).
    pub fn grad(mut self, grad: Map<'a, X, X>, value_and_grad: Map<'a, X, (Y, X)>) -> Self {
        self.grad = Some((grad, value_and_grad));
        self
    }

    /// Tolerance against the oracle and between modes.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Tolerance between the closed form and num-dual.
    pub fn closed_tol(mut self, tol: f64) -> Self {
        self.closed_tol = tol;
        self
    }

    /// No central differences (for functions with jumps near the points).
    pub fn no_fd(mut self) -> Self {
        self.fd = false;
        self
    }

    fn dual_jacobian(&self, dual: Map<'a, X::Dual, Y::Dual>, x: &X, value: &[f64]) -> DMatrix<f64> {
        let n = x.flat().len();
        let columns: Vec<DVector<f64>> = (0..n)
            .map(|k| {
                let mut unit = (0..n).map(|i| if i == k { 1.0 } else { 0.0 });
                let (re, eps) = Y::parts(&dual(&x.lift(&mut unit)));
                assert_eq!(
                    re.len(),
                    value.len(),
                    "{}: the dual twin's shape",
                    self.name
                );
                for (r, v) in re.iter().zip(value) {
                    assert!(
                        close(*r, *v, self.tol, largest(value)),
                        "{}: oracle: the dual twin computes {re:?}, the function {value:?}",
                        self.name
                    );
                }
                DVector::from_vec(eps)
            })
            .collect();
        DMatrix::from_columns(&columns)
    }

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

    /// Runs every check at every point; reports all failures together.
    pub fn run(&self) {
        assert!(!self.points.is_empty(), "{}: no points", self.name);
        let mut fails: Vec<String> = Vec::new();
        let mut rng = Rng(0x5eed + self.name.len() as u64);
        for (p, x) in self.points.iter().enumerate() {
            let at = format!("{} at point {p} {:?}", self.name, x.flat());
            let value = (self.f)(x).flat();
            assert!(
                value.iter().all(|v| v.is_finite()),
                "{at}: outside the domain"
            );
            let (n, m) = (x.flat().len(), value.len());

            // 1. The oracles, checked against each other before anything else.
            let dual = self.dual.map(|d| self.dual_jacobian(d, x, &value));
            let closed = self.closed.map(|c| c(x));
            let oracle = match (&dual, &closed) {
                (Some(d), Some(c)) => {
                    assert_eq!(c.shape(), d.shape(), "{at}: oracle: closed form's shape");
                    let scale = largest(d.iter());
                    for (i, (got, want)) in c.iter().zip(d.iter()).enumerate() {
                        assert!(
                            close(*got, *want, self.closed_tol, scale),
                            "{at}: oracle: closed form {got:e} vs num-dual {want:e} (entry {i})"
                        );
                    }
                    d.clone()
                }
                (Some(j), None) | (None, Some(j)) => j.clone(),
                (None, None) => panic!("{}: oracle: give a dual twin or a closed form", self.name),
            };
            assert_eq!(oracle.shape(), (m, n), "{at}: oracle: Jacobian's shape");
            let scale = largest(oracle.iter());
            let fd_scale = scale.max(largest(&value)).max(1.0);
            let fd = self.fd.then(|| self.fd_jacobian(x));
            if let Some(fd) = &fd {
                for (i, (got, want)) in oracle.iter().zip(fd.iter()).enumerate() {
                    assert!(
                        close(*got, *want, FD_TOL, fd_scale),
                        "{at}: oracle: {got:e} vs central differences {want:e} (entry {i})"
                    );
                }
            }

            // 3. Jacobians and gradients.
            if let Some((fwd, rev)) = self.jacobians {
                let (forward, reverse) = (fwd(x), rev(x));
                compare(
                    &mut fails,
                    &format!("{at}: jacfwd vs oracle"),
                    &forward,
                    &oracle,
                    self.tol,
                    scale,
                );
                compare(
                    &mut fails,
                    &format!("{at}: jacrev vs oracle"),
                    &reverse,
                    &oracle,
                    self.tol,
                    scale,
                );
                compare(
                    &mut fails,
                    &format!("{at}: jacfwd vs jacrev"),
                    &forward,
                    &reverse,
                    self.tol,
                    scale,
                );
                if let Some(fd) = &fd {
                    compare(
                        &mut fails,
                        &format!("{at}: jacfwd vs central differences"),
                        &forward,
                        fd,
                        FD_TOL,
                        fd_scale,
                    );
                    compare(
                        &mut fails,
                        &format!("{at}: jacrev vs central differences"),
                        &reverse,
                        fd,
                        FD_TOL,
                        fd_scale,
                    );
                }
            }
            let mut exact = Vec::new();
            if let Some((grad, value_and_grad)) = self.grad {
                let g = grad(x).flat();
                let (vg_value, vg_grad) = value_and_grad(x);
                exact.push(("value_and_grad's value", vg_value.flat()));
                let g = DMatrix::from_row_slice(1, n, &g);
                let vg_grad = DMatrix::from_row_slice(1, n, &vg_grad.flat());
                compare(
                    &mut fails,
                    &format!("{at}: value_and_grad's gradient vs grad"),
                    &vg_grad,
                    &g,
                    0.0,
                    0.0,
                );
                compare(
                    &mut fails,
                    &format!("{at}: grad vs oracle"),
                    &g,
                    &oracle,
                    self.tol,
                    scale,
                );
                if let Some(fd) = &fd {
                    compare(
                        &mut fails,
                        &format!("{at}: grad vs central differences"),
                        &g,
                        fd,
                        FD_TOL,
                        fd_scale,
                    );
                }
            }

            // The pullback of each unit cotangent is a row of the Jacobian,
            // then the dot-product test with pseudo-random v and w.
            let output = (self.f)(x);
            let units: Vec<Y> = (0..m)
                .map(|i| output.rebuild(&mut (0..m).map(|k| if k == i { 1.0 } else { 0.0 })))
                .collect();
            let vs = sample(x, (-1.0, 1.0), 3, rng.next_u64());
            let ws = sample(&output, (-1.0, 1.0), 3, rng.next_u64());
            let cotangents: Vec<Y> = units.iter().chain(&ws).cloned().collect();
            let (vjp_value, pulled) = (self.vjp)(x, &cotangents);
            exact.push(("vjp's value", vjp_value.flat()));
            let rows: Vec<f64> = pulled[..m].iter().flat_map(|r| r.flat()).collect();
            compare(
                &mut fails,
                &format!("{at}: pullback of unit cotangents vs oracle"),
                &DMatrix::from_row_slice(m, n, &rows),
                &oracle,
                self.tol,
                scale,
            );
            for (v, (w, pulled)) in vs.iter().zip(ws.iter().zip(&pulled[m..])) {
                let (jvp_value, tangent) = (self.jvp)(x, v);
                exact.push(("jvp's value", jvp_value.flat()));
                let (v, w, tangent, pulled) = (v.flat(), w.flat(), tangent.flat(), pulled.flat());
                let jv = &oracle * DVector::from_column_slice(&v);
                for i in 0..m {
                    let row_scale: f64 = (0..n).map(|j| (oracle[(i, j)] * v[j]).abs()).sum();
                    if !close(tangent[i], jv[i], self.tol, row_scale) {
                        fails.push(format!(
                            "{at}: jvp along {v:?}, component {i}: J v = {:e}, got {:e}",
                            jv[i], tangent[i]
                        ));
                    }
                }
                let dot_scale: f64 = (0..m)
                    .flat_map(|i| (0..n).map(move |j| (i, j)))
                    .map(|(i, j)| (w[i] * oracle[(i, j)] * v[j]).abs())
                    .sum();
                let (lhs, rhs) = (dot(&tangent, &w), dot(&v, &pulled));
                if !close(rhs, lhs, self.tol, dot_scale) {
                    fails.push(format!(
                        "{at}: dot-product test, v = {v:?}, w = {w:?}: <jvp(v), w> = {lhs:e}, <v, pullback(w)> = {rhs:e}"
                    ));
                }
            }

            // 2. Values are exactly the kept function's.
            for (what, got) in exact {
                if got != value {
                    fails.push(format!("{at}: {what} {got:?}, expected exactly {value:?}"));
                }
            }
        }
        assert!(
            fails.is_empty(),
            "{} failure(s):\n{}",
            fails.len(),
            fails.join("\n")
        );
    }
}

/// A `Case` for a function whose differentiable arguments are passed as
/// `$arg` (expressions of the point `$x`), followed by static arguments:
/// `case!(f, points, |x, v| (x.0, &x.1[..]) (v.0, v.1.clone()); n)` builds
/// the closures for `f(x.0, &x.1[..], n)`, `jvp`,
/// `vjp`, `jacfwd` and `jacrev`; `scalar` in front adds `grad` and
/// `value_and_grad`. `$t` are the tangents of `jvp`, expressions of `v`
/// (the tangent point, shaped like `x`). A gradient is owned where its
/// argument is borrowed, so points hold owned values (`Vec<f64>` for a
/// `&[f64]` argument, passed as `&x[..]`).
macro_rules! case {
    (scalar $f:ident, $points:expr, |$x:ident, $v:ident| ($($arg:expr),+) ($($t:expr),+) $(; $($s:expr),+)?) => {
        case!($f, $points, |$x, $v| ($($arg),+) ($($t),+) $(; $($s),+)?)
            .grad(
                &|$x| $f::grad($($arg,)+ $($($s),+)?),
                &|$x| $f::value_and_grad($($arg,)+ $($($s),+)?),
            )
    };
    ($f:ident, $points:expr, |$x:ident, $v:ident| ($($arg:expr),+) ($($t:expr),+) $(; $($s:expr),+)?) => {
        $crate::harness::Case::new(
            stringify!($f),
            $points,
            &|$x| $f($($arg,)+ $($($s),+)?),
            &|$x, $v| $f::jvp(($($arg,)+ $($($s,)+)?), ($($t,)+)),
            &|$x, ws| {
                let (y, pullback) = $f::vjp($($arg,)+ $($($s),+)?);
                (y, ws.iter().map(|w| pullback(w.clone())).collect())
            },
        )
        .jacobians(
            &|$x| $crate::harness::jac($f::jacfwd($($arg,)+ $($($s),+)?)),
            &|$x| $crate::harness::jac($f::jacrev($($arg,)+ $($($s),+)?)),
        )
    };
}
