//! The tutorial's first `jit` example: f(Î, I) = σ(‖Î − I‖² / 2) for
//! 128 × 128 images, its gradient with respect to the prediction Î, and a
//! few steps of gradient descent that pull Î towards I.
//!
//! What JAX compiles with `jit` is here compiled by rustc: the gradient is
//! plain code over `DMatrix<f64>`, about 1.7 times the loss itself
//! (`cargo bench --bench adbench -- image`).
//!
//! Run with `cargo run --release --example image_loss`.

use std::time::Instant;

use autodiff::nalgebra::DMatrix;
use autodiff::prelude::*;

/// σ(‖Î − I‖² / 2).
#[differentiate(wrt(predicted))]
fn loss(predicted: &DMatrix<f64>, target: &DMatrix<f64>) -> f64 {
    let d = predicted - target;
    let s = 0.5 * d.norm_squared();
    1.0 / (1.0 + (-s).exp())
}

fn main() {
    let n = 128;
    let target = DMatrix::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0);
    // A prediction a little off, so that ‖Î − I‖²/2 is about 2 and the
    // sigmoid is not saturated.
    let mut predicted = DMatrix::from_fn(n, n, |i, j| {
        target[(i, j)] + 0.016 * if (i + 2 * j) % 3 == 0 { 1.0 } else { -1.0 }
    });

    // The gradient is σ(s)(1 − σ(s))(Î − I): checked at one pixel.
    let (value, g) = loss::value_and_grad(&predicted, &target);
    let s = 0.5 * (&predicted - &target).norm_squared();
    let expected = value * (1.0 - value) * (predicted[(5, 9)] - target[(5, 9)]);
    println!(
        "loss {value:.6}; gradient at pixel (5, 9): {:.6e} (closed form {expected:.6e})",
        g[(5, 9)]
    );
    println!("s = ‖Î − I‖²/2 = {s:.4}");

    let started = Instant::now();
    let calls = 1000;
    for _ in 0..calls {
        std::hint::black_box(loss::grad(std::hint::black_box(&predicted), &target));
    }
    println!(
        "one gradient of a {n} × {n} image: {:.1} µs",
        started.elapsed().as_secs_f64() * 1e6 / calls as f64
    );

    // Gradient descent on Î: the loss falls towards σ(0) = 1/2.
    let rate = 5.0;
    for step in 0..=8 {
        let (value, g) = loss::value_and_grad(&predicted, &target);
        println!("step {step}: loss {value:.6}");
        predicted -= g * rate;
    }
}
