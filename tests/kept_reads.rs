//! Loops whose replay reads again what the primal sweep read instead of
//! recording it per iteration (`autodiff-macros/src/rebuild/recompute.rs`, runtime
//! `tape::kept`): products of elements of slice and array arguments,
//! computed again in the replay from a copy of the argument kept once per
//! call, and a value the inner loop computes from the outer loop's values
//! alone (`xc[i]` in the loop over `j`), kept once per run of the inner
//! loop. Here too: a kept value that is a vector (`Vector3`), a branch
//! inside the inner loop, an inner loop that does not run for some outer
//! items, arrays kept under `tape = N` (no allocator needed) beside a slice
//! that is recorded there instead, and reads at a literal index.
//!
//! Oracles (`tests/harness/mod.rs` runs them, every mode): closed forms,
//! or num-dual on the same loops written over dual numbers; central
//! differences check both. Tolerances as in `tests/loop_counters.rs`:
//! `1e-12` relative against the oracles and between modes, `1e-6` against
//! central differences.

#![allow(clippy::needless_range_loop)]

use autodiff::nalgebra::Vector3;
use autodiff::prelude::*;
use harness::{row_fn, sample};
use num_dual::{Dual64, DualNum};

mod common;
#[macro_use]
mod harness;

fn slices(len: usize, seed: u64) -> Vec<Vec<f64>> {
    sample(&vec![0.0; len], (-1.5, 1.5), 3, seed)
}

/// `Σᵢ v[i] v[n + i]`: both factors are read again from the argument's
/// copy, so the loop's records hold nothing.
#[differentiate]
fn halves_dot(v: &[f64]) -> f64 {
    let n = v.len() / 2;
    let mut s = 0.0;
    for i in 0..n {
        s += v[i] * v[n + i];
    }
    s
}

#[test]
fn products_of_argument_elements() {
    case!(scalar halves_dot, slices(8, 41), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| row_fn(8, |k| if k < 4 { x[k + 4] } else { x[k - 4] }))
        .run();
}

/// GMM's triangular product on `v = [x (n), a (n(n-1)/2)]`: `xc[i]` is
/// the same in every iteration over `j` (kept once per run), `a[lt]` is
/// read again from the argument's copy at the rebuilt `lt`; the last outer
/// item's inner loop does not run.
#[differentiate]
fn lower_product(v: &[f64], n: usize) -> f64 {
    let mut xc = vec![0.0; n];
    for i in 0..n {
        xc[i] = v[i] - 0.25 * (i as f64);
    }
    let mut q = xc.clone();
    let mut lt = n;
    for i in 0..n {
        for j in i + 1..n {
            q[j] += v[lt] * xc[i];
            lt += 1;
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += q[i] * q[i];
    }
    s
}

/// The same sum written entry by entry: `q_j = xc_j + Σ_{i<j} a_ij xc_i`,
/// with row `i`'s entries starting at `n + i(n-1) - i(i-1)/2` in `v`.
fn lower_product_dual(v: &[Dual64], n: usize) -> Dual64 {
    let xc = |i: usize| v[i] - 0.25 * (i as f64);
    let entry = |i: usize, j: usize| v[n + i * (n - 1) - i * (i.max(1) - 1) / 2 + (j - i - 1)];
    (0..n)
        .map(|j| {
            let q = (0..j).fold(xc(j), |q, i| q + entry(i, j) * xc(i));
            q * q
        })
        .sum()
}

#[test]
fn invariant_factor_of_a_triangular_product() {
    let n = 4;
    let points = slices(n + n * (n - 1) / 2, 42);
    case!(scalar lower_product, points, |x, v| (&x[..]) (v.clone()); n)
        .dual(&|x| lower_product_dual(x, n))
        .run();
}

/// A kept value that is a vector: `rows[i]` (built from `v[0..2]`) times
/// `w[j] = v[2 + j]`, summed; the product's partials are computed again
/// in the replay from the vector kept per run and the argument's copy.
#[differentiate]
fn vector_rows(v: &[f64]) -> f64 {
    let rows = [
        Vector3::new(v[0], 2.0 * v[0], v[0] * v[0]),
        Vector3::new(v[1], -v[1], 3.0 * v[1]),
    ];
    let mut acc = Vector3::zeros();
    for i in 0..2 {
        for j in 0..v.len() - 2 {
            acc += rows[i] * v[2 + j];
        }
    }
    acc.norm_squared()
}

#[test]
fn kept_vector_value() {
    // acc = R S with R = Σ rows, S = Σ w: f = |R|² S².
    case!(scalar vector_rows, slices(5, 43), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| {
            let r = Vector3::new(x[0] + x[1], 2.0 * x[0] - x[1], x[0] * x[0] + 3.0 * x[1]);
            let s: f64 = x[2..].iter().sum();
            row_fn(5, |k| match k {
                0 => 2.0 * s * s * r.dot(&Vector3::new(1.0, 2.0, 2.0 * x[0])),
                1 => 2.0 * s * s * r.dot(&Vector3::new(1.0, -1.0, 3.0)),
                _ => 2.0 * s * r.norm_squared(),
            })
        })
        .run();
}

/// An invariant factor and an argument read inside a branch of the inner
/// loop (the branch's record keeps what its arm's replay reads, as
/// before), and a read at a literal index.
#[differentiate]
fn branchy_rows(v: &[f64]) -> f64 {
    let n = v.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (v[i] * v[0]).sin();
    }
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            if v[j] > 0.0 {
                s += y[i] * v[j] * v[j];
            } else {
                s -= y[i] * v[j];
            }
        }
    }
    s
}

fn branchy_rows_dual(v: &[Dual64]) -> Dual64 {
    let y: Vec<Dual64> = v.iter().map(|vi| (*vi * v[0]).sin()).collect();
    let mut s = Dual64::from(0.0);
    for yi in &y {
        for vj in v {
            if vj.re > 0.0 {
                s += yi * vj * vj;
            } else {
                s -= yi * vj;
            }
        }
    }
    s
}

#[test]
fn kept_reads_in_a_branch() {
    // Entries away from 0, where the branch switches.
    let points = vec![
        vec![0.5, -1.0, 1.2, 0.9, -0.3],
        vec![-0.4, 0.3, 0.6, -1.2, 0.7],
        vec![1.3, 1.2, -0.5, 0.4, 0.9],
    ];
    case!(scalar branchy_rows, points, |x, v| (&x[..]) (v.clone()))
        .dual(&|x| branchy_rows_dual(x))
        .run();
}

/// Under `tape = N` an array argument is still kept (a copy on the stack):
/// the product `w[a] w[b]` is computed again in the replay, and only
/// `x[i]`, a slice's element, stays in the record (a slice's copy would
/// need an allocator).
#[differentiate(tape = 32)]
fn fixed_weights(x: &[f64], w: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i & 3] * w[(i + 1) & 3] * x[i] * x[i];
    }
    s
}

#[test]
fn arrays_kept_under_a_fixed_tape() {
    for (x, w) in slices(7, 44)
        .iter()
        .zip(sample(&[0.0; 4], (-1.5, 1.5), 3, 45))
    {
        let (gx, gw) = fixed_weights::grad(x, &w);
        let pair = |i: usize| w[i & 3] * w[(i + 1) & 3];
        for (i, g) in gx.iter().enumerate() {
            let want = 2.0 * pair(i) * x[i];
            assert!((g - want).abs() <= 1e-12 * want.abs().max(1.0), "x[{i}]");
        }
        for (k, g) in gw.iter().enumerate() {
            let want: f64 = (0..x.len())
                .map(|i| {
                    let d = (i & 3 == k) as u8 as f64 * w[(i + 1) & 3]
                        + ((i + 1) & 3 == k) as u8 as f64 * w[i & 3];
                    d * x[i] * x[i]
                })
                .sum();
            assert!((g - want).abs() <= 1e-12 * want.abs().max(1.0), "w[{k}]");
        }
        // The pullback, called twice, reads the kept copy each time.
        let (_, pullback) = fixed_weights::vjp(x, &w);
        let (once, twice) = (pullback(1.0), pullback(2.0));
        for (a, b) in once.1.iter().zip(&twice.1) {
            assert!((2.0 * a - b).abs() <= 1e-12 * b.abs().max(1.0));
        }
    }
}
