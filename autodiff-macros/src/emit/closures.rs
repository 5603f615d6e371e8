//! Emission of the closures `map` and `from_fn` take: each closure's body
//! differentiated in reverse mode as a scalar rule of its entry and of the
//! differentiable values it captures.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::{runtime, Emitter};
use crate::errors::Errors;
use crate::ir::{self, ArgRole, Function, MapFn, Op, Param, Stmt, Var};
use crate::{activity, fallback, reverse};

impl Emitter<'_> {
    /// `rules::from_fn(captures, build, rule)` for `V::from_fn(sizes.., closure)`
    /// with the captured variables in `active` differentiated.
    ///
    /// With `d_captures`, the tangents of the `active` captures,
    /// `rules::from_fn_jvp`: the value and its tangent in one pass.
    pub(super) fn build_from_fn(
        &self,
        from_fn: &ir::FromFn,
        active: &[Var],
        d_captures: Option<&[Var]>,
        span: Span,
    ) -> TokenStream {
        let rt = runtime();
        let path = &from_fn.path;
        let sizes = from_fn.sizes.iter().map(|v| self.var(*v));
        let (entry, i, j) = (
            Ident::new("__entry", Span::mixed_site()),
            Ident::new("__i", Span::mixed_site()),
            Ident::new("__j", Span::mixed_site()),
        );
        let captured = active.iter().map(|v| self.operand(*v, span));
        let rule = closure_rule(&from_fn.closure, active, span);
        let (name, tangents) = match d_captures {
            Some(d) => {
                let d = d.iter().map(|v| self.var(*v));
                (quote!(from_fn_jvp), quote!([#(#d),*],))
            }
            None => (quote!(from_fn), TokenStream::new()),
        };
        quote_spanned! {span=>
            #rt::rules::#name(
                [#(#captured),*],
                #tangents
                |#entry: &mut dyn FnMut(usize, usize) -> _| #path(#(#sizes,)* |#i, #j| #entry(#i, #j)),
                #rule,
            )
        }
    }

    /// `rules::map(x, captures, rule)` for `x.map(f)` with the captured
    /// variables in `active` differentiated.
    ///
    /// With `jvp`, the tangent of `x` (`None`: zero) and those of the
    /// `active` captures, `rules::map_jvp`: the value and its tangent in
    /// one pass.
    pub(super) fn build_map(
        &self,
        f: &MapFn,
        x: Var,
        active: &[Var],
        jvp: Option<(Option<Var>, &[Var])>,
        span: Span,
    ) -> TokenStream {
        let rt = runtime();
        let rule = scalar_rule(f, active, span);
        let x = self.operand(x, span);
        let captured = active.iter().map(|v| self.operand(*v, span));
        match jvp {
            Some((dx, d_captures)) => {
                let dx = match dx {
                    Some(t) => {
                        let t = self.var(t);
                        quote!(::core::option::Option::Some(&#t))
                    }
                    None => quote!(::core::option::Option::None),
                };
                let d_captures = d_captures.iter().map(|v| self.var(*v));
                quote_spanned! {span=>
                    #rt::rules::map_jvp(#x, #dx, [#(#captured),*], [#(#d_captures),*], #rule)
                }
            }
            None => quote_spanned!(span=> #rt::rules::map(#x, [#(#captured),*], #rule)),
        }
    }

    /// `map_jvp(x, dx, captures, d_captures, rule)` or
    /// `from_fn_jvp(captures, d_captures, build, rule)`: a closure's
    /// container and its tangent in one pass (`Op::PushRule`, made only
    /// for those two).
    pub(super) fn closure_jvp(
        &self,
        args: &[Var],
        tangents: &[Option<Var>],
        callee: &ir::Callee,
        span: Span,
    ) -> TokenStream {
        let with_tangents = |vars: &[Var], tangents: &[Option<Var>]| -> (Vec<Var>, Vec<Var>) {
            vars.iter()
                .zip(tangents)
                .filter_map(|(v, t)| Some((*v, (*t)?)))
                .unzip()
        };
        match callee {
            ir::Callee::Map(f) => {
                let (active, d_captures) = with_tangents(&args[1..], &tangents[1..]);
                self.build_map(f, args[0], &active, Some((tangents[0], &d_captures)), span)
            }
            ir::Callee::FromFn(from_fn) => {
                let (active, d_captures) = with_tangents(args, tangents);
                self.build_from_fn(from_fn, &active, Some(&d_captures), span)
            }
            _ => fallback::never(),
        }
    }
}

/// The scalar rule `map` applies to each entry: `(&entry, [capture; K])
/// -> (value, (∂/∂entry, [∂/∂capture; K]))`. For a closure, its body
/// differentiated in reverse mode with respect to the entry and the
/// captured variables in `active` (the others stay plain captures).
pub(super) fn scalar_rule(f: &MapFn, active: &[Var], span: Span) -> TokenStream {
    let rt = runtime();
    let (entry, captured) = (
        Ident::new("__entry", Span::mixed_site()),
        Ident::new("__captured", Span::mixed_site()),
    );
    let closure = match f {
        MapFn::Primitive(prim) => {
            let name = Ident::new(prim.name, span);
            return quote_spanned! {span=>
                |#entry: &_, _: [_; 0]| {
                    let (value, (derivative,)) = #rt::rules::#name(#entry);
                    (value, (derivative, []))
                }
            };
        }
        MapFn::Closure(closure) => closure,
        MapFn::Poisoned => return fallback::never(),
    };
    let count = active.len();
    let (body, param_names, capture_names, value, grads) =
        differentiate_closure(closure, active, span);
    let param = &param_names[0];
    let (d_entry, d_captures) = (&grads[0], &grads[1..]);
    quote_spanned! {span=>
        |#entry: &_, #captured: [_; #count]| {
            let #param = ::core::clone::Clone::clone(#entry);
            let [#(#capture_names),*] = #captured;
            #body
            (#value, (#d_entry, [#(#d_captures),*]))
        }
    }
}

/// The rule `from_fn` calls per entry: `(row, column, [capture; K]) ->
/// (value, [∂/∂capture; K])`, the closure's body differentiated in reverse
/// mode with respect to the captured variables in `active`.
fn closure_rule(closure: &Function, active: &[Var], span: Span) -> TokenStream {
    let captured = Ident::new("__captured", Span::mixed_site());
    let count = active.len();
    let (body, param_names, capture_names, value, grads) =
        differentiate_closure(closure, active, span);
    quote_spanned! {span=>
        |#(#param_names: usize,)* #captured: [_; #count]| {
            let [#(#capture_names),*] = #captured;
            #body
            (#value, [#(#grads),*])
        }
    }
}

/// A closure's body as a function of its own arguments and of the captured
/// variables in `active`, differentiated in reverse mode (with respect to its
/// differentiable arguments, then the captures). Inside it, each capture is
/// rebound to the parameter that carries it. Returns the statements, the
/// argument and capture parameter names, the value and the gradients.
fn differentiate_closure(
    closure: &Function,
    active: &[Var],
    span: Span,
) -> (TokenStream, Vec<Ident>, Vec<Ident>, Ident, Vec<Ident>) {
    let mut function = closure.clone();
    for var in active {
        function.refs.remove(var);
    }
    let capture_names: Vec<Ident> = (0..active.len())
        .map(|k| format_ident!("__capture{}", k, span = Span::mixed_site()))
        .collect();
    let first = function.params.len();
    for (k, var) in active.iter().enumerate() {
        function.params.push(Param {
            name: capture_names[k].clone(),
            ty: syn::parse_quote!(_),
            role: ArgRole::Differentiable,
        });
        function
            .body
            .insert(0, Stmt::new(*var, Op::Arg(first + k), span));
    }
    // Errors inside the closure were reported with the enclosing function's.
    let act = activity::analyse(&function, &mut Errors::default());
    let vjp = reverse::reverse(&function, &act, reverse::Seed::One);
    let param_names: Vec<Ident> = closure.params.iter().map(|p| p.name.clone()).collect();
    let names: Vec<Ident> = function.params.iter().map(|p| p.name.clone()).collect();
    let emitter = Emitter::new(&vjp.roles, names).with_refs(&function.refs);
    let (primal, adjoint) = (emitter.stmts(&vjp.primal), emitter.stmts(&vjp.adjoint));
    let value = emitter.var(vjp.value);
    let grads = vjp.grads.iter().map(|g| emitter.var(*g)).collect();
    (
        quote!(#primal #adjoint),
        param_names,
        capture_names,
        value,
        grads,
    )
}
