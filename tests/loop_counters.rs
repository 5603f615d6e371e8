//! Loops whose replay rebuilds their counters from each record's position
//! instead of keeping them on the tape (`autodiff-macros/src/rebuild/`):
//! items of integer ranges of several types and of a `char` range,
//! inclusive and offset ranges,
//! a triangular nest whose inner range starts after the outer item, index
//! arithmetic on them, counters stepped by literals up and down (`k += 2`,
//! `m -= 1`), a counter stepped inside a branch (kept on the tape, not
//! rebuilt), an `i8` counter whose rebuilt value wraps in between, and a
//! range loop left early by `break`.
//!
//! Oracles (`tests/harness/mod.rs` runs them, every mode): closed forms of
//! each gradient, or num-dual on the same loops written over dual numbers;
//! central differences check both. Tolerances as in `tests/loop_forms.rs`:
//! `1e-12` relative against the oracles and between modes, `1e-6` against
//! central differences.

use autodiff::prelude::*;
use harness::{row, row_fn, sample};
use num_dual::Dual64;

mod common;
#[macro_use]
mod harness;

fn slices(len: usize, seed: u64) -> Vec<Vec<f64>> {
    sample(&vec![0.0; len], (-1.5, 1.5), 3, seed)
}

/// Ranges over `i32` (negative items), `u8` (inclusive) and `i64` (from
/// an offset), each item used as an index after a cast.
#[differentiate]
fn typed_ranges(x: [f64; 6]) -> f64 {
    let mut s = 0.0;
    for k in -2i32..3 {
        s += x[(k + 2) as usize] * (k as f64);
    }
    for k in 1u8..=4 {
        s += x[k as usize] * x[k as usize + 1];
    }
    for k in 3i64..6 {
        s += x[(k - 3) as usize].sin();
    }
    s
}

/// A range of `char`s, its items used in index arithmetic.
#[differentiate]
fn letters(x: [f64; 5]) -> f64 {
    let mut s = 0.0;
    for c in 'a'..='e' {
        let k = c as usize - 'a' as usize;
        s += x[k] * x[k] * ((k + 1) as f64);
    }
    s
}

#[test]
fn range_of_chars() {
    let points = sample(&[0.0; 5], (-1.5, 1.5), 3, 35);
    case!(scalar letters, points, |x, v| (*x) (*v))
        .closed(&|x| row_fn(5, |k| 2.0 * x[k] * (k + 1) as f64))
        .run();
}

#[test]
fn ranges_of_several_integer_types() {
    let points = sample(&[0.0; 6], (-1.5, 1.5), 3, 31);
    case!(scalar typed_ranges, points, |x, v| (*x) (*v))
        .closed(&|x| {
            row_fn(6, |j| {
                let signed = if j < 5 { j as f64 - 2.0 } else { 0.0 };
                let right = if (1..=4).contains(&j) { x[j + 1] } else { 0.0 };
                let left = if (2..=5).contains(&j) { x[j - 1] } else { 0.0 };
                let sine = if j < 3 { x[j].cos() } else { 0.0 };
                signed + right + left + sine
            })
        })
        .run();
}

/// `Σ_{i<j} a[i n + j] xᵢ xⱼ`: the inner range starts after the outer
/// item, the index is the row's offset plus the inner item, both rebuilt.
#[differentiate(wrt(x))]
fn triangular_form(x: &[f64], a: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        let row = i * n;
        for j in i + 1..n {
            s += a[row + j] * x[i] * x[j];
        }
    }
    s
}

#[test]
fn triangular_nest_with_row_offsets() {
    let n = 5;
    let a: Vec<f64> = (0..n * n).map(|k| (k as f64 * 0.7).sin()).collect();
    case!(scalar triangular_form, slices(n, 32), |x, v| (&x[..]) (v.clone()); &a)
        .closed(&|x| {
            row_fn(n, |k| {
                let later: f64 = (k + 1..n).map(|j| a[k * n + j] * x[j]).sum();
                let earlier: f64 = (0..k).map(|i| a[i * n + k] * x[i]).sum();
                later + earlier
            })
        })
        .run();
}

/// `k` up by two, `m` down by one (`usize`), and `c` stepped only where
/// an active condition holds: `k` and `m` are rebuilt, `c` is kept.
#[differentiate]
fn stepped_counters(x: &[f64]) -> f64 {
    let mut k = 0;
    let mut m = x.len();
    let mut c = 0;
    let mut s = 0.0;
    while k < x.len() {
        m -= 1;
        s += x[k] * x[m];
        if x[k] > 0.0 {
            c += 1;
        }
        s += 0.5 * x[c % x.len()];
        k += 2;
    }
    s
}

fn stepped_counters_dual(x: &[Dual64]) -> Dual64 {
    let (mut k, mut m, mut c) = (0, x.len(), 0);
    let mut s = Dual64::from(0.0);
    while k < x.len() {
        m -= 1;
        s += x[k] * x[m];
        if x[k] > 0.0 {
            c += 1;
        }
        s += x[c % x.len()] * 0.5;
        k += 2;
    }
    s
}

#[test]
fn counters_stepped_up_down_and_in_a_branch() {
    // Entries away from 0, where the branch on x[k] > 0 switches.
    let points = vec![
        vec![0.5, -1.0, 1.2, 0.9, -0.3, 1.1, 0.4],
        vec![-0.4, 0.3, 0.6, -1.2, 0.7, 0.2, -0.8],
        vec![1.3, 1.2, -0.5, 0.4, 0.9, 0.1, 0.6],
    ];
    case!(scalar stepped_counters, points, |x, v| (&x[..]) (v.clone()))
        .dual(&|x| stepped_counters_dual(x))
        .run();
}

/// An `i8` counter from −100 to 99 (`c += 1`): rebuilt as
/// `−100 + 1 · position` in wrapping arithmetic, whose product overflows
/// `i8` from position 128 on and still comes back exactly.
// The counter is the point: written as users write one, not as a `zip`.
#[allow(clippy::explicit_counter_loop)]
#[differentiate]
fn wide_i8_counter(x: [f64; 4]) -> f64 {
    let mut c: i8 = -100;
    let mut s = 0.0;
    for _ in 0..200 {
        let k = (c as i32 + 100) as usize;
        s += x[k & 3] * x[k & 3] * (k as f64) * 1e-3;
        c += 1;
    }
    s
}

#[test]
fn narrow_counter_wraps_back_exactly() {
    let points = sample(&[0.0; 4], (-1.5, 1.5), 3, 33);
    case!(scalar wide_i8_counter, points, |x, v| (*x) (*v))
        .closed(&|x| {
            let weight = |j: usize| (0..200).filter(|k| k & 3 == j).sum::<usize>() as f64;
            row(&[0, 1, 2, 3].map(|j| 2.0 * x[j] * weight(j) * 1e-3))
        })
        .run();
}

/// A range loop left by `break` on an active condition: the records of
/// the iterations that ran, numbered from the range's first item.
#[differentiate]
fn until_large(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 2..x.len() {
        s += x[i] * x[i - 2];
        if s > 1.0 {
            break;
        }
    }
    s
}

fn until_large_dual(x: &[Dual64]) -> Dual64 {
    let mut s = Dual64::from(0.0);
    for i in 2..x.len() {
        s += x[i] * x[i - 2];
        if s > 1.0 {
            break;
        }
    }
    s
}

#[test]
fn range_left_early() {
    // The partial sums stay away from the threshold 1 (by more than the
    // finite-difference step), and some points break, some do not.
    let points = vec![
        vec![1.0, 0.5, 1.5, 0.2, 0.4, -0.3],
        vec![0.3, -0.2, 0.4, 0.5, -0.6, 0.1],
        vec![-1.2, 0.8, -0.9, 0.7, 1.1, 0.9],
    ];
    case!(scalar until_large, points, |x, v| (&x[..]) (v.clone()))
        .dual(&|x| until_large_dual(x))
        .run();
}

/// A loop over a local array inside a loop over a slice, with a counter
/// `k` the replay rebuilds: the inner tape is sized by the array's type
/// and kept in the outer loop's record, so the inner replay numbers the
/// records of a tape it reads by reference.
#[allow(clippy::explicit_counter_loop, clippy::needless_range_loop)]
#[differentiate]
fn local_rows(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let a = [x[i], 2.0 * x[i], x[i] * x[i]];
        let mut k = 0;
        for v in a.iter() {
            s += v * a[k] * (k as f64 + 1.0);
            k += 1;
        }
    }
    s
}

#[test]
fn tape_kept_in_an_enclosing_record() {
    // Σᵢ xᵢ² + 2 (2xᵢ)² + 3 xᵢ⁴ = Σᵢ 9xᵢ² + 3xᵢ⁴.
    case!(scalar local_rows, slices(4, 34), |x, v| (&x[..]) (v.clone()))
        .closed(&|x| row_fn(4, |k| 18.0 * x[k] + 12.0 * x[k].powi(3)))
        .run();
}
