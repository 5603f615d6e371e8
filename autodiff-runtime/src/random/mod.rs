//! JAX-compatible splittable random keys (Threefry-2x32), bit for bit.
//!
//! A [`Key`] is JAX's `PRNGKey`: two 32-bit words, hashed with the
//! Threefry-2x32 block cipher. Keys are values, never state: [`Key::split`]
//! and [`Key::fold_in`] derive new keys, and each draw (`*_fill`) reads a key
//! without changing it, so the same key always gives the same numbers.
//!
//! ```
//! # extern crate autodiff_runtime as autodiff;
//! use autodiff::random::Key;
//!
//! let key = Key::legacy(0);             // key = random.PRNGKey(0)  (tutorial)
//! let mut a = [0.0f32; 4];
//! key.normal_fill(&mut a);              // random.normal(key, (2, 2))
//! assert_eq!(a, [1.8160863, -0.75488514, 0.33988908, -0.53483534]);
//!
//! let (key, subkey) = key.split();      // key, subkey = random.split(key)
//! subkey.normal_fill(&mut a);
//! assert_eq!(a, [1.1378784, -0.14331433, -0.59153634, 0.79466224]);
//! # let _ = key;
//! ```
//!
//! # Layouts
//!
//! JAX has two ways to lay counters out over a draw, chosen by the flag
//! `jax_threefry_partitionable`; the same key gives different numbers under
//! each. A key carries its [`Layout`], and keys derived from it inherit it:
//!
//! * [`Key::new`] — `Layout::Partitionable`, JAX's default since 0.5.0.
//! * [`Key::legacy`] — `Layout::Legacy`, JAX before 0.5.0 and the numbers
//!   printed in the JAX tutorial.
//!
//! Seeding and [`Key::fold_in`] are the same in both; splitting and drawing
//! differ.
//!
//! # Shapes
//!
//! Every generator fills a slice. A JAX draw of shape `(d0, d1, ...)` equals
//! a fill of a slice of `d0 * d1 * ...` elements, in row-major (C) order: in
//! both layouts the values depend on the key and the number of elements
//! only, not on how they are arranged in dimensions. So `random.normal(key,
//! (2, 3))` is `normal_fill` on 6 elements read as 2 rows of 3, and a scalar
//! draw (shape `()`) is a one-element fill ([`Key::normal`],
//! [`Key::uniform`]). In the legacy layout a draw of `n` values is *not* a
//! prefix of a draw of `n + 1` values; in the partitionable layout it is.
//!
//! # Exactness
//!
//! Keys, splits, `fold_in`, raw bits, uniform numbers, integers, Bernoulli
//! draws and permutations are integer or correctly rounded computations and
//! equal JAX's bit for bit. `f64` draws match JAX with `jax_enable_x64`
//! (which draws 64-bit words for them).
//!
//! Normal draws go through `erf_inv`, which XLA expands into Giles'
//! polynomials and a `log1p`, and compiles with fused multiply-adds on CPUs
//! that have them. [`Key::normal_fill`] repeats XLA's CPU kernel operation
//! by operation, with an FMA in the same places (a real one, or an exact
//! emulation when the build target lacks it), so it returns the bits JAX
//! returns on x86-64 CPUs with FMA (Haswell and later) and on AArch64:
//!
//! * `f32`: 0 ulp from JAX over *all* 2^23 values a normal draw can take
//!   (checked exhaustively against jaxlib 0.10.2), which includes the JAX
//!   tutorial's numbers.
//! * `f64`: 0 ulp over the stored vectors and 4 million random draws with
//!   the `std` feature, whose `log` is the C library's, as XLA's is. Without
//!   `std`, `log` comes from `libm`; that moved 0.5% of those draws by up to
//!   3 ulp.
//!
//! On CPUs without FMA, or on GPUs, JAX's own normal draws differ from the
//! above in the last bits; everything else is the same everywhere.
//!
//! # Cost
//!
//! One Threefry hash (20 rounds of add/rotate/xor) yields two 32-bit words:
//! two f32 draws in the legacy layout but one in the partitionable layout
//! (which xors the two words), and one f64 draw in either layout. A normal
//! draw adds about 30 FMAs. Building with FMA enabled (e.g. `RUSTFLAGS="-C
//! target-cpu=native"`) makes f32 normal draws several times faster, since
//! the FMA emulation then disappears and the kernel vectorizes.
//! `docs/random.md` has measurements. Nothing here allocates; permutations
//! take a caller-provided scratch slice.

mod distributions;
mod erfinv32;
mod erfinv64;
mod key;
mod shuffle;
mod stream;
mod threefry;

pub use distributions::{Float, Int};
pub use key::{Key, Layout};
