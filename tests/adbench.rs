//! Values and derivatives of the ADBench objectives and the tutorial's image
//! loss (`benches/workloads/`, timed by `benches/adbench.rs`) at small sizes.
//!
//! Oracles: the GMM objective against a second, independent evaluation with
//! nalgebra matrices (`1e-12` relative); every gradient and Jacobian against
//! central differences (step `1e-6`, `1e-6` relative to the larger of the
//! entry and 1, as in the other tests); `jacfwd` against `jacrev` and `vjp`
//! (`1e-12`); the image loss's gradient against its closed form (`1e-12`).
//! And the heap allocations of a GMM gradient do not grow with the number of
//! points.

// The bench uses some items the tests do not.
#[allow(dead_code)]
#[path = "../benches/workloads/mod.rs"]
mod workloads;

use autodiff::nalgebra::{DMatrix, DVector};
use workloads::{ba, gmm, image, lstm};

fn close(got: f64, want: f64, tol: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(1.0)
}

/// Central differences of `f` at `x`, every component.
fn differences(x: &[f64], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let h = 1e-6;
    (0..x.len())
        .map(|i| {
            let (mut up, mut down) = (x.to_vec(), x.to_vec());
            up[i] += h;
            down[i] -= h;
            (f(&up) - f(&down)) / (2.0 * h)
        })
        .collect()
}

fn assert_all_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol), "{what}[{i}]: {g} vs {w}");
    }
}

/// The GMM objective again, from its formula with whole matrices:
/// `Σ_i logsumexp_k(α_k + Σ log diag Q_k - ½‖Q_k (x_i - μ_k)‖²)
///  - n logsumexp(α) + Σ_k (½γ²‖Q_k‖²_F - m Σ log diag Q_k)`.
fn gmm_by_matrices(p: &gmm::Problem, gamma: f64, m: f64) -> f64 {
    let (d, k) = (p.d, p.k);
    let icf_sz = d * (d + 1) / 2;
    let q: Vec<DMatrix<f64>> = (0..k)
        .map(|c| {
            let icf = &p.icf[c * icf_sz..(c + 1) * icf_sz];
            let mut q = DMatrix::zeros(d, d);
            let mut next = d;
            for col in 0..d {
                q[(col, col)] = icf[col].exp();
                for row in col + 1..d {
                    q[(row, col)] = icf[next];
                    next += 1;
                }
            }
            q
        })
        .collect();
    let logsumexp = |v: &[f64]| {
        let mx = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        v.iter().map(|a| (a - mx).exp()).sum::<f64>().ln() + mx
    };
    let log_det = |c: usize| (0..d).map(|i| p.icf[c * icf_sz + i]).sum::<f64>();
    let mut total = 0.0;
    for i in 0..p.n {
        let x = DVector::from_column_slice(&p.x[i * d..(i + 1) * d]);
        let terms: Vec<f64> = (0..k)
            .map(|c| {
                let mu = DVector::from_column_slice(&p.means[c * d..(c + 1) * d]);
                p.alphas[c] + log_det(c) - 0.5 * (&q[c] * (&x - mu)).norm_squared()
            })
            .collect();
        total += logsumexp(&terms);
    }
    total -= p.n as f64 * logsumexp(&p.alphas);
    for (c, q) in q.iter().enumerate() {
        total += 0.5 * gamma * gamma * q.norm_squared() - m * log_det(c);
    }
    total
}

#[test]
fn gmm_value_and_gradient() {
    for (d, k, n) in [(2, 3, 5), (3, 2, 4), (1, 1, 2)] {
        let p = gmm::Problem::new(d, k, n);
        assert!(close(p.value(), gmm_by_matrices(&p, 1.0, 0.0), 1e-12));
        // A prior with m ≠ 0 as well.
        let with_m = gmm::objective(&p.alphas, &p.means, &p.icf, &p.x, d, k, n, 0.7, 2);
        assert!(close(with_m, gmm_by_matrices(&p, 0.7, 2.0), 1e-12));

        let (ga, gm, gi) = p.grad();
        let (na, nm) = (p.alphas.len(), p.means.len());
        let joint: Vec<f64> = [&p.alphas[..], &p.means, &p.icf].concat();
        let want = differences(&joint, |v| {
            gmm::objective(
                &v[..na],
                &v[na..na + nm],
                &v[na + nm..],
                &p.x,
                d,
                k,
                n,
                1.0,
                0,
            )
        });
        let got = [ga, gm, gi].concat();
        assert_all_close("gmm gradient", &got, &want, 1e-6);
    }
}

#[test]
fn gmm_gradient_allocations_do_not_grow_with_points() {
    let count = |n: usize| {
        let p = gmm::Problem::new(3, 4, n);
        // The first call leaves its tapes' storage to the thread.
        std::hint::black_box(p.grad());
        allocation_counter::measure(|| {
            std::hint::black_box(p.grad());
        })
        .count_total
    };
    let (small, large) = (count(10), count(200));
    assert_eq!(small, large, "allocations at n = 10 and n = 200");
    // The function's own scratch vectors, the three gradients and the
    // adjoints of the scratch vectors.
    assert!(small <= 24, "{small} allocations");
}

#[test]
fn ba_jacobian_in_both_modes_and_both_branches() {
    let mut at_zero_angle = ba::parameters();
    at_zero_angle[..3].copy_from_slice(&[0.0; 3]);
    for p in [ba::parameters(), at_zero_angle] {
        let forward = ba::residual::jacfwd(p, ba::FEATURE);
        let reverse = ba::residual::jacrev(p, ba::FEATURE);
        assert_all_close(
            "jacfwd vs jacrev",
            forward.as_slice(),
            reverse.as_slice(),
            1e-12,
        );
        let (_, pullback) = ba::residual::vjp(p, ba::FEATURE);
        for row in 0..3 {
            let mut ct = [0.0; 3];
            ct[row] = 1.0;
            let pulled = pullback(ct);
            let want: Vec<f64> = (0..15).map(|c| forward[(row, c)]).collect();
            assert_all_close("vjp row", &pulled, &want, 1e-12);
            let fd = differences(&p, |v| {
                let mut q = [0.0; 15];
                q.copy_from_slice(v);
                ba::residual(q, ba::FEATURE)[row]
            });
            // At a zero angle the differences step into the other branch,
            // which agrees with this one to first order.
            assert_all_close("jacfwd vs differences", &want, &fd, 1e-6);
        }
    }
}

#[test]
fn lstm_gradient() {
    let p = lstm::Problem::new(2, 3, 4);
    let (gm, ge) = p.grad();
    let nm = p.main.len();
    let joint: Vec<f64> = [&p.main[..], &p.extra].concat();
    let want = differences(&joint, |v| {
        lstm::objective(&v[..nm], &v[nm..], &p.state, &p.seq, p.l, p.c, p.b)
    });
    assert_all_close("lstm gradient", &[gm, ge].concat(), &want, 1e-6);
}

#[test]
fn image_loss_gradient() {
    for n in [4, 17] {
        let (predicted, target) = image::images(n);
        let s = 0.5 * (&predicted - &target).norm_squared();
        assert!(s > 0.5 && s < 2.0, "the sigmoid does not saturate: s = {s}");
        let got = image::loss::grad(&predicted, &target);
        let want = image::grad_by_hand(&predicted, &target);
        assert_all_close(
            "image loss gradient",
            got.as_slice(),
            want.as_slice(),
            1e-12,
        );
        // The difference `Î − I` and the gradient, nothing else: the
        // partial of `‖d‖²` scales `d` in place (its last read), and the
        // gradient starts from no zeros.
        let allocations = allocation_counter::measure(|| {
            std::hint::black_box(image::loss::grad(&predicted, &target));
        });
        assert_eq!(allocations.count_total, 2);
    }
}
