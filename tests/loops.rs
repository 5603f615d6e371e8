//! Loop programs (issue 4, part 7): Horner's rule, explicit Euler over
//! 1,000 steps, Newton's method for a square root (a `while` loop on an
//! active condition), running maxima, cumulative sums `a[i] += a[i - 1]`, a
//! matrix-vector product with nested loops and a bubble sort. One
//! `#[differentiate]` function per construct. The loop forms one at a time
//! (iterators, `step_by`, `loop`/`break`/`continue`, nalgebra vectors) are
//! in `tests/loop_forms.rs`, iterator reductions in `tests/reductions.rs`
//! and an early `return` from inside a loop in `tests/loop_return.rs`
//! (separate files, so that a construct the macro rejects does not keep
//! the others from compiling).
//!
//! Oracles (`tests/harness/mod.rs` runs them): closed forms (Horner's
//! `Σ i c_i x^{i-1}` and `x^i`, `1 / (2√a)` for Newton, one-hot gradients of
//! maxima, the permutation matrix of a sort, the lower-triangular ones of a
//! cumulative sum, `δ_ik x_j` and `m_ij` for `y = M x`, ...) and num-dual
//! running the same loop on dual numbers; central differences check both.
//! Every case checks `grad` and `value_and_grad` (scalar outputs), `jvp`,
//! `vjp` (each unit cotangent, and the dot-product test
//! `<jvp(v), w> = <v, pullback(w)>`), `jacfwd` and `jacrev`. Points are
//! chosen away from ties and kinks by more than the finite-difference step.
//!
//! Tolerances, relative (`|got - want| <= tol · max(|want|, scale)`, with
//! `scale` the size of the terms summed, as in `tests/structured.rs`):
//! `1e-12` against closed forms, num-dual and between modes; `1e-6` against
//! central differences with step `1e-5 · max(1, |x|)`. Two exceptions:
//!
//! - Euler over 1,000 steps: `1e-10`. Forward mode, reverse mode and
//!   num-dual add the same terms in different orders at every step; each
//!   step contributes a few ulps, so 1,000 steps of these damped systems
//!   can accumulate up to about `1000 · 4 · 1.1e-16 ≈ 5e-13` of the
//!   Jacobian's size (measured between num-dual and a hand-written reverse
//!   sweep of the oscillator: `2e-15`). `1e-10` leaves a wide margin and is
//!   still far below the O(1) error of a wrong derivative.
//! - Newton's method against the closed form `1 / (2√a)`: `1e-10`. The loop
//!   stops once `|y² - a| <= 1e-12 a`, and the derivative of the last
//!   iterate differs from `1 / (2√a)` by O(e²) where `e` is the relative
//!   error of the iterate before it (up to about `1e-6`; measured: at most
//!   `1e-14` at these points). Against num-dual,
//!   which runs the same iterations, the tolerance stays `1e-12`.

#![allow(clippy::needless_range_loop)]

use autodiff::nalgebra::DMatrix;
use autodiff::prelude::*;
use harness::{row, sample};
use num_dual::{Dual64, DualNum};

mod common;
#[macro_use]
mod harness;

/// A one-hot row of length `n`.
fn one_hot(n: usize, k: usize) -> Vec<f64> {
    (0..n).map(|i| if i == k { 1.0 } else { 0.0 }).collect()
}

/// The index of the largest entry.
fn argmax(x: &[f64]) -> usize {
    (0..x.len()).fold(0, |best, i| if x[i] > x[best] { i } else { best })
}

// ---------------------------------------------------------------------------
// Horner
// ---------------------------------------------------------------------------

/// Horner over a slice of coefficients, `.iter().rev()` with `&c`.
#[differentiate]
fn horner_slice(x: f64, c: &[f64]) -> f64 {
    let mut y = 0.0;
    for &ci in c.iter().rev() {
        y = y * x + ci;
    }
    y
}

/// Horner over an array, a range with `.rev()` and a constant bound.
#[differentiate]
fn horner_array(x: f64, c: [f64; 5]) -> f64 {
    let mut y = c[4];
    for i in (0..4).rev() {
        y = y * x + c[i];
    }
    y
}

/// `(d/dx, d/dc_0, .., d/dc_n)` of `Σ c_i x^i`.
fn horner_closed(x: f64, c: &[f64]) -> DMatrix<f64> {
    let dx: f64 = (1..c.len())
        .map(|i| i as f64 * c[i] * x.powi(i as i32 - 1))
        .sum();
    let mut g = vec![dx];
    g.extend((0..c.len()).map(|i| x.powi(i as i32)));
    row(&g)
}

#[test]
fn horner() {
    let points = sample(&(0.0, vec![0.0; 6]), (-1.5, 1.5), 5, 1);
    case!(scalar horner_slice, points, |x, v| (x.0, &x.1[..]) (v.0, v.1.clone()))
        .closed(&|(x, c)| horner_closed(*x, c))
        .run();
    let points = sample(&(0.0, [0.0; 5]), (-1.5, 1.5), 5, 2);
    case!(scalar horner_array, points, |x, v| (x.0, x.1) (v.0, v.1))
        .closed(&|(x, c)| horner_closed(*x, c))
        .run();
}

// ---------------------------------------------------------------------------
// Explicit Euler over 1,000 steps
// ---------------------------------------------------------------------------

/// `dy/dt = -k y + sin t`, 1,000 steps of 0.005 (a constant bound).
#[differentiate]
fn euler_decay(y0: f64, k: f64) -> f64 {
    let dt = 0.005;
    let mut y = y0;
    for i in 0..1000 {
        let t = i as f64 * dt;
        y += dt * (t.sin() - k * y);
    }
    y
}

fn euler_decay_dual(&(y0, k): &(Dual64, Dual64)) -> Dual64 {
    let dt = 0.005;
    let mut y = y0;
    for i in 0..1000 {
        let t = i as f64 * dt;
        y += (-(k * y) + t.sin()) * dt;
    }
    y
}

/// A damped, driven oscillator with state `[f64; 2]`, the step count a
/// `usize` argument, the state reassigned from an array literal.
#[differentiate]
fn oscillator(y0: [f64; 2], k: f64, steps: usize) -> [f64; 2] {
    let dt = 10.0 / steps as f64;
    let mut y = y0;
    for i in 0..steps {
        let t = i as f64 * dt;
        let a = t.cos() - k * y[0] - 0.2 * y[1];
        y = [y[0] + dt * y[1], y[1] + dt * a];
    }
    y
}

fn oscillator_dual(&(y0, k): &([Dual64; 2], Dual64), steps: usize) -> [Dual64; 2] {
    let dt = 10.0 / steps as f64;
    let mut y = y0;
    for i in 0..steps {
        let t = i as f64 * dt;
        let a = -(k * y[0]) - y[1] * 0.2 + t.cos();
        y = [y[0] + y[1] * dt, y[1] + a * dt];
    }
    y
}

#[test]
fn explicit_euler_over_1000_steps() {
    let points = vec![(1.0, 0.5), (-0.3, 2.0), (2.0, 0.1)];
    case!(scalar euler_decay, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&euler_decay_dual)
        .tol(1e-10)
        .run();
    let points = vec![([1.0, 0.0], 4.0), ([-0.5, 0.8], 1.0), ([0.2, -1.0], 9.0)];
    case!(oscillator, points, |x, v| (x.0, x.1) (v.0, v.1); 1000)
        .dual(&|x| oscillator_dual(x, 1000))
        .tol(1e-10)
        .run();
    // d y_1000 / d y0 = (1 - k dt)^1000 (the recursion is affine in y).
    for (y0, k) in [(1.0, 0.5), (-0.3, 2.0)] {
        let (g, want) = (euler_decay::grad(y0, k).0, (1.0 - k * 0.005f64).powi(1000));
        assert!((g - want).abs() <= 1e-10 * want.abs(), "{g} vs {want}");
    }
}

// ---------------------------------------------------------------------------
// Newton's method: a `while` loop on an active condition
// ---------------------------------------------------------------------------

/// Starts from `(a + 1) / 2 >= √a`, an active value.
#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut y = 0.5 * (a + 1.0);
    while (y * y - a).abs() > 1e-12 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

/// Starts from the constant 1: `y` becomes active in the first iteration.
#[differentiate]
fn newton_sqrt_from_one(a: f64) -> f64 {
    let mut y = 1.0;
    while (y * y - a).abs() > 1e-12 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

fn newton_dual(a: Dual64, mut y: Dual64) -> Dual64 {
    while (y * y - a).re.abs() > 1e-12 * a.re {
        y = (y + a / y) * 0.5;
    }
    y
}

#[test]
fn newton_square_root_through_while_loop() {
    let points = vec![0.01, 0.5, 2.0, 9.0, 100.0, 12345.0];
    let closed = |a: &f64| row(&[0.5 / a.sqrt()]);
    case!(scalar newton_sqrt, points.clone(), |x, v| (*x) (*v))
        .dual(&|&a| newton_dual(a, (a + 1.0) * 0.5))
        .closed(&closed)
        .closed_tol(1e-10)
        .run();
    case!(scalar newton_sqrt_from_one, points, |x, v| (*x) (*v))
        .dual(&|&a| newton_dual(a, Dual64::from(1.0)))
        .closed(&closed)
        .closed_tol(1e-10)
        .run();
}

// ---------------------------------------------------------------------------
// Running maxima, cumulative sums
// ---------------------------------------------------------------------------

/// `m = m.max(x[i])` over a constant range.
#[differentiate]
fn running_max(x: [f64; 6]) -> f64 {
    let mut m = x[0];
    for i in 1..6 {
        m = m.max(x[i]);
    }
    m
}

/// `if x[i] > m { m = x[i]; }` with the bound from `x.len()`.
#[differentiate]
fn running_max_if(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        if x[i] > m {
            m = x[i];
        }
    }
    m
}

/// The prefix maxima as an array: element assignment inside a branch.
#[differentiate]
fn prefix_max(x: [f64; 5]) -> [f64; 5] {
    let mut out = x;
    for i in 1..5 {
        if out[i - 1] > out[i] {
            out[i] = out[i - 1];
        }
    }
    out
}

#[test]
fn running_maximum() {
    let points = sample(&[0.0; 6], (-2.0, 2.0), 6, 3);
    case!(scalar running_max, points, |x, v| (*x) (*v))
        .closed(&|x| row(&one_hot(6, argmax(x))))
        .run();
    let points = sample(&vec![0.0; 7], (-2.0, 2.0), 6, 4);
    case!(scalar running_max_if, points, |x, v| (&x[..]) (v.clone()))
        .closed(&|x| row(&one_hot(7, argmax(x))))
        .run();
    let points = sample(&[0.0; 5], (-2.0, 2.0), 6, 5);
    case!(prefix_max, points, |x, v| (*x)(*v))
        .closed(&|x| DMatrix::from_fn(5, 5, |i, j| if j == argmax(&x[..=i]) { 1.0 } else { 0.0 }))
        .run();
}

/// `a[i] += a[i - 1]` on a local copy of an array.
#[differentiate]
fn cumsum(x: [f64; 5]) -> [f64; 5] {
    let mut a = x;
    for i in 1..5 {
        a[i] += a[i - 1];
    }
    a
}

/// The same on a clone of a `Vec`, then a weighted sum in a second loop.
#[differentiate]
fn cumsum_weighted(x: Vec<f64>) -> f64 {
    let mut a = x.clone();
    for i in 1..a.len() {
        a[i] += a[i - 1];
    }
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * (i + 1) as f64;
    }
    s
}

#[test]
fn cumulative_sums() {
    let lower = DMatrix::from_fn(5, 5, |i, j| if j <= i { 1.0 } else { 0.0 });
    let points = sample(&[0.0; 5], (-2.0, 2.0), 3, 6);
    case!(cumsum, points, |x, v| (*x)(*v))
        .closed(&|_| lower.clone())
        .run();
    // d/dx_j Σ_i (i + 1) Σ_{k<=i} x_k = Σ_{i>=j} (i + 1).
    let points = sample(&vec![0.0; 6], (-2.0, 2.0), 3, 7);
    let weights: Vec<f64> = (0..6).map(|j| (j + 1..=6).sum::<usize>() as f64).collect();
    case!(scalar cumsum_weighted, points, |x, v| (x.clone()) (v.clone()))
        .closed(&|_| row(&weights))
        .run();
    // The Jacobian is exactly the lower-triangular ones.
    assert_eq!(harness::jac(cumsum::jacfwd([0.5; 5])), lower);
    assert_eq!(harness::jac(cumsum::jacrev([0.5; 5])), lower);
}

// ---------------------------------------------------------------------------
// Nested loops: a matrix-vector product, a bubble sort
// ---------------------------------------------------------------------------

/// `y[i] += m[i][j] * x[j]` in two nested constant loops.
#[differentiate]
fn matvec(m: [[f64; 3]; 3], x: [f64; 3]) -> [f64; 3] {
    let mut y = [0.0; 3];
    for i in 0..3 {
        for j in 0..3 {
            y[i] += m[i][j] * x[j];
        }
    }
    y
}

#[test]
fn matrix_vector_product_with_nested_loops() {
    // Columns: m row-major (dy_i/dm_kj = δ_ik x_j), then x (dy_i/dx_j = m_ij).
    let closed = |(m, x): &([[f64; 3]; 3], [f64; 3])| {
        DMatrix::from_fn(3, 12, |i, c| match c {
            c if c < 9 => {
                if c / 3 == i {
                    x[c % 3]
                } else {
                    0.0
                }
            }
            c => m[i][c - 9],
        })
    };
    let points = sample(&([[0.0; 3]; 3], [0.0; 3]), (-2.0, 2.0), 4, 8);
    case!(matvec, points, |x, v| (x.0, x.1)(v.0, v.1))
        .closed(&closed)
        .run();
}

/// Bubble sort with a swap through a temporary; the inner bound depends on
/// the outer loop's index.
#[differentiate]
#[allow(clippy::manual_swap)]
fn bubble_sort(x: [f64; 5]) -> [f64; 5] {
    let mut a = x;
    for i in 0..4 {
        for j in 0..4 - i {
            if a[j] > a[j + 1] {
                let t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
            }
        }
    }
    a
}

/// The permutation matrix that sorts `x`: row i is one-hot at the index of
/// the i-th smallest entry.
fn sorting_permutation(x: &[f64; 5]) -> DMatrix<f64> {
    let mut order: Vec<usize> = (0..5).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    DMatrix::from_fn(5, 5, |i, j| if order[i] == j { 1.0 } else { 0.0 })
}

#[test]
fn bubble_sort_jacobian_is_the_permutation() {
    let points = sample(&[0.0; 5], (-2.0, 2.0), 6, 9);
    case!(bubble_sort, points.clone(), |x, v| (*x)(*v))
        .closed(&sorting_permutation)
        .run();
    for x in points
        .iter()
        .chain(&[[5.0, 4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 3.0, 4.0, 5.0]])
    {
        let p = sorting_permutation(x);
        assert_eq!(harness::jac(bubble_sort::jacfwd(*x)), p, "jacfwd at {x:?}");
        assert_eq!(harness::jac(bubble_sort::jacrev(*x)), p, "jacrev at {x:?}");
    }
}
