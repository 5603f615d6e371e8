//! Loop forms (issue 4, part 2), one `#[differentiate]` function and one
//! test per construct: `for v in x` over an array and a slice; `.iter()`
//! with `&v`, `.iter().enumerate()` with `(i, &v)` and `(i, row)`,
//! `.iter().zip(..)`, `.iter().rev()`; ranges with `.step_by()`, bounds
//! from a `usize` argument and from `len()`; arrays, slices, `Vec`,
//! `DVector` and `SVector`; `loop` with `break` and `continue` (on static
//! and active conditions); `while` with `continue`. The real loop programs
//! (Horner, Euler, Newton, sorting, ...) are in `tests/loops.rs`, iterator
//! reductions in `tests/reductions.rs`.
//!
//! Oracles (`tests/harness/mod.rs` runs them): closed forms of each
//! gradient, and num-dual for `loop_break_continue` (the same loop written
//! as a `for` over dual numbers); central differences check both. Every
//! case checks `grad`, `value_and_grad`, `jvp`, `vjp` (each unit
//! cotangent, and the dot-product test `<jvp(v), w> = <v, pullback(w)>`),
//! `jacfwd` and `jacrev`, at pseudo-random points (or at points chosen away
//! from the thresholds of the active conditions).
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against closed forms, num-dual and between modes (a few dozen
//! operations, errors of a few ulps); `1e-6` against central differences
//! with step `1e-5 · max(1, |x|)`.

use autodiff::nalgebra::{DVector, SVector};
use autodiff::prelude::*;
use harness::{row, row_fn, sample};
use num_dual::Dual64;

mod common;
#[macro_use]
mod harness;

fn slices(seed: u64) -> Vec<Vec<f64>> {
    sample(&vec![0.0; 5], (-2.0, 2.0), 3, seed)
}

// ---------------------------------------------------------------------------
// `for` over values, iterators and ranges
// ---------------------------------------------------------------------------

/// `for v in x` over an array by value.
#[differentiate]
fn for_in_array(x: [f64; 4]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v * v.cos();
    }
    s
}

#[test]
fn for_value_in_array() {
    let points = sample(&[0.0; 4], (-2.0, 2.0), 3, 10);
    case!(scalar for_in_array, points, |x, v| (*x) (*v))
        .closed(&|x| row(&x.map(|v| v.cos() - v * v.sin())))
        .run();
}

/// `for v in x` over a slice (`v: &f64`).
#[differentiate]
fn for_in_slice(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v * v;
    }
    s
}

#[test]
fn for_reference_in_slice() {
    case!(scalar for_in_slice, slices(11), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| row_fn(5, |i| 2.0 * x[i]))
        .run();
}

/// `for &v in x.iter()`, the order mattering: `s = s / 2 + e^v`.
#[differentiate]
fn for_ref_iter(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x.iter() {
        s = s * 0.5 + v.exp();
    }
    s
}

#[test]
fn for_pattern_over_iter() {
    case!(scalar for_ref_iter, slices(12), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| row_fn(5, |i| x[i].exp() * 0.5f64.powi(4 - i as i32)))
        .run();
}

/// `.iter().enumerate()` with the pattern `(i, &v)`.
#[differentiate]
fn enumerate_weights(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, &v) in x.iter().enumerate() {
        s += (i as f64 + 1.0) * v * v;
    }
    s
}

#[test]
fn enumerate_with_value_pattern() {
    case!(scalar enumerate_weights, slices(13), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| row_fn(5, |i| 2.0 * (i as f64 + 1.0) * x[i]))
        .run();
}

/// `.iter().enumerate()` over the rows of a nested array: `(i, row)`.
#[differentiate]
fn enumerate_rows(m: [[f64; 3]; 3]) -> f64 {
    let mut s = 0.0;
    for (i, row) in m.iter().enumerate() {
        s += row[i] * row[(i + 1) % 3];
    }
    s
}

#[test]
fn enumerate_rows_of_nested_array() {
    let points = sample(&[[0.0; 3]; 3], (-2.0, 2.0), 3, 14);
    case!(scalar enumerate_rows, points, |x, v| (*x) (*v))
        .closed(&|m| {
            // Row-major: m[i][j] is component 3i + j.
            let mut g = [0.0; 9];
            for i in 0..3 {
                g[3 * i + i] += m[i][(i + 1) % 3];
                g[3 * i + (i + 1) % 3] += m[i][i];
            }
            row(&g)
        })
        .run();
}

/// `.iter().zip(..)` of an array and a `Vec`, with `(&p, &q)`.
#[differentiate]
fn zip_sin(a: [f64; 4], b: Vec<f64>) -> f64 {
    let mut s = 0.0;
    for (&p, &q) in a.iter().zip(b.iter()) {
        s += p * q.sin();
    }
    s
}

#[test]
fn zip_of_array_and_vec() {
    let points = sample(&([0.0; 4], vec![0.0; 4]), (-2.0, 2.0), 3, 15);
    case!(scalar zip_sin, points, |x, v| (x.0, x.1.clone()) (v.0, v.1.clone()))
        .closed(&|(a, b)| {
            row_fn(8, |i| {
                if i < 4 {
                    b[i].sin()
                } else {
                    a[i - 4] * b[i - 4].cos()
                }
            })
        })
        .run();
}

/// `.step_by(2)` over a constant range.
#[differentiate]
fn step_by_two(x: [f64; 7]) -> f64 {
    let mut s = 0.0;
    for i in (0..7).step_by(2) {
        s += x[i] * x[i];
    }
    s
}

#[test]
fn range_step_by() {
    let points = sample(&[0.0; 7], (-2.0, 2.0), 3, 16);
    case!(scalar step_by_two, points, |x, v| (*x) (*v))
        .closed(&|x| row_fn(7, |i| if i % 2 == 0 { 2.0 * x[i] } else { 0.0 }))
        .run();
}

/// The bound from a `usize` argument, static index arithmetic.
#[differentiate]
fn first_n(x: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += x[i] * x[n - 1 - i];
    }
    s
}

#[test]
fn range_bound_from_argument() {
    for n in [1, 3, 5] {
        case!(scalar first_n, slices(17), |x, v| (&x[..]) (v.clone()); n)
            .closed(&|x| row_fn(5, |j| if j < n { 2.0 * x[n - 1 - j] } else { 0.0 }))
            .run();
    }
}

/// The bound from `x.len()` on a `Vec`, indices `i` and `i - 1`.
#[differentiate]
fn squared_steps(x: Vec<f64>) -> f64 {
    let mut s = 0.0;
    for i in 1..x.len() {
        s += (x[i] - x[i - 1]).powi(2);
    }
    s
}

#[test]
fn range_bound_from_len() {
    case!(scalar squared_steps, slices(18), |x, v| (x.clone()) (v.clone()))
        .closed(&|x| {
            let d = |i: usize| 2.0 * (x[i] - x[i - 1]);
            row_fn(5, |j| {
                let from_left = if j > 0 { d(j) } else { 0.0 };
                let from_right = if j < 4 { d(j + 1) } else { 0.0 };
                from_left - from_right
            })
        })
        .run();
}

/// Circular indices `(i + 1) % x.len()`: the remainder of a shape query
/// is static, as the query is.
#[differentiate]
fn circular_steps(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[(i + 1) % x.len()];
    }
    s
}

#[test]
fn circular_index_from_len() {
    // ∂/∂x_j Σᵢ xᵢ x₍ᵢ₊₁₎ mod n = x₍ⱼ₊₁₎ mod n + x₍ⱼ₋₁₎ mod n.
    case!(scalar circular_steps, slices(19), |x, v| (&x) (v.clone()))
        .closed(&|x| row_fn(5, |j| x[(j + 1) % 5] + x[(j + 4) % 5]))
        .run();
}

/// Over a `DVector` with `(i, &v)`.
#[differentiate]
fn dvector_enumerate(x: &DVector<f64>) -> f64 {
    let mut s = 0.0;
    for (i, &v) in x.iter().enumerate() {
        s += v.sin() * i as f64;
    }
    s
}

/// Over an `SVector`, reversed: `x_i` ends up multiplied by `2^i`.
#[differentiate]
fn svector_rev(x: SVector<f64, 4>) -> f64 {
    let mut s = 0.0;
    for &v in x.iter().rev() {
        s = s * 2.0 + v;
    }
    s
}

#[test]
fn nalgebra_vectors() {
    let points = sample(&DVector::from_element(5, 0.0), (-2.0, 2.0), 3, 19);
    case!(scalar dvector_enumerate, points, |x, v| (x) (v.clone()))
        .closed(&|x| row_fn(5, |i| x[i].cos() * i as f64))
        .run();
    let points = sample(&SVector::<f64, 4>::zeros(), (-2.0, 2.0), 3, 20);
    case!(scalar svector_rev, points, |x, v| (*x) (*v))
        .closed(&|_| row(&[1.0, 2.0, 4.0, 8.0]))
        .run();
}

// ---------------------------------------------------------------------------
// `loop`, `while`, `break`, `continue`
// ---------------------------------------------------------------------------

/// Entries of both signs, `|x_i| > 0.05`; the partial sums of squares of
/// the non-negative entries stay away from 3.
fn signed_points() -> Vec<Vec<f64>> {
    vec![
        vec![0.5, -1.0, 1.2, 0.9, -0.3, 1.1],
        vec![-0.4, 0.3, 0.6, -2.0, 0.7, 0.2],
        vec![1.5, 1.2, -0.5, 0.4, 0.9, 0.1],
        vec![-1.0, -0.2, -0.6, -0.8, -0.9, -1.1],
    ]
}

/// `loop` with a `break` on a static condition, a `continue` on an active
/// one and a `break` on an active one.
#[differentiate]
fn loop_break_continue(x: &[f64]) -> f64 {
    let mut i = 0;
    let mut s = 0.0;
    loop {
        if i == x.len() {
            break;
        }
        let v = x[i];
        i += 1;
        if v < 0.0 {
            continue;
        }
        s += v * v;
        if s > 3.0 {
            break;
        }
    }
    s
}

fn loop_break_continue_dual(x: &[Dual64]) -> Dual64 {
    let mut s = Dual64::from(0.0);
    for &v in x {
        if v < 0.0 {
            continue;
        }
        s += v * v;
        if s > 3.0 {
            break;
        }
    }
    s
}

#[test]
fn loop_with_break_and_continue() {
    case!(scalar loop_break_continue, signed_points(), |x, v| (&x[..]) (v.clone()))
        .dual(&|x| loop_break_continue_dual(x))
        .run();
}

/// `while` on a static condition with a `continue` on an active one.
#[differentiate]
fn while_continue(x: [f64; 6]) -> f64 {
    let mut i = 0;
    let mut p = 1.0;
    while i < 6 {
        i += 1;
        if x[i - 1] < 0.0 {
            continue;
        }
        p *= 1.0 + x[i - 1];
    }
    p
}

#[test]
fn while_with_continue() {
    let points: Vec<[f64; 6]> = signed_points()
        .iter()
        .map(|p| p[..].try_into().unwrap())
        .collect();
    case!(scalar while_continue, points, |x, v| (*x) (*v))
        .closed(&|x| {
            let p: f64 = x.iter().filter(|&&v| v >= 0.0).map(|v| 1.0 + v).product();
            row(&x.map(|v| if v >= 0.0 { p / (1.0 + v) } else { 0.0 }))
        })
        .run();
}

/// `*v` on a loop's item (a reference in Rust, a value to the macro), in a
/// comparison kept as written and in arithmetic.
#[differentiate(wrt(x))]
fn sum_above(x: &[f64], limit: f64) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        if *v > limit {
            s += *v * *v;
        }
    }
    s
}

#[test]
fn dereferenced_items() {
    let x = [0.5, 2.0, -1.0, 3.0];
    let (value, grad) = sum_above::value_and_grad(&x, 1.0);
    assert_eq!(value, 13.0);
    // d/dx_i of Σ_{x_i > 1} x_i² is 2 x_i above the limit, 0 below.
    assert_eq!(grad, vec![0.0, 4.0, 0.0, 6.0]);
}
