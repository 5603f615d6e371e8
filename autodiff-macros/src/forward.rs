//! The forward transform (tangent mode): IR to IR.
//!
//! Each active primitive becomes a `Rule` statement, which also yields the
//! partials of its varied arguments, followed by the tangent of its value:
//! the sum of each partial pushed through its argument's tangent. Inactive
//! statements are kept as they are. Tangents that are known to be zero are
//! never built (JAX's symbolic zeros): a value with no varied argument has no
//! tangent statement at all, and the output gets an explicit zero only if it
//! is inactive.

use std::collections::HashMap;

use crate::activity::Activity;
use crate::ir::{Function, Op, Role, Stmt, Var};

/// A function with its tangents: one body computing value and tangent.
#[derive(Debug)]
pub struct Jvp {
    /// Primal and tangent statements, interleaved.
    pub body: Vec<Stmt>,
    /// The output value.
    pub value: Var,
    /// The output tangent.
    pub tangent: Var,
    /// Roles of all variables, the original ones first.
    pub roles: Vec<Role>,
}

/// Differentiates `f` in forward mode.
pub fn forward(f: &Function, act: &Activity) -> Jvp {
    let mut out = Builder {
        f: f.clone(),
        body: Vec::new(),
        tangents: HashMap::new(),
    };
    let mut next_input = 0;
    for (i, param) in f.params.iter().enumerate() {
        if param.role != crate::ir::ArgRole::Differentiable {
            continue;
        }
        // The tangent of the argument is given whether or not it is used.
        let arg_var = f
            .body
            .iter()
            .find(|s| matches!(s.op, Op::Arg(j) if j == i))
            .and_then(Stmt::def);
        let t = out.f.fresh(Role::Tangent);
        out.body.push(Stmt::new(t, Op::TangentIn(next_input), param.name.span()));
        next_input += 1;
        if let Some(v) = arg_var {
            out.tangents.insert(v, t);
        }
    }
    for stmt in &f.body {
        out.statement(stmt, act);
    }
    let tangent = match out.tangents.get(&f.ret) {
        Some(t) if act.active(f.ret) => *t,
        _ => {
            let t = out.f.fresh(Role::Tangent);
            out.body.push(Stmt::new(t, Op::Zero(f.ret), f.body.last().map_or_else(proc_macro2::Span::call_site, |s| s.span)));
            t
        }
    };
    Jvp {
        body: out.body,
        value: f.ret,
        tangent,
        roles: out.f.roles,
    }
}

struct Builder {
    /// The function, only for allocating fresh variables.
    f: Function,
    body: Vec<Stmt>,
    /// The tangent of each active primal variable.
    tangents: HashMap<Var, Var>,
}

impl Builder {
    fn statement(&mut self, stmt: &Stmt, act: &Activity) {
        let Some(def) = stmt.def() else {
            self.body.push(stmt.clone());
            return;
        };
        if !act.active(def) {
            self.body.push(stmt.clone());
            return;
        }
        match &stmt.op {
            Op::Prim { prim, args, .. } => {
                // One partial slot per differentiable argument, filled only
                // where the argument has a tangent.
                let mut defs = vec![Some(def)];
                let mut terms = Vec::new();
                for (i, a) in args.iter().enumerate() {
                    if !prim.differentiable_arg(i) {
                        continue;
                    }
                    match self.tangents.get(a).copied() {
                        Some(t) => {
                            let p = self.f.fresh(Role::Partial);
                            defs.push(Some(p));
                            terms.push((p, t));
                        }
                        None => defs.push(None),
                    }
                }
                self.body.push(Stmt {
                    defs,
                    op: Op::Rule {
                        prim,
                        args: args.clone(),
                    },
                    span: stmt.span,
                    ty: stmt.ty.clone(),
                });
                let mut sum: Option<Var> = None;
                for (partial, tangent) in terms {
                    let term = self.define(Op::Push { partial, tangent }, stmt);
                    sum = Some(match sum {
                        None => term,
                        Some(acc) => self.define(Op::Accumulate(acc, term), stmt),
                    });
                }
                if let Some(t) = sum {
                    self.tangents.insert(def, t);
                }
            }
            Op::Copy(src) => {
                self.body.push(stmt.clone());
                if let Some(t) = self.tangents.get(src).copied() {
                    self.tangents.insert(def, t);
                }
            }
            // Arguments got their tangents up front; activity rules out the rest.
            _ => self.body.push(stmt.clone()),
        }
    }

    fn define(&mut self, op: Op, origin: &Stmt) -> Var {
        let v = self.f.fresh(Role::Tangent);
        self.body.push(Stmt::new(v, op, origin.span));
        v
    }
}
