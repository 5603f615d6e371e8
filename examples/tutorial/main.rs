//! The JAX tutorial "how never to compute a derivative by hand again", in Rust.
//!
//! Run with `cargo run --example tutorial`. Each section prints the value, the
//! derivative computed by `#[differentiate]` and the one derived by hand, so
//! the numbers can be checked against the tutorial's.

use std::hint::black_box;
use std::time::Instant;

use autodiff::nalgebra::{DMatrix, DVector, Vector3};
use autodiff::prelude::*;

mod rng;

/// The Bézier example's renderer and pixel loss (`examples/bezier.rs`).
#[path = "../bezier/scene.rs"]
mod bezier;

/// `sin`, differentiated: its derivative is `cos`.
#[differentiate]
fn sine(x: f64) -> f64 {
    x.sin()
}

/// The tutorial's composed function `f(x) = sin(x²) + 3x²` (batched too,
/// for per-example derivatives).
#[differentiate]
#[vectorize]
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

/// The multivariate `f(X) = X₀² + 3 sin X₁ + cos X₂`.
#[differentiate]
fn multivariate(x: [f32; 3]) -> f32 {
    x[0].powi(2) + 3.0 * x[1].sin() + x[2].cos()
}

/// `∇f(X) = (2X₀, 3 cos X₁, -sin X₂)`, derived by hand.
fn multivariate_grad_manual(x: [f32; 3]) -> [f32; 3] {
    [2.0 * x[0], 3.0 * x[1].cos(), -x[2].sin()]
}

/// The tutorial's dictionary `{'x': .., 'y': .., 'z': ..}` is a struct here;
/// its gradient is the same struct (JAX's pytrees).
#[derive(Clone, Debug, Differentiable)]
struct Xyz {
    x: f32,
    y: f32,
    z: f32,
}

/// `f(X) = X.x² + 3 sin X.y + cos X.z`, with respect to a struct.
#[differentiate]
fn dictionary(p: &Xyz) -> f32 {
    p.x.powi(2) + 3.0 * p.y.sin() + p.z.cos()
}

/// `f(x) = (x₀ + 2x₁, sin(x₀) e^x₁, x₁³)`: from R² to R³.
#[differentiate]
fn vector_valued(x: [f32; 2]) -> [f32; 3] {
    [x[0] + 2.0 * x[1], x[0].sin() * x[1].exp(), x[1].powi(3)]
}

/// `f(x, y) = ‖x‖² + ‖y‖ + ⟨x, y⟩` for `x, y ∈ R³`.
#[differentiate]
fn two_vectors(x: Vector3<f32>, y: Vector3<f32>) -> f32 {
    x.norm().powi(2) + y.norm() + x.dot(&y)
}

/// The tutorial's `A.at[0].set(0)`, done the Rust way: assign the element.
#[differentiate]
fn zero_first(a: [f32; 3]) -> [f32; 3] {
    let mut a = a;
    a[0] = 0.0;
    a
}

/// Control flow on an argument, which `jax.jit` cannot trace.
#[differentiate]
fn add_one_or_two(x: f32, add_one: bool) -> f32 {
    if add_one {
        x + 1.0
    } else {
        x + 2.0
    }
}

/// The tutorial's `frob_norm`: the Frobenius norm of a matrix.
#[vectorize]
fn frob_norm(a: &DMatrix<f32>) -> f32 {
    a.norm()
}

/// "Multiply two integers in a very dumb way": a vector whose length is an
/// argument, summed. No `static_argnums` needed: `a` is a `usize`.
#[differentiate]
fn stupid_mult(a: usize, b: f32) -> f32 {
    let bs = vec![b; a];
    bs.iter().sum::<f32>()
}

/// A loop whose length depends on the value: Newton's method for `√a`.
#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut y = a;
    while (y * y - a).abs() > 1e-12 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

/// The chain-rule model's loss for one example: `z = m x + b`, `ŷ = σ(z)`,
/// `L = ½(ŷ − y)² + λ½m²` (`examples/chain_rule.rs` fits it).
#[derive(Clone, Debug, Differentiable)]
struct Line {
    m: f64,
    b: f64,
}

#[differentiate(wrt(p))]
fn model_loss(p: &Line, x: f64, y: f64, lambda: f64) -> f64 {
    let z = p.m * x + p.b;
    let y_hat = 1.0 / (1.0 + (-z).exp());
    0.5 * (y_hat - y) * (y_hat - y) + lambda * 0.5 * p.m * p.m
}

/// The tutorial's first `jit` example, σ(‖Î − I‖² / 2) (`examples/image_loss.rs`
/// runs it at 128 × 128).
#[differentiate(wrt(predicted))]
fn image_loss(predicted: &DMatrix<f64>, target: &DMatrix<f64>) -> f64 {
    let d = predicted - target;
    1.0 / (1.0 + (-0.5 * d.norm_squared()).exp())
}

/// The forward-versus-reverse pair: `‖(eˣ − x²) / tan x‖` (n inputs, one
/// output) and `t^sin(1, t, …, tⁿ⁻¹)` (one input, n outputs).
#[differentiate]
fn many_to_one(x: &DVector<f64>) -> f64 {
    let num = x.map(f64::exp) - x.component_mul(x);
    num.component_div(&x.map(f64::tan)).norm()
}

#[differentiate]
fn one_to_many(t: f64, n: usize) -> DVector<f64> {
    let powers = DVector::from_fn(n, |i, _| t.powi(i as i32));
    powers.map(|p| t.powf(p.sin()))
}

/// Microseconds per call of `f`, best of a few runs of 20 calls.
fn micros(f: impl FnMut()) -> f64 {
    micros_over(20, f)
}

/// Microseconds per call of `f`, best of five runs of `calls` calls.
fn micros_over(calls: u32, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..calls {
                f();
            }
            started.elapsed().as_secs_f64() * 1e6 / f64::from(calls)
        })
        .fold(f64::INFINITY, f64::min)
}

fn section(title: &str) {
    println!("\n== {title} ==");
}

fn main() {
    // The basics: random keys, then in-place updates.
    rng::run();

    section("in-place updates: A.at[0].set(0) is `a[0] = 0.0`");
    let a = [1.0, 2.0, 3.0];
    println!("this is A: {a:?}");
    println!("this is the new A: {:?}", zero_first(a));
    println!("its Jacobian:{}", zero_first::jacrev(a));

    // Computing gradients.
    section("grad maps a function to its derivative");
    println!("sin'(1): {:.4}", sine::grad(1.0));
    println!("cos(1):  {:.4}", 1.0_f64.cos());

    section("function composition: f(x) = sin(x²) + 3x²");
    let x = 2.0;
    println!("f(2):        {:.4}", f(x));
    println!("manual f'(2): {:.4}", grad_f_manual(x));
    println!("auto f'(2):   {:.4}", f::grad(x));

    section("multivariate functions: f(X) = X₀² + 3 sin X₁ + cos X₂");
    let big_x = [2.0, 3.0, 1.0];
    println!("manual ∇f(2, 3, 1): {:?}", multivariate_grad_manual(big_x));
    println!("auto ∇f(2, 3, 1):   {:?}", multivariate::grad(big_x));

    section("with respect to a struct (the tutorial's dictionary)");
    let p = Xyz {
        x: 2.0,
        y: 3.0,
        z: 1.0,
    };
    let manual = [2.0 * p.x, 3.0 * p.y.cos(), -p.z.sin()];
    println!("manual ∇f: {manual:?}");
    println!("auto ∇f:   {:?}", dictionary::grad(&p));

    section("multiple multivariate arguments: f(x, y) = ‖x‖² + ‖y‖ + ⟨x, y⟩");
    let (x, y) = (Vector3::new(1.0, 2.0, 3.0), Vector3::new(0.0, -1.0, 1.0));
    let (d_x, d_y) = two_vectors::grad(x, y);
    println!("derivative wrt x: {:?}", d_x.as_slice());
    println!("manually computed: {:?}", (2.0 * x + y).as_slice());
    println!("derivative wrt y: {:?}", d_y.as_slice());
    println!("manually computed: {:?}", (y / y.norm() + x).as_slice());

    section("value_and_grad");
    let (value, grad) = square::value_and_grad(3.0);
    println!("value: {value:?}");
    println!("grad: {grad:?}");

    section("why not finite differences: (f(x + h) − f(x)) / h for f(x) = sin(x²) + 3x² at 2");
    let exact = grad_f_manual(2.0);
    for h in [1e-2, 1e-5, 1e-8, 1e-11, 1e-14] {
        let quotient = (f(2.0 + h) - f(2.0)) / h;
        println!(
            "h = {h:.0e}: {quotient:.10}, error {:.1e}",
            (quotient - exact).abs()
        );
    }
    println!(
        "f::grad(2): {:.10}, error {:.1e}",
        f::grad(2.0),
        (f::grad(2.0) - exact).abs()
    );

    section("the chain rule: z = m x + b, ŷ = σ(z), L = ½(ŷ − y)² + λ½m²");
    let (p, x, y, lambda) = (Line { m: 0.5, b: -0.2 }, 1.5, 1.0, 0.1);
    let g = model_loss::grad(&p, x, y, lambda);
    let y_hat = 1.0 / (1.0 + (-(p.m * x + p.b)).exp());
    let dz = (y_hat - y) * y_hat * (1.0 - y_hat);
    println!("∂L/∂m = {:.8}, ∂L/∂b = {:.8}", g.m, g.b);
    println!(
        "by hand: (ŷ − y) ŷ(1 − ŷ) x + λm = {:.8}, (ŷ − y) ŷ(1 − ŷ) = {dz:.8}",
        dz * x + lambda * p.m
    );

    // Jacobians.
    section("jvp and vjp of f at 2");
    let (y, tangent) = f::jvp((2.0,), (1.0,));
    let (_, pullback) = f::vjp(2.0);
    println!(
        "f(2) = {y:.4}, jvp with tangent 1: {tangent:.4}, vjp with cotangent 1: {:.4}",
        pullback(1.0)
    );

    section("jvp, vjp and Jacobians of f(x) = (x₀ + 2x₁, sin(x₀) e^x₁, x₁³)");
    let (_, jvp) = vector_valued::jvp(([1.0, 2.0],), ([2.0, 3.0],));
    println!("jvp at (1, 2) along (2, 3): {jvp:?}");
    let (_, pullback) = vector_valued::vjp([1.0, 2.0]);
    println!(
        "vjp at (1, 2) with (2, 3, 4): {:?}",
        pullback([2.0, 3.0, 4.0])
    );
    let columns = [[1.0, 0.0], [0.0, 1.0]].map(|e| vector_valued::jvp(([2.0, 3.0],), (e,)).1);
    println!("Jacobian at (2, 3), columns from jvp: {columns:?}");
    let (_, pullback) = vector_valued::vjp([2.0, 3.0]);
    let rows = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]].map(pullback);
    println!("Jacobian at (2, 3), rows from vjp:    {rows:?}");
    println!("jacfwd at (2, 3):{}", vector_valued::jacfwd([2.0, 3.0]));
    println!("jacrev at (2, 3):{}", vector_valued::jacrev([2.0, 3.0]));

    section("forward versus reverse, n = 100");
    let xs = DVector::from_fn(100, |i, _| {
        0.1 + 1.3 * ((i as f64 + 1.0) * 0.618_033_988_749_895).fract()
    });
    let (t, n) = (1.0005, 100);
    println!(
        "many_to_one: jacrev {:.1} µs, jacfwd {:.1} µs (one backward sweep against n tangent passes)",
        micros(|| drop(black_box(many_to_one::jacrev(black_box(&xs))))),
        micros(|| drop(black_box(many_to_one::jacfwd(black_box(&xs))))),
    );
    println!(
        "one_to_many: jacfwd {:.1} µs, jacrev {:.1} µs (one tangent pass against n backward sweeps)",
        micros(|| drop(black_box(one_to_many::jacfwd(black_box(t), n)))),
        micros(|| drop(black_box(one_to_many::jacrev(black_box(t), n)))),
    );
    println!("(cargo run --release --example forward_vs_reverse plots them against n)");

    // Just-in-time compilation: here, rustc compiled it already.
    section("jit: the image loss σ(‖Î − I‖²/2), 16 × 16 (128 × 128 in examples/image_loss)");
    let target = DMatrix::from_fn(16, 16, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0);
    let predicted = target.map(|v| v + 0.05);
    let (value, g) = image_loss::value_and_grad(&predicted, &target);
    println!(
        "loss {value:.6}, gradient at pixel (0, 0) {:.6e} (σ(1 − σ)(Î − I) = {:.6e})",
        g[(0, 0)],
        value * (1.0 - value) * 0.05
    );

    section("jit: a cubic Bézier curve rendered into 48 × 48 pixels and fitted to a target");
    let target = bezier::render(&bezier::TRUTH);
    println!(
        "render {:.0} µs, pixel loss {:.0} µs, its gradient w.r.t. the 8 coordinates {:.0} µs",
        micros_over(2, || drop(black_box(bezier::render(black_box(
            &bezier::TRUTH
        ))))),
        micros_over(2, || {
            black_box(bezier::loss(bezier::START, &target));
        }),
        micros_over(2, || {
            black_box(bezier::loss::grad(bezier::START, &target));
        }),
    );
    let (mut c, mut velocity) = (bezier::START, [0.0; 8]);
    for step in 0..=40 {
        let (value, g) = bezier::loss::value_and_grad(c, &target);
        if step % 10 == 0 {
            println!("step {step:2}: loss {value:.4e}");
        }
        for i in 0..8 {
            velocity[i] = 0.9 * velocity[i] - 40.0 * g[i];
            c[i] += velocity[i];
        }
    }
    println!("(examples/bezier.rs fits to 0.005 px and writes the images: cargo run --release --example bezier)");

    // Control flow, which jax.jit cannot trace.
    section("control flow on values: add_one_or_two and stupid_mult");
    for add_one in [true, false] {
        let (y, dy) = add_one_or_two::value_and_grad(1.0, add_one);
        println!("add_one_or_two(1.0, {add_one}) = {y}, derivative {dy}");
    }
    let (y, dy) = stupid_mult::value_and_grad(3, 4.0);
    println!("stupid_mult(3, 4) = {y} (JAX with static_argnums: 12.), d/db = {dy}");
    let (y, dy) = newton_sqrt::value_and_grad(2.0);
    println!(
        "newton_sqrt(2) = {y:.6}, derivative through the while loop {dy:.6} (1/(2√2) = {:.6})",
        0.5 / 2f64.sqrt()
    );

    // Automatic vectorization.
    section("vmap: the Frobenius norm of a batch of matrices");
    // The tutorial's one hundred 1000 × 1000 matrices, scaled down to ten
    // 100 × 100 ones (`cargo bench --bench vmap` runs the full size).
    let matrices: Vec<DMatrix<f32>> = (0..10)
        .map(|k| DMatrix::from_fn(100, 100, |i, j| ((i * 100 + j + k) % 7) as f32 * 0.1))
        .collect();
    let by_hand: Vec<f32> = matrices.iter().map(frob_norm).collect();
    let batched = frob_norm::batched(&matrices);
    println!("a loop over frob_norm: {:?}", &by_hand[..3]);
    println!(
        "frob_norm::batched:    {:?} (equal: {})",
        &batched[..3],
        batched == by_hand
    );
    println!(
        "vmap(grad(f)) at 0, 1, 2 is f::batched_grad: {:?}",
        f::batched_grad(&[0.0, 1.0, 2.0])
    );
    // Composing transformations.
    section("Hessians by composition: jacfwd(jacrev(f)) is f::hessian");
    println!(
        "d²/dx² of sin(x²) + 3x² at 1: {:.6} (by hand 2cos 1 − 4 sin 1 + 6 = {:.6})",
        f::hessian(1.0)[(0, 0)],
        2.0 * 1f64.cos() - 4.0 * 1f64.sin() + 6.0
    );
    let h = multivariate::hessian([1.0, 2.0, 3.0]);
    println!("Hessian of X₀² + 3 sin X₁ + cos X₂ at (1, 2, 3), diag(2, −3 sin 2, −cos 3):{h}");
}
