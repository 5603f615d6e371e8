//! Lowering of control flow: sequences of statements, `if` and `match`,
//! early exits, and loops.
//!
//! Branches and loops become structured IR statements whose regions yield
//! values (see `ir::Region`): a name assigned in an arm is *merged* (every
//! arm yields its value there), a name assigned in a loop body is *carried*
//! (the body yields its next value). Early exits are removed: when an `if`
//! or `match` contains a `return`, `break` or `continue`, the statements
//! after it are lowered into each arm (each arm then ends the enclosing
//! sequence itself), so every region has a single exit and derivative code
//! never jumps.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Pat, Stmt as SynStmt};

use super::arms::{arm_stmts, else_source, option_arms, ArmSource};
use super::{local_name, Lowering};
use crate::ir::{Branch, Choice, MatchArm, Op, OpaqueKind, Region, Stmt, Var};

/// What a sequence of statements produces at its end.
#[derive(Clone)]
pub(super) enum End {
    /// The function's value; `return` is allowed.
    Function,
    /// A value (a block or an arm used as an expression).
    Value,
    /// Nothing (a block or an arm used as a statement).
    Nothing,
    /// A loop body: the values of the carried names, then the break flag if
    /// the loop breaks. `scope` is the index of the scope holding the names.
    Body {
        carried: Vec<String>,
        breaks: bool,
        scope: usize,
        /// The carried names of the returned value and of the flag saying
        /// it was returned, when the body contains a `return`.
        ret: Option<(String, String)>,
    },
}

impl End {
    fn count(&self) -> usize {
        match self {
            End::Function | End::Value => 1,
            End::Nothing => 0,
            End::Body {
                carried, breaks, ..
            } => carried.len() + usize::from(*breaks),
        }
    }
}

/// Statements that follow in enclosing blocks: what an arm that does not
/// leave continues with.
pub(super) struct Rest<'a> {
    stmts: &'a [SynStmt],
    close: Span,
    then: Option<&'a Rest<'a>>,
}

/// How a branch's arms end.
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// Each arm continues with the rest of the enclosing sequence.
    Leaves(&'a Rest<'a>, &'a End),
    /// Each arm ends with a value.
    Value,
    /// The arms have no value.
    Statement,
}

impl Lowering<'_> {
    /// Lowers a sequence of statements in a new scope, then the rest.
    pub(super) fn seq(
        &mut self,
        stmts: &[SynStmt],
        close: Span,
        then: Option<&Rest>,
        end: &End,
    ) -> Vec<Var> {
        self.scopes.push(HashMap::new());
        let out = self.seq_inner(stmts, close, then, end);
        self.scopes.pop();
        out
    }

    fn seq_inner(
        &mut self,
        stmts: &[SynStmt],
        close: Span,
        then: Option<&Rest>,
        end: &End,
    ) -> Vec<Var> {
        for (i, stmt) in stmts.iter().enumerate() {
            let is_tail = i + 1 == stmts.len() && then.is_none();
            match stmt {
                SynStmt::Local(local) => self.local(local),
                SynStmt::Item(item) => self.errors.on(
                    item,
                    "items inside a differentiated function are not supported; move this item out of the function",
                ),
                SynStmt::Macro(m) => self.errors.on(
                    &m.mac,
                    format!(
                        "macros cannot be differentiated (`{}!`); move the macro call out of the function or write its expansion by hand",
                        super::path_text(&m.mac.path)
                    ),
                ),
                SynStmt::Expr(expr, semi) => match expr {
                    Expr::Return(ret) => return self.leave_function(ret, end),
                    Expr::Break(b) => {
                        return self.leave_loop(b, b.label.as_ref(), b.expr.is_some(), true, end)
                    }
                    Expr::Continue(c) => {
                        return self.leave_loop(c, c.label.as_ref(), false, false, end)
                    }
                    Expr::If(_) | Expr::Match(_) if leaves(expr) => {
                        let rest = Rest {
                            stmts: &stmts[i + 1..],
                            close,
                            then,
                        };
                        return self.branch(expr, Mode::Leaves(&rest, end));
                    }
                    Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) if returns(expr) => {
                        let ret = match end {
                            End::Function => Some(self.return_slot()),
                            End::Body { ret, .. } => ret.clone(),
                            _ => None,
                        };
                        let Some(ret) = ret else {
                            self.statement(expr);
                            continue;
                        };
                        self.lower_loop(expr, Some(ret.clone()));
                        let rest = Rest {
                            stmts: &stmts[i + 1..],
                            close,
                            then,
                        };
                        return self.after_returning_loop(&ret, &rest, end);
                    }
                    _ if is_tail && semi.is_none() => return self.finish(end, Some(expr), close),
                    _ => self.statement(expr),
                },
            }
        }
        match then {
            Some(rest) => {
                // The arm's own names go out of scope before the rest.
                let own = self.scopes.pop().unwrap_or_default();
                let out = self.seq(rest.stmts, rest.close, rest.then, end);
                self.scopes.push(own);
                out
            }
            None => self.finish(end, None, close),
        }
    }

    /// The end of a sequence, with its last expression if it has one.
    fn finish(&mut self, end: &End, tail: Option<&Expr>, close: Span) -> Vec<Var> {
        match end {
            End::Function | End::Value => match tail {
                Some(expr) => vec![self.expr(expr)],
                None => vec![self.missing_value(close)],
            },
            End::Nothing | End::Body { .. } => {
                if let Some(expr) = tail {
                    self.statement(expr);
                }
                self.body_yields(end, false)
            }
        }
    }

    /// What a loop body yields when it ends, continues or breaks.
    fn body_yields(&mut self, end: &End, breaks: bool) -> Vec<Var> {
        let End::Body {
            carried,
            breaks: loop_breaks,
            scope,
            ..
        } = end
        else {
            return Vec::new();
        };
        let mut yields: Vec<Var> = carried
            .iter()
            .map(|name| self.scopes[*scope][name])
            .collect();
        if *loop_breaks {
            let flag: Expr = match breaks {
                true => syn::parse_quote!(true),
                false => syn::parse_quote!(false),
            };
            yields.push(self.opaque(&flag, OpaqueKind::Inert));
        }
        yields
    }

    /// The names carrying a value returned from inside a loop, declared
    /// before it: the value (`Default::default()` until set) and a flag.
    fn return_slot(&mut self) -> (String, String) {
        let n = self.f.roles.len();
        let (slot, flag) = (format!("{n}#returned"), format!("{n}#returns"));
        let init = self.opaque(
            &syn::parse_quote!(::core::default::Default::default()),
            OpaqueKind::Inert,
        );
        let no = self.opaque(&syn::parse_quote!(false), OpaqueKind::Inert);
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(slot.clone(), init);
            scope.insert(flag.clone(), no);
        }
        (slot, flag)
    }

    /// After a loop that may have returned: the returned value (or, in an
    /// enclosing loop, a break), else the rest of the sequence.
    fn after_returning_loop(
        &mut self,
        (slot, flag): &(String, String),
        rest: &Rest,
        end: &End,
    ) -> Vec<Var> {
        let span = rest.close;
        let Some(cond) = self.lookup_name(flag) else {
            return self.dead_end(end, span);
        };
        let snapshot = self.scopes.clone();
        let mut arms = Vec::new();
        for returned in [true, false] {
            let outer = std::mem::take(&mut self.f.body);
            let yields = match (returned, end) {
                (true, End::Function) => self.lookup_name(slot).into_iter().collect(),
                (true, _) => self.body_yields(end, true),
                (false, _) => self.seq(rest.stmts, rest.close, rest.then, end),
            };
            self.scopes = snapshot.clone();
            let body = std::mem::replace(&mut self.f.body, outer);
            arms.push(Region {
                body,
                yields,
                record: Vec::new(),
            });
        }
        let count = arms[0].yields.len();
        let defs: Vec<Var> = (0..count)
            .map(|_| self.f.fresh(crate::ir::Role::Primal))
            .collect();
        self.f.body.push(Stmt {
            defs: defs.iter().copied().map(Some).collect(),
            op: Op::Branch(Box::new(Branch {
                choice: Choice::If(cond),
                arms,
                recorded: false,
            })),
            span,
            ty: None,
        });
        defs
    }

    fn leave_function(&mut self, ret: &syn::ExprReturn, end: &End) -> Vec<Var> {
        if matches!(end, End::Function) {
            return vec![match &ret.expr {
                Some(e) => self.expr(e),
                None => self.missing_value(ret.span()),
            }];
        }
        if let End::Body {
            ret: Some((slot, flag)),
            scope,
            ..
        } = end
        {
            let value = match &ret.expr {
                Some(e) => self.expr(e),
                None => self.missing_value(ret.span()),
            };
            let yes = self.opaque(&syn::parse_quote!(true), OpaqueKind::Inert);
            self.scopes[*scope].insert(slot.clone(), value);
            self.scopes[*scope].insert(flag.clone(), yes);
            return self.body_yields(end, true);
        }
        self.errors.on(
            ret,
            "`return` is supported outside loops and outside expressions; inside a loop, assign the result to a variable declared before it and `break`",
        );
        self.dead_end(end, ret.span())
    }

    fn leave_loop(
        &mut self,
        node: &dyn quote::ToTokens,
        label: Option<&syn::Lifetime>,
        has_value: bool,
        breaks: bool,
        end: &End,
    ) -> Vec<Var> {
        let problem = match (end, label, has_value) {
            (_, Some(_), _) => Some("labeled `break` and `continue` are not supported; restructure the loops, e.g. with a flag the outer loop checks"),
            (_, _, true) => Some("`break` with a value is not supported; assign the value to a variable declared before the loop, then `break`"),
            (End::Body { .. }, None, false) => None,
            _ => Some("`break` and `continue` are supported as statements of a loop body, not inside an expression"),
        };
        match problem {
            None => self.body_yields(end, breaks),
            Some(message) => {
                self.errors.on(node, message);
                self.dead_end(end, Span::call_site())
            }
        }
    }

    fn dead_end(&mut self, end: &End, span: Span) -> Vec<Var> {
        (0..end.count()).map(|_| self.poisoned(span)).collect()
    }

    /// `if` or `match` as an expression: its value.
    pub(super) fn branch_value(&mut self, expr: &Expr) -> Var {
        if leaves(expr) {
            self.errors.on(
                expr,
                "`return`, `break` and `continue` are supported in an `if` or `match` used as a statement, not in one whose value is used",
            );
            return self.poisoned(expr.span());
        }
        match self.branch(expr, Mode::Value).first() {
            Some(v) => *v,
            None => self.poisoned(expr.span()),
        }
    }

    /// `if` or `match` as a statement.
    pub(super) fn branch_statement(&mut self, expr: &Expr) {
        self.branch(expr, Mode::Statement);
    }

    /// Lowers a branch; returns what its arms yield besides merged names.
    fn branch(&mut self, expr: &Expr, mode: Mode) -> Vec<Var> {
        let span = expr.span();
        let mut unwrap_of = None;
        let (choice, sources) = match expr {
            _ if option_arms(expr).is_some() => {
                let Some((scrutinee, some, none)) = option_arms(expr) else {
                    return Vec::new();
                };
                let option = self.expr(scrutinee);
                let id = crate::ir::ident(option, crate::ir::Role::Primal);
                let test: Expr = syn::parse_quote_spanned!(scrutinee.span()=> #id.is_some());
                let cond = self.emit(
                    Op::Opaque {
                        expr: Box::new(test),
                        uses: vec![option],
                        kind: OpaqueKind::Inert,
                    },
                    span,
                );
                unwrap_of = Some(option);
                (Ok(cond), vec![some, none])
            }
            Expr::If(e) => match &*e.cond {
                Expr::Let(l) => {
                    let scrutinee = self.expr(&l.expr);
                    let else_arm = else_source(e);
                    let then_arm = ArmSource {
                        stmts: e.then_branch.stmts.clone(),
                        close: e.then_branch.brace_token.span.close(),
                        pat: Some(&l.pat),
                        guard: None,
                        unwrapped: None,
                    };
                    (Err(scrutinee), vec![then_arm, else_arm])
                }
                cond => {
                    let cond = self.expr(cond);
                    let then_arm = ArmSource {
                        stmts: e.then_branch.stmts.clone(),
                        close: e.then_branch.brace_token.span.close(),
                        pat: None,
                        guard: None,
                        unwrapped: None,
                    };
                    (Ok(cond), vec![then_arm, else_source(e)])
                }
            },
            Expr::Match(m) => {
                let scrutinee = self.expr(&m.expr);
                let arms = m
                    .arms
                    .iter()
                    .map(|arm| ArmSource {
                        stmts: arm_stmts(&arm.body),
                        close: arm.body.span(),
                        pat: Some(&arm.pat),
                        guard: arm.guard.as_ref().map(|(_, g)| &**g),
                        unwrapped: None,
                    })
                    .collect();
                (Err(scrutinee), arms)
            }
            _ => return Vec::new(),
        };
        let snapshot = self.scopes.clone();
        let mut arms = Vec::new();
        let mut patterns = Vec::new();
        let mut afters = Vec::new();
        for source in &sources {
            let outer = std::mem::take(&mut self.f.body);
            self.scopes.push(HashMap::new());
            if let (Some(pat), Some(option)) = (source.unwrapped, unwrap_of) {
                let unwrap =
                    crate::primitives::method("unwrap", 1).expect("the table lists `unwrap`");
                let value = self.prim(unwrap, vec![option], crate::ir::Callee::Method, pat.span());
                self.bind_pattern(pat, value);
            }
            if let (Err(scrutinee), Some(pat)) = (&choice, source.pat) {
                patterns.push(self.match_arm(pat, source.guard, *scrutinee));
            } else if choice.is_err() {
                let wild: Pat = syn::parse_quote!(_);
                patterns.push(MatchArm {
                    pat: wild,
                    guard: None,
                    binds: Vec::new(),
                    guard_uses: Vec::new(),
                });
            }
            let yields = match mode {
                Mode::Leaves(rest, end) => self.seq(&source.stmts, source.close, Some(rest), end),
                Mode::Value => self.seq(&source.stmts, source.close, None, &End::Value),
                Mode::Statement => self.seq(&source.stmts, source.close, None, &End::Nothing),
            };
            self.scopes.pop();
            afters.push(std::mem::replace(&mut self.scopes, snapshot.clone()));
            let body = std::mem::replace(&mut self.f.body, outer);
            arms.push(Region {
                body,
                yields,
                record: Vec::new(),
            });
        }
        let own = arms.first().map_or(0, |a| a.yields.len());
        // Names an arm assigned: every arm yields their value.
        let mut merged = Vec::new();
        if !matches!(mode, Mode::Leaves(..)) {
            for (depth, scope) in snapshot.iter().enumerate() {
                let mut names: Vec<&String> = scope.keys().collect();
                names.sort();
                for name in names {
                    let before = scope[name];
                    if afters.iter().any(|a| a[depth][name] != before) {
                        merged.push((depth, name.clone()));
                    }
                }
            }
            for (arm, after) in arms.iter_mut().zip(&afters) {
                for (depth, name) in &merged {
                    arm.yields.push(after[*depth][name]);
                }
            }
        }
        let count = arms.first().map_or(0, |a| a.yields.len());
        let defs: Vec<Var> = (0..count)
            .map(|_| self.f.fresh(crate::ir::Role::Primal))
            .collect();
        let choice = match choice {
            Ok(cond) => Choice::If(cond),
            Err(scrutinee) => Choice::Match {
                scrutinee,
                arms: patterns,
            },
        };
        self.f.body.push(Stmt {
            defs: defs.iter().copied().map(Some).collect(),
            op: Op::Branch(Box::new(Branch {
                choice,
                arms,
                recorded: false,
            })),
            span,
            ty: None,
        });
        for ((depth, name), var) in merged.iter().zip(&defs[own..]) {
            self.scopes[*depth].insert(name.clone(), *var);
        }
        defs[..own].to_vec()
    }

    /// A `match` arm's pattern: a name binding the whole value stands for the
    /// scrutinee itself; other names it binds get new (static) variables.
    fn match_arm(&mut self, pat: &Pat, guard: Option<&Expr>, scrutinee: Var) -> MatchArm {
        let (pat, binds) = match pat {
            Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() && is_binding(&p.ident) => {
                self.bind(&p.ident, scrutinee);
                (syn::parse_quote!(_), Vec::new())
            }
            other => {
                let mut renamer = PatRename {
                    cx: self,
                    names: HashMap::new(),
                };
                let mut pat = other.clone();
                syn::visit_mut::VisitMut::visit_pat_mut(&mut renamer, &mut pat);
                let names = renamer.names;
                let mut binds = Vec::new();
                for (name, var) in names {
                    self.bind(&syn::Ident::new(&name, pat.span()), var);
                    binds.push(var);
                }
                (pat, binds)
            }
        };
        let (guard, guard_uses) = match guard {
            Some(g) => {
                let (expr, uses) = self.renamed(g);
                (Some(Box::new(expr)), uses)
            }
            None => (None, Vec::new()),
        };
        MatchArm {
            pat,
            guard,
            binds,
            guard_uses,
        }
    }
}

/// Renames the names a pattern binds to fresh variables.
struct PatRename<'a, 'b> {
    cx: &'a mut Lowering<'b>,
    names: HashMap<String, Var>,
}

impl syn::visit_mut::VisitMut for PatRename<'_, '_> {
    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if is_binding(&p.ident) {
            let key = p.ident.to_string();
            let var = match self.names.get(&key) {
                Some(v) => *v,
                None => {
                    let v = self.cx.f.fresh(crate::ir::Role::Primal);
                    self.cx.pattern_bound.insert(v);
                    self.names.insert(key, v);
                    v
                }
            };
            let mut id = crate::ir::ident(var, crate::ir::Role::Primal);
            id.set_span(id.span().located_at(p.ident.span()));
            p.ident = id;
        }
        if let Some((_, sub)) = &mut p.subpat {
            self.visit_pat_mut(sub);
        }
    }
}

/// Whether an identifier in a pattern binds a name (by Rust's naming
/// conventions, constants and unit variants start with a capital).
fn is_binding(ident: &syn::Ident) -> bool {
    ident
        .to_string()
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c == '_')
}

/// Whether an expression contains a `return`, or a `break`/`continue` of
/// an enclosing loop.
pub(super) fn leaves(expr: &Expr) -> bool {
    let mut finder = Exits {
        returns: true,
        depth: 0,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}

/// Whether an expression contains a `return` (outside closures).
pub(super) fn returns(expr: &Expr) -> bool {
    let mut finder = Exits {
        returns: true,
        depth: 1,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}

/// Whether a loop body breaks out of its loop.
pub(super) fn breaks(block: &syn::Block) -> bool {
    let mut finder = Exits {
        returns: false,
        depth: 0,
        found: false,
    };
    finder.visit_block(block);
    finder.found
}

struct Exits {
    /// Whether a `return` counts.
    returns: bool,
    /// How many loops inside the searched code enclose the current point.
    depth: usize,
    found: bool,
}

impl<'ast> Visit<'ast> for Exits {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Return(_) if self.returns => self.found = true,
            Expr::Break(_) if self.depth == 0 => self.found = true,
            Expr::Continue(_) if self.depth == 0 && self.returns => self.found = true,
            Expr::Closure(_) => {}
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                self.depth += 1;
                syn::visit::visit_expr(self, expr);
                self.depth -= 1;
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }
}

/// The local names a loop body assigns to (`x = ..`, `x += ..`, `x[i] = ..`,
/// `x.swap(i, j)`), in order of first appearance.
pub(super) fn assigned_names(block: &syn::Block) -> Vec<String> {
    let mut finder = Assigned(Vec::new());
    finder.visit_block(block);
    finder.0
}

struct Assigned(Vec<String>);

impl Assigned {
    fn target(&mut self, expr: &Expr) {
        let mut e = expr;
        loop {
            match e {
                Expr::Index(ix) => e = &ix.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::Field(f) => e = &f.base,
                _ => break,
            }
        }
        if let Some(name) = local_name(e) {
            let name = name.to_string();
            if !self.0.contains(&name) {
                self.0.push(name);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Assigned {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Assign(a) => self.target(&a.left),
            Expr::Binary(b) if super::compound_op(&b.op).is_some() => self.target(&b.left),
            Expr::MethodCall(m) if m.method == "swap" => self.target(&m.receiver),
            Expr::Closure(_) => return,
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }
}
