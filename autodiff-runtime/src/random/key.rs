//! [`Key`] and [`Layout`]: creating, splitting and folding keys.

use super::threefry::threefry2x32;

/// How a key turns counters into random words: JAX's two settings of
/// `jax_threefry_partitionable`.
///
/// Both layouts use the same Threefry-2x32 hash and the same seeding and
/// `fold_in`; they differ in which counters feed the hash when a key is
/// split or an array is drawn, so the same key gives different numbers under
/// each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `jax_threefry_partitionable=True`, JAX's default since 0.5.0: element
    /// `i` of a draw (in row-major order) hashes the 64-bit counter `i`, so it
    /// does not depend on how many elements are drawn.
    Partitionable,
    /// `jax_threefry_partitionable=False`, the default before JAX 0.5.0 and
    /// the one the JAX tutorial's printed numbers come from: a draw of `n`
    /// words hashes the counter pairs `(j, j + ceil(n/2))`, so every value
    /// depends on `n`.
    Legacy,
}

/// A JAX-compatible random key: two 32-bit words plus the [`Layout`] it
/// draws with.
///
/// A `Key` is a small `Copy` value. Like a JAX key it is never mutated:
/// [`split`](Key::split) it (or [`fold_in`](Key::fold_in) some data) to get
/// fresh independent keys, and use each key for one draw. Keys split or
/// folded from a key inherit its layout.
///
/// ```
/// # extern crate autodiff_runtime as autodiff;
/// use autodiff::random::Key;
///
/// let key = Key::new(0);                 // jax.random.PRNGKey(0), JAX >= 0.5
/// let (key, subkey) = key.split();       // key, subkey = jax.random.split(key)
/// let mut x = [0.0f32; 3];
/// subkey.normal_fill(&mut x);            // jax.random.normal(subkey, (3,))
/// assert!(x.iter().all(|v| v.is_finite()));
/// assert_ne!(key, subkey);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub(crate) data: [u32; 2],
    pub(crate) layout: Layout,
}

impl Key {
    /// The key `jax.random.PRNGKey(seed)` (or `jax.random.key(seed)`) of JAX
    /// 0.5.0 and later, which use the [`Layout::Partitionable`] layout.
    ///
    /// The key's words are `[seed >> 32, seed & 0xFFFF_FFFF]`. JAX keeps the
    /// high word only when `jax_enable_x64` is on; without it JAX truncates
    /// seeds to 32 bits, so for seeds `>= 2^32` this matches JAX in x64 mode.
    /// A negative JAX seed `s` corresponds to `s as u64` here.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::{Key, Layout};
    ///
    /// let key = Key::new((1 << 40) + 5);
    /// assert_eq!(key.data(), [256, 5]);
    /// assert_eq!(key.layout(), Layout::Partitionable);
    /// ```
    pub const fn new(seed: u64) -> Key {
        Key::with_layout(seed, Layout::Partitionable)
    }

    /// The key `jax.random.PRNGKey(seed)` with `jax_threefry_partitionable`
    /// off ([`Layout::Legacy`]): the layout of JAX before 0.5.0 and of the
    /// numbers printed in the JAX tutorial.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let mut x = [0.0f32; 4];
    /// Key::legacy(0).normal_fill(&mut x);   // the tutorial's first 2x2 draw
    /// assert_eq!(x, [1.8160863, -0.75488514, 0.33988908, -0.53483534]);
    /// ```
    pub const fn legacy(seed: u64) -> Key {
        Key::with_layout(seed, Layout::Legacy)
    }

    /// The key for `seed` with an explicit layout.
    pub const fn with_layout(seed: u64, layout: Layout) -> Key {
        Key {
            data: [(seed >> 32) as u32, seed as u32],
            layout,
        }
    }

    /// A key from its raw words, like `jax.random.wrap_key_data`.
    ///
    /// `Key::from_data(k.data(), k.layout()) == k` for every key `k`.
    pub const fn from_data(data: [u32; 2], layout: Layout) -> Key {
        Key { data, layout }
    }

    /// The key's two words, like `jax.random.key_data(key)` (or the raw
    /// `uint32[2]` array of a `PRNGKey`).
    pub const fn data(self) -> [u32; 2] {
        self.data
    }

    /// The layout this key (and every key derived from it) draws with.
    pub const fn layout(self) -> Layout {
        self.layout
    }

    /// Splits the key into two new keys, like `jax.random.split(key)`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let (a, b) = Key::legacy(0).split();
    /// assert_eq!(a.data(), [4146024105, 967050713]);
    /// assert_eq!(b.data(), [2718843009, 1272950319]);
    /// ```
    pub fn split(self) -> (Key, Key) {
        let [a, b] = self.split_n::<2>();
        (a, b)
    }

    /// Splits the key into `N` new keys, like `jax.random.split(key, N)`.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let [a, b, c] = Key::new(42).split_n::<3>();
    /// assert!(a != b && b != c && a != c);
    /// ```
    pub fn split_n<const N: usize>(self) -> [Key; N] {
        let mut keys = [self; N];
        self.split_into(&mut keys);
        keys
    }

    /// Splits the key into `out.len()` new keys written to `out`, like
    /// `jax.random.split(key, out.len())`; for a count known only at run
    /// time.
    ///
    /// # Panics
    ///
    /// In the legacy layout, if `out.len() >= 2^31` (JAX's own limit: it
    /// counts `2 * len` words in 32 bits).
    pub fn split_into(self, out: &mut [Key]) {
        let n = out.len();
        match self.layout {
            Layout::Partitionable => {
                for (i, k) in out.iter_mut().enumerate() {
                    let i = i as u64;
                    let data = threefry2x32(self.data, [(i >> 32) as u32, i as u32]);
                    *k = Key::from_data(data, self.layout);
                }
            }
            Layout::Legacy => {
                // `threefry_2x32(key, iota(2n))` reshaped to (n, 2): the hash
                // of the pair (j, n + j) gives words j and n + j.
                assert!(n < 1 << 31, "legacy split into 2^31 or more keys");
                for k in out.iter_mut() {
                    k.layout = self.layout;
                }
                for j in 0..n {
                    let [a, b] = threefry2x32(self.data, [j as u32, (n + j) as u32]);
                    out[j / 2].data[j % 2] = a;
                    out[(n + j) / 2].data[(n + j) % 2] = b;
                }
            }
        }
    }

    /// Folds a 32-bit integer into the key, like `jax.random.fold_in(key,
    /// data)`; the same in both layouts.
    ///
    /// ```
    /// # extern crate autodiff_runtime as autodiff;
    /// use autodiff::random::Key;
    ///
    /// let key = Key::new(0);
    /// assert_ne!(key.fold_in(1), key.fold_in(2));
    /// assert_eq!(key.fold_in(7), key.fold_in(7));
    /// ```
    pub fn fold_in(self, data: u32) -> Key {
        // `threefry_2x32(key, threefry_seed(data))` with seed words [0, data].
        Key::from_data(threefry2x32(self.data, [0, data]), self.layout)
    }
}
