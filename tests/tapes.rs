//! Tape storage of loops in reverse mode (see `docs/control_flow.md`):
//! `#[differentiate(tape = N)]` gives a loop without a constant bound a
//! fixed-capacity tape that allocates nothing and panics, naming the
//! attribute, when a loop runs longer (or, from `try_grad` and
//! `try_value_and_grad`, returns `TapeFull`); without it the tape is a growable
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

/// A larger fixed tape (its gradient has both sweeps in one body).
#[differentiate(tape = 100)]
fn halve_until_fixed(x: f64, floor: f64) -> f64 {
    let mut y = x;
    while y > floor {
        y = 0.5 * y + 0.1 * y.sin();
    }
    y
}

/// A loop inside a branch: its tape goes into the branch's record.
#[differentiate(tape = 4)]
fn maybe_square_until(x: f64, limit: f64, square: bool) -> f64 {
    let mut y = x;
    if square {
        while y < limit {
            y = y * y;
        }
    }
    y
}

#[test]
fn try_grad_reports_an_overflow_instead_of_panicking() {
    // Within the capacity, the same as `grad`.
    assert_eq!(
        square_until_fixed::try_grad(1.5, 10.0),
        Ok(square_until_fixed::grad(1.5, 10.0))
    );
    assert_eq!(
        square_until_fixed::try_value_and_grad(1.5, 10.0),
        Ok(square_until_fixed::value_and_grad(1.5, 10.0))
    );
    // 28 squarings do not fit in 16 records.
    let err = square_until_fixed::try_grad(1.000_000_1, 1e6).unwrap_err();
    assert_eq!(err, autodiff::tape::TapeFull);
    assert!(
        err.to_string().contains("#[differentiate(tape = N)]"),
        "{err}"
    );
    assert!(square_until_fixed::try_value_and_grad(1.000_000_1, 1e6).is_err());
    // And without allocating, either way.
    let info = allocation_counter::measure(|| {
        std::hint::black_box(square_until_fixed::try_grad(1.000_000_1, 1e6).is_err());
        std::hint::black_box(square_until_fixed::try_grad(1.5, 10.0).is_ok());
    });
    assert_eq!(info.count_total, 0);
    // The large tape's single-body gradient does the same.
    assert!(halve_until_fixed::try_grad(1.0, 0.5).is_ok());
    assert!(halve_until_fixed::try_grad(1e300, 1e-300).is_err());
}

#[test]
fn try_grad_of_a_loop_inside_a_branch() {
    // The loop records onto a flat tape the sweep declares at its top, so
    // its overflow is seen before any replay.
    assert_eq!(
        maybe_square_until::try_grad(1.5, 3.0, true),
        Ok(maybe_square_until::grad(1.5, 3.0, true))
    );
    assert_eq!(
        maybe_square_until::try_grad(0.5, 1e9, false),
        Ok((1.0, 0.0))
    );
    assert_eq!(
        maybe_square_until::try_grad(1.000_000_1, 1e6, true),
        Err(autodiff::tape::TapeFull)
    );
}

#[test]
#[should_panic(expected = "#[differentiate(tape = N)]")]
fn grad_of_an_overflowing_loop_inside_a_branch_panics() {
    maybe_square_until::grad(1.000_000_1, 1e6, true);
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
