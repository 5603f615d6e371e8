//! Which functions get second derivatives, and what is dual in them.
//!
//! `hvp` and `hessian` run the reverse sweep a second time over dual
//! numbers (`emit::dual`, `autodiff_runtime::dual`): forward mode over
//! reverse mode, with the forward part done by the rules themselves
//! evaluated on `x + ε v`. That needs every operation a derivative flows
//! through to accept dual numbers: the scalar float functions, arithmetic,
//! indexing, array and tuple literals, element assignment, loops and
//! branches do; nalgebra's operations, structs, closures in `map` and calls
//! of other functions do not yet. A function outside that subset gets
//! `hvp` and `hessian` whose use is a compile-time error saying so.

use std::collections::HashSet;

use syn::Type;

use crate::activity::Activity;
use crate::ir::{ArgRole, Callee, Function, Op, Param, Stmt, Var};
use crate::primitives::Spelling;
use crate::types;

/// Methods of the table whose operands are nalgebra matrices.
const MATRIX_METHODS: &[&str] = &[
    "dot",
    "norm",
    "norm_squared",
    "sum",
    "transpose",
    "component_mul",
    "component_div",
    "into_owned",
    "clone_owned",
];

/// `Ok` if second derivatives are generated: the facade's `hessian`
/// feature is on (it is by default) and the function is in the subset
/// ([`supported`]); else why not (`None` without the feature: then there
/// are no second-order items at all).
pub fn generated(f: &Function, act: &Activity, ret_ty: &Type) -> Result<(), Option<String>> {
    if !cfg!(feature = "hessian") {
        return Err(None);
    }
    supported(f, act, &f.params, ret_ty).map_err(Some)
}

/// Why a function has no second derivatives, as [`generated`] says it.
pub fn unavailable<T>(reason: &str) -> Result<T, Option<String>> {
    Err(cfg!(feature = "hessian").then(|| reason.to_string()))
}

/// `Ok` if second derivatives can be generated, else why not (for the
/// documentation of the stubs).
pub fn supported(
    f: &Function,
    act: &Activity,
    params: &[Param],
    ret_ty: &Type,
) -> Result<(), String> {
    if !types::is_scalar(ret_ty) {
        return Err("its output is not a scalar".into());
    }
    for p in params.iter().filter(|p| p.role == ArgRole::Differentiable) {
        if !types::liftable(&p.ty) {
            return Err(format!(
                "the type of `{}` is not a float, an array, a `Vec` or a slice of floats",
                p.name
            ));
        }
    }
    body_supported(&f.body, act)
}

fn body_supported(body: &[Stmt], act: &Activity) -> Result<(), String> {
    for stmt in body {
        for region in stmt.regions() {
            body_supported(&region.body, act)?;
        }
        match &stmt.op {
            Op::Prim { prim, args, callee } if args.iter().any(|a| act.varied(*a)) => {
                let ok = match prim.spelling {
                    Spelling::Method => !MATRIX_METHODS.contains(&prim.name),
                    Spelling::Field => matches!(callee, Callee::Member(syn::Member::Unnamed(_))),
                    Spelling::Operator(_)
                    | Spelling::Index
                    | Spelling::ArrayLiteral
                    | Spelling::TupleLiteral
                    | Spelling::Function
                    | Spelling::Lowered => true,
                    _ => false,
                };
                if !ok {
                    return Err(format!("a derivative flows through `{}`", prim.name));
                }
            }
            Op::Call(call) if call.args.iter().any(|a| act.varied(*a)) => {
                let name = call
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                return Err(format!("a derivative flows through a call of `{name}`"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The variables that depend on the differentiable arguments (the ones
/// that are dual numbers in the second sweep), and those whose type comes
/// from their use alone (the `Default::default()` an early `return` starts
/// its value slot with): these are never promoted.
pub fn varied(f: &Function, act: &Activity) -> (HashSet<Var>, HashSet<Var>) {
    let (mut varied, mut untyped) = (HashSet::new(), HashSet::new());
    collect(&f.body, act, &mut varied, &mut untyped);
    (varied, untyped)
}

fn collect(body: &[Stmt], act: &Activity, varied: &mut HashSet<Var>, untyped: &mut HashSet<Var>) {
    for stmt in body {
        varied.extend(stmt.defs.iter().flatten().filter(|v| act.varied(**v)));
        match &stmt.op {
            Op::Loop(l) => varied.extend(l.carried.iter().filter(|v| act.varied(**v))),
            Op::Opaque { expr, .. } if is_default(expr) => untyped.extend(stmt.def()),
            _ => {}
        }
        for region in stmt.regions() {
            collect(&region.body, act, varied, untyped);
        }
    }
}

/// The float type the dual numbers are over: the first differentiable
/// argument's (a supported function has one), else the output's.
pub fn scalar(f: &Function, ret_ty: &Type) -> proc_macro2::TokenStream {
    let scalar = f
        .params
        .iter()
        .filter(|p| p.role == ArgRole::Differentiable)
        .find_map(|p| types::scalar(&p.ty))
        .or_else(|| types::scalar(ret_ty));
    match scalar {
        Some(s) => quote::quote!(#s),
        None => quote::quote!(f64),
    }
}

/// `Default::default()` (by any path).
fn is_default(expr: &syn::Expr) -> bool {
    let syn::Expr::Call(call) = expr else {
        return false;
    };
    let syn::Expr::Path(p) = &*call.func else {
        return false;
    };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    call.args.is_empty() && names.ends_with(&["Default".to_string(), "default".to_string()])
}
