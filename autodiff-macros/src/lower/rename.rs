//! Renaming of local variables inside expressions kept as written.

use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Pat};

use super::{local_name, Lowering};
use crate::ir::{self, Role, Var};

/// Renames local variables inside an opaque expression and collects them.
pub(super) struct Rename<'a, 'b> {
    pub(super) cx: &'a mut Lowering<'b>,
    pub(super) uses: Vec<Var>,
    /// Names bound by closures being visited, which shadow the function's.
    pub(super) shadowed: Vec<String>,
}

impl VisitMut for Rename<'_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        let local = local_name(expr).filter(|n| !self.shadowed.contains(&n.to_string()));
        if let Some(var) = local.and_then(|n| self.cx.lookup(n)) {
            let span = expr.span();
            let mut id = ir::ident(var, Role::Primal);
            id.set_span(id.span().located_at(span));
            *expr = syn::parse_quote!(#id);
            if !self.uses.contains(&var) {
                self.uses.push(var);
            }
            return;
        }
        match expr {
            // `*v` of a local that holds a value in the IR (a loop's item, which
            // Rust would give as a reference) is the value itself.
            Expr::Unary(u)
                if matches!(u.op, syn::UnOp::Deref(_))
                    && local_name(&u.expr)
                        .filter(|n| !self.shadowed.contains(&n.to_string()))
                        .and_then(|n| self.cx.lookup(n))
                        .is_some_and(|v| {
                            !self.cx.f.refs.contains(&v) && !self.cx.pattern_bound.contains(&v)
                        }) =>
            {
                let inner = (*u.expr).clone();
                *expr = inner;
                self.visit_expr_mut(expr);
            }
            // A closure in plain code (`DVector::from_fn(n, |i, _| i as f64)`)
            // is fine: what it captures counts as used, so a derivative
            // that would have to flow through it is still reported.
            Expr::Closure(c) => {
                let before = self.shadowed.len();
                for input in &c.inputs {
                    bound_names(input, &mut self.shadowed);
                }
                self.visit_expr_mut(&mut c.body);
                self.shadowed.truncate(before);
            }
            Expr::Unsafe(_)
            | Expr::Async(_)
            | Expr::Macro(_)
            | Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::ForLoop(_)
            | Expr::While(_)
            | Expr::Loop(_)
            | Expr::Return(_)
            | Expr::Assign(_)
            | Expr::Try(_)
            | Expr::Await(_)
            | Expr::Break(_)
            | Expr::Continue(_) => {
                self.cx.reject(expr);
            }
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        // The generated functions live in a module beside the original, one
        // level down, so relative paths need one more `super`.
        if self.cx.in_module {
            one_level_down(path);
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
}

/// A path as seen from one module further down: `self::C` and `super::C`
/// get one more `super`.
pub(crate) fn one_level_down(path: &mut syn::Path) {
    if path.leading_colon.is_some() {
        return;
    }
    if let Some(first) = path.segments.first() {
        if first.ident == "self" || first.ident == "super" {
            let span = first.ident.span();
            let rest = if first.ident == "self" {
                path.segments.iter().skip(1).cloned().collect()
            } else {
                path.segments.clone()
            };
            let mut segments = syn::punctuated::Punctuated::new();
            segments.push(syn::PathSegment::from(Ident::new("super", span)));
            segments.extend(rest);
            path.segments = segments;
        }
    }
}

/// The names a closure parameter pattern binds.
fn bound_names(pat: &Pat, names: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) => names.push(p.ident.to_string()),
        Pat::Type(t) => bound_names(&t.pat, names),
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bound_names(p, names)),
        Pat::Reference(r) => bound_names(&r.pat, names),
        Pat::Slice(s) => s.elems.iter().for_each(|p| bound_names(p, names)),
        Pat::Paren(p) => bound_names(&p.pat, names),
        _ => {}
    }
}
