//! Lowering of loops and of the iterator forms numeric code writes.
//!
//! `for` over a range keeps the range as a static iterator. `for` over a
//! container (`x.iter()`, `&x`, `x.iter().enumerate()`, `.zip(..)`,
//! `.rev()`, `.map(..)`) becomes a loop over indices whose items are
//! indexing primitives, so a derivative flows through each element; the
//! reductions `.sum()`, `.product()` and `.fold(..)` become such loops too.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall, Pat};

use super::control::{assigned_names, breaks, End};
use super::Lowering;
use crate::ir::{self, Callee, Loop, LoopKind, Op, OpaqueKind, Region, Role, Stmt, Var};
use crate::primitives;

/// Adaptors of a container's iterator that change nothing for values.
const PASS_THROUGH: &[&str] = &["iter", "into_iter", "copied", "cloned"];
/// Iterator methods and slice iterators the loops do not know (reported as such).
const ITERATOR_METHODS: &[&str] = &[
    "windows",
    "chunks",
    "chunks_exact",
    "rchunks",
    "filter",
    "filter_map",
    "flat_map",
    "flatten",
    "skip_while",
    "take_while",
    "map_while",
    "scan",
    "peekable",
    "chain",
    "cycle",
    "inspect",
    "fuse",
    "step",
    "iter_mut",
    "into_values",
    "split",
];
/// Adaptors that choose which indices are visited.
const INDEX_ADAPTORS: &[&str] = &["rev", "step_by", "skip", "take"];

/// What each iteration's item is, given the loop variable.
#[derive(Clone)]
enum Plan {
    /// The loop variable itself (a range's item, or an index).
    Itself,
    /// Element `i` of a container.
    Elem(Var),
    /// A pair (`enumerate`, `zip`).
    Pair(Box<Plan>, Box<Plan>),
    /// A closure applied to the item (`map`).
    Map(Box<Plan>, Box<syn::ExprClosure>),
}

/// An item computed in the loop body.
enum Item {
    Var(Var),
    Pair(Box<Item>, Box<Item>),
}

/// A loop's iteration: the static iterator and how items are built.
struct Iteration {
    iter: Var,
    bound: Option<usize>,
    /// The container iterated over (the first, for `zip`).
    container: Option<Var>,
    plan: Plan,
}

impl Lowering<'_> {
    /// `for`, `while` and `loop` statements.
    /// `ret` names the carried return slot and flag when the loop contains
    /// a `return` (see `control`).
    pub(super) fn lower_loop(&mut self, expr: &Expr, ret: Option<(String, String)>) {
        let (label, body) = match expr {
            Expr::ForLoop(f) => (&f.label, &f.body),
            Expr::While(w) => (&w.label, &w.body),
            Expr::Loop(l) => (&l.label, &l.body),
            _ => return,
        };
        if let Some(label) = label {
            self.errors.on(label, "loop labels are not supported; restructure the loops, e.g. with a flag the outer loop checks");
        }
        let mut names = self.carried_names(body);
        if let Some((slot, flag)) = &ret {
            names.push(slot.clone());
            names.push(flag.clone());
        }
        let loop_breaks = breaks(body) || ret.is_some();
        let close = body.brace_token.span.close();
        let stmts = &body.stmts;
        match expr {
            Expr::ForLoop(f) => {
                let Some(iteration) = self.iteration(&f.expr) else {
                    return;
                };
                let item = self.f.fresh(Role::Primal);
                let kind = LoopKind::For {
                    iter: iteration.iter,
                    item,
                };
                self.build_loop(
                    kind,
                    None,
                    (names, ret),
                    loop_breaks,
                    (iteration.bound, iteration.container),
                    expr.span(),
                    |cx, end| {
                        let value = cx.item(&iteration.plan, item);
                        cx.bind_item(&f.pat, value);
                        cx.seq(stmts, close, None, end)
                    },
                );
            }
            Expr::While(w) => {
                if let Expr::Let(l) = &*w.cond {
                    self.errors.on(
                        l,
                        "`while let` is not supported; use `loop` with a `match` and `break`",
                    );
                    return;
                }
                self.build_loop(
                    LoopKind::While(Region::default()),
                    Some(&w.cond),
                    (names, ret),
                    loop_breaks,
                    (None, None),
                    expr.span(),
                    |cx, end| cx.seq(stmts, close, None, end),
                );
            }
            _ => {
                self.build_loop(
                    LoopKind::Forever,
                    None,
                    (names, ret),
                    loop_breaks,
                    (None, None),
                    expr.span(),
                    |cx, end| cx.seq(stmts, close, None, end),
                );
            }
        }
    }

    /// The names declared outside `body` that it assigns to.
    fn carried_names(&self, body: &syn::Block) -> Vec<String> {
        assigned_names(body)
            .into_iter()
            .filter(|n| {
                self.lookup(&syn::Ident::new(n, Span::call_site()))
                    .is_some()
            })
            .collect()
    }

    /// Builds a loop statement carrying `names`; `body` lowers the body and
    /// returns its yields. A `while` condition is lowered into its own
    /// region, which sees the carried variables.
    #[allow(clippy::too_many_arguments)]
    fn build_loop(
        &mut self,
        kind: LoopKind,
        cond: Option<&Expr>,
        (names, ret): (Vec<String>, Option<(String, String)>),
        loop_breaks: bool,
        (bound, container): (Option<usize>, Option<Var>),
        span: Span,
        body: impl FnOnce(&mut Self, &End) -> Vec<Var>,
    ) {
        let inits: Vec<Var> = names.iter().filter_map(|n| self.lookup_name(n)).collect();
        let carried: Vec<Var> = names.iter().map(|_| self.f.fresh(Role::Primal)).collect();
        let outer = std::mem::take(&mut self.f.body);
        let snapshot = self.scopes.clone();
        let scope: HashMap<String, Var> =
            names.iter().cloned().zip(carried.iter().copied()).collect();
        self.scopes.push(scope);
        let kind = match cond {
            Some(cond) => {
                let outer = std::mem::take(&mut self.f.body);
                let value = self.expr(cond);
                let body = std::mem::replace(&mut self.f.body, outer);
                LoopKind::While(Region {
                    body,
                    yields: vec![value],
                    record: Vec::new(),
                })
            }
            None => kind,
        };
        let end = End::Body {
            carried: names.clone(),
            breaks: loop_breaks,
            scope: self.scopes.len() - 1,
            ret,
        };
        let yields = body(self, &end);
        self.scopes = snapshot;
        let stmts = std::mem::replace(&mut self.f.body, outer);
        let defs: Vec<Var> = names.iter().map(|_| self.f.fresh(Role::Primal)).collect();
        self.f.body.push(Stmt {
            defs: defs.iter().copied().map(Some).collect(),
            op: Op::Loop(Box::new(Loop {
                kind,
                carried,
                inits,
                body: Region {
                    body: stmts,
                    yields,
                    record: Vec::new(),
                },
                breaks: loop_breaks,
                bound,
                container,
                tape: None,
            })),
            span,
            ty: None,
        });
        for (name, def) in names.iter().zip(defs) {
            self.rebind_name(name, def);
        }
    }

    /// The iteration of `for _ in expr`.
    fn iteration(&mut self, expr: &Expr) -> Option<Iteration> {
        let (base, adaptors) = chain(expr);
        if let Expr::Range(range) = strip(base) {
            let bound = range_bound(range);
            // Static adaptors stay on the range; `map` is applied to items.
            let split = adaptors
                .iter()
                .position(|m| m.method == "map")
                .unwrap_or(adaptors.len());
            if let Some(bad) = adaptors[split..].iter().find(|m| m.method != "map") {
                self.errors.on(
                    &bad.method,
                    format!(
                        "`{}` after `map` on a range is not supported; put it before `map`",
                        bad.method
                    ),
                );
                return None;
            }
            if let Some(bad) = adaptors[..split]
                .iter()
                .find(|m| m.method == "enumerate" || m.method == "zip")
            {
                self.errors.on(
                    &bad.method,
                    format!(
                        "`{}` on a range is not supported; the range's item is already the index",
                        bad.method
                    ),
                );
                return None;
            }
            let iter_expr = match split {
                0 => base.clone(),
                k => Expr::MethodCall(adaptors[k - 1].clone()),
            };
            let iter = self.opaque(&iter_expr, OpaqueKind::Inert);
            let mut plan = Plan::Itself;
            for m in &adaptors[split..] {
                plan = Plan::Map(Box::new(plan), Box::new(self.map_closure(m)?));
            }
            return Some(Iteration {
                iter,
                bound,
                container: None,
                plan,
            });
        }
        // An iterator adaptor the loops do not know, on a container or range.
        if let Expr::MethodCall(m) = base {
            if ITERATOR_METHODS.contains(&m.method.to_string().as_str()) {
                self.errors.on(&m.method, format!("the iterator adaptor `{}` is not supported in a differentiated loop; supported are `iter`, `enumerate`, `zip`, `map`, `rev`, `skip`, `take`, `step_by`, `copied`, `cloned` (or loop over indices and test the condition in the body)", m.method));
                return None;
            }
        }
        // A container: iterate over its indices.
        let container = self.expr(base);
        let mut lengths = vec![container];
        let mut plan = Plan::Elem(container);
        let mut index_ops: Vec<(syn::Ident, Vec<Var>)> = Vec::new();
        for m in &adaptors {
            let name = m.method.to_string();
            let late = !index_ops.is_empty();
            match name.as_str() {
                n if PASS_THROUGH.contains(&n) => {}
                "enumerate" | "zip" if late => {
                    self.errors.on(&m.method, format!("`{name}` after `rev`, `skip`, `take` or `step_by` is not supported (it would number or pair the items in their new order); loop over indices instead (`for i in (0..n).rev()` with `x[i]`)"));
                    return None;
                }
                "enumerate" => plan = Plan::Pair(Box::new(Plan::Itself), Box::new(plan)),
                "zip" => {
                    let other = m.args.first()?;
                    let (other_base, other_adaptors) = chain(other);
                    if let Some(bad) = other_adaptors
                        .iter()
                        .find(|a| !PASS_THROUGH.contains(&a.method.to_string().as_str()))
                    {
                        self.errors.on(&bad.method, "the argument of `zip` must be a container or its `.iter()`; loop over indices and index the other container by hand (`b[n - 1 - i]`)");
                        return None;
                    }
                    let other = self.expr(other_base);
                    lengths.push(other);
                    plan = Plan::Pair(Box::new(plan), Box::new(Plan::Elem(other)));
                }
                "map" => plan = Plan::Map(Box::new(plan), Box::new(self.map_closure(m)?)),
                n if INDEX_ADAPTORS.contains(&n) => {
                    let args = m.args.iter().map(|a| self.expr(a)).collect();
                    index_ops.push((m.method.clone(), args));
                }
                _ => {
                    self.errors.on(&m.method, format!("the iterator adaptor `{name}` is not supported in a differentiated loop; supported are `iter`, `enumerate`, `zip`, `map`, `rev`, `skip`, `take`, `step_by`, `copied`, `cloned` (or loop over indices)"));
                    return None;
                }
            }
        }
        let span = expr.span();
        let ids: Vec<syn::Ident> = lengths.iter().map(|v| spanned_ident(*v, span)).collect();
        let mut iter: Expr = match ids.as_slice() {
            [one] => syn::parse_quote_spanned!(span=> 0..#one.len()),
            [a, b] => syn::parse_quote_spanned!(span=> 0..::core::cmp::min(#a.len(), #b.len())),
            _ => return None,
        };
        let mut uses = lengths.clone();
        for (method, args) in index_ops {
            let arg_ids: Vec<syn::Ident> = args.iter().map(|v| spanned_ident(*v, span)).collect();
            uses.extend(args);
            iter = syn::parse2(quote_spanned!(span=> (#iter).#method(#(#arg_ids),*))).ok()?;
        }
        let bound = lengths
            .iter()
            .filter_map(|v| self.static_len.get(v).copied())
            .min();
        let iter = self.emit(
            Op::Opaque {
                expr: Box::new(iter),
                uses,
                kind: OpaqueKind::Inert,
            },
            span,
        );
        Some(Iteration {
            iter,
            bound,
            container: Some(container),
            plan,
        })
    }

    fn map_closure(&mut self, m: &ExprMethodCall) -> Option<syn::ExprClosure> {
        match m.args.first() {
            Some(Expr::Closure(c)) if c.inputs.len() == 1 && m.args.len() == 1 => Some(c.clone()),
            _ => {
                self.errors.on(
                    m,
                    "`map` in a differentiated loop takes a closure of one argument (`|v| v * v`)",
                );
                None
            }
        }
    }

    /// The item of one iteration, computed in the loop body.
    fn item(&mut self, plan: &Plan, index: Var) -> Item {
        match plan {
            Plan::Itself => Item::Var(index),
            Plan::Elem(container) => {
                let span = Span::call_site();
                Item::Var(self.prim(
                    primitives::indexing(),
                    vec![*container, index],
                    Callee::Operator,
                    span,
                ))
            }
            Plan::Pair(a, b) => {
                Item::Pair(Box::new(self.item(a, index)), Box::new(self.item(b, index)))
            }
            Plan::Map(inner, closure) => {
                let value = self.item(inner, index);
                self.scopes.push(HashMap::new());
                if let Some(param) = closure.inputs.first() {
                    self.bind_item(param, value);
                }
                let result = self.expr(&closure.body);
                self.scopes.pop();
                Item::Var(result)
            }
        }
    }

    /// Binds a loop or closure pattern to an item: `&v`, `(i, v)`, `(a, b)`.
    fn bind_item(&mut self, pat: &Pat, item: Item) {
        match (pat, item) {
            (Pat::Reference(r), item) => self.bind_item(&r.pat, item),
            (Pat::Type(t), item) => self.bind_item(&t.pat, item),
            (Pat::Paren(p), item) => self.bind_item(&p.pat, item),
            (Pat::Tuple(t), Item::Pair(a, b)) if t.elems.len() == 2 => {
                self.bind_item(&t.elems[0], *a);
                self.bind_item(&t.elems[1], *b);
            }
            (pat, item) => {
                let var = self.materialize(item, pat.span());
                self.bind_pattern(pat, var);
            }
        }
    }

    fn materialize(&mut self, item: Item, span: Span) -> Var {
        match item {
            Item::Var(v) => v,
            Item::Pair(a, b) => {
                let fields = vec![self.materialize(*a, span), self.materialize(*b, span)];
                self.prim(primitives::tuple_literal(), fields, Callee::Operator, span)
            }
        }
    }

    /// `.sum()`, `.product()` or `.fold(init, |acc, v| ..)` on an iterator
    /// (see [`is_reduction`]): a loop carrying the accumulator.
    pub(super) fn reduction(&mut self, m: &ExprMethodCall) -> Var {
        let method = m.method.to_string();
        let span = m.span();
        let Some(iteration) = self.iteration(&m.receiver) else {
            return self.poisoned(span);
        };
        let init = match method.as_str() {
            "sum" => self.opaque(&syn::parse_quote_spanned!(span=> 0.0), OpaqueKind::Inert),
            "product" => self.opaque(&syn::parse_quote_spanned!(span=> 1.0), OpaqueKind::Inert),
            _ => self.expr(&m.args[0]),
        };
        let closure = match (method.as_str(), m.args.last()) {
            ("fold", Some(Expr::Closure(c))) if c.inputs.len() == 2 => Some(c.clone()),
            ("fold", _) => {
                self.errors.on(m, "`fold` in a differentiated function takes a closure of two arguments (`|acc, v| acc + v`)");
                return self.poisoned(span);
            }
            _ => None,
        };
        // A name no user code can write holds the accumulator.
        let acc_name = format!("{}#acc", self.f.roles.len());
        self.scopes.push(HashMap::from([(acc_name.clone(), init)]));
        let item = self.f.fresh(Role::Primal);
        let kind = LoopKind::For {
            iter: iteration.iter,
            item,
        };
        let plan = iteration.plan.clone();
        self.build_loop(
            kind,
            None,
            (vec![acc_name.clone()], None),
            false,
            (iteration.bound, iteration.container),
            span,
            |cx, end| {
                let value = cx.item(&plan, item);
                let End::Body { scope, .. } = end else {
                    return Vec::new();
                };
                let acc = cx.scopes[*scope][&acc_name];
                let next = match &closure {
                    Some(c) => {
                        cx.scopes.push(HashMap::new());
                        cx.bind_item(&c.inputs[0], Item::Var(acc));
                        cx.bind_item(&c.inputs[1], value);
                        let next = cx.expr(&c.body);
                        cx.scopes.pop();
                        next
                    }
                    None => {
                        let value = cx.materialize(value, span);
                        let prim = match method.as_str() {
                            "sum" => primitives::binary("+"),
                            _ => primitives::binary("*"),
                        };
                        match prim {
                            Some(prim) => cx.prim(prim, vec![acc, value], Callee::Operator, span),
                            None => cx.poisoned(span),
                        }
                    }
                };
                vec![next]
            },
        );
        let result = self.scopes.pop().and_then(|s| s.get(&acc_name).copied());
        result.unwrap_or_else(|| self.poisoned(span))
    }
}

/// Whether `m` is `.sum()`, `.product()` or `.fold(init, f)` applied to an
/// iterator chain (`x.iter()..`, a range): not nalgebra's `v.sum()`.
pub(super) fn is_reduction(m: &ExprMethodCall) -> bool {
    let method = m.method.to_string();
    let reduces = matches!(
        (method.as_str(), m.args.len()),
        ("sum" | "product", 0) | ("fold", 2)
    );
    let iterator = match strip(&m.receiver) {
        Expr::MethodCall(r) => {
            let name = r.method.to_string();
            PASS_THROUGH.contains(&name.as_str())
                || INDEX_ADAPTORS.contains(&name.as_str())
                || matches!(name.as_str(), "enumerate" | "zip" | "map")
        }
        Expr::Range(_) => true,
        _ => false,
    };
    reduces && iterator
}

/// An iterator chain: its base expression and the method calls applied to
/// it, innermost first.
fn chain(expr: &Expr) -> (&Expr, Vec<ExprMethodCall>) {
    let mut adaptors = Vec::new();
    let mut e = strip(expr);
    while let Expr::MethodCall(m) = e {
        let name = m.method.to_string();
        let known = PASS_THROUGH.contains(&name.as_str())
            || INDEX_ADAPTORS.contains(&name.as_str())
            || matches!(name.as_str(), "enumerate" | "zip" | "map");
        if !known {
            break;
        }
        adaptors.push(m.clone());
        e = strip(&m.receiver);
    }
    adaptors.reverse();
    (e, adaptors)
}

/// The expression without parentheses, groups or a shared borrow.
fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        Expr::Reference(r) if r.mutability.is_none() => strip(&r.expr),
        other => other,
    }
}

/// The most iterations of a range with a literal end: from its literal
/// start (`-2..3` runs five times), or from 0 where the start is computed
/// (a negative one runs more, which the fixed tape reports as full).
fn range_bound(range: &syn::ExprRange) -> Option<usize> {
    fn literal(e: &Expr) -> Option<i128> {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse().ok(),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => literal(&u.expr).map(|v| -v),
            Expr::Paren(p) => literal(&p.expr),
            _ => None,
        }
    }
    let end = literal(range.end.as_deref()?)?;
    let start = range.start.as_deref().and_then(literal).unwrap_or(0);
    let last = match range.limits {
        syn::RangeLimits::HalfOpen(_) => end,
        syn::RangeLimits::Closed(_) => end + 1,
    };
    usize::try_from((last - start).max(0)).ok()
}

fn spanned_ident(var: Var, span: Span) -> syn::Ident {
    let mut id = ir::ident(var, Role::Primal);
    id.set_span(id.span().located_at(span));
    id
}
