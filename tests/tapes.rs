//! Tape storage of loops in reverse mode (see `docs/control_flow.md`):
//! `#[differentiate(tape = N)]` gives a loop without a constant bound a
//! fixed-capacity tape that allocates nothing and panics, naming the
//! attribute, when a loop runs longer; without it the tape is a growable
//! `Vec`. Both give the derivative of the same loop, checked against the
//! closed form of `x^(2^k)` iterated squaring.

use autodiff::prelude::*;

/// Squares `x` until it exceeds `limit`: `x^(2^k)` with `k` the number of
/// iterations, which depends on the value.
#[differentiate(tape = 16)]
fn square_until_fixed(x: f64, limit: f64) -> f64 {
    let mut y = x;
    while y < limit {
        y = y * y;
    }
    y
}

/// The same loop with a growable tape.
#[differentiate(wrt(x))]
fn square_until_growable(x: f64, limit: f64) -> f64 {
    let mut y = x;
    while y < limit {
        y = y * y;
    }
    y
}

/// `d/dx x^(2^k) = 2^k x^(2^k - 1)`, with `k` the iterations for `x`.
fn closed_form(x: f64, limit: f64) -> (f64, f64) {
    let (mut y, mut k) = (x, 0);
    while y < limit {
        y *= y;
        k += 1;
    }
    let p = 2f64.powi(k);
    (y, p * x.powf(p - 1.0))
}

#[test]
fn fixed_and_growable_tapes_agree_with_the_closed_form() {
    for (x, limit) in [(1.5, 10.0), (1.1, 1e3), (1.01, 1e6), (3.0, 2.0)] {
        let (y, dy) = closed_form(x, limit);
        let (v1, (g1, _)) = square_until_fixed::value_and_grad(x, limit);
        let (v2, g2) = square_until_growable::value_and_grad(x, limit);
        assert_eq!((v1, v2), (y, y));
        for g in [g1, g2] {
            assert!((g - dy).abs() <= 1e-12 * dy.abs(), "{g} vs {dy} at {x}");
        }
        let (_, t) = square_until_fixed::jvp((x, limit), (1.0, 0.0));
        assert!((t - dy).abs() <= 1e-12 * dy.abs(), "jvp {t} vs {dy}");
    }
}

#[test]
fn fixed_tape_allocates_nothing() {
    let info = allocation_counter::measure(|| {
        std::hint::black_box(square_until_fixed::grad(1.01, 1e6));
    });
    assert_eq!(info.count_total, 0);
}

#[test]
#[should_panic(expected = "#[differentiate(tape = N)]")]
fn fixed_tape_overflow_names_the_attribute() {
    // 1.0000001 needs 28 squarings to pass 1e6, more than the 16 records kept.
    square_until_fixed::grad(1.000_000_1, 1e6);
}

#[test]
fn forward_mode_keeps_no_tape() {
    // One JVP carries tangents along with the values: even a loop without a
    // constant bound (whose reverse mode needs a growable tape) allocates
    // nothing.
    let info = allocation_counter::measure(|| {
        std::hint::black_box(square_until_growable::jvp((1.01, 1e6), (1.0,)));
    });
    assert_eq!(info.count_total, 0);
    let (y, dy) = closed_form(1.01, 1e6);
    let (v, t) = square_until_growable::jvp((1.01, 1e6), (1.0,));
    assert_eq!(v, y);
    assert!((t - dy).abs() <= 1e-12 * dy.abs(), "{t} vs {dy}");
}
