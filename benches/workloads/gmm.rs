//! Gaussian mixture model log-likelihood with a Wishart prior (ADBench's
//! GMM): `k` components in `d` dimensions, `n` points; each component's
//! inverse covariance is `QᵀQ` with `Q` lower triangular, stored as `icf`:
//! the `d` logarithms of its diagonal, then the `d(d-1)/2` entries below it,
//! column by column.
//!
//! Three versions of one objective:
//!
//! - [`objective`], style A: a port of ADBench's C code (slices, index
//!   arithmetic, loops with runtime bounds, scratch vectors assigned in
//!   place);
//! - [`objective_nalgebra`], style B: the same formula with nalgebra
//!   matrices, written as far as the macro allows (see its comments);
//! - [`grad_by_hand`]: the gradient of style A written out by hand, as
//!   ADBench's "manual" tool does, the baseline of the bench;
//! - [`objective_dual`]: style A over num-dual's numbers, whose forward
//!   mode [`Problem::grad_num_dual`] runs.

use autodiff::nalgebra::{DMatrix, DVector, SVector};
use autodiff::prelude::*;
use num_dual::{DualNum, DualSVec64};

/// ADBench's `gmm_objective`, with ADBench's sign conventions and
/// constants, differentiated with respect to `alphas` (`k`), `means`
/// (`k × d`, row-major) and `icf` (`k × d(d+1)/2`, row-major); `x` holds
/// the `n` points (`n × d`), `gamma` and `m` are the Wishart prior's.
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
    // Both constants depend on static arguments only, so they run as
    // written and carry no derivative.
    constant(d, n) + slse - (n as f64) * lse_alphas + prior - wishart_constant(d, k, gamma, m)
}

/// [`objective`] over num-dual's numbers: the same loops, generic over the
/// dual type (constants on the right of each operation, as num-dual's
/// operators take them).
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn objective_dual<D: DualNum<Primitive = f64> + Copy>(
    alphas: &[D],
    means: &[D],
    icf: &[D],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: i32,
) -> D {
    let zero = D::from(0.0);
    let icf_sz = d * (d + 1) / 2;
    let mut sum_qs = vec![zero; k];
    let mut qdiags = vec![zero; k * d];
    for ik in 0..k {
        let mut s = zero;
        for id in 0..d {
            let q = icf[ik * icf_sz + id];
            s += q;
            qdiags[ik * d + id] = q.exp();
        }
        sum_qs[ik] = s;
    }
    let mut slse = zero;
    let mut main_term = vec![zero; k];
    let mut xc = vec![zero; d];
    let mut qxc = vec![zero; d];
    for ix in 0..n {
        for ik in 0..k {
            for id in 0..d {
                xc[id] = -means[ik * d + id] + x[ix * d + id];
            }
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
            let mut sq = zero;
            for id in 0..d {
                sq += qxc[id] * qxc[id];
            }
            main_term[ik] = alphas[ik] + sum_qs[ik] - sq * 0.5;
        }
        slse += logsumexp_dual(&main_term);
    }
    let lse_alphas = logsumexp_dual(alphas);
    let mut prior = zero;
    for ik in 0..k {
        let mut fro = zero;
        for id in 0..d {
            fro += qdiags[ik * d + id] * qdiags[ik * d + id];
        }
        for i in d..icf_sz {
            fro += icf[ik * icf_sz + i] * icf[ik * icf_sz + i];
        }
        prior += fro * (0.5 * gamma * gamma) - sum_qs[ik] * m as f64;
    }
    slse + constant(d, n) - lse_alphas * n as f64 + prior - wishart_constant(d, k, gamma, m)
}

/// [`super::logsumexp`] over num-dual's numbers.
fn logsumexp_dual<D: DualNum<Primitive = f64> + Copy>(v: &[D]) -> D {
    let mut mx = v[0];
    for &a in &v[1..] {
        if a.re() > mx.re() {
            mx = a;
        }
    }
    let mut se = D::from(0.0);
    for &a in v {
        se += (a - mx).exp();
    }
    se.ln() + mx
}

/// `log Σ exp v` of a column, shifted by the maximum, for
/// [`objective_nalgebra`]. Written with a loop, as when nalgebra's
/// `v.max()` had no derivative rule (it has one now, `entry_max`).
#[allow(clippy::needless_range_loop)]
#[differentiate]
pub fn logsumexp_column(v: &DMatrix<f64>) -> f64 {
    let mut mx = v[0];
    for i in 1..v.len() {
        if v[i] > mx {
            mx = v[i];
        }
    }
    v.map(|a| (a - mx).exp()).sum().ln() + mx
}

/// `log Σ exp v` of a vector, as [`logsumexp_column`] (generic functions are
/// generic over the float type and const sizes, not over nalgebra's storage,
/// so a `DVector` needs its own).
#[allow(clippy::needless_range_loop)]
#[differentiate]
pub fn logsumexp_vector(v: &DVector<f64>) -> f64 {
    let mut mx = v[0];
    for i in 1..v.len() {
        if v[i] > mx {
            mx = v[i];
        }
    }
    v.map(|a| (a - mx).exp()).sum().ln() + mx
}

/// [`objective`] with nalgebra matrices: `means` is `d × k` (a column per
/// component), `icf` is `d(d+1)/2 × k`, `x` is `d × n` (a column per
/// point); column-major, these hold the same numbers in the same order as
/// ADBench's arrays.
///
/// What a user would write first and the macro rejected when this port was
/// made (the exact messages are in the report of this port); `x.column(i)`
/// and `v.max()` have rules since, and the code keeps its first form so
/// that the figures stay comparable:
///
/// - `x.column(i)`, `means.column(c)`: no rule for `column`; the block
///   `x.columns(i, 1)` (a `d × 1` matrix) has one;
/// - `DMatrix::from_fn(d, d, |r, s| icf[(.., c)] ..)` building `Q`: the
///   closure may capture differentiable scalars, not a matrix; `Q` is
///   assigned entry by entry instead;
/// - `means.columns(c, 1) * ones.transpose()` with `ones` a `DVector`
///   (a `RowDVector` factor): no product rule between a `DMatrix` and a
///   row vector; the row of ones is a `1 × n` `DMatrix` instead;
/// - `v.max()` in `logsumexp`: see [`logsumexp_column`].
#[allow(clippy::needless_range_loop)]
#[differentiate(wrt(alphas, means, icf))]
pub fn objective_nalgebra(
    alphas: &DVector<f64>,
    means: &DMatrix<f64>,
    icf: &DMatrix<f64>,
    x: &DMatrix<f64>,
    gamma: f64,
    m: i32,
) -> f64 {
    let (d, n) = x.shape();
    let k = alphas.len();
    let ones = DMatrix::from_element(1, n, 1.0);
    // One row per component, one column per point.
    let mut main_terms = DMatrix::zeros(k, n);
    let mut prior = 0.0;
    for c in 0..k {
        let factors = icf.columns(c, 1);
        let sum_q = factors.rows(0, d).sum();
        let mut q = DMatrix::zeros(d, d);
        let mut lt = d;
        for s in 0..d {
            q[(s, s)] = icf[(s, c)].exp();
            for r in s + 1..d {
                q[(r, s)] = icf[(lt, c)];
                lt += 1;
            }
        }
        // All points at once: Q (X - μ 1ᵀ).
        let qx = &q * (x - means.columns(c, 1) * &ones);
        for i in 0..n {
            main_terms[(c, i)] = alphas[c] + sum_q - 0.5 * qx.columns(i, 1).norm_squared();
        }
        prior += 0.5 * gamma * gamma * q.norm_squared() - (m as f64) * sum_q;
    }
    let mut slse = 0.0;
    for i in 0..n {
        slse += logsumexp_column(&main_terms.columns(i, 1).into_owned());
    }
    constant(d, n) + slse - (n as f64) * logsumexp_vector(alphas) + prior
        - wishart_constant(d, k, gamma, m)
}

/// ADBench's `-n d log(2π) / 2`.
pub fn constant(d: usize, n: usize) -> f64 {
    -((n * d) as f64) * 0.5 * (2.0 * std::f64::consts::PI).ln()
}

/// `k` times ADBench's `C` of `log_wishart_prior`:
/// `n' d (log γ - ½ log 2) - log Γ_d(n'/2)` with `n' = d + m + 1`.
pub fn wishart_constant(d: usize, k: usize, gamma: f64, m: i32) -> f64 {
    let n_prime = d as i64 + i64::from(m) + 1;
    assert!(n_prime > d as i64, "the Wishart prior needs m >= 0");
    // The multivariate log-gamma: log Γ_d(a) = d(d-1)/4 log π
    // + Σ_{j=1..d} log Γ(a + (1-j)/2), here at half-integers (n' + 1 - j)/2.
    let mut log_gamma_d = (d * (d - 1)) as f64 / 4.0 * std::f64::consts::PI.ln();
    for j in 1..=d {
        log_gamma_d += ln_gamma_half((n_prime + 1 - j as i64) as usize);
    }
    let c = (n_prime * d as i64) as f64 * (gamma.ln() - 0.5 * 2f64.ln()) - log_gamma_d;
    k as f64 * c
}

/// `log Γ(h / 2)` for a positive integer `h`, exactly as a sum of logs
/// (`std` has no stable `lgamma`): `Γ(1/2) = √π`, `Γ(1) = 1`,
/// `Γ(a + 1) = a Γ(a)`.
pub fn ln_gamma_half(h: usize) -> f64 {
    assert!(h > 0, "Γ has a pole at 0");
    let mut twice = 2 - h % 2;
    let mut out = if twice == 1 {
        0.5 * std::f64::consts::PI.ln()
    } else {
        0.0
    };
    while twice < h {
        out += (twice as f64 / 2.0).ln();
        twice += 2;
    }
    out
}

/// The gradient of [`objective`] with respect to `(alphas, means, icf)`,
/// by hand: per point, the forward pass keeps `x - μ_k` and `Q_k(x - μ_k)`
/// for every component (`2 k d` numbers, reused from point to point), and
/// the softmax of the main terms weights each component's contribution.
/// Allocates the three gradients and four scratch vectors, whatever `n`.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
pub fn grad_by_hand(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: i32,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let icf_sz = d * (d + 1) / 2;
    let mut g_alphas = vec![0.0; k];
    let mut g_means = vec![0.0; k * d];
    let mut g_icf = vec![0.0; k * icf_sz];
    let qdiags: Vec<f64> = (0..k * d)
        .map(|i| icf[(i / d) * icf_sz + i % d].exp())
        .collect();
    let mut xc = vec![0.0; k * d];
    let mut qxc = vec![0.0; k * d];
    let mut weight = vec![0.0; k];
    for ix in 0..n {
        let point = &x[ix * d..(ix + 1) * d];
        for ik in 0..k {
            let ltri = &icf[ik * icf_sz + d..(ik + 1) * icf_sz];
            let (xc, qxc) = (&mut xc[ik * d..][..d], &mut qxc[ik * d..][..d]);
            let mut sum_q = 0.0;
            for id in 0..d {
                sum_q += icf[ik * icf_sz + id];
                xc[id] = point[id] - means[ik * d + id];
                qxc[id] = qdiags[ik * d + id] * xc[id];
            }
            let mut lt = 0;
            for i in 0..d {
                for j in i + 1..d {
                    qxc[j] += ltri[lt] * xc[i];
                    lt += 1;
                }
            }
            let sq: f64 = qxc.iter().map(|v| v * v).sum();
            weight[ik] = alphas[ik] + sum_q - 0.5 * sq;
        }
        softmax_in_place(&mut weight);
        // d main_k: 1 for α_k and each log-diagonal entry (Σ log diag Q),
        // -Q(x - μ) for Q(x - μ); through Q to its entries and to x - μ.
        for ik in 0..k {
            let p = weight[ik];
            let (xc, qxc) = (&xc[ik * d..][..d], &qxc[ik * d..][..d]);
            let g_icf = &mut g_icf[ik * icf_sz..(ik + 1) * icf_sz];
            let g_mean = &mut g_means[ik * d..(ik + 1) * d];
            g_alphas[ik] += p;
            for id in 0..d {
                let diag = qdiags[ik * d + id];
                g_icf[id] += p * (1.0 - qxc[id] * diag * xc[id]);
                // x - μ enters with a minus: d μ = -d(x - μ) = Qᵀ Q (x - μ).
                g_mean[id] += p * qxc[id] * diag;
            }
            let mut lt = d;
            for i in 0..d {
                for j in i + 1..d {
                    g_icf[lt] -= p * qxc[j] * xc[i];
                    g_mean[i] += p * qxc[j] * icf[ik * icf_sz + lt];
                    lt += 1;
                }
            }
        }
    }
    // -n logsumexp(α).
    weight.copy_from_slice(alphas);
    softmax_in_place(&mut weight);
    for ik in 0..k {
        g_alphas[ik] -= n as f64 * weight[ik];
    }
    // The prior: ½γ²(Σ exp(2 q_diag) + Σ l²) - m Σ q_diag.
    for ik in 0..k {
        for id in 0..d {
            let diag = qdiags[ik * d + id];
            g_icf[ik * icf_sz + id] += gamma * gamma * diag * diag - m as f64;
        }
        for i in d..icf_sz {
            g_icf[ik * icf_sz + i] += gamma * gamma * icf[ik * icf_sz + i];
        }
    }
    (g_alphas, g_means, g_icf)
}

/// `v ← exp(v - logsumexp v)`, shifted by the maximum.
fn softmax_in_place(v: &mut [f64]) {
    let mx = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for a in v.iter_mut() {
        *a = (*a - mx).exp();
        total += *a;
    }
    for a in v.iter_mut() {
        *a /= total;
    }
}

/// One problem: sizes and inputs, with ADBench's prior parameters
/// `γ = 1`, `m = 0`.
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

/// ADBench's Wishart `γ`.
pub const GAMMA: f64 = 1.0;
/// ADBench's Wishart `m`.
pub const M: i32 = 0;

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

    /// The objective (style A).
    pub fn value(&self) -> f64 {
        objective(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.d,
            self.k,
            self.n,
            GAMMA,
            M,
        )
    }

    /// Its gradient with respect to `(alphas, means, icf)` (style A).
    pub fn grad(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        objective::grad(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.d,
            self.k,
            self.n,
            GAMMA,
            M,
        )
    }

    /// The same gradient, by hand.
    pub fn grad_by_hand(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        grad_by_hand(
            &self.alphas,
            &self.means,
            &self.icf,
            &self.x,
            self.d,
            self.k,
            self.n,
            GAMMA,
            M,
        )
    }

    /// The same gradient by num-dual: `num_dual::gradient` over
    /// [`objective_dual`], forward mode with `N` derivatives per number, `N`
    /// the number of parameters (`k + k d + k d(d+1)/2`: 30 at d = 2,
    /// k = 5).
    pub fn grad_num_dual<const N: usize>(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (a, b) = (self.alphas.len(), self.alphas.len() + self.means.len());
        assert_eq!(b + self.icf.len(), N, "N must be the number of parameters");
        let params = SVector::<f64, N>::from_iterator(
            self.alphas
                .iter()
                .chain(&self.means)
                .chain(&self.icf)
                .copied(),
        );
        let (_, g) = num_dual::gradient(
            |v: SVector<DualSVec64<N>, N>| {
                let v = v.as_slice();
                objective_dual(
                    &v[..a],
                    &v[a..b],
                    &v[b..],
                    &self.x,
                    self.d,
                    self.k,
                    self.n,
                    GAMMA,
                    M,
                )
            },
            &params,
        );
        let g = g.as_slice();
        (g[..a].to_vec(), g[a..b].to_vec(), g[b..].to_vec())
    }

    /// The inputs as the matrices of [`objective_nalgebra`].
    pub fn matrices(&self) -> Matrices {
        let icf_sz = self.d * (self.d + 1) / 2;
        Matrices {
            alphas: DVector::from_column_slice(&self.alphas),
            means: DMatrix::from_column_slice(self.d, self.k, &self.means),
            icf: DMatrix::from_column_slice(icf_sz, self.k, &self.icf),
            x: DMatrix::from_column_slice(self.d, self.n, &self.x),
        }
    }
}

/// A [`Problem`]'s inputs for [`objective_nalgebra`].
pub struct Matrices {
    /// `k`.
    pub alphas: DVector<f64>,
    /// `d × k`.
    pub means: DMatrix<f64>,
    /// `d(d+1)/2 × k`.
    pub icf: DMatrix<f64>,
    /// `d × n`.
    pub x: DMatrix<f64>,
}

impl Matrices {
    /// The objective (style B).
    pub fn value(&self) -> f64 {
        objective_nalgebra(&self.alphas, &self.means, &self.icf, &self.x, GAMMA, M)
    }

    /// Its gradient with respect to `(alphas, means, icf)` (style B).
    pub fn grad(&self) -> (DVector<f64>, DMatrix<f64>, DMatrix<f64>) {
        objective_nalgebra::grad(&self.alphas, &self.means, &self.icf, &self.x, GAMMA, M)
    }
}
