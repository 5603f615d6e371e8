//! Generic functions: over the float type (`T: Real`, nalgebra's
//! `RealField`) and const sizes, each checked at two instantiations against
//! closed forms and central differences.
#![allow(clippy::needless_range_loop)]

use autodiff::nalgebra::{RealField, SMatrix, SVector};
use autodiff::prelude::*;

#[differentiate]
fn poly<T: Real>(x: T) -> T {
    x * x * x + x.sin()
}

/// A loop over a const-size array with a float constant and a branch.
#[differentiate]
fn soft_norm<T: Real, const N: usize>(x: [T; N]) -> T {
    let half = T::from_f64(0.5);
    let mut s = T::zero();
    for i in 0..N {
        let v = x[i];
        if v > T::zero() {
            s += v * v * half;
        } else {
            s += (v * half).exp();
        }
    }
    s.sqrt()
}

#[differentiate]
fn weighted<T: Real, const N: usize>(x: [T; N], w: [T; N]) -> T {
    let mut s = T::zero();
    for i in 0..N {
        s += w[i] * x[i].tanh();
    }
    s
}

/// A caller of a generic function, itself generic.
#[differentiate]
fn twice<T: Real, const N: usize>(x: [T; N]) -> T {
    soft_norm(x) * T::from_f64(2.0) + poly(x[0])
}

#[differentiate]
fn quadratic_form<T: RealField + Copy, const N: usize>(a: SMatrix<T, N, N>, v: SVector<T, N>) -> T {
    (a * v).dot(&v)
}

/// nalgebra's scalar style: constants by `from_f64(..).unwrap()` and
/// `convert`, method calls in a condition (kept as written there, and
/// ambiguous between nalgebra's trait and the runtime's without the
/// macro's qualification).
#[differentiate]
fn real_field_scalar<T: RealField + Copy>(x: T) -> T {
    let half = T::from_f64(0.5).unwrap();
    let y = if x.sin() > half { x * x } else { x.cos() };
    x.sin() * x * half + autodiff::nalgebra::convert::<f64, T>(2.0) * x + y
}

/// num-traits' `Float`, with the bound in a where clause.
#[differentiate]
fn num_traits_float<T>(x: T) -> T
where
    T: num_traits::Float + 'static,
{
    let k = T::from(1.5).unwrap();
    if x.sin() > T::zero() {
        x.powi(3) * k
    } else {
        x.exp()
    }
}

/// The runtime's `Float`, as a generic caller of derivatives states it.
#[differentiate]
fn runtime_float<T: Float>(x: [T; 2]) -> T {
    x[0].exp() * x[1]
}

fn slope<T: Float>(x: T) -> T {
    runtime_float::grad([x, T::one()])[0]
}

struct Model {
    scale: f64,
}

impl Model {
    /// A method generic over the float type.
    #[differentiate]
    fn loss<T: Real>(&self, x: T) -> T {
        x * x * T::from_f64(self.scale)
    }
}

#[differentiate]
fn slice_sum<T: Real>(x: &[T]) -> T {
    let mut s = T::zero();
    for v in x.iter() {
        s += v.exp();
    }
    s
}

#[allow(clippy::ptr_arg)] // a `&Vec` argument is what is tested
#[differentiate]
fn vector_and_vec<T: RealField + Copy, const N: usize>(v: SVector<T, N>, w: &Vec<T>) -> T {
    let mut acc = v.norm();
    for i in 0..N {
        acc += v[i] * w[i];
    }
    acc
}

/// A concrete function calling generic ones.
#[differentiate]
fn concrete_caller(y: f64) -> f64 {
    poly(y) * slice_sum(&[y, 2.0 * y])
}

/// A generic static parameter is kept static.
#[differentiate]
fn scaled<T: Real, U: Into<f64> + Copy>(x: T, k: U) -> T {
    x * T::from_f64(k.into())
}

fn central<const N: usize>(f: impl Fn([f64; N]) -> f64, x: [f64; N]) -> [f64; N] {
    let h = 1e-6;
    core::array::from_fn(|i| {
        let (mut a, mut b) = (x, x);
        a[i] += h;
        b[i] -= h;
        (f(a) - f(b)) / (2.0 * h)
    })
}

fn close<const N: usize>(a: [f64; N], b: [f64; N], tol: f64) {
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{a:?} vs {b:?}");
    }
}

#[test]
fn float_parameter_at_f32_and_f64() {
    let (v, g) = poly::value_and_grad(0.5_f64);
    assert!((v - (0.125 + 0.5_f64.sin())).abs() < 1e-15);
    assert!((g - (0.75 + 0.5_f64.cos())).abs() < 1e-15);
    let g32 = poly::grad(0.5_f32);
    assert!((g32 - (0.75 + 0.5_f32.cos())).abs() < 1e-6);
    let (_, d) = poly::jvp((0.5_f32,), (2.0,));
    assert!((d - 2.0 * g32).abs() < 1e-6);
    // Second derivative: 6x - sin x.
    let h = poly::hessian(0.5_f64);
    assert!((h[(0, 0)] - (3.0 - 0.5_f64.sin())).abs() < 1e-14);
    assert!((poly::hvp(0.5_f32, 1.0) - (3.0 - 0.5_f32.sin())).abs() < 1e-6);
}

#[test]
fn const_sizes_two_and_seven() {
    let x2 = [0.3, -0.8];
    close(soft_norm::grad(x2), central(soft_norm, x2), 1e-8);
    let x7 = [0.3, -0.8, 1.2, 0.4, -2.0, 0.7, 0.1];
    close(soft_norm::grad(x7), central(soft_norm, x7), 1e-8);
    let g32 = soft_norm::grad([0.3_f32, -0.8]);
    let g64 = soft_norm::grad(x2);
    assert!((g32[0] as f64 - g64[0]).abs() < 1e-5 && (g32[1] as f64 - g64[1]).abs() < 1e-5);
}

#[test]
fn jacobians_are_sized_by_the_const_parameter() {
    let x7 = [0.3, -0.8, 1.2, 0.4, -2.0, 0.7, 0.1];
    let jf: SMatrix<f64, 1, 7> = soft_norm::jacfwd(x7);
    let jr: SMatrix<f64, 1, 7> = soft_norm::jacrev(x7);
    let g = soft_norm::grad(x7);
    for i in 0..7 {
        assert!((jf[i] - g[i]).abs() < 1e-14 && (jr[i] - g[i]).abs() < 1e-14);
    }
    let h: SMatrix<f64, 7, 7> = soft_norm::hessian(x7);
    for i in 0..7 {
        let e: [f64; 7] = core::array::from_fn(|k| if k == i { 1.0 } else { 0.0 });
        let fd = central(|x| soft_norm::grad(x)[i], x7);
        close(core::array::from_fn(|k| h[(i, k)]), fd, 1e-6);
        let hv = soft_norm::hvp(x7, e);
        close(hv, core::array::from_fn(|k| h[(k, i)]), 1e-12);
    }
}

#[test]
fn two_arguments_and_calls() {
    let (x, w) = ([0.2, -0.4, 0.9], [1.5, 0.5, -1.0]);
    let (gx, gw) = weighted::grad(x, w);
    close(gx, central(|x| weighted(x, w), x), 1e-8);
    close(gw, central(|w| weighted(x, w), w), 1e-8);
    let x = [0.2, -0.4, 0.9, 1.1];
    close(twice::grad(x), central(twice, x), 1e-8);
    let g32 = twice::grad([0.2_f32, -0.4]);
    let g64 = twice::grad([0.2, -0.4]);
    assert!((g32[0] as f64 - g64[0]).abs() < 1e-5);
}

#[test]
fn nalgebra_real_field() {
    let a = SMatrix::<f64, 2, 2>::new(2.0, 1.0, 0.5, 3.0);
    let v = SVector::<f64, 2>::new(0.7, -1.3);
    let (ga, gv) = quadratic_form::grad(a, v);
    // d/dv vᵀAv = (A + Aᵀ) v, d/dA = v vᵀ.
    assert!((gv - (a + a.transpose()) * v).norm() < 1e-14);
    assert!((ga - v * v.transpose()).norm() < 1e-14);
    let a3 = SMatrix::<f32, 3, 3>::identity() * 2.0;
    let v3 = SVector::<f32, 3>::new(1.0, 2.0, 3.0);
    let (_, gv3) = quadratic_form::grad(a3, v3);
    assert!((gv3 - v3 * 4.0).norm() < 1e-5);
}

#[test]
fn generic_static_parameter() {
    assert_eq!(scaled::grad(2.0_f64, 3_i32), 3.0);
    assert_eq!(scaled::grad(2.0_f32, 4.0_f32), 4.0);
}

#[test]
fn other_libraries_float_traits() {
    // f = x sin(x)/2 + 2x + y, y = cos x where sin x <= 1/2, x² elsewhere.
    for x in [0.3_f64, 1.2] {
        let dy = if x.sin() > 0.5 { 2.0 * x } else { -x.sin() };
        let expected = 0.5 * (x.sin() + x * x.cos()) + 2.0 + dy;
        assert!((real_field_scalar::grad(x) - expected).abs() < 1e-14);
        let g32 = real_field_scalar::grad(x as f32);
        assert!((g32 as f64 - expected).abs() < 1e-5);
    }
    assert!((num_traits_float::grad(0.3_f64) - 4.5 * 0.09).abs() < 1e-15);
    assert!((num_traits_float::grad(-0.3_f32) - (-0.3_f32).exp()).abs() < 1e-6);
    assert_eq!(slope(0.0_f64), 1.0);
    assert_eq!(slope(0.0_f32), 1.0);
}

#[test]
fn methods_slices_vecs_and_concrete_callers() {
    let m = Model { scale: 3.0 };
    assert_eq!(m.loss_grad(2.0_f32), 12.0);
    assert_eq!(m.loss_grad(2.0_f64), 12.0);
    let g = slice_sum::grad(&[0.0_f64, 1.0][..]);
    assert_eq!(g, vec![1.0, 1.0_f64.exp()]);
    let (gv, gw) = vector_and_vec::grad(SVector::<f64, 2>::new(3.0, 4.0), &vec![1.0, 2.0]);
    assert!((gv - SVector::<f64, 2>::new(1.6, 2.8)).norm() < 1e-15);
    assert_eq!(gw, vec![3.0, 4.0]);
    let g7 = vector_and_vec::grad(SVector::<f32, 7>::repeat(1.0), &vec![0.5_f32; 7]).0;
    assert!((g7[0] - (1.0 / 7.0_f32.sqrt() + 0.5)).abs() < 1e-6);
    let y = 0.7;
    let fd = (concrete_caller(y + 1e-6) - concrete_caller(y - 1e-6)) / 2e-6;
    assert!((concrete_caller::grad(y) - fd).abs() < 1e-7);
}
