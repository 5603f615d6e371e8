//! The tape of a loop whose records hold nothing: a count.
//!
//! When a replay computes everything it needs again (its counters and
//! indices from the record's position, the markers of sums, products of
//! arguments' elements), a loop's record is `()`, and all the tape has to
//! say is how many iterations ran. A `Vec<()>` would say it too, without
//! allocating, but every push tests its length against the capacity and
//! may call the code that grows it, so the length stays in memory across
//! the loop; a plain count has no call on the way and lives in a
//! register. In GMM's triangular product (`qxc[j] += icf[lt] * xc[i]`,
//! records of two `Identity` markers before they were rebuilt) those
//! pushes were a sixth of the gradient's time. A counter needs no
//! allocator either: such loops differentiate without `alloc` whatever
//! their bound.

/// A tape of empty records: how many were pushed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    len: usize,
}

impl Counter {
    /// An empty tape.
    #[inline(always)]
    pub const fn new() -> Self {
        Counter { len: 0 }
    }

    /// Counts the (empty) record of one iteration.
    #[inline(always)]
    pub fn push(&mut self, _record: ()) {
        self.len += 1;
    }

    /// The number of records.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no record was pushed.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records in the order they were pushed.
    #[inline(always)]
    pub fn iter(&self) -> Units {
        Units { left: self.len }
    }

    /// How many records were pushed since the tape held `start`: all a
    /// run of empty records is (half a [`Run`](super::Run) in the
    /// enclosing record).
    #[inline(always)]
    pub fn since(&self, start: usize) -> Count {
        Count(self.len - start)
    }

    /// The records of one run.
    #[inline(always)]
    pub fn run(&self, run: impl core::borrow::Borrow<Count>) -> Units {
        Units {
            left: run.borrow().0,
        }
    }

    /// Nothing to reserve: a count needs no room.
    #[inline(always)]
    pub fn reserve(&mut self, _additional: usize) {}
}

impl super::Overflow for Counter {
    /// Never.
    #[inline(always)]
    fn overflowed(&self) -> bool {
        false
    }
}

/// The number of records in one run of a [`Counter`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count(usize);

/// The empty records of a [`Counter`] or of one of its runs.
#[derive(Clone, Debug)]
pub struct Units {
    left: usize,
}

impl Iterator for Units {
    type Item = &'static ();

    #[inline(always)]
    fn next(&mut self) -> Option<&'static ()> {
        self.left = self.left.checked_sub(1)?;
        Some(&())
    }

    #[inline(always)]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for Units {
    #[inline(always)]
    fn next_back(&mut self) -> Option<&'static ()> {
        self.next()
    }
}

impl ExactSizeIterator for Units {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_runs_and_replays_them() {
        let mut tape = Counter::new();
        assert!(tape.is_empty());
        tape.push(());
        let start = tape.len();
        for _ in 0..3 {
            tape.push(());
        }
        let run = tape.since(start);
        assert_eq!(tape.len(), 4);
        assert_eq!(tape.run(run).len(), 3);
        assert_eq!(
            tape.run(run)
                .enumerate()
                .rev()
                .map(|(k, _)| k)
                .sum::<usize>(),
            3
        );
        assert_eq!(tape.iter().count(), 4);
    }
}
