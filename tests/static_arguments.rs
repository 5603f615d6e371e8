//! Static arguments and plain code around the differentiated values: fields of
//! a static struct, casts of integers, helper functions on static values,
//! constants and module paths. Each gradient is checked against its closed form.

use autodiff::prelude::*;

/// A configuration passed by reference, never differentiated.
pub struct Params {
    scale: f64,
    power: i32,
}

const OFFSET: f64 = 0.25;

fn table(i: usize) -> f64 {
    [1.0, 2.5, -4.0][i]
}

/// Uses a static struct's fields and a module constant.
#[differentiate(wrt(x))]
fn scaled(x: f64, p: &Params) -> f64 {
    p.scale * x.powi(p.power) + self::OFFSET
}

/// Uses a cast of a static integer, a helper on a static value and `PI`.
#[differentiate]
fn mixed(x: f64, i: usize, n: u32) -> f64 {
    let weight = table(i) * n as f64;
    let angle = x * core::f64::consts::PI;
    weight * angle.sin()
}

/// A static argument used in a comparison; the boolean carries no derivative.
#[differentiate]
fn comparison(x: f64, limit: i64) -> f64 {
    let _is_large = limit > 10;
    x * x
}

#[test]
fn fields_of_static_struct() {
    let p = Params {
        scale: 1.5,
        power: 3,
    };
    let x = 0.7;
    let expected = 1.5 * 3.0 * x * x;
    assert!((scaled::grad(x, &p) - expected).abs() < 1e-14);
    let (value, grad) = scaled::value_and_grad(x, &p);
    assert_eq!(value, scaled(x, &p));
    assert_eq!(grad, scaled::grad(x, &p));
    let (_, tangent) = scaled::jvp((x, &p), (2.0,));
    assert!((tangent - 2.0 * expected).abs() < 1e-14);
}

#[test]
fn casts_helpers_and_constants() {
    let pi = core::f64::consts::PI;
    for (x, i, n) in [(0.3, 0, 2), (1.1, 1, 5), (-0.4, 2, 1)] {
        let expected = table(i) * f64::from(n) * pi * (x * pi).cos();
        let got = mixed::grad(x, i, n);
        assert!((got - expected).abs() < 1e-12, "{got} vs {expected}");
    }
}

#[test]
fn comparisons_on_static_values() {
    assert_eq!(comparison::grad(3.0, 20), 6.0);
    let (_, pullback) = comparison::vjp(3.0, 5);
    assert_eq!(pullback(0.5), 3.0);
}
