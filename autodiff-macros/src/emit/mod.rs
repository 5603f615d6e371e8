//! Emission: IR statements to tokens, in one place.
//!
//! Every statement becomes one flat `let`: large nested float expressions
//! have crashed rustc's LLVM at opt-level 3, and flat code is what a reader
//! of the expansion wants. Inactive primitives are written the way the user
//! wrote them (`a * b`, `x.sin()`, `f64::max(a, b)`); active ones call their
//! rule in the runtime, which rustc resolves for the operand types. Tokens
//! carry the span of the user code they came from, so a type error in
//! generated code points at the user's expression.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::Ident;

use crate::ir::{self, Callee, Op, OpaqueKind, Role, Stmt, StructLiteral, Var};
use crate::primitives::{Primitive, Spelling};

use closures::scalar_rule;

mod closures;
mod control;
mod dual;
mod uses;

pub use dual::{dual_type, dual_types, number_type, number_types};

pub use uses::Uses;

/// The path through which generated code reaches the runtime.
pub fn runtime() -> TokenStream {
    quote!(::autodiff::__private)
}

/// Names variables and turns statements into tokens.
pub struct Emitter<'a> {
    roles: &'a [Role],
    /// The parameter names in order (what `Op::Arg` reads).
    params: Vec<Ident>,
    /// What `Op::TangentIn` reads, by position among differentiable arguments.
    tangents_in: Vec<Ident>,
    /// What `Op::CotangentIn` reads.
    cotangent_in: Option<Ident>,
    /// The starting adjoints `Op::BufferIn` reads (the reverse pullback's parameters).
    buffers: Vec<Ident>,
    /// Variables holding a shared reference (see `Function::refs`).
    refs: HashSet<Var>,
    /// Where each variable is read (see [`Uses`]); without it nothing is moved.
    uses: Uses,
    /// The tapes of loops nested in recording loops: for each such loop's
    /// tape variable, the flat tape all its runs push onto (see
    /// [`Emitter::flat_tapes`]).
    flat: HashMap<Var, Ident>,
    /// The flat tapes that are fixed (see [`Emitter::fixed_tapes`]).
    flat_fixed: Vec<Ident>,
    /// In the second sweep (`emit::dual`), the values that are dual
    /// numbers, and the float type they are over.
    dual: Option<dual::Dual>,
}

impl<'a> Emitter<'a> {
    /// An emitter for a body whose variables have these roles.
    pub fn new(roles: &'a [Role], params: Vec<Ident>) -> Self {
        Emitter {
            roles,
            params,
            tangents_in: Vec::new(),
            cotangent_in: None,
            buffers: Vec::new(),
            refs: HashSet::new(),
            uses: Uses::default(),
            flat: HashMap::new(),
            flat_fixed: Vec::new(),
            dual: None,
        }
    }

    /// Lets values be given up to in-place operations (see [`Uses`]).
    pub fn with_uses(mut self, uses: Uses) -> Self {
        self.uses = uses;
        self
    }

    /// As [`with_uses`](Self::with_uses), in place.
    pub fn set_uses(&mut self, uses: Uses) {
        self.uses = uses;
    }

    /// Whether a primitive is `x[i] = v` on a container it may take over.
    fn assigns_in_place(&self, prim: &Primitive, args: &[Var], stmt: &Stmt) -> bool {
        prim.name == "set_index"
            && args
                .first()
                .is_some_and(|x| self.uses.movable(*x, stmt) && !self.refs.contains(x))
    }

    /// A variable given up to the in-place operation `stmt`: moved if
    /// nothing reads it again, else a copy.
    fn owned(&self, v: Var, stmt: &Stmt) -> TokenStream {
        let id = self.var(v);
        match self.uses.movable(v, stmt) && !self.refs.contains(&v) {
            true => quote!(#id),
            false => quote!(::core::clone::Clone::clone(&#id)),
        }
    }

    /// Marks the variables that hold shared references.
    pub fn with_refs(mut self, refs: &HashSet<Var>) -> Self {
        self.refs = refs.clone();
        self
    }

    /// A variable as a rule's operand: borrowed, unless it is a reference.
    /// Spanned on the user's expression, where a type error belongs.
    fn operand(&self, v: Var, span: Span) -> TokenStream {
        let mut id = self.var(v);
        // Reported at the user's expression, resolved as the macro's own name.
        id.set_span(id.span().located_at(span));
        match self.refs.contains(&v) {
            true => quote!(#id),
            false => quote!(&#id),
        }
    }

    /// Names the starting adjoints of an adjoint body.
    pub fn with_buffers(mut self, names: Vec<Ident>) -> Self {
        self.buffers = names;
        self
    }

    /// Names the tangent inputs of a forward body.
    pub fn with_tangents(mut self, names: Vec<Ident>) -> Self {
        self.tangents_in = names;
        self
    }

    /// Names the cotangent input of an adjoint body.
    pub fn with_cotangent(mut self, name: Ident) -> Self {
        self.cotangent_in = Some(name);
        self
    }

    /// The identifier of a variable.
    pub fn var(&self, v: Var) -> Ident {
        let role = self
            .roles
            .get(v.0 as usize)
            .copied()
            .unwrap_or(Role::Primal);
        ir::ident(v, role)
    }

    /// All statements, in order.
    pub fn stmts(&self, stmts: &[Stmt]) -> TokenStream {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        let span = stmt.span;
        let rt = runtime();
        let ty = self.annotation(stmt);
        let name = |slot: &Option<Var>| match slot {
            Some(v) => {
                let id = self.var(*v);
                quote!(#id)
            }
            None => quote!(_),
        };
        let def = stmt.defs.first().map(name).unwrap_or_else(|| quote!(_));
        let annotated = match &ty {
            Some(ty) => quote!(#def: #ty),
            None => def.clone(),
        };
        match &stmt.op {
            Op::Arg(i) => {
                let p = self.param(&self.params, *i, span);
                quote_spanned!(span=> let #annotated = #p;)
            }
            Op::Opaque { expr, uses, kind } => {
                let expr = match kind {
                    OpaqueKind::Kept => expr.to_token_stream(),
                    _ => self.opaque(expr, uses),
                };
                quote_spanned!(span=> let #annotated = #expr;)
            }
            Op::Prim {
                callee: Callee::FromFn(from_fn),
                ..
            } => {
                let call = self.build_from_fn(from_fn, &[], None, span);
                quote_spanned!(span=> let #annotated = #call.0;)
            }
            // `x[i] = v` on a container nothing reads again: in place.
            Op::Prim { prim, args, .. } if self.assigns_in_place(prim, args, stmt) => {
                let x = self.owned_container(args[0], stmt);
                let rest = &self.rule_operands(prim, args, stmt.def(), span)[1..];
                quote_spanned!(span=> let #annotated = #rt::rules::set_index_owned(#x, #(#rest),*).0;)
            }
            Op::Prim { prim, args, .. } if self.through_rule(prim, stmt) => {
                let rule = Ident::new(prim.name, span);
                let args = self.rule_operands(prim, args, stmt.def(), span);
                quote_spanned!(span=> let #annotated = #rt::rules::#rule(#(#args),*).0;)
            }
            Op::Prim { prim, args, .. }
                if prim.spelling == Spelling::ArrayLiteral && self.dual_array(args).is_some() =>
            {
                let array = self.dual_array(args);
                quote_spanned!(span=> let #annotated = #array;)
            }
            Op::Prim { prim, args, callee } => {
                let vars = args;
                let args: Vec<Ident> = args.iter().map(|a| self.var(*a)).collect();
                let value = plain_call(prim, &args, callee, span);
                let value = self.on_values(vars, stmt, value.clone()).unwrap_or(value);
                quote_spanned!(span=> let #annotated = #value;)
            }
            Op::PushRule {
                args,
                tangents,
                callee,
                ..
            } => {
                let tangent = stmt.defs.get(1).map(name).unwrap_or_else(|| quote!(_));
                let call = self.closure_jvp(args, tangents, callee, span);
                quote_spanned!(span=> let (#def, #tangent) = #call;)
            }
            // A clone, not a move: the source may be used again (free for `Copy` types).
            // Out of a reference (`*a`), the value it refers to.
            Op::Copy(src)
                if self.refs.contains(src)
                    && !stmt.def().is_some_and(|d| self.refs.contains(&d)) =>
            {
                let src = self.var(*src);
                quote_spanned!(span=> let #annotated = ::core::clone::Clone::clone(#src);)
            }
            // An adjoint passed on (`reverse::in_place`): moved where it is
            // read for the last time, as the statement it replaces would.
            Op::Copy(src) if self.roles.get(src.0 as usize) == Some(&Role::Adjoint) => {
                let src = self.owned(*src, stmt);
                quote_spanned!(span=> let #annotated = #src;)
            }
            Op::Copy(src) => {
                let src = self.var(*src);
                quote_spanned!(span=> let #annotated = ::core::clone::Clone::clone(&#src);)
            }
            Op::Rule { prim, args, .. } => {
                let rule = Ident::new(prim.name, span);
                let args = self.rule_operands(prim, args, stmt.def(), span);
                let partials = stmt.defs[1..].iter().map(name);
                // Rules take their arguments by reference; an array literal's
                // rule takes an array of references and returns an array of partials.
                let (call, partials) = match (prim.spelling, callee_of(stmt)) {
                    // The operand's last read: given up to the rule.
                    _ if prim.owned
                        && args_of(stmt).first().is_some_and(|a| {
                            self.uses.movable(*a, stmt) && !self.refs.contains(a)
                        }) =>
                    {
                        let x = self.owned(args_of(stmt)[0], stmt);
                        let owned = format_ident!("{}_owned", prim.name, span = span);
                        (
                            quote_spanned!(span=> #rt::rules::#owned(#x)),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::Lowered, _) if self.assigns_in_place(prim, &args_of(stmt), stmt) => {
                        let vars = args_of(stmt);
                        let x = self.owned_container(vars[0], stmt);
                        let rest = self
                            .rule_operands(prim, &vars, stmt.def(), span)
                            .split_off(1);
                        (
                            quote_spanned!(span=> #rt::rules::set_index_owned(#x, #(#rest),*)),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::ArrayLiteral, _) => (
                        quote_spanned!(span=> #rt::rules::#rule([#(#args),*])),
                        quote!([#(#partials),*]),
                    ),
                    (Spelling::TupleLiteral, _) => {
                        let rule = format_ident!("tuple{}", stmt.defs.len() - 1, span = span);
                        (
                            quote_spanned!(span=> #rt::rules::#rule((#(#args,)*))),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::Map, Some(Callee::Map(f))) => {
                        // The mapped value, then the captures a derivative
                        // flows through (those with a partial slot).
                        let vars: Vec<Var> = args_of(stmt);
                        let active: Vec<Var> = vars[1..]
                            .iter()
                            .zip(&stmt.defs[2..])
                            .filter(|(_, slot)| slot.is_some())
                            .map(|(v, _)| *v)
                            .collect();
                        let call = self.build_map(f, vars[0], &active, None, span);
                        let p_x = name(&stmt.defs[1]);
                        let p_captures = stmt.defs[2..].iter().flatten().map(|v| self.var(*v));
                        (call, quote!((#p_x, [#(#p_captures),*])))
                    }
                    (Spelling::Fill, Some(Callee::Path(path))) => {
                        let vars = args_of(stmt);
                        let x = self.operand(vars[0], span);
                        let sizes = vars[1..].iter().map(|v| self.var(*v));
                        let element = Ident::new("__element", Span::mixed_site());
                        (
                            quote_spanned!(span=> #rt::rules::from_element(#x, |#element| #path(#(#sizes,)* #element))),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::FromFn, Some(Callee::FromFn(from_fn))) => {
                        let vars = args_of(stmt);
                        let active: Vec<Var> = vars
                            .iter()
                            .zip(&stmt.defs[1..])
                            .filter(|(_, slot)| slot.is_some())
                            .map(|(v, _)| *v)
                            .collect();
                        let call = self.build_from_fn(from_fn, &active, None, span);
                        let p_captures = stmt.defs[1..].iter().flatten().map(|v| self.var(*v));
                        (call, quote!([#(#p_captures),*]))
                    }
                    (Spelling::Construct, Some(Callee::Path(convert))) => (
                        quote_spanned!(span=> #rt::rules::from_array(#(#args),*, #convert)),
                        quote!((#(#partials,)*)),
                    ),
                    (Spelling::FixedSlice, Some(Callee::Turbofish(generics))) => {
                        let generics = &generics.args;
                        (
                            quote_spanned!(span=> #rt::rules::#rule::<#generics, _>(#(#args),*)),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::Field, Some(Callee::Member(syn::Member::Unnamed(k)))) => (
                        quote_spanned!(span=> #rt::rules::field::<#k, _>(#(#args),*)),
                        quote!((#(#partials,)*)),
                    ),
                    (Spelling::Field, Some(Callee::Member(m))) => {
                        let field = accessors(m, span);
                        (
                            quote_spanned!(span=> #rt::rules::member(#(#args,)* #field)),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::SetField, Some(Callee::Member(m))) => {
                        let field = accessors(m, span);
                        (
                            quote_spanned!(span=> #rt::rules::set_member(#(#args,)* #field)),
                            quote!((#(#partials,)*)),
                        )
                    }
                    (Spelling::StructLiteral, Some(Callee::Struct(literal))) => {
                        let values: Vec<TokenStream> = args
                            .iter()
                            .map(|a| quote_spanned!(span=> ::core::clone::Clone::clone(#a)))
                            .collect();
                        let literal = &self.dual_literal(literal, stmt);
                        let value = struct_value(literal, &values, span);
                        let zero = Ident::new("__zero", Span::mixed_site());
                        let slots = literal.fields.iter().map(|m| {
                            let field = accessors(m, span);
                            quote_spanned!(span=> #rt::rules::slot(#zero, #field))
                        });
                        let rest = literal.base.then(|| {
                            let (s, z) = (
                                Ident::new("__s", Span::mixed_site()),
                                Ident::new("__z", Span::mixed_site()),
                            );
                            let fields = &literal.fields;
                            quote_spanned!(span=> #rt::rules::rest(#zero, |#s: &mut _, #z: &_| {
                                #(#s.#fields = ::core::clone::Clone::clone(&#z.#fields);)*
                            }))
                        });
                        (
                            quote_spanned!(span=> #rt::rules::structure(#value, |#zero| (#(#slots,)* #rest))),
                            quote!((#(#partials,)*)),
                        )
                    }
                    _ => (
                        quote_spanned!(span=> #rt::rules::#rule(#(#args),*)),
                        quote!((#(#partials,)*)),
                    ),
                };
                let pattern = quote!((#def, #partials));
                let pattern = match ty {
                    Some(ty) => quote!(#pattern: (#ty, _)),
                    None => pattern,
                };
                quote_spanned!(span=> let #pattern = #call;)
            }
            Op::TangentIn(k) => {
                let t = self.param(&self.tangents_in, *k, span);
                quote_spanned!(span=> let #def = #t;)
            }
            Op::CotangentIn => {
                let c = self
                    .cotangent_in
                    .clone()
                    .unwrap_or_else(|| Ident::new("cotangent", span));
                quote_spanned!(span=> let #def = #c;)
            }
            Op::BufferIn(k) => {
                let buffer = self.param(&self.buffers, *k, span);
                quote_spanned!(span=> let #def = #buffer;)
            }
            Op::Seed(v) => {
                let v = self.var(*v);
                quote_spanned!(span=> let #def = #rt::linear::seed(&#v);)
            }
            Op::Zero(v) => {
                let v = self.var(*v);
                quote_spanned!(span=> let #def = #rt::linear::zero_like(&#v);)
            }
            Op::Push { terms } => {
                // Up to three terms a call; more (an array literal's
                // elements) add up chunk by chunk, one flat `let` each.
                let chunks = terms.chunks(3).map(|chunk| {
                    let args = chunk.iter().map(|(p, t)| {
                        let (p, t) = (self.var(*p), self.var(*t));
                        quote!(&#p, &#t)
                    });
                    let push = format_ident!("{}", ["push", "push2", "push3"][chunk.len() - 1]);
                    quote!(#rt::linear::#push(#(#args),*))
                });
                chunks
                    .enumerate()
                    .map(|(k, sum)| match k {
                        0 => quote_spanned!(span=> let #def = #sum;),
                        _ => quote_spanned!(span=> let #def = #rt::linear::accumulate(#def, #sum);),
                    })
                    .collect()
            }
            Op::Pull {
                partial,
                adjoint,
                onto,
            } => {
                let (p, g) = (self.var(*partial), self.var(*adjoint));
                // The cotangent's last read gives it up (a matrix adjoint
                // passed through `+` is then moved, not copied).
                let owned = self.uses.movable(*adjoint, stmt) && !self.refs.contains(adjoint);
                match (onto, owned) {
                    (None, false) => quote_spanned!(span=> let #def = #rt::linear::pull(&#p, &#g);),
                    (None, true) => {
                        quote_spanned!(span=> let #def = #rt::linear::pull_owned(&#p, #g);)
                    }
                    (Some(acc), false) => {
                        let acc = self.var(*acc);
                        quote_spanned!(span=> let #def = #rt::linear::pull_add(&#p, &#g, #acc);)
                    }
                    (Some(acc), true) => {
                        let acc = self.var(*acc);
                        quote_spanned!(span=> let #def = #rt::linear::pull_add_owned(&#p, #g, #acc);)
                    }
                }
            }
            Op::PullInto {
                partial,
                adjoint,
                acc,
            } => {
                let (p, g, acc) = (self.var(*partial), self.var(*adjoint), self.var(*acc));
                quote_spanned!(span=> let #def = #rt::linear::pull_into(&#p, &#g, #acc);)
            }
            Op::Accumulate(a, b) => {
                let (a, b) = (self.var(*a), self.var(*b));
                quote_spanned!(span=> let #def = #rt::linear::accumulate(#a, #b);)
            }
            Op::Call(c) => self.call(stmt, c),
            Op::PushSet {
                partial,
                container,
                value,
            } => {
                let (p, t) = (self.var(*partial), self.owned(*container, stmt));
                match value {
                    Some(v) => {
                        let v = self.var(*v);
                        quote_spanned!(span=> let #def = #rt::rules::push_set(&#p, #t, &#v);)
                    }
                    None => quote_spanned!(span=> let #def = #rt::rules::push_zero_at(&#p, #t);),
                }
            }
            Op::PullSet {
                partial,
                adjoint,
                keep,
            } => {
                let (p, g) = (self.var(*partial), self.owned(*adjoint, stmt));
                let defs = stmt.defs.iter().map(name);
                let rule = match keep {
                    true => quote!(pull_kept),
                    false => quote!(pull_set),
                };
                quote_spanned!(span=> let (#(#defs,)*) = #rt::rules::#rule(&#p, #g);)
            }
            Op::PushCall {
                map,
                tangents,
                array_lens,
            } => {
                let map = self.var(*map);
                let slots = tangents.iter().zip(array_lens).map(|(t, len)| match t {
                    Some(t) => {
                        let t = self.var(*t);
                        let t = quote!(::core::clone::Clone::clone(&#t));
                        let t = coerced(t, len.is_some());
                        quote!(::core::option::Option::Some(#t))
                    }
                    None => quote!(::core::option::Option::None),
                });
                quote_spanned!(span=> let #def = #map((#(#slots,)*));)
            }
            Op::PullCall {
                map,
                adjoint,
                starts,
                array_lens,
            } => {
                let (map, g) = (self.var(*map), self.var(*adjoint));
                let starts = starts
                    .iter()
                    .zip(array_lens)
                    .map(|(start, len)| match start {
                        Some(acc) => {
                            let acc = coerced(self.owned(*acc, stmt), len.is_some());
                            quote!(::core::option::Option::Some(#acc))
                        }
                        None => quote!(::core::option::Option::None),
                    });
                // A cotangent the callee gives as a `Vec` (it takes a
                // slice) becomes the caller's array again.
                let mut back = Vec::new();
                let defs: Vec<TokenStream> = stmt
                    .defs
                    .iter()
                    .zip(array_lens)
                    .map(|(d, len)| match (d, len) {
                        (Some(d), Some(len)) => {
                            let (var, raw) =
                                (self.var(*d), format_ident!("{}_slice", self.var(*d)));
                            let rt = runtime();
                            back.push(quote!(let #var: [_; #len] = #rt::linear::coerce(#raw);));
                            quote!(#raw)
                        }
                        (d, _) => name(d),
                    })
                    .collect();
                quote_spanned!(span=> let (#(#defs,)*) = #map(::core::clone::Clone::clone(&#g), (#(#starts,)*)); #(#back)*)
            }
            Op::Branch(b) => self.branch(stmt, b),
            Op::Loop(l) => self.loop_(stmt, l),
        }
    }

    fn param(&self, names: &[Ident], i: usize, span: Span) -> Ident {
        names
            .get(i)
            .cloned()
            .unwrap_or_else(|| Ident::new("__missing", span))
    }
}

/// The arguments of a `Rule` statement.
fn args_of(stmt: &Stmt) -> Vec<Var> {
    match &stmt.op {
        Op::Rule { args, .. } | Op::Prim { args, .. } => args.clone(),
        _ => Vec::new(),
    }
}

/// The callee a `Rule` statement's primitive had (kept on `Op::Rule`).
fn callee_of(stmt: &Stmt) -> Option<&Callee> {
    match &stmt.op {
        Op::Rule { callee, .. } => Some(callee),
        _ => None,
    }
}

/// A primitive written as plain Rust, as the user would.
fn plain_call(prim: &Primitive, args: &[Ident], callee: &Callee, span: Span) -> TokenStream {
    if let Spelling::Operator(op) = prim.spelling {
        // The table's operator text is one of `+ - * /`, which always parses.
        let op = respan(op.parse().unwrap_or_default(), span);
        match args {
            [a] => return quote_spanned!(span=> #op #a),
            [a, b] => return quote_spanned!(span=> #a #op #b),
            _ => {}
        }
    }
    match prim.spelling {
        Spelling::Lowered => {
            let rt = runtime();
            let rule = Ident::new(prim.name, span);
            return quote_spanned!(span=> #rt::rules::#rule(#(&#args),*).0);
        }
        Spelling::Index => {
            if let [x, i] = args {
                return quote_spanned!(span=> #x[#i]);
            }
        }
        Spelling::ArrayLiteral => return quote_spanned!(span=> [#(#args),*]),
        Spelling::TupleLiteral => return quote_spanned!(span=> (#(#args,)*)),
        // Blocks are owned values in differentiated code, active or not.
        Spelling::Slice => {
            if let [x, rest @ ..] = args {
                let method = Ident::new(prim.name, span);
                return quote_spanned!(span=> #x.#method(#(#rest),*).into_owned());
            }
        }
        Spelling::FixedSlice => {
            if let (Callee::Turbofish(generics), [x, rest @ ..]) = (callee, args) {
                let method = Ident::new(prim.name, span);
                return quote_spanned!(span=> #x.#method::#generics(#(#rest),*).into_owned());
            }
        }
        Spelling::Fill => {
            if let (Callee::Path(path), [x, sizes @ ..]) = (callee, args) {
                return quote_spanned!(span=> #path(#(#sizes,)* #x));
            }
        }

        Spelling::Map => {
            if let (Callee::Map(f), [x, ..]) = (callee, args) {
                let (rt, rule) = (runtime(), scalar_rule(f, &[], span));
                return quote_spanned!(span=> #rt::rules::map(&#x, [], #rule).0);
            }
        }
        Spelling::Field => {
            if let (Callee::Member(m), [t]) = (callee, args) {
                return quote_spanned!(span=> ::core::clone::Clone::clone(&#t.#m));
            }
        }
        Spelling::SetField => {
            if let (Callee::Member(m), [c, v]) = (callee, args) {
                let s = Ident::new("__s", Span::mixed_site());
                return quote_spanned!(span=> {
                    let mut #s = ::core::clone::Clone::clone(&#c);
                    #s.#m = ::core::clone::Clone::clone(&#v);
                    #s
                });
            }
        }
        Spelling::StructLiteral => {
            if let Callee::Struct(literal) = callee {
                let values: Vec<TokenStream> = args
                    .iter()
                    .map(|a| quote_spanned!(span=> ::core::clone::Clone::clone(&#a)))
                    .collect();
                return struct_value(literal, &values, span);
            }
        }
        _ => {}
    }
    let method = Ident::new(prim.method, span);
    match (callee, args) {
        (Callee::Path(path), _) => quote_spanned!(span=> #path(#(#args),*)),
        (_, [receiver, rest @ ..]) if prim.by_ref => {
            quote_spanned!(span=> #receiver.#method(#(&#rest),*))
        }
        (_, [receiver, rest @ ..]) => quote_spanned!(span=> #receiver.#method(#(#rest),*)),
        (_, []) => quote_spanned!(span=> #method()),
    }
}

/// `value` through `linear::coerce` where `array` says the call's argument
/// is an array that the callee may take as a slice.
fn coerced(value: TokenStream, array: bool) -> TokenStream {
    match array {
        true => {
            let rt = runtime();
            quote!(#rt::linear::coerce(#value))
        }
        false => value,
    }
}

/// The name of field `m` of a struct or tuple and the closures that reach
/// it (`|s| &s.m` and `|s| &mut s.m`), for the rules in `rules::structs`;
/// rustc infers the closures' types from the rule's other arguments.
fn accessors(m: &syn::Member, span: Span) -> TokenStream {
    let s = Ident::new("__s", Span::mixed_site());
    let name = crate::derive::member_name(m);
    quote_spanned!(span=> #name, |#s| &#s.#m, |#s| &mut #s.#m)
}

/// A struct literal's value from its fields' values (and the base's, last).
fn struct_value(literal: &StructLiteral, values: &[TokenStream], span: Span) -> TokenStream {
    let path = &literal.path;
    let (fields, base) = values.split_at(literal.fields.len());
    if literal.call {
        return quote_spanned!(span=> #path(#(#fields),*));
    }
    let members = &literal.fields;
    let base = base.first().map(|b| quote!(..#b));
    quote_spanned!(span=> #path { #(#members: #fields,)* #base })
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect()
}
