//! What a reverse replay computes again besides integers: products,
//! sums and negations whose operands it has, reading elements of slice and
//! array arguments from copies kept once per call and values a loop's body
//! computes from outside it alone from what each run keeps once
//! (`tape::kept`); see the parent module.

use std::collections::HashMap;

use syn::{Expr, Type};

use super::{opaque, Origin, Plan};
use crate::ir::{ident, Callee, LoopKind, Op, OpaqueKind, Role, Stmt, Var};
use crate::primitives::Spelling;

/// What a reverse replay may compute again rather than read from records:
/// the recording sweep's rules by the value they define (cheap ones,
/// `+ - *`, negation and indexing, are copied into the replay when what
/// they read is rebuilt), and whether slices passed by reference may be
/// kept whole for the replay to index: where the loop's tape grows, which
/// needs an allocator anyway (arrays always may).
pub struct Recording<'a> {
    pub rules: &'a HashMap<Var, Stmt>,
    pub keep_slices: bool,
}

/// A value a loop's runs keep once for the replay (`tape::kept`): the
/// primal sweep carries `carried` through the loop, from `none` (`None`)
/// before it to `next` (`keep_first(carried, &value)`) after `value`'s
/// statement; the loop then defines `kept`, which the replay reads.
#[derive(Clone, Copy, Debug)]
pub struct KeptValue {
    pub value: Var,
    pub kept: Var,
    pub none: Var,
    pub carried: Var,
    pub next: Var,
}

/// The statement keeping a copy of the argument `arg` in `kept`.
pub fn keep_arg_stmt(arg: Var, kept: Var, span: proc_macro2::Span) -> Stmt {
    let rt = crate::emit::runtime();
    let id = ident(arg, Role::Primal);
    keeping(
        kept,
        syn::parse_quote!(#rt::tape::kept::keep(#id)),
        vec![arg],
        span,
    )
}

/// The statements threading a kept value through its loop: `none`
/// before the loop, and `next` after the value's statement.
pub fn kept_value_stmts(k: &KeptValue, span: proc_macro2::Span) -> (Stmt, Stmt) {
    let rt = crate::emit::runtime();
    let (carried, value) = (ident(k.carried, Role::Primal), ident(k.value, Role::Primal));
    (
        keeping(
            k.none,
            syn::parse_quote!(::core::option::Option::None),
            vec![],
            span,
        ),
        keeping(
            k.next,
            syn::parse_quote!(#rt::tape::kept::keep_first(#carried, &#value)),
            vec![k.carried, k.value],
            span,
        ),
    )
}

/// Code keeping a value for a replay, defining `v` (`OpaqueKind::Kept`).
fn keeping(v: Var, expr: Expr, uses: Vec<Var>, span: proc_macro2::Span) -> Stmt {
    opaque(v, expr, uses, OpaqueKind::Kept, span)
}

impl Plan<'_> {
    /// A rule at the top of the body (or reading an element: any
    /// indexing) computed again for its partials or as an operand of
    /// another, when it is cheap (`+ - *`, negation, indexing) and what it
    /// reads is rebuilt, comes from outside as a plain number, or is an
    /// argument kept whole (indexed, then, in its copy). Its partials come
    /// with it.
    pub(super) fn recomputed(&mut self, v: Var) -> Option<Stmt> {
        let recording = self.recording?;
        // A value the replay reads for itself (a zero of its shape, say)
        // stays in the record: computing it again only pays where partials
        // come with it.
        if self.direct.contains(&v) {
            return None;
        }
        let stmt = match recording.rules.get(&v) {
            Some(rule) => {
                self.body.get(&v)?;
                rule
            }
            None => self.body.get(&v).copied()?,
        };
        let (Op::Rule { prim, args, callee } | Op::Prim { prim, args, callee }) = &stmt.op else {
            return None;
        };
        let index = prim.spelling == Spelling::Index;
        let cheap = matches!(callee, Callee::Operator)
            && matches!(prim.name, "add" | "sub" | "mul" | "neg")
            && matches!(stmt.op, Op::Rule { .. });
        if !index && !cheap {
            return None;
        }
        let mut args = args.clone();
        for (k, a) in args.iter_mut().enumerate() {
            let kept = match index && k == 0 {
                true => self.kept_arg(*a),
                false => None,
            };
            match kept {
                Some(kept) => *a = kept,
                None if self.readable(*a) => {}
                None => return None,
            }
        }
        let mut copy = (*stmt).clone();
        if let Op::Rule { args: to, .. } | Op::Prim { args: to, .. } = &mut copy.op {
            *to = args;
        }
        copy.ty = None;
        Some(copy)
    }

    /// The copy of the argument `a` refers to, kept for the replay; or
    /// `a` itself, a frozen local the pullback owns.
    fn kept_arg(&mut self, a: Var) -> Option<Var> {
        if self.origins.frozen.contains(&a) {
            return Some(a);
        }
        let keep_slices = self.recording?.keep_slices;
        let Some(Origin::RefArg(arg, slice)) = self.origins.origin.get(&a).cloned() else {
            return None;
        };
        if slice && !keep_slices {
            return None;
        }
        let known = self.origins.kept_args.iter().chain(&self.out.kept_args);
        if let Some((_, kept)) = known.into_iter().find(|(x, _)| *x == arg) {
            return Some(*kept);
        }
        let kept = (self.fresh)(Role::Primal);
        self.out.kept_args.push((arg, kept));
        Some(kept)
    }

    /// A value the body computes by a primitive from values outside the
    /// loop alone: the same in every iteration, kept once per run. Only in
    /// `for` loops without `break`, whose body runs whole each iteration.
    pub(super) fn kept_value(&mut self, v: Var) -> Option<Stmt> {
        self.recording?;
        if self.l.breaks || !matches!(self.l.kind, LoopKind::For { .. }) {
            return None;
        }
        let stmt = self.body.get(&v)?;
        let inner = self.l.inner();
        let invariant = matches!(stmt.op, Op::Prim { .. })
            && stmt
                .uses()
                .iter()
                .all(|u| !self.available.contains(u) && !inner.contains(u));
        if !invariant {
            return None;
        }
        let mut fresh = || (self.fresh)(Role::Primal);
        let k = KeptValue {
            value: v,
            kept: fresh(),
            none: fresh(),
            carried: fresh(),
            next: fresh(),
        };
        self.out.kept.push(k);
        let rt = crate::emit::runtime();
        let id = ident(k.kept, Role::Primal);
        let expr = syn::parse_quote!(#rt::tape::kept::kept(&#id));
        Some(keeping(v, expr, vec![k.kept], stmt.span))
    }
}

/// For `&[T]`, `Some(true)`; for `&[T; N]` with a literal `N` of at most
/// `tape::STACK_RECORDS`, `Some(false)`: its copy lives on the stack (the
/// budget fixed tapes have), and a longer or generic one is recorded
/// instead.
pub(super) fn slice_or_array(ty: &Type) -> Option<bool> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Slice(_) => Some(true),
            Type::Array(a) => match &a.len {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                }) if n
                    .base10_parse::<usize>()
                    .is_ok_and(|n| n <= crate::tape::STACK_RECORDS) =>
                {
                    Some(false)
                }
                _ => None,
            },
            Type::Paren(p) => slice_or_array(&p.elem),
            _ => None,
        },
        _ => None,
    }
}
