//! Lowering of structs: literals `P { w: a, ..base }` and `P(a, b)`, and
//! field assignments `p.w = v` (field reads are `Expr::Field` in `mod.rs`).
//!
//! The macro cannot see a struct's definition, so everything is by field
//! name: the rules reach a field through accessor closures (see
//! `autodiff_runtime::rules::structs`), and rustc checks that the struct
//! has `#[derive(Differentiable)]` wherever a derivative flows through it.

use syn::spanned::Spanned;
use syn::Member;

use super::Lowering;
use crate::ir::{Callee, StructLiteral, Var};
use crate::primitives;

impl Lowering<'_> {
    /// `P { a: x, b, ..base }`.
    pub(super) fn struct_literal(&mut self, literal: &syn::ExprStruct) -> Var {
        let span = literal.span();
        if let Some(qself) = &literal.qself {
            self.errors.on(
                qself.ty.as_ref(),
                "a struct literal through a qualified path is not supported; name the struct",
            );
            return self.poisoned(span);
        }
        let mut args: Vec<Var> = literal.fields.iter().map(|f| self.expr(&f.expr)).collect();
        let fields = literal.fields.iter().map(|f| f.member.clone()).collect();
        let base = literal.rest.as_ref().map(|rest| self.expr(rest));
        args.extend(base);
        let literal = StructLiteral {
            path: self.item_path(&literal.path),
            fields,
            base: base.is_some(),
            call: false,
        };
        self.prim(
            primitives::struct_literal(),
            args,
            Callee::Struct(Box::new(literal)),
            span,
        )
    }

    /// `P(a, b)`, a tuple struct's constructor.
    pub(super) fn tuple_struct_literal(&mut self, path: &syn::Path, call: &syn::ExprCall) -> Var {
        let args = call.args.iter().map(|a| self.expr(a)).collect();
        let fields = (0..call.args.len())
            .map(|k| {
                Member::Unnamed(syn::Index {
                    index: k as u32,
                    span: call.args[k].span(),
                })
            })
            .collect();
        let literal = StructLiteral {
            path: self.item_path(path),
            fields,
            base: false,
            call: true,
        };
        self.prim(
            primitives::struct_literal(),
            args,
            Callee::Struct(Box::new(literal)),
            call.span(),
        )
    }

    /// `c.m = value` is `c = set_field(c, value)`; `c` may itself be a field
    /// or an element (`p.layers[i].b = v`), which is then assigned in turn.
    pub(super) fn assign_field(&mut self, target: &syn::ExprField, value: Var) {
        let container = self.expr(&target.base);
        let updated = self.prim(
            primitives::set_field(),
            vec![container, value],
            Callee::Member(target.member.clone()),
            target.span(),
        );
        self.assign_to(&target.base, updated);
    }
}

/// Whether a call `P(..)` builds a tuple struct: its name is capitalised
/// (Rust's convention for types), and it is not an enum variant.
pub(super) fn is_tuple_struct(path: &syn::Path) -> bool {
    path.segments.last().is_some_and(|s| capitalised(&s.ident)) && !is_variant(path)
}

/// Whether a call builds an enum variant: the prelude's `Some`, `Ok` and
/// `Err`, or `Type::Variant` (two capitalised segments; a tuple struct is
/// `Point(..)` or `module::Point(..)`).
pub(super) fn is_variant(path: &syn::Path) -> bool {
    let n = path.segments.len();
    match n {
        0 => false,
        1 => matches!(
            path.segments[0].ident.to_string().as_str(),
            "Some" | "Ok" | "Err"
        ),
        _ => capitalised(&path.segments[n - 1].ident) && capitalised(&path.segments[n - 2].ident),
    }
}

fn capitalised(ident: &syn::Ident) -> bool {
    ident
        .to_string()
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}
