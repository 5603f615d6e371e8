//! Random permutations, as `jax.random.permutation` computes them.
//!
//! JAX does not use Fisher-Yates: it sorts the array by fresh random 32-bit
//! keys, stably, and repeats with new keys `ceil(3 ln n / ln(2^32 - 1))`
//! times (once up to 1625 elements, twice up to 2,642,245, ...) so that key
//! collisions cannot bias the result. We do the same: the sort keys and
//! positions go into a caller-provided `u64` scratch slice (so nothing is
//! allocated), are sorted there, and the data is then permuted in place by
//! following cycles.

use super::key::Key;
use super::stream::for_each_u32;

/// Marks a scratch entry whose cycle has been applied.
const DONE: u64 = 1 << 63;

/// JAX's number of sort rounds, `ceil(3 ln(max(1, n)) / ln(2^32 - 1))`,
/// computed exactly in integers: the least `k` with `n^3 <= (2^32 - 1)^k`.
fn num_rounds(n: usize) -> u32 {
    let n3 = (n.max(1) as u128).pow(3);
    let m = u128::from(u32::MAX);
    let mut k = 0;
    let mut mk = 1u128;
    while n3 > mk {
        k += 1;
        mk *= m;
    }
    k
}

/// Moves `data[scratch[i]]` to position `i` for all `i` at once, following
/// the permutation's cycles; uses bit 63 of `scratch` as the visited mark
/// (so `scratch` must hold positions only).
fn gather<T>(data: &mut [T], scratch: &mut [u64]) {
    for start in 0..data.len() {
        if scratch[start] & DONE != 0 {
            continue;
        }
        let mut cur = start;
        loop {
            let next = (scratch[cur] & 0xFFFF_FFFF) as usize;
            scratch[cur] |= DONE;
            if next == start {
                break;
            }
            data.swap(cur, next);
            cur = next;
        }
    }
}

impl Key {
    /// Shuffles `data` in place: `jax.random.permutation(key, x)` for a 1-D
    /// array `x` (equivalently, JAX's `_shuffle` along an axis of length
    /// `data.len()`), bit for bit, with the same sort-based algorithm and the
    /// same key splits.
    ///
    /// `scratch` must hold at least `data.len()` words; its contents are
    /// overwritten. To permute the rows of a matrix as
    /// `jax.random.permutation(key, matrix)` does, use
    /// [`permutation_fill`](Key::permutation_fill) for the row order.
    ///
    /// # Panics
    ///
    /// If `scratch.len() < data.len()` or `data.len() > 2^32`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut cards = ['a', 'b', 'c', 'd', 'e'];
    /// let mut scratch = [0u64; 5];
    /// Key::new(1).shuffle(&mut cards, &mut scratch);
    /// let mut sorted = cards;
    /// sorted.sort();
    /// assert_eq!(sorted, ['a', 'b', 'c', 'd', 'e']);
    /// ```
    pub fn shuffle<T>(&self, data: &mut [T], scratch: &mut [u64]) {
        let n = data.len();
        assert!(scratch.len() >= n, "shuffle: scratch shorter than data");
        assert!(n as u64 <= 1 << 32, "shuffle: more than 2^32 elements");
        let scratch = &mut scratch[..n];
        let mut key = *self;
        for _ in 0..num_rounds(n) {
            let (next, subkey) = key.split();
            key = next;
            // A stable sort by the random words is an unstable sort by
            // (word, position).
            for_each_u32([subkey], n, |i, [w]| {
                scratch[i] = (u64::from(w) << 32) | i as u64;
            });
            scratch.sort_unstable();
            for s in scratch.iter_mut() {
                *s &= 0xFFFF_FFFF; // keep the source positions only
            }
            gather(data, scratch);
        }
    }

    /// Fills `out` with a random permutation of `0..out.len()`:
    /// `jax.random.permutation(key, n)`. The same order permutes the rows of
    /// an `n`-row array like `jax.random.permutation(key, array)`.
    ///
    /// `scratch` must hold at least `out.len()` words.
    ///
    /// # Panics
    ///
    /// If `scratch.len() < out.len()` or `out.len() > 2^32`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut perm = [0u32; 10];
    /// let mut scratch = [0u64; 10];
    /// Key::legacy(13).permutation_fill(&mut perm, &mut scratch);
    /// assert_eq!(perm, [1, 3, 7, 4, 2, 6, 9, 8, 5, 0]);
    /// ```
    pub fn permutation_fill(&self, out: &mut [u32], scratch: &mut [u64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = i as u32;
        }
        self.shuffle(out, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_match_jax_formula() {
        // Values of numpy's ceil(3 * log(max(1, n)) / log(2**32 - 1)).
        for (n, k) in [
            (0, 0),
            (1, 0),
            (2, 1),
            (1625, 1),
            (1626, 2),
            (2_642_245, 2),
            (2_642_246, 3),
        ] {
            assert_eq!(num_rounds(n), k, "n = {n}");
        }
    }

    #[test]
    fn gather_applies_permutation() {
        let mut data = [10, 11, 12, 13, 14];
        let mut src = [3u64, 0, 4, 1, 2];
        gather(&mut data, &mut src);
        assert_eq!(data, [13, 10, 14, 11, 12]);
    }
}
