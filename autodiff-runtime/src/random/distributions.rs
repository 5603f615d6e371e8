//! Uniform, normal, Bernoulli and integer draws, as `jax.random.uniform`,
//! `normal`, `bernoulli` and `randint` compute them.

use super::erfinv32::{erf_inv32_lanes, fma32, LANES};
use super::erfinv64::{erf_inv64, fma64};
use super::key::Key;
use super::stream::{for_each_run_u32, for_each_u32, for_each_u64, RUN};

macro_rules! maximum {
    ($name:ident, $t:ty) => {
        /// IEEE 754-2019 `maximum`, XLA's `max`: NaN if either is NaN, and
        /// `+0 > -0`.
        #[inline(always)]
        fn $name(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                <$t>::NAN
            } else if a == b {
                if a.is_sign_positive() {
                    a
                } else {
                    b
                }
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}

maximum!(maximum32, f32);
maximum!(maximum64, f64);

/// JAX's `uniform` for f32 from 32 random bits: 23 bits as the mantissa of a
/// float in [1, 2), minus 1, scaled into `[lo, lo + span)`.
#[inline(always)]
fn uniform32(bits: u32, lo: f32, span: f32) -> f32 {
    let x = f32::from_bits((bits >> 9) | 0x3F80_0000) - 1.0;
    let y = fma32(x, span, lo);
    maximum32(lo, y)
}

/// JAX's `uniform` for f64 from 64 random bits (52 of them used).
#[inline(always)]
fn uniform64(bits: u64, lo: f64, span: f64) -> f64 {
    let x = f64::from_bits((bits >> 12) | 0x3FF0_0000_0000_0000) - 1.0;
    let y = fma64(x, span, lo);
    maximum64(lo, y)
}

/// JAX's `normal` for f32 of [`LANES`] words: `sqrt(2) * erf_inv(u)` with
/// `u` uniform in `[nextafter(-1, 0), 1)`.
#[inline(always)]
pub(crate) fn normal32_lanes(bits: &[u32; LANES]) -> [f32; LANES] {
    const LO: f32 = -0.999_999_94; // nextafter(-1, 0)
    let mut u = [0.0; LANES];
    for (u, &b) in u.iter_mut().zip(bits) {
        // hi - lo rounds to 2 in f32, and x * 2 is exact: the FMA that XLA
        // forms from x * 2 + lo rounds like the plain add.
        let x = f32::from_bits((b >> 9) | 0x3F80_0000) - 1.0;
        *u = maximum32(LO, x * 2.0 + LO);
    }
    let mut z = erf_inv32_lanes(&u);
    for z in z.iter_mut() {
        *z *= core::f32::consts::SQRT_2;
    }
    z
}

/// JAX's `normal` for f64 (with `jax_enable_x64`).
#[inline(always)]
pub(crate) fn normal64(bits: u64) -> f64 {
    const LO: f64 = -0.999_999_999_999_999_9; // nextafter(-1, 0)
    let x = f64::from_bits((bits >> 12) | 0x3FF0_0000_0000_0000) - 1.0;
    let u = maximum64(LO, x * 2.0 + LO);
    erf_inv64(u) * core::f64::consts::SQRT_2
}

pub(crate) mod sealed {
    use super::Key;

    /// The per-type implementations behind [`super::Float`].
    pub trait FloatImpl: Copy {
        const ZERO: Self;
        fn uniform_fill(key: Key, out: &mut [Self], lo: Self, hi: Self);
        fn normal_fill(key: Key, out: &mut [Self]);
        fn bernoulli_fill(key: Key, out: &mut [bool], p: Self);
    }

    /// The per-type implementations behind [`super::Int`].
    pub trait IntImpl: Copy {
        fn randint_fill(key: Key, out: &mut [Self], minval: Self, maxval: Self);
    }
}

/// The floating-point types keys draw: `f32` (JAX's default dtype) and `f64`
/// (JAX's `float64` with `jax_enable_x64`, drawn from 64-bit words).
///
/// This trait is sealed: it cannot be implemented outside this crate.
pub trait Float: sealed::FloatImpl {}

impl Float for f32 {}
impl Float for f64 {}

impl sealed::FloatImpl for f32 {
    const ZERO: f32 = 0.0;

    fn uniform_fill(key: Key, out: &mut [f32], lo: f32, hi: f32) {
        let span = hi - lo;
        for_each_run_u32(key, out.len(), |start, w| {
            for (o, &w) in out[start..start + w.len()].iter_mut().zip(w) {
                *o = uniform32(w, lo, span);
            }
        });
    }

    fn normal_fill(key: Key, out: &mut [f32]) {
        const _: () = assert!(RUN == LANES);
        for_each_run_u32(key, out.len(), |start, w| {
            let mut bits = [0; LANES];
            bits[..w.len()].copy_from_slice(w);
            let z = normal32_lanes(&bits);
            out[start..start + w.len()].copy_from_slice(&z[..w.len()]);
        });
    }

    fn bernoulli_fill(key: Key, out: &mut [bool], p: f32) {
        for_each_run_u32(key, out.len(), |start, w| {
            for (o, &w) in out[start..start + w.len()].iter_mut().zip(w) {
                *o = uniform32(w, 0.0, 1.0) < p;
            }
        });
    }
}

impl sealed::FloatImpl for f64 {
    const ZERO: f64 = 0.0;

    fn uniform_fill(key: Key, out: &mut [f64], lo: f64, hi: f64) {
        let span = hi - lo;
        for_each_u64([key], out.len(), |i, [w]| out[i] = uniform64(w, lo, span));
    }

    fn normal_fill(key: Key, out: &mut [f64]) {
        for_each_u64([key], out.len(), |i, [w]| out[i] = normal64(w));
    }

    fn bernoulli_fill(key: Key, out: &mut [bool], p: f64) {
        for_each_u64([key], out.len(), |i, [w]| {
            out[i] = uniform64(w, 0.0, 1.0) < p
        });
    }
}

/// The integer types [`Key::randint_fill`] draws: `i32` and `u32` (from
/// 32-bit words, JAX's default `int32`), `i64` and `u64` (from 64-bit words,
/// JAX's `int64`/`uint64` with `jax_enable_x64`).
///
/// This trait is sealed: it cannot be implemented outside this crate.
pub trait Int: sealed::IntImpl {}

macro_rules! randint_impl {
    ($t:ty, $u:ty, $visit:ident) => {
        impl Int for $t {}

        impl sealed::IntImpl for $t {
            fn randint_fill(key: Key, out: &mut [$t], minval: $t, maxval: $t) {
                // JAX's `_randint`: two streams of the dtype's width, the
                // first as high bits, the second as low bits, reduced modulo
                // the span with the same wrapping unsigned arithmetic.
                let (k1, k2) = key.split();
                let span: $u = if maxval <= minval {
                    1
                } else {
                    maxval.wrapping_sub(minval) as $u
                };
                let half = <$u>::BITS / 2;
                let multiplier = ((1 as $u) << half) % span;
                let multiplier = multiplier.wrapping_mul(multiplier) % span;
                $visit([k1, k2], out.len(), |i, [hi, lo]| {
                    let offset =
                        (hi % span).wrapping_mul(multiplier).wrapping_add(lo % span) % span;
                    out[i] = minval.wrapping_add(offset as $t);
                });
            }
        }
    };
}

randint_impl!(i32, u32, for_each_u32);
randint_impl!(u32, u32, for_each_u32);
randint_impl!(i64, u64, for_each_u64);
randint_impl!(u64, u64, for_each_u64);

impl Key {
    /// Fills `out` with uniform draws in `[lo, hi)`: `jax.random.uniform(key,
    /// shape, dtype, lo, hi)` for any shape with `out.len()` elements,
    /// flattened row-major. Bit-for-bit equal to JAX for `f32`, and for `f64`
    /// with `jax_enable_x64`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut x = [0.0f64; 5];
    /// Key::new(3).uniform_fill(&mut x, -1.0, 1.0);
    /// assert!(x.iter().all(|v| (-1.0..1.0).contains(v)));
    /// ```
    pub fn uniform_fill<T: Float>(&self, out: &mut [T], lo: T, hi: T) {
        T::uniform_fill(*self, out, lo, hi)
    }

    /// One uniform draw in `[lo, hi)`: `jax.random.uniform(key, (), dtype,
    /// lo, hi)`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let u: f32 = Key::new(0).uniform(0.0, 1.0);
    /// assert!((0.0..1.0).contains(&u));
    /// ```
    pub fn uniform<T: Float>(&self, lo: T, hi: T) -> T {
        let mut out = [lo];
        T::uniform_fill(*self, &mut out, lo, hi);
        out[0]
    }

    /// Fills `out` with standard normal draws: `jax.random.normal(key,
    /// shape, dtype)` for any shape with `out.len()` elements, flattened
    /// row-major.
    ///
    /// Computed as JAX does, `sqrt(2) * erf_inv(u)` for `u` uniform in
    /// `(-1, 1)`, with XLA's `erf_inv`; equal to JAX on CPUs with FMA
    /// (see the [module docs](crate::random) for the precise statement).
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let (key, subkey) = Key::legacy(0).split();
    /// let mut x = [0.0f32; 4];
    /// subkey.normal_fill(&mut x);     // the tutorial's 2x2 `D`
    /// assert_eq!(x, [1.1378784, -0.14331433, -0.59153634, 0.79466224]);
    /// key.normal_fill(&mut x);        // and its `C`
    /// assert_eq!(x, [0.13893168, 1.370668, -0.53116107, 0.020337816]);
    /// ```
    pub fn normal_fill<T: Float>(&self, out: &mut [T]) {
        T::normal_fill(*self, out)
    }

    /// One standard normal draw: `jax.random.normal(key, (), dtype)`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let x: f64 = Key::new(1).normal();
    /// assert!(x.is_finite());
    /// ```
    pub fn normal<T: Float>(&self) -> T {
        let mut out = [T::ZERO];
        T::normal_fill(*self, &mut out);
        out[0]
    }

    /// Fills `out` with Bernoulli draws, `true` with probability `p`:
    /// `jax.random.bernoulli(key, p, shape)`, where `p`'s type is the dtype
    /// JAX draws the uniform numbers in (`f32` by default, `f64` for a
    /// float64 `p` with `jax_enable_x64`).
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut coin = [false; 1000];
    /// Key::new(9).bernoulli_fill(&mut coin, 0.5f32);
    /// let heads = coin.iter().filter(|&&c| c).count();
    /// assert!((400..600).contains(&heads));
    /// ```
    pub fn bernoulli_fill<T: Float>(&self, out: &mut [bool], p: T) {
        T::bernoulli_fill(*self, out, p)
    }

    /// Fills `out` with integers in `[minval, maxval)`:
    /// `jax.random.randint(key, shape, minval, maxval, dtype)`. Like JAX, it
    /// returns `minval` everywhere when `maxval <= minval`, and keeps JAX's
    /// small modulo bias for spans that are not powers of two (it draws
    /// twice the dtype's bits per value to keep the bias small).
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut dice = [0i32; 100];
    /// Key::new(5).randint_fill(&mut dice, 1, 7);
    /// assert!(dice.iter().all(|d| (1..7).contains(d)));
    /// ```
    pub fn randint_fill<T: Int>(&self, out: &mut [T], minval: T, maxval: T) {
        T::randint_fill(*self, out, minval, maxval)
    }
}

/// Measures the distance to JAX over files written by a JAX script (see
/// `docs/random.md`): every f32 normal value (`normal_f32_all.bin`, the
/// outputs for mantissas 0..2^23) and f64 normal values for random words
/// (`f64_bits.bin`, `normal_f64.bin`), all little-endian. Run with
/// `AUTODIFF_JAX_EXHAUSTIVE=dir cargo test -p autodiff-runtime -- --ignored`.
#[cfg(test)]
mod exhaustive {
    extern crate std;
    use std::{env, fs, println, vec::Vec};

    fn ulps32(a: f32, b: f32) -> u64 {
        let key = |x: f32| {
            let b = x.to_bits() as i32;
            i64::from(if b < 0 { i32::MIN - b } else { b })
        };
        (key(a) - key(b)).unsigned_abs()
    }

    fn ulps64(a: f64, b: f64) -> u64 {
        let key = |x: f64| {
            let b = x.to_bits() as i64;
            i128::from(if b < 0 { i64::MIN - b } else { b })
        };
        (key(a) - key(b)).unsigned_abs() as u64
    }

    fn words<const N: usize>(path: &std::path::Path) -> Vec<[u8; N]> {
        let raw = fs::read(path).unwrap();
        raw.chunks_exact(N).map(|c| c.try_into().unwrap()).collect()
    }

    #[test]
    #[ignore = "needs AUTODIFF_JAX_EXHAUSTIVE=<dir of files from JAX>"]
    fn all_f32_and_sampled_f64_normals() {
        let dir = std::path::PathBuf::from(env::var("AUTODIFF_JAX_EXHAUSTIVE").unwrap());
        let want32 = words::<4>(&dir.join("normal_f32_all.bin"));
        assert_eq!(want32.len(), 1 << 23);
        let (mut max, mut diff) = (0, 0);
        for (chunk, want) in want32.chunks(super::LANES).enumerate() {
            let bits: [u32; super::LANES] =
                core::array::from_fn(|l| ((chunk * super::LANES + l) as u32) << 9);
            let got = super::normal32_lanes(&bits);
            for (g, w) in got.iter().zip(want) {
                let u = ulps32(*g, f32::from_le_bytes(*w));
                max = max.max(u);
                diff += usize::from(u != 0);
            }
        }
        println!("f32: {} inputs, {diff} differ, max {max} ulp", want32.len());
        let bits = words::<8>(&dir.join("f64_bits.bin"));
        let want64 = words::<8>(&dir.join("normal_f64.bin"));
        let (mut max64, mut diff64) = (0, 0);
        for (b, w) in bits.iter().zip(&want64) {
            let got = super::normal64(u64::from_le_bytes(*b));
            let u = ulps64(got, f64::from_le_bytes(*w));
            max64 = max64.max(u);
            diff64 += usize::from(u != 0);
        }
        println!(
            "f64: {} inputs, {diff64} differ, max {max64} ulp",
            bits.len()
        );
        assert_eq!(max, 0, "f32");
        // Without `std`, `log` is libm's instead of the C library's.
        if cfg!(feature = "std") {
            assert_eq!(max64, 0, "f64");
        } else {
            assert!(max64 <= 4, "f64");
        }
    }
}
