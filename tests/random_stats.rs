//! Statistical quality of `autodiff::random` draws: 10^6 draws per test on
//! fixed keys (so every run is deterministic), checked against the target
//! distribution.
//!
//! * Mean and variance: within 5 standard errors of the exact moments
//!   (a two-sided p-value of about 6e-7 for an honest generator).
//! * Kolmogorov-Smirnov: the largest distance between the empirical and the
//!   exact CDF stays below the asymptotic critical value at significance
//!   level alpha = 0.001, `sqrt(-ln(alpha / 2) / 2) / sqrt(n)` (about 1.95e-3
//!   for n = 10^6).

use autodiff::random::{Float, Key};

const N: usize = 1_000_000;
const ALPHA: f64 = 0.001;

/// Complementary error function with fractional error below 1.2e-7
/// everywhere (Numerical Recipes' Chebyshev fit `erfcc`), plenty for a KS
/// test whose critical value is 2e-3.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Mean, (population) variance and KS distance of `xs` to `cdf`.
fn summary(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    xs.sort_by(f64::total_cmp);
    let mut d: f64 = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        let f = cdf(x);
        d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
    }
    (mean, var, d)
}

fn ks_critical(n: usize) -> f64 {
    (-(ALPHA / 2.0).ln() / 2.0).sqrt() / (n as f64).sqrt()
}

fn draws<T: Float + Into<f64> + Default + Copy>(fill: impl Fn(&mut [T])) -> Vec<f64> {
    let mut buf = vec![T::default(); N];
    fill(&mut buf);
    buf.into_iter().map(Into::into).collect()
}

fn check_normal(name: &str, xs: Vec<f64>) {
    assert!(xs.iter().all(|x| x.is_finite()), "{name}: non-finite draw");
    let n = xs.len() as f64;
    let (mean, var, d) = summary(xs, normal_cdf);
    println!(
        "{name}: mean {mean:.2e}, variance {var:.5}, KS D {d:.2e} (critical {:.2e})",
        ks_critical(N)
    );
    assert!(mean.abs() < 5.0 / n.sqrt(), "{name}: mean {mean}");
    assert!(
        (var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(),
        "{name}: variance {var}"
    );
    assert!(d < ks_critical(N), "{name}: KS distance {d}");
}

/// Uniform on `[lo, hi)`.
fn check_uniform(name: &str, xs: Vec<f64>, lo: f64, hi: f64) {
    assert!(
        xs.iter().all(|x| (lo..hi).contains(x)),
        "{name}: draw outside [lo, hi)"
    );
    let n = xs.len() as f64;
    let w = hi - lo;
    let (mean, var, d) = summary(xs, |x| ((x - lo) / w).clamp(0.0, 1.0));
    println!(
        "{name}: mean {mean:.5}, variance {var:.5}, KS D {d:.2e} (critical {:.2e})",
        ks_critical(N)
    );
    // Var of U(lo, hi) is w^2/12; the variance of the sample variance is
    // (mu4 - sigma^4) / n with mu4 = w^4/80.
    let (m, v) = ((lo + hi) / 2.0, w * w / 12.0);
    let sd_var = ((w.powi(4) / 80.0 - v * v) / n).sqrt();
    assert!(
        (mean - m).abs() < 5.0 * (v / n).sqrt(),
        "{name}: mean {mean}"
    );
    assert!((var - v).abs() < 5.0 * sd_var, "{name}: variance {var}");
    assert!(d < ks_critical(N), "{name}: KS distance {d}");
}

#[test]
fn normal_f32_partitionable() {
    check_normal(
        "normal f32, Key::new(2024)",
        draws::<f32>(|b| Key::new(2024).normal_fill(b)),
    );
}

#[test]
fn normal_f32_legacy() {
    check_normal(
        "normal f32, Key::legacy(7)",
        draws::<f32>(|b| Key::legacy(7).normal_fill(b)),
    );
}

#[test]
fn normal_f64() {
    let key = Key::new(99).fold_in(3);
    check_normal(
        "normal f64, Key::new(99).fold_in(3)",
        draws::<f64>(|b| key.normal_fill(b)),
    );
}

#[test]
fn uniform_f32() {
    let (_, key) = Key::new(5).split();
    check_uniform(
        "uniform f32 [0, 1)",
        draws::<f32>(|b| key.uniform_fill(b, 0.0, 1.0)),
        0.0,
        1.0,
    );
    let key = Key::legacy(5);
    check_uniform(
        "uniform f32 [-2, 3), legacy",
        draws::<f32>(|b| key.uniform_fill(b, -2.0, 3.0)),
        -2.0,
        3.0,
    );
}

#[test]
fn uniform_f64() {
    let key = Key::new(6);
    check_uniform(
        "uniform f64 [0, 1)",
        draws::<f64>(|b| key.uniform_fill(b, 0.0, 1.0)),
        0.0,
        1.0,
    );
}

/// Split keys give independent streams: the correlation of draws from two
/// sibling keys is within 5 standard errors (1/sqrt(n)) of zero.
#[test]
fn split_streams_are_uncorrelated() {
    let (a, b) = Key::new(11).split();
    let xa = draws::<f32>(|buf| a.normal_fill(buf));
    let xb = draws::<f32>(|buf| b.normal_fill(buf));
    let r = xa.iter().zip(&xb).map(|(x, y)| x * y).sum::<f64>() / N as f64;
    assert!(r.abs() < 5.0 / (N as f64).sqrt(), "correlation {r}");
}
