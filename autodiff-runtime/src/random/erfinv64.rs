//! The f64 inverse error function as XLA's CPU backend evaluates it inside
//! `jax.random.normal` with `jax_enable_x64`, operation for operation.
//!
//! XLA uses Giles' double-precision polynomials ("Approximating the erfinv
//! function", GPU Computing Gems, 2011): degree 23, 19 and 17 in
//! `w = -log1p(-x^2)` for `w < 6.25`, `w < 16` and beyond. Its CPU backend
//! expands `log1p` into a rational approximation for `|x| < sqrt(2) - 1` and
//! otherwise calls the C library's `log(1 + x)`; LLVM fuses each multiply
//! whose only use is an add into an FMA (on CPUs that have one). The code
//! repeats that with [`fma64`] in the same places.
//!
//! With the `std` feature `log` is the C library's, as in XLA, and results
//! are the same bits; without it `libm::log` differs from glibc's by an ulp
//! for about 0.5% of inputs, which moves a normal draw by at most a few ulps.

/// `a * b + c` with a single rounding, for f64: one instruction when the
/// target has FMA at compile time (e.g. `-C target-cpu=native`, or any
/// AArch64) and `std` is on, else `libm::fma` (a call, which uses the FMA
/// instruction when the CPU has it).
#[inline(always)]
pub(crate) fn fma64(a: f64, b: f64, c: f64) -> f64 {
    #[cfg(all(feature = "std", any(target_arch = "aarch64", target_feature = "fma")))]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(all(feature = "std", any(target_arch = "aarch64", target_feature = "fma"))))]
    {
        libm::fma(a, b, c)
    }
}

const fn d(bits: u64) -> f64 {
    f64::from_bits(bits)
}

/// Natural log of an f64: the C library's `log`, which is what XLA's CPU
/// kernels call.
#[inline(always)]
fn log64(y: f64) -> f64 {
    #[cfg(feature = "std")]
    {
        y.ln()
    }
    #[cfg(not(feature = "std"))]
    {
        libm::log(y)
    }
}

/// `log1p(x)` for f64 as XLA's CPU backend computes it.
#[inline(always)]
fn log1p64(x: f64) -> f64 {
    if x.abs() < d(0x3FDA_8279_99FC_EF32) {
        let z = x * 0.0;
        // den starts at 1 (or NaN), so the first fused step is a plain add.
        let mut den = (z + 1.0) * x + d(0x402E_2035_9E90_3E37);
        for c in [
            0x4054_C30B_5221_3498,
            0x406B_B865_90FC_FB56,
            0x4073_5194_5DC9_08A5,
            0x406B_0DB1_3E48_E066,
            0x404E_0F30_4466_448E,
        ] {
            den = fma64(den, x, d(c));
        }
        let mut num = z + d(0x3F07_BC09_62B3_95CA);
        for c in [
            0x3FDF_E818_A0FE_1A83,
            0x401A_509F_46F4_FA53,
            0x403D_E973_8B8C_B9C9,
            0x404E_798E_B86C_3351,
            0x404C_8E75_9747_9A10,
            0x4034_0A20_2D99_830A,
        ] {
            num = fma64(num, x, d(c));
        }
        let x2 = x * x;
        let q = (x * x2) * (num / den);
        // Fused in XLA, but x2 * -0.5 is exact unless x2 is subnormal.
        if x2 >= f64::MIN_POSITIVE * 2.0 {
            x + (x2 * -0.5 + q)
        } else {
            x + fma64(x2, -0.5, q)
        }
    } else {
        log64(x + 1.0)
    }
}

/// Giles' double-precision coefficients for `w < 6.25`, `w < 16` and
/// `w >= 16` (highest degree first).
#[allow(clippy::excessive_precision)] // digits as in XLA's source
const ERFINV64_A: [f64; 23] = [
    -3.644_412_064_017_819_699_6e-21,
    -1.685_059_138_182_016_589e-19,
    1.285_848_071_525_640_016_7e-18,
    1.115_787_767_802_518_096e-17,
    -1.333_171_662_854_620_906e-16,
    2.097_276_787_596_856_163_7e-17,
    6.637_638_134_358_323_832_5e-15,
    -4.054_566_272_975_206_863_9e-14,
    -8.151_934_197_605_472_152_2e-14,
    2.633_509_315_308_232_297_7e-12,
    -1.297_513_325_345_353_249_8e-11,
    -5.415_412_054_294_627_931_7e-11,
    1.051_212_273_321_532_285e-09,
    -4.112_633_980_346_983_697_6e-09,
    -2.907_036_995_788_200_508_6e-08,
    4.234_787_782_793_240_351_8e-07,
    -1.365_469_200_083_467_864_5e-06,
    -1.388_252_336_278_646_871_9e-05,
    0.000_186_734_208_034_057_135_2,
    -0.000_740_702_534_166_266_975_12,
    -0.006_033_670_871_430_149_053_3,
    0.240_158_182_425_589_616_93,
    1.653_654_562_683_102_735_6,
];
#[allow(clippy::excessive_precision)] // digits as in XLA's source
const ERFINV64_B: [f64; 19] = [
    2.213_737_692_177_578_704_9e-09,
    9.075_656_193_888_539_097_9e-08,
    -2.751_740_629_706_454_542_8e-07,
    1.823_962_921_438_922_775_5e-08,
    1.502_740_396_890_982_762_7e-06,
    -4.013_867_526_981_545_969e-06,
    2.923_444_908_995_544_604_4e-06,
    1.247_530_448_167_177_872_3e-05,
    -4.731_822_900_905_573_398_1e-05,
    6.828_485_145_957_317_544_8e-05,
    2.403_111_038_709_789_399_9e-05,
    -0.000_355_037_520_362_847_479_6,
    0.000_953_289_379_737_380_497_03,
    -0.001_688_275_556_023_504_731_3,
    0.002_491_442_096_107_850_806_6,
    -0.003_751_208_507_569_241_210_7,
    0.005_370_914_553_590_063_617,
    1.005_258_967_694_159_233_4,
    3.083_885_610_492_220_763_5,
];
#[allow(clippy::excessive_precision)] // digits as in XLA's source
const ERFINV64_C: [f64; 17] = [
    -2.710_992_061_643_857_324_3e-11,
    -2.555_641_816_996_525_205_5e-10,
    1.507_657_269_350_054_808_3e-09,
    -3.789_465_440_126_736_993_7e-09,
    7.615_701_208_078_339_380_4e-09,
    -1.496_002_662_714_924_047_8e-08,
    2.914_795_345_090_108_082_6e-08,
    -6.771_199_775_845_233_949_8e-08,
    2.290_048_222_802_665_471_7e-07,
    -9.929_827_294_231_700_253_9e-07,
    4.526_062_597_223_153_703_9e-06,
    -1.968_177_810_553_167_056_7e-05,
    7.599_527_703_001_776_113_9e-05,
    -0.000_215_030_119_300_444_773_47,
    -0.000_138_719_318_336_231_220_26,
    1.010_300_464_864_534_397_7,
    4.849_906_401_408_584_422_1,
];

/// `erf_inv(x)` for f64, as XLA's CPU backend computes it.
#[inline(always)]
pub(crate) fn erf_inv64(x: f64) -> f64 {
    let l = log1p64(x * -x); // w = -l
    let (c, w): (&[f64], f64) = if l > -6.25 {
        (&ERFINV64_A, -3.125 - l)
    } else if l > -16.0 {
        (&ERFINV64_B, libm::sqrt(-l) - 3.25)
    } else {
        (&ERFINV64_C, libm::sqrt(-l) - 5.0)
    };
    let mut p = c[0];
    for &ci in &c[1..] {
        p = fma64(p, w, ci);
    }
    if x.abs() == 1.0 {
        x * f64::INFINITY
    } else {
        x * p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_values() {
        assert_eq!(erf_inv64(0.0), 0.0);
        assert_eq!(erf_inv64(1.0), f64::INFINITY);
        assert_eq!(erf_inv64(-1.0), f64::NEG_INFINITY);
        assert!(erf_inv64(1.5).is_nan());
        // erf(0.4769362762044699) = 0.5
        assert!((erf_inv64(0.5) - 0.476_936_276_204_469_9).abs() < 1e-15);
        // The three ranges of w: 1 - 1e-4 (w ~ 8.5) and 1 - 1e-10 (w ~ 22).
        assert!((erf_inv64(0.9999) - 2.751_063_905_712_080_3).abs() < 1e-12);
        assert!((erf_inv64(1.0 - 1e-10) - 4.572_824_958_544_925).abs() < 1e-10);
    }
}
