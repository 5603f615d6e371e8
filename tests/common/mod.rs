//! Helpers shared by the derivative test files (each uses a part of them).
#![allow(dead_code)]

/// A gradient (a bare value or a tuple) as a vector.
pub trait GradVec<F> {
    /// The components in argument order.
    fn into_vec(self) -> Vec<F>;
}

macro_rules! grad_vec {
    ($($t:ty),*) => {$(
        impl GradVec<$t> for $t {
            fn into_vec(self) -> Vec<$t> {
                vec![self]
            }
        }
        impl GradVec<$t> for ($t, $t) {
            fn into_vec(self) -> Vec<$t> {
                vec![self.0, self.1]
            }
        }
        impl GradVec<$t> for ($t, $t, $t) {
            fn into_vec(self) -> Vec<$t> {
                vec![self.0, self.1, self.2]
            }
        }
        impl GradVec<$t> for ($t, $t, $t, $t) {
            fn into_vec(self) -> Vec<$t> {
                vec![self.0, self.1, self.2, self.3]
            }
        }
    )*};
}
grad_vec!(f32, f64);

/// Default relative tolerances of the derivative tests, in double and single precision.
pub const TOL64: f64 = 1e-12;
/// See [`TOL64`].
pub const TOL32: f64 = 1e-5;

/// `|got - want| <= tol * max(|want|, scale)`; equal values always pass.
pub fn close(got: f64, want: f64, tol: f64, scale: f64) -> bool {
    got == want || (got - want).abs() <= tol * want.abs().max(scale)
}

/// SplitMix64: a fixed, reproducible sequence of test inputs.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }
}

/// Fails if `run` allocates on the heap (counted by `allocation-counter`).
pub fn assert_no_allocation(what: &str, run: impl FnOnce()) {
    let info = allocation_counter::measure(run);
    assert_eq!(
        info.count_total, 0,
        "{what} allocated {} times",
        info.count_total
    );
}
