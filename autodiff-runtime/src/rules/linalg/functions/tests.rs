//! Tests of the matrix-function rules, as for the other nalgebra rules:
//! the value is nalgebra's own; central differences (`h = 1e-6`) agree with
//! `push`; the dot-product test `⟨push v, w⟩ = ⟨v, pull w⟩` holds, on static
//! and dynamic shapes. Matrices that are inverted are kept well conditioned
//! (`A = I·n + R`).

use nalgebra::allocator::Allocator;
use nalgebra::{Const, DefaultAllocator, Dim, DimMin, OMatrix, Vector3, U1};

use crate::linalg_partials::check::{assert_adjoint, assert_fd, Rng, ADJOINT_TOL};
use crate::linear::{Pull, Push};
use crate::rules;
use crate::tangent::Tangent;

/// (b) and (c) of the module's checks for a rule `f` at `x` along `dx`
/// with output cotangent `w`.
fn check<X, Y, P>(f: impl Fn(&X) -> (Y, P), x: &X, dx: &X, w: &Y)
where
    X: Tangent<Scalar = f64>,
    Y: Tangent<Scalar = f64>,
    P: Push<X, Out = Y> + Pull<Y, Out = X>,
{
    let p = f(x).1;
    assert_fd(|x| f(x).0, x, dx, &p.push(dx));
    assert_adjoint(&p, dx, w, ADJOINT_TOL);
}

fn well_conditioned<D: Dim>(rng: &mut Rng, d: D) -> OMatrix<f64, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let n = d.value() as f64;
    rng.matrix(d, d) + OMatrix::identity_generic(d, d) * n
}

fn square<D: DimMin<D, Output = D>>(seed: u64, d: D)
where
    DefaultAllocator: Allocator<D, D> + Allocator<D> + Allocator<D, U1> + Allocator<U1, D>,
{
    let mut rng = Rng::new(seed);
    let a = well_conditioned(&mut rng, d);
    let (da, w) = (rng.matrix(d, d), rng.matrix(d, d));
    let (ws, b, db, wb) = (
        rng.uniform(),
        rng.matrix(d, U1),
        rng.matrix(d, U1),
        rng.matrix(d, U1),
    );

    assert_eq!(rules::trace(&a).0, a.trace());
    check(|a| (rules::trace(a).0, rules::trace(a).1 .0), &a, &da, &ws);
    assert_eq!(rules::determinant(&a).0, a.determinant());
    check(
        |a| (rules::determinant(a).0, rules::determinant(a).1 .0),
        &a,
        &da,
        &ws,
    );

    let inverse = |a: &OMatrix<f64, D, D>| {
        let (i, (p,)) = rules::try_inverse(a);
        (i.expect("well conditioned"), p.partial.expect("a partial"))
    };
    assert_eq!(rules::try_inverse(&a).0, a.clone().try_inverse());
    check(inverse, &a, &da, &w);

    let solve_a = |a: &OMatrix<f64, D, D>| {
        let (x, (p, _)) = rules::lu_solve(a, &b);
        (x.expect("solvable"), p.partial.expect("a partial"))
    };
    let solve_b = |b: &OMatrix<f64, D, U1>| {
        let (x, (_, p)) = rules::lu_solve(&a, b);
        (x.expect("solvable"), p.partial.expect("a partial"))
    };
    assert_eq!(rules::lu_solve(&a, &b).0, a.clone().lu().solve(&b));
    check(solve_a, &a, &da, &wb);
    check(solve_b, &b, &db, &wb);
}

#[test]
fn square_static() {
    square(31, Const::<1>);
    square(32, Const::<3>);
    square(33, Const::<4>);
}

#[cfg(feature = "alloc")]
#[test]
fn square_dynamic() {
    square(41, nalgebra::Dyn(2));
    square(42, nalgebra::Dyn(5));
}

#[test]
fn singular_matrices_have_none_and_zero_pullbacks() {
    let a = nalgebra::Matrix2::new(1.0, 2.0, 2.0, 4.0);
    let (i, (p,)) = rules::try_inverse(&a);
    assert!(i.is_none());
    assert_eq!(p.pull(&None), nalgebra::Matrix2::zeros());
    assert_eq!(p.push(&a), None);
    let (_, (p,)) = rules::determinant(&a);
    assert_eq!(p.0, nalgebra::Matrix2::zeros());
}

fn any_shape<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator:
        Allocator<R, C> + Allocator<U1, C> + Allocator<U1, R> + Allocator<R> + Allocator<C>,
{
    let mut rng = Rng::new(seed);
    let (a, da, w) = (
        rng.matrix::<f64, R, C>(r, c),
        rng.matrix(r, c),
        rng.matrix(r, c),
    );
    let ws = rng.uniform();
    assert_eq!(rules::normalize(&a).0, a.normalize());
    check(
        |a| (rules::normalize(a).0, rules::normalize(a).1 .0),
        &a,
        &da,
        &w,
    );
    let (wr, wc) = (rng.matrix(U1, c), rng.matrix(r, U1));
    assert_eq!(rules::row_sum(&a).0, a.row_sum());
    check(
        |a| (rules::row_sum(a).0, rules::row_sum(a).1 .0),
        &a,
        &da,
        &wr,
    );
    assert_eq!(rules::column_sum(&a).0, a.column_sum());
    check(
        |a| (rules::column_sum(a).0, rules::column_sum(a).1 .0),
        &a,
        &da,
        &wc,
    );
    assert_eq!(rules::abs(&a).0, a.abs());
    check(|a| (rules::abs(a).0, rules::abs(a).1 .0), &a, &da, &w);
    assert_eq!(rules::entry_max(&a).0, a.max());
    check(
        |a| (rules::entry_max(a).0, rules::entry_max(a).1 .0),
        &a,
        &da,
        &ws,
    );
    assert_eq!(rules::entry_min(&a).0, a.min());
    check(
        |a| (rules::entry_min(a).0, rules::entry_min(a).1 .0),
        &a,
        &da,
        &ws,
    );
    assert_eq!(rules::amax(&a).0, a.amax());
    check(|a| (rules::amax(a).0, rules::amax(a).1 .0), &a, &da, &ws);
    assert_eq!(rules::amin(&a).0, a.amin());
    check(|a| (rules::amin(a).0, rules::amin(a).1 .0), &a, &da, &ws);
}

#[test]
fn any_shape_static() {
    any_shape(51, Const::<2>, Const::<3>);
    any_shape(52, Const::<4>, U1);
    any_shape(53, U1, Const::<3>);
}

#[cfg(feature = "alloc")]
#[test]
fn any_shape_dynamic() {
    any_shape(61, nalgebra::Dyn(3), nalgebra::Dyn(2));
    any_shape(62, nalgebra::Dyn(5), U1);
}

#[test]
fn cross_product() {
    let mut rng = Rng::new(71);
    let (a, b): (Vector3<f64>, Vector3<f64>) = (rng.smatrix(), rng.smatrix());
    let (da, db, w): (Vector3<f64>, Vector3<f64>, Vector3<f64>) =
        (rng.smatrix(), rng.smatrix(), rng.smatrix());
    assert_eq!(rules::cross(&a, &b).0, a.cross(&b));
    check(
        |a| (rules::cross(a, &b).0, rules::cross(a, &b).1 .0),
        &a,
        &da,
        &w,
    );
    check(
        |b| (rules::cross(&a, b).0, rules::cross(&a, b).1 .1),
        &b,
        &db,
        &w,
    );
}

fn cholesky_on<D: DimMin<D, Output = D>>(seed: u64, d: D)
where
    DefaultAllocator: Allocator<D, D> + Allocator<D> + Allocator<D, U1> + Allocator<U1, D>,
{
    let mut rng = Rng::new(seed);
    let r = well_conditioned(&mut rng, d);
    // Symmetric positive definite; tangents of any shape (the rule reads
    // the lower triangle, as nalgebra does).
    let a = &r * r.transpose();
    let (da, w) = (rng.matrix(d, d), rng.matrix(d, d));
    let (b, db, wb) = (rng.matrix(d, U1), rng.matrix(d, U1), rng.matrix(d, U1));

    let factor = |a: &OMatrix<f64, D, D>| {
        let (c, (p,)) = rules::cholesky(a);
        let l = rules::l(&c.expect("positive definite")).0;
        (l, p.partial.expect("a partial"))
    };
    assert_eq!(factor(&a).0, a.clone().cholesky().unwrap().l());
    check(factor, &a, &da, &w);

    // Solving through the factorization, as the chain dA ↦ dL ↦ dx.
    let (c, (to_l,)) = rules::cholesky(&a);
    let c = c.expect("positive definite");
    let (x, (for_l, for_b)) = rules::solve(&c, &b);
    assert_eq!(x, c.solve(&b));
    let to_l = to_l.partial.expect("a partial");
    let pushed = for_l.push(&to_l.push(&da));
    assert_fd(
        |a| a.clone().cholesky().unwrap().solve(&b),
        &a,
        &da,
        &pushed,
    );
    assert_fd(|b| c.solve(b), &b, &db, &for_b.push(&db));
    let dl = to_l.push(&da);
    assert_adjoint(&for_l, &dl, &wb, ADJOINT_TOL);
    assert_adjoint(&for_b, &db, &wb, ADJOINT_TOL);
}

#[test]
fn cholesky_static() {
    cholesky_on(81, Const::<1>);
    cholesky_on(82, Const::<3>);
}

#[cfg(feature = "alloc")]
#[test]
fn cholesky_dynamic() {
    cholesky_on(91, nalgebra::Dyn(4));
}

fn eigen_on<D>(seed: u64, d: D)
where
    D: nalgebra::DimSub<U1>,
    DefaultAllocator: Allocator<D, D>
        + Allocator<D>
        + Allocator<nalgebra::DimDiff<D, U1>>
        + Allocator<D, nalgebra::DimDiff<D, U1>>,
{
    let mut rng = Rng::new(seed);
    let r = rng.matrix(d, d);
    // Symmetric with well separated eigenvalues.
    let spread = OMatrix::from_fn_generic(d, d, |i, j| if i == j { 3.0 * i as f64 } else { 0.0 });
    let a = (&r + r.transpose()) * 0.2 + spread;
    let (da, w) = (rng.matrix(d, d), rng.matrix(d, d));
    let wv = rng.matrix(d, U1);
    let cotangent = nalgebra::SymmetricEigen {
        eigenvalues: wv,
        eigenvectors: w,
    };
    let e = rules::symmetric_eigen(&a).0;
    let reference = a.clone().symmetric_eigen();
    assert_eq!(
        (e.eigenvalues, e.eigenvectors),
        (reference.eigenvalues, reference.eigenvectors)
    );
    check(
        |a| (rules::symmetric_eigen(a).0, rules::symmetric_eigen(a).1 .0),
        &a,
        &da,
        &cotangent,
    );
}

#[test]
fn eigen_static() {
    eigen_on(101, Const::<2>);
    eigen_on(102, Const::<4>);
}

#[cfg(feature = "alloc")]
#[test]
fn eigen_dynamic() {
    eigen_on(111, nalgebra::Dyn(3));
}
