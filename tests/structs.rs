//! Structs as differentiable arguments and values (`#[derive(Differentiable)]`,
//! JAX's pytrees): named and tuple structs, nested structs, arrays, nalgebra
//! and `Vec` fields, `Vec`s of structs, skipped (static) fields, generic
//! structs; field reads, struct literals with and without `..base`, field
//! assignments (also in loops and branches), struct outputs, and gradients
//! into a caller's struct.
//!
//! Oracles (`tests/harness/mod.rs` runs them in every mode): closed forms
//! and num-dual running the same body on a twin struct of dual numbers;
//! central differences check both. A struct flattens field by field in
//! declaration order, skipped fields left out.

mod common;
#[macro_use]
mod harness;

use autodiff::nalgebra::{DMatrix, SMatrix, SVector};
use autodiff::prelude::*;
use harness::{sample, Components, Structure};
use num_dual::{Dual64, DualNum};

/// `Structure` (the harness's view of a value) for a struct: its
/// differentiable fields in declaration order, then the skipped ones, which
/// its dual twin keeps as they are.
macro_rules! structure {
    ($name:ty => $dual:ident { $($f:ident: $t:ty),* } $(skip { $($s:ident),* })?) => {
        impl Structure for $name {
            type Dual = $dual;
            fn flat(&self) -> Vec<f64> {
                let mut flat = Vec::new();
                $(flat.extend(self.$f.flat());)*
                flat
            }
            fn rebuild(&self, components: Components) -> Self {
                Self { $($f: self.$f.rebuild(components),)* $($($s: self.$s.clone(),)*)? }
            }
            fn lift(&self, tangent: Components) -> $dual {
                $dual { $($f: self.$f.lift(tangent),)* $($($s: self.$s.clone(),)*)? }
            }
            fn parts(dual: &$dual) -> (Vec<f64>, Vec<f64>) {
                let (mut re, mut eps) = (Vec::new(), Vec::new());
                $(
                    let (r, e) = <$t>::parts(&dual.$f);
                    re.extend(r);
                    eps.extend(e);
                )*
                (re, eps)
            }
        }
    };
}

// ---------------------------------------------------------------------------
// The tutorial's dictionary, as a struct
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Xyz {
    x: f64,
    y: f64,
    z: f64,
}

#[derive(Clone, Debug)]
struct XyzDual {
    x: Dual64,
    y: Dual64,
    z: Dual64,
}

structure!(Xyz => XyzDual { x: f64, y: f64, z: f64 });

/// The shape of the points `sample` draws.
const ORIGIN: Xyz = Xyz {
    x: 0.0,
    y: 0.0,
    z: 0.0,
};

/// The tutorial's f(X) = X.x² + 3 sin X.y + cos X.z.
#[differentiate]
fn dict(p: &Xyz) -> f64 {
    p.x.powi(2) + 3.0 * p.y.sin() + p.z.cos()
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Xyz32 {
    x: f32,
    y: f32,
    z: f32,
}

#[differentiate]
fn dict32(p: Xyz32) -> f32 {
    p.x.powi(2) + 3.0 * p.y.sin() + p.z.cos()
}

#[test]
fn dictionary_gradient_is_a_struct() {
    let points = sample(&ORIGIN, (-2.0, 2.0), 4, 1);
    case!(scalar dict, points, |x, v| (x) (v.clone()))
        .closed(&|p| harness::row(&[2.0 * p.x, 3.0 * p.y.cos(), -p.z.sin()]))
        .run();
    // In single precision, at the tutorial's point.
    let g = dict32::grad(Xyz32 {
        x: 2.0,
        y: 3.0,
        z: 1.0,
    });
    let want = [4.0, 3.0 * 3.0f32.cos(), -1.0f32.sin()];
    for (got, want) in [g.x, g.y, g.z].into_iter().zip(want) {
        assert!((got - want).abs() <= 1e-6, "{got} vs {want}");
    }
}

// ---------------------------------------------------------------------------
// Tuple structs, literals inside the body
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Pair(f64, [f64; 2]);

#[derive(Clone, Debug)]
struct PairDual(Dual64, [Dual64; 2]);

impl Structure for Pair {
    type Dual = PairDual;
    fn flat(&self) -> Vec<f64> {
        let mut flat = vec![self.0];
        flat.extend(self.1);
        flat
    }
    fn rebuild(&self, components: Components) -> Self {
        Pair(self.0.rebuild(components), self.1.rebuild(components))
    }
    fn lift(&self, tangent: Components) -> PairDual {
        PairDual(self.0.lift(tangent), self.1.lift(tangent))
    }
    fn parts(dual: &PairDual) -> (Vec<f64>, Vec<f64>) {
        let (mut re, mut eps) = f64::parts(&dual.0);
        let (r, e) = <[f64; 2]>::parts(&dual.1);
        re.extend(r);
        eps.extend(e);
        (re, eps)
    }
}

#[differentiate]
fn pair(p: Pair) -> f64 {
    let q = Pair(p.0 * p.1[1], [p.1[0].exp(), 2.0]);
    let r = Pair(q.1[0], q.1);
    q.0 * r.0 + q.1[0] * q.1[1] - r.1[0].sin()
}

fn pair_dual(p: &PairDual) -> Dual64 {
    let q = PairDual(p.0 * p.1[1], [p.1[0].exp(), Dual64::from(2.0)]);
    let r = PairDual(q.1[0], q.1);
    q.0 * r.0 + q.1[0] * q.1[1] - r.1[0].sin()
}

#[test]
fn tuple_structs() {
    let points = sample(&Pair(0.0, [0.0; 2]), (-1.5, 1.5), 4, 2);
    case!(scalar pair, points, |x, v| (x.clone()) (v.clone()))
        .dual(&pair_dual)
        .run();
}

// ---------------------------------------------------------------------------
// `..base`, field assignment in loops and branches
// ---------------------------------------------------------------------------

#[differentiate]
fn update(p: Xyz, k: usize) -> f64 {
    let mut q = Xyz { x: p.y, ..p };
    for _ in 0..k {
        q.x = q.x * q.z + 0.1;
        if q.x > 0.0 {
            q.y = q.y.sin() + q.x;
        } else {
            q.z -= 0.25 * q.x;
        }
    }
    let r = Xyz {
        z: 1.0,
        ..q.clone()
    };
    q.x + q.y * q.z + r.z * r.x
}

fn update_dual(p: &XyzDual, k: usize) -> Dual64 {
    let mut q = XyzDual {
        x: p.y,
        ..p.clone()
    };
    for _ in 0..k {
        q.x = q.x * q.z + 0.1;
        if q.x.re > 0.0 {
            q.y = q.y.sin() + q.x;
        } else {
            q.z -= q.x * 0.25;
        }
    }
    let r = XyzDual {
        z: Dual64::from(1.0),
        ..q.clone()
    };
    q.x + q.y * q.z + r.z * r.x
}

#[test]
fn update_syntax_and_field_assignment() {
    let points = vec![
        Xyz {
            x: 0.3,
            y: 0.8,
            z: 0.5,
        },
        Xyz {
            x: -1.0,
            y: -0.7,
            z: 1.2,
        },
        Xyz {
            x: 2.0,
            y: 1.5,
            z: -0.4,
        },
    ];
    case!(scalar update, points, |x, v| (x.clone()) (v.clone()); 5)
        .dual(&|p| update_dual(p, 5))
        .run();
}

// ---------------------------------------------------------------------------
// A network: a `Vec` of structs of nalgebra matrices, a skipped field
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Layer {
    w: SMatrix<f64, 2, 2>,
    b: SVector<f64, 2>,
}

#[derive(Clone, Debug)]
struct LayerDual {
    w: SMatrix<Dual64, 2, 2>,
    b: SVector<Dual64, 2>,
}

structure!(Layer => LayerDual { w: SMatrix<f64, 2, 2>, b: SVector<f64, 2> });

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Net {
    layers: Vec<Layer>,
    #[differentiable(skip)]
    depth: usize,
    scale: f64,
}

#[derive(Clone, Debug)]
struct NetDual {
    layers: Vec<LayerDual>,
    depth: usize,
    scale: Dual64,
}

structure!(Net => NetDual { layers: Vec<Layer>, scale: f64 } skip { depth });

#[differentiate]
fn net(p: &Net, x: SVector<f64, 2>) -> f64 {
    let mut h = x;
    for i in 0..p.depth {
        h = (p.layers[i].w * h + p.layers[i].b).map(|v| v.tanh());
    }
    p.scale * h.norm_squared()
}

fn net_dual((p, x): &(NetDual, SVector<Dual64, 2>)) -> Dual64 {
    let mut h = *x;
    for i in 0..p.depth {
        h = (p.layers[i].w * h + p.layers[i].b).map(|v| v.tanh());
    }
    p.scale * h.norm_squared()
}

fn a_net(depth: usize) -> Net {
    let layer = |k: f64| Layer {
        w: SMatrix::<f64, 2, 2>::new(0.5 * k, -0.3, 0.2, 0.4 + 0.1 * k),
        b: SVector::<f64, 2>::new(0.1 * k, -0.2),
    };
    Net {
        layers: (0..depth).map(|k| layer(k as f64)).collect(),
        depth,
        scale: 1.5,
    }
}

#[test]
fn network_of_layers() {
    for depth in [1, 3] {
        let points = sample(
            &(a_net(depth), SVector::<f64, 2>::zeros()),
            (-1.0, 1.0),
            3,
            3,
        )
        .into_iter()
        .map(|(mut p, x)| {
            p.depth = depth;
            (p, x)
        })
        .collect();
        case!(scalar net, points, |x, v| (&x.0, x.1) (v.0.clone(), v.1))
            .dual(&net_dual)
            .tol(1e-11)
            .run();
    }
    // The skipped field keeps the primal's value in the gradient.
    let (g, _) = net::grad(&a_net(2), SVector::<f64, 2>::new(0.3, -0.6));
    assert_eq!(g.depth, 2);
}

// ---------------------------------------------------------------------------
// A skipped field as a loop bound and index; branches on a field's value
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Poly {
    c: [f64; 4],
    #[differentiable(skip)]
    degree: usize,
    #[differentiable(skip)]
    name: &'static str,
}

#[derive(Clone, Debug)]
struct PolyDual {
    c: [Dual64; 4],
    degree: usize,
    // Kept as the struct keeps it; the twin's body does not read it.
    #[allow(dead_code)]
    name: &'static str,
}

structure!(Poly => PolyDual { c: [f64; 4] } skip { degree, name });

#[differentiate(wrt(p))]
fn horner(p: &Poly, x: f64) -> f64 {
    let mut y = p.c[p.degree];
    for i in (0..p.degree).rev() {
        y = y * x + p.c[i];
    }
    if y > p.c[0] {
        y * y
    } else {
        -y
    }
}

fn horner_dual(p: &PolyDual, x: f64) -> Dual64 {
    let mut y = p.c[p.degree];
    for i in (0..p.degree).rev() {
        y = y * x + p.c[i];
    }
    if y.re > p.c[0].re {
        y * y
    } else {
        -y
    }
}

#[test]
fn skipped_fields_as_bounds() {
    for degree in [2, 3] {
        let p = Poly {
            c: [0.0; 4],
            degree,
            name: "p",
        };
        let points = sample(&p, (-1.0, 1.0), 4, 4);
        case!(scalar horner, points, |x, v| (x) (v.clone()); 0.7)
            .dual(&|p| horner_dual(p, 0.7))
            .run();
    }
    let g = horner::grad(
        &Poly {
            c: [1.0, 2.0, 3.0, 4.0],
            degree: 2,
            name: "q",
        },
        0.5,
    );
    assert_eq!((g.degree, g.name, g.c[3]), (2, "q", 0.0));
}

// ---------------------------------------------------------------------------
// Several arguments, struct outputs, gradients into buffers, generic structs
// ---------------------------------------------------------------------------

#[differentiate]
fn mixed(a: Xyz, b: &Pair, s: f64) -> f64 {
    a.x * b.1[0] + s * a.y.exp() * b.0 - a.z * s * s
}

fn mixed_dual((a, b, s): &(XyzDual, PairDual, Dual64)) -> Dual64 {
    a.x * b.1[0] + *s * a.y.exp() * b.0 - a.z * *s * *s
}

#[differentiate]
fn to_struct(x: f64, y: [f64; 2]) -> Xyz {
    let z = x * y[1];
    Xyz {
        x: x * x,
        y: y[0].sin() * z,
        z,
    }
}

fn to_struct_dual((x, y): &(Dual64, [Dual64; 2])) -> XyzDual {
    let z = *x * y[1];
    XyzDual {
        x: *x * *x,
        y: y[0].sin() * z,
        z,
    }
}

#[test]
fn several_arguments_and_struct_outputs() {
    let points = sample(&(ORIGIN, Pair(0.0, [0.0; 2]), 0.0), (-1.0, 1.0), 3, 5);
    case!(scalar mixed, points, |x, v| (x.0.clone(), &x.1, x.2) (v.0.clone(), v.1.clone(), v.2))
        .dual(&mixed_dual)
        .run();
    let points = sample(&(0.0, [0.0; 2]), (-1.5, 1.5), 3, 6);
    case!(to_struct, points, |x, v| (x.0, x.1)(v.0, v.1))
        .dual(&to_struct_dual)
        .run();
    // A struct output's Jacobian is a `DMatrix`, a row per component.
    let j: DMatrix<f64> = to_struct::jacrev(2.0, [0.5, 3.0]).0;
    assert_eq!(j.shape(), (3, 1));
}

#[test]
fn gradients_accumulate_into_a_callers_struct() {
    let (a, b) = (
        Xyz {
            x: 0.5,
            y: -0.2,
            z: 1.1,
        },
        Pair(0.3, [0.7, -0.4]),
    );
    let mut ga = Xyz {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let mut gb = Pair(0.0, [0.0; 2]);
    let mut gs = 0.0;
    let value = mixed::value_and_grad_into(a.clone(), &b, 0.9, &mut ga, &mut gb, &mut gs);
    let (v, (da, db, ds)) = mixed::value_and_grad(a.clone(), &b, 0.9);
    assert_eq!(value, v);
    assert_eq!(
        ga,
        Xyz {
            x: 1.0 + da.x,
            y: 2.0 + da.y,
            z: 3.0 + da.z
        }
    );
    assert_eq!((gb, gs), (db, ds));
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Point<T> {
    at: [T; 2],
    weight: T,
}

#[derive(Clone, Debug)]
struct PointDual {
    at: [Dual64; 2],
    weight: Dual64,
}

structure!(Point<f64> => PointDual { at: [f64; 2], weight: f64 });

#[differentiate]
fn moment(p: &Point<f64>) -> f64 {
    p.weight * (p.at[0] * p.at[0] + p.at[1].sin())
}

#[differentiate]
fn moment32(p: Point<f32>) -> f32 {
    p.weight * (p.at[0] * p.at[0] + p.at[1].sin())
}

#[test]
fn generic_structs() {
    let points = sample(
        &Point {
            at: [0.0; 2],
            weight: 0.0,
        },
        (-1.0, 1.0),
        3,
        7,
    );
    case!(scalar moment, points, |x, v| (x) (v.clone()))
        .dual(&|p| p.weight * (p.at[0] * p.at[0] + p.at[1].sin()))
        .run();
    let g = moment32::grad(Point {
        at: [0.5f32, 1.0],
        weight: 2.0,
    });
    let want = [2.0 * 2.0 * 0.5, 2.0 * 1.0f32.cos(), 0.25 + 1.0f32.sin()];
    for (got, want) in [g.at[0], g.at[1], g.weight].into_iter().zip(want) {
        assert!((got - want).abs() <= 1e-6, "{got} vs {want}");
    }
}

#[test]
fn tangent_arithmetic() {
    let p = Xyz {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let q = p.clone().add(p.clone().scale(-0.5));
    assert_eq!(
        q,
        Xyz {
            x: 0.5,
            y: 1.0,
            z: 1.5
        }
    );
    assert_eq!(
        p.zero_like(),
        Xyz {
            x: 0.0,
            y: 0.0,
            z: 0.0
        }
    );
    assert_eq!((p.dim(), p.component(2)), (3, 3.0));
    let net = a_net(2);
    // Two layers of 4 + 2 components, and the scale.
    assert_eq!(net.dim(), 13);
    assert_eq!(net.component(12), 1.5);
    assert_eq!(net.component(5), net.layers[0].b[1]);
}

// ---------------------------------------------------------------------------
// Methods with respect to `self`
// ---------------------------------------------------------------------------

/// The tutorial's chain-rule model: z = m x + b, ŷ = σ(z),
/// L = ½ (ŷ − y)² + λ ½ m².
#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Model {
    m: f64,
    b: f64,
    #[differentiable(skip)]
    lambda: f64,
}

#[derive(Clone, Debug)]
struct ModelDual {
    m: Dual64,
    b: Dual64,
    lambda: f64,
}

structure!(Model => ModelDual { m: f64, b: f64 } skip { lambda });

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    #[differentiate(wrt(self))]
    fn loss(&self, x: f64, y: f64) -> f64 {
        let z = self.m * x + self.b;
        let y_hat = 1.0 / (1.0 + (-z).exp());
        0.5 * (y_hat - y).powi(2) + self.lambda * 0.5 * self.m * self.m
    }

    #[differentiate(wrt(self, x))]
    fn by_value(self, x: f64) -> f64 {
        self.m * x.sin() + loss_of(&self, x)
    }
}

#[differentiate]
fn loss_of(model: &Model, x: f64) -> f64 {
    (model.m * x + model.b).tanh()
}

/// A skipped float field read in the body: static in every mode.
#[differentiate]
fn regularised(model: &Model, x: f64) -> f64 {
    let fitted = Model {
        b: model.b * x,
        ..model.clone()
    };
    fitted.b.sin() + model.lambda * model.m * model.m + fitted.lambda * x
}

fn regularised_dual((model, x): &(ModelDual, Dual64)) -> Dual64 {
    (model.b * *x).sin() + model.m * model.m * model.lambda + *x * model.lambda
}

#[test]
fn skipped_float_fields_are_static() {
    let points = sample(
        &(
            Model {
                m: 0.0,
                b: 0.0,
                lambda: 0.25,
            },
            0.0,
        ),
        (-1.0, 1.0),
        4,
        8,
    );
    case!(scalar regularised, points, |x, v| (&x.0, x.1) (v.0.clone(), v.1))
        .dual(&regularised_dual)
        .run();
}

#[test]
fn methods_with_respect_to_self() {
    let model = Model {
        m: 0.7,
        b: -0.2,
        lambda: 0.1,
    };
    for (x, y) in [(1.5, 1.0), (-0.5, 0.0), (2.0, 0.3)] {
        // The tutorial's hand-derived formulas.
        let y_hat = sigmoid(model.m * x + model.b);
        let dz = (y_hat - y) * y_hat * (1.0 - y_hat);
        let want_m = dz * x + model.lambda * model.m;
        let g = model.loss_grad(x, y);
        assert!(
            (g.m - want_m).abs() <= 1e-12 * want_m.abs().max(1.0),
            "{} vs {want_m}",
            g.m
        );
        assert!(
            (g.b - dz).abs() <= 1e-12 * dz.abs().max(1.0),
            "{} vs {dz}",
            g.b
        );
        assert_eq!(g.lambda, model.lambda);
        let (value, g2) = model.loss_value_and_grad(x, y);
        assert_eq!((value, g2), (model.loss(x, y), g));
    }
    // With respect to `self` and another argument, through a call of a
    // free function taking `&self`.
    let dual = |p: &ModelDual, x: Dual64| p.m * x.sin() + (p.m * x + p.b).tanh();
    let (gm, gx) = model.clone().by_value_grad(0.4);
    let d = |dm: f64, db: f64, dx: f64| {
        let p = ModelDual {
            m: Dual64::new(0.7, dm),
            b: Dual64::new(-0.2, db),
            lambda: 0.1,
        };
        dual(&p, Dual64::new(0.4, dx)).eps
    };
    for (got, want) in [
        (gm.m, d(1.0, 0.0, 0.0)),
        (gm.b, d(0.0, 1.0, 0.0)),
        (gx, d(0.0, 0.0, 1.0)),
    ] {
        assert!((got - want).abs() <= 1e-12, "{got} vs {want}");
    }
}

// ---------------------------------------------------------------------------
// Tuple fields assigned, nalgebra coordinates read as fields
// ---------------------------------------------------------------------------

#[differentiate]
fn rotate_step(x: f64, y: f64) -> f64 {
    let mut t = (x, y);
    t.0 = t.0 * 0.5 - t.1;
    t.1 *= t.0;
    t.0 * t.1
}

fn rotate_step_dual(&(x, y): &(Dual64, Dual64)) -> Dual64 {
    let t0 = x * 0.5 - y;
    let t1 = y * t0;
    t0 * t1
}

#[differentiate(wrt(v))]
fn coordinates(v: SVector<f64, 3>, p: &Unrelated) -> f64 {
    v.x * p.scale + v.y * v.z.sin() - v[1]
}

/// A struct without the derive, as a static argument.
struct Unrelated {
    scale: f64,
}

#[test]
fn tuple_field_assignment_and_coordinates() {
    let points = sample(&(0.0, 0.0), (-2.0, 2.0), 4, 9);
    case!(scalar rotate_step, points, |x, v| (x.0, x.1) (v.0, v.1))
        .dual(&rotate_step_dual)
        .run();
    let p = Unrelated { scale: 1.5 };
    let points = sample(&SVector::<f64, 3>::zeros(), (-2.0, 2.0), 4, 10);
    case!(scalar coordinates, points, |x, v| (*x) (*v); &p)
        .closed(&|v| harness::row(&[1.5, v.z.sin() - 1.0, v.y * v.z.cos()]))
        .run();
}

// ---------------------------------------------------------------------------
// Struct patterns, iterating over a field, structs through branches,
// per-example gradients
// ---------------------------------------------------------------------------

#[differentiate]
fn patterns(p: &Xyz, q: Pair) -> f64 {
    let Xyz { x, y: height, .. } = p.clone();
    let Pair(a, [b, _]) = q;
    x * height + a * b.exp()
}

fn patterns_dual((p, q): &(XyzDual, PairDual)) -> Dual64 {
    p.x * p.y + q.0 * q.1[0].exp()
}

#[differentiate]
fn layers_iterated(p: &Net, x: SVector<f64, 2>) -> f64 {
    let mut h = x;
    for layer in p.layers.iter() {
        h = (layer.w * h + layer.b).map(|v| v.tanh());
    }
    let chosen = if h[0] > h[1] {
        Layer {
            b: h,
            ..p.layers[0].clone()
        }
    } else {
        p.layers[0].clone()
    };
    p.scale * chosen.b.norm_squared() + chosen.w[(0, 1)]
}

fn layers_iterated_dual((p, x): &(NetDual, SVector<Dual64, 2>)) -> Dual64 {
    let mut h = *x;
    for layer in p.layers.iter() {
        h = (layer.w * h + layer.b).map(|v| v.tanh());
    }
    let chosen = if h[0].re > h[1].re {
        LayerDual {
            b: h,
            ..p.layers[0].clone()
        }
    } else {
        p.layers[0].clone()
    };
    p.scale * chosen.b.norm_squared() + chosen.w[(0, 1)]
}

#[test]
fn patterns_iteration_and_branches() {
    let points = sample(&(ORIGIN, Pair(0.0, [0.0; 2])), (-1.0, 1.0), 3, 11);
    case!(scalar patterns, points, |x, v| (&x.0, x.1.clone()) (v.0.clone(), v.1.clone()))
        .dual(&patterns_dual)
        .run();
    let points: Vec<_> = sample(&(a_net(2), SVector::<f64, 2>::zeros()), (-1.0, 1.0), 6, 12);
    case!(scalar layers_iterated, points, |x, v| (&x.0, x.1) (v.0.clone(), v.1))
        .dual(&layers_iterated_dual)
        .tol(1e-11)
        .run();
}

#[vectorize(broadcast(p))]
#[differentiate]
fn per_example(p: &Model, x: f64) -> f64 {
    (p.m * x + p.b).powi(2)
}

#[test]
fn per_example_gradients_of_a_struct() {
    let model = Model {
        m: 0.5,
        b: -1.0,
        lambda: 0.0,
    };
    let xs = [0.5, 1.0, 2.0];
    let grads = per_example::batched_grad(&model, &xs);
    for (x, (gp, gx)) in xs.iter().zip(grads) {
        let r = model.m * x + model.b;
        assert_eq!((gp.m, gp.b, gx), (2.0 * r * x, 2.0 * r, 2.0 * r * model.m));
    }
}

/// A batch of models, one input shared: per-example gradients are structs.
#[vectorize(broadcast(x))]
#[differentiate]
fn per_model(p: &Model, x: f64) -> f64 {
    (p.m * x + p.b).tanh()
}

#[test]
fn batches_of_structs() {
    let models: Vec<Model> = (0..4)
        .map(|k| Model {
            m: 0.2 * k as f64,
            b: -0.1,
            lambda: k as f64,
        })
        .collect();
    let values = per_model::batched(&models, 0.7);
    let grads = per_model::batched_grad(&models, 0.7);
    for ((p, value), (gp, gx)) in models.iter().zip(&values).zip(&grads) {
        assert_eq!(*value, per_model(p, 0.7));
        let (gp1, gx1) = per_model::grad(p, 0.7);
        assert_eq!((gp, *gx), (&gp1, gx1));
        let sech2 = 1.0 - (p.m * 0.7 + p.b).tanh().powi(2);
        assert!((gp.m - sech2 * 0.7).abs() < 1e-15 && (gp.b - sech2).abs() < 1e-15);
        assert_eq!(gp.lambda, p.lambda);
    }
}

/// A type alias is taken for a struct by its name, and has the aliased
/// type's tangent space.
type Vec3 = [f64; 3];

#[differentiate]
fn through_alias(v: Vec3) -> f64 {
    v[0] * v[1] + v[2].exp()
}

#[test]
fn type_aliases() {
    let v = [0.5, -1.5, 0.25];
    assert_eq!(through_alias::grad(v), [v[1], v[0], v[2].exp()]);
    let j = through_alias::jacrev(v);
    assert_eq!((j.nrows(), j.ncols()), (1, 3));
}
