//! The reverse transform of branches and loops: each becomes a replay in
//! the adjoint sweep (a `match` on the branch's record, a loop over the
//! tape last to first), threading the adjoints of the outer values it reads.

use std::collections::{HashMap, HashSet};

use super::{accumulate, key, Adjoints};
use crate::ir::{self, Branch, Loop, LoopKind, Op, Region, Role, Stmt, Var};
use crate::rebuild::{KeptValue, Recording};
use crate::tape;

/// What the replays ask the primal sweep to keep for them, by tape: the
/// first item of each range whose loop's replay rebuilds the item, and the
/// values a loop's runs keep once.
pub(super) struct Keeps<'a> {
    pub first_items: &'a HashMap<Var, (Var, Var)>,
    pub kept: &'a HashMap<Var, Vec<KeptValue>>,
}

/// Gives each recording region of the primal sweep the record its replay
/// reads, and keeps before (or through) each loop what its replay reads
/// besides (`keeps`).
pub(super) fn fill_records(
    body: &mut Vec<Stmt>,
    filled: &HashMap<Var, Vec<Vec<Var>>>,
    keeps: &Keeps,
) {
    let mut at = 0;
    while at < body.len() {
        let stmt = &mut body[at];
        let record_var = stmt.defs.last().copied().flatten();
        let records = record_var.and_then(|r| filled.get(&r));
        let mut before = Vec::new();
        match &mut stmt.op {
            Op::Branch(b) if b.recorded => {
                for (k, arm) in b.arms.iter_mut().enumerate() {
                    if let Some(record) = records.and_then(|r| r.get(k)) {
                        arm.record = record.clone();
                    }
                    fill_records(&mut arm.body, filled, keeps);
                }
            }
            Op::Loop(l) if l.tape.is_some() => {
                if let Some(record) = records.and_then(|r| r.first()) {
                    l.body.record = record.clone();
                }
                fill_records(&mut l.body.body, filled, keeps);
                if let Some((var, range)) = record_var.and_then(|r| keeps.first_items.get(&r)) {
                    before.push(crate::rebuild::first_item_stmt(*var, *range, stmt.span));
                }
                for k in record_var
                    .and_then(|r| keeps.kept.get(&r))
                    .into_iter()
                    .flatten()
                {
                    let (none, next) = crate::rebuild::kept_value_stmts(k, stmt.span);
                    before.push(none);
                    let after = l
                        .body
                        .body
                        .iter()
                        .position(|s| s.defs.contains(&Some(k.value)));
                    l.body.body.insert(after.map_or(0, |a| a + 1), next);
                    l.body.yields.insert(l.carried.len(), k.next);
                    stmt.defs.insert(l.carried.len(), Some(k.kept));
                    l.carried.push(k.carried);
                    l.inits.push(k.none);
                }
            }
            _ => {}
        }
        let n = before.len();
        body.splice(at..at, before);
        at += n + 1;
    }
}

impl Adjoints<'_> {
    /// What a recording region makes available to its record, with what
    /// it keeps for the loops inside it: first items before them, values
    /// their runs keep (`first_items`, `kept`: defined in the primal sweep
    /// after the `available` sets were made).
    fn with_kept(&self, available: &HashSet<Var>) -> HashSet<Var> {
        let first_items = self.first_items.values().map(|(first, _)| *first);
        let kept = self.kept.values().flatten().map(|k| k.kept);
        available
            .iter()
            .copied()
            .chain(first_items)
            .chain(kept)
            .collect()
    }

    /// Outer variables a region's adjoint adds to: the active ones it reads.
    /// They are threaded through the replay (passed in, returned updated).
    fn threaded(&self, regions: &[&Region], inner: &[Var]) -> Vec<Var> {
        let mut out = Vec::new();
        for region in regions {
            for v in ir::region_captures(region, inner) {
                if self.act.active(v) && !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// A recorded branch: a `match` on its record, each arm the adjoint of
    /// the arm that ran, threading the adjoints of the outer values it reads.
    pub(super) fn branch(&mut self, stmt: &Stmt, b: &Branch) {
        let Some((record, available)) = key(stmt).and_then(|k| self.records.get(&k)).cloned()
        else {
            return;
        };
        let binds = b.bindings();
        let regions: Vec<&Region> = b.arms.iter().collect();
        let threaded = self.threaded(&regions, &binds);
        let ins: Vec<Var> = threaded
            .iter()
            .map(|t| self.adjoint_or_zero(*t, stmt.span))
            .collect();
        let saved = std::mem::take(&mut self.adjoints);
        let mut arms = Vec::new();
        let mut records = Vec::new();
        for (arm, available) in b.arms.iter().zip(&available) {
            self.adjoints = threaded.iter().copied().zip(ins.iter().copied()).collect();
            let outer = std::mem::take(&mut self.stmts);
            for (k, def) in stmt.defs.iter().enumerate() {
                let (Some(def), Some(y)) = (def, arm.yields.get(k)) else {
                    continue;
                };
                if let Some(g) = saved.get(def) {
                    if self.act.active(*y) {
                        self.contribute(*y, *g, stmt.span);
                    }
                }
            }
            self.sweep(&arm.body);
            let yields = threaded.iter().map(|t| self.adjoints[t]).collect();
            let body = std::mem::replace(&mut self.stmts, outer);
            let mut region = Region {
                body,
                yields,
                record: Vec::new(),
            };
            region.record = tape::record(&self.with_kept(available), &region, &[]);
            records.push(region.record.clone());
            arms.push(region);
        }
        self.filled.insert(record, records);
        self.adjoints = saved;
        let outs: Vec<Var> = threaded
            .iter()
            .map(|_| self.fresh.fresh(Role::Adjoint))
            .collect();
        self.stmts.push(Stmt {
            defs: outs.iter().copied().map(Some).collect(),
            op: Op::Branch(Box::new(Branch {
                choice: ir::Choice::Replay(record),
                arms,
                recorded: false,
            })),
            span: stmt.span,
            ty: None,
        });
        for (t, o) in threaded.into_iter().zip(outs) {
            self.adjoints.insert(t, o);
        }
    }

    /// A recorded loop: a loop over its tape, last record first, carrying
    /// the adjoints of the carried values and of the outer values it reads.
    pub(super) fn loop_(&mut self, stmt: &Stmt, l: &Loop) {
        let Some((tape_var, available)) = key(stmt).and_then(|k| self.records.get(&k)).cloned()
        else {
            return;
        };
        let span = stmt.span;
        let n = l.carried.len();
        let active: Vec<usize> = (0..n)
            .filter(|k| {
                self.act.active(l.carried[*k])
                    || stmt
                        .defs
                        .get(*k)
                        .copied()
                        .flatten()
                        .is_some_and(|d| self.act.active(d))
            })
            .collect();
        let mut inits = Vec::new();
        for k in &active {
            let init = match stmt.defs.get(*k).copied().flatten() {
                Some(def) => self.adjoint_or_zero(def, span),
                None => self.define(Op::Zero(l.carried[*k]), span),
            };
            inits.push(init);
        }
        let threaded = self.threaded(&[&l.body], &l.inner());
        for t in &threaded {
            let init = self.adjoint_or_zero(*t, span);
            inits.push(init);
        }
        let lambdas: Vec<Var> = active
            .iter()
            .map(|_| self.fresh.fresh(Role::Adjoint))
            .collect();
        let accs: Vec<Var> = threaded
            .iter()
            .map(|_| self.fresh.fresh(Role::Adjoint))
            .collect();
        let saved = std::mem::take(&mut self.adjoints);
        self.adjoints = threaded.iter().copied().zip(accs.iter().copied()).collect();
        let outer = std::mem::take(&mut self.stmts);
        for (k, lambda) in active.iter().zip(&lambdas) {
            let y = l.body.yields[*k];
            if self.act.active(y) {
                self.contribute(y, *lambda, span);
            }
        }
        self.in_loop += 1;
        self.sweep(&l.body.body);
        self.in_loop -= 1;
        let mut yields = Vec::new();
        for (k, lambda) in active.iter().zip(&lambdas) {
            let next = match self.adjoints.get(&l.carried[*k]) {
                Some(g) => *g,
                None => self.define(Op::Zero(*lambda), span),
            };
            yields.push(next);
        }
        yields.extend(threaded.iter().map(|t| self.adjoints[t]));
        let body = std::mem::replace(&mut self.stmts, outer);
        self.adjoints = saved;
        let mut carried = lambdas.clone();
        carried.extend(&accs);
        let mut region = Region {
            body,
            yields,
            record: Vec::new(),
        };
        // Contributions to one element, summed in a local (`accumulate`):
        // its index comes from outside the loop, not from what the body
        // defines (`available`, rebuilt or recorded per iteration).
        let summed = match available.first() {
            Some(available) => {
                let defined = tape::available(&region, &carried);
                accumulate::sum_in_locals(&mut region, &carried, lambdas.len(), |v| {
                    !available.contains(&v) && !defined.contains(&v)
                })
            }
            None => Vec::new(),
        };
        // Each summed element taken out of its container before the loop
        // (`(container, element)`), the sum's start; `at` adds it back.
        let mut taken = Vec::new();
        for s in &summed {
            let (zero, at) = (
                self.fresh.fresh(Role::Adjoint),
                self.fresh.fresh(Role::Adjoint),
            );
            self.stmts.push(s.zero_at(zero, span));
            let mut at_stmt = s.at.clone();
            at_stmt.defs = vec![Some(at)];
            self.stmts.push(at_stmt);
            let (rest, element) = (
                self.fresh.fresh(Role::Adjoint),
                self.fresh.fresh(Role::Adjoint),
            );
            self.stmts.push(Stmt {
                defs: vec![Some(rest), Some(element)],
                op: Op::PullSet {
                    partial: zero,
                    adjoint: inits[s.slot],
                    keep: false,
                },
                span,
                ty: None,
            });
            inits[s.slot] = element;
            taken.push((s.slot, at, rest));
        }
        let mut position = None;
        if let Some(available) = available.first() {
            let available = self.with_kept(available);
            let fresh = &mut self.fresh;
            let recording = Recording {
                rules: &self.rules,
                keep_slices: self.growable.contains(&tape_var),
            };
            let rebuilt = self.origins.rebuild(
                l,
                &available,
                &mut region,
                &carried,
                Some(&recording),
                &mut |r| fresh.fresh(r),
            );
            if let Some(first_item) = rebuilt.first_item {
                self.first_items.insert(tape_var, first_item);
            }
            if !rebuilt.kept.is_empty() {
                self.kept.insert(tape_var, rebuilt.kept);
            }
            position = rebuilt.position;
            region.record = tape::record(&available, &region, &carried);
        }
        self.filled.insert(tape_var, vec![region.record.clone()]);
        let outs: Vec<Var> = carried
            .iter()
            .map(|_| self.fresh.fresh(Role::Adjoint))
            .collect();
        self.stmts.push(Stmt {
            defs: outs.iter().copied().map(Some).collect(),
            op: Op::Loop(Box::new(Loop {
                kind: LoopKind::Replay {
                    tape: tape_var,
                    backwards: true,
                    position,
                },
                carried,
                inits,
                body: region,
                breaks: false,
                bound: None,
                container: None,
                tape: None,
            })),
            span,
            ty: None,
        });
        let (outs_carried, outs_threaded) = outs.split_at(active.len());
        for (k, (t, o)) in threaded.iter().zip(outs_threaded).enumerate() {
            let total = match taken.iter().find(|(slot, ..)| *slot == active.len() + k) {
                Some((_, at, rest)) => self.define(
                    Op::PullInto {
                        partial: *at,
                        adjoint: *o,
                        acc: *rest,
                    },
                    span,
                ),
                None => *o,
            };
            self.adjoints.insert(*t, total);
        }
        for (k, o) in active.iter().zip(outs_carried) {
            let init = l.inits[*k];
            if self.act.varied(init) {
                self.contribute(init, *o, span);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::attr::Options;
    use crate::forward::{forward, linearize};
    use crate::interpret::{lowered, run, Env, Inputs};
    use crate::reverse::{reverse, Seed};

    /// Branches inside a loop with a constant bound, then a `while` loop
    /// on a differentiable condition.
    fn program() -> syn::ItemFn {
        syn::parse_quote! {
            fn f(x: f64, y: f64) -> f64 {
                let mut s = x;
                for i in 0..5 {
                    if s > 1.0 {
                        s = s * 0.5 + y;
                    } else {
                        s = s * s + x.sin();
                    }
                }
                let mut t = s;
                while t < 10.0 {
                    t = t * 2.0 + y * t;
                }
                t
            }
        }
    }

    fn inputs(args: &[f64], tangents: &[f64], cotangent: f64) -> Inputs {
        Inputs {
            args: args.to_vec(),
            tangents: tangents.to_vec(),
            cotangent,
            buffers: Vec::new(),
        }
    }

    #[test]
    fn loops_and_branches_pass_finite_differences_and_the_dot_product_test() {
        let (f, act) = lowered(program(), &Options::default());
        let value = |args: &[f64]| {
            let mut env = Env::default();
            run(&f.body, &inputs(args, &[], 0.0), &mut env);
            env[&f.ret]
        };
        let jvp = forward(&f, &act);
        let vjp = reverse(&f, &act, Seed::Given);
        let lin = linearize(&f, &act);
        // Points where no decision changes within the finite-difference step.
        for args in [[0.7, 0.3], [2.5, 0.9], [0.4, 0.6], [3.0, 0.1]] {
            let (v, w) = ([0.4, -1.3], 0.8);
            let mut env = Env::default();
            run(&jvp.body, &inputs(&args, &v, 0.0), &mut env);
            let (y, jv) = (env[&jvp.value], env[&jvp.tangent]);
            assert_eq!(y, value(&args));
            let h = 1e-6;
            let shifted =
                |sign: f64| value(&[args[0] + sign * h * v[0], args[1] + sign * h * v[1]]);
            let fd = (shifted(1.0) - shifted(-1.0)) / (2.0 * h);
            assert!(
                (jv - fd).abs() <= 1e-6 * fd.abs().max(1.0),
                "{jv} vs {fd} at {args:?}"
            );

            let mut env = Env::default();
            let given = inputs(&args, &[], w);
            run(&vjp.primal, &given, &mut env);
            run(&vjp.adjoint, &given, &mut env);
            let jtw: f64 = vjp.grads.iter().zip(v).map(|(g, vi)| env[g] * vi).sum();
            assert!(
                (jv * w - jtw).abs() <= 1e-12 * jtw.abs().max(1.0),
                "{} vs {jtw}",
                jv * w
            );

            // linearize: the tangent pass replays the primal pass's records.
            let mut env = Env::default();
            let given = inputs(&args, &v, 0.0);
            run(&lin.primal, &given, &mut env);
            run(&lin.tangent, &given, &mut env);
            assert_eq!(env[&lin.tangent_out], jv);
        }
    }
}
