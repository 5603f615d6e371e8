//! Containers a reverse replay may index again: locals the function
//! computes once, at its top level, and afterwards only reads by index
//! (GMM's `qdiags`, filled by one loop and read by the next two).
//!
//! Such a container holds the same elements from its last assignment to
//! the end of the function, and the pullback closure owns it at the end
//! (it captures it, as it does the kept copies of arguments), so a replay
//! inside any loop can read its elements again: `s += w[i] * x[i]`, with
//! `w` a local filled before the loop and `x` an argument, records nothing
//! where the record held the product's two partials (GMM's prior,
//! `qdiags[..] * qdiags[..]`, the same). Arguments are copied instead
//! (`tape::kept`), and anything else (a container assigned again, moved
//! into a call, yielded, a reference) is not frozen.

use std::collections::HashSet;

use crate::ir::{Choice, Function, LoopKind, Op, Stmt, Var};
use crate::primitives::Spelling;

/// The frozen containers of `f`.
pub(super) fn frozen(f: &Function) -> HashSet<Var> {
    let mut candidates: HashSet<Var> = f
        .body
        .iter()
        .filter(|s| !matches!(s.op, Op::Arg(_)))
        .flat_map(|s| s.defs.iter().flatten().copied())
        .filter(|v| !f.refs.contains(v) && *v != f.ret)
        .collect();
    let mut indexed = HashSet::new();
    visit(&f.body, &mut candidates, &mut indexed);
    candidates.retain(|v| indexed.contains(v));
    candidates
}

/// Drops from `candidates` every variable read otherwise than as the
/// container of an indexing; collects those that are indexed.
fn visit(body: &[Stmt], candidates: &mut HashSet<Var>, indexed: &mut HashSet<Var>) {
    for stmt in body {
        // A loop's or branch's own reads; what its regions read is visited
        // below.
        let uses = match &stmt.op {
            Op::Loop(l) => {
                let mut uses = l.inits.clone();
                if let LoopKind::For { iter, .. } = &l.kind {
                    uses.push(*iter);
                }
                uses
            }
            Op::Branch(b) => match &b.choice {
                Choice::If(c) | Choice::Replay(c) => vec![*c],
                Choice::Match { scrutinee, arms } => {
                    let guards = arms.iter().flat_map(|a| a.guard_uses.iter().copied());
                    std::iter::once(*scrutinee).chain(guards).collect()
                }
            },
            _ => stmt.uses(),
        };
        match &stmt.op {
            Op::Prim { prim, args, .. } | Op::Rule { prim, args, .. }
                if prim.spelling == Spelling::Index && !args[1..].contains(&args[0]) =>
            {
                indexed.insert(args[0]);
                for u in &args[1..] {
                    candidates.remove(u);
                }
            }
            _ => {
                for u in &uses {
                    candidates.remove(u);
                }
            }
        }
        for region in stmt.regions() {
            for v in region.yields.iter().chain(&region.record) {
                candidates.remove(v);
            }
            visit(&region.body, candidates, indexed);
        }
    }
}
