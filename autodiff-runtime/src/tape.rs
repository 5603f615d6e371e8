//! What the primal sweep keeps for the adjoint sweep: which arm of a branch
//! ran, and the partials of every iteration of a loop.
//!
//! Straight-line code keeps its partials in local variables, one `let` each.
//! Control flow needs records whose number or shape is known only at run
//! time:
//!
//! - An `if` or `match` records which arm ran, with that arm's partials, in
//!   a local of the generated code: a tuple of one `Option` per arm, `Some`
//!   for the arm that ran (not an enum, whose overlapping payloads LLVM
//!   cannot keep in registers). Its size is the sum of the arms' partials
//!   plus a flag each.
//! - A loop pushes one record per iteration onto a tape and the adjoint sweep
//!   replays the records last to first. Three strategies:
//!
//! | tape | memory | when |
//! | --- | --- | --- |
//! | [`Fixed<T, N>`] | `N × size_of::<Option<T>>()` plus a length, inline (on the stack for a local), whatever the number of iterations; more than `N` iterations panic | loops with a constant bound, `#[differentiate(tape = N)]`, builds without `alloc` |
//! | [`Growable<T>`] | one `Vec<T>` on the heap, growing by doubling: the records actually pushed (`size_of::<T>()` each), and at most as much again of spare capacity | loops without a constant bound, with the `alloc` feature |
//! | [`Counter`] | a count, whatever the bound, with or without `alloc` | loops whose replay reads nothing from their records (`()`: it computes everything again) |
//!
//! Without the `alloc` feature [`Growable`] still exists, so that generated
//! code compiles in `no_std` builds, but holds nothing: pushing a record
//! panics with a message asking for `#[differentiate(tape = N)]`.
//!
//! A loop inside another recording loop does not get a tape per run of it:
//! all its runs push onto one *flat* tape of the whole sweep, and the
//! enclosing loop's record keeps where each run's records are, a [`Run`]
//! (for a [`Counter`], how many there are, a [`Count`]).
//! Replays read them back with `tape.run(r)` (reversed for the adjoint
//! sweep). So nested loops with runtime bounds allocate one tape per loop
//! and call, not one per iteration of the loops around them.
//!
//! A loop over a container whose length the macro cannot read from the
//! signature (a local array, say) gets the tape its type calls for
//! ([`Extent`]): fixed for `[T; N]` and static nalgebra matrices, growable
//! otherwise.
//!
//! Both tapes implement [`Tape`], and both replay by reference: the adjoint
//! sweep destructures a record `&(P1, P2)` into `&P1` and `&P2` and pulls
//! through those (partials held by reference are partials, see
//! [`crate::linear`]).

/// The records one run of an inner loop pushed onto a flat tape: the
/// positions `start..end`. `Copy`, so that the enclosing loop's record holds
/// it for free.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    start: usize,
    end: usize,
}

impl Run {
    /// The records from `start` to the end of a tape that holds `len`.
    #[inline(always)]
    pub fn since(start: usize, len: usize) -> Self {
        Run { start, end: len }
    }

    /// The number of records in the run.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the run pushed no record.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A stack of records kept by a loop's primal sweep and replayed, last to
/// first, by its adjoint sweep.
pub trait Tape {
    /// The record of one iteration.
    type Record;
    /// Appends the record of one iteration.
    fn record(&mut self, item: Self::Record);
    /// The number of records.
    fn len(&self) -> usize;
    /// Whether no record was pushed.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The records, last pushed first: the order of the adjoint sweep.
    fn replay(&self) -> impl Iterator<Item = &Self::Record>;
}

/// The records of `tape`, last pushed first ([`Tape::replay`]).
#[inline(always)]
pub fn replay<Tp: Tape>(tape: &Tp) -> impl Iterator<Item = &Tp::Record> {
    tape.replay()
}

/// A tape of at most `N × M` records stored inline, without allocating.
///
/// It takes `N × M × size_of::<Option<T>>()` bytes plus a length whatever
/// the number of iterations. A [`push`](Fixed::push) onto a full tape keeps
/// nothing and marks it [`overflowed`](Fixed::overflowed): the primal sweep
/// runs to its end (its value is right), and reading the records back then
/// panics, unless the caller asked first (`try_grad`, [`TapeFull`]).
/// `M` (1 unless given) lets the capacity be a product of two constants, as
/// for a loop over the entries of an `R × C` nalgebra matrix.
#[derive(Clone, Debug)]
pub struct Fixed<T, const N: usize, const M: usize = 1> {
    items: [[Option<T>; N]; M],
    len: usize,
    overflowed: bool,
}

impl<T, const N: usize, const M: usize> Fixed<T, N, M> {
    /// An empty tape with room for `N × M` records.
    #[inline]
    pub fn new() -> Self {
        Fixed {
            items: [const { [const { None }; N] }; M],
            len: 0,
            overflowed: false,
        }
    }

    /// The number of records the tape holds when full, `N × M`.
    #[inline(always)]
    pub const fn capacity(&self) -> usize {
        N * M
    }

    /// Appends the record of one iteration; on a full tape, keeps nothing
    /// and marks it [`overflowed`](Fixed::overflowed).
    #[inline]
    pub fn push(&mut self, item: T) {
        match self.items.as_flattened_mut().get_mut(self.len) {
            Some(slot) => {
                *slot = Some(item);
                self.len += 1;
            }
            None => self.overflowed = true,
        }
    }

    /// Whether a push found the tape full: its records are incomplete.
    #[inline(always)]
    pub fn overflowed(&self) -> bool {
        self.overflowed
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

    /// The records, last pushed first: the order of the adjoint sweep.
    #[inline]
    pub fn replay(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.iter().rev()
    }

    /// The records in the order they were pushed.
    #[inline]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.run(Run::since(0, self.len))
    }

    /// The records pushed since the tape held `start`, as a [`Run`].
    #[inline(always)]
    pub fn since(&self, start: usize) -> Run {
        Run::since(start, self.len)
    }

    /// The records of one run, in the order they were pushed (`.rev()` for
    /// the adjoint sweep).
    ///
    /// # Panics
    ///
    /// When the tape [`overflowed`](Fixed::overflowed): its records are
    /// incomplete, and a replay of them would give a wrong derivative.
    #[inline]
    #[track_caller]
    pub fn run(
        &self,
        run: impl core::borrow::Borrow<Run>,
    ) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        if self.overflowed {
            fixed_tape_full(N * M);
        }
        let run = *run.borrow();
        // Slots below `len` are all `Some`.
        self.items.as_flattened()[run.start..run.end]
            .iter()
            .map(|slot| {
                slot.as_ref()
                    .expect("autodiff: fixed tape slot below its length is empty")
            })
    }

    /// Room for `additional` more records: a fixed tape has what it has.
    #[inline(always)]
    pub fn reserve(&mut self, _additional: usize) {}
}

impl<T, const N: usize, const M: usize> Default for Fixed<T, N, M> {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize, const M: usize> Tape for Fixed<T, N, M> {
    type Record = T;
    #[inline]
    #[track_caller]
    fn record(&mut self, item: T) {
        self.push(item);
    }
    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }
    #[inline]
    fn replay(&self) -> impl Iterator<Item = &T> {
        Fixed::replay(self)
    }
}

/// A loop ran more iterations than its fixed tape holds: what the fallible
/// entry points (`try_grad`, `try_value_and_grad`) return instead of
/// panicking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TapeFull;

impl core::fmt::Display for TapeFull {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(
            "autodiff: a loop ran more iterations than its fixed tape holds; \
             raise `#[differentiate(tape = N)]`, or with the `alloc` feature leave it out",
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TapeFull {}

/// Whether a tape overflowed (a fixed one whose push found it full; a
/// growable one never does). Generated code asks each of its tapes.
pub trait Overflow {
    /// Whether records were dropped.
    fn overflowed(&self) -> bool;
}

impl<T, const N: usize, const M: usize> Overflow for Fixed<T, N, M> {
    #[inline(always)]
    fn overflowed(&self) -> bool {
        self.overflowed
    }
}

/// Whether `tape` overflowed ([`Overflow`]).
#[inline(always)]
pub fn overflowed<Tp: Overflow>(tape: &Tp) -> bool {
    tape.overflowed()
}

/// `Err(TapeFull)` when a tape overflowed.
#[inline(always)]
pub fn fits(overflowed: bool) -> Result<(), TapeFull> {
    match overflowed {
        true => Err(TapeFull),
        false => Ok(()),
    }
}

/// The result, or a panic with [`TapeFull`]'s message: `value_and_grad`
/// (and `grad`) made from `try_value_and_grad`.
#[inline(always)]
#[track_caller]
pub fn unwrap_fits<T>(result: Result<T, TapeFull>) -> T {
    match result {
        Ok(value) => value,
        Err(_) => tape_overflowed(),
    }
}

/// Panics with [`TapeFull`]'s message when a tape overflowed: what the
/// infallible entry points (`vjp`, the Jacobians, ..) do.
#[inline(always)]
#[track_caller]
pub fn assert_fits(overflowed: bool) {
    if overflowed {
        tape_overflowed();
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn tape_overflowed() -> ! {
    panic!("{}", TapeFull)
}

#[cold]
#[inline(never)]
#[track_caller]
fn fixed_tape_full(n: usize) -> ! {
    panic!(
        "autodiff: a loop ran more iterations than its fixed tape holds ({n}); \
         raise `#[differentiate(tape = N)]`, or with the `alloc` feature leave it out \
         (loops without a constant bound then grow their tape on the heap)"
    )
}

/// A tape that grows with the number of iterations: one `Vec` with the
/// `alloc` feature.
///
/// It takes the records actually pushed, `size_of::<T>()` each, in one heap
/// block that grows by doubling. Without the `alloc` feature the type exists
/// but holds nothing, and [`push`](Growable::push) panics.
///
/// With the `std` feature its storage comes from, and goes back to, the
/// thread's [`spares`], so repeated calls reuse it instead of allocating.
/// Records are therefore `'static` (they are owned partials and values).
#[derive(Debug)]
pub struct Growable<T: 'static> {
    #[cfg(feature = "alloc")]
    items: alloc::vec::Vec<T>,
    #[cfg(not(feature = "alloc"))]
    items: core::marker::PhantomData<T>,
}

/// The most records [`Growable::for_iterations`] reserves up front.
pub const PREALLOCATED: usize = 4096;

impl<T: 'static> Overflow for Growable<T> {
    /// Never: it grows (without `alloc`, its push panics instead).
    #[inline(always)]
    fn overflowed(&self) -> bool {
        false
    }
}

mod counter;
mod extent;
pub mod kept;
pub mod positions;
#[cfg(feature = "std")]
pub mod spares;

pub use counter::{Count, Counter, Units};
pub use extent::{sized_like, Extent, Shape};

#[cfg(feature = "alloc")]
impl<T: 'static> Growable<T> {
    /// An empty tape: a spare one of this thread's with `std`, else one that
    /// allocates on the first push.
    #[inline]
    pub fn new() -> Self {
        Self::with_room(0)
    }

    /// An empty tape, spare with room for `n` records if the thread has one.
    #[inline]
    fn with_room(_n: usize) -> Self {
        #[cfg(feature = "std")]
        let items = spares::take(_n);
        #[cfg(not(feature = "std"))]
        let items = alloc::vec::Vec::new();
        Growable { items }
    }

    /// An empty tape with room for `n` records before it reallocates.
    #[inline]
    pub fn with_capacity(n: usize) -> Self {
        let mut tape = Self::new();
        tape.items.reserve(n);
        tape
    }

    /// A copy of `x` ([`kept::keep`]): a tape of its elements, from the
    /// spares like any other.
    #[inline]
    pub fn copied_from(x: &[T]) -> Self
    where
        T: Clone,
    {
        let mut tape = Self::with_room(x.len());
        tape.items.extend_from_slice(x);
        tape
    }

    /// An empty tape for a loop that runs at most about `n` iterations (a
    /// `for` loop's `size_hint`): room for up to [`PREALLOCATED`] records
    /// at once, so a loop that breaks early does not reserve a long range's
    /// worth of memory.
    #[inline]
    pub fn for_iterations(n: usize) -> Self {
        Self::with_capacity(n.min(PREALLOCATED))
    }

    /// Appends the record of one iteration.
    #[inline]
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// The number of records.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no record was pushed.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The records, last pushed first: the order of the adjoint sweep.
    #[inline]
    pub fn replay(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter().rev()
    }

    /// The records in the order they were pushed.
    #[inline]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter()
    }

    /// The record at `i` (the `i`th pushed).
    ///
    /// # Panics
    ///
    /// When `i` is not below [`len`](Self::len).
    #[inline(always)]
    #[track_caller]
    pub fn get(&self, i: usize) -> &T {
        &self.items[i]
    }

    /// The records pushed since the tape held `start`, as a [`Run`].
    #[inline(always)]
    pub fn since(&self, start: usize) -> Run {
        Run::since(start, self.items.len())
    }

    /// The records of one run, in the order they were pushed (`.rev()` for
    /// the adjoint sweep).
    #[inline]
    pub fn run(
        &self,
        run: impl core::borrow::Borrow<Run>,
    ) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        let run = *run.borrow();
        self.items[run.start..run.end].iter()
    }

    /// Room for at least `additional` more records (a run of an inner loop
    /// about to start), growing by doubling at least.
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        self.items.reserve(additional.min(PREALLOCATED));
    }
}

/// A slice argument kept for a replay (`tape::kept::keep`) is read as the
/// slice was: `x[i]`, `x[a..b]`.
impl<T: 'static, I: core::slice::SliceIndex<[T]>> core::ops::Index<I> for Growable<T> {
    type Output = I::Output;
    #[inline(always)]
    #[track_caller]
    fn index(&self, i: I) -> &I::Output {
        #[cfg(feature = "alloc")]
        return &self.items[i];
        #[cfg(not(feature = "alloc"))]
        {
            let _ = i;
            growable_tape_without_alloc()
        }
    }
}

#[cfg(not(feature = "alloc"))]
impl<T: 'static> Growable<T> {
    /// An empty tape (without `alloc`, one that cannot hold records).
    #[inline]
    pub const fn new() -> Self {
        Growable {
            items: core::marker::PhantomData,
        }
    }

    /// An empty tape; without `alloc` the capacity is ignored.
    #[inline]
    pub fn with_capacity(_n: usize) -> Self {
        Self::new()
    }

    /// An empty tape; without `alloc` the iteration count is ignored.
    #[inline]
    pub fn for_iterations(_n: usize) -> Self {
        Self::new()
    }

    /// Without the `alloc` feature there is nowhere to keep a record.
    ///
    /// # Panics
    ///
    /// Always: a loop with a tape of this kind ran an iteration.
    #[inline]
    #[track_caller]
    pub fn push(&mut self, _item: T) {
        growable_tape_without_alloc()
    }

    /// Panics: a copy of a slice ([`kept::keep`]) needs `alloc`, as the
    /// loop whose replay reads it does.
    #[inline]
    #[track_caller]
    pub fn copied_from(_x: &[T]) -> Self
    where
        T: Clone,
    {
        growable_tape_without_alloc()
    }

    /// Never returns: nothing is kept without `alloc`.
    #[inline]
    #[track_caller]
    pub fn get(&self, _i: usize) -> &T {
        growable_tape_without_alloc()
    }

    /// The number of records: always `0` without `alloc`.
    #[inline(always)]
    pub fn len(&self) -> usize {
        0
    }

    /// Whether no record was pushed: always `true` without `alloc`.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        true
    }

    /// The records, last pushed first: none without `alloc`.
    #[inline]
    pub fn replay(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        core::iter::empty()
    }

    /// The records in the order they were pushed: none without `alloc`.
    #[inline]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        core::iter::empty()
    }

    /// An empty run: nothing is kept without `alloc`.
    #[inline(always)]
    pub fn since(&self, start: usize) -> Run {
        Run::since(start, start)
    }

    /// The records of a run: none without `alloc`.
    #[inline]
    pub fn run(
        &self,
        _run: impl core::borrow::Borrow<Run>,
    ) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        core::iter::empty()
    }

    /// Nothing to reserve without `alloc`.
    #[inline(always)]
    pub fn reserve(&mut self, _additional: usize) {}
}

#[cfg(not(feature = "alloc"))]
#[cold]
#[inline(never)]
#[track_caller]
fn growable_tape_without_alloc() -> ! {
    panic!(
        "autodiff: this loop has no constant bound and the `alloc` feature is off; \
         give its tape a capacity with `#[differentiate(tape = N)]`"
    )
}

#[cfg(feature = "std")]
impl<T: 'static> Drop for Growable<T> {
    #[inline]
    fn drop(&mut self) {
        spares::give(core::mem::take(&mut self.items));
    }
}

impl<T: Clone + 'static> Clone for Growable<T> {
    fn clone(&self) -> Self {
        let mut tape = Self::with_capacity(self.len());
        for item in self.iter() {
            tape.push(item.clone());
        }
        tape
    }
}

impl<T: 'static> Default for Growable<T> {
    #[inline]
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> Tape for Growable<T> {
    type Record = T;
    #[inline]
    #[track_caller]
    fn record(&mut self, item: T) {
        self.push(item);
    }
    #[inline(always)]
    fn len(&self) -> usize {
        Growable::len(self)
    }
    #[inline]
    fn replay(&self) -> impl Iterator<Item = &T> {
        Growable::replay(self)
    }
}

#[cfg(test)]
mod tests;
