//! The seedable generator (xorshift64*) of the fuzzer's programs and of the
//! points its harnesses check them at (copied beside them into each
//! generated crate).

/// A small, seedable generator.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A second generator derived from this one's state, which it leaves
    /// as it is: choices added to the generator later draw from it, so the
    /// programs of a seed stay what they were apart from those choices.
    pub fn fork(&self) -> Self {
        Rng::new(self.0.rotate_left(29) ^ 0xA076_1D64_78BD_642F)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() > 1.0 - p
    }
}
