//! Fusion of closures' rules with their tangents (for `jvp`): IR to IR.
//!
//! `linearize` keeps the partials of `x.map(f)` and `V::from_fn(..)`,
//! containers with one entry per entry of the result, for the tangent
//! passes it may run many times. `jvp` pushes them once, right after the
//! rule: the rule and that push become one `Op::PushRule`, whose runtime
//! function (`rules::map_jvp`, `rules::from_fn_jvp`) uses each entry's
//! partials where the closure computes them, with no container of
//! partials written and read again.

use std::collections::HashMap;

use crate::forward::Jvp;
use crate::ir::{LoopKind, Op, Stmt, Var};

/// Fuses each `map` or `from_fn` rule with the push of its partials into
/// one `Op::PushRule` (for `jvp`, which pushes them once): each entry's
/// partials are used where the closure computes them, instead of filling
/// containers of partials that one pass writes and the next reads.
pub fn fuse_containers(jvp: &mut Jvp) {
    let mut reads = HashMap::new();
    count_reads(&jvp.body, &mut reads);
    fuse_in(&mut jvp.body, &reads);
}

/// How many times each variable is read, at any depth.
fn count_reads(body: &[Stmt], reads: &mut HashMap<Var, usize>) {
    for stmt in body {
        for v in stmt.uses() {
            *reads.entry(v).or_default() += 1;
        }
        for region in stmt.regions() {
            count_reads(&region.body, reads);
            for v in region.yields.iter().chain(&region.record) {
                *reads.entry(*v).or_default() += 1;
            }
        }
    }
}

fn fuse_in(body: &mut Vec<Stmt>, reads: &HashMap<Var, usize>) {
    for stmt in body.iter_mut() {
        match &mut stmt.op {
            Op::Branch(b) => b.arms.iter_mut().for_each(|a| fuse_in(&mut a.body, reads)),
            Op::Loop(l) => {
                if let LoopKind::While(cond) = &mut l.kind {
                    fuse_in(&mut cond.body, reads);
                }
                fuse_in(&mut l.body.body, reads);
            }
            _ => {}
        }
    }
    let mut k = 0;
    while k + 1 < body.len() {
        if let Some(fused) = fused(&body[k], &body[k + 1], reads) {
            body[k] = fused;
            body.remove(k + 1);
        }
        k += 1;
    }
}

/// `rule` (a `map` or `from_fn` rule, its partial slots after its value,
/// one per argument) and `push` (the sum of those partials applied to the
/// arguments' tangents, their only reader) as one statement.
fn fused(rule: &Stmt, push: &Stmt, reads: &HashMap<Var, usize>) -> Option<Stmt> {
    let (Op::Rule { prim, args, callee }, Op::Push { terms }) = (&rule.op, &push.op) else {
        return None;
    };
    if !prim.takes_closure() {
        return None;
    }
    let slots = rule.defs.get(1..)?;
    let tangents: Vec<Option<Var>> = slots
        .iter()
        .map(|slot| {
            let partial = (*slot)?;
            terms.iter().find(|(p, _)| *p == partial).map(|(_, t)| *t)
        })
        .collect();
    let pushed_all = terms.iter().all(|(p, _)| slots.contains(&Some(*p)));
    let read_once = slots.iter().flatten().all(|p| reads.get(p) == Some(&1));
    let complete = slots
        .iter()
        .zip(&tangents)
        .all(|(s, t)| s.is_some() == t.is_some());
    (pushed_all && read_once && complete && tangents.len() == args.len()).then(|| Stmt {
        defs: vec![rule.def(), push.def()],
        op: Op::PushRule {
            args: args.clone(),
            tangents,
            callee: callee.clone(),
        },
        span: rule.span,
        ty: rule.ty.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::Options;
    use crate::interpret::lowered;

    /// Counts the statements matching `pick`, at any depth.
    fn count(body: &[Stmt], pick: &dyn Fn(&Op) -> bool) -> usize {
        body.iter()
            .map(|s| {
                usize::from(pick(&s.op))
                    + s.regions()
                        .iter()
                        .map(|r| count(&r.body, pick))
                        .sum::<usize>()
            })
            .sum()
    }

    #[test]
    fn closures_and_their_pushes_become_one_step_also_in_loops() {
        let (f, act) = lowered(
            syn::parse_quote! {
                fn f(t: f64, x: &DVector<f64>, n: usize) -> f64 {
                    let mut s = 0.0;
                    for i in 0..n {
                        let y = x.map(|v| (t * v).sin());
                        let z = DVector::from_fn(3, |k, _| t * (k as f64));
                        s += y.sum() + z.sum();
                    }
                    s
                }
            },
            &Options::default(),
        );
        let mut jvp = crate::forward::forward(&f, &act);
        let closures = |op: &Op| matches!(op, Op::Rule { prim, .. } if prim.takes_closure());
        assert_eq!(count(&jvp.body, &closures), 2);
        let pushes = count(&jvp.body, &|op| matches!(op, Op::Push { .. }));
        fuse_containers(&mut jvp);
        assert_eq!(count(&jvp.body, &closures), 0);
        assert_eq!(count(&jvp.body, &|op| matches!(op, Op::PushRule { .. })), 2);
        // Each fused rule took its push along; the others stay.
        assert_eq!(
            count(&jvp.body, &|op| matches!(op, Op::Push { .. })),
            pushes - 2
        );
        // `map` reads the mapped vector's tangent and `t`'s; `from_fn` only `t`'s.
        let mut fused = Vec::new();
        fn collect<'a>(body: &'a [Stmt], out: &mut Vec<&'a Op>) {
            for s in body {
                if matches!(s.op, Op::PushRule { .. }) {
                    out.push(&s.op);
                }
                s.regions().iter().for_each(|r| collect(&r.body, out));
            }
        }
        collect(&jvp.body, &mut fused);
        let with_tangents: Vec<usize> = fused
            .iter()
            .map(|op| match op {
                Op::PushRule { tangents, .. } => tangents.iter().flatten().count(),
                _ => 0,
            })
            .collect();
        assert_eq!(with_tangents, [2, 1]);
    }
}
