//! The tutorial's Bézier example made real: a cubic Bézier curve
//! B(t) = (1−t)³P₀ + 3(1−t)²t P₁ + 3(1−t)t² P₂ + t³ P₃ rendered into a
//! grayscale image with a smooth stroke, and its four control points
//! recovered from a target image by gradient descent on the pixel loss.
//!
//! The renderer is plain Rust (loops over pixels and curve samples) with
//! `#[differentiate]` on it (in `bezier/scene.rs`, which
//! `benches/bezier.rs` times); its gradient with respect to the eight
//! coordinates is checked against central differences before fitting.
//! Writes `target/bezier/{target,start,fitted}.png` and the three side by
//! side, `target/bezier/fit.png`.
//!
//! Run with `cargo run --release --example bezier`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

#[path = "bezier/scene.rs"]
mod scene;

use scene::{loss, render, SIDE, START, TRUTH};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (truth, start) = (TRUTH, START);
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
    let (started, fitted) = (render(&start), render(&c));
    for (name, image) in [
        ("target", &target),
        ("start", &started),
        ("fitted", &fitted),
    ] {
        save(&folder.join(format!("{name}.png")), &[image])?;
    }
    save(&folder.join("fit.png"), &[&target, &started, &fitted])?;
    println!(
        "images in {} (fit.png: target, start, fitted)",
        folder.display()
    );
    Ok(())
}

/// Pixels per image pixel in the files.
const SCALE: usize = 4;

/// Writes images side by side (intensities in [0, 1], dark strokes on
/// white, each pixel a `SCALE × SCALE` block, a gray bar between) as PNG.
fn save(path: &PathBuf, images: &[&Vec<f64>]) -> Result<(), Box<dyn std::error::Error>> {
    let (side, bar) = (SIDE * SCALE, SCALE);
    let width = images.len() * side + (images.len() - 1) * bar;
    let mut encoder = png::Encoder::new(
        BufWriter::new(File::create(path)?),
        width as u32,
        side as u32,
    );
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut pixels = vec![160u8; width * side];
    for (k, image) in images.iter().enumerate() {
        for row in 0..side {
            for col in 0..side {
                let v = image[(row / SCALE) * SIDE + col / SCALE];
                pixels[row * width + k * (side + bar) + col] =
                    (255.0 * (1.0 - v.clamp(0.0, 1.0))).round() as u8;
            }
        }
    }
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(())
}
