//! Tests of the nalgebra rules, on fixed pseudo-random data.
//!
//! For every rule and shape: (a) the value is exactly nalgebra's own
//! operation; (b) central differences of the value (`h = 1e-6`) agree with
//! `push` of each partial to `1e-7 · (1 + max |push|)`; (c) the dot-product
//! test `⟨push v, w⟩ = ⟨v, pull w⟩` holds to `1e-12` relative to the sum of
//! the absolute terms. Static shapes: `SMatrix` 2x3 and 3x3, `SVector` 3,
//! `RowSVector` 3; dynamic: `DMatrix`, `DVector`, `RowDVector` and a
//! matrix with one static and one dynamic dimension.

use nalgebra::allocator::Allocator;
use nalgebra::{Const, DefaultAllocator, Dim, Matrix2x3, OMatrix, SMatrix, SVector, Vector3, U1};

use crate::linalg_partials::check::{assert_adjoint, assert_fd, inner, Rng, ADJOINT_TOL};
use crate::linalg_partials::{DotWith, LeftMul, Outer, RightMul};
use crate::linear::{accumulate, pull, pull_into, push, seed, zero_like, At, Pull, Push};
use crate::rules;
use crate::tangent::Tangent;

/// Checks (b) and (c) for a one-argument rule at `x` along `dx`, with
/// output cotangent `w`.
fn check_unary<X, Y, P>(f: impl Fn(&X) -> (Y, (P,)), x: &X, dx: &X, w: &Y)
where
    X: Tangent<Scalar = f64>,
    Y: Tangent<Scalar = f64>,
    P: Push<X, Out = Y> + Pull<Y, Out = X>,
{
    let (_, (p,)) = f(x);
    assert_fd(|x| f(x).0, x, dx, &p.push(dx));
    assert_adjoint(&p, dx, w, ADJOINT_TOL);
}

/// Checks (b) and (c) for both partials of a two-argument rule.
fn check_binary<A, B, Y, PA, PB>(
    f: impl Fn(&A, &B) -> (Y, (PA, PB)),
    (a, b): (&A, &B),
    (da, db): (&A, &B),
    w: &Y,
) where
    A: Tangent<Scalar = f64>,
    B: Tangent<Scalar = f64>,
    Y: Tangent<Scalar = f64>,
    PA: Push<A, Out = Y> + Pull<Y, Out = A>,
    PB: Push<B, Out = Y> + Pull<Y, Out = B>,
{
    let (_, (pa, pb)) = f(a, b);
    assert_fd(|a| f(a, b).0, a, da, &pa.push(da));
    assert_fd(|b| f(a, b).0, b, db, &pb.push(db));
    assert_adjoint(&pa, da, w, ADJOINT_TOL);
    assert_adjoint(&pb, db, w, ADJOINT_TOL);
}

/// Operands, tangents and cotangents of one shape.
struct Data<R: Dim, C: Dim>
where
    DefaultAllocator: Allocator<R, C>,
{
    a: OMatrix<f64, R, C>,
    b: OMatrix<f64, R, C>,
    da: OMatrix<f64, R, C>,
    db: OMatrix<f64, R, C>,
    w: OMatrix<f64, R, C>,
    /// A scalar operand, `|s| ≥ 0.5` so that dividing by it is tame.
    s: f64,
    ds: f64,
    ws: f64,
}

impl<R: Dim, C: Dim> Data<R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    fn new(seed: u64, r: R, c: C) -> Self {
        let mut rng = Rng::new(seed);
        let s = rng.uniform();
        Data {
            a: rng.matrix(r, c),
            b: rng.matrix(r, c),
            da: rng.matrix(r, c),
            db: rng.matrix(r, c),
            w: rng.matrix(r, c),
            s: s + 0.5 * s.signum(),
            ds: rng.uniform(),
            ws: rng.uniform(),
        }
    }

    /// `b` moved away from zero (`|bᵢ| ≥ 0.5`), for dividing by it.
    fn b_away_from_zero(&self) -> OMatrix<f64, R, C> {
        self.b.map(|x| x + 0.5 * x.signum())
    }
}

/// Runs a checker on static shapes in one test and dynamic ones in another.
macro_rules! on_shapes {
    ($check:ident: $static_test:ident, $dynamic_test:ident) => {
        #[test]
        fn $static_test() {
            $check(11, Const::<2>, Const::<3>);
            $check(12, Const::<3>, Const::<3>);
            $check(13, Const::<3>, U1);
            $check(14, U1, Const::<3>);
        }

        #[cfg(feature = "alloc")]
        #[test]
        fn $dynamic_test() {
            use nalgebra::Dyn;
            $check(21, Dyn(2), Dyn(3));
            $check(22, Dyn(4), U1);
            $check(23, U1, Dyn(3));
            $check(24, Dyn(3), Const::<2>);
        }
    };
}

fn check_add<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::add(&d.a, &d.b).0, &d.a + &d.b);
    check_binary(rules::add, (&d.a, &d.b), (&d.da, &d.db), &d.w);
}
on_shapes!(check_add: add_static, add_dynamic);

fn check_sub<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::sub(&d.a, &d.b).0, &d.a - &d.b);
    check_binary(rules::sub, (&d.a, &d.b), (&d.da, &d.db), &d.w);
}
on_shapes!(check_sub: sub_static, sub_dynamic);

fn check_neg<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::neg(&d.a).0, -&d.a);
    check_unary(rules::neg, &d.a, &d.da, &d.w);
}
on_shapes!(check_neg: neg_static, neg_dynamic);

fn check_scalar_times_matrix<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::mul(&d.s, &d.a).0, d.s * &d.a);
    check_binary(rules::mul, (&d.s, &d.a), (&d.ds, &d.da), &d.w);
}
on_shapes!(check_scalar_times_matrix: scalar_times_matrix_static, scalar_times_matrix_dynamic);

fn check_matrix_times_scalar<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::mul(&d.a, &d.s).0, &d.a * d.s);
    check_binary(rules::mul, (&d.a, &d.s), (&d.da, &d.ds), &d.w);
}
on_shapes!(check_matrix_times_scalar: matrix_times_scalar_static, matrix_times_scalar_dynamic);

fn check_div<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::div(&d.a, &d.s).0, &d.a / d.s);
    check_binary(rules::div, (&d.a, &d.s), (&d.da, &d.ds), &d.w);
}
on_shapes!(check_div: div_static, div_dynamic);

fn check_dot<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::dot(&d.a, &d.b).0, d.a.dot(&d.b));
    check_binary(rules::dot, (&d.a, &d.b), (&d.da, &d.db), &d.ws);
}
on_shapes!(check_dot: dot_static, dot_dynamic);

fn check_norm<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::norm(&d.a).0, d.a.norm());
    check_unary(rules::norm, &d.a, &d.da, &d.ws);
    // At zero the partial is zero (documented), not NaN.
    let zero = d.a.zero_like();
    let (n, (p,)) = rules::norm(&zero);
    assert_eq!(n, 0.0);
    assert_eq!(push(&p, &d.da), 0.0);
    assert_eq!(pull(&p, &d.ws), zero);
}
on_shapes!(check_norm: norm_static, norm_dynamic);

fn check_norm_squared<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::norm_squared(&d.a).0, d.a.norm_squared());
    check_unary(rules::norm_squared, &d.a, &d.da, &d.ws);
}
on_shapes!(check_norm_squared: norm_squared_static, norm_squared_dynamic);

fn check_sum<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::sum(&d.a).0, d.a.sum());
    check_unary(rules::sum, &d.a, &d.da, &d.ws);
}
on_shapes!(check_sum: sum_static, sum_dynamic);

fn check_transpose<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    let d = Data::new(seed, r, c);
    let w: OMatrix<f64, C, R> = Rng::new(seed + 100).matrix(c, r);
    assert_eq!(rules::transpose(&d.a).0, d.a.transpose());
    check_unary(rules::transpose, &d.a, &d.da, &w);
}
on_shapes!(check_transpose: transpose_static, transpose_dynamic);

fn check_component_mul<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    assert_eq!(rules::component_mul(&d.a, &d.b).0, d.a.component_mul(&d.b));
    check_binary(rules::component_mul, (&d.a, &d.b), (&d.da, &d.db), &d.w);
}
on_shapes!(check_component_mul: component_mul_static, component_mul_dynamic);

fn check_component_div<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    let b = d.b_away_from_zero();
    assert_eq!(rules::component_div(&d.a, &b).0, d.a.component_div(&b));
    check_binary(rules::component_div, (&d.a, &b), (&d.da, &d.db), &d.w);
}
on_shapes!(check_component_div: component_div_static, component_div_dynamic);

/// Every entry, by linear and by `(row, column)` index: the value, the
/// partial's push (exact: indexing is linear), and `PullInto` as the
/// generated reverse code uses it (into a zero adjoint), by the dot-product
/// test against push.
fn check_index<R: Dim, C: Dim>(seed: u64, r: R, c: C)
where
    DefaultAllocator: Allocator<R, C>,
{
    let d = Data::new(seed, r, c);
    for i in 0..d.a.len() {
        let (e, (p,)) = rules::index(&d.a, &i);
        assert_eq!(e, d.a[i]);
        assert_eq!(push(&p, &d.da), d.da[i]);
        let g = pull_into(&p, &d.ws, zero_like(&d.a));
        assert_eq!(inner(&d.da, &g).0, d.da[i] * d.ws);
        // Adding into an existing adjoint touches only entry i.
        let mut expected = d.w.clone();
        expected[i] += d.ws;
        assert_eq!(pull_into(&p, &d.ws, d.w.clone()), expected);
    }
    for i in 0..r.value() {
        for j in 0..c.value() {
            let (e, (p,)) = rules::index(&d.a, &(i, j));
            assert_eq!(e, d.a[(i, j)]);
            assert_eq!(p, At((i, j)));
            assert_eq!(push(&p, &d.da), d.da[(i, j)]);
            let g = pull_into(&p, &d.ws, zero_like(&d.a));
            assert_eq!(inner(&d.da, &g).0, d.da[(i, j)] * d.ws);
        }
    }
}
on_shapes!(check_index: index_static, index_dynamic);

/// The matrix product of an `R × K` and a `K × C` matrix.
fn check_matmul<R: Dim, K: Dim, C: Dim>(seed: u64, r: R, k: K, c: C)
where
    DefaultAllocator: Allocator<R, K> + Allocator<K, C> + Allocator<C, K> + Allocator<R, C>,
{
    let mut rng = Rng::new(seed);
    let a: OMatrix<f64, R, K> = rng.matrix(r, k);
    let b: OMatrix<f64, K, C> = rng.matrix(k, c);
    let da: OMatrix<f64, R, K> = rng.matrix(r, k);
    let db: OMatrix<f64, K, C> = rng.matrix(k, c);
    let w: OMatrix<f64, R, C> = rng.matrix(r, c);
    let (y, (pa, pb)) = rules::mul(&a, &b);
    assert_eq!(y, &a * &b);
    assert_eq!(pa, RightMul(b.clone()));
    assert_eq!(pb, LeftMul(a.clone()));
    check_binary(rules::mul, (&a, &b), (&da, &db), &w);
}

#[test]
fn matmul_static() {
    check_matmul(31, Const::<2>, Const::<3>, Const::<3>); // 2x3 · 3x3
    check_matmul(32, Const::<3>, Const::<3>, U1); // 3x3 · SVector 3
    check_matmul(33, Const::<2>, Const::<3>, U1); // 2x3 · SVector 3
    check_matmul(34, U1, Const::<3>, Const::<3>); // RowSVector 3 · 3x3
    check_matmul(35, Const::<3>, U1, Const::<3>); // outer product
    check_matmul(36, U1, Const::<3>, U1); // row · column
}

#[cfg(feature = "alloc")]
#[test]
fn matmul_dynamic() {
    use nalgebra::Dyn;
    check_matmul(41, Dyn(2), Dyn(3), Dyn(4)); // DMatrix · DMatrix
    check_matmul(42, Dyn(3), Dyn(3), U1); // DMatrix · DVector
    check_matmul(43, U1, Dyn(4), Dyn(2)); // RowDVector · DMatrix
    check_matmul(44, Dyn(4), U1, Dyn(3)); // DVector · RowDVector
    check_matmul(45, Dyn(2), Const::<3>, Dyn(2)); // mixed dimensions
}

/// `f(A, x) = ‖A·x‖²` through the rules, as generated code runs it, against
/// the closed forms `∇ₓ = 2AᵀAx`, `∇_A = 2(Ax)xᵀ`.
#[test]
fn composed_gradient_and_tangent() {
    let mut rng = Rng::new(51);
    let a: SMatrix<f64, 2, 3> = rng.smatrix();
    let x: SVector<f64, 3> = rng.smatrix();
    let (ta, tx): (Matrix2x3<f64>, Vector3<f64>) = (rng.smatrix(), rng.smatrix());
    // Forward sweep.
    let (y, (p_a, p_x)) = rules::mul(&a, &x);
    let (f, (p_y,)) = rules::norm_squared(&y);
    assert_eq!(f, (a * x).norm_squared());
    // Reverse sweep.
    let g_f = seed(&f);
    let g_y = pull(&p_y, &g_f);
    let g_x = pull(&p_x, &g_y);
    let g_a = pull(&p_a, &g_y);
    let (expected_x, expected_a) = (2.0 * a.transpose() * a * x, 2.0 * (a * x) * x.transpose());
    assert!((g_x - expected_x).norm() <= 1e-14 * expected_x.norm());
    assert!((g_a - expected_a).norm() <= 1e-14 * expected_a.norm());
    // Forward mode agrees with the gradient.
    let t_y = accumulate(push(&p_a, &ta), push(&p_x, &tx));
    let t_f = push(&p_y, &t_y);
    let via_grad = g_a.dot(&ta) + g_x.dot(&tx);
    assert!((t_f - via_grad).abs() <= 1e-14 * (1.0 + t_f.abs()));
    // Jacobian of y = A·x in x is A, in both modes (flattening order).
    let jr: SMatrix<f64, 2, 3> = crate::jacobian::reverse(&x.zero_like(), &y, |c| pull(&p_x, c));
    let jf: SMatrix<f64, 2, 3> = crate::jacobian::forward(x.zero_like(), |t| push(&p_x, t));
    assert_eq!(jr, a);
    assert_eq!(jf, a);
    // Jacobian of y in A: row i holds x at the column-major positions of row i of A.
    let ja: SMatrix<f64, 2, 6> = crate::jacobian::forward(a.zero_like(), |t| push(&p_a, t));
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..2 {
                let expected = if k == i { x[j] } else { 0.0 };
                assert_eq!(ja[(k, i + 2 * j)], expected);
            }
        }
    }
}

/// The method rules accept references, as generated code passes them for
/// `&SVector` arguments and for `a.dot(&b)`.
#[test]
fn method_rules_through_references() {
    let mut rng = Rng::new(61);
    let a: SVector<f64, 3> = rng.smatrix();
    let b: SVector<f64, 3> = rng.smatrix();
    let (ra, rb) = (&a, &b);
    assert_eq!(rules::dot(&ra, &rb).0, a.dot(&b));
    assert_eq!(rules::dot(&a, &rb).0, a.dot(&b));
    assert_eq!(rules::dot(&ra, &b).1, (DotWith(b), DotWith(a)));
    assert_eq!(rules::component_mul(&ra, &rb).0, a.component_mul(&b));
    assert_eq!(rules::component_div(&a, &&rb).0, a.component_div(&b));
    assert_eq!(rules::norm(&ra).0, a.norm());
    assert_eq!(rules::norm_squared(&&ra).0, a.norm_squared());
    assert_eq!(rules::sum(&ra).0, a.sum());
    assert_eq!(rules::transpose(&ra).0, a.transpose());
    assert_eq!(rules::index(&ra, &2).0, a[2]);
    assert_eq!(rules::index(&ra, &(1, 0)).0, a[1]);
}

/// `f32` matrices: values, and the dot-product test to `1e-5`.
#[test]
fn f32_rules() {
    let mut rng = Rng::new(71);
    let a: SMatrix<f32, 2, 3> = rng.smatrix();
    let b: SMatrix<f32, 2, 3> = rng.smatrix();
    let x: SVector<f32, 3> = rng.smatrix();
    let w: SVector<f32, 2> = rng.smatrix();
    let (s, ds) = (1.5_f32, 0.25_f32);
    let (y, (pa, px)) = rules::mul(&a, &x);
    assert_eq!(y, a * x);
    assert_adjoint(&pa, &b, &w, 1e-5);
    assert_adjoint(&px, &x, &w, 1e-5);
    let (q, (pq, ps)) = rules::div(&a, &s);
    assert_eq!(q, a / s);
    assert_adjoint(&pq, &b, &a, 1e-5);
    assert_adjoint(&ps, &ds, &a, 1e-5);
    let (z, (pz, _)) = rules::mul(&s, &a);
    assert_eq!(z, s * a);
    assert_eq!(pz, Outer(a));
    assert_eq!(rules::norm(&a).0, a.norm());
    assert_eq!(rules::sum(&a).0, a.sum());
    let (d, (pd, _)) = rules::dot(&a, &b);
    assert_eq!(d, a.dot(&b));
    assert_adjoint(&pd, &b, &ds, 1e-5);
}

#[cfg(feature = "alloc")]
#[test]
#[should_panic]
fn dynamic_shape_mismatch_panics() {
    let a = nalgebra::DMatrix::<f64>::zeros(2, 3);
    let b = nalgebra::DMatrix::<f64>::zeros(2, 2);
    let _ = rules::mul(&a, &b);
}
