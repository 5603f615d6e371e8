//! The tutorial's chain-rule model, fitted by gradient descent.
//!
//! z = m x + b, ŷ = σ(z), L = ½ (ŷ − y)², R = ½ m², L_R = L + λ R, averaged
//! over a data set. The parameters are a struct; its gradient is the same
//! struct, and the regularisation weight λ is a static field.
//!
//! Run with `cargo run --example chain_rule`.

use autodiff::prelude::*;

/// The model's parameters; `lambda` is a hyperparameter, not fitted.
#[derive(Clone, Debug, Differentiable)]
struct Model {
    m: f64,
    b: f64,
    #[differentiable(skip)]
    lambda: f64,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The regularised loss, averaged over the data.
#[differentiate(wrt(model))]
fn loss(model: &Model, xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..xs.len() {
        let z = model.m * xs[i] + model.b;
        let y_hat = 1.0 / (1.0 + (-z).exp());
        total += 0.5 * (y_hat - ys[i]).powi(2);
    }
    total / xs.len() as f64 + model.lambda * 0.5 * model.m * model.m
}

/// The tutorial's backward pass, by hand: D_ŷ = ŷ − y, D_z = D_ŷ σ'(z),
/// D_m = D_z x + λ m, D_b = D_z (averaged over the data).
fn loss_grad_by_hand(model: &Model, xs: &[f64], ys: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let (mut dm, mut db) = (0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let y_hat = sigmoid(model.m * x + model.b);
        let d_z = (y_hat - y) * y_hat * (1.0 - y_hat);
        dm += d_z * x / n;
        db += d_z / n;
    }
    (dm + model.lambda * model.m, db)
}

fn main() {
    // Labels from a logistic curve with m = 3, b = −1.5, sampled on a grid.
    let xs: Vec<f64> = (0..41).map(|k| -2.0 + 0.1 * k as f64).collect();
    let ys: Vec<f64> = xs.iter().map(|x| sigmoid(3.0 * x - 1.5)).collect();
    let mut model = Model {
        m: 0.5,
        b: 0.0,
        lambda: 0.001,
    };

    let g = loss::grad(&model, &xs, &ys);
    let (dm, db) = loss_grad_by_hand(&model, &xs, &ys);
    println!("at m = {}, b = {}:", model.m, model.b);
    println!("  autodiff:     dL/dm = {:.10}, dL/db = {:.10}", g.m, g.b);
    println!("  by the chain rule: dL/dm = {dm:.10}, dL/db = {db:.10}");

    let rate = 2.0;
    for step in 0..=2000 {
        let (value, g) = loss::value_and_grad(&model, &xs, &ys);
        if step % 400 == 0 {
            println!(
                "step {step:4}: loss {value:.6}, m = {:.4}, b = {:.4}",
                model.m, model.b
            );
        }
        // A gradient step is tangent arithmetic; λ (skipped) is kept.
        model = model.add(g.scale(-rate));
    }
    println!(
        "fitted: m = {:.3}, b = {:.3} (the data came from m = 3, b = -1.5; λ pulls m towards 0)",
        model.m, model.b
    );
}
