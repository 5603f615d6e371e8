//! Linear algebra and geometry through `#[differentiate]`: `trace`,
//! `determinant`, `try_inverse` (unwrapped, matched, `if let`),
//! `lu().solve`, `cross`, `normalize`, row and column sums, entrywise
//! `abs`, extreme entries; at static and dynamic sizes, in every mode.
//! Oracle: central differences (h = 1e-6, tolerance 1e-6 relative), and
//! closed forms where short.

use autodiff::nalgebra::{
    DMatrix, DVector, Isometry3, Matrix2, Matrix2x3, Matrix3, Point3, Rotation3, SMatrix,
    UnitQuaternion, Vector3,
};
use autodiff::prelude::*;

#[differentiate]
fn log_det_and_trace(a: Matrix3<f64>) -> f64 {
    a.determinant().abs().ln() + a.trace() * 0.5
}

#[differentiate]
fn inverse_quadratic(a: Matrix3<f64>, v: Vector3<f64>) -> f64 {
    let inv = a.try_inverse().unwrap();
    (inv * v).dot(&v)
}

#[differentiate]
fn inverse_matched(a: DMatrix<f64>, v: &DVector<f64>) -> f64 {
    match a.try_inverse() {
        Some(inv) => (inv * v).norm_squared(),
        None => 0.0,
    }
}

#[differentiate]
fn inverse_if_let(a: Matrix3<f64>) -> f64 {
    if let Some(inv) = a.try_inverse() {
        inv.sum()
    } else {
        -1.0
    }
}

#[differentiate]
fn solved(a: Matrix3<f64>, b: Vector3<f64>) -> f64 {
    let x = a.lu().solve(&b).expect("invertible");
    x.norm()
}

/// A Gaussian's negative log-likelihood through the Cholesky factor of its
/// covariance.
#[differentiate]
fn gaussian_nll(cov: Matrix3<f64>, r: Vector3<f64>) -> f64 {
    let c = cov.cholesky().expect("positive definite");
    let l = c.l();
    let log_det = 2.0 * (l[(0, 0)].ln() + l[(1, 1)].ln() + l[(2, 2)].ln());
    0.5 * (r.dot(&c.solve(&r)) + log_det)
}

#[differentiate]
fn cholesky_matched(cov: &DMatrix<f64>) -> f64 {
    match cov.clone().cholesky() {
        Some(c) => c.l().sum(),
        None => 0.0,
    }
}

/// The largest eigenvalue and the squared alignment of its eigenvector
/// with a direction (invariant to the eigenvector's sign).
#[differentiate]
fn principal(a: Matrix3<f64>, d: Vector3<f64>) -> f64 {
    let e = a.symmetric_eigen();
    let mut k = 0;
    for i in 1..3 {
        if e.eigenvalues[i] > e.eigenvalues[k] {
            k = i;
        }
    }
    let u = e.eigenvectors.column(k).into_owned();
    e.eigenvalues[k] + u.dot(&d).powi(2)
}

#[differentiate]
fn torque(r: Vector3<f64>, f: Vector3<f64>) -> Vector3<f64> {
    r.cross(&f).normalize() * r.norm()
}

#[differentiate]
fn sums(m: SMatrix<f64, 2, 3>) -> f64 {
    let rows = m.row_sum();
    let cols = m.column_sum();
    rows.dot(&rows) + cols.max() * m.abs().sum() - m.min() + m.amax() * m.amin()
}

#[differentiate]
fn sums_dynamic(m: &DMatrix<f64>) -> f64 {
    let rows = m.row_sum();
    let cols = m.column_sum();
    rows.dot(&rows) + cols.max() * m.abs().sum() - m.min() + m.amax() * m.amin()
}

/// Central differences of `f` with respect to each entry of `x`.
fn fd<const R: usize, const C: usize>(
    f: impl Fn(SMatrix<f64, R, C>) -> f64,
    x: SMatrix<f64, R, C>,
) -> SMatrix<f64, R, C> {
    let h = 1e-6;
    SMatrix::from_fn(|i, j| {
        let (mut a, mut b) = (x, x);
        a[(i, j)] += h;
        b[(i, j)] -= h;
        (f(a) - f(b)) / (2.0 * h)
    })
}

fn close<const R: usize, const C: usize>(a: SMatrix<f64, R, C>, b: SMatrix<f64, R, C>) {
    let scale = 1.0 + b.amax();
    assert!((a - b).amax() <= 1e-6 * scale, "{a} vs {b}");
}

fn a3() -> Matrix3<f64> {
    Matrix3::new(2.0, 0.3, -0.5, 0.1, 3.0, 0.4, -0.2, 0.6, 1.5)
}

#[test]
fn determinant_and_trace() {
    let a = a3();
    // d/dA ln|det A| = A⁻ᵀ, d/dA tr(A)/2 = I/2.
    let g = log_det_and_trace::grad(a);
    let closed = a.try_inverse().unwrap().transpose() + Matrix3::identity() * 0.5;
    close(g, closed);
    close(g, fd(log_det_and_trace, a));
    let j = log_det_and_trace::jacfwd(a);
    for k in 0..9 {
        assert!((j[k] - g[k]).abs() < 1e-12);
    }
}

#[test]
fn inverse_in_three_spellings() {
    let (a, v) = (a3(), Vector3::new(0.4, -1.0, 0.7));
    let (ga, gv) = inverse_quadratic::grad(a, v);
    close(ga, fd(|a| inverse_quadratic(a, v), a));
    close(gv, fd(|v| inverse_quadratic(a, v), v));
    close(inverse_if_let::grad(a), fd(inverse_if_let, a));

    let (ad, vd) = (
        DMatrix::from_column_slice(3, 3, a.as_slice()),
        DVector::from_column_slice(v.as_slice()),
    );
    let gd = inverse_matched::grad(ad.clone(), &vd);
    let gs = fd(
        |a| inverse_matched(DMatrix::from_column_slice(3, 3, a.as_slice()), &vd),
        a,
    );
    close(Matrix3::from_column_slice(gd.0.as_slice()), gs);
    // A singular matrix takes the `None` arm: zero gradient.
    let singular = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 4.0]);
    let (value, g) = inverse_matched::value_and_grad(singular, &DVector::from_element(2, 1.0));
    assert_eq!(value, 0.0);
    assert_eq!(g.0, DMatrix::zeros(2, 2));
    // Forward mode agrees with reverse mode.
    let da = Matrix3::new(0.3, -0.1, 0.2, 0.5, 0.0, -0.4, 0.1, 0.2, 0.3);
    let (_, d) = inverse_if_let::jvp((a,), (da,));
    assert!((d - inverse_if_let::grad(a).dot(&da)).abs() < 1e-12);
}

#[test]
fn linear_solve() {
    let (a, b) = (a3(), Vector3::new(1.0, -2.0, 0.5));
    let (ga, gb) = solved::grad(a, b);
    close(ga, fd(|a| solved(a, b), a));
    close(gb, fd(|b| solved(a, b), b));
}

#[test]
fn cross_and_normalize() {
    let (r, f) = (Vector3::new(0.3, -1.2, 0.8), Vector3::new(1.1, 0.4, -0.6));
    let (jr, jf) = torque::jacrev(r, f);
    let (kr, kf) = torque::jacfwd(r, f);
    for i in 0..3 {
        let row_r = fd(|r| torque(r, f)[i], r);
        let row_f = fd(|f| torque(r, f)[i], f);
        for k in 0..3 {
            assert!((jr[(i, k)] - row_r[k]).abs() < 1e-6 && (kr[(i, k)] - row_r[k]).abs() < 1e-6);
            assert!((jf[(i, k)] - row_f[k]).abs() < 1e-6 && (kf[(i, k)] - row_f[k]).abs() < 1e-6);
        }
    }
}

#[test]
fn row_and_column_sums_and_extremes() {
    let m = SMatrix::<f64, 2, 3>::new(0.5, -1.5, 2.0, 0.25, 1.0, -0.75);
    let g = sums::grad(m);
    close(g, fd(sums, m));
    let d = DMatrix::from_column_slice(2, 3, m.as_slice());
    let gd = sums_dynamic::grad(&d);
    close(SMatrix::<f64, 2, 3>::from_column_slice(gd.as_slice()), g);
}

#[test]
fn cholesky_factor_and_solve() {
    let m = a3();
    let cov = m * m.transpose();
    let r = Vector3::new(0.5, -1.0, 0.25);
    let (gc, gr) = gaussian_nll::grad(cov, r);
    // Only the lower triangle of the covariance is read (as by nalgebra):
    // the symmetric gradient Σ⁻¹/2 − Σ⁻¹rrᵀΣ⁻¹/2 lands there, doubled off
    // the diagonal.
    let fd_lower = fd(|c| gaussian_nll(c, r), cov);
    close(gc, fd_lower);
    let inv = cov.try_inverse().unwrap();
    let sym = (inv - inv * r * r.transpose() * inv) * 0.5;
    let folded = Matrix3::from_fn(|i, j| match i.cmp(&j) {
        std::cmp::Ordering::Greater => 2.0 * sym[(i, j)],
        std::cmp::Ordering::Equal => sym[(i, j)],
        std::cmp::Ordering::Less => 0.0,
    });
    close(gc, folded);
    close(gr, inv * r);
    let d = DMatrix::from_column_slice(3, 3, cov.as_slice());
    let gd = cholesky_matched::grad(&d);
    let fs = fd(
        |c| cholesky_matched(&DMatrix::from_column_slice(3, 3, c.as_slice())),
        cov,
    );
    close(Matrix3::from_column_slice(gd.as_slice()), fs);
    let not_spd = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 2.0, 1.0]);
    assert_eq!(cholesky_matched::grad(&not_spd), DMatrix::zeros(2, 2));
}

#[test]
fn symmetric_eigendecomposition() {
    let m = Matrix3::new(2.0, 0.3, -0.5, 0.3, 1.0, 0.4, -0.5, 0.4, -1.5);
    let d = Vector3::new(0.2, 1.0, -0.3);
    let (ga, gd) = principal::grad(m, d);
    close(ga, fd(|a| principal(a, d), m));
    close(gd, fd(|d| principal(m, d), d));
}

/// A reprojection residual, bundle adjustment's shape: a camera rotation
/// from a scaled axis, a translation, a point; plus a quaternion chain.
#[differentiate]
fn reprojection(w: Vector3<f64>, t: Vector3<f64>, p: Point3<f64>) -> Vector3<f64> {
    let r = Rotation3::from_scaled_axis(w);
    let cam = r * p.coords + t;
    let q = UnitQuaternion::from_scaled_axis(w * 0.5);
    let iso = Isometry3::new(t, w);
    let moved = iso * p;
    let both = (q * q) * cam;
    let back = iso.inverse() * moved;
    let undone = r.inverse() * (q.inverse() * cam);
    Vector3::new(cam.x / cam.z, cam.y / cam.z, 0.0)
        + both * 0.1
        + moved.coords * 0.01
        + (r * p).coords * 0.001
        + back.coords * 0.02
        + undone * 0.03
}

/// An outer product `u vᵀ`: `tr(u vᵀ) + Σ(u vᵀ u vᵀ) = u·v (1 + Σu Σv)`.
#[differentiate]
fn outer(u: Vector3<f64>, v: Vector3<f64>) -> f64 {
    let m = u * v.transpose();
    m.trace() + (m * m).sum()
}

#[test]
fn rotations_and_isometries() {
    let (w, t, p) = (
        Vector3::new(0.3, -0.2, 0.5),
        Vector3::new(0.1, 0.2, 4.0),
        Point3::new(0.5, -0.4, 1.0),
    );
    let (jw, jt, jp) = reprojection::jacrev(w, t, p);
    let (kw, kt, kp) = reprojection::jacfwd(w, t, p);
    for i in 0..3 {
        let rw = fd(|w| reprojection(w, t, p)[i], w);
        let rt = fd(|t| reprojection(w, t, p)[i], t);
        let rp = fd(|c| reprojection(w, t, Point3::from(c))[i], p.coords);
        for k in 0..3 {
            for (j, r) in [(&jw, rw[k]), (&kw, rw[k]), (&jt, rt[k]), (&kt, rt[k])] {
                assert!(
                    (j[(i, k)] - r).abs() < 1e-6,
                    "{i} {k}: {} vs {r}",
                    j[(i, k)]
                );
            }
            assert!((jp[(i, k)] - rp[k]).abs() < 1e-6 && (kp[(i, k)] - rp[k]).abs() < 1e-6);
        }
    }
}

#[test]
fn outer_products() {
    let (u, v) = (Vector3::new(0.5, -1.0, 2.0), Vector3::new(1.5, 0.25, -0.5));
    let (gu, gv) = outer::grad(u, v);
    close(gu, fd(|u| outer(u, v), u));
    close(gv, fd(|v| outer(u, v), v));
    let (su, sv, uv) = (u.sum(), v.sum(), u.dot(&v));
    let closed_u = v * (1.0 + su * sv) + Vector3::repeat(uv * sv);
    close(gu, closed_u);
}

/// Matrices built entry by entry, row by row as `new` takes them.
#[differentiate]
fn built_matrices(x: f64, y: f64) -> f64 {
    let m = Matrix2::new(x, 2.0 * y, x * y, 1.0);
    let r = Matrix2x3::new(x, y, 1.0, 0.0, x, y);
    (m * r).sum() + m.determinant() + m[(0, 1)] * 3.0
}

#[test]
fn matrices_from_entries() {
    let (x, y) = (0.7, -1.3);
    // m = [[x, 2y], [xy, 1]], r = [[x, y, 1], [0, x, y]]; m r summed, det m
    // = x - 2xy², m₀₁ = 2y.
    let value = |x: f64, y: f64| {
        let (m, r) = ([[x, 2.0 * y], [x * y, 1.0]], [[x, y, 1.0], [0.0, x, y]]);
        let mut s = 0.0;
        for row in m {
            for (a, b) in r[0].iter().zip(&r[1]) {
                s += row[0] * a + row[1] * b;
            }
        }
        s + x - 2.0 * x * y * y + 6.0 * y
    };
    assert!((built_matrices(x, y) - value(x, y)).abs() < 1e-12);
    let (gx, gy) = built_matrices::grad(x, y);
    let h = 1e-6;
    assert!((gx - (value(x + h, y) - value(x - h, y)) / (2.0 * h)).abs() < 1e-7);
    assert!((gy - (value(x, y + h) - value(x, y - h)) / (2.0 * h)).abs() < 1e-7);
}
