//! A multilayer perceptron trained on two interleaved spirals (the task the
//! tutorial hands to Flax), with its parameters in a derived struct.
//!
//! The network is 2 → 16 → 16 → 1 with `tanh` hidden layers; the loss is
//! the mean binary cross-entropy of the logits, written stably as
//! `softplus(o) − y o`. The weights are nalgebra matrices in a `Vec` of
//! `Layer`s; the gradient is a `Net` of the same shape, and Adam updates it
//! through the flat view `Tangent` gives (`dim`, `component`).
//!
//! Run with `cargo run --release --example mlp`. It prints the loss as it
//! falls and the final accuracy, and draws the decision regions with the
//! data to `target/mlp/decision_regions.png`.

use std::f64::consts::PI;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use autodiff::nalgebra::{DMatrix, DVector, RowDVector};
use autodiff::prelude::*;
use autodiff::random::Key;

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: DMatrix<f64>,
    b: DVector<f64>,
}

#[derive(Clone, Debug, Differentiable)]
struct Net {
    layers: Vec<Layer>,
}

/// The logits of every column of `x` (a 2 × N matrix), as a 1 × N row;
/// `ones` is a row of N ones, to add the biases to every column.
#[differentiate(wrt(net))]
fn logits(net: &Net, x: &DMatrix<f64>, ones: &RowDVector<f64>) -> DMatrix<f64> {
    let mut h = x.clone();
    let depth = net.layers.len();
    for i in 0..depth {
        h = net.layers[i].w.clone() * h + net.layers[i].b.clone() * ones.clone();
        if i + 1 < depth {
            h = h.map(|v| v.tanh());
        }
    }
    h
}

/// Mean binary cross-entropy of the logits against labels in {0, 1}.
#[differentiate(wrt(net))]
fn loss(net: &Net, x: &DMatrix<f64>, y: &DMatrix<f64>, ones: &RowDVector<f64>) -> f64 {
    let h = logits(net, x, ones);
    // softplus(o) = max(o, 0) + ln(1 + e^−|o|), finite for any logit.
    let softplus = h.map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
    (softplus.sum() - y.component_mul(&h).sum()) / y.ncols() as f64
}

/// Two spirals of `n` points each, turning 1.5 times, with a little noise.
fn spirals(n: usize, key: Key) -> (DMatrix<f64>, DMatrix<f64>) {
    let mut noise = vec![0.0; 4 * n];
    key.normal_fill(&mut noise);
    let mut x = DMatrix::zeros(2, 2 * n);
    let mut y = DMatrix::zeros(1, 2 * n);
    for class in 0..2 {
        for k in 0..n {
            let t = 0.15 + 3.0 * PI * k as f64 / n as f64;
            let r = t / (3.0 * PI);
            let angle = t + PI * class as f64;
            let j = class * n + k;
            x[(0, j)] = r * angle.cos() + 0.02 * noise[2 * j];
            x[(1, j)] = r * angle.sin() + 0.02 * noise[2 * j + 1];
            y[(0, j)] = class as f64;
        }
    }
    (x, y)
}

/// Weights from N(0, 1/fan-in), biases zero.
fn init(sizes: &[usize], key: Key) -> Net {
    let mut keys = vec![key; sizes.len()];
    key.split_into(&mut keys);
    let layers = sizes
        .windows(2)
        .zip(keys)
        .map(|(pair, key)| {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let mut w = vec![0.0; fan_in * fan_out];
            key.normal_fill(&mut w);
            let scale = (1.0 / fan_in as f64).sqrt();
            Layer {
                w: DMatrix::from_iterator(fan_out, fan_in, w.into_iter().map(|v| v * scale)),
                b: DVector::zeros(fan_out),
            }
        })
        .collect();
    Net { layers }
}

/// Adam's state: first and second moments, one entry per parameter.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
    t: i32,
}

impl Adam {
    fn step(&mut self, net: &mut Net, grad: &Net, rate: f64) {
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        self.t += 1;
        for k in 0..grad.dim() {
            let g = grad.component(k);
            self.m[k] = b1 * self.m[k] + (1.0 - b1) * g;
            self.v[k] = b2 * self.v[k] + (1.0 - b2) * g * g;
            let m_hat = self.m[k] / (1.0 - b1.powi(self.t));
            let v_hat = self.v[k] / (1.0 - b2.powi(self.t));
            net.set_component(k, net.component(k) - rate * m_hat / (v_hat.sqrt() + eps));
        }
    }
}

fn accuracy(net: &Net, x: &DMatrix<f64>, y: &DMatrix<f64>) -> f64 {
    let ones = RowDVector::from_element(x.ncols(), 1.0);
    let right = logits(net, x, &ones)
        .iter()
        .zip(y.iter())
        .filter(|(o, y)| (**o > 0.0) == (**y > 0.5))
        .count();
    right as f64 / y.ncols() as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (data_key, init_key) = Key::new(0).split();
    let (x, y) = spirals(150, data_key);
    let ones = RowDVector::from_element(x.ncols(), 1.0);
    let mut net = init(&[2, 16, 16, 1], init_key);
    let mut adam = Adam {
        m: vec![0.0; net.dim()],
        v: vec![0.0; net.dim()],
        t: 0,
    };
    println!("{} parameters, {} points", net.dim(), x.ncols());
    for step in 0..=3000 {
        let (value, grad) = loss::value_and_grad(&net, &x, &y, &ones);
        if step % 500 == 0 {
            println!(
                "step {step:4}: loss {value:.4}, accuracy {:.3}",
                accuracy(&net, &x, &y)
            );
        }
        adam.step(&mut net, &grad, 0.01);
    }
    println!("final accuracy: {:.3}", accuracy(&net, &x, &y));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mlp/decision_regions.png");
    draw(&net, &x, &y, &path)?;
    println!("decision regions: {}", path.display());
    Ok(())
}

/// The decision regions on [−1.2, 1.2]², shaded by the predicted
/// probability, with the data on top.
fn draw(
    net: &Net,
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    const SIZE: usize = 256;
    let to_plane = |p: usize| -1.2 + 2.4 * p as f64 / (SIZE - 1) as f64;
    let grid = DMatrix::from_fn(2, SIZE * SIZE, |i, j| match i {
        0 => to_plane(j % SIZE),
        _ => to_plane(SIZE - 1 - j / SIZE),
    });
    let ones = RowDVector::from_element(grid.ncols(), 1.0);
    let mut pixels = vec![0u8; SIZE * SIZE * 3];
    for (j, o) in logits(net, &grid, &ones).iter().enumerate() {
        let p = 1.0 / (1.0 + (-o).exp());
        let rgb = [200.0 + 55.0 * (1.0 - p), 200.0, 200.0 + 55.0 * p];
        pixels[3 * j..3 * j + 3].copy_from_slice(&rgb.map(|c| c as u8));
    }
    for (point, label) in x.column_iter().zip(y.iter()) {
        let to_pixel = |v: f64| ((v + 1.2) / 2.4 * (SIZE - 1) as f64).round() as i64;
        let (cx, cy) = (to_pixel(point[0]), SIZE as i64 - 1 - to_pixel(point[1]));
        let colour = if *label > 0.5 {
            [20, 40, 200]
        } else {
            [200, 30, 20]
        };
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (px, py) = (cx + dx, cy + dy);
                if (0..SIZE as i64).contains(&px) && (0..SIZE as i64).contains(&py) {
                    let at = 3 * (py as usize * SIZE + px as usize);
                    pixels[at..at + 3].copy_from_slice(&colour);
                }
            }
        }
    }
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    let mut encoder = png::Encoder::new(
        BufWriter::new(File::create(path)?),
        SIZE as u32,
        SIZE as u32,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(())
}
