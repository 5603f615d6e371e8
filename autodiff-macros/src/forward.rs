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
use crate::ir::{self, Function, Op, Role, Stmt, Var};

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
pub fn linearize(f: &Function, act: &Activity) -> Linearized {
    let jvp = forward(f, act);
    let is_tangent = |s: &Stmt| {
        s.def()
            .is_some_and(|v| jvp.roles[v.0 as usize] == Role::Tangent)
    };
    let (tangent, primal) = jvp.body.iter().cloned().partition(is_tangent);
    Linearized {
        primal,
        tangent,
        value: jvp.value,
        tangent_out: jvp.tangent,
        roles: jvp.roles,
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
            Op::Prim { .. } => {
                // Partials only where the argument has a tangent.
                let tangents = &self.tangents;
                let Some((rule, pairs)) =
                    ir::rule_for(&mut self.f, stmt, |a| tangents.contains_key(&a))
                else {
                    return;
                };
                self.body.push(rule);
                let terms: Vec<(Var, Var)> = pairs
                    .into_iter()
                    .map(|(a, p)| (p, self.tangents[&a]))
                    .collect();
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::attr::Options;
    use crate::interpret::{lowered, run, Inputs};

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
        let mut env = HashMap::new();
        run(&jvp.body, &inputs, &mut env);
        (env[&jvp.value], env[&jvp.tangent])
    }

    fn value(f: &Function, args: &[f64]) -> f64 {
        let mut env = HashMap::new();
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
