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
use crate::ir::{self, Branch, Choice, Function, Loop, LoopKind, Op, Region, Role, Stmt, Var};
use crate::primitives::Primitive;
use crate::rebuild::{self, Origins};
use crate::tape;

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
        constants: tape::constants(&f.body),
        in_loop: 0,
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
        out.body
            .push(Stmt::new(t, Op::TangentIn(next_input), param.name.span()));
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
            out.body.push(Stmt::new(
                t,
                Op::Zero(f.ret),
                f.body
                    .last()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.span),
            ));
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

/// A function split like `jax.linearize`: a primal pass that computes the
/// value and every partial, and a tangent pass that only pushes tangents
/// through those partials (cheap, and repeatable for many tangents).
#[derive(Debug)]
pub struct Linearized {
    /// The primal pass: values and partials.
    pub primal: Vec<Stmt>,
    /// The tangent pass: reads the partials and the tangent inputs.
    pub tangent: Vec<Stmt>,
    /// The output value (defined by the primal pass).
    pub value: Var,
    /// The output tangent (defined by the tangent pass).
    pub tangent_out: Var,
    /// Roles of all variables, the original ones first.
    pub roles: Vec<Role>,
}

/// Splits `f`'s forward-mode derivative into a primal and a tangent pass.
/// Primal statements never read tangents, so the interleaved body of
/// [`forward`] separates by the role of what each statement defines.
///
/// A branch or loop with tangents splits in two: a recording primal
/// statement (a branch yielding the record of its arm, a loop pushing each
/// iteration's partials on a tape) and a replay in the tangent pass (a
/// `match` on the record, a loop over the tape first to last).
pub fn linearize(f: &Function, act: &Activity) -> Linearized {
    let jvp = forward(f, act);
    let mut split = Split {
        roles: jvp.roles,
        tape: f.tape,
        origins: Origins::of(f),
    };
    let (primal, tangent) = split.body(&jvp.body, 1);
    Linearized {
        primal,
        tangent,
        value: jvp.value,
        tangent_out: jvp.tangent,
        roles: split.roles,
    }
}

/// Splits interleaved primal and tangent statements.
struct Split {
    roles: Vec<Role>,
    /// The capacity `#[differentiate(tape = N)]` gives unbounded loops.
    tape: Option<usize>,
    /// How the function's variables are defined, for the counters loop
    /// replays rebuild (`rebuild`).
    origins: Origins,
}

impl Split {
    fn is_tangent(&self, v: Var) -> bool {
        self.roles[v.0 as usize] == Role::Tangent
    }

    fn fresh(&mut self, role: Role) -> Var {
        self.roles.push(role);
        Var(self.roles.len() as u32 - 1)
    }

    /// `(primal, tangent)` statements of a body; `stack` is the number of
    /// records enclosing loops keep on the stack per iteration of this body.
    fn body(&mut self, body: &[Stmt], stack: usize) -> (Vec<Stmt>, Vec<Stmt>) {
        let (mut primal, mut tangent) = (Vec::new(), Vec::new());
        for stmt in body {
            let tangent_defs = stmt.defs.iter().flatten().any(|v| self.is_tangent(*v));
            match &stmt.op {
                Op::Branch(b) if tangent_defs => {
                    let (p, t) = self.branch(stmt, b, stack);
                    primal.push(p);
                    tangent.push(t);
                }
                Op::Loop(l) if tangent_defs => {
                    let (first_item, p, t) = self.loop_(stmt, l, stack);
                    primal.extend(first_item);
                    primal.push(p);
                    tangent.push(t);
                }
                _ if stmt.def().is_some_and(|v| self.is_tangent(v)) => tangent.push(stmt.clone()),
                _ => primal.push(stmt.clone()),
            }
        }
        (primal, tangent)
    }

    /// The defs and yields of one kind (primal or tangent), in order.
    fn pick(&self, vars: &[Var], tangent: bool) -> Vec<Var> {
        vars.iter()
            .copied()
            .filter(|v| self.is_tangent(*v) == tangent)
            .collect()
    }

    fn branch(&mut self, stmt: &Stmt, b: &Branch, stack: usize) -> (Stmt, Stmt) {
        let defs: Vec<Var> = stmt.defs.iter().flatten().copied().collect();
        let record = self.fresh(Role::Primal);
        let mut primal_arms = Vec::new();
        let mut tangent_arms = Vec::new();
        for arm in &b.arms {
            let (p, t) = self.body(&arm.body, stack);
            let mut primal = Region {
                body: p,
                yields: self.pick(&arm.yields, false),
                record: Vec::new(),
            };
            let mut tangent = Region {
                body: t,
                yields: self.pick(&arm.yields, true),
                record: Vec::new(),
            };
            tape::link(&mut primal, &b.bindings(), &mut tangent, &[]);
            primal_arms.push(primal);
            tangent_arms.push(tangent);
        }
        let mut primal_defs: Vec<Option<Var>> =
            self.pick(&defs, false).into_iter().map(Some).collect();
        primal_defs.push(Some(record));
        let primal = Stmt {
            defs: primal_defs,
            op: Op::Branch(Box::new(Branch {
                choice: b.choice.clone(),
                arms: primal_arms,
                recorded: true,
            })),
            span: stmt.span,
            ty: None,
        };
        let tangent = Stmt {
            defs: self.pick(&defs, true).into_iter().map(Some).collect(),
            op: Op::Branch(Box::new(Branch {
                choice: Choice::Replay(record),
                arms: tangent_arms,
                recorded: false,
            })),
            span: stmt.span,
            ty: None,
        };
        (primal, tangent)
    }

    /// The recording loop and its replay, and the statement keeping the
    /// range's first item before the loop where the replay rebuilds its
    /// item from it (`rebuild`).
    fn loop_(&mut self, stmt: &Stmt, l: &Loop, stack: usize) -> (Option<Stmt>, Stmt, Stmt) {
        let defs: Vec<Var> = stmt.defs.iter().flatten().copied().collect();
        let tape_var = self.fresh(Role::Primal);
        let (kind, inner_stack) = tape::kind(l.bound, l.container, self.tape, stack);
        let (p, t) = self.body(&l.body.body, inner_stack);
        let n = l.carried.len();
        let (body_yields, flag) = l.body.yields.split_at(l.body.yields.len().min(n));
        let mut primal_yields = self.pick(body_yields, false);
        primal_yields.extend(flag);
        let mut primal = Region {
            body: p,
            yields: primal_yields,
            record: Vec::new(),
        };
        let mut tangent = Region {
            body: t,
            yields: self.pick(body_yields, true),
            record: Vec::new(),
        };
        let mut inner = self.pick(&l.carried, false);
        if let LoopKind::For { item, .. } = &l.kind {
            inner.push(*item);
        }
        let tangent_carried = self.pick(&l.carried, true);
        let available = tape::available(&primal, &inner);
        let roles = &mut self.roles;
        let rebuilt = self.origins.rebuild(
            l,
            &available,
            &mut tangent,
            &tangent_carried,
            None,
            &mut |role| {
                roles.push(role);
                Var(roles.len() as u32 - 1)
            },
        );
        let first_item = rebuilt
            .first_item
            .map(|(first, range)| rebuild::first_item_stmt(first, range, stmt.span));
        tape::link(&mut primal, &inner, &mut tangent, &tangent_carried);
        let mut primal_defs: Vec<Option<Var>> =
            self.pick(&defs, false).into_iter().map(Some).collect();
        primal_defs.push(Some(tape_var));
        let primal = Stmt {
            defs: primal_defs,
            op: Op::Loop(Box::new(Loop {
                kind: l.kind.clone(),
                carried: self.pick(&l.carried, false),
                inits: self.pick(&l.inits, false),
                body: primal,
                breaks: l.breaks,
                bound: l.bound,
                container: l.container,
                tape: Some(kind),
            })),
            span: stmt.span,
            ty: None,
        };
        let tangent = Stmt {
            defs: self.pick(&defs, true).into_iter().map(Some).collect(),
            op: Op::Loop(Box::new(Loop {
                kind: LoopKind::Replay {
                    position: rebuilt.position,
                    tape: tape_var,
                    backwards: false,
                },
                carried: tangent_carried,
                inits: self.pick(&l.inits, true),
                body: tangent,
                breaks: false,
                bound: None,
                container: None,
                tape: None,
            })),
            span: stmt.span,
            ty: None,
        };
        (first_item, primal, tangent)
    }
}

/// The first argument of a primitive statement.
fn args_first(stmt: &Stmt) -> Option<&Var> {
    match &stmt.op {
        Op::Prim { args, .. } => args.first(),
        _ => None,
    }
}

struct Builder {
    /// The function, only for allocating fresh variables.
    f: Function,
    body: Vec<Stmt>,
    /// The tangent of each active primal variable.
    tangents: HashMap<Var, Var>,
    /// The body's constants (`ir::constants`).
    constants: HashMap<Var, syn::Expr>,
    /// How many loops the statements are inside.
    in_loop: usize,
}

impl Builder {
    fn statement(&mut self, stmt: &Stmt, act: &Activity) {
        match &stmt.op {
            Op::Branch(b) => return self.branch(stmt, b, act),
            Op::Loop(l) => return self.loop_(stmt, l, act),
            _ => {}
        }
        let Some(def) = stmt.def() else {
            self.body.push(stmt.clone());
            return;
        };
        if !act.active(def) {
            self.body.push(stmt.clone());
            return;
        }
        match &stmt.op {
            Op::Prim { .. } => {
                // Partials only where the argument has a tangent.
                let tangents = &self.tangents;
                let Some((rule, pairs)) =
                    ir::rule_for(&mut self.f, stmt, |a| tangents.contains_key(&a))
                else {
                    return;
                };
                self.body.push(rule);
                // Constant partials are rebuilt where the tangent pass reads
                // them rather than recorded (`ir::rebuilt_partial`).
                let pairs = match &stmt.op {
                    Op::Prim { prim, args, .. } => self.rebuilt(prim, args, pairs, stmt),
                    _ => pairs,
                };
                // `x[i] = v` with a tangent for `x`: that tangent, updated in place.
                if let (Op::Prim { prim, args, .. }, Some((_, partial))) = (
                    &stmt.op,
                    pairs.first().filter(|(a, _)| Some(a) == args_first(stmt)),
                ) {
                    if prim.name == "set_index" {
                        let container = self.tangents[&args[0]];
                        let value = self.tangents.get(&args[2]).copied();
                        let op = Op::PushSet {
                            partial: *partial,
                            container,
                            value,
                        };
                        let t = self.define(op, stmt);
                        self.tangents.insert(def, t);
                        return;
                    }
                }
                let terms: Vec<(Var, Var)> = pairs
                    .into_iter()
                    .map(|(a, p)| (p, self.tangents[&a]))
                    .collect();
                if !terms.is_empty() {
                    let t = self.define(Op::Push { terms }, stmt);
                    self.tangents.insert(def, t);
                }
            }
            Op::Copy(src) => {
                self.body.push(stmt.clone());
                if let Some(t) = self.tangents.get(src).copied() {
                    self.tangents.insert(def, t);
                }
            }
            Op::Call(c) => {
                // The callee's linear map, applied to every argument's tangent.
                let map = self.f.fresh(Role::Partial);
                let mut call = (**c).clone();
                call.mode = ir::CallMode::Linearize;
                self.body.push(Stmt {
                    defs: vec![Some(def), Some(map)],
                    op: Op::Call(Box::new(call)),
                    span: stmt.span,
                    ty: stmt.ty.clone(),
                });
                let tangents = c
                    .args
                    .iter()
                    .map(|a| self.tangents.get(a).copied())
                    .collect();
                let array_lens = c.array_lens.clone();
                let t = self.define(
                    Op::PushCall {
                        map,
                        tangents,
                        array_lens,
                    },
                    stmt,
                );
                self.tangents.insert(def, t);
            }
            // Arguments got their tangents up front; activity rules out the rest.
            _ => self.body.push(stmt.clone()),
        }
    }

    /// The partials of `prim` with respect to `args` (`pairs`, in argument
    /// order), those the tangent pass can rebuild
    /// (`tape::rebuilt_partials`) defined anew there.
    fn rebuilt(
        &mut self,
        prim: &Primitive,
        args: &[Var],
        pairs: Vec<(Var, Var)>,
        origin: &Stmt,
    ) -> Vec<(Var, Var)> {
        let tangents = &self.tangents;
        let ops = tape::rebuilt_partials(
            prim,
            args,
            |a| tangents.contains_key(&a),
            &self.constants,
            &self.f.roles,
            self.in_loop > 0,
        );
        pairs
            .into_iter()
            .zip(ops)
            .map(|((arg, partial), op)| match op {
                Some(op) => (arg, self.define(op, origin)),
                None => (arg, partial),
            })
            .collect()
    }

    fn define(&mut self, op: Op, origin: &Stmt) -> Var {
        let v = self.f.fresh(Role::Tangent);
        self.body.push(Stmt::new(v, op, origin.span));
        v
    }

    /// The tangent of `v`, or a zero shaped like it (materialised: a branch
    /// arm or a loop iteration must yield a tangent for every active value).
    fn tangent_or_zero(&mut self, v: Var, origin: &Stmt) -> Var {
        match self.tangents.get(&v) {
            Some(t) => *t,
            None => self.define(Op::Zero(v), origin),
        }
    }

    /// The statement's variables followed by a new tangent for each active
    /// one (by position), which becomes its tangent.
    fn with_tangents(&mut self, stmt: &Stmt, active: &[usize]) -> Vec<Option<Var>> {
        let mut defs = stmt.defs.clone();
        for k in active {
            let t = self.f.fresh(Role::Tangent);
            defs.push(Some(t));
            if let Some(d) = stmt.defs[*k] {
                self.tangents.insert(d, t);
            }
        }
        defs
    }

    /// A branch whose active results get tangents: each arm computes its
    /// own and yields them after the values.
    fn branch(&mut self, stmt: &Stmt, b: &Branch, act: &Activity) {
        let active: Vec<usize> = (0..stmt.defs.len())
            .filter(|k| stmt.defs[*k].is_some_and(|d| act.active(d)))
            .collect();
        if active.is_empty() {
            self.body.push(stmt.clone());
            return;
        }
        let mut arms = Vec::new();
        for arm in &b.arms {
            let outer = std::mem::take(&mut self.body);
            for s in &arm.body {
                self.statement(s, act);
            }
            let mut yields = arm.yields.clone();
            for k in &active {
                yields.push(self.tangent_or_zero(arm.yields[*k], stmt));
            }
            let body = std::mem::replace(&mut self.body, outer);
            arms.push(Region {
                body,
                yields,
                record: Vec::new(),
            });
        }
        let defs = self.with_tangents(stmt, &active);
        self.body.push(Stmt {
            defs,
            op: Op::Branch(Box::new(Branch {
                choice: b.choice.clone(),
                arms,
                recorded: false,
            })),
            span: stmt.span,
            ty: None,
        });
    }

    /// A loop whose active carried values get tangents, carried alongside.
    fn loop_(&mut self, stmt: &Stmt, l: &Loop, act: &Activity) {
        let n = l.carried.len();
        let active: Vec<usize> = (0..n)
            .filter(|k| act.active(l.carried[*k]) || stmt.defs[*k].is_some_and(|d| act.active(d)))
            .collect();
        if active.is_empty() {
            self.body.push(stmt.clone());
            return;
        }
        let mut inits = l.inits.clone();
        let mut carried = l.carried.clone();
        for k in &active {
            let t = self.tangent_or_zero(l.inits[*k], stmt);
            inits.push(t);
            let c = self.f.fresh(Role::Tangent);
            carried.push(c);
            self.tangents.insert(l.carried[*k], c);
        }
        let outer = std::mem::take(&mut self.body);
        self.in_loop += 1;
        for s in &l.body.body {
            self.statement(s, act);
        }
        self.in_loop -= 1;
        let mut yields = l.body.yields[..n].to_vec();
        for k in &active {
            yields.push(self.tangent_or_zero(l.body.yields[*k], stmt));
        }
        yields.extend_from_slice(&l.body.yields[n..]);
        let body = std::mem::replace(&mut self.body, outer);
        let defs = self.with_tangents(stmt, &active);
        self.body.push(Stmt {
            defs,
            op: Op::Loop(Box::new(Loop {
                kind: l.kind.clone(),
                carried,
                inits,
                body: Region {
                    body,
                    yields,
                    record: Vec::new(),
                },
                breaks: l.breaks,
                bound: l.bound,
                container: l.container,
                tape: None,
            })),
            span: stmt.span,
            ty: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::Options;
    use crate::interpret::{lowered, run, Env, Inputs};

    /// Interprets the forward transform at `args` with unit tangent on argument `k`.
    fn tangent(f: &Function, act: &Activity, args: &[f64], k: usize, n_diff: usize) -> (f64, f64) {
        let jvp = forward(f, act);
        let mut tangents = vec![0.0; n_diff];
        tangents[k] = 1.0;
        let inputs = Inputs {
            args: args.to_vec(),
            tangents,
            cotangent: 0.0,
            buffers: Vec::new(),
        };
        let mut env = Env::default();
        run(&jvp.body, &inputs, &mut env);
        (env[&jvp.value], env[&jvp.tangent])
    }

    fn value(f: &Function, args: &[f64]) -> f64 {
        let mut env = Env::default();
        let inputs = Inputs {
            args: args.to_vec(),
            ..Inputs::default()
        };
        run(&f.body, &inputs, &mut env);
        env[&f.ret]
    }

    #[test]
    fn tangents_match_finite_differences() {
        let (f, act) = lowered(
            syn::parse_quote! {
                fn f(x: f64, y: f64) -> f64 {
                    let mut z = x * y - (x / y).sin();
                    z += x.exp() * 2.0;
                    -z * z + y.powi(3)
                }
            },
            &Options::default(),
        );
        let args = [0.7, 1.3];
        for k in 0..2 {
            let (v, t) = tangent(&f, &act, &args, k, 2);
            assert_eq!(v, value(&f, &args));
            let h = 1e-6;
            let (mut up, mut down) = (args, args);
            up[k] += h;
            down[k] -= h;
            let fd = (value(&f, &up) - value(&f, &down)) / (2.0 * h);
            assert!(
                (t - fd).abs() < 1e-6 * fd.abs().max(1.0),
                "arg {k}: {t} vs {fd}"
            );
        }
    }

    #[test]
    fn inactive_code_gets_no_tangent() {
        let (f, act) = lowered(
            syn::parse_quote! {
                fn f(x: f64, n: i32) -> f64 {
                    let c = 2.0 * 3.0;
                    c * x.powi(n)
                }
            },
            &Options::default(),
        );
        let jvp = forward(&f, &act);
        let pushes = jvp
            .body
            .iter()
            .filter(|s| matches!(s.op, Op::Push { .. }))
            .count();
        // One push through `powi` and one through the product; none for `2.0 * 3.0`.
        assert_eq!(pushes, 2);
        let rules = jvp
            .body
            .iter()
            .filter(|s| matches!(s.op, Op::Rule { .. }))
            .count();
        assert_eq!(rules, 2);
    }

    #[test]
    fn constant_output_has_zero_tangent() {
        let (f, act) = lowered(
            syn::parse_quote! { fn f(x: f64) -> f64 { let _y = x.sin(); 4.0 } },
            &Options::default(),
        );
        let jvp = forward(&f, &act);
        assert!(matches!(jvp.body.last().map(|s| &s.op), Some(Op::Zero(_))));
        assert_eq!(tangent(&f, &act, &[1.0], 0, 1), (4.0, 0.0));
    }
}
