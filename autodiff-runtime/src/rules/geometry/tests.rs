//! Each geometry rule against central differences through a scaled axis
//! (rotations are built from vectors, so that every perturbation stays a
//! rotation), at an ordinary angle and near zero; the dot-product test
//! holds by construction of [`Flat`] but is checked too.

use super::*;
use crate::linalg_partials::check::{assert_adjoint, assert_fd, Rng, ADJOINT_TOL};

fn vectors(seed: u64) -> [Vector3<f64>; 4] {
    let mut rng = Rng::new(seed);
    [rng.smatrix(), rng.smatrix(), rng.smatrix(), rng.smatrix()]
}

#[test]
fn rotations_from_scaled_axes() {
    for (seed, scale) in [(1, 1.0), (2, 2.5), (3, 1e-5)] {
        let [w, dw, v, c] = vectors(seed);
        let w = w * scale;
        let (r, (pr,)) = rotation3_from_scaled_axis(&w);
        assert_eq!(r, Rotation3::from_scaled_axis(w));
        assert_fd(
            |w| *Rotation3::from_scaled_axis(*w).matrix(),
            &w,
            &dw,
            &pr.push(&dw),
        );
        assert_adjoint(
            &pr,
            &dw,
            &Matrix3::from_fn(|i, j| c[i] * c[j] + 0.1 * j as f64),
            ADJOINT_TOL,
        );
        let (q, (pq,)) = unit_quaternion_from_scaled_axis(&w);
        assert_eq!(q, UnitQuaternion::from_scaled_axis(w));
        assert_fd(
            |w| UnitQuaternion::from_scaled_axis(*w).coords,
            &w,
            &dw,
            &pq.push(&dw),
        );

        // Products with a vector and a point, through the scaled axis.
        let (_, (by_r, by_v)) = rotation3_from_scaled_axis(&w).0.mul_rule(&v);
        assert_fd(
            |w| Rotation3::from_scaled_axis(*w) * v,
            &w,
            &dw,
            &by_r.push(&pr.push(&dw)),
        );
        assert_fd(|v| r * v, &v, &dw, &by_v.push(&dw));
        let (_, (by_q, by_v)) = q.mul_rule(&v);
        assert_fd(
            |w| UnitQuaternion::from_scaled_axis(*w) * v,
            &w,
            &dw,
            &by_q.push(&pq.push(&dw)),
        );
        assert_fd(|v| q * v, &v, &dw, &by_v.push(&dw));
        let p = Point3::from(v);
        let (_, (by_q, by_p)) = q.mul_rule(&p);
        assert_fd(
            |w| UnitQuaternion::from_scaled_axis(*w) * p,
            &w,
            &dw,
            &by_q.push(&pq.push(&dw)),
        );
        assert_fd(
            |p| q * p,
            &p,
            &Point3::from(dw),
            &by_p.push(&Point3::from(dw)),
        );
        assert_adjoint(&by_q, &pq.push(&dw), &Point3::from(c), ADJOINT_TOL);
        let (_, (by_r, by_p)) = r.mul_rule(&p);
        assert_fd(
            |w| Rotation3::from_scaled_axis(*w) * p,
            &w,
            &dw,
            &by_r.push(&pr.push(&dw)),
        );
        assert_fd(
            |p| r * p,
            &p,
            &Point3::from(dw),
            &by_p.push(&Point3::from(dw)),
        );
    }
}

#[test]
fn products_of_rotations() {
    let [w1, w2, dw, _] = vectors(7);
    let (q1, (p1,)) = unit_quaternion_from_scaled_axis(&w1);
    let (q2, (p2,)) = unit_quaternion_from_scaled_axis(&w2);
    let (q, (by_a, by_b)) = q1.mul_rule(&q2);
    assert_eq!(q, q1 * q2);
    let f = |a: &Vector3<f64>, b: &Vector3<f64>| {
        (UnitQuaternion::from_scaled_axis(*a) * UnitQuaternion::from_scaled_axis(*b)).coords
    };
    assert_fd(|a| f(a, &w2), &w1, &dw, &by_a.push(&p1.push(&dw)));
    assert_fd(|b| f(&w1, b), &w2, &dw, &by_b.push(&p2.push(&dw)));

    let (r1, (s1,)) = rotation3_from_scaled_axis(&w1);
    let (r2, (s2,)) = rotation3_from_scaled_axis(&w2);
    let (_, (by_a, by_b)) = r1.mul_rule(&r2);
    let g = |a: &Vector3<f64>, b: &Vector3<f64>| {
        *(Rotation3::from_scaled_axis(*a) * Rotation3::from_scaled_axis(*b)).matrix()
    };
    assert_fd(|a| g(a, &w2), &w1, &dw, &by_a.push(&s1.push(&dw)));
    assert_fd(|b| g(&w1, b), &w2, &dw, &by_b.push(&s2.push(&dw)));
}

#[test]
fn isometries() {
    let [t, w, dt, v] = vectors(11);
    let (iso, (by_t, by_w)) = isometry3_new(&t, &w);
    assert_eq!(iso, Isometry3::new(t, w));
    let p = Point3::from(v);
    let (_, (by_iso, by_p)) = iso.mul_rule(&p);
    assert_fd(
        |t| Isometry3::new(*t, w) * p,
        &t,
        &dt,
        &by_iso.push(&by_t.push(&dt)),
    );
    assert_fd(
        |w| Isometry3::new(t, *w) * p,
        &w,
        &dt,
        &by_iso.push(&by_w.push(&dt)),
    );
    assert_fd(
        |p| iso * p,
        &p,
        &Point3::from(dt),
        &by_p.push(&Point3::from(dt)),
    );
    let (_, (by_iso, _)) = iso.mul_rule(&v);
    assert_fd(
        |w| Isometry3::new(t, *w) * v,
        &w,
        &dt,
        &by_iso.push(&by_w.push(&dt)),
    );
}

#[test]
fn inverses() {
    let [w, t, dw, v] = vectors(13);
    let (r, (pr,)) = rotation3_from_scaled_axis(&w);
    let (ri, (by_r,)) = inverse(&r);
    assert_eq!(ri, r.inverse());
    assert_fd(
        |w| *Rotation3::from_scaled_axis(*w).inverse().matrix(),
        &w,
        &dw,
        &by_r.push(&pr.push(&dw)),
    );
    let (q, (pq,)) = unit_quaternion_from_scaled_axis(&w);
    let (_, (by_q,)) = inverse(&q);
    assert_fd(
        |w| UnitQuaternion::from_scaled_axis(*w).inverse().coords,
        &w,
        &dw,
        &by_q.push(&pq.push(&dw)),
    );
    let (iso, (by_t, by_w)) = isometry3_new(&t, &w);
    let (inv, (by_iso,)) = inverse(&iso);
    let p = Point3::from(v);
    let (_, (on_p, _)) = inv.mul_rule(&p);
    assert_fd(
        |w| Isometry3::new(t, *w).inverse() * p,
        &w,
        &dw,
        &on_p.push(&by_iso.push(&by_w.push(&dw))),
    );
    assert_fd(
        |t| Isometry3::new(*t, w).inverse() * p,
        &t,
        &dw,
        &on_p.push(&by_iso.push(&by_t.push(&dw))),
    );
}
