//! Activity analysis: which variables carry a derivative.
//!
//! A variable is *varied* if it depends on a differentiable argument through
//! differentiable operations, and *useful* if the output depends on it that
//! way. Only variables that are both (active) get tangents or adjoints; all
//! other code is kept as the user wrote it and gets no derivative code. This
//! is also where a derivative that would have to flow through something the
//! IR cannot differentiate (an unknown function, a cast to a float type) is
//! reported, on that expression's span.

use std::collections::HashSet;

use crate::errors::Errors;
use crate::ir::{ArgRole, Callee, Function, MapFn, Op, OpaqueKind, Var};
use crate::primitives::Spelling;

/// The result of the analysis.
#[derive(Debug, Default)]
pub struct Activity {
    varied: HashSet<Var>,
    useful: HashSet<Var>,
}

impl Activity {
    /// Whether `var` depends on a differentiable argument.
    pub fn varied(&self, var: Var) -> bool {
        self.varied.contains(&var)
    }

    /// Whether `var` carries a derivative that reaches the output.
    pub fn active(&self, var: Var) -> bool {
        self.varied.contains(&var) && self.useful.contains(&var)
    }
}

/// Analyses `f`, recording an error for each derivative that cannot flow.
pub fn analyse(f: &Function, errors: &mut Errors) -> Activity {
    let mut act = Activity::default();
    // Forward: what depends on a differentiable argument.
    for stmt in &f.body {
        let Some(def) = stmt.def() else { continue };
        let varied = match &stmt.op {
            Op::Arg(i) => f.params[*i].role == ArgRole::Differentiable,
            Op::Opaque {
                kind: OpaqueKind::Foreign(_),
                uses,
                ..
            } => uses.iter().any(|u| act.varied(*u)),
            Op::Opaque { .. } => false,
            Op::Prim { prim, args, .. } => args
                .iter()
                .enumerate()
                .any(|(i, a)| prim.differentiable_arg(i) && act.varied(*a)),
            Op::Copy(src) => act.varied(*src),
            _ => false,
        };
        if varied {
            act.varied.insert(def);
        }
    }
    let poisoned: HashSet<Var> = f
        .body
        .iter()
        .filter(|s| {
            matches!(
                s.op,
                Op::Opaque {
                    kind: OpaqueKind::Poisoned,
                    ..
                }
            )
        })
        .filter_map(|s| s.def())
        .collect();
    // Backward: what the output depends on.
    act.useful.insert(f.ret);
    // Found last to first; reported in source order.
    let mut found = Vec::new();
    for (index, stmt) in f.body.iter().enumerate().rev() {
        let Some(def) = stmt.def() else { continue };
        if !act.useful.contains(&def) {
            continue;
        }
        match &stmt.op {
            Op::Prim { prim, args, callee } => {
                // Errors inside a closure are reported with the function's.
                let closure = match callee {
                    Callee::Map(f) => match &**f {
                        MapFn::Closure(closure) => Some(closure),
                        _ => None,
                    },
                    Callee::FromFn(f) => Some(&f.closure),
                    _ => None,
                };
                if let Some(closure) = closure {
                    let mut inner = Errors::default();
                    analyse(closure, &mut inner);
                    errors.extend(inner);
                }
                for (i, a) in args.iter().enumerate() {
                    if prim.differentiable_arg(i) {
                        act.useful.insert(*a);
                    } else if act.varied(*a) {
                        let what = match prim.spelling {
                            Spelling::Index => "an index must be an integer that does not depend on the differentiable arguments; compute it from static arguments (e.g. `usize` ones) or constants".to_string(),
                            _ => format!("argument {i} of `{}` must not depend on the differentiable arguments; pass a static value", prim.name),
                        };
                        found.push((index, syn::Error::new(stmt.span, what)));
                    }
                }
            }
            Op::Copy(src) => {
                act.useful.insert(*src);
            }
            Op::Opaque {
                kind: OpaqueKind::Foreign(error),
                uses,
                ..
            } if act.varied(def) => {
                // Code that reads a value whose lowering failed was already reported.
                if !uses.iter().any(|u| poisoned.contains(u)) {
                    found.push((index, error.clone()));
                }
                // Its inputs matter too: report every place a derivative is lost.
                act.useful.extend(uses.iter().copied());
            }
            _ => {}
        }
    }
    found.sort_by_key(|(index, ..)| *index);
    for (_, error) in found {
        errors.push(error);
    }
    act
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::Options;
    use crate::{lower, signature};

    fn analysed(item: syn::ItemFn) -> (Function, Activity, Errors) {
        let mut errors = Errors::default();
        let sig = signature::check(&item.sig, &Options::default(), &mut errors);
        let f = lower::lower(sig.params, &item.block, true, &mut errors);
        let act = analyse(&f, &mut errors);
        (f, act, errors)
    }

    #[test]
    fn constants_and_dead_code_are_inactive() {
        let (f, act, errors) = analysed(syn::parse_quote! {
            fn f(x: f64, n: i32) -> f64 {
                let unused = x.sin();
                let c = 3.0 * 2.0;
                c * x.powi(n)
            }
        });
        assert!(errors.is_empty());
        let active: Vec<_> = f
            .body
            .iter()
            .filter_map(|s| s.def())
            .filter(|v| act.active(*v))
            .collect();
        // x, x.powi(n) and the product: not `unused`, `c`, the literals or `n`.
        assert_eq!(active.len(), 3, "{:#?}", f.body);
        assert!(
            act.varied(f.body[2].def().unwrap()),
            "`unused` depends on x"
        );
        assert!(
            !act.active(f.body[2].def().unwrap()),
            "but does not reach the output"
        );
    }

    #[test]
    fn unknown_function_on_active_value_is_an_error_only_if_it_matters() {
        let (_, _, errors) = analysed(syn::parse_quote! {
            fn f(x: f64) -> f64 { helper(x) * 2.0 }
        });
        assert_eq!(errors.len(), 1);
        assert!(
            errors.messages()[0].contains("the function `helper`"),
            "{:?}",
            errors.messages()
        );
        let (_, _, errors) = analysed(syn::parse_quote! {
            fn f(x: f64, n: i32) -> f64 { let _dropped = helper(x); x * helper(n) }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
    }

    #[test]
    fn comparisons_stop_derivatives_without_error() {
        let (f, act, errors) = analysed(syn::parse_quote! {
            fn f(x: f64) -> f64 { let _positive = x > 0.0; x }
        });
        assert!(errors.is_empty());
        let comparison = f.body[1].def().unwrap();
        assert!(!act.varied(comparison));
    }
}
