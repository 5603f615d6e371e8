//! Local closures called directly, differentiated as if written out at each
//! call: capturing differentiable and static values, with several
//! parameters, block bodies, calls of other closures, inside loops and
//! branches, and in second derivatives.
//!
//! Oracles: closed forms and num-dual twins through the harness (every
//! mode, central differences).

mod common;
#[macro_use]
mod harness;

use autodiff::prelude::*;
use harness::sample;
use num_dual::{Dual64, DualNum};

#[differentiate]
fn squares(x: f64) -> f64 {
    let sq = |v: f64| v * v;
    sq(x) + sq(2.0 * x)
}

#[test]
fn called_twice() {
    let points = sample(&0.0, (-2.0, 2.0), 4, 1);
    case!(scalar squares, points, |x, v| (*x) (*v))
        .closed(&|x| harness::row(&[10.0 * x]))
        .run();
}

#[differentiate]
fn captures(x: f64, k: f64, n: usize) -> f64 {
    let scale = |v: f64| k * v.sin();
    let shifted = |v, w| {
        let s = v + w;
        s * s + scale(v)
    };
    let mut total = 0.0;
    for i in 0..n {
        let t = i as f64 * 0.5;
        if x > t {
            total += shifted(x, t);
        } else {
            total -= scale(x * t);
        }
    }
    total
}

fn captures_twin(&(x, k): &(Dual64, Dual64), n: usize) -> Dual64 {
    let scale = |v: Dual64| k * v.sin();
    let shifted = |v: Dual64, w: f64| {
        let s = v + w;
        s * s + scale(v)
    };
    let mut total = Dual64::from(0.0);
    for i in 0..n {
        let t = i as f64 * 0.5;
        if x.re > t {
            total += shifted(x, t);
        } else {
            total -= scale(x * t);
        }
    }
    total
}

#[test]
fn capturing_arguments_in_loops_and_branches() {
    let points = sample(&(0.0, 0.0), (-1.5, 1.5), 5, 2);
    case!(scalar captures, points, |x, v| (x.0, x.1) (v.0, v.1); 4)
        .dual(&|x| captures_twin(x, 4))
        .run();
}

/// A `move` closure keeps the values of its definition, also after the
/// name it captured is bound again.
#[differentiate]
fn moved(x: f64) -> f64 {
    let c = 2.0 * x;
    let f = move |t: f64| c * t;
    let c = 5.0;
    f(x) + c * x
}

#[test]
fn move_closures_keep_their_captures() {
    for x in [0.5, -1.25, 2.0] {
        // 2x² + 5x.
        assert_eq!(moved(x), 2.0 * x * x + 5.0 * x);
        assert!((moved::grad(x) - (4.0 * x + 5.0)).abs() < 1e-14);
        let (_, t) = moved::jvp((x,), (1.0,));
        assert!((t - (4.0 * x + 5.0)).abs() < 1e-14);
    }
}

#[differentiate]
fn second_order(x: [f64; 2]) -> f64 {
    let g = |a: f64, b: f64| (a * b).sin() + a * a;
    g(x[0], x[1]) * g(x[1], 0.5)
}

#[test]
fn second_derivatives_through_closures() {
    let x = [0.3, -0.8];
    let h = second_order::hessian(x);
    let twin = |d: &[num_dual::Dual2SVec64<2>]| {
        let g = |a: num_dual::Dual2SVec64<2>, b: num_dual::Dual2SVec64<2>| (a * b).sin() + a * a;
        g(d[0], d[1]) * g(d[1], num_dual::Dual2SVec64::<2>::from(0.5))
    };
    let (_, _, want) = num_dual::hessian(
        |v: autodiff::nalgebra::SVector<num_dual::Dual2SVec64<2>, 2>| twin(v.as_slice()),
        &autodiff::nalgebra::SVector::<f64, 2>::from(x),
    );
    for i in 0..2 {
        for j in 0..2 {
            assert!((h[(i, j)] - want[(i, j)]).abs() < 1e-12, "{h} vs {want}");
        }
    }
}
