//! `stop_gradient(x)`: the value passes, no derivative does, in every mode;
//! against closed forms.

use autodiff::nalgebra::Vector3;
use autodiff::prelude::*;

/// `x² · c` with `c = stop_gradient(x)`: value `x³`, derivative `2x · x`.
#[differentiate]
fn frozen_factor(x: f64) -> f64 {
    let c = stop_gradient(x);
    x * x * c
}

/// A target held fixed, written with the crate's path: the gradient of
/// `½‖x − stop_gradient(y)‖²` w.r.t. `y` is zero.
#[differentiate]
fn pull_towards(x: Vector3<f64>, y: Vector3<f64>) -> f64 {
    let target = autodiff::stop_gradient(y);
    0.5 * (x - target).norm_squared()
}

/// Inside a loop and a branch, and inside `map`.
#[differentiate]
fn damped(x: f64, v: Vector3<f64>, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        if s < 10.0 {
            s += stop_gradient(s) * x + i as f64;
        }
    }
    s + v.map(|e| stop_gradient(e) * e).sum()
}

#[test]
fn no_derivative_flows_through_stop_gradient() {
    let x = 1.7;
    assert_eq!(frozen_factor::value_and_grad(x), (x * x * x, 2.0 * x * x));
    assert_eq!(frozen_factor::jvp((x,), (1.0,)).1, 2.0 * x * x);
    assert_eq!(frozen_factor::vjp(x).1(2.0), 4.0 * x * x);
    assert_eq!(frozen_factor::jacfwd(x), frozen_factor::jacrev(x));

    let (x, y) = (Vector3::new(1.0, 2.0, 3.0), Vector3::new(0.5, 0.0, -1.0));
    let (gx, gy) = pull_towards::grad(x, y);
    assert_eq!((gx, gy), (x - y, Vector3::zeros()));

    // s_{k+1} = s_k (1 + x) + k with s frozen in the product: ds_{k+1}/dx =
    // ds_k/dx + s_k; and Σ e² with one factor frozen: d/de = e.
    let (x, v, n) = (0.3, Vector3::new(1.0, -2.0, 0.5), 4);
    let (mut s, mut ds) = (0.0, 0.0);
    for i in 0..n {
        if s < 10.0 {
            ds += s;
            s += s * x + i as f64;
        }
    }
    let (value, (gx, gv)) = damped::value_and_grad(x, v, n);
    assert!((value - (s + v.norm_squared())).abs() < 1e-12);
    assert!((gx - ds).abs() < 1e-12, "{gx} vs {ds}");
    assert_eq!(gv, v);
    let (_, t) = damped::jvp((x, v, n), (1.0, Vector3::zeros()));
    assert!((t - ds).abs() < 1e-12);
}
