//! Bundle adjustment (ADBench's BA): the reprojection error of one point in
//! one camera, and the weight term, as one function of the 15 parameters of
//! an observation, so that its 3 × 15 Jacobian block is `jacfwd`/`jacrev`.
//!
//! Parameters, in ADBench's layout: the camera's rotation (Rodrigues
//! vector, 0..3), centre (3..6), focal length (6), principal point (7..9)
//! and radial distortion (9..11); the point (11..14); the observation's
//! weight (14). ADBench's sparse Jacobian has, per observation, the two
//! reprojection rows over these 15 columns and the weight row, whose only
//! entry is column 14: [`residual`]'s three rows.
//!
//! [`residual_dual`] is its twin over num-dual's numbers, and
//! [`jacobian_num_dual`] the Jacobian block by num-dual's forward mode.

use autodiff::nalgebra::{Matrix2x3, Matrix3, SMatrix, SVector, Vector2, Vector3};
use autodiff::prelude::*;
use num_dual::{DualNum, DualSVec64};

/// `[w (proj_x - feat_x), w (proj_y - feat_y), 1 - w²]`: ADBench's
/// `computeReprojError` and `computeZachWeightError`.
#[differentiate(wrt(p))]
pub fn residual(p: [f64; 15], feat: [f64; 2]) -> [f64; 3] {
    let rot = [p[0], p[1], p[2]];
    let xs = [p[11] - p[3], p[12] - p[4], p[13] - p[5]];
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    let mut q = [0.0; 3];
    // Rodrigues' rotation; at a zero angle its first-order form (ADBench's
    // `rodrigues_rotate_point`), which avoids dividing by θ = 0.
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let c = theta.cos();
        let s = theta.sin();
        let inv = 1.0 / theta;
        let w = [rot[0] * inv, rot[1] * inv, rot[2] * inv];
        let wx = [
            w[1] * xs[2] - w[2] * xs[1],
            w[2] * xs[0] - w[0] * xs[2],
            w[0] * xs[1] - w[1] * xs[0],
        ];
        let tmp = (w[0] * xs[0] + w[1] * xs[1] + w[2] * xs[2]) * (1.0 - c);
        q[0] = xs[0] * c + wx[0] * s + w[0] * tmp;
        q[1] = xs[1] * c + wx[1] * s + w[1] * tmp;
        q[2] = xs[2] * c + wx[2] * s + w[2] * tmp;
    } else {
        q[0] = xs[0] + rot[1] * xs[2] - rot[2] * xs[1];
        q[1] = xs[1] + rot[2] * xs[0] - rot[0] * xs[2];
        q[2] = xs[2] + rot[0] * xs[1] - rot[1] * xs[0];
    }
    // Projection (ADBench's `p2e`, no sign flip), radial distortion, focal
    // length and principal point.
    let px = q[0] / q[2];
    let py = q[1] / q[2];
    let rsq = px * px + py * py;
    let l = 1.0 + p[9] * rsq + p[10] * rsq * rsq;
    let w = p[14];
    [
        w * (px * l * p[6] + p[7] - feat[0]),
        w * (py * l * p[6] + p[8] - feat[1]),
        1.0 - w * w,
    ]
}

/// [`residual`] over num-dual's numbers: the same formula, generic over the
/// dual type (constants on the right of each operation, as num-dual's
/// operators take them).
pub fn residual_dual<D: DualNum<Primitive = f64> + Copy>(p: [D; 15], feat: [f64; 2]) -> [D; 3] {
    let rot = [p[0], p[1], p[2]];
    let xs = [p[11] - p[3], p[12] - p[4], p[13] - p[5]];
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    let q = if sqtheta.re() != 0.0 {
        let theta = sqtheta.sqrt();
        let (s, c) = theta.sin_cos();
        let inv = theta.recip();
        let w = [rot[0] * inv, rot[1] * inv, rot[2] * inv];
        let wx = [
            w[1] * xs[2] - w[2] * xs[1],
            w[2] * xs[0] - w[0] * xs[2],
            w[0] * xs[1] - w[1] * xs[0],
        ];
        let tmp = (w[0] * xs[0] + w[1] * xs[1] + w[2] * xs[2]) * (-c + 1.0);
        [
            xs[0] * c + wx[0] * s + w[0] * tmp,
            xs[1] * c + wx[1] * s + w[1] * tmp,
            xs[2] * c + wx[2] * s + w[2] * tmp,
        ]
    } else {
        [
            xs[0] + rot[1] * xs[2] - rot[2] * xs[1],
            xs[1] + rot[2] * xs[0] - rot[0] * xs[2],
            xs[2] + rot[0] * xs[1] - rot[1] * xs[0],
        ]
    };
    let px = q[0] / q[2];
    let py = q[1] / q[2];
    let rsq = px * px + py * py;
    let l = p[9] * rsq + p[10] * rsq * rsq + 1.0;
    let w = p[14];
    [
        w * (px * l * p[6] + p[7] - feat[0]),
        w * (py * l * p[6] + p[8] - feat[1]),
        -(w * w) + 1.0,
    ]
}

/// [`residual`]'s 3 × 15 Jacobian by num-dual: `num_dual::jacobian`, one
/// forward pass over [`residual_dual`] with fifteen derivatives per number.
pub fn jacobian_num_dual(p: [f64; 15], feat: [f64; 2]) -> SMatrix<f64, 3, 15> {
    let (_, jac) = num_dual::jacobian(
        |p: SVector<DualSVec64<15>, 15>| SVector::from(residual_dual(p.into(), feat)),
        &SVector::from(p),
    );
    jac
}

/// `[v]×`, the matrix of `u ↦ v × u`.
fn cross_matrix(v: &Vector3<f64>) -> Matrix3<f64> {
    Matrix3::new(0.0, -v[2], v[1], v[2], 0.0, -v[0], -v[1], v[0], 0.0)
}

/// [`residual`]'s 3 × 15 Jacobian by hand, one factor per stage of the
/// chain rule. With `X₀ = X - C`, `θ = |r|`, `ŵ = r/θ`,
/// `q = R(r) X₀ = X₀ cos θ + (ŵ × X₀) sin θ + ŵ (ŵ·X₀)(1 - cos θ)`:
///
/// - `∂q/∂X = -∂q/∂C = R = cos θ I + sin θ [ŵ]× + (1 - cos θ) ŵŵᵀ`;
/// - `∂q/∂r = ∂q/∂θ ŵᵀ + ∂q/∂ŵ (I - ŵŵᵀ)/θ`, with
///   `∂q/∂θ = -X₀ sin θ + (ŵ × X₀) cos θ + ŵ (ŵ·X₀) sin θ` and
///   `∂q/∂ŵ = -sin θ [X₀]× + (1 - cos θ)((ŵ·X₀) I + ŵ X₀ᵀ)`;
/// - at `θ = 0` (the other branch, `q = X₀ + r × X₀`): `∂q/∂r = -[X₀]×`,
///   `∂q/∂X₀ = I + [r]×`;
/// - then `u = q_{0,1}/q₂`, `L = 1 + k₁|u|² + k₂|u|⁴`, `proj = f L u + x₀`,
///   each row times `w`.
pub fn jacobian_by_hand(p: [f64; 15], feat: [f64; 2]) -> SMatrix<f64, 3, 15> {
    let r = Vector3::new(p[0], p[1], p[2]);
    let x0 = Vector3::new(p[11] - p[3], p[12] - p[4], p[13] - p[5]);
    let (focal, k1, k2, w) = (p[6], p[9], p[10], p[14]);
    let sqtheta = r.norm_squared();
    let (q, dq_dr, rotation) = if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let (s, c) = theta.sin_cos();
        let axis = r / theta;
        let along = axis.dot(&x0);
        let axis_cross = axis.cross(&x0);
        let q = x0 * c + axis_cross * s + axis * (along * (1.0 - c));
        let dq_dtheta = -x0 * s + axis_cross * c + axis * (along * s);
        let dq_daxis = -cross_matrix(&x0) * s
            + (Matrix3::identity() * along + axis * x0.transpose()) * (1.0 - c);
        let daxis_dr = (Matrix3::identity() - axis * axis.transpose()) / theta;
        let dq_dr = dq_dtheta * axis.transpose() + dq_daxis * daxis_dr;
        let rotation =
            Matrix3::identity() * c + cross_matrix(&axis) * s + axis * axis.transpose() * (1.0 - c);
        (q, dq_dr, rotation)
    } else {
        let q = x0 + r.cross(&x0);
        (
            q,
            -cross_matrix(&x0),
            Matrix3::identity() + cross_matrix(&r),
        )
    };
    let u = Vector2::new(q[0] / q[2], q[1] / q[2]);
    let du_dq = Matrix2x3::new(1.0 / q[2], 0.0, -u[0] / q[2], 0.0, 1.0 / q[2], -u[1] / q[2]);
    let rsq = u.norm_squared();
    let l = 1.0 + k1 * rsq + k2 * rsq * rsq;
    // ∂(L u)/∂u = L I + u (∂L/∂u)ᵀ, with ∂L/∂u = 2 (k₁ + 2 k₂ |u|²) u.
    let dl_du = u * (2.0 * (k1 + 2.0 * k2 * rsq));
    let dproj_du = (SMatrix::<f64, 2, 2>::identity() * l + u * dl_du.transpose()) * focal;
    let dproj_dq = dproj_du * du_dq;
    let dproj_dr = dproj_dq * dq_dr;
    let dproj_dx = dproj_dq * rotation;
    let distorted = u * l;
    let proj = distorted * focal + Vector2::new(p[7], p[8]);

    let mut jac = SMatrix::<f64, 3, 15>::zeros();
    for row in 0..2 {
        for col in 0..3 {
            jac[(row, col)] = w * dproj_dr[(row, col)];
            jac[(row, 3 + col)] = -w * dproj_dx[(row, col)];
            jac[(row, 11 + col)] = w * dproj_dx[(row, col)];
        }
        jac[(row, 6)] = w * distorted[row];
        jac[(row, 7 + row)] = w;
        jac[(row, 9)] = w * focal * u[row] * rsq;
        jac[(row, 10)] = w * focal * u[row] * rsq * rsq;
        jac[(row, 14)] = proj[row] - feat[row];
    }
    jac[(2, 14)] = -2.0 * w;
    jac
}

/// A camera looking at a point in front of it, with mild distortion.
pub fn parameters() -> [f64; 15] {
    [
        0.1, -0.2, 0.15, 0.3, -0.1, -3.0, 500.0, 0.1, -0.2, 1e-3, 1e-6, 0.5, 0.7, 4.0, 0.9,
    ]
}

/// The observed feature of [`parameters`]' point.
pub const FEATURE: [f64; 2] = [10.0, -5.0];
