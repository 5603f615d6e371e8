use crate::attr::Options;
use crate::interpret::lowered;
use crate::ir::{Loop, LoopKind, Op, OpaqueKind, Role, Stmt};
use crate::reverse::{reverse, Seed};

/// `item`'s reverse sweeps, with the recording loops of the primal one.
fn reversed(item: syn::ItemFn) -> (crate::reverse::Vjp, Vec<Loop>) {
    let (f, act) = lowered(item, &Options::default());
    let vjp = reverse(&f, &act, Seed::One);
    let mut primal = Vec::new();
    loops(&vjp.primal, &mut primal);
    (vjp, primal)
}

/// The recording loops of a body and the replays of one, at any depth.
fn loops(body: &[Stmt], out: &mut Vec<Loop>) {
    for stmt in body {
        if let Op::Loop(l) = &stmt.op {
            out.push((**l).clone());
        }
        for region in stmt.regions() {
            loops(&region.body, out);
        }
    }
}

/// GMM's triangular product in small, ending with `tail`.
fn tri(tail: syn::Expr) -> syn::ItemFn {
    syn::parse_quote! {
        fn tri(x: &[f64], a: &[f64]) -> f64 {
            let n = x.len();
            let mut xc = vec![0.0; n];
            for i in 0..n {
                xc[i] = x[i].exp();
            }
            let mut q = vec![0.0; n];
            let mut lt = 0;
            for i in 0..n {
                for j in i + 1..n {
                    q[j] += a[lt] * xc[i];
                    lt += 1;
                }
            }
            #tail
        }
    }
}

/// GMM's triangular product as ADBench writes it: `xc[i]` is the same
/// for every `j` and `a[lt]` an argument's element. The inner record
/// is empty (the product is computed again from `xc[i]`, kept once per
/// run in the outer record, and from `a`'s copy, kept once per call
/// before everything else reads it; the sum's markers are rebuilt).
#[test]
fn invariant_values_and_argument_reads_leave_the_records() {
    // Assigned again at the end, `xc` is not frozen (see the next
    // test), so `xc[i]` is kept per run.
    let (vjp, primal) = reversed(tri(syn::parse_quote!({
        xc[0] = 0.0;
        q[n - 1] + xc[1]
    })));
    let [_, outer, inner] = &primal[..] else {
        panic!("three recording loops: {}", primal.len())
    };
    assert!(inner.body.record.is_empty(), "{:?}", inner.body.record);
    // The inner loop carries the kept value; the outer record holds it.
    assert_eq!(inner.carried.len(), 3, "q, lt and the kept xc[i]");
    let kept: Vec<_> = vjp.kept.iter().map(|(_, k)| *k).collect();
    assert!(outer.body.record.iter().any(|v| kept.contains(v)));
    // `a` is kept whole, once, at the top of the primal sweep.
    let copies = vjp
        .primal
        .iter()
        .filter(|s| {
            matches!(
                &s.op,
                Op::Opaque {
                    kind: OpaqueKind::Kept,
                    ..
                }
            )
        })
        .count();
    assert_eq!(copies, 1);
}

/// A local computed once and then only indexed is frozen: the replay
/// reads `xc[i]` from it (the pullback owns it), so nothing is kept
/// per run and the inner records are empty. Assigned again, or read
/// otherwise than by index, it is not.
#[test]
fn frozen_locals_are_read_again() {
    let (vjp, primal) = reversed(tri(syn::parse_quote!(q[n - 1] * xc[0])));
    let [_, outer, inner] = &primal[..] else {
        panic!("three recording loops: {}", primal.len())
    };
    assert!(inner.body.record.is_empty(), "{:?}", inner.body.record);
    assert_eq!(inner.carried.len(), 2, "q and lt, nothing kept");
    assert!(vjp.kept.iter().all(|(v, _)| !outer.body.record.contains(v)));
    let (_, primal) = reversed(tri(syn::parse_quote!(q[n - 1] * xc.iter().sum::<f64>())));
    assert_eq!(primal[2].carried.len(), 3, "xc[i] kept per run");
}

/// Arrays are kept on the stack up to the fixed tapes' budget: `v`
/// (4 entries) is, `w` (2000) is not, its elements stay in the record.
#[test]
fn long_arrays_are_not_copied() {
    let (vjp, _) = reversed(syn::parse_quote! {
        fn f(w: &[f64; 2000], v: &[f64; 4], n: usize) -> f64 {
            let mut s = 0.0;
            for i in 0..n {
                s += w[i] * v[i & 3] + v[i & 3] * v[(i + 1) & 3];
            }
            s
        }
    });
    let copies: Vec<_> = vjp.kept.iter().map(|(arg, _)| arg.0).collect();
    assert_eq!(copies, vec![1], "only v (the second argument's variable)");
}

/// GMM's triangular product in small, `lt` stepped by one across both
/// loops: the inner record keeps partials only (`j` from the position,
/// `lt` from its value before the run, which the outer record keeps),
/// the outer one neither `i` nor anything computed from it.
#[test]
fn counters_leave_the_records() {
    let (vjp, primal) = reversed(syn::parse_quote! {
            fn tri(x: &[f64], a: &[f64]) -> f64 {
                let n = x.len();
                let mut s = 0.0;
                let mut lt = 0;
                for i in 0..n {
                    let row = i * n;
                    for j in i + 1..n {
                        s += a[lt] * x[row + j - i * n] * x[j];
                        lt += 1;
                    }
                }
                s
            }
    });
    let mut adjoint = Vec::new();
    loops(&vjp.adjoint, &mut adjoint);
    let [outer, inner] = &primal[..] else {
        panic!("two recording loops: {}", primal.len())
    };
    let primal_in = |l: &Loop| -> Vec<_> {
        l.body
            .record
            .iter()
            .filter(|v| vjp.roles[v.0 as usize] == Role::Primal)
            .copied()
            .collect()
    };
    assert_eq!(primal_in(inner), vec![]);
    let LoopKind::For { item, .. } = outer.kind else {
        panic!("a `for` loop")
    };
    assert!(!outer.body.record.contains(&item));
    // `lt` before the run, and the inner run's place on the flat tape.
    assert_eq!(primal_in(outer).len(), 2, "{:?}", primal_in(outer));
    assert_eq!(
        adjoint
            .iter()
            .filter(|l| matches!(
                l.kind,
                LoopKind::Replay {
                    position: Some(_),
                    ..
                }
            ))
            .count(),
        2
    );
}
