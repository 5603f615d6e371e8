use super::*;
use crate::linear::pull;

/// Records 1..=n on a tape and replays them through the generic API.
fn fill<Tp: Tape<Record = u32>>(tape: &mut Tp, n: u32) {
    assert!(tape.is_empty());
    for k in 1..=n {
        tape.record(k);
    }
    assert_eq!(tape.len(), n as usize);
    let replayed: [u32; 3] = {
        let mut it = replay(tape);
        core::array::from_fn(|_| it.next().copied().unwrap_or(0))
    };
    assert_eq!(replayed, [n, n - 1, n - 2]);
}

#[test]
fn fixed_replays_last_to_first() {
    let mut tape = Fixed::<u32, 4>::new();
    assert_eq!(tape.capacity(), 4);
    assert!(tape.is_empty());
    assert_eq!(tape.replay().next(), None);
    tape.push(1);
    tape.push(2);
    tape.push(3);
    assert_eq!(tape.len(), 3);
    assert!(!tape.is_empty());
    assert!(tape.replay().copied().eq([3, 2, 1]));
    assert!(tape.iter().copied().eq([1, 2, 3]));
    assert_eq!(tape.replay().len(), 3);
    fill(&mut Fixed::<u32, 5>::default(), 5);
}

#[test]
fn fixed_needs_no_copy_or_default() {
    // A record type that is neither `Copy` nor `Default`.
    #[derive(Clone, Debug, PartialEq)]
    struct Rec(f64, [f64; 2]);
    let mut tape = Fixed::<(Option<Rec>, Option<(f64,)>), 3>::new();
    tape.push((Some(Rec(1.0, [2.0, 3.0])), None));
    tape.push((None, Some((4.0,))));
    let copy = tape.clone();
    let firsts: [f64; 2] = {
        let mut it = copy.replay().map(|r| match r {
            (Some(Rec(a, _)), _) => *a,
            (_, Some((b,))) => *b,
            (None, None) => f64::NAN,
        });
        [it.next().unwrap(), it.next().unwrap()]
    };
    assert_eq!(firsts, [4.0, 1.0]);
}

#[test]
#[should_panic(expected = "fixed tape holds (2); raise `#[differentiate(tape = N)]`")]
fn fixed_panics_when_replayed_after_overflowing() {
    let mut tape = Fixed::<f64, 2>::new();
    tape.push(1.0);
    tape.push(2.0);
    assert!(!tape.overflowed());
    tape.push(3.0);
    assert!(tape.overflowed());
    assert_eq!(tape.len(), 2);
    tape.replay().count();
}

#[test]
fn zero_capacity_fixed_tape() {
    let tape = Fixed::<f64, 0>::new();
    assert!(tape.is_empty());
    assert_eq!(tape.replay().count(), 0);
}

#[cfg(feature = "alloc")]
#[test]
fn growable_replays_last_to_first() {
    let mut tape = Growable::new();
    assert!(tape.is_empty());
    for k in 0..100_u32 {
        tape.push(k);
    }
    assert_eq!(tape.len(), 100);
    assert!(tape.replay().copied().eq((0..100).rev()));
    assert!(tape.iter().copied().eq(0..100));
    fill(&mut Growable::with_capacity(2), 7);
    fill(&mut Growable::for_iterations(usize::MAX), 3);
}

#[cfg(not(feature = "alloc"))]
#[test]
#[should_panic(expected = "the `alloc` feature is off")]
fn growable_without_alloc_panics() {
    let mut tape = Growable::new();
    assert_eq!(tape.replay().count(), 0);
    tape.push(1.0_f64);
}

/// The adjoint of a loop `y = x; for k in 0..n { y = y * a_k }`, with
/// the partials `a_k` taped and replayed: `∂y/∂x = Π a_k`.
fn loop_adjoint<Tp: Tape<Record = (f64,)>>(tape: &mut Tp, x: f64, factors: &[f64]) -> f64 {
    let mut y = x;
    for &a in factors {
        let (value, partials) = (y * a, (a,));
        y = value;
        tape.record(partials);
    }
    assert!(y.is_finite());
    let mut g = 1.0;
    for rec in tape.replay() {
        let (p,) = rec;
        g = pull(&p, &g);
    }
    g
}

#[test]
fn taped_loop_gives_the_product_rule() {
    let factors = [1.5, -2.0, 0.25, 3.0];
    let expected: f64 = factors.iter().product();
    let mut fixed = Fixed::<(f64,), 4>::new();
    assert_eq!(loop_adjoint(&mut fixed, 0.7, &factors), expected);
    #[cfg(feature = "alloc")]
    {
        let mut growable = Growable::new();
        assert_eq!(loop_adjoint(&mut growable, 0.7, &factors), expected);
    }
}
