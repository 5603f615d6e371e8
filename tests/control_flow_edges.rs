//! Less common shapes of control flow, each against a closed form or central
//! finite differences (step 1e-6, tolerance 1e-6 relative to max(1, |g|);
//! forward against reverse mode 1e-12):
//! `match` on a static enum by value and by reference, a branch inside a
//! `map` closure, `break` out of an inner loop, `return` from nested loops,
//! names shadowed inside a loop body, a loop over a `DMatrix` by
//! `nrows()`/`ncols()`, and a method whose body loops.

use autodiff::nalgebra::{DMatrix, DVector};
use autodiff::prelude::*;

/// A static configuration, matched by value (it is `Clone`, as by-value
/// static arguments must be) and by reference.
#[derive(Clone)]
enum Kind {
    Plain,
    Scaled(u32),
}

#[differentiate(wrt(x))]
fn by_kind(x: f64, kind: Kind, n: usize) -> f64 {
    let base = match kind {
        Kind::Plain => x,
        Kind::Scaled(_) => 2.0 * x,
    };
    match n {
        0 => base,
        1 | 2 => base * x,
        k if k > 10 => base * 3.0,
        _ => base * base,
    }
}

#[differentiate(wrt(x))]
fn by_kind_ref(x: f64, kind: &Kind) -> f64 {
    match kind {
        Kind::Plain => x * x,
        Kind::Scaled(k) => x * f64::from(*k),
    }
}

#[test]
fn match_on_static_enums() {
    let x = 1.5;
    assert_eq!(by_kind::grad(x, Kind::Plain, 0), 1.0);
    assert_eq!(by_kind::grad(x, Kind::Plain, 2), 2.0 * x);
    assert_eq!(by_kind::grad(x, Kind::Scaled(1), 20), 6.0);
    assert_eq!(by_kind::grad(x, Kind::Scaled(1), 5), 8.0 * x);
    assert_eq!(by_kind_ref::grad(x, &Kind::Plain), 2.0 * x);
    assert_eq!(by_kind_ref::grad(x, &Kind::Scaled(3)), 3.0);
}

#[differentiate]
fn relu_squared_sum(v: DVector<f64>) -> f64 {
    let w = v.map(|t| if t > 0.0 { t * t } else { -0.5 * t });
    w.sum()
}

#[test]
fn branch_inside_a_map_closure() {
    let v = DVector::from_vec(vec![1.0, -2.0, 3.0]);
    let g = relu_squared_sum::grad(v);
    assert_eq!(g, DVector::from_vec(vec![2.0, -0.5, 6.0]));
}

/// `Σ_{j <= i} x_i x_j`, with the inner loop left by `break`.
#[differentiate]
fn lower_triangle(x: [f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        for j in 0..4 {
            if j > i {
                break;
            }
            s += x[i] * x[j];
        }
    }
    s
}

#[test]
fn break_out_of_an_inner_loop() {
    let x = [1.0, 2.0, 3.0, 4.0];
    // d/dx_k = x_k + Σ_j x_j (each pair once, the diagonal twice).
    let total: f64 = x.iter().sum();
    let want = x.map(|xk| xk + total);
    assert_eq!(lower_triangle::grad(x), want);
    let (_, pullback) = lower_triangle::vjp(x);
    assert_eq!(pullback(1.0), want);
}

/// The first product `x_i x_j` above `t`, scanning row by row, else `t`.
#[differentiate]
fn first_product_above(x: [f64; 3], t: f64) -> f64 {
    for i in 0..3 {
        for j in 0..3 {
            if x[i] * x[j] > t {
                return x[i] * x[j];
            }
        }
    }
    t
}

#[test]
fn return_from_nested_loops() {
    // 1·1, 1·2, 1·3 <= 3.5 < 2·2: returns x_1², gradient (0, 4, 0), none to t.
    assert_eq!(
        first_product_above::grad([1.0, 2.0, 3.0], 3.5),
        ([0.0, 4.0, 0.0], 0.0)
    );
    // Nothing above 100: returns t.
    assert_eq!(
        first_product_above::grad([1.0, 2.0, 3.0], 100.0),
        ([0.0; 3], 1.0)
    );
    let (_, t) = first_product_above::jvp(([1.0, 2.0, 3.0], 3.5), ([1.0, 1.0, 1.0], 1.0));
    assert_eq!(t, 4.0);
}

/// A loop body that shadows the argument and declares locals named like
/// nothing outside.
#[differentiate]
fn shadowing(x: f64) -> f64 {
    let mut s = x;
    for _ in 0..3 {
        let doubled = s * 2.0;
        let x = doubled.sin();
        s += x;
    }
    s * x
}

fn shadowing_plain(x: f64) -> f64 {
    let mut s = x;
    for _ in 0..3 {
        s += (s * 2.0).sin();
    }
    s * x
}

#[test]
fn names_shadowed_in_a_loop_body() {
    for x in [0.3, -1.1, 2.0] {
        let h = 1e-6;
        let fd = (shadowing_plain(x + h) - shadowing_plain(x - h)) / (2.0 * h);
        let (v, g) = shadowing::value_and_grad(x);
        assert_eq!(v, shadowing_plain(x));
        assert!((g - fd).abs() <= 1e-6 * g.abs().max(1.0), "{g} vs {fd}");
        // Forward and reverse mode add the same terms in different orders.
        let t = shadowing::jvp((x,), (1.0,)).1;
        assert!((t - g).abs() <= 1e-12 * g.abs().max(1.0), "{t} vs {g}");
    }
}

#[differentiate(wrt(m))]
fn weighted_entries(m: DMatrix<f64>, v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            s += m[(i, j)] * v[j] * (i as f64 + 1.0);
        }
    }
    s
}

#[test]
fn loops_over_a_dynamic_matrix() {
    let m = DMatrix::from_element(2, 3, 0.5);
    let v = [1.0, 2.0, 3.0];
    let g = weighted_entries::grad(m, &v);
    let want = DMatrix::from_fn(2, 3, |i, j| v[j] * (i as f64 + 1.0));
    assert_eq!(g, want);
}

/// A chain of springs: its energy loops over neighbouring points.
struct Springs {
    k: f64,
}

impl Springs {
    #[differentiate]
    fn energy(&self, x: &[f64]) -> f64 {
        let mut e = 0.0;
        for w in 1..x.len() {
            let d = x[w] - x[w - 1];
            e += 0.5 * self.k * d * d;
        }
        e
    }
}

#[test]
fn method_with_a_loop() {
    let springs = Springs { k: 2.0 };
    let x = [0.0, 1.0, 3.0];
    // dE/dx_i = k (x_i - x_{i-1}) - k (x_{i+1} - x_i).
    assert_eq!(springs.energy_grad(&x), vec![-2.0, -2.0, 4.0]);
}
