//! `#[vectorize]`: every batched form equals a loop over the plain function,
//! bit for bit (scalars, arrays, slices, static and dynamic nalgebra types,
//! broadcast and static arguments, methods); per-example gradients and
//! batched JVPs against closed forms and num-dual.

use autodiff::nalgebra::{Const, DMatrix, DVector, Matrix3, SVector, Vector3};
use autodiff::prelude::*;
use num_dual::{gradient, DualNum, DualVec64};

/// A scalar function of two batched scalars.
#[vectorize]
fn wave(x: f64, t: f64) -> f64 {
    (3.0 * x - t).sin() * (-0.1 * t).exp()
}

/// An array batched, a weight broadcast, a power static (so broadcast).
#[vectorize(broadcast(w))]
fn weighted_power(x: [f64; 3], w: [f64; 3], p: i32) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += w[i] * x[i].powi(p);
    }
    s
}

/// A slice argument: batched as a slice of slices.
#[vectorize]
fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Dynamic matrices by reference, and a static vector by value.
#[vectorize(broadcast(m))]
fn rotate(v: Vector3<f64>, m: &Matrix3<f64>) -> Vector3<f64> {
    m * v
}

/// The tutorial's Frobenius norm.
#[vectorize]
fn frobenius(a: &DMatrix<f64>) -> f64 {
    a.norm()
}

/// A user's struct, batched by reference (no derivatives needed for batching).
#[derive(Clone, Debug, PartialEq)]
struct Particle {
    mass: f64,
    velocity: [f64; 2],
}

#[vectorize]
fn kinetic(p: &Particle, scale: f64) -> f64 {
    0.5 * scale * p.mass * (p.velocity[0] * p.velocity[0] + p.velocity[1] * p.velocity[1])
}

/// A dynamic vector's per-example gradient: `∇ ½‖x‖² = x`, scaled.
#[vectorize(broadcast(s))]
#[differentiate(wrt(x))]
fn half_square(x: &DVector<f64>, s: f64) -> f64 {
    0.5 * s * x.norm_squared()
}

fn inputs(n: usize) -> Vec<f64> {
    (0..n).map(|i| (i as f64 * 0.37).sin() * 2.0).collect()
}

#[test]
fn scalars_equal_a_loop_bit_for_bit() {
    let (xs, ts) = (
        inputs(50),
        inputs(50).iter().map(|v| v + 1.0).collect::<Vec<_>>(),
    );
    let expected: Vec<f64> = xs.iter().zip(&ts).map(|(x, t)| wave(*x, *t)).collect();
    let got = wave::batched(&xs, &ts);
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    let mut out = vec![0.0; 50];
    wave::batched_into(&xs, &ts, &mut out);
    assert_eq!(out, expected);
    assert_eq!(wave::try_batched(&xs, &ts).unwrap(), expected);
}

#[test]
fn broadcast_and_static_arguments_are_shared() {
    let xs: Vec<[f64; 3]> = (0..20)
        .map(|i| [i as f64 * 0.1, 1.0 - i as f64 * 0.05, 0.3])
        .collect();
    let w = [0.5, -1.0, 2.0];
    let expected: Vec<f64> = xs.iter().map(|x| weighted_power(*x, w, 3)).collect();
    assert_eq!(weighted_power::batched(&xs, w, 3), expected);
}

#[test]
fn slices_and_nalgebra_types() {
    let (a, b) = (inputs(7), inputs(12));
    let batch: Vec<&[f64]> = vec![&a, &b, &a[2..]];
    let expected: Vec<f64> = batch.iter().map(|v| mean(v)).collect();
    assert_eq!(mean::batched(&batch), expected);

    let m = Matrix3::new(0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0);
    let vs: Vec<Vector3<f64>> = (0..5).map(|i| Vector3::new(i as f64, 1.0, -2.0)).collect();
    let expected: Vec<Vector3<f64>> = vs.iter().map(|v| rotate(*v, &m)).collect();
    assert_eq!(rotate::batched(&vs, &m), expected);

    let mats: Vec<DMatrix<f64>> = (1..4)
        .map(|k| DMatrix::from_fn(k, k + 1, |i, j| (i * 3 + j) as f64 * 0.5))
        .collect();
    let expected: Vec<f64> = mats.iter().map(frobenius).collect();
    assert_eq!(frobenius::batched(&mats), expected);
}

#[test]
fn structs_and_dynamic_gradients() {
    let ps: Vec<Particle> = (0..4)
        .map(|i| Particle {
            mass: 1.0 + i as f64,
            velocity: [i as f64, -0.5],
        })
        .collect();
    let scales = [1.0, 2.0, 0.5, 3.0];
    let expected: Vec<f64> = ps
        .iter()
        .zip(&scales)
        .map(|(p, s)| kinetic(p, *s))
        .collect();
    assert_eq!(kinetic::batched(&ps, &scales), expected);

    let xs: Vec<DVector<f64>> = (1..5)
        .map(|n| DVector::from_fn(n, |i, _| i as f64 - 0.5))
        .collect();
    let grads = half_square::batched_grad(&xs, 3.0);
    for (x, g) in xs.iter().zip(&grads) {
        assert_eq!(*g, x * 3.0);
    }
}

#[test]
#[should_panic(expected = "batched arguments of different lengths: `x` has 3, `t` has 2")]
fn different_lengths_panic_naming_the_arguments() {
    wave::batched(&[1.0, 2.0, 3.0], &[1.0, 2.0]);
}

#[test]
fn try_batched_reports_different_lengths() {
    let e = wave::try_batched(&[1.0, 2.0, 3.0], &[1.0]).unwrap_err();
    assert_eq!(e.lengths(), &[("x", 3), ("t", 1)]);
}

#[test]
#[should_panic(expected = "`out` has 1")]
fn a_short_output_buffer_panics() {
    wave::batched_into(&[1.0, 2.0], &[1.0, 2.0], &mut [0.0]);
}

#[test]
fn batched_into_allocates_nothing() {
    let xs = inputs(64);
    let ts = inputs(64);
    let mut out = vec![0.0; 64];
    let info = allocation_counter::measure(|| {
        wave::batched_into(&xs, &ts, &mut out);
        weighted_power::batched_into(&[[1.0; 3]; 4], [1.0; 3], 2, &mut out[..4]);
    });
    assert_eq!(info.count_total, 0);
    let info = allocation_counter::measure(|| {
        std::hint::black_box(wave::batched(&xs, &ts));
    });
    assert_eq!(info.count_total, 1, "the counter sees the result's Vec");
}

// ---------------------------------------------------------------------------
// With `#[differentiate]`
// ---------------------------------------------------------------------------

/// `vectorize` first.
#[vectorize(broadcast(w))]
#[differentiate]
fn neuron(x: [f64; 2], w: [f64; 2], b: f64) -> f64 {
    (w[0] * x[0] + w[1] * x[1] + b).tanh()
}

fn neuron_dual<D: DualNum<Primitive = f64> + Copy>(x: [D; 2], w: [D; 2], b: D) -> D {
    (w[0] * x[0] + w[1] * x[1] + b).tanh()
}

/// `differentiate` first, a static argument.
#[differentiate]
#[vectorize]
fn power_series(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut term = 1.0;
    for k in 0..n {
        s += term / (k + 1) as f64;
        term *= x;
    }
    s
}

/// `Σ_k x^k / (k + 1)`, differentiated by hand.
fn power_series_derivative(x: f64, n: usize) -> f64 {
    (1..n)
        .map(|k| k as f64 * x.powi(k as i32 - 1) / (k + 1) as f64)
        .sum()
}

#[test]
fn per_example_gradients_against_num_dual() {
    let xs: Vec<[f64; 2]> = (0..10)
        .map(|i| [i as f64 * 0.2 - 1.0, 0.5 - i as f64 * 0.1])
        .collect();
    let bs: Vec<f64> = (0..10).map(|i| 0.1 * i as f64 - 0.4).collect();
    let w = [0.7, -1.3];
    let grads = neuron::batched_grad(&xs, w, &bs);
    let (values, grads_too) = neuron::batched_value_and_grad(&xs, w, &bs);
    assert_eq!(grads, grads_too);
    for (k, (x, b)) in xs.iter().zip(&bs).enumerate() {
        assert_eq!(values[k], neuron(*x, w, *b));
        // num-dual: one gradient over the five inputs.
        let point = SVector::<f64, 5>::from([x[0], x[1], w[0], w[1], *b]);
        let (_, g) = gradient(
            |v: SVector<DualVec64<Const<5>>, 5>| neuron_dual([v[0], v[1]], [v[2], v[3]], v[4]),
            &point,
        );
        let (gx, gw, gb) = grads[k];
        let ours = [gx[0], gx[1], gw[0], gw[1], gb];
        for (a, e) in ours.iter().zip(g.iter()) {
            assert!((a - e).abs() < 1e-14, "example {k}: {ours:?} vs {g}");
        }
    }
    // Into the caller's buffers, the same.
    let mut out = vec![([0.0; 2], [0.0; 2], 0.0); 10];
    neuron::batched_grad_into(&xs, w, &bs, &mut out);
    assert_eq!(out, grads);
    let (mut vs, mut gs) = (vec![0.0; 10], vec![([0.0; 2], [0.0; 2], 0.0); 10]);
    neuron::batched_value_and_grad_into(&xs, w, &bs, &mut vs, &mut gs);
    assert_eq!((vs, gs), (values, grads));
}

#[test]
fn either_attribute_order_and_static_arguments() {
    let xs = [0.1, -0.5, 0.9, 0.3];
    let grads = power_series::batched_grad(&xs, 8);
    for (x, g) in xs.iter().zip(&grads) {
        let expected = power_series_derivative(*x, 8);
        assert!((g - expected).abs() < 1e-14, "{g} vs {expected}");
    }
    assert_eq!(
        power_series::batched(&xs, 8),
        xs.iter().map(|x| power_series(*x, 8)).collect::<Vec<_>>()
    );
}

#[test]
fn batched_jvp_is_a_jvp_per_tangent() {
    let tangents: Vec<([f64; 2], [f64; 2], f64)> = (0..6)
        .map(|i| ([i as f64, 1.0], [0.0, -(i as f64)], 0.5))
        .collect();
    let (x, w, b) = ([0.3, -0.2], [1.1, 0.4], 0.05);
    let (value, outs) = neuron::batched_jvp((x, w, b), &tangents);
    assert_eq!(value, neuron(x, w, b));
    for (t, out) in tangents.iter().zip(&outs) {
        let (_, expected) = neuron::jvp((x, w, b), *t);
        assert!((out - expected).abs() < 1e-15);
    }
}

// ---------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------

struct Spring {
    stiffness: f64,
}

impl Spring {
    /// The receiver is shared by every example.
    #[vectorize]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.stiffness * x * x
    }

    #[differentiate(wrt(x))]
    #[vectorize]
    fn damped(&self, x: f64, v: f64) -> f64 {
        0.5 * self.stiffness * x * x + 0.1 * v * x
    }
}

#[test]
fn methods_get_sibling_batched_methods() {
    let s = Spring { stiffness: 3.0 };
    let xs = [0.5, -1.0, 2.0];
    assert_eq!(s.energy_batched(&xs), vec![0.375, 1.5, 6.0]);
    let vs = [1.0, 0.0, -2.0];
    let grads = s.damped_batched_grad(&xs, &vs);
    for ((x, v), g) in xs.iter().zip(&vs).zip(&grads) {
        assert!((g - (3.0 * x + 0.1 * v)).abs() < 1e-15);
    }
}

// ---------------------------------------------------------------------------
// On all cores
// ---------------------------------------------------------------------------

#[cfg(feature = "parallel")]
#[test]
fn parallel_forms_equal_the_sequential_ones_bit_for_bit() {
    let n = 2000;
    let xs = inputs(n);
    let ts: Vec<f64> = xs.iter().map(|x| x * 0.5 + 0.25).collect();
    let sequential = wave::batched(&xs, &ts);
    let parallel = wave::batched_par(&xs, &ts);
    assert_eq!(
        sequential.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        parallel.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    let mut out = vec![0.0; n];
    wave::batched_par_into(&xs, &ts, &mut out);
    assert_eq!(out, sequential);

    let xs2: Vec<[f64; 2]> = xs.iter().map(|x| [*x, -x]).collect();
    let w = [0.3, 0.9];
    assert_eq!(
        neuron::batched_grad_par(&xs2, w, &ts),
        neuron::batched_grad(&xs2, w, &ts)
    );
    assert_eq!(
        neuron::batched_value_and_grad_par(&xs2, w, &ts),
        neuron::batched_value_and_grad(&xs2, w, &ts)
    );
}
