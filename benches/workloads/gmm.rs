//! Gaussian mixture model log-likelihood with a Wishart prior (ADBench's
//! GMM): `k` components in `d` dimensions, `n` points; each component's
//! inverse covariance is `QᵀQ` with `Q` lower triangular, stored as `icf`:
//! the `d` logarithms of its diagonal, then the `d(d-1)/2` entries below it,
//! column by column. Written as a port of ADBench's C code: slices, index
//! arithmetic, scratch vectors assigned in place.

use autodiff::prelude::*;

/// The negative log-likelihood up to a constant (ADBench's `gmm_objective`
/// without the `n d log(2π)/2` term), differentiated with respect to
/// `alphas`, `means` and `icf`.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
#[differentiate(wrt(alphas, means, icf))]
pub fn objective(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: i32,
) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    let mut sum_qs = vec![0.0; k];
    let mut qdiags = vec![0.0; k * d];
    for ik in 0..k {
        let mut s = 0.0;
        for id in 0..d {
            let q = icf[ik * icf_sz + id];
            s += q;
            qdiags[ik * d + id] = q.exp();
        }
        sum_qs[ik] = s;
    }
    let mut slse = 0.0;
    let mut main_term = vec![0.0; k];
    let mut xc = vec![0.0; d];
    let mut qxc = vec![0.0; d];
    for ix in 0..n {
        for ik in 0..k {
            for id in 0..d {
                xc[id] = x[ix * d + id] - means[ik * d + id];
            }
            // Q (x - μ): the diagonal, then the entries below it.
            for id in 0..d {
                qxc[id] = qdiags[ik * d + id] * xc[id];
            }
            let mut lt = ik * icf_sz + d;
            for i in 0..d {
                for j in i + 1..d {
                    qxc[j] += icf[lt] * xc[i];
                    lt += 1;
                }
            }
            let mut sq = 0.0;
            for id in 0..d {
                sq += qxc[id] * qxc[id];
            }
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sq;
        }
        slse += super::logsumexp(&main_term);
    }
    let lse_alphas = super::logsumexp(alphas);
    // The Wishart prior: ½γ²‖Q‖²_F - m Σ log diag Q, per component.
    let mut prior = 0.0;
    for ik in 0..k {
        let mut fro = 0.0;
        for id in 0..d {
            fro += qdiags[ik * d + id] * qdiags[ik * d + id];
        }
        for i in d..icf_sz {
            fro += icf[ik * icf_sz + i] * icf[ik * icf_sz + i];
        }
        prior += 0.5 * gamma * gamma * fro - (m as f64) * sum_qs[ik];
    }
    slse - (n as f64) * lse_alphas + prior
}

/// One problem: sizes and inputs.
pub struct Problem {
    /// Dimension.
    pub d: usize,
    /// Components.
    pub k: usize,
    /// Points.
    pub n: usize,
    /// Mixture weights (log scale), `k`.
    pub alphas: Vec<f64>,
    /// Means, `k × d`.
    pub means: Vec<f64>,
    /// Inverse covariance factors, `k × d(d+1)/2`.
    pub icf: Vec<f64>,
    /// Points, `n × d`.
    pub x: Vec<f64>,
}

impl Problem {
    /// Deterministic inputs of the given sizes.
    pub fn new(d: usize, k: usize, n: usize) -> Self {
        let icf_sz = d * (d + 1) / 2;
        Problem {
            d,
            k,
            n,
            alphas: super::inputs(k, 1),
            means: super::inputs(k * d, 100),
            icf: super::inputs(k * icf_sz, 7)
                .iter()
                .map(|v| 0.6 * v)
                .collect(),
            x: super::inputs(n * d, 1000),
        }
    }

    /// The objective with ADBench's prior parameters `γ = 1`, `m = 0`.
    pub fn value(&self) -> f64 {
        objective(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.d,
            self.k,
            self.n,
            1.0,
            0,
        )
    }

    /// Its gradient with respect to `(alphas, means, icf)`.
    pub fn grad(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        objective::grad(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.d,
            self.k,
            self.n,
            1.0,
            0,
        )
    }
}
