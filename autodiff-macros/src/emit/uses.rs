//! Where each variable is read, so that a value read for the last time is
//! given up (moved, updated in place) rather than copied.

use std::collections::HashMap;

use crate::ir::{self, Op, Stmt, Var};

/// Where each variable is read, over everything one generated function
/// contains. A variable whose last read is an in-place operation (`a[i] =
/// v` and its derivatives), in the loop iteration or closure that defines
/// it, is given up to that operation instead of being copied.
#[derive(Default)]
pub struct Uses {
    /// The statement of each variable's last read (by address; `None` when
    /// it is last read as a region's yield or record).
    last: HashMap<Var, Option<usize>>,
    /// The loop body or closure that defines each variable.
    home: HashMap<Var, usize>,
    /// The loop body or closure of its last read.
    read_in: HashMap<Var, usize>,
    contexts: usize,
}

impl Uses {
    /// Walks statement lists in the order they are emitted; lists with
    /// different `context` run in different places (the body of a pullback
    /// closure, say).
    pub fn of(lists: &[(&[Stmt], usize)]) -> Self {
        let mut uses = Uses {
            contexts: lists.iter().map(|(_, c)| c + 1).max().unwrap_or(0),
            ..Uses::default()
        };
        for (stmts, context) in lists {
            uses.walk(stmts, *context);
        }
        uses
    }

    fn read(&mut self, v: Var, by: Option<&Stmt>, context: usize) {
        self.read_at(v, by.map(|s| s as *const Stmt as usize), context);
    }

    /// A read by whatever `key` (an address) stands for.
    fn read_at(&mut self, v: Var, key: Option<usize>, context: usize) {
        self.last.insert(v, key);
        self.read_in.insert(v, context);
    }

    fn define(&mut self, vars: impl IntoIterator<Item = Var>, context: usize) {
        for v in vars {
            self.home.insert(v, context);
        }
    }

    /// A region; its yields are read by `key` (see [`Uses::yielded`]).
    fn region(&mut self, region: &ir::Region, context: usize, key: usize) {
        self.define(region.record.iter().copied(), context);
        self.walk(&region.body, context);
        for v in &region.yields {
            self.read_at(*v, Some(key), context);
        }
        for v in &region.record {
            self.read(*v, None, context);
        }
    }

    fn walk(&mut self, stmts: &[Stmt], context: usize) {
        for stmt in stmts {
            match &stmt.op {
                Op::Branch(b) => {
                    match &b.choice {
                        ir::Choice::If(c) | ir::Choice::Replay(c) => self.read(*c, None, context),
                        ir::Choice::Match { scrutinee, arms } => {
                            self.read(*scrutinee, None, context);
                            for arm in arms {
                                self.define(arm.binds.iter().copied(), context);
                                for v in &arm.guard_uses {
                                    self.read(*v, None, context);
                                }
                            }
                        }
                    }
                    // The arms run one at a time: what they yield is read
                    // by the branch as a whole.
                    for arm in &b.arms {
                        self.region(arm, context, stmt as *const Stmt as usize);
                    }
                }
                Op::Loop(l) => {
                    // A carried variable may take over its initial value.
                    for v in &l.inits {
                        self.read(*v, Some(stmt), context);
                    }
                    let inner = self.contexts;
                    self.contexts += 1;
                    self.define(l.carried.iter().copied(), inner);
                    match &l.kind {
                        ir::LoopKind::For { iter, item } => {
                            self.read(*iter, None, context);
                            self.define([*item], inner);
                        }
                        ir::LoopKind::Replay { tape, .. } => self.read(*tape, None, context),
                        ir::LoopKind::While(cond) => {
                            self.region(cond, inner, cond as *const ir::Region as usize)
                        }
                        ir::LoopKind::Forever => {}
                    }
                    // A carried variable is reassigned at the end of each
                    // iteration, so its value may be given up in the body.
                    self.region(&l.body, inner, &l.body as *const ir::Region as usize);
                }
                _ => {
                    for v in stmt.uses() {
                        self.read(v, Some(stmt), context);
                    }
                }
            }
            self.define(stmt.defs.iter().flatten().copied(), context);
        }
    }

    /// Whether `stmt` may take over `v`: its last read, where it is defined.
    pub fn movable(&self, v: Var, stmt: &Stmt) -> bool {
        self.given_up_at(v, stmt as *const Stmt as usize)
    }

    /// Whether a region may yield `v` itself rather than a copy: its last
    /// read is that yield (`key`: the branch of an arm, or the loop body),
    /// in the loop iteration or closure that defines it. So an adjoint that
    /// an arm or an iteration passes on unchanged is not copied.
    pub fn yielded(&self, v: Var, key: usize) -> bool {
        self.given_up_at(v, key)
    }

    fn given_up_at(&self, v: Var, key: usize) -> bool {
        self.last.get(&v) == Some(&Some(key))
            && self.home.contains_key(&v)
            && self.home.get(&v) == self.read_in.get(&v)
    }
}
