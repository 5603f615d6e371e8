//! Branches (issue 4, part 1): `if` / `else if` / `else` as expressions and
//! as statements, `match` on a static integer, on a `bool` and on a
//! comparison of active values, with guards and `|` patterns, nested
//! branches, an early `return`, the tutorial's `add_one_or_two`, and
//! piecewise functions. One `#[differentiate]` function per construct.
//!
//! Oracles (`tests/harness/mod.rs` runs them): num-dual (each body written
//! again for dual numbers, whose comparisons look at the real part, so it
//! takes the same branch) and closed forms of each piece; central
//! differences check both. Every case runs at points in each of its
//! branches, farther from the boundaries than the finite-difference step,
//! and checks `grad`, `value_and_grad`, `jvp`, `vjp` (each unit cotangent,
//! and the dot-product test `<jvp(v), w> = <v, pullback(w)>`), `jacfwd` and
//! `jacrev`, in every branch.
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against num-dual, closed forms and between modes (a branch adds
//! no arithmetic, so the errors are those of straight-line code, a few
//! ulps); `1e-6` against central differences with step
//! `1e-5 · max(1, |x|)`. Values from `value_and_grad`, `jvp` and `vjp`
//! must equal the kept function's exactly. Where a branch's derivative is
//! a constant (`add_one_or_two`, `relu`) it is compared exactly.

use autodiff::prelude::*;
use harness::row;
use num_dual::{Dual64, DualNum};

mod common;
#[macro_use]
mod harness;

// ---------------------------------------------------------------------------
// `if` as an expression and as statements
// ---------------------------------------------------------------------------

/// `if` / `else if` / `else` as the tail expression, conditions on active values.
#[differentiate]
fn if_else_chain(x: f64, y: f64) -> f64 {
    if x > y {
        x * y.sin()
    } else if x > -y {
        (x - y).exp() * y
    } else {
        x * x + y
    }
}

fn if_else_chain_dual(&(x, y): &(Dual64, Dual64)) -> Dual64 {
    if x > y {
        x * y.sin()
    } else if x > -y {
        (x - y).exp() * y
    } else {
        x * x + y
    }
}

/// The three branches' gradients by hand.
fn if_else_chain_closed(&(x, y): &(f64, f64)) -> Vec<f64> {
    if x > y {
        vec![y.sin(), x * y.cos()]
    } else if x > -y {
        let e = (x - y).exp();
        vec![e * y, e - e * y]
    } else {
        vec![2.0 * x, 1.0]
    }
}

#[test]
fn if_else_if_else_expression() {
    // Two points in each branch, then one at each side of x = y and x = -y.
    let points = vec![
        (1.0, 0.5),
        (0.3, -1.2),
        (0.2, 0.9),
        (-0.5, 1.5),
        (-1.0, 0.3),
        (-2.0, -0.5),
        (0.7 + 1e-3, 0.7),
        (0.7 - 1e-3, 0.7),
        (-0.6 + 1e-3, 0.6),
        (-0.6 - 1e-3, 0.6),
    ];
    case!(scalar if_else_chain, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&if_else_chain_dual)
        .closed(&|x| row(&if_else_chain_closed(x)))
        .run();
}

/// `if` as statements on a `let mut`: without `else`, on a condition held
/// in a `bool`, an `else if` chain with reassignment and compound
/// assignment, and an `if` expression with a constant branch.
#[differentiate]
#[allow(clippy::assign_op_pattern)]
fn if_statements(x: f64, y: f64) -> f64 {
    let mut s = x * y;
    let positive = x > 0.0;
    if positive {
        s += x.ln();
    }
    if y < -1.0 {
        s = s * y;
    } else if y < 1.0 {
        s -= y.sin();
    } else {
        s /= y;
    }
    let scale = if s > 0.0 { s } else { 2.0 };
    s * scale + y
}

#[allow(clippy::assign_op_pattern)]
fn if_statements_dual(&(x, y): &(Dual64, Dual64)) -> Dual64 {
    let mut s = x * y;
    let positive = x > 0.0;
    if positive {
        s += x.ln();
    }
    if y < -1.0 {
        s = s * y;
    } else if y < 1.0 {
        s -= y.sin();
    } else {
        s /= y;
    }
    let scale = if s > 0.0 { s } else { Dual64::from(2.0) };
    s * scale + y
}

#[test]
fn if_statements_on_let_mut() {
    // Every combination that occurs: x > 0 or not, the three ranges of y,
    // and both signs of s (|s| > 0.1 at each point).
    let points = vec![
        (0.5, -1.5),
        (1.5, 0.3),
        (-0.7, 2.0),
        (-1.2, 0.4),
        (0.8, -0.2),
        (2.0, 1.5),
        (-0.5, -2.0),
    ];
    case!(scalar if_statements, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&if_statements_dual)
        .run();
}

/// A vector output chosen by a branch: Jacobians differ per branch.
#[differentiate]
fn branch_vector(x: [f64; 2]) -> [f64; 2] {
    if x[0] > x[1] {
        [x[1], x[0] * x[1]]
    } else {
        [x[0].sin(), x[1] - x[0]]
    }
}

#[test]
fn branch_with_vector_output() {
    let points = vec![[1.0, 0.5], [0.2, -1.0], [-0.3, 0.8], [1.1, 1.4]];
    case!(branch_vector, points, |x, v| (*x)(*v))
        .closed(&|x| {
            let j = if x[0] > x[1] {
                [0.0, 1.0, x[1], x[0]]
            } else {
                [x[0].cos(), 0.0, -1.0, 1.0]
            };
            autodiff::nalgebra::DMatrix::from_row_slice(2, 2, &j)
        })
        .run();
}

/// One branch is a constant: its derivative is exactly zero.
#[differentiate]
fn relu(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

#[test]
fn relu_has_derivative_one_or_zero() {
    let points = vec![-2.0, -0.5, 0.25, 3.0];
    case!(scalar relu, points, |x, v| (*x) (*v))
        .closed(&|x| row(&[if *x > 0.0 { 1.0 } else { 0.0 }]))
        .run();
    for x in [-2.0, -0.5, 0.25, 3.0] {
        let want = if x > 0.0 { 1.0 } else { 0.0 };
        assert_eq!(relu::grad(x), want, "relu'({x})");
        assert_eq!(relu::value_and_grad(x), (relu(x), want));
        assert_eq!(relu::jvp((x,), (2.0,)), (relu(x), 2.0 * want));
        assert_eq!(relu::vjp(x).1(-3.0), -3.0 * want);
    }
}

// ---------------------------------------------------------------------------
// `match`
// ---------------------------------------------------------------------------

/// `match` on a static integer with a wildcard arm.
#[differentiate]
fn match_static(x: f64, k: usize) -> f64 {
    match k {
        0 => x.sin(),
        1 => x * x * 3.0,
        _ => x.exp() / (k as f64),
    }
}

#[test]
fn match_on_static_integer() {
    for k in 0..4usize {
        let points = harness::sample(&0.0, (-2.0, 2.0), 4, 10 + k as u64);
        case!(scalar match_static, points, |x, v| (*x) (*v); k)
            .closed(&|&x| {
                row(&[match k {
                    0 => x.cos(),
                    1 => 6.0 * x,
                    _ => x.exp() / k as f64,
                }])
            })
            .run();
    }
}

/// `|` patterns and a guard on the static scrutinee.
#[differentiate]
#[allow(clippy::manual_range_patterns)]
fn match_or(x: f64, n: i32) -> f64 {
    match n {
        0 | 1 => x + 1.0,
        2 | 3 | 4 => x.powi(n),
        m if m < 0 => (x * x + 1.0).powi(m),
        _ => x.cos() * (n as f64),
    }
}

#[test]
fn match_with_or_patterns_and_static_guard() {
    for n in [0, 1, 2, 3, 4, -1, -3, 7] {
        let points = harness::sample(&0.0, (-1.5, 1.5), 3, 20);
        case!(scalar match_or, points, |x, v| (*x) (*v); n)
            .closed(&|&x| {
                row(&[match n {
                    0 | 1 => 1.0,
                    2..=4 => f64::from(n) * x.powi(n - 1),
                    m if m < 0 => f64::from(m) * (x * x + 1.0).powi(m - 1) * 2.0 * x,
                    _ => -x.sin() * f64::from(n),
                }])
            })
            .run();
    }
}

/// `match` on a `bool` argument.
#[differentiate]
fn match_bool(x: f64, flag: bool) -> f64 {
    match flag {
        true => x.sin() * x,
        false => x.cos() * 2.0,
    }
}

#[test]
fn match_on_bool() {
    for flag in [true, false] {
        let points = harness::sample(&0.0, (-2.0, 2.0), 4, 30);
        case!(scalar match_bool, points, |x, v| (*x) (*v); flag)
            .closed(&|&x| {
                row(&[if flag {
                    x.cos() * x + x.sin()
                } else {
                    -2.0 * x.sin()
                }])
            })
            .run();
    }
}

/// `match` on a comparison of active values.
#[differentiate]
fn match_comparison(x: f64, y: f64) -> f64 {
    match x > y {
        true => (x - y).sqrt() * y,
        false => (y - x) * x.cos(),
    }
}

fn match_comparison_dual(&(x, y): &(Dual64, Dual64)) -> Dual64 {
    match x > y {
        true => (x - y).sqrt() * y,
        false => (y - x) * x.cos(),
    }
}

#[test]
fn match_on_comparison_of_active_values() {
    let points = vec![
        (1.0, 0.5),
        (0.3, -1.2),
        (2.0, 1.9),
        (0.2, 0.9),
        (-1.5, 1.0),
        (0.7, 0.7 + 1e-3),
    ];
    case!(scalar match_comparison, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&match_comparison_dual)
        .run();
}

// ---------------------------------------------------------------------------
// Nested branches, the tutorial's example, early return
// ---------------------------------------------------------------------------

/// `if` inside `if`, a `match` inside an `else`, an `if` expression in a
/// `let` and an `if` statement on a static condition inside a branch.
#[differentiate]
fn nested(x: f64, y: f64, mode: u8) -> f64 {
    if x > 0.0 {
        if y > 0.0 {
            x * y
        } else {
            match mode {
                0 => x - y,
                _ => x / (1.0 + y * y),
            }
        }
    } else {
        let t = if y > x { y - x } else { x - y };
        let mut u = t * t;
        if mode == 1 {
            u += x.sin();
        }
        u + x
    }
}

fn nested_dual(&(x, y): &(Dual64, Dual64), mode: u8) -> Dual64 {
    if x > 0.0 {
        if y > 0.0 {
            x * y
        } else {
            match mode {
                0 => x - y,
                _ => x / (y * y + 1.0),
            }
        }
    } else {
        let t = if y > x { y - x } else { x - y };
        let mut u = t * t;
        if mode == 1 {
            u += x.sin();
        }
        u + x
    }
}

#[test]
fn nested_branches() {
    for mode in [0u8, 1, 2] {
        let points = vec![
            (1.0, 0.5),
            (0.5, -1.0),
            (1.2, -0.3),
            (-0.5, 1.0),
            (-0.5, -1.5),
            (-2.0, -0.4),
        ];
        case!(scalar nested, points, |x, v| (x.0, x.1) (v.0, v.1); mode)
            .dual(&|x| nested_dual(x, mode))
            .run();
    }
}

/// The tutorial's example: a static `bool` chooses the branch.
#[differentiate]
fn add_one_or_two(x: f64, add_one: bool) -> f64 {
    if add_one {
        x + 1.0
    } else {
        x + 2.0
    }
}

#[test]
fn tutorial_add_one_or_two() {
    for (add_one, offset) in [(true, 1.0), (false, 2.0)] {
        let points = vec![-3.0, 1.0];
        case!(scalar add_one_or_two, points, |x, v| (*x) (*v); add_one)
            .closed(&|_| row(&[1.0]))
            .run();
        for x in [-3.0, 0.0, 1.0, 2.5] {
            assert_eq!(add_one_or_two(x, add_one), x + offset);
            assert_eq!(add_one_or_two::grad(x, add_one), 1.0, "add_one = {add_one}");
            assert_eq!(
                add_one_or_two::value_and_grad(x, add_one),
                (x + offset, 1.0)
            );
            assert_eq!(add_one_or_two::jvp((x, add_one), (0.5,)), (x + offset, 0.5));
            let (value, pullback) = add_one_or_two::vjp(x, add_one);
            assert_eq!(
                (value, pullback(1.0), pullback(-2.0)),
                (x + offset, 1.0, -2.0)
            );
        }
    }
}

/// An early `return` inside an `if` at function level, then more code.
#[differentiate]
#[allow(clippy::needless_return)]
fn early_return(x: f64, y: f64) -> f64 {
    if x < 0.0 {
        return -x * y;
    }
    let z = x.sqrt() * y;
    z + y.sin()
}

#[test]
fn early_return_from_if() {
    let points = vec![
        (-1.0, 0.5),
        (-0.2, -2.0),
        (0.5, 1.5),
        (2.0, -0.7),
        (-1e-3, 1.0),
        (1e-2, 1.0),
    ];
    case!(scalar early_return, points, |x, v| (x.0, x.1) (v.0, v.1))
        .closed(&|&(x, y)| {
            if x < 0.0 {
                row(&[-y, -x])
            } else {
                row(&[y / (2.0 * x.sqrt()), x.sqrt() + y.cos()])
            }
        })
        .run();
}

// ---------------------------------------------------------------------------
// Piecewise functions
// ---------------------------------------------------------------------------

/// A region index computed from a static argument, then `match` on it.
#[differentiate]
fn piecewise_region(x: f64, t: i32) -> f64 {
    let region = (t / 10).clamp(0, 3);
    match region {
        0 => 2.0 * x - 1.0,
        1 => x * x,
        2 => x.sin() + x,
        _ => 1.0 / (1.0 + x * x),
    }
}

#[test]
fn piecewise_by_static_region() {
    for (t, region) in [(-5, 0), (3, 0), (12, 1), (25, 2), (31, 3), (99, 3)] {
        let derivative = |x: f64| match region {
            0 => 2.0,
            1 => 2.0 * x,
            2 => x.cos() + 1.0,
            _ => -2.0 * x / (1.0 + x * x).powi(2),
        };
        let points = harness::sample(&0.0, (-2.0, 2.0), 4, 40);
        case!(scalar piecewise_region, points, |x, v| (*x) (*v); t)
            .closed(&|&x| row(&[derivative(x)]))
            .run();
    }
}

/// Guards on the active value: three pieces with kinks at -1 and 1.
#[differentiate]
fn piecewise_guards(x: f64) -> f64 {
    match x {
        v if v < -1.0 => -2.0 * v - 1.0,
        v if v < 1.0 => v * v * v,
        v => v.ln() + 1.0,
    }
}

#[test]
fn piecewise_by_guards_on_active_value() {
    let derivative = |x: f64| {
        if x < -1.0 {
            -2.0
        } else if x < 1.0 {
            3.0 * x * x
        } else {
            1.0 / x
        }
    };
    // Each piece, and either side of each kink (farther than the FD step).
    let points = vec![
        -3.0,
        -1.5,
        -1.0 - 1e-3,
        -1.0 + 1e-3,
        -0.4,
        0.0,
        0.6,
        1.0 - 1e-3,
        1.0 + 1e-3,
        2.5,
    ];
    case!(scalar piecewise_guards, points, |x, v| (*x) (*v))
        .closed(&|&x| row(&[derivative(x)]))
        .run();
    // Exactly on a kink the guard chooses the piece on the right.
    assert_eq!(piecewise_guards::grad(1.0), 1.0);
    assert_eq!(piecewise_guards::grad(-1.0), 3.0);
}

/// An index computed from an active value by a cast (the cast is static),
/// matched with a static guard and `|` patterns: a table of pieces on the
/// unit cells of x.
#[differentiate]
fn piecewise_cells(x: f64) -> f64 {
    let cell = x.floor() as i32;
    match cell {
        c if c < 0 => x.exp(),
        0 | 1 => x * x,
        2 | 3 => x.powi(cell) / 10.0,
        _ => x.sqrt(),
    }
}

#[test]
fn piecewise_by_cell_index_from_cast() {
    let derivative = |x: f64| match x.floor() as i32 {
        c if c < 0 => x.exp(),
        0 | 1 => 2.0 * x,
        c @ (2 | 3) => f64::from(c) * x.powi(c - 1) / 10.0,
        _ => 0.5 / x.sqrt(),
    };
    let points = vec![-1.5, -0.2, 0.3, 1.7, 2.5, 3.2, 3.9, 4.5, 7.25];
    case!(scalar piecewise_cells, points, |x, v| (*x) (*v))
        .closed(&|&x| row(&[derivative(x)]))
        .run();
}
