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
use crate::ir::{ArgRole, Callee, Choice, Function, MapFn, Op, OpaqueKind, Stmt, Var};
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
    while act.vary(f, &f.body) {}
    // Backward: what the output depends on.
    act.useful.insert(f.ret);
    while act.reach(&f.body) {}
    let mut poisoned = HashSet::new();
    let is_poisoned = |s: &Stmt| {
        matches!(
            &s.op,
            Op::Opaque {
                kind: OpaqueKind::Poisoned,
                ..
            }
        )
    };
    collect_defs(&f.body, &is_poisoned, &mut poisoned);
    // Copies of field reads: to a fixed point, as a copy may come first
    // in a loop's body.
    let mut fields = HashSet::new();
    loop {
        let before = fields.len();
        let known = fields.clone();
        collect_defs(&f.body, &|s| reads_field(s, &known), &mut fields);
        if fields.len() == before {
            break;
        }
    }
    let exempt = Exempt { poisoned, fields };
    report(&f.body, &act, &exempt, errors);
    act
}

/// A closure given to `map` or `from_fn` gets the differentiable values
/// it captures as scalars (its rule's `[S; K]`): an element or field of a
/// captured container is reported, with the way out.
fn report_captured_containers(body: &[Stmt], varied: &[Var], errors: &mut Errors) {
    for stmt in body {
        for region in stmt.regions() {
            report_captured_containers(&region.body, varied, errors);
        }
        if let Op::Prim { prim, args, .. } = &stmt.op {
            if prim.adds_in_place() && args.first().is_some_and(|a| varied.contains(a)) {
                errors.push(syn::Error::new(
                    stmt.span,
                    "a closure given to `map` or `from_fn` can read differentiable values from outside it only as scalars; bind this element to a name before the closure (`let x0 = x[0];`) and use that name inside",
                ));
            }
        }
    }
}

impl Activity {
    fn mark_varied(&mut self, var: Var) -> bool {
        self.varied.insert(var)
    }

    fn mark_useful(&mut self, var: Var) -> bool {
        self.useful.insert(var)
    }

    /// One pass marking varied variables; whether anything changed.
    fn vary(&mut self, f: &Function, body: &[Stmt]) -> bool {
        let mut changed = false;
        for stmt in body {
            match &stmt.op {
                Op::Branch(b) => {
                    for arm in &b.arms {
                        changed |= self.vary(f, &arm.body);
                    }
                    for (k, def) in stmt.defs.iter().enumerate() {
                        let Some(def) = def else { continue };
                        if b.arms
                            .iter()
                            .any(|a| a.yields.get(k).is_some_and(|y| self.varied(*y)))
                        {
                            changed |= self.mark_varied(*def);
                        }
                    }
                }
                Op::Loop(l) => {
                    // Until the carried variables stop changing.
                    loop {
                        let mut again = false;
                        for (k, c) in l.carried.iter().enumerate() {
                            let from_init = l.inits.get(k).is_some_and(|v| self.varied(*v));
                            let from_body = l.body.yields.get(k).is_some_and(|v| self.varied(*v));
                            if from_init || from_body {
                                again |= self.mark_varied(*c);
                            }
                        }
                        for region in stmt.regions() {
                            again |= self.vary(f, &region.body);
                        }
                        changed |= again;
                        if !again {
                            break;
                        }
                    }
                    for (c, def) in l.carried.iter().zip(&stmt.defs) {
                        if let (true, Some(def)) = (self.varied(*c), def) {
                            changed |= self.mark_varied(*def);
                        }
                    }
                }
                op => {
                    let Some(def) = stmt.def() else { continue };
                    let varied = match op {
                        Op::Arg(i) => f.params[*i].role == ArgRole::Differentiable,
                        Op::Opaque {
                            kind: OpaqueKind::Foreign(_),
                            uses,
                            ..
                        } => uses.iter().any(|u| self.varied(*u)),
                        Op::Prim { prim, args, .. } => {
                            !prim.flat
                                && args
                                    .iter()
                                    .enumerate()
                                    .any(|(i, a)| prim.differentiable_arg(i) && self.varied(*a))
                        }
                        Op::Copy(src) => self.varied(*src),
                        Op::Call(c) => c.args.iter().any(|a| self.varied(*a)),
                        _ => false,
                    };
                    if varied {
                        changed |= self.mark_varied(def);
                    }
                }
            }
        }
        changed
    }

    /// One backward pass marking useful variables; whether anything changed.
    fn reach(&mut self, body: &[Stmt]) -> bool {
        let mut changed = false;
        for stmt in body.iter().rev() {
            match &stmt.op {
                Op::Branch(b) => {
                    for (k, def) in stmt.defs.iter().enumerate() {
                        if !def.is_some_and(|d| self.useful.contains(&d)) {
                            continue;
                        }
                        for arm in &b.arms {
                            if let Some(y) = arm.yields.get(k) {
                                changed |= self.mark_useful(*y);
                            }
                        }
                    }
                    for arm in &b.arms {
                        changed |= self.reach(&arm.body);
                    }
                }
                Op::Loop(l) => loop {
                    let mut again = false;
                    for (k, c) in l.carried.iter().enumerate() {
                        let def_useful = stmt
                            .defs
                            .get(k)
                            .copied()
                            .flatten()
                            .is_some_and(|d| self.useful.contains(&d));
                        if def_useful || self.useful.contains(c) {
                            if let Some(y) = l.body.yields.get(k) {
                                again |= self.mark_useful(*y);
                            }
                        }
                    }
                    again |= self.reach(&l.body.body);
                    for (k, c) in l.carried.iter().enumerate() {
                        if self.useful.contains(c) {
                            if let Some(init) = l.inits.get(k) {
                                again |= self.mark_useful(*init);
                            }
                        }
                    }
                    changed |= again;
                    if !again {
                        break;
                    }
                },
                op => {
                    let Some(def) = stmt.def() else { continue };
                    if !self.useful.contains(&def) {
                        continue;
                    }
                    match op {
                        Op::Prim { prim, args, .. } => {
                            for (i, a) in args.iter().enumerate() {
                                if prim.differentiable_arg(i) && !prim.flat {
                                    changed |= self.mark_useful(*a);
                                }
                            }
                        }
                        Op::Copy(src) => changed |= self.mark_useful(*src),
                        Op::Call(c) => {
                            for a in &c.args {
                                changed |= self.mark_useful(*a);
                            }
                        }
                        // Its inputs matter too: every place a derivative is lost is reported.
                        Op::Opaque {
                            kind: OpaqueKind::Foreign(_),
                            uses,
                            ..
                        } if self.varied(def) => {
                            for u in uses {
                                changed |= self.mark_useful(*u);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        changed
    }
}

/// The variables defined, anywhere in `body`, by statements `which` picks.
fn collect_defs(body: &[Stmt], which: &dyn Fn(&Stmt) -> bool, out: &mut HashSet<Var>) {
    for stmt in body {
        if let (true, Some(def)) = (which(stmt), stmt.def()) {
            out.insert(def);
        }
        for region in stmt.regions() {
            collect_defs(&region.body, which, out);
        }
    }
}

/// Whether `stmt` reads a field (`p.n`), or copies such a value: a field
/// of a differentiable struct may be a static one (an integer, marked
/// `#[differentiable(skip)]`), which the macro cannot tell from the name,
/// so such a value is fine where a static value is wanted (an index, a
/// loop bound); a float there would not compile.
fn reads_field(stmt: &Stmt, fields: &HashSet<Var>) -> bool {
    match &stmt.op {
        Op::Prim { prim, .. } => prim.spelling == Spelling::Field,
        Op::Copy(src) => fields.contains(src),
        _ => false,
    }
}

/// Reports, in source order, each place a derivative would have to flow
/// where it cannot.
/// What `report` does not report: code reading a value whose lowering
/// failed (already reported), and field reads where a static value is
/// wanted (`reads_field`).
struct Exempt {
    poisoned: HashSet<Var>,
    fields: HashSet<Var>,
}

fn report(body: &[Stmt], act: &Activity, exempt: &Exempt, errors: &mut Errors) {
    for stmt in body {
        if let Op::Branch(b) = &stmt.op {
            if let Choice::Match { scrutinee, arms } = &b.choice {
                if act.varied(*scrutinee) {
                    for arm in arms.iter().filter(|a| !a.binds.is_empty()) {
                        errors.push(syn::Error::new_spanned(&arm.pat, "a pattern cannot take apart a differentiable value; bind it whole (`v if v > 0.0 =>`) or match on a static value"));
                    }
                }
            }
        }
        for region in stmt.regions() {
            report(&region.body, act, exempt, errors);
        }
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
                    let varied: Vec<Var> = crate::ir::captures(closure)
                        .into_iter()
                        .filter(|v| act.varied(*v))
                        .collect();
                    report_captured_containers(&closure.body, &varied, errors);
                }
                for (i, a) in args.iter().enumerate() {
                    if !prim.differentiable_arg(i) && act.varied(*a) && !exempt.fields.contains(a) {
                        let what = match prim.spelling {
                            Spelling::Index => "an index must be an integer that does not depend on the differentiable arguments; compute it from static arguments (e.g. `usize` ones) or constants".to_string(),
                            _ => format!("argument {i} of `{}` must not depend on the differentiable arguments; pass a static value", prim.name),
                        };
                        errors.push(syn::Error::new(stmt.span, what));
                    }
                }
            }
            Op::Opaque {
                kind: OpaqueKind::Foreign(error),
                uses,
                ..
            // Code that reads a value whose lowering failed was already reported.
            } if act.varied(def) && !uses.iter().any(|u| exempt.poisoned.contains(u)) => {
                errors.push(error.clone());
            }
            _ => {}
        }
    }
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
    fn unknown_method_on_active_value_is_an_error_only_if_it_matters() {
        let (_, _, errors) = analysed(syn::parse_quote! {
            fn f(x: f64) -> f64 { x.helper() * 2.0 }
        });
        assert_eq!(errors.len(), 1);
        assert!(
            errors.messages()[0].contains("the method `helper`"),
            "{:?}",
            errors.messages()
        );
        let (_, _, errors) = analysed(syn::parse_quote! {
            fn f(x: f64, n: i32) -> f64 { let _dropped = x.helper(); x * n.helper() }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
    }

    #[test]
    fn calls_carry_derivatives_through_their_arguments() {
        let (f, act, errors) = analysed(syn::parse_quote! {
            fn f(x: f64, n: u32) -> f64 { let unused = g(x, n); g(x * 2.0, n) }
        });
        assert!(errors.is_empty(), "{:?}", errors.messages());
        let calls: Vec<_> = f
            .body
            .iter()
            .filter(|s| matches!(s.op, Op::Call(_)))
            .filter_map(Stmt::def)
            .collect();
        assert_eq!(calls.len(), 2);
        assert!(
            act.varied(calls[0]) && !act.active(calls[0]),
            "`unused` is dropped"
        );
        assert!(act.active(calls[1]));
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
