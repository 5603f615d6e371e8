//! Calls between differentiated functions (issue 4, part 4): a
//! `#[differentiate]` function calling another in the same module, in a
//! child module (`inner::h` and `crate::inner::h`), with a static argument
//! between two differentiable ones, with an array argument and an array
//! result, with a borrowed slice, inside a loop (with a static argument
//! from the loop index), inside a branch condition, in a vector function
//! used by `jacfwd`/`jacrev`, and recursion (`pow_rec`). One
//! `#[differentiate]` function per construct. (Calls into another crate
//! are not covered here: that needs a second crate in the workspace.)
//!
//! Oracles (`tests/harness/mod.rs` runs them): closed forms by the chain
//! rule with hand-written derivatives of the callees (`g' = sin x +
//! x cos x`, ...), and num-dual for the longer compositions (the callees
//! written again for dual numbers); central differences check both. Every
//! case checks `grad` and `value_and_grad` (scalar outputs), `jvp`, `vjp`
//! (each unit cotangent, and the dot-product test
//! `<jvp(v), w> = <v, pullback(w)>`), `jacfwd` and `jacrev`, so the
//! composed derivatives are checked in both modes.
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against closed forms, num-dual and between modes; `1e-6` against
//! central differences with step `1e-5 · max(1, |x|)`. `pow_rec`'s
//! derivative `n x^{n-1}` at integer points is exact in both modes and is
//! compared exactly.

use autodiff::prelude::*;
use harness::{row, row_fn, sample};
use inner::rotate;
use num_dual::{Dual64, DualNum};

mod common;
#[macro_use]
mod harness;

/// The callee in this module: `x sin x`.
#[differentiate]
fn g(x: f64) -> f64 {
    x * x.sin()
}

fn g_prime(x: f64) -> f64 {
    x.sin() + x * x.cos()
}

fn g_dual(x: Dual64) -> Dual64 {
    x * x.sin()
}

/// Callees in a child module.
mod inner {
    use autodiff::prelude::*;

    /// `x^n + e^x`, `n` static.
    #[differentiate]
    pub fn h(x: f64, n: i32) -> f64 {
        x.powi(n) + x.exp()
    }

    /// `x^k cos y`: a static argument between two differentiable ones.
    #[differentiate]
    pub fn mixed(x: f64, k: i32, y: f64) -> f64 {
        x.powi(k) * y.cos()
    }

    /// The rotation of `p` by `t`: an array argument and an array result.
    #[differentiate]
    pub fn rotate(p: [f64; 2], t: f64) -> [f64; 2] {
        let (s, c) = (t.sin(), t.cos());
        [c * p[0] - s * p[1], s * p[0] + c * p[1]]
    }

    /// The sum of squares of a slice.
    #[differentiate]
    pub fn sum_squares(v: &[f64]) -> f64 {
        let mut s = 0.0;
        for &e in v.iter() {
            s += e * e;
        }
        s
    }
}

fn h_dual(x: Dual64, n: i32) -> Dual64 {
    x.powi(n) + x.exp()
}

fn rotate_dual(p: [Dual64; 2], t: Dual64) -> [Dual64; 2] {
    let (s, c) = (t.sin(), t.cos());
    [c * p[0] - s * p[1], s * p[0] + c * p[1]]
}

// ---------------------------------------------------------------------------
// Same module, other module, static and several arguments
// ---------------------------------------------------------------------------

/// Two calls in the same module, one of an expression.
#[differentiate]
fn calls_same_module(x: f64) -> f64 {
    g(x) * 2.0 + g(x * x)
}

#[test]
fn call_in_same_module() {
    let points = sample(&0.0, (-2.0, 2.0), 5, 1);
    case!(scalar calls_same_module, points, |x, v| (*x) (*v))
        .closed(&|&x| row(&[2.0 * g_prime(x) + g_prime(x * x) * 2.0 * x]))
        .run();
    // The callee itself, for reference.
    let points = sample(&0.0, (-2.0, 2.0), 3, 2);
    case!(scalar g, points, |x, v| (*x) (*v))
        .closed(&|&x| row(&[g_prime(x)]))
        .run();
}

/// Calls into a child module by a relative and by an absolute path.
#[differentiate]
fn calls_other_module(x: f64) -> f64 {
    inner::h(x, 3) - crate::inner::h(x, 2) * x
}

#[test]
fn call_in_other_module() {
    // x³ + e^x - (x² + e^x) x.
    let points = sample(&0.0, (-2.0, 2.0), 5, 3);
    case!(scalar calls_other_module, points, |x, v| (*x) (*v))
        .closed(&|&x| row(&[3.0 * x * x + x.exp() - 3.0 * x * x - x.exp() * (1.0 + x)]))
        .run();
}

/// A static argument between two differentiable ones, the arguments
/// swapped in the second call.
#[differentiate]
fn static_in_between(x: f64, y: f64) -> f64 {
    inner::mixed(x, 3, y) + inner::mixed(y, 2, x)
}

#[test]
fn call_with_static_argument_in_between() {
    // x³ cos y + y² cos x.
    let points = sample(&(0.0, 0.0), (-2.0, 2.0), 5, 4);
    case!(scalar static_in_between, points, |x, v| (x.0, x.1) (v.0, v.1))
        .closed(&|&(x, y)| {
            row(&[
                3.0 * x * x * y.cos() - y * y * x.sin(),
                -x.powi(3) * y.sin() + 2.0 * y * x.cos(),
            ])
        })
        .run();
}

/// A call with a borrowed slice.
#[differentiate]
fn calls_with_slice(x: &[f64]) -> f64 {
    inner::sum_squares(x) * x[0]
}

#[test]
fn call_with_slice_argument() {
    // S x0 with S = Σ x_i².
    let points = sample(&vec![0.0; 4], (-2.0, 2.0), 4, 5);
    case!(scalar calls_with_slice, points, |x, v| (&x[..]) (v.clone()))
        .closed(&|x| {
            let s: f64 = x.iter().map(|v| v * v).sum();
            row_fn(4, |i| {
                if i == 0 {
                    2.0 * x[0] * x[0] + s
                } else {
                    2.0 * x[i] * x[0]
                }
            })
        })
        .run();
}

// ---------------------------------------------------------------------------
// Calls in loops, branches and vector functions
// ---------------------------------------------------------------------------

/// Calls inside a loop, one with a static argument from the loop index.
#[differentiate]
fn calls_in_loop(x: [f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        s += g(x[i]) * inner::h(x[(i + 1) % 4], i as i32);
    }
    s
}

fn calls_in_loop_dual(x: &[Dual64; 4]) -> Dual64 {
    let mut s = Dual64::from(0.0);
    for i in 0..4 {
        s += g_dual(x[i]) * h_dual(x[(i + 1) % 4], i as i32);
    }
    s
}

#[test]
fn calls_inside_loop() {
    let points = sample(&[0.0; 4], (-1.5, 1.5), 5, 6);
    case!(scalar calls_in_loop, points, |x, v| (*x) (*v))
        .dual(&calls_in_loop_dual)
        .run();
}

/// A call in a branch condition and calls in both branches.
#[differentiate]
fn calls_in_branch(x: f64) -> f64 {
    if g(x) > 0.5 {
        g(x).sqrt()
    } else {
        inner::h(x, 3)
    }
}

#[test]
fn calls_inside_branch() {
    // g(x) > 0.5 for |x| > 0.74 or so; points on both sides, away from it.
    let points = vec![-2.0, -1.2, -0.3, 0.1, 0.5, 1.0, 1.8];
    case!(scalar calls_in_branch, points, |x, v| (*x) (*v))
        .closed(&|&x| {
            let d = if g(x) > 0.5 {
                g_prime(x) / (2.0 * g(x).sqrt())
            } else {
                3.0 * x * x + x.exp()
            };
            row(&[d])
        })
        .run();
}

/// A vector function composed of calls: rotate, then three maps.
#[differentiate]
fn calls_vector(p: [f64; 2], t: f64) -> [f64; 3] {
    let q = inner::rotate(p, t);
    [q[0] * q[1], g(q[0]), inner::h(q[1], 2)]
}

fn calls_vector_dual(&(p, t): &([Dual64; 2], Dual64)) -> [Dual64; 3] {
    let q = rotate_dual(p, t);
    [q[0] * q[1], g_dual(q[0]), h_dual(q[1], 2)]
}

#[test]
fn calls_in_vector_function_jacobians() {
    let points = sample(&([0.0; 2], 0.0), (-2.0, 2.0), 5, 7);
    case!(calls_vector, points.clone(), |x, v| (x.0, x.1)(v.0, v.1))
        .dual(&calls_vector_dual)
        .run();
    // The callee alone.
    case!(rotate, points, |x, v| (x.0, x.1)(v.0, v.1))
        .dual(&|&(p, t)| rotate_dual(p, t))
        .run();
}

// ---------------------------------------------------------------------------
// Recursion
// ---------------------------------------------------------------------------

/// `x^n` by recursion on the static `n`.
#[differentiate]
fn pow_rec(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * pow_rec(x, n - 1)
    }
}

#[test]
fn recursion() {
    for n in [0u32, 1, 2, 5] {
        let points = sample(&0.0, (-2.0, 2.0), 4, 8);
        case!(scalar pow_rec, points, |x, v| (*x) (*v); n)
            .closed(&|&x| row(&[f64::from(n) * x.powi(n as i32 - 1)]))
            .run();
    }
    for (x, n, want) in [
        (2.0, 3, 12.0),
        (3.0, 4, 108.0),
        (-1.0, 5, 5.0),
        (5.0, 0, 0.0),
    ] {
        assert_eq!(pow_rec::grad(x, n), want, "d/dx x^{n} at {x}");
        let (_, pullback) = pow_rec::vjp(x, n);
        assert_eq!(pullback(1.0), want);
        assert_eq!(pow_rec::jvp((x, n), (1.0,)).1, want);
    }
}

/// A slice function called with arrays: a literal, and an array argument.
#[differentiate]
fn slice_fn(x: &[f64]) -> f64 {
    x[0] * x[1] + x[1].sin()
}

#[differentiate]
fn calls_with_array_literal(y: f64) -> f64 {
    slice_fn(&[y, 2.0 * y]) * y
}

#[differentiate]
fn calls_with_array_argument(z: [f64; 2]) -> f64 {
    slice_fn(&z) * z[0]
}

#[test]
fn arrays_passed_as_slices() {
    // f = (2y² + sin 2y) y: f' = 6y² + sin 2y + 2y cos 2y, f'' = 12y + 4 cos 2y - 4y sin 2y.
    for y in [0.3, -1.1, 2.0] {
        let (s, c) = ((2.0 * y).sin(), (2.0 * y).cos());
        let d1 = 6.0 * y * y + s + 2.0 * y * c;
        assert!((calls_with_array_literal::grad(y) - d1).abs() < 1e-12);
        assert!((calls_with_array_literal::jvp((y,), (1.0,)).1 - d1).abs() < 1e-12);
        let d2 = 12.0 * y + 4.0 * c - 4.0 * y * s;
        assert!((calls_with_array_literal::hessian(y)[(0, 0)] - d2).abs() < 1e-12);
    }
    // f = (z0 z1 + sin z1) z0.
    let z = [1.0, 2.0];
    let g = calls_with_array_argument::grad(z);
    assert!((g[0] - (2.0 * z[0] * z[1] + z[1].sin())).abs() < 1e-12);
    assert!((g[1] - z[0] * (z[0] + z[1].cos())).abs() < 1e-12);
    let (_, t) = calls_with_array_argument::jvp((z,), ([0.0, 1.0],));
    assert!((t - g[1]).abs() < 1e-12);
}
