//! The arms of `if`, `if let Some(..)` and `match` as read from syntax,
//! before lowering: each arm's statements, where it closes, and its
//! pattern, guard or unwrapped binding.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Pat, Stmt as SynStmt};

/// One arm before lowering: its statements, and its pattern for `match`.
pub(super) struct ArmSource<'a> {
    pub(super) stmts: Vec<SynStmt>,
    pub(super) close: Span,
    pub(super) pat: Option<&'a Pat>,
    pub(super) guard: Option<&'a Expr>,
    /// For the `Some` arm of a branch on an `Option`: the pattern that
    /// binds the unwrapped value (see `option_arms`).
    pub(super) unwrapped: Option<&'a Pat>,
}

/// The `else` arm of an `if` (empty where there is none).
pub(super) fn else_source(e: &syn::ExprIf) -> ArmSource<'_> {
    match &e.else_branch {
        Some((_, expr)) => ArmSource {
            stmts: arm_stmts(expr),
            close: expr.span(),
            pat: None,
            guard: None,
            unwrapped: None,
        },
        None => ArmSource {
            stmts: Vec::new(),
            close: e.then_branch.brace_token.span.close(),
            pat: None,
            guard: None,
            unwrapped: None,
        },
    }
}

/// A branch on whether an `Option` is `Some`: `if let Some(p) = e { .. }
/// else { .. }`, or a `match e` with a `Some(p)` arm and a `None` (or `_`)
/// arm, without guards. Returns `e` and the two arms, the `Some` one
/// binding `p` to the unwrapped value: lowered as `if e.is_some()`, the
/// derivative flows through `unwrap` (an `Option` from `try_inverse`
/// carries one; a pattern on it could not).
pub(super) fn option_arms(expr: &Expr) -> Option<(&Expr, ArmSource<'_>, ArmSource<'_>)> {
    fn some_pattern(pat: &Pat) -> Option<&Pat> {
        match pat {
            Pat::TupleStruct(t) if t.path.is_ident("Some") && t.elems.len() == 1 => t.elems.first(),
            _ => None,
        }
    }
    fn none_pattern(pat: &Pat) -> bool {
        matches!(pat, Pat::Wild(_)) || matches!(pat, Pat::Ident(p) if p.ident == "None")
    }
    match expr {
        Expr::If(e) => {
            let Expr::Let(l) = &*e.cond else { return None };
            let inner = some_pattern(&l.pat)?;
            let some = ArmSource {
                stmts: e.then_branch.stmts.clone(),
                close: e.then_branch.brace_token.span.close(),
                pat: None,
                guard: None,
                unwrapped: Some(inner),
            };
            Some((&l.expr, some, else_source(e)))
        }
        Expr::Match(m) if m.arms.len() == 2 && m.arms.iter().all(|a| a.guard.is_none()) => {
            let (some_arm, none_arm) =
                match (some_pattern(&m.arms[0].pat), some_pattern(&m.arms[1].pat)) {
                    (Some(_), _) if none_pattern(&m.arms[1].pat) => (&m.arms[0], &m.arms[1]),
                    (_, Some(_)) if none_pattern(&m.arms[0].pat) => (&m.arms[1], &m.arms[0]),
                    _ => return None,
                };
            let arm = |a: &syn::Arm, unwrapped| ArmSource {
                stmts: arm_stmts(&a.body),
                close: a.body.span(),
                pat: None,
                guard: None,
                unwrapped,
            };
            let some = arm(some_arm, some_pattern(&some_arm.pat));
            Some((&m.expr, some, arm(none_arm, None)))
        }
        _ => None,
    }
}

/// An arm's body as statements: a block's, or the expression alone.
pub(super) fn arm_stmts(body: &Expr) -> Vec<SynStmt> {
    match body {
        Expr::Block(b) if b.label.is_none() => b.block.stmts.clone(),
        other => vec![SynStmt::Expr(other.clone(), None)],
    }
}
