//! Custom derivative rules (`#[custom_jvp]`, `#[custom_vjp]`), on their own
//! and as primitives inside differentiated functions: in loops, branches
//! and with struct arguments, in every mode each supports.
//!
//! Oracles: closed forms of the rules (a custom rule may differ from the
//! body's derivative on purpose, as clipping does), num-dual twins where
//! the rule is the body's derivative, and the harness's own checks
//! (central differences, `jvp` against the Jacobian, the dot-product test
//! between `jvp` and `vjp`, which for a `custom_jvp` function checks the
//! transposition by one rule evaluation per input component).

// Loops over indices are the style these programs are written in.
#![allow(clippy::needless_range_loop)]

mod common;
#[macro_use]
mod harness;

use autodiff::prelude::*;
use harness::sample;
use num_dual::{Dual64, DualNum};

// ---------------------------------------------------------------------------
// custom_jvp: a numerically stable log(1 + eˣ)
// ---------------------------------------------------------------------------

#[custom_jvp(jvp = log1pexp_jvp)]
fn log1pexp(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 - 1.0 / (1.0 + x.exp())
}

fn log1pexp_jvp((x,): (f64,), (dx,): (f64,)) -> (f64, f64) {
    (log1pexp(x), sigmoid(x) * dx)
}

#[differentiate]
fn softplus_sum(x: [f64; 3], n: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..n {
        if x[i] > 0.0 {
            total += log1pexp(x[i] * x[i]);
        } else {
            total -= 0.5 * log1pexp(x[i]);
        }
    }
    total
}

fn softplus_sum_dual(x: &[Dual64; 3], n: usize) -> Dual64 {
    let mut total = Dual64::from(0.0);
    for xi in x.iter().take(n) {
        let term = |v: Dual64| (v.exp() + 1.0).ln();
        if xi.re > 0.0 {
            total += term(*xi * *xi);
        } else {
            total -= term(*xi) * 0.5;
        }
    }
    total
}

#[test]
fn log1pexp_is_stable_where_its_body_is_not() {
    // The body's own derivative eˣ / (1 + eˣ) is inf / inf here.
    assert_eq!(log1pexp::grad(800.0), 1.0);
    assert_eq!(log1pexp::jvp((800.0,), (2.0,)).1, 2.0);
    assert_eq!(log1pexp::vjp(800.0).1(3.0), 3.0);
    for x in [-3.0, -0.5, 0.0, 0.7, 4.0] {
        let want = x.exp() / (1.0 + x.exp());
        assert!((log1pexp::grad(x) - want).abs() <= 1e-15, "{x}");
    }
}

#[test]
fn custom_jvp_inside_loops_and_branches() {
    for n in [2, 3] {
        let points = sample(&[0.0; 3], (-2.0, 2.0), 4, 1);
        case!(scalar softplus_sum, points, |x, v| (*x) (*v); n)
            .dual(&|x| softplus_sum_dual(x, n))
            .run();
    }
    // Large arguments: finite where the body's derivative would be NaN.
    let g = softplus_sum::grad([30.0, -800.0, 1.0], 3);
    assert_eq!(g[0], 60.0);
    assert_eq!(g[1], 0.0);
}

// ---------------------------------------------------------------------------
// custom_jvp with several arguments and a vector output
// ---------------------------------------------------------------------------

/// Polar to Cartesian coordinates, with its rule written out.
#[custom_jvp(jvp = polar_jvp)]
fn polar(r: f64, angle: [f64; 1]) -> [f64; 2] {
    [r * angle[0].cos(), r * angle[0].sin()]
}

fn polar_jvp((r, angle): (f64, [f64; 1]), (dr, da): (f64, [f64; 1])) -> ([f64; 2], [f64; 2]) {
    let (c, s) = (angle[0].cos(), angle[0].sin());
    (
        [r * c, r * s],
        [c * dr - r * s * da[0], s * dr + r * c * da[0]],
    )
}

fn polar_dual((r, a): &(Dual64, [Dual64; 1])) -> [Dual64; 2] {
    [*r * a[0].cos(), *r * a[0].sin()]
}

#[differentiate]
fn arc(r: f64, angle: [f64; 1]) -> f64 {
    let p = polar(r, angle);
    let q = polar(p[0], [p[1]]);
    q[0] * q[1] + p[0]
}

fn arc_dual(x: &(Dual64, [Dual64; 1])) -> Dual64 {
    let p = polar_dual(x);
    let q = polar_dual(&(p[0], [p[1]]));
    q[0] * q[1] + p[0]
}

#[test]
fn several_arguments_and_vector_outputs() {
    let points = sample(&(0.0, [0.0; 1]), (-2.0, 2.0), 4, 2);
    case!(polar, points.clone(), |x, v| (x.0, x.1)(v.0, v.1))
        .dual(&polar_dual)
        .run();
    case!(scalar arc, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&arc_dual)
        .run();
}

// ---------------------------------------------------------------------------
// custom_vjp: gradient clipping, and a solver the macro cannot see
// ---------------------------------------------------------------------------

#[custom_vjp(fwd = clip_fwd, bwd = clip_bwd)]
fn clip_gradient(x: f64) -> f64 {
    x
}

fn clip_fwd(x: f64) -> (f64, ()) {
    (x, ())
}

fn clip_bwd(_: (), cotangent: f64) -> f64 {
    cotangent.clamp(-1.0, 1.0)
}

#[differentiate]
fn clipped_loss(w: [f64; 2]) -> f64 {
    let mut total = 0.0;
    for i in 0..2 {
        total += clip_gradient(w[i] * w[i] * w[i]);
    }
    total
}

#[test]
fn gradient_clipping() {
    for w in [[3.0, 0.1], [-2.0, 0.5], [0.2, -0.3]] {
        let g = clipped_loss::grad(w);
        for i in 0..2 {
            // The cotangent reaching w³ is 1 (already within the clip), so
            // the gradient is the unclipped 3w².
            assert!((g[i] - 3.0 * w[i] * w[i]).abs() <= 1e-15);
        }
    }
    let (_, pullback) = clipped_loss::vjp([3.0, 0.1]);
    // A cotangent of 5 is clipped to 1 before it reaches w³.
    let g = pullback(5.0);
    assert_eq!(g, [27.0, 3.0 * 0.1 * 0.1]);
    assert_eq!(clip_gradient::grad(2.0), 1.0);
    assert_eq!(clip_gradient::vjp(2.0).1(-7.0), -1.0);
}

/// The positive root of x³ + a x − b = 0, by Newton's method in code the
/// macro never sees (an external solver, say).
fn solve_cubic(a: f64, b: f64) -> f64 {
    let mut x = 1.0;
    for _ in 0..60 {
        x -= (x * x * x + a * x - b) / (3.0 * x * x + a);
    }
    x
}

/// Its derivatives by the implicit function theorem: with
/// F(x, a, b) = x³ + a x − b = 0, dx/da = −x / F_x and dx/db = 1 / F_x.
#[custom_vjp(fwd = root_fwd, bwd = root_bwd)]
fn root(a: f64, b: f64) -> f64 {
    solve_cubic(a, b)
}

fn root_fwd(a: f64, b: f64) -> (f64, (f64, f64)) {
    let x = solve_cubic(a, b);
    (x, (x, 3.0 * x * x + a))
}

fn root_bwd((x, fx): (f64, f64), cotangent: f64) -> (f64, f64) {
    (-x / fx * cotangent, cotangent / fx)
}

#[differentiate]
fn root_energy(a: f64, b: f64) -> f64 {
    let x = root(a, b);
    x * x + a * root(a, 2.0 * b)
}

#[test]
fn an_external_solver() {
    let h = 1e-6;
    for (a, b) in [(1.0, 2.0), (0.5, 3.0), (2.0, 0.7)] {
        let x = root(a, b);
        assert!((x * x * x + a * x - b).abs() < 1e-12);
        let (ga, gb) = root_energy::grad(a, b);
        let fd_a = (root_energy(a + h, b) - root_energy(a - h, b)) / (2.0 * h);
        let fd_b = (root_energy(a, b + h) - root_energy(a, b - h)) / (2.0 * h);
        assert!((ga - fd_a).abs() < 1e-7, "{ga} vs {fd_a}");
        assert!((gb - fd_b).abs() < 1e-7, "{gb} vs {fd_b}");
        // jacrev of the custom_vjp function itself.
        let j = root::jacrev(a, b);
        assert!((j.0[(0, 0)] - root_bwd((x, 3.0 * x * x + a), 1.0).0).abs() < 1e-15);
    }
}

#[test]
#[should_panic(
    expected = "forward mode (jvp, jacfwd, linearize) through `root`, which has only a `#[custom_vjp]` rule"
)]
fn forward_mode_through_a_custom_vjp_caller_panics() {
    let _ = root_energy::jvp((1.0, 2.0), (1.0, 0.0));
}

// ---------------------------------------------------------------------------
// A struct argument
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Gauss {
    mean: f64,
    log_sd: f64,
}

/// −log N(x | mean, sd), with the rule written in terms of the residual.
#[custom_jvp(jvp = nll_jvp)]
fn nll(p: Gauss, x: f64) -> f64 {
    let sd = p.log_sd.exp();
    0.5 * ((x - p.mean) / sd).powi(2) + p.log_sd
}

fn nll_jvp((p, x): (Gauss, f64), (dp, dx): (Gauss, f64)) -> (f64, f64) {
    let z = (x - p.mean) / p.log_sd.exp();
    let value = 0.5 * z * z + p.log_sd;
    (
        value,
        z / p.log_sd.exp() * (dx - dp.mean) + (1.0 - z * z) * dp.log_sd,
    )
}

#[differentiate(wrt(p))]
fn total_nll(p: &Gauss, data: &[f64]) -> f64 {
    let mut total = 0.0;
    for &x in data.iter() {
        total += nll(p.clone(), x);
    }
    total
}

#[test]
fn struct_arguments() {
    let data = [0.3, -1.2, 2.5, 0.9];
    let p = Gauss {
        mean: 0.4,
        log_sd: 0.2,
    };
    let g = total_nll::grad(&p, &data);
    let sd = p.log_sd.exp();
    let want_mean: f64 = data.iter().map(|x| -(x - p.mean) / (sd * sd)).sum();
    let want_log_sd: f64 = data.iter().map(|x| 1.0 - ((x - p.mean) / sd).powi(2)).sum();
    assert!(
        (g.mean - want_mean).abs() < 1e-12,
        "{} vs {want_mean}",
        g.mean
    );
    assert!(
        (g.log_sd - want_log_sd).abs() < 1e-12,
        "{} vs {want_log_sd}",
        g.log_sd
    );
    // Reverse mode through the transposed rule agrees with forward mode.
    let (_, t) = nll::jvp(
        (p.clone(), 1.5),
        (
            Gauss {
                mean: 0.25,
                log_sd: -0.5,
            },
            2.0,
        ),
    );
    let (gp, gx) = nll::grad(p, 1.5);
    assert!((t - (0.25 * gp.mean - 0.5 * gp.log_sd + 2.0 * gx)).abs() < 1e-14);
}

// ---------------------------------------------------------------------------
// Second derivatives through rules generic over the float type (`hessian`)
// ---------------------------------------------------------------------------

/// `softplus(x) = ln(1 + eˣ)`, its rule written for any float type.
#[custom_jvp(jvp = softplus_jvp, hessian)]
fn softplus(x: f64) -> f64 {
    x.exp().ln_1p()
}

fn softplus_jvp<T: Real>((x,): (T,), (dx,): (T,)) -> (T, T) {
    let sigma = T::one() / (T::one() + (-x).exp());
    let value = if x > T::from_f64(30.0) {
        x
    } else {
        x.exp().ln_1p()
    };
    (value, sigma * dx)
}

/// `x²y` with a vjp pair generic over the float type.
#[custom_vjp(fwd = product_fwd, bwd = product_bwd, hessian)]
fn product(x: f64, y: f64) -> f64 {
    x * x * y
}

fn product_fwd<T: Real>(x: T, y: T) -> (T, (T, T)) {
    (x * x * y, (x, y))
}

fn product_bwd<T: Real>((x, y): (T, T), c: T) -> (T, T) {
    (T::from_f64(2.0) * x * y * c, x * x * c)
}

/// Both rules inside a differentiated function with a loop.
#[differentiate]
fn through_custom(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..3 {
        s += softplus(x * (k as f64) - y) + product(x, y) * 0.5;
    }
    s
}

#[test]
fn second_derivatives_through_generic_rules() {
    // softplus'' = σ(1 − σ).
    for x in [-2.0, 0.3, 5.0] {
        let sigma = 1.0 / (1.0 + f64::exp(-x));
        assert!((softplus::hessian(x)[(0, 0)] - sigma * (1.0 - sigma)).abs() < 1e-12);
    }
    // The Hessian of x²y: [[2y, 2x], [2x, 0]].
    let (hx, hy) = product::hessian(0.7, -1.2);
    assert!((hx[(0, 0)] + 2.4).abs() < 1e-12 && (hx[(1, 0)] - 1.4).abs() < 1e-12);
    assert!((hy[(0, 0)] - 1.4).abs() < 1e-12 && hy[(1, 0)].abs() < 1e-12);
    // A caller's Hessian against central differences of its gradient.
    let (x, y) = (0.4, 0.9);
    let (hx, hy) = through_custom::hessian(x, y);
    let step = 1e-6;
    let d = |dx: f64, dy: f64| {
        let (gx_up, gy_up) = through_custom::grad(x + dx, y + dy);
        let (gx_down, gy_down) = through_custom::grad(x - dx, y - dy);
        (
            (gx_up - gx_down) / (2.0 * step),
            (gy_up - gy_down) / (2.0 * step),
        )
    };
    let (hxx, hyx) = d(step, 0.0);
    let (hxy, hyy) = d(0.0, step);
    for (got, want) in [
        (hx[(0, 0)], hxx),
        (hx[(1, 0)], hyx),
        (hy[(0, 0)], hxy),
        (hy[(1, 0)], hyy),
    ] {
        assert!(
            (got - want).abs() < 1e-6 * (1.0 + want.abs()),
            "{got} vs {want}"
        );
    }
}
