//! Emission of the second reverse sweep, over dual numbers (`hvp`,
//! `hessian`): the same statements as the first, where the values that
//! depend on the differentiable arguments are `Dual<f64>` (or `f32`).
//!
//! What differs from the first sweep, each only for those values: a type
//! annotation the user wrote (`let a: f64 = ..`) names the dual type; code
//! kept as written (comparisons, casts) reads the value parts
//! (`dual::primal`); the float functions and element assignments are
//! called through their rules (also where no derivative is needed); and a
//! constant that meets a dual value in one rule, or flows into a dual
//! variable, is made a dual constant (`dual::promote`).

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::{Expr, Type};

use super::{runtime, Emitter};
use crate::ir::{Stmt, StructLiteral, Var};
use crate::primitives::{Primitive, Spelling};

impl Emitter<'_> {
    /// Emits the second sweep: `varied` are the values that are dual
    /// there, over the float type `scalar`; `untyped` values take their
    /// type from their use (never promoted).
    pub fn with_dual(
        mut self,
        (varied, untyped): (HashSet<Var>, HashSet<Var>),
        scalar: TokenStream,
    ) -> Self {
        self.dual = Some(Dual {
            varied,
            untyped,
            scalar,
            number: None,
        });
        self
    }

    /// The second mode over the sweep's type parameter `number` (a
    /// `dual::Number` over the float type) instead of dual numbers: the
    /// one sweep of `grad` and `hvp` both (`hessian::generic`).
    pub fn generic_over(mut self, number: syn::Ident) -> Self {
        if let Some(d) = &mut self.dual {
            d.number = Some(number);
        }
        self
    }

    fn is_dual(&self, v: Var) -> bool {
        self.dual.as_ref().is_some_and(|d| d.varied.contains(&v))
    }

    /// A struct literal as the second sweep builds it: of the struct's dual
    /// twin where its value is dual (`hessian::supported` has checked that
    /// the path can name one).
    pub(super) fn dual_literal(&self, literal: &StructLiteral, stmt: &Stmt) -> StructLiteral {
        let mut literal = literal.clone();
        if stmt.def().is_some_and(|d| self.is_dual(d)) {
            if let Some(path) = crate::twin::twin_path(&literal.path) {
                literal.path = path;
            }
        }
        literal
    }

    fn is_untyped(&self, v: Var) -> bool {
        self.dual.as_ref().is_some_and(|d| d.untyped.contains(&v))
    }

    /// The second sweep's output: dual, even where it does not depend on
    /// the arguments (`x.signum()`).
    pub fn dual_output(&self, v: Var) -> TokenStream {
        let id = self.var(v);
        match self.is_dual(v) {
            true => quote!(#id),
            false => self.promote(quote!(&#id)),
        }
    }

    /// The container an in-place element assignment takes over; in the
    /// second sweep, a constant one that receives a dual element is
    /// promoted first (`let mut v = vec![0.0; n]; v[i] = x;`).
    pub(super) fn owned_container(&self, v: Var, stmt: &Stmt) -> TokenStream {
        let x = self.owned(v, stmt);
        match stmt.def().is_some_and(|d| self.is_dual(d)) && !self.is_dual(v) {
            true => self.promote(quote!(&#x)),
            false => x,
        }
    }

    /// The arguments of a plain call (no derivative through it): in the
    /// second sweep, dual ones passed by value give their value parts.
    pub(super) fn plain_call_args(
        &self,
        c: &crate::ir::Call,
        args: Vec<TokenStream>,
    ) -> Vec<TokenStream> {
        args.into_iter()
            .zip(c.args.iter().zip(&c.borrowed))
            .map(|(arg, (v, borrowed))| match self.is_dual(*v) && !borrowed {
                true => {
                    let rt = runtime();
                    quote!(#rt::dual::primal(&#arg))
                }
                false => arg,
            })
            .collect()
    }

    /// `dual::promote::<S, _>(&value)`: a constant as a dual number (in
    /// the generic sweep, `dual::constant::<S, N, _>(&value)`).
    fn promote(&self, value: TokenStream) -> TokenStream {
        let rt = runtime();
        let scalar = self
            .dual
            .as_ref()
            .map(|d| d.scalar.clone())
            .unwrap_or_else(|| quote!(f64));
        match self.dual.as_ref().and_then(|d| d.number.as_ref()) {
            Some(number) => quote!(#rt::dual::constant::<#scalar, #number, _>(#value)),
            None => quote!(#rt::dual::promote::<#scalar, _>(#value)),
        }
    }

    /// A type over the second mode's numbers.
    fn over_numbers(&self, ty: &Type) -> TokenStream {
        number_type(ty, self.dual.as_ref().and_then(|d| d.number.as_ref()))
    }

    /// The statement's type annotation, over dual numbers where its value is.
    pub(super) fn annotation(&self, stmt: &Stmt) -> Option<TokenStream> {
        let ty = stmt.ty.as_ref()?;
        match stmt.def().is_some_and(|d| self.is_dual(d)) {
            true => Some(self.over_numbers(ty)),
            false => Some(ty.to_token_stream()),
        }
    }

    /// A kept expression (a comparison, a cast, code on values): in the
    /// second sweep it reads the value part of each dual variable
    /// (`dual::primal`), which is all such code can depend on.
    pub(super) fn opaque(&self, expr: &Expr, uses: &[Var]) -> TokenStream {
        let dual: Vec<syn::Ident> = uses
            .iter()
            .filter(|v| self.is_dual(**v))
            .map(|v| self.var(*v))
            .collect();
        if dual.is_empty() {
            return expr.to_token_stream();
        }
        // A borrowed argument's value part is borrowed in turn, so that the
        // code reads it as it read the argument (`v.component_mul(v)`).
        let borrowed: Vec<syn::Ident> = uses
            .iter()
            .filter(|v| self.is_dual(**v) && self.refs.contains(v))
            .map(|v| self.var(*v))
            .collect();
        /// Reads the value parts of the dual variables the expression uses
        /// as values: operands of operators and casts, receivers and
        /// arguments of methods other than shape queries and iteration,
        /// arguments of calls. An operand that is a dual variable, or an
        /// element or field of one, is wrapped; inner expressions first, so
        /// that everything above them computes on plain floats.
        struct Primal<'a>(&'a [syn::Ident], &'a [syn::Ident]);
        impl Primal<'_> {
            fn reads_dual(&self, e: &Expr) -> bool {
                match e {
                    Expr::Paren(p) => self.reads_dual(&p.expr),
                    Expr::Path(p) => p.qself.is_none() && self.0.iter().any(|d| p.path.is_ident(d)),
                    Expr::Index(i) => self.reads_dual(&i.expr),
                    Expr::Field(f) => self.reads_dual(&f.base),
                    _ => false,
                }
            }
            fn wrap(&self, e: &mut Expr) {
                // `&v` as an argument (`a.dot(&v)`): the value part borrowed.
                if let Expr::Reference(r) = e {
                    return self.wrap(&mut r.expr);
                }
                if self.reads_dual(e) {
                    let rt = runtime();
                    let borrowed =
                        matches!(e, Expr::Path(p) if self.1.iter().any(|d| p.path.is_ident(d)));
                    *e = match borrowed {
                        true => syn::parse_quote!((&#rt::dual::primal(&#e))),
                        false => syn::parse_quote!(#rt::dual::primal(&#e)),
                    };
                }
            }
        }
        impl syn::visit_mut::VisitMut for Primal<'_> {
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                syn::visit_mut::visit_expr_mut(self, e);
                match e {
                    Expr::Binary(b) => {
                        self.wrap(&mut b.left);
                        self.wrap(&mut b.right);
                    }
                    Expr::Unary(u) => self.wrap(&mut u.expr),
                    Expr::Cast(c) => self.wrap(&mut c.expr),
                    Expr::MethodCall(m)
                        if !CONTAINER_METHODS.contains(&m.method.to_string().as_str()) =>
                    {
                        self.wrap(&mut m.receiver);
                        m.args.iter_mut().for_each(|a| self.wrap(a));
                    }
                    Expr::Call(c) => c.args.iter_mut().for_each(|a| self.wrap(a)),
                    _ => {}
                }
            }
        }
        let mut expr = expr.clone();
        syn::visit_mut::VisitMut::visit_expr_mut(&mut Primal(&dual, &borrowed), &mut expr);
        expr.to_token_stream()
    }

    /// Whether a primitive without a derivative (a value that depends on
    /// the arguments but not one the output needs) is still called through
    /// its rule in the second sweep: an operator, a float function or an
    /// element assignment of a dual value, whose constant operands are
    /// promoted.
    pub(super) fn through_rule(&self, prim: &Primitive, stmt: &Stmt) -> bool {
        stmt.def().is_some_and(|d| self.is_dual(d))
            && matches!(
                prim.spelling,
                Spelling::Operator(_) | Spelling::Method | Spelling::Lowered
            )
    }

    /// A primitive of dual values whose result is not dual (`x.floor()`,
    /// piecewise constant): plain code on the value parts, the dual
    /// arguments shadowed by them in a block around `plain`.
    pub(super) fn on_values(
        &self,
        args: &[Var],
        stmt: &Stmt,
        plain: TokenStream,
    ) -> Option<TokenStream> {
        if !args.iter().any(|a| self.is_dual(*a)) || stmt.def().is_some_and(|d| self.is_dual(d)) {
            return None;
        }
        let rt = runtime();
        let values = args.iter().filter(|a| self.is_dual(**a)).map(|a| {
            let v = self.var(*a);
            match self.refs.contains(a) {
                true => quote!(let #v = &#rt::dual::primal(&#v);),
                false => quote!(let #v = #rt::dual::primal(&#v);),
            }
        });
        Some(quote!({ #(#values)* #plain }))
    }

    /// A rule's operands. In the second sweep, where the result is dual,
    /// operands that are not become dual constants (`dual::promote`): the
    /// rules take operands of one type (with a float on one side, rustc
    /// could not tell a literal's type before its fallback); tuples hold
    /// any types.
    pub(super) fn rule_operands(
        &self,
        prim: &Primitive,
        args: &[Var],
        result: Option<Var>,
        span: Span,
    ) -> Vec<TokenStream> {
        let promotes =
            result.is_some_and(|r| self.is_dual(r)) && prim.spelling != Spelling::TupleLiteral;
        args.iter()
            .enumerate()
            .map(|(i, a)| {
                let operand = self.operand(*a, span);
                match promotes && prim.differentiable_arg(i) && !self.is_dual(*a) {
                    true => {
                        let promoted = self.promote(operand);
                        quote_spanned!(span=> &#promoted)
                    }
                    false => operand,
                }
            })
            .collect()
    }

    /// A plain array literal of dual values, constants promoted.
    pub(super) fn dual_array(&self, args: &[Var]) -> Option<TokenStream> {
        if !args.iter().any(|a| self.is_dual(*a)) {
            return None;
        }
        let elements = args.iter().map(|a| {
            let id = self.var(*a);
            match self.is_dual(*a) {
                true => quote!(#id),
                false => self.promote(quote!(&#id)),
            }
        });
        Some(quote!([#(#elements),*]))
    }

    /// Values flowing into variables (a branch's results, a loop's carried
    /// variables): in the second sweep, one that is not dual flowing into
    /// one that is becomes a dual constant.
    pub(super) fn promote_into(
        &self,
        values: Vec<TokenStream>,
        sources: &[Var],
        targets: &[Option<Var>],
    ) -> Vec<TokenStream> {
        values
            .into_iter()
            .enumerate()
            .map(|(k, value)| {
                let target = targets.get(k).copied().flatten();
                let source = sources.get(k).copied();
                match (target, source) {
                    (Some(t), Some(s))
                        if self.is_dual(t) && !self.is_dual(s) && !self.is_untyped(s) =>
                    {
                        self.promote(quote!(&#value))
                    }
                    _ => value,
                }
            })
            .collect()
    }
}

/// What the second sweep knows of its values (see `Emitter::with_dual`).
pub struct Dual {
    varied: HashSet<Var>,
    untyped: HashSet<Var>,
    scalar: TokenStream,
    /// The generic sweep's type parameter, where the numbers are not dual.
    number: Option<syn::Ident>,
}

/// Methods of containers that read no value (shapes, iteration): their
/// receivers stay dual containers.
const CONTAINER_METHODS: &[&str] = &[
    "len",
    "is_empty",
    "nrows",
    "ncols",
    "shape",
    "iter",
    "into_iter",
    "enumerate",
    "rev",
    "zip",
    "step_by",
    "skip",
    "take",
    "to_vec",
    "as_slice",
    "clone",
    "get",
    "first",
    "last",
];

/// A type over dual numbers, for the second sweep's signatures.
pub fn dual_type(ty: &Type) -> TokenStream {
    crate::types::dualize(ty, &runtime()).to_token_stream()
}

/// A type over the second mode's numbers: dual numbers, or the generic
/// sweep's type parameter `number`.
pub fn number_type(ty: &Type, number: Option<&syn::Ident>) -> TokenStream {
    match number {
        Some(number) => crate::types::generic_number(ty, number).to_token_stream(),
        None => dual_type(ty),
    }
}

/// `quote!` of a list of types over the second mode's numbers.
pub fn number_types(tys: &[TokenStream], number: Option<&syn::Ident>) -> Vec<TokenStream> {
    tys.iter()
        .map(|t| match syn::parse2::<Type>(t.clone()) {
            Ok(ty) => number_type(&ty, number),
            Err(_) => quote!(#t),
        })
        .collect()
}

/// `quote!` of a list of dual types.
pub fn dual_types(tys: &[TokenStream]) -> Vec<TokenStream> {
    number_types(tys, None)
}
