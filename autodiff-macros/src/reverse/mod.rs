//! The reverse transform (adjoint mode): IR to IR.
//!
//! The result has two parts. The *primal sweep* is the original body where
//! each active primitive became a `Rule` that also returns the partials of its
//! varied arguments; those partials are all the adjoint sweep needs, so no
//! other intermediate value is kept. The *adjoint sweep* walks the active
//! statements backwards and pulls the output's cotangent through each partial,
//! accumulating where a value was used more than once. A value's adjoint is
//! created by its first contribution rather than initialised to zero, so no
//! zero is ever added; an argument that the output does not depend on gets an
//! explicit zero gradient.

use std::collections::{HashMap, HashSet};

use crate::activity::Activity;
use crate::ir::{self, ArgRole, Branch, Function, Loop, Op, Region, Role, Stmt, Var};
use crate::primitives::Primitive;
use crate::rebuild::Origins;
use crate::tape;

mod accumulate;
mod control;
mod in_place;

use control::fill_records;

/// Where the output's cotangent comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seed {
    /// `1`, for `grad` of a scalar output.
    One,
    /// A value passed by the caller, for `vjp`'s pullback.
    Given,
}

/// Where the gradients accumulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gradients {
    /// In fresh values (symbolic zeros until the first contribution).
    Fresh,
    /// Into buffers the caller passes, one per differentiable argument
    /// (Enzyme's shadow arguments): each starts as the buffer's contents,
    /// so indexed reads add into it in place.
    IntoBuffers,
}

/// A function split into a primal and an adjoint sweep.
#[derive(Debug)]
pub struct Vjp {
    /// The primal sweep: computes the value and the partials.
    pub primal: Vec<Stmt>,
    /// The adjoint sweep: computes the gradients from the partials.
    pub adjoint: Vec<Stmt>,
    /// The output value (defined by the primal sweep).
    pub value: Var,
    /// The gradient of each differentiable argument, in order (defined by the adjoint sweep).
    pub grads: Vec<Var>,
    /// Roles of all variables, the original ones first.
    pub roles: Vec<Role>,
    /// Variables holding copies kept for replays (`tape::kept`), each
    /// with the variable it copies: over dual numbers, dual where that is.
    pub kept: Vec<(Var, Var)>,
}

/// Differentiates `f` in reverse mode.
pub fn reverse(f: &Function, act: &Activity, seed: Seed) -> Vjp {
    reverse_into(f, act, seed, Gradients::Fresh)
}

/// Differentiates `f` in reverse mode, accumulating the gradients as `into` says.
pub fn reverse_into(f: &Function, act: &Activity, seed: Seed, into: Gradients) -> Vjp {
    let mut sweep = Adjoints {
        fresh: f.clone(),
        act,
        stmts: Vec::new(),
        adjoints: HashMap::new(),
        partials: HashMap::new(),
        records: HashMap::new(),
        filled: HashMap::new(),
        constants: tape::constants(&f.body),
        origins: Origins::of(f),
        first_items: HashMap::new(),
        kept: HashMap::new(),
        rules: HashMap::new(),
        growable: HashSet::new(),
        in_loop: 0,
    };
    let mut primal = sweep.primal(&f.body, 1);

    let arg_vars: Vec<Option<Var>> = f
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.role == ArgRole::Differentiable)
        .map(|(i, _)| {
            f.body
                .iter()
                .find(|s| matches!(s.op, Op::Arg(j) if j == i))
                .and_then(Stmt::def)
        })
        .collect();
    if into == Gradients::IntoBuffers {
        for (k, var) in arg_vars.iter().enumerate() {
            if let Some(var) = var {
                let g = sweep.define(Op::BufferIn(k), f.params[0].name.span());
                sweep.adjoints.insert(*var, g);
            }
        }
    }
    if act.active(f.ret) {
        let span = f
            .body
            .last()
            .map_or_else(proc_macro2::Span::call_site, |s| s.span);
        let op = match seed {
            Seed::One => Op::Seed(f.ret),
            Seed::Given => Op::CotangentIn,
        };
        let g = sweep.define(op, span);
        sweep.contribute(f.ret, g, span);
    }
    sweep.sweep(&f.body);

    let mut grads = Vec::new();
    let differentiable = f
        .params
        .iter()
        .filter(|p| p.role == ArgRole::Differentiable);
    for (param, arg_var) in differentiable.zip(&arg_vars) {
        let grad = match arg_var.and_then(|v| sweep.adjoints.get(&v).copied()) {
            Some(g) => g,
            None => {
                let v = arg_var.unwrap_or(f.ret);
                sweep.define(Op::Zero(v), param.name.span())
            }
        };
        grads.push(grad);
    }
    let keeps = control::Keeps {
        first_items: &sweep.first_items,
        kept: &sweep.kept,
    };
    fill_records(&mut primal, &sweep.filled, &keeps);
    for (arg, kept) in sweep.origins.kept_args() {
        let at = primal.iter().position(|s| s.def() == Some(*arg));
        let span = at.map_or_else(proc_macro2::Span::call_site, |a| primal[a].span);
        let stmt = crate::rebuild::keep_arg_stmt(*arg, *kept, span);
        primal.insert(at.map_or(0, |a| a + 1), stmt);
    }
    let mut kept: Vec<(Var, Var)> = sweep.origins.kept_args().to_vec();
    for k in sweep.kept.values().flatten() {
        kept.extend([k.kept, k.none, k.carried, k.next].map(|c| (k.value, c)));
    }
    let mut adjoint = sweep.stmts;
    in_place::keep_slots(&mut adjoint, &grads);
    Vjp {
        primal,
        adjoint,
        value: f.ret,
        grads,
        roles: sweep.fresh.roles,
        kept,
    }
}

/// The key of a structured statement: its first defined variable.
fn key(stmt: &Stmt) -> Option<Var> {
    stmt.defs.iter().flatten().next().copied()
}

struct Adjoints<'a> {
    /// The function, only for allocating fresh variables.
    fresh: Function,
    act: &'a Activity,
    stmts: Vec<Stmt>,
    /// The adjoint accumulated so far for each primal variable.
    adjoints: HashMap<Var, Var>,
    /// For each active primitive (by the variable it defines): its
    /// arguments' partials.
    partials: HashMap<Var, Vec<(Var, Var)>>,
    /// For each recorded branch or loop (by `key`): its record or tape
    /// variable, and what each of its regions makes available to a record.
    records: HashMap<Var, (Var, Vec<HashSet<Var>>)>,
    /// For each record or tape variable: the record of each region.
    filled: HashMap<Var, Vec<Vec<Var>>>,
    /// The body's constants (`ir::constants`).
    constants: HashMap<Var, syn::Expr>,
    /// How the function's variables are defined, for the integers loop
    /// replays rebuild (`rebuild`).
    origins: Origins,
    /// For each loop whose replay rebuilds its item (by tape): the
    /// variable the primal sweep keeps the range's first item in, and the
    /// range.
    first_items: HashMap<Var, (Var, Var)>,
    /// For each loop whose runs keep values for its replay (by tape).
    kept: HashMap<Var, Vec<crate::rebuild::KeptValue>>,
    /// The rules of the primal sweep, by the value each defines: the
    /// cheap ones a replay may compute again (`rebuild::Recording`).
    rules: HashMap<Var, Stmt>,
    /// The tapes that grow (`tape::Growable`).
    growable: HashSet<Var>,
    /// How many loops the adjoint sweep is inside.
    in_loop: usize,
}

impl Adjoints<'_> {
    fn define(&mut self, op: Op, span: proc_macro2::Span) -> Var {
        let v = self.fresh.fresh(Role::Adjoint);
        self.stmts.push(Stmt::new(v, op, span));
        v
    }

    /// The partials of `prim` with respect to `args` (`pairs`, in argument
    /// order), those the replay can rebuild (`tape::rebuilt_partials`)
    /// defined anew in the adjoint sweep rather than recorded.
    fn rebuilt(
        &mut self,
        prim: &Primitive,
        args: &[Var],
        pairs: Vec<(Var, Var)>,
        span: proc_macro2::Span,
    ) -> Vec<(Var, Var)> {
        let act = self.act;
        let ops = tape::rebuilt_partials(
            prim,
            args,
            |a| act.active(a),
            &self.constants,
            &self.fresh.roles,
            self.in_loop > 0,
        );
        pairs
            .into_iter()
            .zip(ops)
            .map(|((arg, partial), op)| match op {
                Some(op) => (arg, self.define(op, span)),
                None => (arg, partial),
            })
            .collect()
    }

    /// Adds the contribution `c` to the adjoint of `var`.
    fn contribute(&mut self, var: Var, c: Var, span: proc_macro2::Span) {
        let total = match self.adjoints.get(&var).copied() {
            None => c,
            Some(acc) => self.define(Op::Accumulate(acc, c), span),
        };
        self.adjoints.insert(var, total);
    }

    /// The adjoint of `var` so far, or a zero shaped like it.
    fn adjoint_or_zero(&mut self, var: Var, span: proc_macro2::Span) -> Var {
        match self.adjoints.get(&var) {
            Some(g) => *g,
            None => self.define(Op::Zero(var), span),
        }
    }

    /// The primal sweep of a body: active primitives become rules, active
    /// branches and loops record what their replay needs. `stack` is what
    /// enclosing fixed tapes hold per iteration (see `tape::kind`).
    fn primal(&mut self, body: &[Stmt], stack: usize) -> Vec<Stmt> {
        let act = self.act;
        let mut out = Vec::new();
        for stmt in body {
            let active = stmt.defs.iter().flatten().any(|d| act.active(*d));
            match &stmt.op {
                Op::Prim { .. } if active => {
                    let def = stmt.def();
                    if let Some((rule, pairs)) =
                        ir::rule_for(&mut self.fresh, stmt, |a| act.active(a))
                    {
                        if let Some(def) = def {
                            self.partials.insert(def, pairs);
                            self.rules.insert(def, rule.clone());
                        }
                        out.push(rule);
                    }
                }
                Op::Call(c) if active => {
                    let map = self.fresh.fresh(Role::Partial);
                    let mut call = (**c).clone();
                    call.mode = ir::CallMode::Vjp;
                    if let Some(def) = stmt.def() {
                        self.partials.insert(def, vec![(def, map)]);
                    }
                    out.push(Stmt {
                        defs: vec![stmt.def(), Some(map)],
                        op: Op::Call(Box::new(call)),
                        span: stmt.span,
                        ty: stmt.ty.clone(),
                    });
                }
                Op::Branch(b) if active => {
                    let record = self.fresh.fresh(Role::Primal);
                    let binds = b.bindings();
                    let mut arms = Vec::new();
                    let mut available = Vec::new();
                    for arm in &b.arms {
                        let region = Region {
                            body: self.primal(&arm.body, stack),
                            yields: arm.yields.clone(),
                            record: Vec::new(),
                        };
                        available.push(tape::available(&region, &binds));
                        arms.push(region);
                    }
                    if let Some(k) = key(stmt) {
                        self.records.insert(k, (record, available));
                    }
                    let mut defs = stmt.defs.clone();
                    defs.push(Some(record));
                    out.push(Stmt {
                        defs,
                        op: Op::Branch(Box::new(Branch {
                            choice: b.choice.clone(),
                            arms,
                            recorded: true,
                        })),
                        span: stmt.span,
                        ty: None,
                    });
                }
                Op::Loop(l) if active => {
                    let tape_var = self.fresh.fresh(Role::Primal);
                    let (kind, inner_stack) =
                        tape::kind(l.bound, l.container, self.fresh.tape, stack);
                    if kind == ir::TapeKind::Growable {
                        self.growable.insert(tape_var);
                    }
                    let body = Region {
                        body: self.primal(&l.body.body, inner_stack),
                        yields: l.body.yields.clone(),
                        record: Vec::new(),
                    };
                    let inner = l.inner();
                    if let Some(k) = key(stmt) {
                        self.records
                            .insert(k, (tape_var, vec![tape::available(&body, &inner)]));
                    }
                    let mut defs = stmt.defs.clone();
                    defs.push(Some(tape_var));
                    out.push(Stmt {
                        defs,
                        op: Op::Loop(Box::new(Loop {
                            kind: l.kind.clone(),
                            carried: l.carried.clone(),
                            inits: l.inits.clone(),
                            body,
                            breaks: l.breaks,
                            bound: l.bound,
                            container: l.container,
                            tape: Some(kind),
                        })),
                        span: stmt.span,
                        ty: None,
                    });
                }
                _ => out.push(stmt.clone()),
            }
        }
        out
    }

    /// The adjoint sweep of a body: its statements backwards.
    fn sweep(&mut self, body: &[Stmt]) {
        for stmt in body.iter().rev() {
            match &stmt.op {
                Op::Branch(b) => self.branch(stmt, b),
                Op::Loop(l) => self.loop_(stmt, l),
                _ => self.simple(stmt),
            }
        }
    }

    fn simple(&mut self, stmt: &Stmt) {
        let Some(def) = stmt.def() else { return };
        let Some(g) = self.adjoints.get(&def).copied() else {
            return;
        };
        let mut pairs = self.partials.get(&def).cloned().unwrap_or_default();
        if let Op::Prim { prim, args, .. } = &stmt.op {
            pairs = self.rebuilt(prim, args, pairs, stmt.span);
        }
        match &stmt.op {
            // `x[i] = v` with an active `x`: one in-place split of the
            // adjoint into the container's and the value's.
            Op::Prim { prim, args, .. }
                if prim.name == "set_index"
                    && pairs.first().is_some_and(|(a, _)| *a == args[0]) =>
            {
                let partial = pairs[0].1;
                let value_active = pairs.iter().any(|(a, _)| *a == args[2]);
                let container = self.fresh.fresh(Role::Adjoint);
                let value = value_active.then(|| self.fresh.fresh(Role::Adjoint));
                self.stmts.push(Stmt {
                    defs: vec![Some(container), value],
                    op: Op::PullSet {
                        partial,
                        adjoint: g,
                        keep: false,
                    },
                    span: stmt.span,
                    ty: None,
                });
                self.contribute(args[0], container, stmt.span);
                if let Some(value) = value {
                    self.contribute(args[2], value, stmt.span);
                }
            }
            Op::Prim { prim, .. } if prim.adds_in_place() => {
                // An element's cotangent is added into the container's
                // adjoint in place; the adjoint starts as zeros.
                for (arg, partial) in pairs {
                    let acc = self.adjoint_or_zero(arg, stmt.span);
                    let op = Op::PullInto {
                        partial,
                        adjoint: g,
                        acc,
                    };
                    let total = self.define(op, stmt.span);
                    self.adjoints.insert(arg, total);
                }
            }
            Op::Prim { .. } => {
                // Each contribution is added onto the adjoint so far as it
                // is pulled.
                for (arg, partial) in pairs {
                    let op = Op::Pull {
                        partial,
                        adjoint: g,
                        onto: self.adjoints.get(&arg).copied(),
                    };
                    let total = self.define(op, stmt.span);
                    self.adjoints.insert(arg, total);
                }
            }
            Op::Copy(src) if self.act.active(*src) => self.contribute(*src, g, stmt.span),
            Op::Call(c) => {
                // The pullback gives a cotangent per argument position.
                let Some((_, map)) = pairs.first().copied() else {
                    return;
                };
                let defs: Vec<Option<Var>> = c
                    .args
                    .iter()
                    .map(|a| self.act.active(*a).then(|| self.fresh.fresh(Role::Adjoint)))
                    .collect();
                // The callee adds onto an argument's adjoint so far (at its
                // first position, if it is passed twice): no zero is built
                // and no new gradient allocated per call.
                let starts: Vec<Option<Var>> = c
                    .args
                    .iter()
                    .enumerate()
                    .map(
                        |(i, a)| match self.act.active(*a) && !c.args[..i].contains(a) {
                            true => self.adjoints.get(a).copied(),
                            false => None,
                        },
                    )
                    .collect();
                self.stmts.push(Stmt {
                    defs: defs.clone(),
                    op: Op::PullCall {
                        map,
                        adjoint: g,
                        starts: starts.clone(),
                        array_lens: c.array_lens.clone(),
                    },
                    span: stmt.span,
                    ty: None,
                });
                for ((arg, d), start) in c.args.iter().zip(defs).zip(starts) {
                    match (d, start) {
                        (Some(d), Some(_)) => {
                            self.adjoints.insert(*arg, d);
                        }
                        (Some(d), None) => self.contribute(*arg, d, stmt.span),
                        (None, _) => {}
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::Options;
    use crate::interpret::{lowered, run, Env, Inputs};

    fn gradient(vjp: &Vjp, args: &[f64], cotangent: f64) -> Vec<f64> {
        let inputs = Inputs {
            args: args.to_vec(),
            tangents: Vec::new(),
            cotangent,
            buffers: Vec::new(),
        };
        let mut env = Env::default();
        run(&vjp.primal, &inputs, &mut env);
        run(&vjp.adjoint, &inputs, &mut env);
        vjp.grads.iter().map(|g| env[g]).collect()
    }

    #[test]
    fn adjoints_agree_with_tangents() {
        // The dot-product test on the IR: <J v, w> = <v, Jᵀ w>.
        let (f, act) = lowered(
            syn::parse_quote! {
                fn f(x: f64, y: f64, z: f64) -> f64 {
                    let a = x * y;
                    let a = a * a + z.exp();
                    (a / (y * y + 1.0)).sin() - x * z
                }
            },
            &Options::default(),
        );
        let args = [0.3, -1.1, 0.8];
        let (v, w) = ([0.5, -2.0, 1.5], -0.7);
        let jvp = crate::forward::forward(&f, &act);
        let mut env = Env::default();
        let inputs = Inputs {
            args: args.to_vec(),
            tangents: v.to_vec(),
            cotangent: 0.0,
            buffers: Vec::new(),
        };
        run(&jvp.body, &inputs, &mut env);
        let jv = env[&jvp.tangent];
        let vjp = reverse(&f, &act, Seed::Given);
        let jtw = gradient(&vjp, &args, w);
        let rhs: f64 = v.iter().zip(&jtw).map(|(a, b)| a * b).sum();
        assert!((jv * w - rhs).abs() < 1e-12, "{} vs {rhs}", jv * w);
    }

    #[test]
    fn repeated_use_accumulates() {
        let (f, act) = lowered(
            syn::parse_quote! { fn f(x: f64) -> f64 { x * x * x } },
            &Options::default(),
        );
        let vjp = reverse(&f, &act, Seed::One);
        assert_eq!(gradient(&vjp, &[2.0], 0.0), vec![12.0]);
        // Each use after the first adds onto the adjoint as it is pulled.
        let accumulations = vjp
            .adjoint
            .iter()
            .filter(|s| matches!(s.op, Op::Pull { onto: Some(_), .. }))
            .count();
        assert_eq!(accumulations, 2, "x is used three times");
    }

    #[test]
    fn keeps_only_partials_of_active_arguments() {
        let (f, act) = lowered(
            syn::parse_quote! { fn f(x: f64, c: f64) -> f64 { (c * 2.0).sin() * x } },
            &Options {
                wrt: Some(vec![syn::parse_quote!(x)]),
                tape: None,
            },
        );
        let vjp = reverse(&f, &act, Seed::One);
        // Only the final product is active, and only its `x` partial is kept.
        let rules: Vec<_> = vjp
            .primal
            .iter()
            .filter(|s| matches!(s.op, Op::Rule { .. }))
            .collect();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].defs.iter().filter(|d| d.is_some()).count(), 2);
        assert_eq!(gradient(&vjp, &[1.5, 0.4], 0.0), vec![(0.8f64).sin()]);
    }

    #[test]
    fn gradients_add_into_buffers() {
        let (f, act) = lowered(
            syn::parse_quote! { fn f(x: f64, y: f64, z: f64) -> f64 { x * y + x } },
            &Options::default(),
        );
        let vjp = reverse_into(&f, &act, Seed::One, Gradients::IntoBuffers);
        let inputs = Inputs {
            args: vec![2.0, 3.0, 4.0],
            tangents: Vec::new(),
            cotangent: 0.0,
            buffers: vec![10.0, 20.0, 30.0],
        };
        let mut env = Env::default();
        run(&vjp.primal, &inputs, &mut env);
        run(&vjp.adjoint, &inputs, &mut env);
        let grads: Vec<f64> = vjp.grads.iter().map(|g| env[g]).collect();
        // Each buffer plus the gradient (y + 1, x, 0); no zero is built.
        assert_eq!(grads, vec![14.0, 22.0, 30.0]);
        assert!(!vjp.adjoint.iter().any(|s| matches!(s.op, Op::Zero(_))));
    }

    #[test]
    fn unused_argument_gets_zero_gradient() {
        let (f, act) = lowered(
            syn::parse_quote! { fn f(x: f64, y: f64) -> f64 { x.exp() } },
            &Options::default(),
        );
        let vjp = reverse(&f, &act, Seed::One);
        assert_eq!(gradient(&vjp, &[0.0, 5.0], 0.0), vec![1.0, 0.0]);
        assert!(matches!(
            vjp.adjoint.last().map(|s| &s.op),
            Some(Op::Zero(_))
        ));
    }
}
