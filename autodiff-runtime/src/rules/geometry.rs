//! nalgebra's geometry: rotations from a scaled axis (`Rotation3`,
//! `UnitQuaternion`), `Isometry3::new`, and their products with vectors,
//! points and each other.
//!
//! A rotation's tangent is taken in the ambient coordinates of its
//! representation: a `Matrix3` for `Rotation3`, the four coordinates
//! `(i, j, k, w)` as a `Vector4` for `UnitQuaternion`, and for `Isometry3`
//! the pair (quaternion coordinates, translation). A `Point3`'s tangent is a
//! `Point3` (its coordinates), so points can be arguments. Rotations are
//! made from differentiable vectors in a differentiated body (they are not
//! arguments: a gradient with respect to one would not be a rotation).
//!
//! Every partial here maps between small fixed-size tangents, so it is kept
//! as its Jacobian ([`Flat`]), built at the rule from the derivative's
//! formula pushed along each input direction; the transpose is then exact
//! by construction.

use nalgebra::{
    Isometry3, Matrix3, OPoint, Point3, Quaternion, Rotation3, SMatrix, SVector, UnitQuaternion,
    Vector3, Vector4, U3,
};

use super::MulRule;
use crate::linalg_partials::LeftMul;
use crate::linalg_tangent::MatrixField;
use crate::linear::{Pull, Push};
use crate::tangent::{HasTangent, Tangent};
use crate::Real;

/// A linear map between fixed-size tangents `X` (`I` components) and `Y`
/// (`O`), as its `O × I` Jacobian in the tangents' flattening order.
#[derive(Clone, Debug, PartialEq)]
pub struct Flat<T: MatrixField, const O: usize, const I: usize, X, Y> {
    jacobian: SMatrix<T, O, I>,
    zero_in: X,
    zero_out: Y,
}

impl<T, const O: usize, const I: usize, X, Y> Flat<T, O, I, X, Y>
where
    T: MatrixField,
    X: Tangent<Scalar = T>,
    Y: Tangent<Scalar = T>,
{
    /// The Jacobian of `push`, from its image of each unit direction.
    fn from_push(zero_in: X, zero_out: Y, push: impl Fn(&X) -> Y) -> Self {
        let mut jacobian = SMatrix::<T, O, I>::zeros();
        for k in 0..I {
            let mut e = zero_in.clone();
            e.set_component(k, <T as Real>::one());
            let column = push(&e);
            for r in 0..O {
                jacobian[(r, k)] = column.component(r);
            }
        }
        Flat {
            jacobian,
            zero_in,
            zero_out,
        }
    }
}

/// `x`'s components as a vector.
fn flatten<T: MatrixField, const N: usize, X: Tangent<Scalar = T>>(x: &X) -> SVector<T, N> {
    SVector::from_fn(|i, _| x.component(i))
}

/// `template` with its components replaced by `v`'s.
fn unflatten<T: MatrixField, const N: usize, X: Tangent<Scalar = T>>(
    v: &SVector<T, N>,
    template: &X,
) -> X {
    let mut x = template.clone();
    for i in 0..N {
        x.set_component(i, v[i]);
    }
    x
}

impl<T, const O: usize, const I: usize, X, Y> Push<X> for Flat<T, O, I, X, Y>
where
    T: MatrixField,
    X: Tangent<Scalar = T>,
    Y: Tangent<Scalar = T>,
{
    type Out = Y;
    #[inline]
    fn push(&self, t: &X) -> Y {
        unflatten(&(self.jacobian * flatten::<T, I, X>(t)), &self.zero_out)
    }
}

impl<T, const O: usize, const I: usize, X, Y> Pull<Y> for Flat<T, O, I, X, Y>
where
    T: MatrixField,
    X: Tangent<Scalar = T>,
    Y: Tangent<Scalar = T>,
{
    type Out = X;
    #[inline]
    fn pull(&self, c: &Y) -> X {
        unflatten(&self.jacobian.tr_mul(&flatten::<T, O, Y>(c)), &self.zero_in)
    }
}

/// A point's tangent is a point: its coordinates.
impl<T: MatrixField> Tangent for Point3<T> {
    type Scalar = T;
    fn zero_like(&self) -> Self {
        Point3::origin()
    }
    fn add(self, other: Self) -> Self {
        Point3::from(self.coords + other.coords)
    }
    fn scale(self, factor: T) -> Self {
        Point3::from(self.coords * factor)
    }
    fn dim(&self) -> usize {
        3
    }
    fn component(&self, i: usize) -> T {
        self.coords[i]
    }
    fn set_component(&mut self, i: usize, value: T) {
        self.coords[i] = value;
    }
}

impl<T: MatrixField> HasTangent for Point3<T> {
    type Tangent = Self;
    type Shape = ();
    fn zero_tangent(&self) -> Self {
        Point3::origin()
    }
    fn shape(&self) {}
    fn zero_of(_shape: &()) -> Self {
        Point3::origin()
    }
}

impl<T: MatrixField> crate::buffer::Buffer for Point3<T> {
    fn take(&mut self) -> Self {
        *self
    }
}

/// `p.x`, `p.y`, `p.z` are differentiable.
impl<T: MatrixField> crate::rules::StaticFields for OPoint<T, U3> {
    fn is_static(_field: &str) -> bool {
        false
    }
}

macro_rules! ambient_tangent {
    ($(#[$doc:meta])* $ty:ty => $tangent:ty, $zero:expr) => {
        $(#[$doc])*
        impl<T: MatrixField> HasTangent for $ty {
            type Tangent = $tangent;
            type Shape = ();
            fn zero_tangent(&self) -> $tangent {
                $zero
            }
            fn shape(&self) {}
            fn zero_of(_shape: &()) -> $tangent {
                $zero
            }
        }
    };
}

ambient_tangent!(
    /// The rotation matrix's entries.
    Rotation3<T> => Matrix3<T>, Matrix3::zeros()
);
ambient_tangent!(
    /// The quaternion's coordinates `(i, j, k, w)`.
    UnitQuaternion<T> => Vector4<T>, Vector4::zeros()
);
ambient_tangent!(
    /// The rotation's quaternion coordinates, then the translation.
    Isometry3<T> => (Vector4<T>, Vector3<T>), (Vector4::zeros(), Vector3::zeros())
);

/// `[v]ₓ`, the matrix of `u ↦ v × u`.
fn skew<T: MatrixField>(v: &Vector3<T>) -> Matrix3<T> {
    v.cross_matrix()
}

/// The derivative of Rodrigues' formula `R(w) = I + a·K + b·K²`
/// (`K = [w]ₓ`, `θ = ‖w‖`, `a = sin θ/θ`, `b = (1 − cos θ)/θ²`) along `dw`:
/// `c₁·(w·dw)·K + a·[dw]ₓ + c₂·(w·dw)·K² + b·([dw]ₓ·K + K·[dw]ₓ)`, with
/// `c₁ = a′/θ`, `c₂ = b′/θ` (series below `θ = 10⁻⁴`).
fn rodrigues_push<T: MatrixField>(w: &Vector3<T>) -> impl Fn(&Vector3<T>) -> Matrix3<T> {
    let f = <T as Real>::from_f64;
    let t2 = w.norm_squared();
    let t = Real::sqrt(t2);
    let (a, b, c1, c2) = if t < f(1e-4) {
        (
            f(1.0) - t2 / f(6.0),
            f(0.5) - t2 / f(24.0),
            f(-1.0 / 3.0) + t2 / f(30.0),
            f(-1.0 / 12.0) + t2 / f(180.0),
        )
    } else {
        let (s, c) = (Real::sin(t), Real::cos(t));
        (
            s / t,
            (f(1.0) - c) / t2,
            (t * c - s) / (t2 * t),
            (t * s - f(2.0) * (f(1.0) - c)) / (t2 * t2),
        )
    };
    let k = skew(w);
    let k2 = k * k;
    let w = *w;
    move |dw| {
        let along = w.dot(dw);
        let d = skew(dw);
        k * (c1 * along) + d * a + k2 * (c2 * along) + (d * k + k * d) * b
    }
}

/// The derivative of `q(w) = (sin(θ/2)·w/θ, cos(θ/2))` along `dw`, in the
/// coordinates `(i, j, k, w)`: `s·dw + (s′/θ)(w·dw)·w` for the vector part
/// (`s = sin(θ/2)/θ`) and `−sin(θ/2)/(2θ)·(w·dw)` for the scalar part.
fn half_angle_push<T: MatrixField>(w: &Vector3<T>) -> impl Fn(&Vector3<T>) -> Vector4<T> {
    let f = <T as Real>::from_f64;
    let t2 = w.norm_squared();
    let t = Real::sqrt(t2);
    let (s, ds, dc) = if t < f(1e-4) {
        (
            f(0.5) - t2 / f(48.0),
            f(-1.0 / 24.0) + t2 / f(960.0),
            f(-0.25) + t2 / f(96.0),
        )
    } else {
        let (sh, ch) = (Real::sin(t / f(2.0)), Real::cos(t / f(2.0)));
        (
            sh / t,
            (f(0.5) * ch * t - sh) / (t2 * t),
            -sh / (f(2.0) * t),
        )
    };
    let w = *w;
    move |dw| {
        let along = w.dot(dw);
        let v = dw * s + w * (ds * along);
        Vector4::new(v.x, v.y, v.z, dc * along)
    }
}

/// The derivative of `q·v·q*` (for a unit `q`) along `dq`, as nalgebra
/// computes it: `v + 2w(u × v) + 2u × (u × v)`, `q = (u, w)`.
fn rotate_by_coords<T: MatrixField>(
    q: &UnitQuaternion<T>,
    v: &Vector3<T>,
) -> impl Fn(&Vector4<T>) -> Vector3<T> {
    let two = <T as Real>::from_f64(2.0);
    let (u, w, v) = (q.vector().into_owned(), q.w, *v);
    move |dq| {
        let (du, dw) = (Vector3::new(dq[0], dq[1], dq[2]), dq[3]);
        (u.cross(&v) * dw + du.cross(&v) * w + du.cross(&u.cross(&v)) + u.cross(&du.cross(&v)))
            * two
    }
}

/// The partial of a rotation (matrix `m`) applied to a point with respect
/// to the point: `dp ↦ m·dp`.
fn rotating_points<T: MatrixField>(m: Matrix3<T>) -> Flat<T, 3, 3, Point3<T>, Point3<T>> {
    Flat::from_push(Point3::origin(), Point3::origin(), move |dp| {
        Point3::from(m * dp.coords)
    })
}

/// `Rotation3::from_scaled_axis(w)`.
#[allow(clippy::type_complexity)]
pub fn rotation3_from_scaled_axis<T: MatrixField>(
    w: &Vector3<T>,
) -> (Rotation3<T>, (Flat<T, 9, 3, Vector3<T>, Matrix3<T>>,)) {
    let partial = Flat::from_push(Vector3::zeros(), Matrix3::zeros(), rodrigues_push(w));
    (Rotation3::from_scaled_axis(*w), (partial,))
}

/// `UnitQuaternion::from_scaled_axis(w)`.
#[allow(clippy::type_complexity)]
pub fn unit_quaternion_from_scaled_axis<T: MatrixField>(
    w: &Vector3<T>,
) -> (UnitQuaternion<T>, (Flat<T, 4, 3, Vector3<T>, Vector4<T>>,)) {
    let partial = Flat::from_push(Vector3::zeros(), Vector4::zeros(), half_angle_push(w));
    (UnitQuaternion::from_scaled_axis(*w), (partial,))
}

/// The isometry's tangent: quaternion coordinates, translation.
type IsoTangent<T> = (Vector4<T>, Vector3<T>);

/// `Isometry3::new(translation, axisangle)`.
#[allow(clippy::type_complexity)]
pub fn isometry3_new<T: MatrixField>(
    translation: &Vector3<T>,
    axisangle: &Vector3<T>,
) -> (
    Isometry3<T>,
    (
        Flat<T, 7, 3, Vector3<T>, IsoTangent<T>>,
        Flat<T, 7, 3, Vector3<T>, IsoTangent<T>>,
    ),
) {
    let zero: IsoTangent<T> = (Vector4::zeros(), Vector3::zeros());
    let by_translation = Flat::from_push(Vector3::zeros(), zero, |dt| (Vector4::zeros(), *dt));
    let rotation = half_angle_push(axisangle);
    let by_axis = Flat::from_push(Vector3::zeros(), zero, |dw| {
        (rotation(dw), Vector3::zeros())
    });
    (
        Isometry3::new(*translation, *axisangle),
        (by_translation, by_axis),
    )
}

/// `R * v`; partials `dR·v` and `R·dv`.
impl<T: MatrixField> MulRule<Vector3<T>> for Rotation3<T> {
    type Output = Vector3<T>;
    type Partials = (Flat<T, 3, 9, Matrix3<T>, Vector3<T>>, LeftMul<Matrix3<T>>);
    fn mul_rule(&self, v: &Vector3<T>) -> (Vector3<T>, Self::Partials) {
        let v = *v;
        let by_r = Flat::from_push(Matrix3::zeros(), Vector3::zeros(), move |dr| dr * v);
        (self * v, (by_r, LeftMul(*self.matrix())))
    }
}

/// `R * p`; partials `dR·p` and `R·dp`.
impl<T: MatrixField> MulRule<Point3<T>> for Rotation3<T> {
    type Output = Point3<T>;
    type Partials = (
        Flat<T, 3, 9, Matrix3<T>, Point3<T>>,
        Flat<T, 3, 3, Point3<T>, Point3<T>>,
    );
    fn mul_rule(&self, p: &Point3<T>) -> (Point3<T>, Self::Partials) {
        let (m, c) = (*self.matrix(), p.coords);
        let by_r = Flat::from_push(Matrix3::zeros(), Point3::origin(), move |dr| {
            Point3::from(dr * c)
        });
        let by_p = rotating_points(m);
        (self * p, (by_r, by_p))
    }
}

/// `R₁ * R₂`; partials `dR₁·R₂` and `R₁·dR₂`.
impl<T: MatrixField> MulRule for Rotation3<T> {
    type Output = Rotation3<T>;
    type Partials = (
        Flat<T, 9, 9, Matrix3<T>, Matrix3<T>>,
        Flat<T, 9, 9, Matrix3<T>, Matrix3<T>>,
    );
    fn mul_rule(&self, other: &Rotation3<T>) -> (Rotation3<T>, Self::Partials) {
        let (a, b) = (*self.matrix(), *other.matrix());
        let by_a = Flat::from_push(Matrix3::zeros(), Matrix3::zeros(), move |da| da * b);
        let by_b = Flat::from_push(Matrix3::zeros(), Matrix3::zeros(), move |db| a * db);
        (self * other, (by_a, by_b))
    }
}

/// `q * v`; partials along the quaternion's coordinates and `R(q)·dv`.
impl<T: MatrixField> MulRule<Vector3<T>> for UnitQuaternion<T> {
    type Output = Vector3<T>;
    type Partials = (Flat<T, 3, 4, Vector4<T>, Vector3<T>>, LeftMul<Matrix3<T>>);
    fn mul_rule(&self, v: &Vector3<T>) -> (Vector3<T>, Self::Partials) {
        let by_q = Flat::from_push(
            Vector4::zeros(),
            Vector3::zeros(),
            rotate_by_coords(self, v),
        );
        (
            self * v,
            (by_q, LeftMul(*self.to_rotation_matrix().matrix())),
        )
    }
}

/// `q * p`, as `q * v` on the coordinates.
impl<T: MatrixField> MulRule<Point3<T>> for UnitQuaternion<T> {
    type Output = Point3<T>;
    type Partials = (
        Flat<T, 3, 4, Vector4<T>, Point3<T>>,
        Flat<T, 3, 3, Point3<T>, Point3<T>>,
    );
    fn mul_rule(&self, p: &Point3<T>) -> (Point3<T>, Self::Partials) {
        let rotate = rotate_by_coords(self, &p.coords);
        let m = *self.to_rotation_matrix().matrix();
        let by_q = Flat::from_push(Vector4::zeros(), Point3::origin(), move |dq| {
            Point3::from(rotate(dq))
        });
        let by_p = rotating_points(m);
        (self * p, (by_q, by_p))
    }
}

/// `q₁ * q₂` (the Hamilton product); partials `dq₁·q₂` and `q₁·dq₂`.
impl<T: MatrixField> MulRule for UnitQuaternion<T> {
    type Output = UnitQuaternion<T>;
    type Partials = (
        Flat<T, 4, 4, Vector4<T>, Vector4<T>>,
        Flat<T, 4, 4, Vector4<T>, Vector4<T>>,
    );
    fn mul_rule(&self, other: &UnitQuaternion<T>) -> (UnitQuaternion<T>, Self::Partials) {
        let (a, b) = (*self.quaternion(), *other.quaternion());
        let by_a = Flat::from_push(Vector4::zeros(), Vector4::zeros(), move |da| {
            (Quaternion::from(*da) * b).coords
        });
        let by_b = Flat::from_push(Vector4::zeros(), Vector4::zeros(), move |db| {
            (a * Quaternion::from(*db)).coords
        });
        (self * other, (by_a, by_b))
    }
}

/// `iso * p = q·p + t`.
impl<T: MatrixField> MulRule<Point3<T>> for Isometry3<T> {
    type Output = Point3<T>;
    type Partials = (
        Flat<T, 3, 7, IsoTangent<T>, Point3<T>>,
        Flat<T, 3, 3, Point3<T>, Point3<T>>,
    );
    fn mul_rule(&self, p: &Point3<T>) -> (Point3<T>, Self::Partials) {
        let rotate = rotate_by_coords(&self.rotation, &p.coords);
        let m = *self.rotation.to_rotation_matrix().matrix();
        let zero: IsoTangent<T> = (Vector4::zeros(), Vector3::zeros());
        let by_iso = Flat::from_push(zero, Point3::origin(), move |(dq, dt)| {
            Point3::from(rotate(dq) + dt)
        });
        let by_p = rotating_points(m);
        (self * p, (by_iso, by_p))
    }
}

/// `iso * v = q·v` (a vector is not translated).
impl<T: MatrixField> MulRule<Vector3<T>> for Isometry3<T> {
    type Output = Vector3<T>;
    type Partials = (
        Flat<T, 3, 7, IsoTangent<T>, Vector3<T>>,
        LeftMul<Matrix3<T>>,
    );
    fn mul_rule(&self, v: &Vector3<T>) -> (Vector3<T>, Self::Partials) {
        let rotate = rotate_by_coords(&self.rotation, v);
        let zero: IsoTangent<T> = (Vector4::zeros(), Vector3::zeros());
        let by_iso = Flat::from_push(zero, Vector3::zeros(), move |(dq, _)| rotate(dq));
        (
            self * v,
            (
                by_iso,
                LeftMul(*self.rotation.to_rotation_matrix().matrix()),
            ),
        )
    }
}

unary_method!(
    /// `r.inverse()` of a rotation or isometry.
    InverseRule, inverse_rule, inverse
);

/// `Rᵀ`; partial `dR ↦ dRᵀ`.
impl<T: MatrixField> InverseRule for Rotation3<T> {
    type Output = Rotation3<T>;
    type Partial = Flat<T, 9, 9, Matrix3<T>, Matrix3<T>>;
    fn inverse_rule(&self) -> (Rotation3<T>, (Self::Partial,)) {
        let partial = Flat::from_push(Matrix3::zeros(), Matrix3::zeros(), |d| d.transpose());
        (self.inverse(), (partial,))
    }
}

/// The conjugate of the coordinates `(i, j, k, w)`.
fn conjugate<T: MatrixField>(d: &Vector4<T>) -> Vector4<T> {
    Vector4::new(-d[0], -d[1], -d[2], d[3])
}

/// `q⁻¹ = q*`; partial `dq ↦ dq*`.
impl<T: MatrixField> InverseRule for UnitQuaternion<T> {
    type Output = UnitQuaternion<T>;
    type Partial = Flat<T, 4, 4, Vector4<T>, Vector4<T>>;
    fn inverse_rule(&self) -> (UnitQuaternion<T>, (Self::Partial,)) {
        let partial = Flat::from_push(Vector4::zeros(), Vector4::zeros(), conjugate);
        (self.inverse(), (partial,))
    }
}

/// `(q, t)⁻¹ = (q*, −q*·t)`.
impl<T: MatrixField> InverseRule for Isometry3<T> {
    type Output = Isometry3<T>;
    type Partial = Flat<T, 7, 7, IsoTangent<T>, IsoTangent<T>>;
    fn inverse_rule(&self) -> (Isometry3<T>, (Self::Partial,)) {
        let inverse = self.inverse();
        let t = self.translation.vector;
        let rotate = rotate_by_coords(&inverse.rotation, &t);
        let m = *inverse.rotation.to_rotation_matrix().matrix();
        let zero: IsoTangent<T> = (Vector4::zeros(), Vector3::zeros());
        let partial = Flat::from_push(zero, zero, move |(dq, dt)| {
            let dq_inverse = conjugate(dq);
            (dq_inverse, -(rotate(&dq_inverse) + m * dt))
        });
        (inverse, (partial,))
    }
}

#[cfg(test)]
mod tests;
