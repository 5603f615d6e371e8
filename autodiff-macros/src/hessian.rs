//! Which functions get second derivatives, and what is dual in them.
//!
//! `hvp` and `hessian` run the reverse sweep a second time over dual
//! numbers (`emit::dual`, `autodiff_runtime::dual`): forward mode over
//! reverse mode, with the forward part done by the rules themselves
//! evaluated on `x + ε v`. That needs every operation a derivative flows
//! through to accept dual numbers: the scalar float functions, arithmetic,
//! indexing, array and tuple literals, element assignment, loops and
//! branches do, and calls of other differentiated functions (through their
//! `__hvp_vjp_call`), and nalgebra's arithmetic, products, `dot`, norms,
//! sums and blocks; the rules that need nalgebra's `RealField` (flagged
//! `field` in the table), structs and closures in `map` do not yet. A function outside that subset gets `hvp` and `hessian`
//! whose use is a compile-time error saying so, and a `__hvp_vjp_call`
//! that panics, naming why, when a caller's second sweep reaches it.
//!
//! Where [`generic`] allows, that second sweep is not a second copy: the
//! reverse function is written once over a type parameter
//! (`dual::Number`), which `grad` instantiates with the float type and
//! `hvp` with dual numbers.

use std::collections::HashSet;

use quote::ToTokens;
use syn::Type;

use crate::activity::Activity;
use crate::ir::{ArgRole, Callee, Function, Op, Param, Stmt, Var};
use crate::primitives::Spelling;
use crate::types;

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
    // A vector output gets the second sweep too, for its callers'; `hvp`
    // and `hessian` themselves need a scalar one (`items::second_order`).
    if !types::liftable(ret_ty) {
        return Err("its output is not a float, an array or a `Vec` of floats".into());
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
                    Spelling::Method | Spelling::Function | Spelling::Lowered => !prim.field,
                    Spelling::Field | Spelling::SetField => true,
                    // The second sweep builds the struct's dual twin,
                    // which a path `Self` cannot name.
                    Spelling::StructLiteral => match callee {
                        Callee::Struct(literal) => crate::twin::twin_path(&literal.path).is_some(),
                        _ => false,
                    },
                    Spelling::Operator(_)
                    | Spelling::Index
                    | Spelling::ArrayLiteral
                    | Spelling::TupleLiteral
                    | Spelling::Slice
                    | Spelling::FixedSlice => true,
                    // The second sweep calls the same path: it must not
                    // name the float type (`SVector::<f64, 2>::from`).
                    Spelling::Construct | Spelling::Fill => match callee {
                        Callee::Path(p) => !names_float(p),
                        _ => false,
                    },
                    _ => false,
                };
                if !ok {
                    return Err(format!("a derivative flows through `{}`", prim.name));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether the reverse sweep is written once, generic over the numbers it
/// runs on (`dual::Number`): over the float type for `grad` and `vjp`, over
/// dual numbers for `hvp` and `hessian`, where other functions get a second
/// copy over dual numbers (`__hvp_reverse`). rustc then checks one body
/// where it checked two. Taken for free, non-generic functions in the
/// second-derivative subset whose differentiable arguments and output hold
/// floats only (floats, arrays, slices, `Vec`s, nalgebra matrices), with no
/// calls (the callees' sweeps are not generic), closures or structs, and
/// no constant on the heap ([`mentions_heap`]).
pub fn generic(f: &Function, ret_ty: &Type) -> bool {
    // What `supported` allowed, without structs (no generic twins).
    let numbers = |ty: &Type| types::float_valued(ty);
    numbers(ret_ty)
        && f.params.iter().all(|p| match p.role {
            ArgRole::Differentiable => numbers(&p.ty),
            _ => !mentions_heap(&p.ty.to_token_stream(), true),
        })
        && plain_body(&f.body)
}

/// Whether a body holds only what the generic sweep supports (see
/// [`generic`]): no calls, closures or structs, and no constant that
/// lives on the heap.
fn plain_body(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| {
        let op = match &stmt.op {
            Op::Call(_) => false,
            Op::Prim { prim, callee, .. } | Op::Rule { prim, callee, .. } => {
                // `DVector::from_element(n, 0.0)` builds one on the heap.
                let heap_path = matches!(callee, Callee::Path(p)
                    if mentions_heap(&p.to_token_stream(), false));
                !heap_path
                    && !prim.takes_closure()
                    && !matches!(
                        prim.spelling,
                        Spelling::Field | Spelling::StructLiteral | Spelling::SetField
                    )
                    && !matches!(prim.name, "vec_from_elem" | "vec_from_array" | "to_vec")
            }
            Op::Opaque { expr, .. } => !mentions_heap(&expr.to_token_stream(), false),
            _ => true,
        };
        op && stmt.regions().iter().all(|r| plain_body(&r.body))
    })
}

/// Whether tokens may stand for a value on the heap (a `Vec`, a slice, a
/// dynamic nalgebra matrix; slices only in a type, where `[T]` is one).
/// Such a constant meeting the arguments is
/// converted to the sweep's numbers (`dual::constant`), which over the
/// float type itself would be a copy the sweep written for it does not
/// make; the function keeps that sweep and a dual copy.
fn mentions_heap(tokens: &proc_macro2::TokenStream, in_type: bool) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => HEAP.iter().any(|h| i == h),
        proc_macro2::TokenTree::Group(g) => {
            // `[T]`, a slice type (an array is `[T; N]`).
            let slice = in_type
                && g.delimiter() == proc_macro2::Delimiter::Bracket
                && !g
                    .stream()
                    .into_iter()
                    .any(|t| matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';'));
            slice || mentions_heap(&g.stream(), in_type)
        }
        _ => false,
    })
}

/// Names of heap containers and of what builds them.
const HEAP: &[&str] = &[
    "Vec", "vec", "DMatrix", "DVector", "Dyn", "OMatrix", "to_vec", "collect", "to_owned",
];

/// Whether a path names `f64`, `f32` or a float type parameter in its
/// generic arguments.
fn names_float(path: &syn::Path) -> bool {
    struct Finder(bool);
    impl<'a> syn::visit::Visit<'a> for Finder {
        fn visit_type(&mut self, ty: &'a Type) {
            self.0 |= types::is_scalar(ty);
            syn::visit::visit_type(self, ty);
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_path(&mut finder, path);
    finder.0
}

/// The variables that hold dual numbers in the second sweep, and those
/// whose type comes from their use alone (the `Default::default()` an early
/// `return` starts its value slot with): these are never promoted.
///
/// Dual are the values that depend on the differentiable arguments, as
/// activity analysis finds them (`act.varied`), except through a call no
/// derivative is needed from: that is plain code on the value parts
/// (`emit::dual`), whose result is a plain float, and so is what is
/// computed from such results alone.
pub fn varied(f: &Function, act: &Activity) -> (HashSet<Var>, HashSet<Var>) {
    let (mut dual, mut untyped) = (HashSet::new(), HashSet::new());
    while spread(f, &f.body, act, &mut dual, &mut untyped) {}
    (dual, untyped)
}

/// One pass marking dual variables; whether anything changed.
fn spread(
    f: &Function,
    body: &[Stmt],
    act: &Activity,
    dual: &mut HashSet<Var>,
    untyped: &mut HashSet<Var>,
) -> bool {
    let mut changed = false;
    let mark = |v: Var, dual: &mut HashSet<Var>| act.varied(v) && dual.insert(v);
    for stmt in body {
        for region in stmt.regions() {
            changed |= spread(f, &region.body, act, dual, untyped);
        }
        let reads_dual = |vars: &[Var], dual: &HashSet<Var>| vars.iter().any(|v| dual.contains(v));
        let defs: Vec<Var> = match &stmt.op {
            Op::Arg(i) if f.params[*i].role == ArgRole::Differentiable => {
                stmt.def().into_iter().collect()
            }
            Op::Prim { args, .. } | Op::Rule { args, .. } if reads_dual(args, dual) => {
                stmt.def().into_iter().collect()
            }
            Op::Copy(src) if dual.contains(src) => stmt.def().into_iter().collect(),
            Op::Opaque { uses, .. } if reads_dual(uses, dual) => stmt.def().into_iter().collect(),
            Op::Call(c)
                if reads_dual(&c.args, dual) && stmt.def().is_some_and(|d| act.active(d)) =>
            {
                stmt.defs.iter().flatten().copied().collect()
            }
            Op::Branch(b) => stmt
                .defs
                .iter()
                .enumerate()
                .filter(|(k, _)| {
                    b.arms
                        .iter()
                        .any(|a| a.yields.get(*k).is_some_and(|y| dual.contains(y)))
                })
                .filter_map(|(_, d)| *d)
                .collect(),
            Op::Loop(l) => {
                for (k, c) in l.carried.iter().enumerate() {
                    let from_init = l.inits.get(k).is_some_and(|v| dual.contains(v));
                    let from_body = l.body.yields.get(k).is_some_and(|v| dual.contains(v));
                    if from_init || from_body {
                        changed |= mark(*c, dual);
                    }
                }
                l.carried
                    .iter()
                    .zip(&stmt.defs)
                    .filter(|(c, _)| dual.contains(c))
                    .filter_map(|(_, d)| *d)
                    .collect()
            }
            _ => Vec::new(),
        };
        for d in defs {
            changed |= mark(d, dual);
        }
        if let Op::Opaque { expr, .. } = &stmt.op {
            if is_default(expr) {
                untyped.extend(stmt.def());
            }
        }
    }
    changed
}

/// The float type the dual numbers are over: the first differentiable
/// argument's (a supported function has one), else the output's.
pub fn scalar(params: &[Param], ret_ty: &Type) -> proc_macro2::TokenStream {
    let scalar = params
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

#[cfg(test)]
mod tests {
    use crate::attr::Options;
    use crate::interpret::lowered;

    /// Whether `item` gets the one generic sweep.
    fn generic(item: syn::ItemFn) -> bool {
        generic_with(item, Options::default())
    }

    /// The same, with the attribute's options.
    fn generic_with(item: syn::ItemFn, options: Options) -> bool {
        let ret = match &item.sig.output {
            syn::ReturnType::Type(_, ty) => (**ty).clone(),
            syn::ReturnType::Default => syn::parse_quote!(()),
        };
        let (f, act) = lowered(item, &options);
        super::supported(&f, &act, &f.params, &ret).is_ok() && super::generic(&f, &ret)
    }

    #[test]
    fn one_sweep_where_constants_stay_off_the_heap() {
        // Floats, arrays, loops, branches, fixed-size matrices, slices.
        assert!(generic(syn::parse_quote! {
            fn f(x: f64, a: [f64; 3], n: usize) -> f64 {
                let mut s = 0.0;
                for i in 0..n { s += a[i % 3] * x; }
                if s > 1.0 { s.sin() } else { 2.0 * s }
            }
        }));
        assert!(generic(syn::parse_quote! {
            fn f(m: Matrix3<f64>, v: Vector3<f64>) -> f64 { (m * v).norm() * 0.5 }
        }));
        assert!(generic(syn::parse_quote! {
            fn f(x: &[f64]) -> f64 { x[0] * x[1] }
        }));
        // A constant on the heap would be copied over `f64`: two sweeps.
        assert!(!generic(syn::parse_quote! {
            fn f(x: f64, n: usize) -> f64 { let mut v = vec![0.0; n]; v[0] = x; v[0] }
        }));
        let wrt_p = crate::attr::parse(quote::quote!(wrt(p)), &mut Default::default());
        assert!(!generic_with(
            syn::parse_quote! {
                fn f(p: &DMatrix<f64>, t: &DMatrix<f64>) -> f64 { (p - t).norm_squared() }
            },
            wrt_p
        ));
        assert!(!generic(syn::parse_quote! {
            fn f(x: f64, n: usize) -> f64 { (DVector::from_element(n, 1.0) * x).sum() }
        }));
        // Calls: the callee's sweep is not generic.
        assert!(!generic(syn::parse_quote! {
            fn f(x: f64) -> f64 { g(x) * x }
        }));
    }
}
