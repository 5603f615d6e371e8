//! The f32 inverse error function as XLA's CPU backend evaluates it inside
//! `jax.random.normal`, operation for operation.
//!
//! XLA expands `erf_inv` into Giles' single-precision polynomials
//! ("Approximating the erfinv function", GPU Computing Gems, 2011): degree 9
//! in `w = -log1p(-x^2)`, one set for `w < 5` and one for `w >= 5`. Its CPU
//! backend expands `log1p` in turn (a rational approximation for
//! `|x| < sqrt(2) - 1`, else `log(1 + x)` with Cephes' `logf` polynomial in
//! Eigen's formulation), and LLVM fuses every multiply whose only use is an
//! add into one fused multiply-add on CPUs that have FMA (x86-64 since
//! Haswell, every AArch64). The code below repeats those steps with an FMA
//! exactly where the compiled kernel has one, so the results are the same
//! bits; the constants are the kernel's, as bit patterns.
//!
//! Speed: the kernel is written branch-free on lanes of [`LANES`] values (both
//! `log1p` branches and both coefficient sets are computed and selected, as
//! XLA does), so the compiler vectorizes it. When the build target has FMA
//! (and `std` is on) each FMA is one instruction. Otherwise it is emulated
//! in f64, which is exact except when the f64 sum falls exactly half-way
//! between two f32 (or is tiny); such lanes (about 0.04% of normal draws)
//! are flagged and recomputed with `libm::fmaf`.

/// Values computed together by [`erf_inv32_lanes`].
pub(crate) const LANES: usize = 8;

/// `a * b + c` with a single rounding: the FMA instruction where the target
/// has it at compile time (with `std`); otherwise `libm::fmaf` when `EXACT`,
/// or else emulated in f64. The product of two f32 is exact in f64, so only
/// the final rounding to f32 can differ from a true FMA; `*hazard` is set
/// when it might (a double rounding): the f64 sum lies exactly half-way
/// between two f32 (it may well be exact, but that is rare in this kernel),
/// or it is below `2^-125` (near or in the f32 subnormal range, or zero).
#[inline(always)]
fn fma<const EXACT: bool>(a: f32, b: f32, c: f32, hazard: &mut bool) -> f32 {
    #[cfg(all(feature = "std", any(target_arch = "aarch64", target_feature = "fma")))]
    {
        // The target has the instruction: no emulation, no hazards.
        let _ = hazard;
        return a.mul_add(b, c);
    }
    #[allow(unreachable_code)]
    if EXACT {
        return libm::fmaf(a, b, c);
    }
    let s = f64::from(a) * f64::from(b) + f64::from(c);
    let halfway = s.to_bits() << 35 == 1 << 63;
    let tiny = s.abs() < f64::from_bits(0x3820_0000_0000_0000); // 2^-125
    *hazard |= halfway | tiny;
    s as f32
}

/// `a * b + c` with a single rounding, for f32 (one value at a time).
#[inline(always)]
pub(crate) fn fma32(a: f32, b: f32, c: f32) -> f32 {
    let mut hazard = false;
    let r = fma::<false>(a, b, c, &mut hazard);
    if !hazard {
        return r;
    }
    // A half-way f64 sum is harmless if it is exact.
    let (p, c64) = (f64::from(a) * f64::from(b), f64::from(c));
    let s = p + c64;
    let tiny = s.abs() < f64::from_bits(0x3820_0000_0000_0000);
    if !tiny && s - p == c64 && s - c64 == p {
        s as f32
    } else {
        libm::fmaf(a, b, c)
    }
}

/// 2^-125: products with half of a smaller number may be inexact.
const TINY: f32 = f(0x0100_0000);

const fn f(bits: u32) -> f32 {
    f32::from_bits(bits)
}

#[inline(always)]
fn sqrt(x: f32) -> f32 {
    #[cfg(feature = "std")]
    {
        x.sqrt()
    }
    #[cfg(not(feature = "std"))]
    {
        libm::sqrtf(x)
    }
}

/// Natural log as XLA's CPU backend computes it, with its answers for zero,
/// infinity, negative numbers and NaN.
#[inline(always)]
fn log<const EXACT: bool>(y: f32, hazard: &mut bool) -> f32 {
    let h = hazard;
    let yc = if y > f32::MIN_POSITIVE {
        y
    } else {
        f32::MIN_POSITIVE
    };
    let bits = yc.to_bits();
    let e = ((bits >> 23) as i32 - 127) as f32 + 1.0;
    let m = f32::from_bits((bits & 0x807F_FFFF) | 0x3F00_0000);
    let small = m < f(0x3F35_04F3); // sqrt(1/2)
    let e = if small { e - 1.0 } else { e };
    let x = (m + -1.0) + if small { m } else { 0.0 };
    let x2 = x * x;
    let x3 = x2 * x;
    let y1 = fma::<EXACT>(x, f(0x3D90_21BB), f(0xBDEB_D1B8), h);
    let y1 = fma::<EXACT>(y1, x, f(0x3DEF_251A), h);
    let y2 = fma::<EXACT>(x, f(0xBDFE_5D4F), f(0x3E11_E9BF), h);
    let y2 = fma::<EXACT>(y2, x, f(0xBE2A_AE50), h);
    let y3 = fma::<EXACT>(x, f(0x3E4C_CEAC), f(0xBE7F_FFFC), h);
    let y3 = fma::<EXACT>(y3, x, f(0x3EAA_AAAA), h);
    let p = fma::<EXACT>(fma::<EXACT>(y1, x3, y2, h), x3, y3, h);
    let p = fma::<EXACT>(p, x3, e * f(0xB95E_8083), h);
    // XLA fuses both of these, but `x2 * 0.5` and `e * ln2_hi` (an integer
    // times a 9-bit constant) are exact, so the plain operations round the
    // same way (and avoid many exact half-way sums in the emulation).
    *h |= (x2 < TINY) & (x2 != 0.0);
    let r = (-x2 * 0.5 + x) + p;
    let r = e * f(0x3F31_8000) + r;
    if y > 0.0 && y < f32::INFINITY {
        r
    } else if y == 0.0 {
        f32::NEG_INFINITY
    } else if y == f32::INFINITY {
        f32::INFINITY
    } else {
        f32::NAN
    }
}

/// `log1p(x)` as XLA's CPU backend computes it: both branches, then a
/// select; only the selected branch's hazards count.
#[inline(always)]
fn log1p<const EXACT: bool>(x: f32, hazard: &mut bool) -> f32 {
    let mut h_small = false;
    let z = x * 0.0;
    // den starts at 1 (or NaN), so the first fused step is a plain add.
    let mut den = (z + 1.0) * x + f(0x4171_01AD);
    for c in [
        0x42A6_185B,
        0x435D_C32D,
        0x439A_8CA3,
        0x4358_6D8A,
        0x4270_7982,
    ] {
        den = fma::<EXACT>(den, x, f(c), &mut h_small);
    }
    let mut num = z + 4.527e-05;
    for c in [
        0x3EFF_40C5,
        0x40D2_84FA,
        0x41EF_4B9C,
        0x4273_CC76,
        0x4264_73AD,
        0x41A0_5101,
    ] {
        num = fma::<EXACT>(num, x, f(c), &mut h_small);
    }
    let x2 = x * x;
    let q = (x * x2) * (num / den);
    // Fused in XLA, but x2 * -0.5 is exact for normal x2.
    h_small |= (x2 < TINY) & (x2 != 0.0);
    let small = x + (x2 * -0.5 + q);

    let mut h_log = false;
    let big = log::<EXACT>(x + 1.0, &mut h_log);

    let use_small = x.abs() < f(0x3ED4_13CD); // sqrt(2) - 1
    *hazard |= if use_small { h_small } else { h_log };
    if use_small {
        small
    } else {
        big
    }
}

/// Giles' single-precision coefficients for `w < 5` and `w >= 5`.
#[allow(clippy::excessive_precision)] // digits as in XLA's source
const SMALL_W: [f32; 9] = [
    2.810_226_36e-08,
    3.432_739_39e-07,
    -3.523_387_7e-06,
    -4.391_506_54e-06,
    0.000_218_580_87,
    -0.001_253_725_03,
    -0.004_177_681_64,
    0.246_640_727,
    1.501_409_41,
];
#[allow(clippy::excessive_precision)] // digits as in XLA's source
const LARGE_W: [f32; 9] = [
    -0.000_200_214_257,
    0.000_100_950_558,
    0.001_349_343_22,
    -0.003_673_428_44,
    0.005_739_507_73,
    -0.007_622_461_3,
    0.009_438_870_47,
    1.001_674_06,
    2.832_976_82,
];

#[inline(always)]
fn erf_inv<const EXACT: bool>(x: f32, hazard: &mut bool) -> f32 {
    let l = log1p::<EXACT>(x * -x, hazard); // w = -l
    let lt5 = l > -5.0;
    let w = if lt5 { -2.5 - l } else { sqrt(-l) - 3.0 };
    let mut p = if lt5 { SMALL_W[0] } else { LARGE_W[0] };
    for i in 1..9 {
        p = fma::<EXACT>(p, w, if lt5 { SMALL_W[i] } else { LARGE_W[i] }, hazard);
    }
    if x.abs() == 1.0 {
        x * f32::INFINITY
    } else {
        x * p
    }
}

/// `erf_inv(x)` for f32, as XLA's CPU backend computes it.
#[cfg(test)]
pub(crate) fn erf_inv32(x: f32) -> f32 {
    erf_inv::<true>(x, &mut false)
}

/// `erf_inv` of [`LANES`] values at once (vectorizable), equal to the
/// one-at-a-time exact computation.
#[inline(always)]
pub(crate) fn erf_inv32_lanes(x: &[f32; LANES]) -> [f32; LANES] {
    let mut out = [0.0; LANES];
    let mut hazard = [false; LANES];
    for l in 0..LANES {
        out[l] = erf_inv::<false>(x[l], &mut hazard[l]);
    }
    if hazard.iter().any(|&h| h) {
        for l in 0..LANES {
            if hazard[l] {
                out[l] = erf_inv::<true>(x[l], &mut false);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fma32_is_single_rounding() {
        // (1 + 2^-23) + 2^-24: an f64 sum exactly half-way between two f32,
        // flagged and done exactly.
        let a = 1.0 + f32::EPSILON;
        let half = f32::EPSILON / 2.0;
        assert_eq!(fma32(a, 1.0, half), libm::fmaf(a, 1.0, half));
        let tiny = f32::from_bits(1);
        assert_eq!(fma32(tiny, 0.5, 0.0), libm::fmaf(tiny, 0.5, 0.0));
        assert_eq!(fma32(a, a, -1.0), libm::fmaf(a, a, -1.0));
    }

    #[test]
    fn lanes_match_exact_path() {
        let xs = [0.0, 0.3, -0.5, 0.9, -0.999_999_94, 1.0, -1.0, 2.0e-7];
        let lanes = erf_inv32_lanes(&xs);
        for (x, y) in xs.iter().zip(lanes) {
            assert_eq!(y.to_bits(), erf_inv32(*x).to_bits(), "x = {x}");
        }
    }

    #[test]
    fn edge_values() {
        assert_eq!(erf_inv32(0.0), 0.0);
        assert_eq!(erf_inv32(1.0), f32::INFINITY);
        assert_eq!(erf_inv32(-1.0), f32::NEG_INFINITY);
        assert!(erf_inv32(1.5).is_nan());
        // erf(0.4769362762044699) = 0.5
        assert!((erf_inv32(0.5) - 0.476_936_28).abs() < 1e-6);
        let log = |y: f32| log::<true>(y, &mut false);
        assert!((log(2.0) - core::f32::consts::LN_2).abs() <= f32::EPSILON);
        assert_eq!(log(0.0), f32::NEG_INFINITY);
        assert!(log(-1.0).is_nan());
    }
}
