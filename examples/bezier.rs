//! The tutorial's Bézier example made real: a cubic Bézier curve
//! B(t) = (1−t)³P₀ + 3(1−t)²t P₁ + 3(1−t)t² P₂ + t³ P₃ rendered into a
//! grayscale image with a smooth stroke, and its four control points
//! recovered from a target image by gradient descent on the pixel loss.
//!
//! The renderer is plain Rust (loops over pixels and curve samples) with
//! `#[differentiate]` on it; its gradient with respect to the eight
//! coordinates is checked against central differences before fitting.
//! Writes `target/bezier/{target,start,fitted}.png`.
//!
//! Run with `cargo run --release --example bezier`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use autodiff::prelude::*;

/// Image side in pixels.
const SIDE: usize = 48;
/// Points sampled along the curve.
const SAMPLES: usize = 40;
/// The stroke's Gaussian width in pixels.
const WIDTH: f64 = 1.2;

/// The point of the curve at `t`, control points `(x₀, y₀, …, x₃, y₃)`.
fn point(c: &[f64; 8], t: f64) -> (f64, f64) {
    let s = 1.0 - t;
    let w = [s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t];
    let x = w[0] * c[0] + w[1] * c[2] + w[2] * c[4] + w[3] * c[6];
    let y = w[0] * c[1] + w[1] * c[3] + w[2] * c[5] + w[3] * c[7];
    (x, y)
}

/// The image of the curve: each pixel `tanh` of the summed Gaussians of the
/// samples around it, a stroke of intensity about 1 that is smooth in the
/// control points.
fn render(c: &[f64; 8]) -> Vec<f64> {
    let samples: Vec<(f64, f64)> = (0..SAMPLES)
        .map(|s| point(c, s as f64 / (SAMPLES - 1) as f64))
        .collect();
    let mut image = vec![0.0; SIDE * SIDE];
    for (p, value) in image.iter_mut().enumerate() {
        let (px, py) = ((p % SIDE) as f64 + 0.5, (p / SIDE) as f64 + 0.5);
        let mut density = 0.0;
        for &(x, y) in &samples {
            let d2 = (px - x) * (px - x) + (py - y) * (py - y);
            density += (-d2 / (2.0 * WIDTH * WIDTH)).exp();
        }
        *value = (0.6 * density).tanh();
    }
    image
}

/// The mean squared difference between the rendered curve and `target`,
/// written as the renderer is, loops over pixels and samples.
#[allow(clippy::needless_range_loop)]
#[differentiate(wrt(c))]
fn loss(c: [f64; 8], target: &[f64]) -> f64 {
    let mut xs = [0.0; SAMPLES];
    let mut ys = [0.0; SAMPLES];
    for k in 0..SAMPLES {
        let t = k as f64 / (SAMPLES - 1) as f64;
        let s = 1.0 - t;
        let (w0, w1, w2, w3) = (s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t);
        xs[k] = w0 * c[0] + w1 * c[2] + w2 * c[4] + w3 * c[6];
        ys[k] = w0 * c[1] + w1 * c[3] + w2 * c[5] + w3 * c[7];
    }
    let mut total = 0.0;
    for p in 0..SIDE * SIDE {
        let px = (p % SIDE) as f64 + 0.5;
        let py = (p / SIDE) as f64 + 0.5;
        let mut density = 0.0;
        for k in 0..SAMPLES {
            let dx = px - xs[k];
            let dy = py - ys[k];
            density += (-(dx * dx + dy * dy) / (2.0 * WIDTH * WIDTH)).exp();
        }
        let r = (0.6 * density).tanh() - target[p];
        total += r * r;
    }
    total / (SIDE * SIDE) as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let truth = [8.0, 40.0, 14.0, 6.0, 34.0, 42.0, 41.0, 9.0];
    let start = [10.0, 36.0, 20.0, 12.0, 30.0, 36.0, 38.0, 14.0];
    let target = render(&truth);

    // The generated gradient against central differences at the start.
    let g = loss::grad(start, &target);
    let h = 1e-5;
    let worst = (0..8)
        .map(|i| {
            let (mut a, mut b) = (start, start);
            a[i] += h;
            b[i] -= h;
            let fd = (loss(a, &target) - loss(b, &target)) / (2.0 * h);
            (g[i] - fd).abs() / (1e-12 + fd.abs())
        })
        .fold(0.0, f64::max);
    println!("gradient vs central differences: largest relative difference {worst:.1e}");
    assert!(
        worst < 1e-4,
        "the gradient disagrees with finite differences"
    );

    // Gradient descent with momentum on the eight coordinates.
    let (mut c, mut velocity) = (start, [0.0; 8]);
    let (rate, momentum) = (40.0, 0.9);
    for step in 0..=300 {
        let (value, g) = loss::value_and_grad(c, &target);
        if step % 30 == 0 {
            println!("step {step:3}: loss {value:.3e}");
        }
        for i in 0..8 {
            velocity[i] = momentum * velocity[i] - rate * g[i];
            c[i] += velocity[i];
        }
    }
    // The curve read backwards is the same curve.
    let reversed = [c[6], c[7], c[4], c[5], c[2], c[3], c[0], c[1]];
    let error = |c: &[f64; 8]| (0..8).map(|i| (c[i] - truth[i]).abs()).fold(0.0, f64::max);
    let fitted_error = error(&c).min(error(&reversed));
    println!(
        "largest control-point error: {fitted_error:.3} px (started at {:.1} px)",
        error(&start)
    );

    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bezier");
    std::fs::create_dir_all(&folder)?;
    for (name, image) in [
        ("target", &target),
        ("start", &render(&start)),
        ("fitted", &render(&c)),
    ] {
        save(&folder.join(format!("{name}.png")), image)?;
    }
    println!("images in {}", folder.display());
    Ok(())
}

/// Writes an image (intensities in [0, 1], dark strokes on white) as PNG.
fn save(path: &PathBuf, image: &[f64]) -> Result<(), Box<dyn std::error::Error>> {
    let mut encoder = png::Encoder::new(
        BufWriter::new(File::create(path)?),
        SIDE as u32,
        SIDE as u32,
    );
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let pixels: Vec<u8> = image
        .iter()
        .map(|v| (255.0 * (1.0 - v.clamp(0.0, 1.0))).round() as u8)
        .collect();
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(())
}
