//! The JAX tutorial "how never to compute a derivative by hand again", in Rust.
//!
//! Run with `cargo run --example tutorial`. Each section prints the value, the
//! derivative computed by `#[differentiate]` and the one derived by hand, so
//! the numbers can be checked against the tutorial's.

use autodiff::prelude::*;

mod rng;

/// `sin`, differentiated: its derivative is `cos`.
#[differentiate]
fn sine(x: f64) -> f64 {
    x.sin()
}

/// The tutorial's composed function `f(x) = sin(x²) + 3x²`.
#[differentiate]
fn f(x: f64) -> f64 {
    (x * x).sin() + 3.0 * x * x
}

/// `f'(x) = 2x cos(x²) + 6x`, derived by hand.
fn grad_f_manual(x: f64) -> f64 {
    2.0 * x * (x * x).cos() + 6.0 * x
}

/// `x²`, for `value_and_grad`.
#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

fn section(title: &str) {
    println!("\n== {title} ==");
}

fn main() {
    rng::run();

    section("grad maps a function to its derivative");
    println!("sin'(1): {:.4}", sine::grad(1.0));
    println!("cos(1):  {:.4}", 1.0_f64.cos());

    section("function composition: f(x) = sin(x²) + 3x²");
    let x = 2.0;
    println!("f(2):        {:.4}", f(x));
    println!("manual f'(2): {:.4}", grad_f_manual(x));
    println!("auto f'(2):   {:.4}", f::grad(x));

    section("value_and_grad");
    let (value, grad) = square::value_and_grad(3.0);
    println!("value: {value:?}");
    println!("grad: {grad:?}");

    section("jvp and vjp of f at 2");
    let (y, tangent) = f::jvp((x,), (1.0,));
    let (_, pullback) = f::vjp(x);
    println!(
        "f(2) = {y:.4}, jvp with tangent 1: {tangent:.4}, vjp with cotangent 1: {:.4}",
        pullback(1.0)
    );
}
