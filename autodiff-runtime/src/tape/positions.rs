//! Values a replay rebuilds from a record's position instead of reading
//! them from the record.
//!
//! A record's position in its run (`0` for the first iteration) gives the
//! item of a loop over an integer range (`start + position`) and any
//! integer the body steps by a constant (`k += 2`: `k₀ + 2 · position`).
//! The generated replay numbers its records (`tape.iter().enumerate()`)
//! and calls [`item`], [`advanced`] or [`retreated`], so the tape keeps
//! neither.

use core::ops::{Range, RangeFrom, RangeInclusive};

/// An integer a loop counts with.
///
/// Wrapping arithmetic: the primal computed the same value by repeated
/// steps without overflowing, and the wrapping result agrees with it modulo
/// `2^bits`, so it is that value, even where `step · times` alone would
/// overflow (an `i8` counting from `-100` to `100`).
pub trait Counter: Copy {
    /// `self + step · times`.
    fn advanced(self, step: Self, times: usize) -> Self;
    /// `self − step · times`.
    fn retreated(self, step: Self, times: usize) -> Self;
}

macro_rules! counters {
    ($($t:ty),*) => {$(
        impl Counter for $t {
            #[inline(always)]
            fn advanced(self, step: Self, times: usize) -> Self {
                // `as` keeps `times` modulo 2^bits, all the product needs.
                self.wrapping_add(step.wrapping_mul(times as $t))
            }
            #[inline(always)]
            fn retreated(self, step: Self, times: usize) -> Self {
                self.wrapping_sub(step.wrapping_mul(times as $t))
            }
        }
    )*};
}

counters!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// `start + step · times`: a counter after `times` steps of `+= step`.
#[inline(always)]
pub fn advanced<T: Counter>(start: T, step: T, times: usize) -> T {
    start.advanced(step, times)
}

/// `start − step · times`: a counter after `times` steps of `-= step`.
#[inline(always)]
pub fn retreated<T: Counter>(start: T, step: T, times: usize) -> T {
    start.retreated(step, times)
}

/// An item of a range: integers, and `char`s (whose ranges skip the
/// surrogates, as `Step` does).
pub trait RangeItem: Copy {
    /// The item `times` places after `self` in a range.
    fn nth_after(self, times: usize) -> Self;
}

macro_rules! range_items {
    ($($t:ty),*) => {$(
        impl RangeItem for $t {
            #[inline(always)]
            fn nth_after(self, times: usize) -> Self {
                self.advanced(1, times)
            }
        }
    )*};
}

range_items!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

impl RangeItem for char {
    fn nth_after(self, times: usize) -> Self {
        // The loop produced this item, so it exists: the code point past
        // the surrogates (U+D800..=U+DFFF) when the step crosses them.
        let mut code = u32::from(self) + times as u32;
        if u32::from(self) < 0xD800 && code >= 0xD800 {
            code += 0x800;
        }
        char::from_u32(code).unwrap_or(self)
    }
}

/// The item of a range loop at `position`, from the range's first item.
#[inline(always)]
pub fn item<T: RangeItem>(first: T, position: usize) -> T {
    first.nth_after(position)
}

/// A range a `for` loop iterates: its first item, kept before the loop
/// consumes the range.
pub trait FirstItem {
    /// The items' type.
    type Item;
    /// The first item (the start, also when the range is empty).
    fn first_item(&self) -> Self::Item;
}

impl<T: RangeItem> FirstItem for Range<T> {
    type Item = T;
    #[inline(always)]
    fn first_item(&self) -> T {
        self.start
    }
}

impl<T: RangeItem> FirstItem for RangeInclusive<T> {
    type Item = T;
    #[inline(always)]
    fn first_item(&self) -> T {
        *self.start()
    }
}

impl<T: RangeItem> FirstItem for RangeFrom<T> {
    type Item = T;
    #[inline(always)]
    fn first_item(&self) -> T {
        self.start
    }
}

/// The first item of `range` ([`FirstItem`]).
#[inline(always)]
pub fn first_item<R: FirstItem>(range: &R) -> R::Item {
    range.first_item()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stepping `times` times agrees with the closed form, at the edges of
    /// the type too.
    #[test]
    fn counters_agree_with_repeated_steps() {
        fn check<T: Counter + PartialEq + core::fmt::Debug>(
            start: T,
            step: T,
            times: usize,
            add: impl Fn(T, T) -> T,
        ) {
            let mut k = start;
            for n in 0..times {
                assert_eq!(advanced(start, step, n), k, "after {n} steps");
                k = add(k, step);
            }
        }
        check(0usize, 1, 50, |a, b| a + b);
        check(-100i8, 1, 201, |a, b| a + b);
        check(7u8, 31, 8, |a, b| a + b);
        check(i64::MIN + 5, 3, 40, |a, b| a + b);
        let mut k = 250u8;
        for n in 0..=250 {
            assert_eq!(retreated(250u8, 1, n), k);
            k = k.saturating_sub(1);
        }
    }

    #[test]
    fn first_items_of_ranges() {
        assert_eq!(first_item(&(3..7)), 3);
        assert_eq!(first_item(&(2u8..=9)), 2);
        assert_eq!(first_item(&(5i32..)), 5);
        assert_eq!(first_item(&(4usize..4)), 4);
    }

    /// Every item of a range, rebuilt from the first and its position.
    #[test]
    fn items_from_positions() {
        for (k, c) in ('\u{D7F0}'..='\u{E010}').enumerate() {
            assert_eq!(item('\u{D7F0}', k), c);
        }
        for (k, v) in (-3i16..40).enumerate() {
            assert_eq!(item(-3i16, k), v);
        }
    }
}
