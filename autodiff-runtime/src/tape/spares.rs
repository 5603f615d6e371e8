//! Spare tape storage, kept per thread and reused by the next call (with
//! the `std` feature).
//!
//! A growable tape takes its `Vec` from here when it is created and gives
//! it back, emptied but with its capacity, when it is dropped. So a gradient
//! called again and again (an optimisation loop) allocates tapes only on its
//! first call: later calls find storage of the right type and size waiting,
//! however long their loops run and however many calls of other
//! differentiated functions they make. This is the workspace that
//! Enzyme's and Tapenade's callers manage by hand, kept automatically.
//!
//! The spares of a thread hold what its largest gradient so far needed at
//! once; [`release`] frees them. The `autodiff` crate's documentation shows
//! an optimisation loop that, after its first step, allocates nothing.
//!
//! ```
//! use autodiff_runtime::tape::{spares, Growable};
//!
//! let mut tape = Growable::new();
//! for k in 0..1000 {
//!     tape.push(k as f64);
//! }
//! drop(tape); // its storage becomes a spare of this thread
//! assert!(spares::retained_bytes() >= 1000 * 8);
//! let again: Growable<f64> = Growable::new(); // takes it back
//! assert_eq!(spares::retained_bytes(), 0);
//! drop(again);
//! spares::release();
//! assert_eq!(spares::retained_bytes(), 0);
//! ```

use core::any::{Any, TypeId};
use core::cell::RefCell;
use std::boxed::Box;
use std::vec::Vec;

/// The spare tapes of one record type `T`.
struct Kind {
    ty: TypeId,
    /// A `Vec<Vec<T>>` of empty tapes.
    tapes: Box<dyn Any>,
    /// Their bytes (`bytes_of::<T>`).
    bytes: fn(&dyn Any) -> usize,
}

std::thread_local! {
    static SPARES: RefCell<Vec<Kind>> = const { RefCell::new(Vec::new()) };
}

/// An empty `Vec` for records of type `T`: a spare one if the thread has
/// one (the last given back with room for `room` records, else the last
/// given back), else a new one (which does not allocate until used).
#[inline]
pub(super) fn take<T: 'static>(room: usize) -> Vec<T> {
    SPARES
        .try_with(|spares| {
            let mut spares = spares.try_borrow_mut().ok()?;
            let at = spares.iter().position(|k| k.ty == TypeId::of::<T>())?;
            // The kinds taken most move to the front, so that the search
            // stays short in a program with many differentiated loops.
            let at = match at {
                0 => 0,
                _ => {
                    spares.swap(at, at - 1);
                    at - 1
                }
            };
            let tapes = spares[at].tapes.downcast_mut::<Vec<Vec<T>>>()?;
            // Copies of slices (`kept::keep`) of several lengths share a
            // type: each takes one it fits in, not one it would outgrow.
            let fits = tapes.iter().rposition(|t| t.capacity() >= room);
            let last = tapes.len().checked_sub(1)?;
            Some(tapes.swap_remove(fits.unwrap_or(last)))
        })
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Keeps `items`' storage for the next tape of its type.
#[inline]
pub(super) fn give<T: 'static>(mut items: Vec<T>) {
    if items.capacity() == 0 {
        return;
    }
    // Dropping the records first may give back tapes they hold (the
    // pullbacks of calls): no borrow of the spares is held meanwhile.
    items.clear();
    // During thread teardown the spares may be gone: then `items` is freed.
    let _ = SPARES.try_with(|spares| {
        let Ok(mut spares) = spares.try_borrow_mut() else {
            return;
        };
        let ty = TypeId::of::<T>();
        let index = match spares.iter().position(|k| k.ty == ty) {
            Some(index) => index,
            None => {
                spares.push(Kind {
                    ty,
                    tapes: Box::new(Vec::<Vec<T>>::new()),
                    bytes: bytes_of::<T>,
                });
                spares.len() - 1
            }
        };
        if let Some(tapes) = spares[index].tapes.downcast_mut::<Vec<Vec<T>>>() {
            tapes.push(items);
        }
    });
}

/// Frees this thread's spare tapes; the next gradient allocates afresh.
pub fn release() {
    // Moved out before dropping, so that no borrow is held while they drop.
    let spares = SPARES.try_with(|spares| spares.take()).unwrap_or_default();
    drop(spares);
}

/// The bytes of storage this thread's spare tapes hold (their capacity
/// times the record size): after a gradient call, what its growable tapes
/// took at most.
pub fn retained_bytes() -> usize {
    SPARES
        .try_with(|spares| {
            spares
                .borrow()
                .iter()
                .map(|kind| (kind.bytes)(kind.tapes.as_ref()))
                .sum()
        })
        .unwrap_or(0)
}

/// The bytes of the tapes in a `Vec<Vec<T>>`, erased.
fn bytes_of<T: 'static>(tapes: &dyn Any) -> usize {
    tapes.downcast_ref::<Vec<Vec<T>>>().map_or(0, |tapes| {
        tapes
            .iter()
            .map(|t| t.capacity() * core::mem::size_of::<T>())
            .sum()
    })
}
