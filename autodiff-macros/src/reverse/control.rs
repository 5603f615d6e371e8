//! The reverse transform of branches and loops: each becomes a replay in
//! the adjoint sweep (a `match` on the branch's record, a loop over the
//! tape last to first), threading the adjoints of the outer values it reads.

use std::collections::HashMap;

use super::{key, Adjoints};
use crate::ir::{self, Branch, Loop, LoopKind, Op, Region, Role, Stmt, Var};
use crate::tape;

/// Gives each recording region of the primal sweep the record its replay reads.
pub(super) fn fill_records(body: &mut [Stmt], filled: &HashMap<Var, Vec<Vec<Var>>>) {
    for stmt in body {
        let record_var = stmt.defs.last().copied().flatten();
        let records = record_var.and_then(|r| filled.get(&r));
        match &mut stmt.op {
            Op::Branch(b) if b.recorded => {
                for (k, arm) in b.arms.iter_mut().enumerate() {
                    if let Some(record) = records.and_then(|r| r.get(k)) {
                        arm.record = record.clone();
                    }
                    fill_records(&mut arm.body, filled);
                }
            }
            Op::Loop(l) if l.tape.is_some() => {
                if let Some(record) = records.and_then(|r| r.first()) {
                    l.body.record = record.clone();
                }
                fill_records(&mut l.body.body, filled);
            }
            _ => {}
        }
    }
}

impl Adjoints<'_> {
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
        let binds: Vec<Var> = match &b.choice {
            ir::Choice::Match { arms, .. } => arms.iter().flat_map(|a| a.binds.clone()).collect(),
            _ => Vec::new(),
        };
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
            region.record = tape::record(available, &region, &[]);
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
        let mut inner = l.carried.clone();
        if let LoopKind::For { item, .. } = &l.kind {
            inner.push(*item);
        }
        let threaded = self.threaded(&[&l.body], &inner);
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
        self.sweep(&l.body.body);
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
        region.record = available
            .first()
            .map_or_else(Vec::new, |a| tape::record(a, &region, &carried));
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
                },
                carried,
                inits,
                body: region,
                breaks: false,
                bound: None,
                tape: None,
            })),
            span,
            ty: None,
        });
        let (outs_carried, outs_threaded) = outs.split_at(active.len());
        for (t, o) in threaded.iter().zip(outs_threaded) {
            self.adjoints.insert(*t, *o);
        }
        for (k, o) in active.iter().zip(outs_carried) {
            let init = l.inits[*k];
            if self.act.varied(init) {
                self.contribute(init, *o, span);
            }
        }
    }
}
