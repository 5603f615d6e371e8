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

use std::collections::HashMap;

use crate::activity::Activity;
use crate::ir::{self, ArgRole, Function, Op, Role, Stmt, Var};

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
}

/// Differentiates `f` in reverse mode.
pub fn reverse(f: &Function, act: &Activity, seed: Seed) -> Vjp {
    reverse_into(f, act, seed, Gradients::Fresh)
}

/// Differentiates `f` in reverse mode, accumulating the gradients as `into` says.
pub fn reverse_into(f: &Function, act: &Activity, seed: Seed, into: Gradients) -> Vjp {
    let mut fresh = f.clone();
    let mut primal = Vec::new();
    // For each active primitive statement: its arguments' partials.
    let mut partials: HashMap<usize, Vec<(Var, Var)>> = HashMap::new();
    for (index, stmt) in f.body.iter().enumerate() {
        match (&stmt.op, stmt.def()) {
            (Op::Prim { .. }, Some(def)) if act.active(def) => {
                if let Some((rule, pairs)) = ir::rule_for(&mut fresh, stmt, |a| act.active(a)) {
                    partials.insert(index, pairs);
                    primal.push(rule);
                }
            }
            _ => primal.push(stmt.clone()),
        }
    }

    let mut sweep = Adjoints {
        fresh,
        stmts: Vec::new(),
        adjoints: HashMap::new(),
    };
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
        if let Some(last) = f.body.last() {
            sweep.contribute(f.ret, g, last);
        }
    }
    for (index, stmt) in f.body.iter().enumerate().rev() {
        let Some(def) = stmt.def() else { continue };
        let Some(g) = sweep.adjoints.get(&def).copied() else {
            continue;
        };
        match &stmt.op {
            Op::Prim { prim, .. } if prim.adds_in_place() => {
                // An element's cotangent is added into the container's
                // adjoint in place; the adjoint starts as zeros.
                for (arg, partial) in partials.get(&index).into_iter().flatten() {
                    let acc = match sweep.adjoints.get(arg).copied() {
                        Some(acc) => acc,
                        None => sweep.define(Op::Zero(*arg), stmt.span),
                    };
                    let op = Op::PullInto {
                        partial: *partial,
                        adjoint: g,
                        acc,
                    };
                    let total = sweep.define(op, stmt.span);
                    sweep.adjoints.insert(*arg, total);
                }
            }
            Op::Prim { .. } => {
                for (arg, partial) in partials.get(&index).into_iter().flatten() {
                    let c = sweep.define(
                        Op::Pull {
                            partial: *partial,
                            adjoint: g,
                        },
                        stmt.span,
                    );
                    sweep.contribute(*arg, c, stmt);
                }
            }
            Op::Copy(src) if act.active(*src) => sweep.contribute(*src, g, stmt),
            _ => {}
        }
    }

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
    Vjp {
        primal,
        adjoint: sweep.stmts,
        value: f.ret,
        grads,
        roles: sweep.fresh.roles,
    }
}

struct Adjoints {
    /// The function, only for allocating fresh variables.
    fresh: Function,
    stmts: Vec<Stmt>,
    /// The adjoint accumulated so far for each primal variable.
    adjoints: HashMap<Var, Var>,
}

impl Adjoints {
    fn define(&mut self, op: Op, span: proc_macro2::Span) -> Var {
        let v = self.fresh.fresh(Role::Adjoint);
        self.stmts.push(Stmt::new(v, op, span));
        v
    }

    /// Adds the contribution `c` to the adjoint of `var`.
    fn contribute(&mut self, var: Var, c: Var, origin: &Stmt) {
        let total = match self.adjoints.get(&var).copied() {
            None => c,
            Some(acc) => self.define(Op::Accumulate(acc, c), origin.span),
        };
        self.adjoints.insert(var, total);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::attr::Options;
    use crate::interpret::{lowered, run, Inputs};

    fn gradient(vjp: &Vjp, args: &[f64], cotangent: f64) -> Vec<f64> {
        let inputs = Inputs {
            args: args.to_vec(),
            tangents: Vec::new(),
            cotangent,
            buffers: Vec::new(),
        };
        let mut env = HashMap::new();
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
        let mut env = HashMap::new();
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
        let accumulations = vjp
            .adjoint
            .iter()
            .filter(|s| matches!(s.op, Op::Accumulate(..)))
            .count();
        assert_eq!(accumulations, 2, "x is used three times");
    }

    #[test]
    fn keeps_only_partials_of_active_arguments() {
        let (f, act) = lowered(
            syn::parse_quote! { fn f(x: f64, c: f64) -> f64 { (c * 2.0).sin() * x } },
            &Options {
                wrt: Some(vec![syn::parse_quote!(x)]),
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
        let mut env = HashMap::new();
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
