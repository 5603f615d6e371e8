//! Local closures called directly: `let sq = |v: f64| v * v;` then
//! `sq(x) + sq(2.0 * x)`, differentiated as if written out at each call.
//!
//! A closure is not lowered where it is defined: its definition keeps the
//! names in scope there (what it captures), and each call lowers its body
//! in that scope with the parameters bound to the call's arguments. Rust's
//! borrow rules make that the closure's own semantics: a captured variable
//! cannot change while a closure borrowing it lives, and a `move` closure
//! of `Copy` values sees them as they were at its definition, which is
//! what the kept scope holds.

use std::collections::{HashMap, HashSet};

use syn::spanned::Spanned;
use syn::{Expr, ExprClosure, Ident, Pat};

use super::Lowering;
use crate::ir::Var;

/// A closure bound by `let`, with the scope it was defined in.
pub(super) struct LocalClosure {
    closure: ExprClosure,
    scopes: Vec<HashMap<String, Var>>,
}

impl Lowering<'_> {
    /// `let name = |..| ..;`: remembered, lowered at each call. A closure
    /// that assigns to what it captures is rejected (its effect would have
    /// to outlive the call).
    pub(super) fn define_closure(&mut self, name: &Ident, closure: &ExprClosure) {
        if let Some(target) = assigned_capture(closure) {
            self.errors.on(
                target,
                "a closure that assigns to a variable it captures is not supported; return the new value from the closure and assign it at the call",
            );
            return;
        }
        self.closures.insert(
            name.to_string(),
            LocalClosure {
                closure: closure.clone(),
                scopes: self.scopes.clone(),
            },
        );
    }

    /// `name(args..)` for a closure bound by `let`: its body, lowered with
    /// the parameters bound to the arguments. `None` if `name` is not one.
    pub(super) fn call_closure(&mut self, name: &Ident, call: &syn::ExprCall) -> Option<Var> {
        let local = self.closures.get(&name.to_string())?;
        let (closure, defined) = (local.closure.clone(), local.scopes.clone());
        if closure.inputs.len() != call.args.len() {
            self.errors.on(
                call,
                format!(
                    "`{name}` takes {} argument(s), {} given",
                    closure.inputs.len(),
                    call.args.len()
                ),
            );
            return Some(self.poisoned(call.span()));
        }
        let args: Vec<Var> = call.args.iter().map(|a| self.expr(a)).collect();
        // The body sees the scope of the definition, and its parameters.
        let caller = std::mem::replace(&mut self.scopes, defined);
        self.scopes.push(HashMap::new());
        for (input, arg) in closure.inputs.iter().zip(args) {
            match input {
                Pat::Type(t) => {
                    let typed = self.annotated(arg, (*t.ty).clone(), t.span());
                    self.bind_pattern(&t.pat, typed);
                }
                other => self.bind_pattern(other, arg),
            }
        }
        let value = self.expr(&closure.body);
        self.scopes = caller;
        Some(value)
    }
}

/// A variable the closure's body assigns to that neither its parameters
/// nor a `let` inside it bind (a capture), if any.
fn assigned_capture<'a>(closure: &'a ExprClosure) -> Option<&'a Expr> {
    #[derive(Default)]
    struct Finder<'a> {
        own: HashSet<String>,
        targets: Vec<&'a Expr>,
    }
    impl<'a> syn::visit::Visit<'a> for Finder<'a> {
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            self.own.insert(p.ident.to_string());
        }
        fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
            self.targets.push(&a.left);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'a syn::ExprBinary) {
            use syn::BinOp::*;
            if matches!(
                b.op,
                AddAssign(_) | SubAssign(_) | MulAssign(_) | DivAssign(_) | RemAssign(_)
            ) {
                self.targets.push(&b.left);
            }
            syn::visit::visit_expr_binary(self, b);
        }
    }
    let mut finder = Finder::default();
    for input in &closure.inputs {
        syn::visit::Visit::visit_pat(&mut finder, input);
    }
    syn::visit::Visit::visit_expr(&mut finder, &closure.body);
    let base = |mut e: &'a Expr| -> Option<String> {
        loop {
            match e {
                Expr::Index(i) => e = &i.expr,
                Expr::Field(f) => e = &f.base,
                Expr::Paren(p) => e = &p.expr,
                Expr::Path(p) => return p.path.get_ident().map(Ident::to_string),
                _ => return None,
            }
        }
    };
    let own = &finder.own;
    finder
        .targets
        .into_iter()
        .find(|t| base(t).is_some_and(|name| !own.contains(&name)))
}
