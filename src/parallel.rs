//! The multi-core loops of `#[vectorize]`'s `batched_par` forms (the
//! `parallel` feature): the runtime's `batch` loops on rayon's thread pool.
//! Results come back in the batch's order, each the plain call's, bit for
//! bit: every example is computed by one call, whichever thread runs it.

use alloc::vec::Vec;

use autodiff_runtime::batch::length;
use rayon::prelude::*;

/// `call(i)` for each of `len` examples, in order, on all cores.
#[inline]
pub fn collect<O: Send>(len: usize, call: impl Fn(usize) -> O + Sync + Send) -> Vec<O> {
    (0..len).into_par_iter().map(call).collect()
}

/// `call(i)` for each example on all cores, split into its two parts.
#[inline]
pub fn collect_pairs<A: Send, B: Send>(
    len: usize,
    call: impl Fn(usize) -> (A, B) + Sync + Send,
) -> (Vec<A>, Vec<B>) {
    (0..len).into_par_iter().map(call).unzip()
}

/// Writes `call(i)` into `out[i]` on all cores.
#[inline]
#[track_caller]
pub fn fill<O: Send>(len: usize, out: &mut [O], call: impl Fn(usize) -> O + Sync + Send) {
    length(&[("the batch", len), ("out", out.len())]);
    out.par_iter_mut()
        .enumerate()
        .for_each(|(i, slot)| *slot = call(i));
}

/// Writes the two parts of `call(i)` into `first[i]` and `second[i]` on
/// all cores.
#[inline]
#[track_caller]
pub fn fill_pairs<A: Send, B: Send>(
    len: usize,
    (first, second): (&mut [A], &mut [B]),
    call: impl Fn(usize) -> (A, B) + Sync + Send,
) {
    length(&[
        ("the batch", len),
        ("values", first.len()),
        ("grads", second.len()),
    ]);
    first
        .par_iter_mut()
        .zip(second.par_iter_mut())
        .enumerate()
        .for_each(|(i, (a, b))| (*a, *b) = call(i));
}
