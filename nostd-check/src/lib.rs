//! A `#![no_std]` crate without `alloc` that uses `#[differentiate]` and
//! `#[vectorize]`.
//!
//! It exists to be built (`cargo build -p autodiff-nostd-check`): if generated
//! code ever reached for `std` or `alloc`, this crate would stop compiling.
//! Float methods such as `sin` come from `autodiff::Real` (via the prelude),
//! backed by `libm`, since `core` has none.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use autodiff::prelude::*;

/// The tutorial's `f(x) = sin(x²) + 3x²`.
#[differentiate]
pub fn f(x: f64) -> f64 {
    (x * x).sin() + 3.0 * x * x
}

/// A few primitives in single precision, with a static exponent.
#[differentiate]
pub fn energy(x: f32, v: f32, n: i32) -> f32 {
    let kinetic = 0.5 * v * v;
    let potential = x.powi(n) + f32::exp(-x) * x.atan2(v);
    kinetic + potential.sqrt()
}

/// Loops and branches: constant bounds give fixed-capacity tapes, and a
/// `while` loop without one takes its capacity from `tape = N`.
#[differentiate(tape = 64)]
pub fn loops(x: [f64; 4], scale: f64) -> f64 {
    let mut s = 0.0;
    for (i, &v) in x.iter().enumerate() {
        if v > 0.0 {
            s += v * v;
        } else {
            s -= scale * v * (i as f64);
        }
    }
    let mut y = s + 1.0;
    while (y * y - s - 1.0).abs() > 1e-12 {
        y = 0.5 * (y + (s + 1.0) / y);
    }
    y
}

/// Batched without an allocator: `batched_into` and `batched_grad_into`
/// write into the caller's buffers (the forms returning a `Vec` need
/// `alloc` and are not generated here).
#[vectorize(broadcast(k))]
#[differentiate]
pub fn spring(x: f64, k: f64) -> f64 {
    0.5 * k * x * x
}

/// The energies and their gradients of four springs of stiffness `k`.
pub fn springs(x: [f64; 4], k: f64) -> ([f64; 4], [(f64, f64); 4]) {
    let mut energies = [0.0; 4];
    let mut grads = [(0.0, 0.0); 4];
    spring::batched_into(&x, k, &mut energies);
    spring::batched_grad_into(&x, k, &mut grads);
    (energies, grads)
}

/// Uses every generated function, so each is type-checked and monomorphised.
pub fn all_modes(x: f64) -> f64 {
    let (value, pullback) = f::vjp(x);
    let (_, tangent) = f::jvp((x,), (1.0,));
    let (v2, (gx, gv)) = energy::value_and_grad(1.5, 0.5, 3);
    let (gl, gs) = loops::grad([x, -1.0, 2.0, 0.5], 2.0);
    let (_, tl) = loops::jvp(([x, -1.0, 2.0, 0.5], 2.0), ([1.0; 4], 0.0));
    // A loop that outruns its fixed tape is an error here, not a panic.
    let fallible = match loops::try_grad([x, -1.0, 2.0, 0.5], 2.0) {
        Ok((g, _)) => g[0],
        Err(autodiff::tape::TapeFull) => 0.0,
    };
    value
        + pullback(1.0)
        + tangent
        + f::grad(x)
        + f64::from(v2 + gx + gv)
        + gl[0]
        + gs
        + tl
        + fallible
}
