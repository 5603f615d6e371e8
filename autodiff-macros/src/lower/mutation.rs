//! Lowering of mutation: assignment to locals and elements, `swap`, `vec!`,
//! and the methods that change a local in ways derivatives cannot follow.
//!
//! SSA has no mutation: `a[i] = v` binds `a` to a new variable, the result
//! of the `set_index` primitive (which generated code performs in place
//! where the old value is not read again, see `emit::Uses`).

use syn::spanned::Spanned;
use syn::{Expr, Ident};

use super::{local_name, Lowering};
use crate::ir::{Callee, Var};
use crate::primitives;

impl Lowering<'_> {
    pub(super) fn assign_to(&mut self, target: &Expr, value: Var) {
        match local_name(target) {
            Some(name) if self.lookup(name).is_some() => {
                let name = name.clone();
                self.rebind(&name, value);
            }
            // `a[i] = v` is `a = set_index(a, i, v)`; `a[i][j] = v` sets
            // element `j` of `a[i]`, then that row of `a`.
            _ if matches!(target, Expr::Index(_)) => {
                let Expr::Index(ix) = target else { return };
                if let Some(name) = assigned_base(&ix.expr) {
                    if self.lookup(name).is_some_and(|v| self.f.refs.contains(&v)) {
                        self.errors.on(target, format!("`{name}` is a shared reference, whose elements cannot be assigned; copy it into a local first (`let mut a = {name}.to_vec();`)"));
                        return;
                    }
                }
                let container = self.expr(&ix.expr);
                let index = self.expr(&ix.index);
                let set = primitives::lowered("set_index");
                let updated = self.prim(
                    set,
                    vec![container, index, value],
                    Callee::Operator,
                    target.span(),
                );
                self.assign_to(&ix.expr, updated);
            }
            _ if matches!(target, Expr::Paren(_)) => {
                if let Expr::Paren(p) = target {
                    self.assign_to(&p.expr, value);
                }
            }
            _ if matches!(target, Expr::Field(_)) => {
                if let Expr::Field(field) = target {
                    self.assign_field(field, value);
                }
            }
            _ => self.errors.on(
                target,
                "only local variables can be assigned to; introduce a `let mut` variable",
            ),
        }
    }

    /// `a.swap(i, j)`: two element reads and two element assignments.
    pub(super) fn swap(&mut self, m: &syn::ExprMethodCall) {
        let span = m.span();
        let container = self.expr(&m.receiver);
        let (i, j) = (self.expr(&m.args[0]), self.expr(&m.args[1]));
        let index = primitives::indexing();
        let a_i = self.prim(index, vec![container, i], Callee::Operator, span);
        let a_j = self.prim(index, vec![container, j], Callee::Operator, span);
        let set = primitives::lowered("set_index");
        let once = self.prim(set, vec![container, i, a_j], Callee::Operator, span);
        let twice = self.prim(set, vec![once, j, a_i], Callee::Operator, span);
        self.assign_to(&m.receiver, twice);
    }

    pub(super) fn reject_mutating_method(&mut self, m: &syn::ExprMethodCall) {
        self.errors.on(
            m,
            format!(
                "`{}` changes a local in a way the derivative cannot follow; build the value instead (`vec![x; n]`, `vec![a, b, ..]`) and assign elements (`v[i] = x`)",
                m.method
            ),
        );
    }

    /// `vec![x; n]` and `vec![a, b, ..]`.
    pub(super) fn vec_macro(&mut self, mac: &syn::Macro) -> Var {
        let span = mac.span();
        let parser = |input: syn::parse::ParseStream| -> syn::Result<(Vec<Expr>, Option<Expr>)> {
            let first: Expr = input.parse()?;
            if input.peek(syn::Token![;]) {
                input.parse::<syn::Token![;]>()?;
                let n: Expr = input.parse()?;
                return Ok((vec![first], Some(n)));
            }
            let mut items = vec![first];
            while input.peek(syn::Token![,]) {
                input.parse::<syn::Token![,]>()?;
                if input.is_empty() {
                    break;
                }
                items.push(input.parse()?);
            }
            Ok((items, None))
        };
        match mac.parse_body_with(parser) {
            Ok((items, Some(n))) => {
                let x = self.expr(&items[0]);
                let n = self.expr(&n);
                self.prim(
                    primitives::lowered("vec_from_elem"),
                    vec![x, n],
                    Callee::Operator,
                    span,
                )
            }
            Ok((items, None)) => {
                let elements = items.iter().map(|e| self.expr(e)).collect();
                let array = self.prim(
                    primitives::array_literal(),
                    elements,
                    Callee::Operator,
                    span,
                );
                self.prim(
                    primitives::lowered("vec_from_array"),
                    vec![array],
                    Callee::Operator,
                    span,
                )
            }
            Err(_) => {
                self.errors.on(
                    mac,
                    "write `vec![x; n]` or `vec![a, b, ..]` with at least one element",
                );
                self.poisoned(span)
            }
        }
    }
}

/// Methods of `Vec`, slices and arrays that change their receiver in place.
const MUTATING_METHODS: &[&str] = &[
    "push",
    "pop",
    "insert",
    "remove",
    "swap_remove",
    "clear",
    "truncate",
    "resize",
    "extend",
    "extend_from_slice",
    "append",
    "drain",
    "retain",
    "dedup",
    "sort",
    "sort_by",
    "sort_unstable",
    "sort_unstable_by",
    "reverse",
    "fill",
    "rotate_left",
    "rotate_right",
    "iter_mut",
    "as_mut_slice",
    "copy_from_slice",
    "clone_from_slice",
];

/// Whether `m` calls a method that changes a local receiver in place.
pub(super) fn mutates(m: &syn::ExprMethodCall) -> bool {
    MUTATING_METHODS.contains(&m.method.to_string().as_str())
        && assigned_base(&m.receiver).is_some()
}

/// The local name at the base of an assignment target (`a` in `a[i][j]`).
fn assigned_base(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Index(ix) => assigned_base(&ix.expr),
        Expr::Paren(p) => assigned_base(&p.expr),
        other => local_name(other),
    }
}
