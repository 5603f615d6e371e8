//! The Bézier example's scene, shared by `examples/bezier.rs` and
//! `benches/bezier.rs`: a cubic Bézier curve
//! B(t) = (1−t)³P₀ + 3(1−t)²t P₁ + 3(1−t)t² P₂ + t³ P₃ rendered into a
//! grayscale image with a smooth stroke, the pixel loss against a target
//! image (differentiated with respect to the control points), and the
//! control points of the target and of the fit's start.

use autodiff::prelude::*;

/// Image side in pixels.
pub const SIDE: usize = 48;
/// Points sampled along the curve.
pub const SAMPLES: usize = 40;
/// The stroke's Gaussian width in pixels.
pub const WIDTH: f64 = 1.2;

/// The control points of the target image, `(x₀, y₀, …, x₃, y₃)`.
pub const TRUTH: [f64; 8] = [8.0, 40.0, 14.0, 6.0, 34.0, 42.0, 41.0, 9.0];
/// The control points the fit starts from.
pub const START: [f64; 8] = [10.0, 36.0, 20.0, 12.0, 30.0, 36.0, 38.0, 14.0];

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
/// control points. Row-major, `SIDE × SIDE`.
pub fn render(c: &[f64; 8]) -> Vec<f64> {
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
pub fn loss(c: [f64; 8], target: &[f64]) -> f64 {
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
