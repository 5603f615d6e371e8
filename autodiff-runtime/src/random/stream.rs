//! Random words of a draw, in either layout: JAX's `random_bits` for 32- and
//! 64-bit widths, plus [`Key::bits_fill`] and [`Key::bits64_fill`].
//!
//! The visitors hand out `(flat index, word)` pairs in whatever order the
//! layout produces them cheaply; callers write `out[index]`. Several keys of
//! the same layout can be walked together (for `randint`, which needs two
//! streams of the same shape).

use super::key::{Key, Layout};
use super::threefry::threefry2x32;

/// JAX's legacy layout draws at most this many 32-bit words from one key;
/// longer draws are cut into blocks, each from its own split key.
const BLOCK: u64 = u32::MAX as u64;

/// Calls `f(i, words)` once for every `i < n`, where `words[k]` is word `i`
/// of a 32-bit draw of `n` words from `keys[k]` (`jax.random.bits(key, (n,),
/// uint32)`). All keys must have the layout of `keys[0]`.
#[inline(always)]
pub(crate) fn for_each_u32<const K: usize>(
    keys: [Key; K],
    n: usize,
    mut f: impl FnMut(usize, [u32; K]),
) {
    if K == 0 || n == 0 {
        return;
    }
    match keys[0].layout {
        Layout::Partitionable => {
            for i in 0..n {
                let c = i as u64;
                let ctr = [(c >> 32) as u32, c as u32];
                let mut w = [0; K];
                for (w, k) in w.iter_mut().zip(&keys) {
                    let [a, b] = threefry2x32(k.data, ctr);
                    *w = a ^ b;
                }
                f(i, w);
            }
        }
        Layout::Legacy if (n as u64) < BLOCK => {
            // threefry_2x32(key, iota(n)): the counters are split in halves,
            // padded with one 0 when n is odd, and hashed pairwise.
            let half = n.div_ceil(2);
            for j in 0..half {
                let j2 = j + half;
                let ctr = [j as u32, if j2 < n { j2 as u32 } else { 0 }];
                let (mut a, mut b) = ([0; K], [0; K]);
                for k in 0..K {
                    [a[k], b[k]] = threefry2x32(keys[k].data, ctr);
                }
                f(j, a);
                if j2 < n {
                    f(j2, b);
                }
            }
        }
        Layout::Legacy => {
            for i in 0..n {
                let mut w = [0; K];
                for (w, k) in w.iter_mut().zip(&keys) {
                    *w = legacy_word(k.data, n as u64, i as u64);
                }
                f(i, w);
            }
        }
    }
}

/// Run length of [`for_each_run_u32`].
pub(crate) const RUN: usize = 8;

/// Calls `f(start, words)` for consecutive runs of a 32-bit draw of `n`
/// words from `key`: `words[r]` is word `start + r`. Runs are at most [`RUN`]
/// long and cover `0..n` once. The hashes of a run are computed together
/// (always `RUN` of them), which lets the compiler vectorize them.
#[inline(always)]
pub(crate) fn for_each_run_u32(key: Key, n: usize, mut f: impl FnMut(usize, &[u32])) {
    match key.layout {
        Layout::Partitionable => {
            for start in (0..n).step_by(RUN) {
                let mut w = [0; RUN];
                for (l, w) in w.iter_mut().enumerate() {
                    let c = (start + l) as u64;
                    let [a, b] = threefry2x32(key.data, [(c >> 32) as u32, c as u32]);
                    *w = a ^ b;
                }
                f(start, &w[..RUN.min(n - start)]);
            }
        }
        Layout::Legacy if (n as u64) < BLOCK => {
            let half = n.div_ceil(2);
            for start in (0..half).step_by(RUN) {
                let (mut a, mut b) = ([0; RUN], [0; RUN]);
                for l in 0..RUN {
                    let j2 = start + l + half;
                    let ctr = [(start + l) as u32, if j2 < n { j2 as u32 } else { 0 }];
                    [a[l], b[l]] = threefry2x32(key.data, ctr);
                }
                let len = RUN.min(half - start);
                f(start, &a[..len]);
                let len2 = len.min(n.saturating_sub(start + half));
                if len2 > 0 {
                    f(start + half, &b[..len2]);
                }
            }
        }
        Layout::Legacy => {
            for i in 0..n {
                f(i, &[legacy_word(key.data, n as u64, i as u64)]);
            }
        }
    }
}

/// Like [`for_each_u32`] for 64-bit words (`jax.random.bits(key, (n,),
/// uint64)`, with `jax_enable_x64`).
#[inline(always)]
pub(crate) fn for_each_u64<const K: usize>(
    keys: [Key; K],
    n: usize,
    mut f: impl FnMut(usize, [u64; K]),
) {
    if K == 0 || n == 0 {
        return;
    }
    let join = |[hi, lo]: [u32; 2]| (u64::from(hi) << 32) | u64::from(lo);
    match keys[0].layout {
        Layout::Partitionable => {
            for i in 0..n {
                let c = i as u64;
                let ctr = [(c >> 32) as u32, c as u32];
                let mut w = [0; K];
                for (w, k) in w.iter_mut().zip(&keys) {
                    *w = join(threefry2x32(k.data, ctr));
                }
                f(i, w);
            }
        }
        Layout::Legacy if 2 * (n as u64) < BLOCK => {
            // 2n words; the high halves are words 0..n, the low halves words
            // n..2n, i.e. both halves of the hash of the pair (i, n + i).
            for i in 0..n {
                let ctr = [i as u32, (n + i) as u32];
                let mut w = [0; K];
                for (w, k) in w.iter_mut().zip(&keys) {
                    *w = join(threefry2x32(k.data, ctr));
                }
                f(i, w);
            }
        }
        Layout::Legacy => {
            let total = 2 * n as u64;
            for i in 0..n {
                let i = i as u64;
                let mut w = [0; K];
                for (w, k) in w.iter_mut().zip(&keys) {
                    let hi = legacy_word(k.data, total, i);
                    *w = join([hi, legacy_word(k.data, total, n as u64 + i)]);
                }
                f(i as usize, w);
            }
        }
    }
}

/// Word `idx` of JAX's legacy `_threefry_random_bits_original` drawing
/// `total` 32-bit words from `key`, computed on its own (twice the hashing of
/// the paired fast path). Handles the blocked case of `total >= 2^32 - 1`
/// words, where JAX splits the key into `total / (2^32 - 1) + 1` block keys.
#[cold]
pub(crate) fn legacy_word(key: [u32; 2], total: u64, idx: u64) -> u32 {
    let nblocks = total / BLOCK;
    let (bkey, len, o) = if nblocks == 0 {
        (key, total, idx)
    } else {
        let b = idx / BLOCK;
        let m = nblocks + 1;
        // Key b of `threefry_split(key, (m,))`, i.e. words 2b and 2b + 1 of
        // `threefry_2x32(key, iota(2m))`.
        let word = |w: u64| -> u32 {
            if w < m {
                threefry2x32(key, [w as u32, (m + w) as u32])[0]
            } else {
                threefry2x32(key, [(w - m) as u32, w as u32])[1]
            }
        };
        let bkey = [word(2 * b), word(2 * b + 1)];
        (
            bkey,
            if b < nblocks { BLOCK } else { total % BLOCK },
            idx % BLOCK,
        )
    };
    let half = len.div_ceil(2);
    if o < half {
        let pair = if o + half < len { o + half } else { 0 };
        threefry2x32(bkey, [o as u32, pair as u32])[0]
    } else {
        threefry2x32(bkey, [(o - half) as u32, o as u32])[1]
    }
}

impl Key {
    /// Fills `out` with random 32-bit words: `jax.random.bits(key, shape,
    /// jnp.uint32)` for any shape with `out.len()` elements, flattened in
    /// row-major order.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut w = [0u32; 3];
    /// Key::legacy(0).bits_fill(&mut w);
    /// assert_eq!(w, [0xf71f_4ea9, 0x508e_fb2c, 0xa20e_4081]);
    /// ```
    pub fn bits_fill(&self, out: &mut [u32]) {
        for_each_run_u32(*self, out.len(), |start, w| {
            out[start..start + w.len()].copy_from_slice(w);
        });
    }

    /// Fills `out` with random 64-bit words: `jax.random.bits(key, shape,
    /// jnp.uint64)` with `jax_enable_x64`, flattened in row-major order.
    pub fn bits64_fill(&self, out: &mut [u64]) {
        for_each_u64([*self], out.len(), |i, [w]| out[i] = w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paired fast path and the one-word-at-a-time path (used for huge
    /// legacy draws) agree.
    #[test]
    fn legacy_word_matches_paired_path() {
        for n in [1usize, 2, 3, 8, 17] {
            let key = Key::legacy(99);
            let mut fast = [0u32; 17];
            key.bits_fill(&mut fast[..n]);
            for (i, w) in fast[..n].iter().enumerate() {
                assert_eq!(*w, legacy_word(key.data, n as u64, i as u64), "n={n} i={i}");
            }
            let mut fast64 = [0u64; 17];
            key.bits64_fill(&mut fast64[..n]);
            for (i, w) in fast64[..n].iter().enumerate() {
                let hi = legacy_word(key.data, 2 * n as u64, i as u64);
                let lo = legacy_word(key.data, 2 * n as u64, (n + i) as u64);
                assert_eq!(*w, (u64::from(hi) << 32) | u64::from(lo));
            }
        }
    }

    /// Runs cover every index once, with the words of the plain visitor.
    #[test]
    fn runs_match_words() {
        for key in [Key::new(3), Key::legacy(3)] {
            for n in [0usize, 1, 2, 7, 8, 9, 15, 16, 17, 33] {
                let mut plain = [0u32; 33];
                for_each_u32([key], n, |i, [w]| plain[i] = w);
                let mut runs = [None; 33];
                for_each_run_u32(key, n, |start, w| {
                    for (r, w) in w.iter().enumerate() {
                        assert!(runs[start + r].is_none());
                        runs[start + r] = Some(*w);
                    }
                });
                for i in 0..n {
                    assert_eq!(runs[i], Some(plain[i]), "n={n} i={i}");
                }
            }
        }
    }

    /// In the blocked case, block `b` draws from key `b` of a split into
    /// `nblocks + 1` keys, restarting its counters at 0.
    #[test]
    fn legacy_blocks_use_split_keys() {
        let key = Key::legacy(5);
        let total = BLOCK + 3;
        let [_, last] = key.split_n::<2>();
        let mut tail = [0u32; 3];
        last.bits_fill(&mut tail);
        for (o, w) in tail.iter().enumerate() {
            assert_eq!(*w, legacy_word(key.data, total, BLOCK + o as u64));
        }
    }
}
