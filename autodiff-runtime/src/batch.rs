//! What the batched functions of `#[vectorize]` share: the check that the
//! batched arguments have one length, and the loops that call the function
//! once per example.
//!
//! Each batched function is a loop over the examples calling the plain
//! function (or one of its derivatives) on example `i` of every batched
//! argument and on the broadcast ones; the loops here take that call as a
//! closure, so the generated code stays a few lines per function. The
//! results are the plain function's, bit for bit, in the batch's order.

use core::fmt;

/// Batched arguments of different lengths (or an output buffer whose
/// length differs from theirs): the names and lengths of all of them, in
/// argument order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchError {
    lengths: [(&'static str, usize); MAX_REPORTED],
    count: usize,
}

/// The most arguments a [`BatchError`] names (the rest are counted).
const MAX_REPORTED: usize = 16;

impl BatchError {
    /// The batched arguments' names and lengths, in argument order (at
    /// most 16).
    pub fn lengths(&self) -> &[(&'static str, usize)] {
        &self.lengths[..self.count.min(MAX_REPORTED)]
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("batched arguments of different lengths:")?;
        for (k, (name, len)) in self.lengths().iter().enumerate() {
            let sep = if k == 0 { " " } else { ", " };
            write!(f, "{sep}`{name}` has {len}")?;
        }
        if self.count > MAX_REPORTED {
            write!(f, " (and {} more)", self.count - MAX_REPORTED)?;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BatchError {}

/// The common length of the batched arguments (`(name, length)` in
/// argument order), or which differ.
// The error names the arguments inline (no allocator in `no_std`); it is
// built only when the lengths differ.
#[allow(clippy::result_large_err)]
#[inline]
pub fn try_length(lengths: &[(&'static str, usize)]) -> Result<usize, BatchError> {
    let first = lengths.first().map_or(0, |(_, n)| *n);
    if lengths.iter().all(|(_, n)| *n == first) {
        return Ok(first);
    }
    let mut reported = [("", 0); MAX_REPORTED];
    for (slot, pair) in reported.iter_mut().zip(lengths) {
        *slot = *pair;
    }
    Err(BatchError {
        lengths: reported,
        count: lengths.len(),
    })
}

/// The common length of the batched arguments; panics with their names
/// and lengths if they differ.
#[inline]
#[track_caller]
pub fn length(lengths: &[(&'static str, usize)]) -> usize {
    match try_length(lengths) {
        Ok(n) => n,
        Err(e) => panic!("{e}"),
    }
}

/// Writes `call(i)` into `out[i]` for each example; `len` is the batched
/// arguments' length (from [`length`]), which `out` must have.
#[inline]
#[track_caller]
pub fn fill<O>(len: usize, out: &mut [O], call: impl Fn(usize) -> O) {
    length(&[("the batch", len), ("out", out.len())]);
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = call(i);
    }
}

/// Writes the two parts of `call(i)` into `first[i]` and `second[i]`
/// (values and gradients).
#[inline]
#[track_caller]
pub fn fill_pairs<A, B>(
    len: usize,
    (first, second): (&mut [A], &mut [B]),
    call: impl Fn(usize) -> (A, B),
) {
    length(&[
        ("the batch", len),
        ("values", first.len()),
        ("grads", second.len()),
    ]);
    for (i, (a, b)) in first.iter_mut().zip(second.iter_mut()).enumerate() {
        (*a, *b) = call(i);
    }
}

/// `call(i)` for each of `len` examples, in order.
#[cfg(feature = "alloc")]
#[inline]
pub fn collect<O>(len: usize, call: impl Fn(usize) -> O) -> alloc::vec::Vec<O> {
    (0..len).map(call).collect()
}

/// `call(i)` for each of `len` examples, split into the first and second
/// parts (values and gradients).
#[cfg(feature = "alloc")]
#[inline]
pub fn collect_pairs<A, B>(
    len: usize,
    call: impl Fn(usize) -> (A, B),
) -> (alloc::vec::Vec<A>, alloc::vec::Vec<B>) {
    (0..len).map(call).unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_lengths_pass() {
        assert_eq!(try_length(&[("x", 3), ("y", 3)]), Ok(3));
        assert_eq!(try_length(&[]), Ok(0));
    }

    #[test]
    fn different_lengths_name_every_argument() {
        let e = try_length(&[("x", 3), ("y", 4), ("z", 3)]).unwrap_err();
        assert_eq!(e.lengths(), &[("x", 3), ("y", 4), ("z", 3)]);
        let mut text = [0u8; 128];
        let mut w = Writer(&mut text, 0);
        fmt::write(&mut w, format_args!("{e}")).unwrap();
        let n = w.1;
        assert_eq!(
            core::str::from_utf8(&text[..n]).unwrap(),
            "batched arguments of different lengths: `x` has 3, `y` has 4, `z` has 3"
        );
    }

    #[test]
    #[should_panic(expected = "`the batch` has 2, `out` has 3")]
    fn fill_checks_the_output_length() {
        fill(2, &mut [0.0; 3], |i| i as f64);
    }

    /// A `fmt::Write` into a byte array (the crate has no `String` here).
    struct Writer<'a>(&'a mut [u8], usize);

    impl fmt::Write for Writer<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.1 + s.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
}
