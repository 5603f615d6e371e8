//! Generated code for loops with constant bounds over fixed-size arrays
//! does not allocate (issue 4; `tests/no_alloc.rs` does the same for
//! straight-line code): `grad`, `value_and_grad`, `jvp`, `vjp` and its
//! pullback, `jacfwd` and `jacrev` of functions with a constant-bound loop
//! and a branch on an active value, nested constant-bound loops with
//! element assignment in both branches, and a constant-bound loop left by
//! an active `break`, measured with a counting allocator
//! (`allocation-counter`).
//!
//! Each function's derivatives are also checked against closed forms at
//! the measured points (to `1e-12` relative to the largest entry, as in the
//! other derivative tests), so that a function that allocates nothing
//! because it computes nothing cannot pass.
#![allow(clippy::needless_range_loop)]

use autodiff::nalgebra::SMatrix;
use autodiff::prelude::*;
use common::assert_no_allocation;

mod common;

/// `Σ x_i²` over a constant range, then its square root if it exceeds 1.
#[differentiate]
fn loop_energy(x: [f64; 8]) -> f64 {
    let mut s = 0.0;
    for i in 0..8 {
        s += x[i] * x[i];
    }
    if s > 1.0 {
        s.sqrt()
    } else {
        s
    }
}

/// Nested constant loops; each output adds `v²` or subtracts `sin v`
/// for the two inputs `v` of its pair, by their sign.
#[differentiate]
fn loop_field(x: [f64; 8]) -> [f64; 4] {
    let mut y = [0.0; 4];
    for i in 0..4 {
        for j in 0..2 {
            let v = x[2 * i + j];
            if v > 0.0 {
                y[i] += v * v;
            } else {
                y[i] -= v.sin();
            }
        }
    }
    y
}

/// A constant bound, left early by a `break` on an active condition.
#[differentiate]
fn loop_break(x: [f64; 8]) -> f64 {
    let mut s = 0.0;
    for i in 0..8 {
        if s > 2.0 {
            break;
        }
        s += x[i] * x[i];
    }
    s
}

/// The counter does see allocations (so the assertions can fail).
fn assert_counter_sees_allocations() {
    let info = allocation_counter::measure(|| {
        std::hint::black_box(vec![1.0_f64; 4]);
    });
    assert_eq!(info.count_total, 1);
}

fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    let scale = want.iter().fold(0.0f64, |m, w| m.max(w.abs()));
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-12 * scale, "{what}[{k}]: {g} vs {w}");
    }
}

/// Both branches of `loop_energy`: `Σ x² = 0.33` and `Σ x² = 5.89`.
const SMALL: [f64; 8] = [0.1, -0.2, 0.3, 0.1, -0.1, 0.2, -0.3, 0.2];
const LARGE: [f64; 8] = [0.3, -1.2, 0.8, 0.1, 1.5, -0.4, 0.9, -0.7];

#[test]
fn scalar_loop_with_branch_does_not_allocate() {
    for x in [SMALL, LARGE] {
        assert_no_allocation("grad", || {
            std::hint::black_box(loop_energy::grad(std::hint::black_box(x)));
        });
        assert_no_allocation("value_and_grad", || {
            std::hint::black_box(loop_energy::value_and_grad(x));
        });
        assert_no_allocation("jvp", || {
            std::hint::black_box(loop_energy::jvp((x,), ([1.0; 8],)));
        });
        assert_no_allocation("vjp and its pullback", || {
            let (_, pullback) = loop_energy::vjp(x);
            std::hint::black_box(pullback(1.0));
            std::hint::black_box(pullback(-2.0));
        });
        assert_no_allocation("jacfwd", || {
            std::hint::black_box(loop_energy::jacfwd(x));
        });
        assert_no_allocation("jacrev", || {
            std::hint::black_box(loop_energy::jacrev(x));
        });
        assert_no_allocation("linearize and its tangent map", || {
            let (_, push) = loop_energy::linearize(x);
            std::hint::black_box(push(([1.0; 8],)));
        });
        assert_no_allocation("value_and_grad_into", || {
            let mut buffer = [0.0; 8];
            std::hint::black_box(loop_energy::value_and_grad_into(x, &mut buffer));
            std::hint::black_box(buffer);
        });
        // 2x, or x / √s past the branch.
        let s: f64 = x.iter().map(|v| v * v).sum();
        let want = x.map(|v| if s > 1.0 { v / s.sqrt() } else { 2.0 * v });
        assert_close("loop_energy::grad", &loop_energy::grad(x), &want);
        assert_close(
            "loop_energy::jacrev",
            loop_energy::jacrev(x).as_slice(),
            &want,
        );
    }
    assert_counter_sees_allocations();
}

#[test]
fn nested_loops_with_element_assignment_do_not_allocate() {
    let x = LARGE;
    assert_no_allocation("jvp", || {
        std::hint::black_box(loop_field::jvp((x,), ([1.0; 8],)));
    });
    assert_no_allocation("vjp and its pullback", || {
        let (_, pullback) = loop_field::vjp(x);
        std::hint::black_box(pullback([1.0, -1.0, 0.5, 2.0]));
        std::hint::black_box(pullback([0.0, 1.0, 0.0, 0.0]));
    });
    assert_no_allocation("jacfwd", || {
        std::hint::black_box(loop_field::jacfwd(x));
    });
    assert_no_allocation("jacrev", || {
        std::hint::black_box(loop_field::jacrev(x));
    });
    // Output i depends on x[2i] and x[2i + 1] only: 2v or -cos v.
    let d = x.map(|v| if v > 0.0 { 2.0 * v } else { -v.cos() });
    for (what, j) in [
        ("jacfwd", loop_field::jacfwd(x)),
        ("jacrev", loop_field::jacrev(x)),
    ] {
        for i in 0..4 {
            let want: Vec<f64> = (0..8)
                .map(|k| if k / 2 == i { d[k] } else { 0.0 })
                .collect();
            let got: Vec<f64> = (0..8).map(|k| j[(i, k)]).collect();
            assert_close(&format!("loop_field::{what} row {i}"), &got, &want);
        }
    }
    assert_counter_sees_allocations();
}

#[test]
fn loop_with_active_break_does_not_allocate() {
    // The running sum passes 2 after 3 entries of LARGE (2.17), never for SMALL.
    for (x, taken) in [(SMALL, 8), (LARGE, 3)] {
        assert_no_allocation("value_and_grad", || {
            std::hint::black_box(loop_break::value_and_grad(std::hint::black_box(x)));
        });
        assert_no_allocation("jvp", || {
            std::hint::black_box(loop_break::jvp((x,), ([1.0; 8],)));
        });
        assert_no_allocation("vjp and its pullback", || {
            let (_, pullback) = loop_break::vjp(x);
            std::hint::black_box(pullback(1.0));
        });
        assert_no_allocation("jacfwd and jacrev", || {
            std::hint::black_box(loop_break::jacfwd(x));
            std::hint::black_box(loop_break::jacrev(x));
        });
        let want: Vec<f64> = (0..8)
            .map(|k| if k < taken { 2.0 * x[k] } else { 0.0 })
            .collect();
        assert_close("loop_break::grad", &loop_break::grad(x), &want);
    }
    assert_counter_sees_allocations();
}

/// Loops over a local copy of an array and over a local nalgebra matrix:
/// the macro cannot see their lengths, their types fix them
/// (`autodiff::tape::Extent`), so the tapes are fixed ones on the stack.
#[differentiate]
fn local_containers(x: [f64; 6]) -> f64 {
    let a = x;
    let mut s = 0.0;
    for v in a.iter() {
        s += v.sin() * v;
    }
    let (p, q) = (x[0], x[1]);
    let m = SMatrix::<f64, 2, 3>::from_fn(|i, j| p * (i as f64 + 1.0) + q * (j as f64));
    for (k, v) in m.iter().enumerate() {
        if *v > 0.0 {
            s += *v * (k as f64);
        }
    }
    s
}

#[test]
fn loops_over_local_fixed_size_containers_do_not_allocate() {
    let x = [0.3, -1.2, 0.8, 0.1, 1.5, -0.4];
    assert_no_allocation("grad", || {
        std::hint::black_box(local_containers::grad(std::hint::black_box(x)));
    });
    assert_no_allocation("vjp and its pullback", || {
        let (_, pullback) = local_containers::vjp(x);
        std::hint::black_box(pullback(1.0));
    });
    assert_no_allocation("jacfwd", || {
        std::hint::black_box(local_containers::jacfwd(x));
    });
    // d/dx_i of Σ sin(x_i) x_i, plus the positive entries
    // m_ij = x_0 (i + 1) + x_1 j weighted by their column-major position
    // k = i + 2j.
    let mut want = x.map(|v| v.cos() * v + v.sin());
    for i in 0..2 {
        for j in 0..3 {
            if x[0] * (i as f64 + 1.0) + x[1] * (j as f64) > 0.0 {
                let k = (i + 2 * j) as f64;
                want[0] += k * (i as f64 + 1.0);
                want[1] += k * j as f64;
            }
        }
    }
    assert_close("local_containers::grad", &local_containers::grad(x), &want);
    assert_close(
        "local_containers::jacfwd",
        local_containers::jacfwd(x).as_slice(),
        &want,
    );
}
