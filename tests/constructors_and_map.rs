//! Vector constructors and `map` inside differentiated functions, checked
//! against closed forms and finite differences.

use autodiff::nalgebra::{DVector, SMatrix, SVector, Vector3};
use autodiff::prelude::*;

/// Polar to Cartesian, with the radius as a third output.
#[differentiate]
fn cylinder(r: f64, theta: f64) -> Vector3<f64> {
    Vector3::new(r * theta.cos(), r * theta.sin(), r)
}

/// A vector built with `from` from an array literal.
#[differentiate]
fn built_from(x: [f64; 2]) -> f64 {
    let v = SVector::<f64, 2>::from([x[0] * x[1], x[1]]);
    v.norm_squared()
}

/// `map` with a float function and with a closure reading a static value.
#[differentiate]
fn mapped(x: &DVector<f64>, scale: i32) -> f64 {
    let k = f64::from(scale);
    let y = x.map(f64::sin) + x.map(|v| (v * k).exp() - v * v);
    y.sum()
}

#[test]
fn constructor_jacobians() {
    let (r, theta) = (2.0, 0.5);
    let (d_r, d_theta): (SMatrix<f64, 3, 1>, SMatrix<f64, 3, 1>) = cylinder::jacfwd(r, theta);
    assert_eq!(
        d_r,
        SMatrix::<f64, 3, 1>::new(theta.cos(), theta.sin(), 1.0)
    );
    let expected = SMatrix::<f64, 3, 1>::new(-r * theta.sin(), r * theta.cos(), 0.0);
    assert!((d_theta - expected).norm() < 1e-15);
    let (rev_r, rev_theta) = cylinder::jacrev(r, theta);
    assert_eq!((rev_r, rev_theta), (d_r, d_theta));
}

#[test]
fn constructor_from_array() {
    // |v|² = x₀²x₁² + x₁².
    let x = [1.5, -2.0];
    let expected = [
        2.0 * x[0] * x[1] * x[1],
        2.0 * x[0] * x[0] * x[1] + 2.0 * x[1],
    ];
    assert_eq!(built_from::grad(x), expected);
}

#[test]
fn map_with_functions_and_closures() {
    let x = DVector::from_vec(vec![0.3, -0.2, 0.9, 1.4]);
    let grad = mapped::grad(&x, 2);
    for k in 0..x.len() {
        let v = x[k];
        let expected = v.cos() + 2.0 * (2.0 * v).exp() - 2.0 * v;
        assert!(
            (grad[k] - expected).abs() < 1e-13,
            "{k}: {} vs {expected}",
            grad[k]
        );
    }
    // The dot-product test on jvp and vjp.
    let t = DVector::from_vec(vec![1.0, -0.5, 0.25, 2.0]);
    let (_, jv) = mapped::jvp((&x, 2), (t.clone(),));
    let (_, pullback) = mapped::vjp(&x, 2);
    let jtw = pullback(0.7);
    assert!((0.7 * jv - t.dot(&jtw)).abs() < 1e-12);
}

/// The tutorial's g(t) = t^sin(1, t, …, tⁿ⁻¹), the closure capturing `t`.
#[differentiate]
fn g(t: f64, n: usize) -> DVector<f64> {
    let exponents = DVector::from_fn(n, |i, _| i as f64);
    let powers = (exponents * t.ln()).map(f64::exp);
    powers.map(|p| t.powf(p.sin()))
}

/// A closure capturing two differentiable scalars, over an array.
#[differentiate]
fn shifted(x: [f64; 3], a: f64, b: f64) -> f64 {
    let y = x.map(|v| (a * v + b).tanh());
    y[0] + y[1] * y[2]
}

#[test]
fn map_closures_capturing_differentiable_values() {
    // d/dt t^sin(t^k) = t^sin(t^k) (cos(t^k) k t^(k-1) ln t + sin(t^k)/t).
    let (t, n) = (1.3_f64, 5);
    let forward = g::jacfwd(t, n);
    let reverse = g::jacrev(t, n);
    for k in 0..n {
        let p = t.powi(k as i32);
        let value = t.powf(p.sin());
        let dp = if k == 0 {
            0.0
        } else {
            k as f64 * t.powi(k as i32 - 1)
        };
        let expected = value * (p.cos() * dp * t.ln() + p.sin() / t);
        assert!((forward[(k, 0)] - expected).abs() < 1e-12, "jacfwd {k}");
        assert!((reverse[(k, 0)] - expected).abs() < 1e-12, "jacrev {k}");
    }

    let (x, a, b) = ([0.2, -0.4, 0.9], 1.5, -0.3);
    let (gx, ga, gb) = shifted::grad(x, a, b);
    let h = 1e-6;
    let fd = |d: [f64; 5]| {
        let up = shifted([x[0] + d[0], x[1] + d[1], x[2] + d[2]], a + d[3], b + d[4]);
        let down = shifted([x[0] - d[0], x[1] - d[1], x[2] - d[2]], a - d[3], b - d[4]);
        (up - down) / (2.0 * h)
    };
    let mut unit = [0.0; 5];
    let got = [gx[0], gx[1], gx[2], ga, gb];
    for k in 0..5 {
        unit[k] = h;
        assert!(
            (got[k] - fd(unit)).abs() < 1e-8,
            "partial {k}: {} vs {}",
            got[k],
            fd(unit)
        );
        unit[k] = 0.0;
    }
}

/// Containers filled with a differentiable value.
#[differentiate]
fn filled(x: f64, n: usize) -> f64 {
    let v = DVector::from_element(n, x * x);
    let m = SMatrix::<f64, 2, 3>::from_element(x);
    v.sum() + m.norm_squared()
}

#[test]
fn from_element_fills_with_a_differentiable_value() {
    // n x² + 6 x², derivative 2x (n + 6).
    let (x, n) = (0.7, 4);
    assert!((filled::grad(x, n) - 2.0 * x * (n as f64 + 6.0)).abs() < 1e-14);
    let (_, tangent) = filled::jvp((x, n), (1.0,));
    assert!((tangent - 2.0 * x * (n as f64 + 6.0)).abs() < 1e-14);
}

/// The tutorial's g(t) = t^sin(1, t, …, tⁿ⁻¹), built with `from_fn`.
#[differentiate]
fn g_from_fn(t: f64, n: usize) -> DVector<f64> {
    let powers = DVector::from_fn(n, |i, _| t.powi(i as i32));
    powers.map(|p| t.powf(p.sin()))
}

/// A static-size matrix from a closure reading two differentiable scalars.
#[differentiate]
fn grid(a: f64, b: f64) -> f64 {
    let m = SMatrix::<f64, 2, 3>::from_fn(|i, j| a * (i as f64) + b * b * (j as f64));
    m.sum()
}

#[test]
fn from_fn_with_a_differentiable_closure() {
    let (t, n) = (1.3_f64, 5);
    let jac = g_from_fn::jacrev(t, n);
    assert_eq!(jac.shape(), (n, 1));
    for k in 0..n {
        let p = t.powi(k as i32);
        let dp = if k == 0 {
            0.0
        } else {
            k as f64 * t.powi(k as i32 - 1)
        };
        let expected = t.powf(p.sin()) * (p.cos() * dp * t.ln() + p.sin() / t);
        assert!((jac[(k, 0)] - expected).abs() < 1e-12, "{k}");
    }
    assert_eq!(g_from_fn::jacfwd(t, n), jac);
    // Σᵢⱼ (a i + b² j) over 2 × 3: 3a + 6b², so (3, 12b).
    assert_eq!(grid::grad(0.5, 2.0), (3.0, 24.0));
}

/// `map` and `from_fn` in one loop: a vector of constants mapped by a
/// closure reading a differentiable scalar (no tangent for the entries),
/// a differentiable array mapped, and a static-size matrix built.
#[differentiate]
fn closures_in_a_loop(a: f64, x: [f64; 3], steps: usize) -> f64 {
    let base = DVector::from_fn(4, |i, _| 0.5 + i as f64);
    let mut s = 0.0;
    for k in 0..steps {
        let scaled = base.map(|b| (a * b).sin());
        let y = x.map(|v| (v * a + k as f64).tanh());
        let x0 = x[0];
        let m = SMatrix::<f64, 2, 2>::from_fn(|i, j| a * a * (i + 2 * j) as f64 + x0);
        s += scaled.sum() * 0.1 + y[0] * y[2] - y[1] + m.norm_squared() * 0.01;
    }
    s
}

#[test]
fn jvp_through_closures_agrees_with_linearize_and_finite_differences() {
    // `jvp` runs each closure once for values and tangents together
    // (`rules::map_jvp`, `rules::from_fn_jvp`); `linearize` keeps the
    // partials: same tangents, to rounding.
    let (a, x, steps) = (0.7, [0.2, -0.4, 0.9], 3);
    let h = 1e-6;
    let value = closures_in_a_loop(a, x, steps);
    let directions = [
        (1.0, [0.0; 3]),
        (0.0, [1.0, 0.0, 0.0]),
        (0.3, [-0.5, 0.25, 2.0]),
    ];
    for (da, dx) in directions {
        let (v, t) = closures_in_a_loop::jvp((a, x, steps), (da, dx));
        assert_eq!(v, value);
        let (_, push) = closures_in_a_loop::linearize(a, x, steps);
        let pushed = push((da, dx));
        assert!(
            (t - pushed).abs() < 1e-12 * pushed.abs().max(1.0),
            "{t} vs {pushed}"
        );
        let at = |s: f64| {
            let x = [x[0] + s * dx[0], x[1] + s * dx[1], x[2] + s * dx[2]];
            closures_in_a_loop(a + s * da, x, steps)
        };
        let fd = (at(h) - at(-h)) / (2.0 * h);
        assert!((t - fd).abs() < 1e-7 * fd.abs().max(1.0), "{t} vs {fd}");
    }
    // The Jacobian of the tutorial's `g` with one input column comes from
    // that `jvp`: it agrees with one pushed tangent of `linearize`.
    let (t, n) = (1.0005, 50);
    let (_, push) = g_from_fn::linearize(t, n);
    let column = push((1.0,));
    let jac = g_from_fn::jacfwd(t, n);
    for k in 0..n {
        assert!(
            (jac[(k, 0)] - column[k]).abs() < 1e-14 * column[k].abs().max(1.0),
            "{k}"
        );
    }
}
