//! Bit-for-bit agreement of `autodiff::random` with JAX.
//!
//! The expected values come from JAX itself: `scripts/jax_random_vectors.py`
//! wrote `tests/data/jax_random_vectors.txt` (its header names the JAX
//! version), and the JAX tutorial's printed numbers are checked separately.
//! No Python is needed to run these tests.

use autodiff::random::{Key, Layout};

const VECTORS: &str = include_str!("data/jax_random_vectors.txt");

/// Largest accepted distance from JAX for normal draws, in units in the last
/// place. XLA's `erf_inv` kernel is reproduced operation by operation, so the
/// bits are equal (see `docs/random.md`).
const NORMAL_ULP_TOLERANCE: u64 = 0;

/// One line of the vectors file.
struct Case<'a> {
    line: &'a str,
    key: Key,
    op: &'a str,
    len: usize,
    args: Vec<&'a str>,
    values: Vec<&'a str>,
}

fn derive(key: Key, path: &str) -> Key {
    if path == "-" {
        return key;
    }
    path.split(',')
        .fold(key, |key, step| match step.as_bytes()[0] {
            b's' => {
                let (n, i) = step[1..].split_once('.').unwrap();
                let mut keys = vec![key; n.parse().unwrap()];
                key.split_into(&mut keys);
                keys[i.parse::<usize>().unwrap()]
            }
            b'f' => key.fold_in(step[1..].parse().unwrap()),
            _ => panic!("bad path step {step}"),
        })
}

fn cases() -> impl Iterator<Item = Case<'static>> {
    VECTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (head, values) = line.split_once(" = ").expect("' = ' separator");
            let mut t = head.split_whitespace();
            let layout = match t.next().unwrap() {
                "L" => Layout::Legacy,
                "P" => Layout::Partitionable,
                other => panic!("bad layout {other}"),
            };
            let seed: u64 = t.next().unwrap().parse().unwrap();
            let key = derive(Key::with_layout(seed, layout), t.next().unwrap());
            let op = t.next().unwrap();
            let len = t
                .next()
                .unwrap()
                .split('x')
                .map(|d| d.parse::<usize>().unwrap())
                .product();
            Case {
                line,
                key,
                op,
                len,
                args: t.collect(),
                values: values.split_whitespace().collect(),
            }
        })
}

fn hex32(s: &str) -> u32 {
    u32::from_str_radix(s, 16).unwrap()
}

fn hex64(s: &str) -> u64 {
    u64::from_str_radix(s, 16).unwrap()
}

/// Distance in ulps between two floats of the same sign convention (ordered
/// by their bit patterns, with negative numbers mirrored).
fn ulps(a: i128, b: i128) -> u64 {
    (a - b).unsigned_abs() as u64
}

fn ord32(x: f32) -> i128 {
    let b = x.to_bits() as i32;
    i128::from(if b < 0 { i32::MIN - b } else { b })
}

fn ord64(x: f64) -> i128 {
    let b = x.to_bits() as i64;
    i128::from(if b < 0 { i64::MIN - b } else { b })
}

/// Runs `check` on every case whose op is in `ops`; returns how many ran.
fn run(ops: &[&str], mut check: impl FnMut(&Case)) -> usize {
    let mut n = 0;
    for case in cases().filter(|c| ops.contains(&c.op)) {
        check(&case);
        n += 1;
    }
    assert!(n > 0, "no vectors for {ops:?}");
    n
}

/// The tutorial example's section, `examples/tutorial/rng.rs`.
#[path = "../examples/tutorial/rng.rs"]
mod rng;

#[test]
fn tutorial_numbers() {
    // The JAX tutorial (written before JAX 0.5, so the legacy layout) prints
    // A, B (the same key again), then C and D after a split, with numpy's
    // formatting: this is its text.
    let want = "
== Random numbers: keys are values, split them for new randomness ==
A: [[ 1.8160863  -0.75488514]
 [ 0.33988908 -0.53483534]]
B: [[ 1.8160863  -0.75488514]
 [ 0.33988908 -0.53483534]]
C: [[ 0.13893168  1.370668  ]
 [-0.53116107  0.02033782]]
D: [[ 1.1378784  -0.14331433]
 [-0.59153634  0.79466224]]
";
    assert_eq!(rng::report(), want);
    rng::run();

    // Values whose shortest representation has at most 8 decimals are exact.
    let key = Key::legacy(0);
    let mut a = [0.0f32; 4];
    key.normal_fill(&mut a);
    assert_eq!(a, [1.8160863, -0.75488514, 0.33988908, -0.53483534]);
    let (_, subkey) = key.split();
    subkey.normal_fill(&mut a);
    assert_eq!(a, [1.1378784, -0.14331433, -0.59153634, 0.79466224]);
}

#[test]
fn keys_splits_and_fold_in() {
    run(&["key", "split"], |c| {
        let want: Vec<u32> = c.values.iter().map(|v| hex32(v)).collect();
        let got: Vec<u32> = if c.op == "key" {
            c.key.data().to_vec()
        } else {
            let n: usize = c.args[0].parse().unwrap();
            let mut keys = vec![c.key; n];
            c.key.split_into(&mut keys);
            if n == 2 {
                let (a, b) = c.key.split();
                assert_eq!([a, b], [keys[0], keys[1]]);
                assert_eq!(c.key.split_n::<2>(), [a, b]);
            }
            if n == 3 {
                assert_eq!(c.key.split_n::<3>().as_slice(), keys.as_slice());
            }
            assert!(keys.iter().all(|k| k.layout() == c.key.layout()));
            keys.iter().flat_map(|k| k.data()).collect()
        };
        assert_eq!(got, want, "{}", c.line);
    });
}

#[test]
fn raw_bits() {
    run(&["bits32", "bits64"], |c| {
        if c.op == "bits32" {
            let mut got = vec![0u32; c.len];
            c.key.bits_fill(&mut got);
            let want: Vec<u32> = c.values.iter().map(|v| hex32(v)).collect();
            assert_eq!(got, want, "{}", c.line);
        } else {
            let mut got = vec![0u64; c.len];
            c.key.bits64_fill(&mut got);
            let want: Vec<u64> = c.values.iter().map(|v| hex64(v)).collect();
            assert_eq!(got, want, "{}", c.line);
        }
    });
}

#[test]
fn uniform() {
    run(&["uniform_f32", "uniform_f64"], |c| {
        if c.op == "uniform_f32" {
            let (lo, hi) = (
                f32::from_bits(hex32(c.args[0])),
                f32::from_bits(hex32(c.args[1])),
            );
            let mut got = vec![0.0f32; c.len];
            c.key.uniform_fill(&mut got, lo, hi);
            let got: Vec<u32> = got.iter().map(|x| x.to_bits()).collect();
            let want: Vec<u32> = c.values.iter().map(|v| hex32(v)).collect();
            assert_eq!(got, want, "{}", c.line);
            if c.len == 1 {
                assert_eq!(c.key.uniform(lo, hi).to_bits(), want[0]);
            }
        } else {
            let (lo, hi) = (
                f64::from_bits(hex64(c.args[0])),
                f64::from_bits(hex64(c.args[1])),
            );
            let mut got = vec![0.0f64; c.len];
            c.key.uniform_fill(&mut got, lo, hi);
            let got: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
            let want: Vec<u64> = c.values.iter().map(|v| hex64(v)).collect();
            assert_eq!(got, want, "{}", c.line);
        }
    });
}

#[test]
fn normal_f32() {
    let (mut max, mut count) = (0, 0);
    run(&["normal_f32"], |c| {
        let mut got = vec![0.0f32; c.len];
        c.key.normal_fill(&mut got);
        for (g, w) in got.iter().zip(&c.values) {
            let u = ulps(ord32(*g), ord32(f32::from_bits(hex32(w))));
            // u <= NORMAL_ULP_TOLERANCE (spelled so for a tolerance of 0)
            assert_eq!(
                u.saturating_sub(NORMAL_ULP_TOLERANCE),
                0,
                "{u} ulp in {}",
                c.line
            );
            max = max.max(u);
            count += 1;
        }
        if c.len == 1 {
            assert_eq!(c.key.normal::<f32>(), got[0]);
        }
    });
    println!("normal f32: {count} values, max {max} ulp from JAX");
}

#[test]
fn normal_f64() {
    let (mut max, mut count) = (0, 0);
    run(&["normal_f64"], |c| {
        let mut got = vec![0.0f64; c.len];
        c.key.normal_fill(&mut got);
        for (g, w) in got.iter().zip(&c.values) {
            let u = ulps(ord64(*g), ord64(f64::from_bits(hex64(w))));
            // u <= NORMAL_ULP_TOLERANCE (spelled so for a tolerance of 0)
            assert_eq!(
                u.saturating_sub(NORMAL_ULP_TOLERANCE),
                0,
                "{u} ulp in {}",
                c.line
            );
            max = max.max(u);
            count += 1;
        }
    });
    println!("normal f64: {count} values, max {max} ulp from JAX");
}

#[test]
fn randint() {
    run(
        &["randint_i32", "randint_u32", "randint_i64", "randint_u64"],
        |c| {
            let line = c.line;
            match c.op {
                "randint_i32" => {
                    let mut got = vec![0i32; c.len];
                    c.key.randint_fill(
                        &mut got,
                        c.args[0].parse().unwrap(),
                        c.args[1].parse().unwrap(),
                    );
                    let want: Vec<i32> = c.values.iter().map(|v| v.parse().unwrap()).collect();
                    assert_eq!(got, want, "{line}");
                }
                "randint_u32" => {
                    let mut got = vec![0u32; c.len];
                    c.key.randint_fill(
                        &mut got,
                        c.args[0].parse().unwrap(),
                        c.args[1].parse().unwrap(),
                    );
                    let want: Vec<u32> = c.values.iter().map(|v| v.parse().unwrap()).collect();
                    assert_eq!(got, want, "{line}");
                }
                "randint_u64" => {
                    let mut got = vec![0u64; c.len];
                    c.key.randint_fill(
                        &mut got,
                        c.args[0].parse().unwrap(),
                        c.args[1].parse().unwrap(),
                    );
                    let want: Vec<u64> = c.values.iter().map(|v| v.parse().unwrap()).collect();
                    assert_eq!(got, want, "{line}");
                }
                _ => {
                    let mut got = vec![0i64; c.len];
                    c.key.randint_fill(
                        &mut got,
                        c.args[0].parse().unwrap(),
                        c.args[1].parse().unwrap(),
                    );
                    let want: Vec<i64> = c.values.iter().map(|v| v.parse().unwrap()).collect();
                    assert_eq!(got, want, "{line}");
                }
            }
        },
    );
}

#[test]
fn bernoulli() {
    run(&["bernoulli_f32", "bernoulli_f64"], |c| {
        let mut got = vec![false; c.len];
        if c.op == "bernoulli_f32" {
            c.key
                .bernoulli_fill(&mut got, f32::from_bits(hex32(c.args[0])));
        } else {
            c.key
                .bernoulli_fill(&mut got, f64::from_bits(hex64(c.args[0])));
        }
        let want: Vec<bool> = c.values.iter().map(|v| *v == "1").collect();
        assert_eq!(got, want, "{}", c.line);
    });
}

#[test]
fn permutation() {
    run(&["permutation"], |c| {
        let n: usize = c.args[0].parse().unwrap();
        let mut perm = vec![0u32; n];
        let mut scratch = vec![0u64; n];
        c.key.permutation_fill(&mut perm, &mut scratch);
        let want: Vec<u32> = c.values.iter().map(|v| v.parse().unwrap()).collect();
        assert_eq!(perm, want, "{}", c.line);
        // Shuffling other data applies the same order.
        let mut words: Vec<String> = (0..n).map(|i| format!("w{i}")).collect();
        c.key.shuffle(&mut words, &mut scratch);
        let want_words: Vec<String> = want.iter().map(|i| format!("w{i}")).collect();
        assert_eq!(words, want_words);
    });
}

/// JAX's values depend on the number of elements, not on the shape: the
/// vectors for shapes 2x3 and 6 (drawn separately by JAX) are equal. This
/// checks the data, i.e. JAX's behaviour that `*_fill` relies on.
#[test]
fn shape_is_only_an_element_count() {
    let lines: Vec<Case> = cases()
        .filter(|c| c.op == "normal_f32" && c.args.is_empty())
        .collect();
    let find = |layout: &str, shape: &str| {
        lines
            .iter()
            .find(|c| {
                c.line
                    .starts_with(&format!("{layout} 3 - normal_f32 {shape} "))
            })
            .unwrap()
            .values
            .clone()
    };
    for layout in ["L", "P"] {
        assert_eq!(find(layout, "2x3"), find(layout, "6"));
    }
    // Partitionable draws are prefixes of longer draws; legacy ones are not.
    assert_eq!(find("P", "3"), find("P", "6")[..3]);
    assert_ne!(find("L", "3"), find("L", "6")[..3]);
}
