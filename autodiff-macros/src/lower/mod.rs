//! Lowering: the function body from `syn` to the IR.
//!
//! Expressions become flat SSA statements, one per operation. Local names are
//! resolved here: a `let`, a reassignment or a compound assignment binds the
//! name to a new variable, so shadowing and mutation of locals disappear.
//! Primitives (see `primitives`) become `Prim` statements; anything else that
//! is harmless to keep as written (literals, constants, comparisons, code on
//! static values) becomes an `Opaque` statement with its variables renamed,
//! and `activity` decides later whether a derivative would have to flow
//! through it. Constructs the IR cannot express are rejected here, each on
//! its own span, and lowering goes on so that every error is reported.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Block, Expr, Ident, Pat, UnOp};

use crate::errors::Errors;
use crate::ir::{self, Callee, Function, MapFn, Op, OpaqueKind, Param, Role, Stmt, Var};
use crate::primitives::{self, Primitive};
use crate::types::{classify, type_text, TypeClass};

mod arms;
mod calls;
mod closures;
mod control;
mod generic_paths;
mod loops;
mod mutation;
mod rename;
mod structs;

pub use generic_paths::qualify as qualify_generic_paths;
use mutation::mutates;
pub(crate) use rename::one_level_down;
use rename::Rename;

/// Lowers `block`, the body of a function with these parameters.
///
/// `in_module` says that the generated code lives in a module beside the
/// function, so relative paths (`self::C`, `super::C`) need one more `super`.
pub fn lower(params: Vec<Param>, block: &Block, in_module: bool, errors: &mut Errors) -> Function {
    let mut cx = Lowering {
        f: Function {
            params,
            body: Vec::new(),
            ret: Var(0),
            roles: Vec::new(),
            refs: Default::default(),
            tape: None,
        },
        scopes: vec![HashMap::new()],
        in_module,
        static_len: HashMap::new(),
        arrays: HashMap::new(),
        pattern_bound: Default::default(),
        closures: HashMap::new(),
        errors,
    };
    for i in 0..cx.f.params.len() {
        let param_name = cx.f.params[i].name.clone();
        let var = cx.emit(Op::Arg(i), param_name.span());
        if matches!(cx.f.params[i].ty, syn::Type::Reference(_)) {
            cx.f.refs.insert(var);
        }
        if let Some(len) = outer_len(&cx.f.params[i].ty) {
            cx.static_len.insert(var, len);
        }
        if let Some(len) = array_len(&cx.f.params[i].ty) {
            cx.arrays.insert(var, len);
        }
        cx.bind(&param_name, var);
    }
    let close = block.brace_token.span.close();
    if let Some(ret) = cx
        .seq(&block.stmts, close, None, &control::End::Function)
        .first()
    {
        cx.f.ret = *ret;
    }
    cx.f
}

/// The length of an array type (or a reference to one) when it is a literal.
fn array_len(ty: &syn::Type) -> Option<usize> {
    match ty {
        syn::Type::Reference(r) => array_len(&r.elem),
        syn::Type::Paren(p) => array_len(&p.elem),
        syn::Type::Array(_) => outer_len(ty),
        _ => None,
    }
}

/// The length of an array type or fixed-size nalgebra vector, when it is a literal.
fn outer_len(ty: &syn::Type) -> Option<usize> {
    match ty {
        syn::Type::Reference(r) => outer_len(&r.elem),
        syn::Type::Paren(p) => outer_len(&p.elem),
        syn::Type::Array(a) => match &a.len {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }) => n.base10_parse().ok(),
            _ => None,
        },
        other => crate::types::known_dim(other),
    }
}

struct Lowering<'a> {
    f: Function,
    /// Local names in scope, innermost last.
    scopes: Vec<HashMap<String, Var>>,
    /// Whether the generated code sits one module below the function.
    in_module: bool,
    /// Lengths of arguments known from their types (bounds of loops over them).
    static_len: HashMap<Var, usize>,
    /// Variables known to be arrays, with their lengths: array arguments
    /// and array literals (for calls of functions that take slices).
    arrays: HashMap<Var, usize>,
    /// Names bound by `match` patterns, which may hold references (match
    /// ergonomics): `*k` on them is kept as written.
    pattern_bound: std::collections::HashSet<Var>,
    /// Closures bound by `let`, lowered at each call (`closures.rs`).
    closures: HashMap<String, closures::LocalClosure>,
    errors: &'a mut Errors,
}

impl Lowering<'_> {
    fn emit(&mut self, op: Op, span: Span) -> Var {
        let var = self.f.fresh(Role::Primal);
        self.f.body.push(Stmt::new(var, op, span));
        var
    }

    fn bind(&mut self, name: &Ident, var: Var) {
        // A variable shadows a closure of the same name.
        self.closures.remove(&name.to_string());
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), var);
        }
    }

    /// A copy of `value` with the type annotation `ty` (`let a: f64 = ..`),
    /// which rustc's inference of the generated code may need as the
    /// original's did.
    fn annotated(&mut self, value: Var, ty: syn::Type, span: Span) -> Var {
        let var = self.f.fresh(Role::Primal);
        if matches!(ty, syn::Type::Reference(_)) {
            self.f.refs.insert(var);
        }
        let mut stmt = Stmt::new(var, Op::Copy(value), span);
        stmt.ty = Some(ty);
        self.f.body.push(stmt);
        var
    }

    /// A path to an item of the user's module, as the generated module
    /// sees it.
    fn item_path(&self, path: &syn::Path) -> syn::Path {
        let mut path = path.clone();
        if self.in_module {
            rename::one_level_down(&mut path);
        }
        path
    }

    fn lookup(&self, name: &Ident) -> Option<Var> {
        self.lookup_name(&name.to_string())
    }

    fn lookup_name(&self, key: &str) -> Option<Var> {
        self.scopes.iter().rev().find_map(|s| s.get(key).copied())
    }

    /// A stand-in value after an error, so lowering can go on.
    fn poisoned(&mut self, span: Span) -> Var {
        self.emit(
            Op::Opaque {
                expr: Box::new(syn::parse_quote_spanned!(span=> ())),
                uses: Vec::new(),
                kind: OpaqueKind::Poisoned,
            },
            span,
        )
    }

    fn missing_value(&mut self, span: Span) -> Var {
        self.errors.at(
            span,
            "expected the block to end with the value it returns (an expression without `;`)",
        );
        self.poisoned(span)
    }

    fn local(&mut self, local: &syn::Local) {
        let (pat, ty) = match &local.pat {
            Pat::Type(t) => (&*t.pat, Some((*t.ty).clone())),
            other => (other, None),
        };
        let Some(init) = &local.init else {
            self.errors.on(local, "a `let` without a value is not supported; initialise the variable where it is declared");
            return;
        };
        if let Some((else_token, _)) = &init.diverge {
            self.errors.on(
                else_token,
                "`let .. else` is not supported; bind the value with a plain `let`",
            );
        }
        if let (Expr::Closure(closure), Pat::Ident(name)) = (&*init.expr, pat) {
            self.define_closure(&name.ident, closure);
            return;
        }
        let value = self.expr(&init.expr);
        let value = match ty {
            Some(ty) => self.annotated(value, ty, local.span()),
            None => value,
        };
        self.bind_pattern(pat, value);
    }

    /// Binds the names of a `let` pattern; tuples and arrays are taken apart
    /// field by field (`let (a, b) = t;` is `a = t.0`, `b = t.1`).
    fn bind_pattern(&mut self, pat: &Pat, value: Var) {
        match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => self.bind(&p.ident, value),
            Pat::Wild(_) => {}
            Pat::Tuple(t) if !t.elems.iter().any(|e| matches!(e, Pat::Rest(_))) => {
                for (k, elem) in t.elems.iter().enumerate() {
                    let index = syn::Index {
                        index: k as u32,
                        span: elem.span(),
                    };
                    let field = self.prim(primitives::field(), vec![value], Callee::Member(syn::Member::Unnamed(index)), elem.span());
                    self.bind_pattern(elem, field);
                }
            }
            Pat::Slice(a) if !a.elems.iter().any(|e| matches!(e, Pat::Rest(_))) => {
                for (k, elem) in a.elems.iter().enumerate() {
                    let literal: Expr = syn::parse_quote_spanned!(elem.span()=> #k);
                    let index = self.opaque(&literal, OpaqueKind::Inert);
                    let item = self.prim(primitives::indexing(), vec![value, index], Callee::Operator, elem.span());
                    self.bind_pattern(elem, item);
                }
            }
            // `let P { a, b: c, .. } = p;` is `a = p.a`, `c = p.b`.
            Pat::Struct(st) if st.qself.is_none() => {
                for field in &st.fields {
                    let read = self.prim(primitives::field(), vec![value], Callee::Member(field.member.clone()), field.span());
                    self.bind_pattern(&field.pat, read);
                }
            }
            // `let P(a, b) = p;` (a tuple struct), `..` allowed at the end.
            Pat::TupleStruct(ts)
                if ts.qself.is_none()
                    && !ts.elems.iter().rev().skip(1).any(|e| matches!(e, Pat::Rest(_))) =>
            {
                for (k, elem) in ts.elems.iter().enumerate().filter(|(_, e)| !matches!(e, Pat::Rest(_))) {
                    let index = syn::Index {
                        index: k as u32,
                        span: elem.span(),
                    };
                    let field = self.prim(primitives::field(), vec![value], Callee::Member(syn::Member::Unnamed(index)), elem.span());
                    self.bind_pattern(elem, field);
                }
            }
            Pat::Paren(p) => self.bind_pattern(&p.pat, value),
            other => self.errors.on(
                other,
                "this pattern is not supported in a `let`; use a name, `_`, a tuple or array of them (without `..`), or a struct pattern (`Point { x, y, .. }`)",
            ),
        }
    }

    /// An expression in statement position (its value is dropped).
    fn statement(&mut self, expr: &Expr) {
        match expr {
            Expr::Assign(assign) => {
                let value = self.expr(&assign.right);
                self.assign_to(&assign.left, value);
            }
            Expr::Binary(b) if compound_op(&b.op).is_some() => {
                // `a op= b` is `a = a op b`: the new value gets a new variable.
                let mut plain = b.clone();
                plain.op = compound_op(&b.op).unwrap_or(b.op);
                let value = self.binary(&plain);
                self.assign_to(&b.left, value);
            }
            // A block in statement position need not end in a value.
            Expr::Block(b) if b.label.is_none() => {
                let close = b.block.brace_token.span.close();
                self.seq(&b.block.stmts, close, None, &control::End::Nothing);
            }
            Expr::If(_) | Expr::Match(_) => self.branch_statement(expr),
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => self.lower_loop(expr, None),
            Expr::MethodCall(m) if m.method == "swap" && m.args.len() == 2 => self.swap(m),
            Expr::MethodCall(m) if mutates(m) => self.reject_mutating_method(m),
            _ => {
                self.expr(expr);
            }
        }
    }

    /// Reassignment: the innermost scope that holds the name gets the new value.
    fn rebind(&mut self, name: &Ident, var: Var) {
        self.rebind_name(&name.to_string(), var);
    }

    fn rebind_name(&mut self, key: &str, var: Var) {
        if let Some(scope) = self.scopes.iter_mut().rev().find(|s| s.contains_key(key)) {
            scope.insert(key.to_string(), var);
        }
    }

    fn prim(
        &mut self,
        prim: &'static Primitive,
        args: Vec<Var>,
        callee: Callee,
        span: Span,
    ) -> Var {
        let literal = (prim.spelling == primitives::Spelling::ArrayLiteral).then_some(args.len());
        let var = self.emit(Op::Prim { prim, args, callee }, span);
        if let Some(len) = literal {
            self.arrays.insert(var, len);
        }
        var
    }

    /// An expression with its local variables renamed, and the variables it reads.
    fn renamed(&mut self, expr: &Expr) -> (Expr, Vec<Var>) {
        let mut expr = expr.clone();
        let mut rename = Rename {
            cx: self,
            uses: Vec::new(),
            shadowed: Vec::new(),
        };
        rename.visit_expr_mut(&mut expr);
        (expr, rename.uses)
    }

    /// An expression kept verbatim, its local variables renamed.
    fn opaque(&mut self, expr: &Expr, kind: OpaqueKind) -> Var {
        let (expr, uses) = self.renamed(expr);
        self.emit(
            Op::Opaque {
                expr: Box::new(expr.clone()),
                uses,
                kind,
            },
            expr.span(),
        )
    }

    fn expr(&mut self, expr: &Expr) -> Var {
        let span = expr.span();
        match expr {
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Lit(_) => self.opaque(expr, OpaqueKind::Inert),
            // A path that is not a local is a constant or static of the
            // enclosing scope: it carries no derivative.
            Expr::Path(_) => match local_name(expr).and_then(|n| self.lookup(n)) {
                Some(var) => var,
                None => self.opaque(expr, OpaqueKind::Inert),
            },
            Expr::Binary(b) => self.binary(b),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => {
                    let a = self.expr(&u.expr);
                    self.prim(primitives::negation(), vec![a], Callee::Operator, span)
                }
                UnOp::Not(_) => self.opaque(expr, OpaqueKind::Inert),
                // `*v` of a loop's `&f64` item: the IR has the value itself.
                // `*a` of an argument `a: &[f64; 3]`: a copy that owns its
                // elements (a local to assign into), not the reference.
                UnOp::Deref(_) if local_name(&u.expr).and_then(|n| self.lookup(n)).is_some() => {
                    let v = self.expr(&u.expr);
                    match self.f.refs.contains(&v) {
                        true => self.emit(Op::Copy(v), span),
                        false => v,
                    }
                }
                _ => self.opaque(
                    expr,
                    foreign(expr, "cannot differentiate through a dereference; pass the value itself (`x: f64`, not `&f64`)"),
                ),
            },
            Expr::MethodCall(m) if m.method == "map" && m.args.len() == 1 => {
                let x = self.expr(&m.receiver);
                let f = self.map_fn(&m.args[0]);
                // What the closure captures are arguments too: a derivative
                // flows through a captured differentiable scalar.
                let mut args = vec![x];
                if let MapFn::Closure(closure) = &f {
                    args.extend(ir::captures(closure));
                }
                self.prim(primitives::mapping(), args, Callee::Map(Box::new(f)), span)
            }
            Expr::MethodCall(m) if loops::is_reduction(m) => self.reduction(m),
            // `a.lu().solve(&b)`: the decomposition is not a value the IR
            // holds, the solve through it is one rule.
            // `x.column(j)` is the block `x.fixed_columns::<1>(j)` (an owned
            // copy, a vector as `column`'s view is).
            Expr::MethodCall(m) if (m.method == "column" || m.method == "row") && m.args.len() == 1 => {
                let fixed = Ident::new(&format!("fixed_{}s", m.method), m.method.span());
                let (receiver, index) = (&m.receiver, &m.args[0]);
                let block: Expr = syn::parse_quote_spanned!(span=> #receiver.#fixed::<1>(#index));
                self.expr(&block)
            }
            Expr::MethodCall(m) if is_lu_solve(m) => {
                let Expr::MethodCall(lu) = &*m.receiver else {
                    return self.poisoned(span);
                };
                let a = self.expr(&lu.receiver);
                let b = self.expr(&m.args[0]);
                self.prim(primitives::lowered("lu_solve"), vec![a, b], Callee::Operator, span)
            }
            Expr::MethodCall(m) if mutates(m) => {
                self.reject_mutating_method(m);
                self.poisoned(span)
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                match primitives::method(&name, m.args.len() + 1) {
                    Some(prim) if m.args.len() + 1 == prim.arity && (m.turbofish.is_none() || prim.spelling == primitives::Spelling::FixedSlice) => {
                        if let Some(generics) = m.turbofish.as_ref().filter(|g| g.args.len() != 1) {
                            self.errors.on(generics, format!("`{name}` takes one const argument, the block's size: `{name}::<N>(..)`"));
                            return self.poisoned(span);
                        }
                        let mut args = vec![self.expr(&m.receiver)];
                        args.extend(m.args.iter().map(|a| self.expr(a)));
                        let callee = match &m.turbofish {
                            Some(generics) => Callee::Turbofish(syn::AngleBracketedGenericArguments {
                                colon2_token: None,
                                lt_token: generics.lt_token,
                                args: generics.args.clone(),
                                gt_token: generics.gt_token,
                            }),
                            None => Callee::Method,
                        };
                        self.prim(prim, args, callee, span)
                    }
                    // A shape query reads no value: its result is static.
                    _ if SHAPE_QUERIES.contains(&name.as_str()) && m.args.is_empty() => {
                        self.opaque(expr, OpaqueKind::Inert)
                    }
                    // Same name, other arity: another type's method (nalgebra's
                    // `v.max()`), or a mistake that rustc reports too.
                    Some(prim) => {
                        let message = format!(
                            "`{name}` with {} argument(s) has no derivative rule; the rule for `{name}` takes {}",
                            m.args.len(),
                            prim.arity - 1
                        );
                        self.opaque(expr, foreign(expr, message))
                    }
                    None => {
                        let mut supported: Vec<&str> = Vec::new();
                        for p in primitives::PRIMITIVES {
                            let method = matches!(p.spelling, primitives::Spelling::Method | primitives::Spelling::Slice | primitives::Spelling::FixedSlice);
                            if method && !supported.contains(&p.method) {
                                supported.push(p.method);
                            }
                        }
                        supported.push("lu().solve");
                        let message = format!(
                            "cannot differentiate through the method `{name}`; the methods with derivatives are {}",
                            supported.join(", ")
                        );
                        self.opaque(expr, foreign(expr, message))
                    }
                }
            }
            Expr::Call(call) => self.call(call),
            Expr::Cast(cast) => {
                // The operand is lowered on its own, so that a cast of a
                // comparison (`(x > 0.0) as i32 as f64`) sees a static value.
                let operand = self.expr(&cast.expr);
                let mut operand_id = ir::ident(operand, Role::Primal);
                operand_id.set_span(operand_id.span().located_at(cast.expr.span()));
                let ty = &cast.ty;
                let expr: Expr = syn::parse_quote_spanned!(span=> #operand_id as #ty);
                let kind = if classify(&cast.ty) == TypeClass::Static {
                    OpaqueKind::Inert
                } else {
                    foreign(
                        cast,
                        format!(
                            "cannot differentiate through a cast to `{}`; keep the differentiable computation in one float type",
                            type_text(&cast.ty)
                        ),
                    )
                };
                self.emit(
                    Op::Opaque {
                        expr: Box::new(expr),
                        uses: vec![operand],
                        kind,
                    },
                    span,
                )
            }
            Expr::Block(b) if b.label.is_none() => {
                let close = b.block.brace_token.span.close();
                match self.seq(&b.block.stmts, close, None, &control::End::Value).first() {
                    Some(v) => *v,
                    None => self.poisoned(span),
                }
            }
            Expr::If(_) | Expr::Match(_) => self.branch_value(expr),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => self.vec_macro(&m.mac),
            Expr::Repeat(_) => self.opaque(
                expr,
                foreign(expr, "an array `[x; N]` of a differentiable value has no derivative rule; write the elements out (`[x, x, x]`)"),
            ),
            Expr::Index(ix) => {
                let container = self.expr(&ix.expr);
                let index = self.expr(&ix.index);
                // Spanned on the index: what can go wrong here is the index.
                self.prim(primitives::indexing(), vec![container, index], Callee::Operator, ix.index.span())
            }
            Expr::Array(array) => {
                let elements = array.elems.iter().map(|e| self.expr(e)).collect();
                self.prim(primitives::array_literal(), elements, Callee::Operator, span)
            }
            // Rules take every operand by reference already, so a shared
            // borrow (`a.dot(&b)`) is the value itself.
            Expr::Reference(r) if r.mutability.is_none() => self.expr(&r.expr),
            Expr::Tuple(t) if (1..=4).contains(&t.elems.len()) => {
                let fields = t.elems.iter().map(|e| self.expr(e)).collect();
                self.prim(primitives::tuple_literal(), fields, Callee::Operator, span)
            }
            Expr::Field(f) => {
                let base = self.expr(&f.base);
                self.prim(primitives::field(), vec![base], Callee::Member(f.member.clone()), span)
            }
            Expr::Struct(literal) => self.struct_literal(literal),
            Expr::Tuple(_) | Expr::Reference(_) => self.opaque(
                expr,
                foreign(
                    expr,
                    "cannot differentiate through `&mut` or tuples of more than four fields: derivatives flow through scalars, arrays, tuples of up to four fields, structs with `#[derive(Differentiable)]` and nalgebra matrices; group the values in a struct",
                ),
            ),
            _ => {
                self.reject(expr);
                self.poisoned(span)
            }
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Var {
        let span = b.span();
        let op = b.op.to_token_stream().to_string();
        if let Some(prim) = primitives::binary(&op) {
            let lhs = self.expr(&b.left);
            let rhs = self.expr(&b.right);
            return self.prim(prim, vec![lhs, rhs], Callee::Operator, span);
        }
        if compound_op(&b.op).is_some() {
            self.errors.on(
                b,
                "an assignment has no value; write it as a statement ending in `;`",
            );
            return self.poisoned(span);
        }
        let inert = matches!(
            b.op,
            BinOp::Eq(_)
                | BinOp::Ne(_)
                | BinOp::Lt(_)
                | BinOp::Le(_)
                | BinOp::Gt(_)
                | BinOp::Ge(_)
                | BinOp::And(_)
                | BinOp::Or(_)
        );
        let comparison = inert && !matches!(b.op, BinOp::And(_) | BinOp::Or(_));
        if comparison && (holds_statements(&b.left) || holds_statements(&b.right)) {
            // An operand with a block, `if` or `match` in it cannot be kept
            // as written: compare the operands' values. (`&&` and `||`
            // stay as written, whole, so that they still short-circuit.)
            return self.over_operands(b, OpaqueKind::Inert);
        }
        if inert {
            return self.opaque(&Expr::Binary(b.clone()), OpaqueKind::Inert);
        }
        // `%`, bit operations, shifts: kept as written over the operands'
        // values, lowered first, so that what an operand reads only for its
        // shape (`i % x.len()`) does not make the result depend on `x`.
        let kind = foreign(
            b,
            format!("the `{op}` operator has no derivative here; write it with `+ - * /` and float methods"),
        );
        self.over_operands(b, kind)
    }

    /// `b` kept as written, its operands lowered first and replaced by
    /// their values.
    fn over_operands(&mut self, b: &syn::ExprBinary, kind: OpaqueKind) -> Var {
        let (lhs, rhs) = (self.expr(&b.left), self.expr(&b.right));
        let (l, r) = (ir::ident(lhs, Role::Primal), ir::ident(rhs, Role::Primal));
        let mut kept = b.clone();
        kept.left = Box::new(syn::parse_quote!(#l));
        kept.right = Box::new(syn::parse_quote!(#r));
        self.emit(
            Op::Opaque {
                expr: Box::new(Expr::Binary(kept)),
                uses: vec![lhs, rhs],
                kind,
            },
            b.span(),
        )
    }

    /// Reports a construct the IR cannot express, with what to do instead.
    fn reject(&mut self, expr: &Expr) {
        let message = match expr {
            Expr::Closure(_) => "a closure is supported bound by `let` and called (`let sq = |v: f64| v * v; sq(x)`), or as the argument of `map`, `from_fn` or `fold`; write the computation inline or as a separate `#[differentiate]` function".to_string(),
            Expr::Unsafe(_) => "`unsafe` blocks cannot be differentiated; move the unsafe code out of the function".to_string(),
            Expr::Async(_) | Expr::Await(_) => "`async` code cannot be differentiated; compute the value first and pass it in".to_string(),
            Expr::Macro(m) => format!(
                "macros cannot be differentiated (`{}!`); move the macro call out of the function or write its expansion by hand",
                path_text(&m.mac.path)
            ),
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => "a loop has no value; use it as a statement and assign the result to a variable declared before it".to_string(),
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => "`return`, `break` and `continue` are supported as statements (in a block, or in an `if` or `match` used as a statement), not inside an expression".to_string(),
            Expr::Assign(_) => "an assignment has no value; write it as a statement ending in `;`".to_string(),
            Expr::Try(_) => "the `?` operator is not supported in a differentiated function".to_string(),
            Expr::Block(b) if b.label.is_some() => "labeled blocks are not supported; remove the label".to_string(),
            Expr::Block(_) | Expr::If(_) | Expr::Match(_) => "a block, `if` or `match` inside this expression is not supported; bind its value with `let` first and use the variable".to_string(),
            Expr::Range(_) => "ranges (and slicing with them, `&x[1..]`) are not supported; for nalgebra blocks use `x.rows(start, len)` or `x.fixed_rows::<N>(start)`".to_string(),
            _ => "this expression is not supported in a differentiated function; supported are arithmetic, indexing, array and tuple literals, float and nalgebra methods, `map`, `let` bindings, reassignment and blocks".to_string(),
        };
        self.errors.on(expr, message);
    }
}

/// Whether `expr` holds a block, `if` or `match` (outside closures): code
/// that cannot be kept as written inside an opaque expression.
fn holds_statements(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_expr(&mut self, e: &'ast Expr) {
            match e {
                Expr::Block(_) | Expr::If(_) | Expr::Match(_) => self.0 = true,
                Expr::Closure(_) => {}
                _ => syn::visit::visit_expr(self, e),
            }
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_expr(&mut finder, expr);
    finder.0
}

/// The error for a derivative that would flow through `node`, spanning it
/// as the user wrote it (before its variables are renamed).
pub(super) fn foreign(node: impl quote::ToTokens, message: impl std::fmt::Display) -> OpaqueKind {
    OpaqueKind::Foreign(syn::Error::new_spanned(node, message))
}

/// Methods that read only a value's shape, so their result is static even
/// on a differentiable value (`x[x.len() - 1]`).
const SHAPE_QUERIES: &[&str] = &["len", "is_empty", "nrows", "ncols", "shape"];

/// Whether the call is `a.lu().solve(&b)`.
fn is_lu_solve(m: &syn::ExprMethodCall) -> bool {
    m.method == "solve"
        && m.args.len() == 1
        && matches!(&*m.receiver, Expr::MethodCall(lu) if lu.method == "lu" && lu.args.is_empty())
}

/// `x` if the expression is a plain single-name path.
fn local_name(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => p.path.get_ident(),
        _ => None,
    }
}

/// The operator that a compound assignment applies (`+` for `+=`).
fn compound_op(op: &BinOp) -> Option<BinOp> {
    Some(match *op {
        BinOp::AddAssign(t) => BinOp::Add(syn::Token![+](t.spans[0])),
        BinOp::SubAssign(t) => BinOp::Sub(syn::Token![-](t.spans[0])),
        BinOp::MulAssign(t) => BinOp::Mul(syn::Token![*](t.spans[0])),
        BinOp::DivAssign(t) => BinOp::Div(syn::Token![/](t.spans[0])),
        BinOp::RemAssign(t) => BinOp::Rem(syn::Token![%](t.spans[0])),
        BinOp::BitXorAssign(t) => BinOp::BitXor(syn::Token![^](t.spans[0])),
        BinOp::BitAndAssign(t) => BinOp::BitAnd(syn::Token![&](t.spans[0])),
        BinOp::BitOrAssign(t) => BinOp::BitOr(syn::Token![|](t.spans[0])),
        BinOp::ShlAssign(t) => BinOp::Shl(syn::Token![<<](t.spans[0])),
        BinOp::ShrAssign(t) => BinOp::Shr(syn::Token![>>](t.spans[0])),
        _ => return None,
    })
}

fn path_text(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}
