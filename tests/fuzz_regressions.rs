//! Programs the differential fuzzer (`fuzz/`) found the macro rejecting or
//! miscompiling, each against a closed form.

use autodiff::nalgebra::Vector3;
use autodiff::prelude::*;

/// A block inside a comparison: was rejected as a "labeled block".
#[differentiate]
fn block_in_condition(x: f64) -> f64 {
    if ({
        let u = x;
        u * u + 1.0
    })
    .ln()
        > 1.5
    {
        return 3.0 * x;
    }
    x * x
}

/// An `if` inside a comparison, the same.
#[differentiate]
fn if_in_condition(x: f64, flag: bool) -> f64 {
    let mut y = x;
    if (if flag { x } else { -x }) > 0.5 {
        y *= x;
    }
    y
}

/// `component_mul` and `dot` whose results carry no derivative: the plain
/// code passed their argument by value where nalgebra takes `&`.
#[differentiate]
fn unused_products(x: f64, v: Vector3<f64>) -> f64 {
    let _unused = v.component_mul(&v).sum() + v.dot(&v) + v.component_div(&v).sum();
    x * v[0]
}

#[test]
fn blocks_and_ifs_inside_comparisons() {
    // ln(x² + 1) > 1.5 for |x| > 1.9: 3x there, x² elsewhere.
    assert_eq!(block_in_condition::value_and_grad(2.0), (6.0, 3.0));
    assert_eq!(block_in_condition::value_and_grad(1.0), (1.0, 2.0));
    assert_eq!(if_in_condition::grad(1.0, true), 2.0);
    assert_eq!(if_in_condition::grad(1.0, false), 1.0);
    assert_eq!(if_in_condition::jvp((-1.0, false), (1.0,)), (1.0, -2.0));
}

#[test]
fn products_without_derivatives() {
    let v = Vector3::new(2.0, 3.0, 4.0);
    let (y, (gx, gv)) = unused_products::value_and_grad(1.5, v);
    assert_eq!(y, 3.0);
    assert_eq!((gx, gv), (2.0, Vector3::new(1.5, 0.0, 0.0)));
}

/// A piecewise-constant function of a value whose own derivative is
/// undefined here (`atan2` at the origin): `0 × NaN` made the gradient NaN;
/// now nothing flows back through `ceil` (as JAX's symbolic zero).
#[differentiate]
#[allow(clippy::eq_op)]
fn flat_over_a_singularity(x: f64, y: f64) -> f64 {
    let zero = x - x;
    let angle = (zero * y).atan2(zero);
    (angle * angle + 0.5).sqrt().ceil() + x * y
}

#[test]
fn nothing_flows_back_through_piecewise_constant_functions() {
    let (v, (gx, gy)) = flat_over_a_singularity::value_and_grad(0.7, -1.2);
    assert_eq!(v, 1.0 + 0.7 * -1.2);
    assert_eq!((gx, gy), (-1.2, 0.7));
    let (_, t) = flat_over_a_singularity::jvp((0.7, -1.2), (1.0, 1.0));
    assert_eq!(t, -1.2 + 0.7);
}

/// `atan2` at the origin, in a helper whose result the next helper does not
/// use (seed 2, program 33 of the fuzzer): its pullback ran with a zero
/// cotangent, and `0 × NaN` made the caller's gradient NaN where forward
/// mode (which never pushes an unused tangent) was right. A call's pullback
/// now adds nothing for a zero cotangent, as JAX's symbolic zero.
#[differentiate]
fn angle_of(x: f64, y: f64) -> f64 {
    y.atan2(x)
}

#[differentiate]
fn first_only(x: f64, y: f64) -> f64 {
    let unused = y * 2.0;
    x.cos() + 0.0 * stop_gradient(unused)
}

#[differentiate]
#[allow(clippy::eq_op)]
fn unused_singular_call(x: f64) -> f64 {
    let zero = (x - x).abs();
    first_only(x, angle_of(zero, zero)) + zero
}

#[test]
fn unused_results_of_calls_send_nothing_back() {
    let x = 0.3;
    // d/dx [cos x + |x - x|] = -sin x + 0 (abs has derivative 1 at 0, times 0).
    let g = unused_singular_call::grad(x);
    assert!((g + x.sin()).abs() < 1e-15, "{g}");
    let (_, t) = unused_singular_call::jvp((x,), (1.0,));
    assert!((t - g).abs() < 1e-15, "{t} vs {g}");
}
