//! What a recording sweep keeps for its replay.
//!
//! Straight-line code keeps its partials in locals. A branch keeps the
//! partials of the arm that ran in a *record* (the arm's variables, wrapped
//! in a tuple of one `Option` per arm), and a loop keeps one record per
//! iteration on a *tape*. The replay (the adjoint sweep, or `linearize`'s
//! tangent pass) reads them back: a `match` on the record, a loop over the
//! tape. A record holds exactly the variables the replay reads that the
//! recording region defines; partials the replay can rebuild (from a
//! constant or an index) are rebuilt there instead (`rebuilt_partial`), and
//! so are the loop's integer counters and the indices computed from them
//! (`rebuild/`).

use std::collections::{HashMap, HashSet};

use syn::Expr;

use crate::ir::{self, ident, Op, OpaqueKind, Region, Role, Stmt, TapeKind, Var};
use crate::primitives::{Primitive, Spelling};

/// The most records constant-bound loops keep on the stack (over all
/// nested loops); beyond it tapes grow on the heap.
pub const STACK_RECORDS: usize = 1024;

/// The tape of a loop with at most `bound` iterations, or over `container`,
/// given the capacity `#[differentiate(tape = N)]` names, inside loops whose
/// fixed tapes hold `stack` records per iteration of this loop's enclosing
/// body. Returns the kind and what the loop's body passes on to loops
/// inside it.
pub fn kind(
    bound: Option<usize>,
    container: Option<Var>,
    attr: Option<usize>,
    stack: usize,
) -> (TapeKind, usize) {
    match (bound, attr, container) {
        (Some(b), Some(_), _) => (TapeKind::Fixed(b), stack.saturating_mul(b)),
        (Some(b), None, _) if b.saturating_mul(stack) <= STACK_RECORDS => {
            (TapeKind::Fixed(b), stack * b)
        }
        (None, Some(n), _) => (TapeKind::Fixed(n), stack.saturating_mul(n)),
        // The container's type decides, which the macro cannot see.
        (None, None, Some(c)) => (TapeKind::OfContainer(c), 1),
        _ => (TapeKind::Growable, 1),
    }
}

/// The variables available at the end of a recording region: those its
/// statements define at its top, and `inner` (loop variables, pattern
/// bindings).
pub fn available(region: &Region, inner: &[Var]) -> HashSet<Var> {
    let mut available: HashSet<Var> = inner.iter().copied().collect();
    for stmt in &region.body {
        available.extend(stmt.defs.iter().flatten());
    }
    available
}

/// The record of a replay region: what it reads from `available`.
/// `replay_inner` are the variables the replay statement defines for it.
pub fn record(available: &HashSet<Var>, replay: &Region, replay_inner: &[Var]) -> Vec<Var> {
    ir::region_captures(replay, replay_inner)
        .into_iter()
        .filter(|v| available.contains(v))
        .collect()
}

/// Gives a recording region and its replay the same record.
pub fn link(primal: &mut Region, inner: &[Var], replay: &mut Region, replay_inner: &[Var]) {
    let record = record(&available(primal, inner), replay, replay_inner);
    primal.record = record.clone();
    replay.record = record;
}

/// The constant expressions a body defines (literals: opaque code reading
/// no variable), in its regions too, by the variable they define.
pub fn constants(body: &[Stmt]) -> HashMap<Var, Expr> {
    let mut out = HashMap::new();
    let mut stack: Vec<&[Stmt]> = vec![body];
    while let Some(stmts) = stack.pop() {
        for stmt in stmts {
            match (&stmt.op, stmt.def()) {
                (Op::Opaque { expr, uses, .. }, Some(def)) if uses.is_empty() => {
                    out.insert(def, (**expr).clone());
                }
                _ => stack.extend(stmt.regions().into_iter().map(|r| r.body.as_slice())),
            }
        }
    }
    out
}

/// For each partial `ir::rule_for` gives `prim(args)` with the same
/// `wants`, in order: how to rebuild it where it is read, where it can be
/// (`rebuilt_partial`).
/// `in_loop`: whether the statement is in a loop, whose records the
/// markers of sums would otherwise fill (elsewhere the rule's own markers
/// serve, and the code stays shorter).
pub fn rebuilt_partials(
    prim: &Primitive,
    args: &[Var],
    wants: impl Fn(Var) -> bool,
    constants: &HashMap<Var, Expr>,
    roles: &[Role],
    in_loop: bool,
) -> Vec<Option<Op>> {
    (0..args.len())
        .filter(|k| prim.differentiable_arg(*k) && wants(args[*k]))
        .map(|k| rebuilt_partial(prim, args, k, constants, roles, in_loop))
        .collect()
}

/// The partial of `prim` with respect to its argument at `position` when
/// the transforms can rebuild it where it is read instead of recording
/// it: the markers of `+`, `-` and negation (`Identity`, `Negate`), which
/// leave a loop whose records held nothing else with empty records (a
/// count, `tape::Counter`); of element `k` of an array literal
/// (`Inject::<N>(k)`), and of
/// reading `x[i]` (`At(i)`) or assigning `x[i] = v` (`ZeroAt(i)`), from the
/// index. At a literal index the partial is a constant: the index stays one
/// the compiler sees, and a fixed-size adjoint or tangent indexed by
/// constants stays in registers, where an index loaded from a record sends
/// the whole array through memory (BA's pullback ran three times slower).
/// At a computed index the record keeps the index once, however many reads
/// and assignments share it (the GMM's tape shrank by a third).
fn rebuilt_partial(
    prim: &Primitive,
    args: &[Var],
    position: usize,
    constants: &HashMap<Var, Expr>,
    roles: &[Role],
    in_loop: bool,
) -> Option<Op> {
    let rt = crate::emit::runtime();
    // The index: its literal, or the static variable holding it.
    let index = || -> Option<(Expr, Vec<Var>)> {
        let i = *args.get(1)?;
        match constants.get(&i) {
            Some(literal) => Some((literal.clone(), Vec::new())),
            None => {
                let role = roles.get(i.0 as usize).copied().unwrap_or(Role::Primal);
                let id = ident(i, role);
                Some((syn::parse_quote!(#id), vec![i]))
            }
        }
    };
    let (expr, uses): (Expr, Vec<Var>) = match prim.spelling {
        Spelling::ArrayLiteral => {
            let n = args.len();
            (
                syn::parse_quote!(#rt::linear::Inject::<#n>(#position)),
                Vec::new(),
            )
        }
        Spelling::Index if position == 0 => {
            let (i, uses) = index()?;
            (syn::parse_quote!(#rt::linear::at(#i)), uses)
        }
        Spelling::Lowered if prim.name == "set_index" && position == 0 => {
            let (i, uses) = index()?;
            (syn::parse_quote!(#rt::rules::zero_at(#i)), uses)
        }
        // The runtime's sums, differences and negations have these
        // markers as partials for every type (`rules::arith`, `rules::linalg`).
        _ if !in_loop => return None,
        _ => match (prim.name, position) {
            ("add", _) | ("sub", 0) => (syn::parse_quote!(#rt::linear::Identity), Vec::new()),
            ("sub", 1) | ("neg", 0) => (syn::parse_quote!(#rt::linear::Negate), Vec::new()),
            _ => return None,
        },
    };
    Some(Op::Opaque {
        expr: Box::new(expr),
        uses,
        kind: OpaqueKind::Inert,
    })
}

#[cfg(test)]
mod tests {
    use crate::attr::Options;
    use crate::forward;
    use crate::interpret::lowered;
    use crate::ir::{Choice, Function, LoopKind, Op, Role, Stmt, TapeKind};
    use crate::reverse::{reverse, Seed, Vjp};

    fn vjp_of(item: syn::ItemFn, tape: Option<usize>) -> (Function, Vjp) {
        let (mut f, act) = lowered(item, &Options::default());
        f.tape = tape;
        let vjp = reverse(&f, &act, Seed::One);
        (f, vjp)
    }

    /// Every statement of a body, regions included.
    fn all(body: &[Stmt]) -> Vec<&Stmt> {
        let mut out = Vec::new();
        for stmt in body {
            out.push(stmt);
            for region in stmt.regions() {
                out.extend(all(&region.body));
            }
        }
        out
    }

    fn tapes(body: &[Stmt]) -> Vec<Option<TapeKind>> {
        all(body)
            .into_iter()
            .filter_map(|s| match &s.op {
                Op::Loop(l) => Some(l.tape.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn constant_bounds_give_fixed_tapes_and_records_hold_partials() {
        let (_, vjp) = vjp_of(
            syn::parse_quote! {
                fn horner(x: f64, c: [f64; 4]) -> f64 {
                    let mut s = 0.0;
                    for i in 0..4 {
                        s = s * x + c[i];
                    }
                    s
                }
            },
            None,
        );
        assert_eq!(tapes(&vjp.primal), vec![Some(TapeKind::Fixed(4))]);
        let Some(Op::Loop(l)) = vjp
            .primal
            .iter()
            .map(|s| &s.op)
            .find(|op| matches!(op, Op::Loop(_)))
        else {
            panic!("no loop in the primal sweep")
        };
        // The replay reads the partials and the index `c[i]` was read at
        // (it rebuilds that partial, `At(i)`), not the carried sum; the
        // index it rebuilds from the record's position (`rebuild`), so the
        // record holds partials only.
        assert!(!l.body.record.is_empty());
        let primal: Vec<_> = l
            .body
            .record
            .iter()
            .filter(|v| vjp.roles[v.0 as usize] != Role::Partial)
            .collect();
        assert_eq!(primal, Vec::<&crate::ir::Var>::new());
        let replays: Vec<_> = all(&vjp.adjoint)
            .into_iter()
            .filter(|s| matches!(&s.op, Op::Loop(r) if matches!(r.kind, LoopKind::Replay { backwards: true, position: Some(_), .. })))
            .collect();
        assert_eq!(replays.len(), 1);
    }

    #[test]
    fn loops_over_fixed_size_arguments_have_fixed_tapes() {
        for item in [
            syn::parse_quote! { fn f(v: Vector3<f64>) -> f64 { let mut s = 0.0; for x in v.iter() { s += x * x; } s } },
            syn::parse_quote! { fn f(v: &SVector<f64, 5>) -> f64 { v.iter().map(|x| x * x).sum() } },
            syn::parse_quote! { fn f(v: [[f64; 2]; 3]) -> f64 { let mut s = 0.0; for r in v.iter() { s += r[0] * r[1]; } s } },
        ] {
            let (_, vjp) = vjp_of(item, None);
            let fixed = tapes(&vjp.primal);
            assert!(
                matches!(fixed.as_slice(), [Some(TapeKind::Fixed(3 | 5))]),
                "{fixed:?}"
            );
        }
    }

    #[test]
    fn unbounded_loops_grow_unless_the_attribute_fixes_a_capacity() {
        let newton: syn::ItemFn = syn::parse_quote! {
            fn newton(a: f64) -> f64 {
                let mut y = a;
                while (y * y - a).abs() > 1e-12 * a {
                    y = 0.5 * (y + a / y);
                }
                y
            }
        };
        let (_, growable) = vjp_of(newton.clone(), None);
        assert_eq!(tapes(&growable.primal), vec![Some(TapeKind::Growable)]);
        let (_, fixed) = vjp_of(newton, Some(16));
        assert_eq!(tapes(&fixed.primal), vec![Some(TapeKind::Fixed(16))]);
    }

    #[test]
    fn nested_fixed_tapes_stay_within_the_stack_budget() {
        let (_, vjp) = vjp_of(
            syn::parse_quote! {
                fn nested(x: f64) -> f64 {
                    let mut s = x;
                    for i in 0..100 {
                        for j in 0..100 {
                            s = s * 0.5 + x;
                        }
                    }
                    s
                }
            },
            None,
        );
        // 100 × 100 records would exceed the budget: the outer tape is a
        // fixed array of 100 records, each holding an inner tape that grows
        // on the heap.
        assert_eq!(
            tapes(&vjp.primal),
            vec![Some(TapeKind::Fixed(100)), Some(TapeKind::Growable)]
        );
    }

    #[test]
    fn loops_and_branches_without_derivatives_keep_nothing() {
        let (_, vjp) = vjp_of(
            syn::parse_quote! {
                fn f(x: f64, n: usize) -> f64 {
                    let mut count = 0;
                    for i in 0..n {
                        if i % 2 == 0 {
                            count += 1;
                        }
                    }
                    x * (count as f64)
                }
            },
            None,
        );
        assert_eq!(tapes(&vjp.primal), vec![None]);
        assert!(all(&vjp.primal)
            .iter()
            .all(|s| !matches!(&s.op, Op::Branch(b) if b.recorded)));
        assert!(all(&vjp.adjoint)
            .iter()
            .all(|s| !matches!(s.op, Op::Loop(_) | Op::Branch(_))));
    }

    #[test]
    fn branches_record_the_partials_of_the_arm_that_ran() {
        let (_, vjp) = vjp_of(
            syn::parse_quote! {
                fn f(x: f64, y: f64) -> f64 {
                    if x > y { x * y } else { 2.0 * x }
                }
            },
            None,
        );
        let Some(Op::Branch(b)) = vjp
            .primal
            .iter()
            .map(|s| &s.op)
            .find(|op| matches!(op, Op::Branch(_)))
        else {
            panic!("no branch in the primal sweep")
        };
        assert!(b.recorded);
        // `x * y`: both partials; `2.0 * x`: the one with respect to `x`.
        let sizes: Vec<usize> = b.arms.iter().map(|a| a.record.len()).collect();
        assert_eq!(sizes, vec![2, 1]);
        let replay = vjp.adjoint.iter().find_map(|s| match &s.op {
            Op::Branch(r) => Some(r),
            _ => None,
        });
        let replay = replay.expect("the adjoint replays the branch");
        assert!(matches!(replay.choice, Choice::Replay(_)));
        let replay_records: Vec<_> = replay.arms.iter().map(|a| a.record.clone()).collect();
        let primal_records: Vec<_> = b.arms.iter().map(|a| a.record.clone()).collect();
        assert_eq!(replay_records, primal_records);
    }

    #[test]
    fn linearize_records_in_the_primal_and_replays_forwards() {
        let (f, act) = lowered(
            syn::parse_quote! {
                fn f(x: f64) -> f64 {
                    let mut s = x;
                    for _ in 0..3 {
                        s = s.sin() * x;
                    }
                    s
                }
            },
            &Options::default(),
        );
        let lin = forward::linearize(&f, &act);
        assert_eq!(tapes(&lin.primal), vec![Some(TapeKind::Fixed(3))]);
        let forwards = lin.tangent.iter().any(|s| {
            matches!(&s.op, Op::Loop(l) if matches!(l.kind, LoopKind::Replay { backwards: false, .. }))
        });
        assert!(forwards, "the tangent pass replays the tape first to last");
        assert!(all(&lin.tangent)
            .iter()
            .all(|s| !matches!(s.op, Op::Rule { .. } | Op::Prim { .. })));
    }
}
