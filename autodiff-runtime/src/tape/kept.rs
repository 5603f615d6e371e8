//! Values a replay reads again instead of from its loop's records.
//!
//! - An argument passed by reference and read inside loops at indices the
//!   replay rebuilds (`icf[lt]` in GMM's triangular product) is kept whole,
//!   once per call ([`keep`]): the pullback owns what it reads, and reads it
//!   there rather than from a record per iteration.
//! - A value the body of a loop computes from values outside it alone
//!   (`xc[i]` inside the loop over `j`) is the same in every iteration: the
//!   primal sweep keeps its first iteration's ([`keep_first`]) in the
//!   enclosing record, once per run, and the replay takes it from there
//!   ([`kept`]).

/// What [`keep`] makes of an argument passed by reference: a copy the
/// pullback owns. An array is copied as it is; a slice into a
/// [`Growable`](super::Growable), whose storage comes from the thread's
/// spares like a tape's, so repeated calls do not allocate.
pub trait Keep {
    /// The owned copy.
    type Kept;
    /// Copies `self`.
    fn keep(&self) -> Self::Kept;
}

impl<T: Clone, const N: usize> Keep for [T; N] {
    type Kept = [T; N];
    #[inline]
    fn keep(&self) -> [T; N] {
        self.clone()
    }
}

/// Without `alloc` the copy panics, naming `tape = N`, as the growing tape
/// of the loop that reads it would.
impl<T: Clone + 'static> Keep for [T] {
    type Kept = super::Growable<T>;
    #[inline]
    fn keep(&self) -> super::Growable<T> {
        super::Growable::copied_from(self)
    }
}

/// An owned copy of an argument the replay reads ([`Keep`]).
#[inline]
pub fn keep<T: Keep + ?Sized>(x: &T) -> T::Kept {
    x.keep()
}

/// The value kept for a loop's run: the first iteration's (`kept` is
/// `None` before it). A clone once per run, not per iteration.
#[inline(always)]
pub fn keep_first<T: Clone>(kept: Option<T>, value: &T) -> Option<T> {
    match kept {
        Some(kept) => Some(kept),
        None => Some(value.clone()),
    }
}

/// The value [`keep_first`] kept, read by the replay of a run: a replay
/// iterates once per record, so the run had an iteration and kept it.
///
/// # Panics
///
/// On `None`: a run without iterations has no records to replay, so the
/// generated code never asks.
#[inline(always)]
#[track_caller]
pub fn kept<T: Clone>(kept: &Option<T>) -> T {
    match kept {
        Some(value) => value.clone(),
        None => panic!("a loop's replay read a value its run did not keep"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_value_is_kept() {
        let mut k = None;
        for v in [3.0, 4.0, 5.0] {
            k = keep_first(k, &v);
        }
        assert_eq!(kept(&k), 3.0);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn slices_and_arrays_are_copied() {
        use crate::rules::index;
        let x: &[f64] = &[1.0, 2.0];
        let k = keep(x);
        assert_eq!(
            k.iter().copied().collect::<alloc::vec::Vec<_>>(),
            [1.0, 2.0]
        );
        assert_eq!(index(&k, &1).0, 2.0);
        assert_eq!(keep(&[1.5f64; 3]), [1.5; 3]);
    }
}
