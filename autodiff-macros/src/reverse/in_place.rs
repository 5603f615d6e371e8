//! The adjoint of `x[i] += v` (and `-=`) without touching `x`'s adjoint.
//!
//! `x[i] += v` is `x[i] = x[i] + v`: an assignment (`set_index`), a sum
//! and a read. Its adjoint, statement by statement, takes slot `i` out of
//! the container's adjoint leaving a zero (`PullSet`), pulls the slot's
//! value through the sum's `Identity` to the read, and adds it back into
//! the slot (`PullInto` at `i`): a store of zero, a load and an addition
//! that leave the slot as it was, which LLVM cannot fold (`0.0 + g` is not
//! `g` when `g` is `-0.0`). In GMM's triangular product that was a fifth
//! of the replay's innermost loop. Here the three become one read of the
//! slot (`PullSet { keep: true }`), and the container's adjoint goes on
//! unchanged.

use std::collections::HashMap;

use quote::ToTokens;
use syn::Expr;

use crate::ir::{Op, Region, Stmt, Var};

/// Rewrites every `x[i] += v` adjoint in `body` and the regions inside it;
/// `outside` are the variables read after it (its yields, the gradients).
pub(super) fn keep_slots(body: &mut Vec<Stmt>, outside: &[Var]) {
    for stmt in body.iter_mut() {
        match &mut stmt.op {
            Op::Loop(l) => {
                if let crate::ir::LoopKind::While(cond) = &mut l.kind {
                    keep_region(cond);
                }
                keep_region(&mut l.body);
            }
            Op::Branch(b) => {
                for arm in &mut b.arms {
                    keep_region(arm);
                }
            }
            _ => {}
        }
    }
    let mut uses = use_counts(body);
    for v in outside {
        *uses.entry(*v).or_default() += 1;
    }
    let defs: HashMap<Var, usize> = body
        .iter()
        .enumerate()
        .flat_map(|(k, s)| s.defs.iter().flatten().map(move |d| (*d, k)))
        .collect();
    // Each `PullInto` by the adjoint it adds into.
    let adds: HashMap<Var, usize> = body
        .iter()
        .enumerate()
        .filter_map(|(k, s)| match s.op {
            Op::PullInto { acc, .. } => Some((acc, k)),
            _ => None,
        })
        .collect();
    let opaque = |v: Var| match defs.get(&v).map(|k| &body[*k].op) {
        Some(Op::Opaque { expr, uses, .. }) => Some((&**expr, uses.as_slice())),
        _ => None,
    };
    let mut rewrites = Vec::new();
    for (set, stmt) in body.iter().enumerate() {
        let Op::PullSet {
            partial: zero,
            keep: false,
            ..
        } = stmt.op
        else {
            continue;
        };
        let [Some(rest), Some(element)] = stmt.defs[..] else {
            continue;
        };
        // The slot added back: along the chain of `PullInto`s from `rest`
        // (other reads adding into the container, each result read once
        // by the next), one at the same index of the element pulled
        // through an `Identity`. Adding it first, as the kept slot does,
        // instead of last changes only the order of the additions.
        let once = |v: Var| uses.get(&v).copied() == Some(1);
        let mut current = rest;
        while once(current) {
            let Some(&add) = adds.get(&current) else {
                break;
            };
            let Op::PullInto {
                partial: at,
                adjoint: through,
                ..
            } = body[add].op
            else {
                break;
            };
            let same_slot = match (opaque(zero), opaque(at)) {
                (Some((z, zu)), Some((a, au))) => {
                    zu == au && slot(z, "zero_at").is_some_and(|i| slot(a, "at") == Some(i))
                }
                _ => false,
            };
            let identity = match defs.get(&through).map(|k| &body[*k].op) {
                Some(Op::Pull {
                    partial,
                    adjoint,
                    onto: None,
                }) if *adjoint == element && opaque(*partial).is_some_and(|(e, _)| marker(e)) => {
                    Some(*partial)
                }
                _ => None,
            };
            if let Some(identity) = identity.filter(|_| same_slot && once(through)) {
                let dead = [through, at, identity].map(|v| once(v).then_some(v));
                rewrites.push((set, add, dead));
                break;
            }
            match body[add].def() {
                Some(next) => current = next,
                None => break,
            }
        }
    }
    // The pull through `Identity`, the marker and the index `at(i)`, read
    // by nothing now, go.
    let mut unread = Vec::new();
    for (set, add, dead) in rewrites {
        if let Op::PullSet { keep, .. } = &mut body[set].op {
            *keep = true;
        }
        if let Op::PullInto { acc, .. } = body[add].op {
            body[add].op = Op::Copy(acc);
        }
        unread.extend(dead.into_iter().flatten());
    }
    body.retain(|s| s.def().is_none_or(|d| !unread.contains(&d)));
}

fn keep_region(region: &mut Region) {
    let outside: Vec<Var> = region
        .yields
        .iter()
        .chain(&region.record)
        .copied()
        .collect();
    keep_slots(&mut region.body, &outside);
}

/// The index expression of `path(index)` (`at(i)`, `zero_at(i)`), as tokens.
fn slot(expr: &Expr, path: &str) -> Option<String> {
    let Expr::Call(call) = expr else { return None };
    let Expr::Path(p) = &*call.func else {
        return None;
    };
    let name = p.path.segments.last()?.ident.to_string();
    (name == path && call.args.len() == 1).then(|| call.args.to_token_stream().to_string())
}

/// Whether `expr` is the `Identity` marker (`tape::rebuilt_partial`).
fn marker(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Identity"))
}

/// How often each variable is read in `body`, its regions included.
fn use_counts(body: &[Stmt]) -> HashMap<Var, usize> {
    fn count(body: &[Stmt], out: &mut HashMap<Var, usize>) {
        for stmt in body {
            for v in stmt.uses() {
                *out.entry(v).or_default() += 1;
            }
            for region in stmt.regions() {
                region_uses(region, out);
            }
        }
    }
    fn region_uses(region: &Region, out: &mut HashMap<Var, usize>) {
        count(&region.body, out);
        for v in region.yields.iter().chain(&region.record) {
            *out.entry(*v).or_default() += 1;
        }
    }
    let mut out = HashMap::new();
    count(body, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use crate::attr::Options;
    use crate::interpret::lowered;
    use crate::ir::{Op, Stmt};
    use crate::reverse::{reverse, Seed};

    fn all(body: &[Stmt], out: &mut Vec<Op>) {
        for stmt in body {
            out.push(stmt.op.clone());
            for region in stmt.regions() {
                all(&region.body, out);
            }
        }
    }

    /// `q[j] += ..` reads its slot's adjoint and leaves it; `q[j] = ..`
    /// still zeroes it, and `q[j] *= ..` is no sum.
    #[test]
    fn accumulated_slots_are_kept() {
        let ops = |item: syn::ItemFn| {
            let (f, act) = lowered(item, &Options::default());
            let mut ops = Vec::new();
            all(&reverse(&f, &act, Seed::One).adjoint, &mut ops);
            let kept = |k: bool| {
                ops.iter()
                    .filter(|op| matches!(op, Op::PullSet { keep, .. } if *keep == k))
                    .count()
            };
            (kept(true), kept(false))
        };
        let summed = ops(syn::parse_quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut q = vec![0.0; 3];
                for j in 0..3 {
                    q[j] += a * x[j];
                    q[j] -= x[j];
                }
                q[0] * q[1] + q[2]
            }
        });
        assert_eq!(summed, (2, 0));
        let assigned = ops(syn::parse_quote! {
            fn f(x: &[f64], a: f64) -> f64 {
                let mut q = vec![0.0; 3];
                for j in 0..3 {
                    q[j] = a * x[j];
                    q[j] *= x[j];
                }
                q[0] * q[1] + q[2]
            }
        });
        assert_eq!(assigned, (0, 2));
    }
}
