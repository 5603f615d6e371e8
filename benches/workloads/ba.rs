//! Bundle adjustment (ADBench's BA): the reprojection error of one point in
//! one camera, and the weight term, as one function of the 15 parameters of
//! an observation, so that its 3 × 15 Jacobian block is `jacfwd`/`jacrev`.
//!
//! Parameters: the camera's rotation (Rodrigues vector, 0..3), centre
//! (3..6), focal length (6), principal point (7..9) and radial distortion
//! (9..11); the point (11..14); the observation's weight (14).

use autodiff::prelude::*;

/// `[w (proj_x - feat_x), w (proj_y - feat_y), 1 - w²]`.
#[differentiate(wrt(p))]
pub fn residual(p: [f64; 15], feat: [f64; 2]) -> [f64; 3] {
    let rot = [p[0], p[1], p[2]];
    let xs = [p[11] - p[3], p[12] - p[4], p[13] - p[5]];
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    let mut q = [0.0; 3];
    // Rodrigues' rotation; its first-order form at a zero angle.
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
    // Projection, radial distortion, focal length and principal point.
    let px = -q[0] / q[2];
    let py = -q[1] / q[2];
    let rsq = px * px + py * py;
    let l = 1.0 + p[9] * rsq + p[10] * rsq * rsq;
    let w = p[14];
    [
        w * (px * l * p[6] + p[7] - feat[0]),
        w * (py * l * p[6] + p[8] - feat[1]),
        1.0 - w * w,
    ]
}

/// A camera looking at a point in front of it, with mild distortion.
pub fn parameters() -> [f64; 15] {
    [
        0.1, -0.2, 0.15, 0.3, -0.1, -3.0, 500.0, 0.1, -0.2, 1e-3, 1e-6, 0.5, 0.7, 4.0, 0.9,
    ]
}

/// The observed feature of [`parameters`]' point.
pub const FEATURE: [f64; 2] = [10.0, -5.0];
