//! Second derivatives (`hvp`, `hessian`): forward mode over reverse mode,
//! the reverse sweep run again over dual numbers.
//!
//! Oracles: Rosenbrock's Hessian in closed form, num-dual's `hessian`
//! (second-order dual numbers, `Dual2Vec`) on the same body written
//! generically over `DualNum`, for a dozen functions with loops, branches,
//! early returns, `while`, element assignment and piecewise functions;
//! symmetry; `hvp` against central differences of `grad` (step 1e-5,
//! tolerance 1e-6 relative to the largest entry).

// Loops over indices are the style these programs are written in.
#![allow(clippy::needless_range_loop, clippy::useless_vec)]

use autodiff::nalgebra::{DMatrix, DVector, Matrix3, SMatrix, SVector, Vector3};
use autodiff::prelude::*;
use num_dual::{Dual2SVec64, DualNum};

/// num-dual's Hessian of `twin` at `x` (second-order dual numbers of `N`
/// directions).
fn oracle<const N: usize>(
    twin: impl Fn(&[Dual2SVec64<N>]) -> Dual2SVec64<N>,
    x: &[f64],
) -> DMatrix<f64> {
    let x = SVector::<f64, N>::from_column_slice(x);
    let (_, _, h) = num_dual::hessian(|v: SVector<Dual2SVec64<N>, N>| twin(v.as_slice()), &x);
    DMatrix::from_fn(N, N, |i, j| h[(i, j)])
}

fn assert_close(got: &DMatrix<f64>, want: &DMatrix<f64>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (g, w) in got.iter().zip(want.iter()) {
        assert!((g - w).abs() <= tol * scale, "{what}: {got} vs {want}");
    }
}

fn symmetric(h: &DMatrix<f64>, what: &str) {
    assert_close(h, &h.transpose(), 1e-12, what);
}

fn to_d<const R: usize, const C: usize>(m: SMatrix<f64, R, C>) -> DMatrix<f64> {
    DMatrix::from_fn(R, C, |i, j| m[(i, j)])
}

// ---------------------------------------------------------------------------
// Rosenbrock, closed form
// ---------------------------------------------------------------------------

#[differentiate]
fn rosenbrock(x: [f64; 2]) -> f64 {
    (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
}

/// The n-dimensional Rosenbrock function over a slice, in a loop.
#[differentiate]
fn rosenbrock_n(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..x.len() - 1 {
        total += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    total
}

fn rosenbrock_n_twin<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut total = D::from(0.0);
    for i in 0..x.len() - 1 {
        total += (x[i + 1] - x[i] * x[i]).powi(2) * 100.0 + (-x[i] + 1.0).powi(2);
    }
    total
}

#[test]
fn rosenbrock_closed_form() {
    for x in [[1.0, 2.0], [-1.2, 1.0], [0.3, -0.7]] {
        let h = rosenbrock::hessian(x);
        let want = SMatrix::<f64, 2, 2>::new(
            1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0,
            -400.0 * x[0],
            -400.0 * x[0],
            200.0,
        );
        assert_close(&to_d(h), &to_d(want), 1e-14, "rosenbrock");
        // hvp is the Hessian applied to v.
        let v = [0.3, -1.1];
        let hv = rosenbrock::hvp(x, v);
        let want = want * SMatrix::<f64, 2, 1>::new(v[0], v[1]);
        assert!((hv[0] - want[0]).abs() < 1e-12 && (hv[1] - want[1]).abs() < 1e-12);
    }
    let x = [0.5, -0.3, 1.2, 0.8, -1.0];
    let h = rosenbrock_n::hessian(&x);
    assert_close(
        &h,
        &oracle::<5>(rosenbrock_n_twin, &x),
        1e-13,
        "rosenbrock_n",
    );
    symmetric(&h, "rosenbrock_n");
}

// ---------------------------------------------------------------------------
// A dozen functions against num-dual
// ---------------------------------------------------------------------------

/// Declares a differentiated function of an array and its twin over any
/// `DualNum`, with one body written twice.
macro_rules! cases {
    ($($name:ident, $twin:ident, $n:literal: |$x:ident| $body:block, |$y:ident| $twin_body:block;)*) => {
        $(
            #[differentiate]
            fn $name($x: [f64; $n]) -> f64 $body

            fn $twin<D: DualNum<Primitive = f64> + Copy>($y: &[D]) -> D $twin_body
        )*

        #[test]
        fn against_num_dual() {
            let points: [[f64; 4]; 3] = [[0.7, -0.4, 1.3, 0.2], [-1.1, 0.9, 0.35, -0.6], [0.25, 1.6, -0.8, 1.05]];
            $(
                for p in &points {
                    let x: [f64; $n] = core::array::from_fn(|k| p[k]);
                    let h = to_d($name::hessian(x));
                    assert_close(&h, &oracle::<$n>($twin, &x), 1e-12, stringify!($name));
                    symmetric(&h, stringify!($name));
                    // hvp against central differences of grad.
                    let v: [f64; $n] = core::array::from_fn(|k| 0.5 - 0.3 * k as f64);
                    let hv = $name::hvp(x, v);
                    let step = 1e-5;
                    let plus: [f64; $n] = core::array::from_fn(|k| x[k] + step * v[k]);
                    let minus: [f64; $n] = core::array::from_fn(|k| x[k] - step * v[k]);
                    let (gp, gm) = ($name::grad(plus), $name::grad(minus));
                    let scale = hv.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                    for k in 0..$n {
                        let fd = (gp[k] - gm[k]) / (2.0 * step);
                        assert!((hv[k] - fd).abs() <= 1e-6 * scale, "{}: hvp {} vs {}", stringify!($name), hv[k], fd);
                    }
                }
            )*
        }
    };
}

cases! {
    products, products_twin, 3: |x| { x[0] * x[1] * x[2] + x[0].powi(3) * x[1] }, |y| { y[0] * y[1] * y[2] + y[0].powi(3) * y[1] };
    transcendental, transcendental_twin, 2: |x| {
        (x[0] * x[1]).sin() + x[0].exp() * x[1].cos() + (1.0 + x[1] * x[1]).ln() + x[0].atan()
    }, |y| {
        (y[0] * y[1]).sin() + y[0].exp() * y[1].cos() + (y[1] * y[1] + 1.0).ln() + y[0].atan()
    };
    powers, powers_twin, 2: |x| {
        let a = x[0] * x[0] + 1.5;
        a.powf(x[1]) + a.sqrt() / (2.0 + x[1].tanh()) + a.cbrt()
    }, |y| {
        let a = y[0] * y[0] + 1.5;
        a.powd(y[1]) + a.sqrt() / (y[1].tanh() + 2.0) + a.cbrt()
    };
    two_arg, two_arg_twin, 2: |x| {
        x[0].atan2(x[1] + 3.0) + x[0].hypot(x[1]) * x[1]
    }, |y| {
        let r = (y[0] * y[0] + y[1] * y[1]).sqrt();
        let a = y[0] / (y[1] + 3.0);
        // atan2 with a positive second argument is atan(y/x).
        a.atan() + r * y[1]
    };
    branches, branches_twin, 3: |x| {
        if x[0] > x[1] {
            x[0] * x[0] * x[2]
        } else if x[2] > 0.0 {
            x[1].sin() * x[2].powi(3)
        } else {
            (x[0] - x[2]).exp()
        }
    }, |y| {
        if y[0].re() > y[1].re() {
            y[0] * y[0] * y[2]
        } else if y[2].re() > 0.0 {
            y[1].sin() * y[2].powi(3)
        } else {
            (y[0] - y[2]).exp()
        }
    };
    loop_sum, loop_sum_twin, 4: |x| {
        let mut s = 0.0;
        let mut p = 1.0;
        for i in 0..4 {
            s += x[i] * p;
            p *= x[i].cos() + 2.0;
        }
        s * s
    }, |y| {
        let mut s = D::from(0.0);
        let mut p = D::from(1.0);
        for i in 0..4 {
            s += y[i] * p;
            p *= y[i].cos() + 2.0;
        }
        s * s
    };
    loop_branch, loop_branch_twin, 4: |x| {
        let mut s = 0.0;
        for i in 0..4 {
            if x[i] > 0.0 {
                s += x[i] * x[i] * s.exp();
            } else {
                s -= x[i].sin();
            }
        }
        s
    }, |y| {
        let mut s = D::from(0.0);
        for i in 0..4 {
            if y[i].re() > 0.0 {
                s += y[i] * y[i] * s.exp();
            } else {
                s -= y[i].sin();
            }
        }
        s
    };
    early_return, early_return_twin, 4: |x| {
        let mut s = 1.0;
        for i in 0..4 {
            if x[i] > 1.5 {
                return s * x[i];
            }
            s *= 1.0 + x[i] * x[i];
        }
        s.ln()
    }, |y| {
        let mut s = D::from(1.0);
        for i in 0..4 {
            if y[i].re() > 1.5 {
                return s * y[i];
            }
            s *= y[i] * y[i] + 1.0;
        }
        s.ln()
    };
    while_newton, while_newton_twin, 1: |x| {
        let a = x[0] * x[0] + 2.0;
        let mut y = a;
        while (y * y - a).abs() > 1e-13 * a {
            y = 0.5 * (y + a / y);
        }
        y * a
    }, |y| {
        let a = y[0] * y[0] + 2.0;
        a.sqrt() * a
    };
    assigned, assigned_twin, 3: |x| {
        let mut v = vec![0.0; 3];
        for i in 0..3 {
            v[i] = x[i] * x[(i + 1) % 3];
        }
        v[1] += v[0].exp();
        v[0] * v[1] + v[2].sin()
    }, |y| {
        let v0 = y[0] * y[1];
        let v1 = y[1] * y[2] + v0.exp();
        let v2 = y[2] * y[0];
        v0 * v1 + v2.sin()
    };
    piecewise, piecewise_twin, 3: |x| {
        x[0].max(x[1]) * x[2].abs() + x[1].min(0.5) * x[0] + (x[2] * 2.0).floor() * x[0] * x[0]
    }, |y| {
        let max = if y[0].re() > y[1].re() { y[0] } else { y[1] };
        let abs = if y[2].re() >= 0.0 { y[2] } else { -y[2] };
        let min = if y[1].re() < 0.5 { y[1] } else { D::from(0.5) };
        max * abs + min * y[0] + y[0] * y[0] * (y[2].re() * 2.0).floor()
    };
    logistic, logistic_twin, 3: |x| {
        let z = 0.5 * x[0] - x[1] + 2.0 * x[2];
        let p = 1.0 / (1.0 + (-z).exp());
        -(p.ln()) + 0.1 * (x[0] * x[0] + x[1] * x[1])
    }, |y| {
        let z = y[0] * 0.5 - y[1] + y[2] * 2.0;
        let p = (-z).exp().recip_plus_one();
        -(p.ln()) + (y[0] * y[0] + y[1] * y[1]) * 0.1
    };
}

/// `1 / (1 + self)`, for the logistic twin.
trait RecipPlusOne {
    fn recip_plus_one(self) -> Self;
}

impl<D: DualNum<Primitive = f64> + Copy> RecipPlusOne for D {
    fn recip_plus_one(self) -> Self {
        (self + 1.0).recip()
    }
}

// ---------------------------------------------------------------------------
// Several arguments, single precision, methods, the unsupported subset
// ---------------------------------------------------------------------------

#[differentiate]
fn two_arguments(s: f64, x: [f64; 2], n: usize) -> f64 {
    let mut total = s * s;
    for _ in 0..n {
        total += (s * x[0]).sin() * x[1];
    }
    total
}

fn two_arguments_twin<D: DualNum<Primitive = f64> + Copy>(y: &[D]) -> D {
    let mut total = y[0] * y[0];
    for _ in 0..3 {
        total += (y[0] * y[1]).sin() * y[2];
    }
    total
}

#[differentiate]
fn single(x: [f32; 2]) -> f32 {
    x[0].powi(3) * x[1] + x[1].exp()
}

struct Spring {
    k: f64,
}

impl Spring {
    #[differentiate(wrt(x))]
    fn energy(&self, x: [f64; 2]) -> f64 {
        0.5 * self.k * (x[0] * x[0] + x[1] * x[1]) + x[0] * x[1].powi(3)
    }
}

#[test]
fn several_arguments_single_precision_and_methods() {
    let (s, x) = (0.4, [0.9, -0.3]);
    let (hs, hx) = two_arguments::hessian(s, x, 3);
    // One block of columns per argument, rows over all components.
    let mut h = DMatrix::zeros(3, 3);
    h.column_mut(0).copy_from(&to_d(hs).column(0));
    h.columns_mut(1, 2).copy_from(&to_d(hx));
    assert_close(
        &h,
        &oracle::<3>(two_arguments_twin, &[s, x[0], x[1]]),
        1e-13,
        "two_arguments",
    );
    let (hv_s, hv_x) = two_arguments::hvp(s, x, 3, (1.0, [0.0, 2.0]));
    assert!((hv_s - (h[(0, 0)] + 2.0 * h[(0, 2)])).abs() < 1e-12);
    assert!((hv_x[1] - (h[(2, 0)] + 2.0 * h[(2, 2)])).abs() < 1e-12);

    let h32 = single::hessian([1.5, 0.5]);
    let want = [
        [6.0 * 1.5 * 0.5, 3.0 * 1.5 * 1.5],
        [3.0 * 1.5 * 1.5, 0.5f32.exp()],
    ];
    for i in 0..2 {
        for j in 0..2 {
            assert!((h32[(i, j)] - want[i][j]).abs() < 1e-5, "{h32}");
        }
    }

    let spring = Spring { k: 3.0 };
    let h = spring.energy_hessian([0.5, -1.0]);
    let (x0, x1) = (0.5, -1.0);
    let want = SMatrix::<f64, 2, 2>::new(3.0, 3.0 * x1 * x1, 3.0 * x1 * x1, 3.0 + 6.0 * x0 * x1);
    assert_close(&to_d(h), &to_d(want), 1e-14, "method");
}

// ---------------------------------------------------------------------------
// Through calls of other differentiated functions
// ---------------------------------------------------------------------------

#[differentiate]
fn inner(a: f64, b: f64) -> f64 {
    (a * b).sin() + a * a * b
}

#[differentiate]
fn inner_array(x: [f64; 2], k: usize) -> f64 {
    let mut s = 0.0;
    for _ in 0..k {
        s += x[0].exp() * x[1];
    }
    s
}

#[differentiate]
fn outer(x: [f64; 3]) -> f64 {
    let mut total = inner(x[0], x[1] * x[2]);
    if total > 0.0 {
        total += inner(total, 2.0) * inner_array([x[2], x[0]], 2);
    } else {
        total -= inner(x[1], 0.5);
    }
    total
}

fn inner_twin<D: DualNum<Primitive = f64> + Copy>(a: D, b: D) -> D {
    (a * b).sin() + a * a * b
}

fn outer_twin<D: DualNum<Primitive = f64> + Copy>(x: &[D]) -> D {
    let mut total = inner_twin(x[0], x[1] * x[2]);
    if total.re() > 0.0 {
        let array = (x[2].exp() * x[0]) * 2.0;
        total += inner_twin(total, D::from(2.0)) * array;
    } else {
        total -= inner_twin(x[1], D::from(0.5));
    }
    total
}

/// A callee without second derivatives (a cross product, `(1, -a, a²)`:
/// its rule needs nalgebra's `RealField`, which dual numbers are not).
#[differentiate]
fn with_vector(a: f64) -> f64 {
    Vector3::new(a, 1.0, 0.0).cross(&Vector3::new(0.0, a, 1.0))[2]
}

#[differentiate]
fn calls_without_second_order(x: f64) -> f64 {
    with_vector(x) * x
}

#[test]
fn through_calls() {
    for p in [[0.4, 0.7, -0.3], [-0.6, 0.2, 0.9], [1.1, -0.5, 0.35]] {
        let h = to_d(outer::hessian(p));
        assert_close(&h, &oracle::<3>(outer_twin, &p), 1e-12, "outer");
        symmetric(&h, "outer");
    }
    // First derivatives still work through a callee without second ones;
    // its second sweep panics, naming it.
    assert!((calls_without_second_order::grad(1.0) - 3.0).abs() < 1e-12);
    let panic = std::panic::catch_unwind(|| calls_without_second_order::hvp(1.0, 1.0));
    let message = panic
        .expect_err("a panic")
        .downcast::<String>()
        .expect("a message");
    assert!(
        message.contains("`with_vector`, which has no second derivatives"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------
// nalgebra: products, dot, norms, sums, constructors, static and dynamic
// ---------------------------------------------------------------------------

/// `(A v)·v + ‖v‖³ + Σ (v vᵀ)`: `H = A + Aᵀ + 3(‖v‖ I + v vᵀ/‖v‖) + 2·11ᵀ`.
#[differentiate(wrt(v))]
fn matrix_quadratic(a: Matrix3<f64>, v: Vector3<f64>) -> f64 {
    (a * v).dot(&v) + v.norm_squared() * v.norm() + (v * v.transpose()).sum()
}

/// `sin((M v)·v)` over dynamic sizes, with a constructed vector:
/// `H = cos s (M + Mᵀ) − sin s g gᵀ` (`g = (M + Mᵀ) v`) plus the Hessian of
/// `‖(v₀, v₁, v₀v₁)‖`, checked by differences of the gradient.
#[differentiate(wrt(v))]
fn dynamic_quadratic(v: &DVector<f64>, m: &DMatrix<f64>) -> f64 {
    let w = m * v;
    w.dot(v).sin() + Vector3::new(v[0], v[1], v[0] * v[1]).norm()
}

#[test]
fn through_nalgebra() {
    let a = Matrix3::new(1.0, 2.0, 0.5, 0.0, 1.0, 3.0, 2.0, 1.0, 1.0);
    let v = Vector3::new(0.3, -0.5, 0.8);
    let h = matrix_quadratic::hessian(a, v);
    let n = v.norm();
    let closed = a
        + a.transpose()
        + (Matrix3::identity() * n + v * v.transpose() / n) * 3.0
        + Matrix3::repeat(2.0);
    assert_close(&to_d(h), &to_d(closed), 1e-12, "matrix_quadratic");
    let hv = matrix_quadratic::hvp(a, v, Vector3::new(1.0, 0.0, -1.0));
    assert!((hv - closed * Vector3::new(1.0, 0.0, -1.0)).norm() < 1e-12);

    let m = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.0, 0.5, 2.0, -0.3, 0.2, 0.1, 1.5]);
    let v = DVector::from_vec(vec![0.3, 0.7, -0.4]);
    let h = dynamic_quadratic::hessian(&v, &m);
    // Central differences of the gradient, column by column.
    let step = 1e-6;
    let fd = DMatrix::from_fn(3, 3, |i, j| {
        let (mut up, mut down) = (v.clone(), v.clone());
        up[j] += step;
        down[j] -= step;
        (dynamic_quadratic::grad(&up, &m)[i] - dynamic_quadratic::grad(&down, &m)[i]) / (2.0 * step)
    });
    assert_close(&h, &fd, 1e-7, "dynamic_quadratic");
    symmetric(&h, "dynamic_quadratic");
}

// ---------------------------------------------------------------------------
// Struct arguments: their derive writes a dual twin
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Differentiable)]
struct Params {
    a: f64,
    w: [f64; 2],
    v: autodiff::nalgebra::Vector2<f64>,
    #[differentiable(skip)]
    n: usize,
}

#[derive(Clone, Debug, Differentiable)]
struct Pair(f64, f64);

/// Field reads in a loop bounded by a skipped field, a literal with
/// `..base`, a field assignment and a tuple struct.
#[differentiate]
fn struct_energy(p: &Params, x: f64) -> f64 {
    let mut s = p.a * p.a * x;
    for i in 0..p.n {
        s += p.w[i % 2].sin() * p.v.dot(&p.v);
    }
    let mut q = Params { a: s, ..p.clone() };
    q.w[1] = q.a * p.w[0];
    let t = Pair(q.a, x * x);
    q.a * t.1 + t.0.exp() + q.w[1] * q.w[1]
}

#[test]
fn through_struct_arguments() {
    let p = Params {
        a: 0.5,
        w: [0.3, -0.2],
        v: autodiff::nalgebra::Vector2::new(0.4, -0.6),
        n: 3,
    };
    let x = 0.7;
    let (hp, hx) = struct_energy::hessian(&p, x);
    let h = DMatrix::from_fn(6, 6, |i, j| if j < 5 { hp[(i, j)] } else { hx[(i, 0)] });
    // Central differences of the gradient along each of the six
    // components (a, w₀, w₁, v₀, v₁, x).
    let flat_grad = |p: &Params, x: f64| {
        let (gp, gx) = struct_energy::grad(p, x);
        let mut g: Vec<f64> = (0..5).map(|k| gp.component(k)).collect();
        g.push(gx);
        g
    };
    let step = 1e-6;
    let fd = DMatrix::from_fn(6, 6, |i, j| {
        let (mut up, mut down) = ((p.clone(), x), (p.clone(), x));
        if j < 5 {
            up.0.set_component(j, p.component(j) + step);
            down.0.set_component(j, p.component(j) - step);
        } else {
            up.1 += step;
            down.1 -= step;
        }
        (flat_grad(&up.0, up.1)[i] - flat_grad(&down.0, down.1)[i]) / (2.0 * step)
    });
    assert_close(&h, &fd, 1e-6, "struct_energy");
    symmetric(&h, "struct_energy");
    // hvp along a struct direction; the skipped field keeps the primal's value.
    let direction = Params {
        a: 1.0,
        w: [0.5, -1.0],
        v: autodiff::nalgebra::Vector2::new(0.0, 2.0),
        n: 3,
    };
    let (hv, hvx) = struct_energy::hvp(&p, x, (direction.clone(), 0.25));
    let d = DVector::from_vec(vec![1.0, 0.5, -1.0, 0.0, 2.0, 0.25]);
    let want = &h * d;
    for k in 0..5 {
        assert!((hv.component(k) - want[k]).abs() < 1e-9 * (1.0 + want[k].abs()));
    }
    assert!((hvx - want[5]).abs() < 1e-9 * (1.0 + want[5].abs()));
    assert_eq!(hv.n, 3);
}
