//! Emission of calls, branches and loops: structured statements whose
//! regions become blocks yielding tuples, and the records and tapes that
//! recording sweeps keep for their replays.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::{runtime, Emitter};
use crate::ir::{self, Stmt, Var};

impl Emitter<'_> {
    /// Declares one flat tape for each recording loop nested in another or
    /// in a branch, to come before `primal`: every run of such a
    /// loop pushes onto it, and its tape variable holds a `tape::Run`
    /// instead of a tape of its own. So nested loops allocate one tape per
    /// loop and call, not one per iteration of the loops around them. The
    /// flat tape is fixed when every enclosing tape is (its capacity is the
    /// product of theirs and the loop's own), growable otherwise.
    pub fn flat_tapes(&mut self, primal: &[Stmt]) -> TokenStream {
        let mut decls = Vec::new();
        self.visit_nested(primal, None, &mut decls);
        quote!(#(#decls)*)
    }

    /// Whether a fixed tape of `primal` overflowed, as one `bool`
    /// expression: its flat fixed tapes (declared by [`Emitter::flat_tapes`],
    /// called first: those of loops inside loops or branches) and the fixed
    /// tapes of its loops at the top level. That is every fixed tape but
    /// those sized by a container's type, which cannot overflow.
    pub fn overflowed(&self, primal: &[Stmt]) -> TokenStream {
        let rt = runtime();
        let top = primal.iter().filter_map(|s| match &s.op {
            ir::Op::Loop(l) if matches!(l.tape, Some(ir::TapeKind::Fixed(_))) => {
                let var = s.defs.last().copied().flatten()?;
                (!self.flat.contains_key(&var)).then(|| self.var(var))
            }
            _ => None,
        });
        let tapes: Vec<Ident> = self.flat_fixed.iter().cloned().chain(top).collect();
        quote!(false #(| #rt::tape::overflowed(&#tapes))*)
    }

    /// `enclosing`: `None` outside recording loops; inside, the records one
    /// iteration of the innermost may need, `Some(None)` when unbounded.
    fn visit_nested(
        &mut self,
        stmts: &[Stmt],
        enclosing: Option<Option<usize>>,
        decls: &mut Vec<TokenStream>,
    ) {
        let rt = runtime();
        for stmt in stmts {
            match &stmt.op {
                ir::Op::Branch(b) => {
                    // A loop inside a branch records onto a flat tape too
                    // (its arm's record holds a `Run`): then the primal
                    // sweep can ask every fixed tape whether it overflowed.
                    for arm in &b.arms {
                        self.visit_nested(&arm.body, enclosing.or(Some(Some(1))), decls);
                    }
                }
                ir::Op::Loop(l) => {
                    let Some(kind) = &l.tape else { continue };
                    let own = match kind {
                        ir::TapeKind::Fixed(n) => Some(*n),
                        ir::TapeKind::Growable => None,
                        // Sized by a type: its own tape in each enclosing
                        // record, and loops inside start afresh.
                        ir::TapeKind::OfContainer(_) => {
                            self.visit_nested(&l.body.body, None, decls);
                            continue;
                        }
                    };
                    let total = match enclosing {
                        None => own,
                        Some(outer) => outer.zip(own).map(|(a, b)| a.saturating_mul(b)),
                    };
                    if enclosing.is_some() {
                        if let Some(var) = stmt.defs.last().copied().flatten() {
                            let name = format_ident!("__tape{}", var.0, span = Span::mixed_site());
                            decls.push(match total {
                                _ if l.body.record.is_empty() => {
                                    quote!(let mut #name = #rt::tape::Counter::new();)
                                }
                                Some(n) => {
                                    self.flat_fixed.push(name.clone());
                                    quote!(let mut #name = #rt::tape::Fixed::<_, #n>::new();)
                                }
                                None => quote!(let mut #name = #rt::tape::Growable::new();),
                            });
                            self.flat.insert(var, name);
                        }
                    }
                    self.visit_nested(&l.body.body, Some(total), decls);
                }
                _ => {}
            }
        }
    }

    /// A call: plain, or the callee's value and linear map (boxed when the
    /// function calls itself, since an `impl Fn` cannot contain itself).
    pub(super) fn call(&self, stmt: &Stmt, c: &ir::Call) -> TokenStream {
        let span = stmt.span;
        let path = &c.path;
        let args = c.args.iter().zip(&c.borrowed).map(|(a, borrowed)| {
            let id = self.var(*a);
            match (borrowed, self.refs.contains(a)) {
                (true, false) => quote!(&#id),
                _ => quote!(::core::clone::Clone::clone(&#id)),
            }
        });
        let defs: Vec<TokenStream> = stmt
            .defs
            .iter()
            .map(|d| match d {
                Some(v) => {
                    let v = self.var(*v);
                    quote!(#v)
                }
                None => quote!(_),
            })
            .collect();
        let function = match c.mode {
            ir::CallMode::Plain => {
                let def = &defs[0];
                let args = self.plain_call_args(c, args.collect());
                return quote_spanned!(span=> let #def = #path(#(#args),*););
            }
            ir::CallMode::Linearize => format_ident!("__linearize_call", span = span),
            // The second sweep calls the callee's over dual numbers.
            ir::CallMode::Vjp if self.dual.is_some() => {
                format_ident!("__hvp_vjp_call", span = span)
            }
            ir::CallMode::Vjp => format_ident!("__vjp_call", span = span),
        };
        let boxed = c.recursive.then(|| {
            let rt = runtime();
            let map = &defs[1];
            let boxed = match c.mode {
                ir::CallMode::Vjp => quote!(dyn Fn(_, _) -> _),
                _ => quote!(dyn Fn(_) -> _),
            };
            quote_spanned!(span=> let #map: #rt::Box<#boxed> = #rt::Box::new(#map);)
        });
        quote_spanned! {span=>
            let (#(#defs),*) = #path::#function(#(#args),*);
            #boxed
        }
    }

    /// `let (defs..) = if/match { arm => { body; (yields..) } .. };`
    pub(super) fn branch(&self, stmt: &Stmt, b: &ir::Branch) -> TokenStream {
        let span = stmt.span;
        let defs = stmt.defs.iter().map(|d| match d {
            Some(v) => {
                let v = self.var(*v);
                quote!(#v)
            }
            None => quote!(_),
        });
        let n = b.arms.len();
        let arms: Vec<TokenStream> = b
            .arms
            .iter()
            .enumerate()
            .map(|(k, arm)| {
                let body = self.stmts(&arm.body);
                let values = self.yields(arm, false, stmt as *const Stmt as usize);
                let mut values = self.promote_into(values, &arm.yields, &stmt.defs);
                if b.recorded {
                    let record = self.record_values(arm, false);
                    values.push(wrap_record(quote!((#(#record,)*)), k, n, false));
                }
                quote!({ #body (#(#values,)*) })
            })
            .collect();
        let value = match &b.choice {
            ir::Choice::If(cond) => {
                let cond = self.var(*cond);
                let (then, otherwise) = (&arms[0], arms.get(1).cloned().unwrap_or_default());
                quote_spanned!(span=> if #cond #then else #otherwise)
            }
            ir::Choice::Match {
                scrutinee,
                arms: pats,
            } => {
                let scrutinee = self.var(*scrutinee);
                let cases = pats.iter().zip(&arms).map(|(p, body)| {
                    let pat = &p.pat;
                    let guard = p.guard.as_ref().map(|g| quote!(if #g));
                    quote!(#pat #guard => #body)
                });
                // Patterns that bind nothing match a borrow, so the scrutinee
                // need not be `Clone`; bindings get values, as in the original.
                match pats.iter().all(|p| p.binds.is_empty()) {
                    true => quote_spanned!(span=> match &#scrutinee { #(#cases)* }),
                    false => {
                        quote_spanned!(span=> match ::core::clone::Clone::clone(&#scrutinee) { #(#cases)* })
                    }
                }
            }
            ir::Choice::Replay(record) => {
                let record = self.var(*record);
                let cases = b
                    .arms
                    .iter()
                    .zip(&arms)
                    .enumerate()
                    .map(|(k, (arm, body))| {
                        let names = arm.record.iter().map(|v| self.var(*v));
                        let pattern = wrap_record(quote!((#(#names,)*)), k, n, true);
                        // As in a loop's replay: the values opaque code reads
                        // as locals (a counter a loop inside rebuilds from).
                        let locals = self.opaque_locals(arm);
                        quote!(#pattern => { #(#locals)* #body })
                    });
                quote_spanned! {span=>
                    match &#record {
                        #(#cases)*
                        _ => ::core::unreachable!("autodiff: a branch record names no arm"),
                    }
                }
            }
        };
        quote_spanned!(span=> let (#(#defs,)*) = #value;)
    }

    /// A loop: carried variables as `let mut`, the body assigning their next
    /// values; a recording loop pushes each iteration's record on its tape.
    pub(super) fn loop_(&self, stmt: &Stmt, l: &ir::Loop) -> TokenStream {
        let span = stmt.span;
        let rt = runtime();
        let carried: Vec<Ident> = l.carried.iter().map(|v| self.var(*v)).collect();
        // An initial value read nowhere after the loop is moved into it
        // (a threaded adjoint `Vec`, say), not copied.
        let inits: Vec<TokenStream> = l
            .inits
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let once = !l.inits[..k].contains(v) && !l.inits[k + 1..].contains(v);
                match once {
                    true => self.owned(*v, stmt),
                    false => {
                        let id = self.var(*v);
                        quote!(::core::clone::Clone::clone(&#id))
                    }
                }
            })
            .collect();
        let targets: Vec<Option<Var>> = l.carried.iter().map(|c| Some(*c)).collect();
        let inits = self.promote_into(inits, &l.inits, &targets);
        let tape_var = l
            .tape
            .as_ref()
            .and_then(|_| stmt.defs.last().copied().flatten());
        let tape = tape_var.map(|v| self.var(v));
        let flat = tape_var.and_then(|v| self.flat.get(&v));
        let start = Ident::new("__start", Span::mixed_site());
        let tape_init = match (&l.tape, &tape) {
            // A run on the flat tape: where it starts, and room for it.
            (Some(_), Some(_)) if flat.is_some() => {
                let reserve = match &l.kind {
                    ir::LoopKind::For { iter, .. } => {
                        let iter = self.var(*iter);
                        quote!(#flat.reserve(::core::iter::Iterator::size_hint(&#iter).0);)
                    }
                    _ => TokenStream::new(),
                };
                quote_spanned!(span=> #reserve let #start = #flat.len();)
            }
            // Empty records: a count is the whole tape.
            (Some(_), Some(t)) if l.body.record.is_empty() => {
                quote_spanned!(span=> let mut #t = #rt::tape::Counter::new();)
            }
            (Some(ir::TapeKind::Fixed(n)), Some(t)) => {
                quote_spanned!(span=> let mut #t = #rt::tape::Fixed::<_, #n>::new();)
            }
            (Some(ir::TapeKind::OfContainer(c)), Some(t)) => {
                let c = self.operand(*c, span);
                let reserve = match &l.kind {
                    ir::LoopKind::For { iter, .. } => {
                        let iter = self.var(*iter);
                        quote!(#t.reserve(::core::iter::Iterator::size_hint(&#iter).0);)
                    }
                    _ => TokenStream::new(),
                };
                quote_spanned!(span=> let mut #t = #rt::tape::sized_like(#c); #reserve)
            }
            (Some(ir::TapeKind::Growable), Some(t)) => {
                // A `for` loop's iterator says how many records may come.
                match &l.kind {
                    ir::LoopKind::For { iter, .. } => {
                        let iter = self.var(*iter);
                        quote_spanned!(span=> let mut #t = #rt::tape::Growable::for_iterations(::core::iter::Iterator::size_hint(&#iter).0);)
                    }
                    _ => quote_spanned!(span=> let mut #t = #rt::tape::Growable::new();),
                }
            }
            _ => TokenStream::new(),
        };
        let push = match (&l.tape, &tape) {
            (Some(_), Some(t)) => {
                let record = self.record_values(&l.body, true);
                let t = flat.unwrap_or(t);
                quote!(#t.push((#(#record,)*));)
            }
            _ => TokenStream::new(),
        };
        let next = Ident::new("__next", Span::mixed_site());
        let body = self.stmts(&l.body.body);
        let values = self.yields(&l.body, true, &l.body as *const ir::Region as usize);
        let values = self.promote_into(values, &l.body.yields, &targets);
        let assigns = carried.iter().enumerate().map(|(k, c)| {
            let k = syn::Index::from(k);
            quote!(#c = #next.#k;)
        });
        let exit = l.breaks.then(|| {
            let k = syn::Index::from(l.carried.len());
            quote!(if #next.#k { break; })
        });
        let iteration = quote! {
            #body
            #push
            let #next = (#(#values,)*);
            #(#assigns)*
            #exit
        };
        let looped = match &l.kind {
            ir::LoopKind::For { iter, item } => {
                let (iter, item) = (self.var(*iter), self.var(*item));
                quote_spanned!(span=> for #item in #iter { #iteration })
            }
            ir::LoopKind::While(cond) => {
                let cond_body = self.stmts(&cond.body);
                let value = cond.yields.first().map(|v| self.var(*v));
                quote_spanned!(span=> loop { #cond_body if !#value { break; } #iteration })
            }
            ir::LoopKind::Forever => quote_spanned!(span=> loop { #iteration }),
            ir::LoopKind::Replay {
                tape,
                backwards,
                position,
            } => {
                // The records first to last: a run of a flat tape, or the
                // loop's own tape (a method call, so that one kept in an
                // enclosing record is read through its borrow); numbered
                // (`(position, record)`) where the replay rebuilds counters
                // from the position; last to first for the adjoint sweep.
                let id = self.var(*tape);
                let mut records = match self.flat.get(tape) {
                    Some(flat) => quote!(#flat.run(#id)),
                    None => quote!(#id.iter()),
                };
                if position.is_some() {
                    records = quote!(#records.enumerate());
                }
                if *backwards {
                    records = quote!(#records.rev());
                }
                let record = Ident::new("__record", Span::mixed_site());
                let record_pattern = match position {
                    Some(p) => {
                        let p = self.var(*p);
                        quote!((#p, #record))
                    }
                    None => quote!(#record),
                };
                let names = l.body.record.iter().map(|v| self.var(*v));
                let locals = self.opaque_locals(&l.body);
                quote_spanned! {span=>
                    for #record_pattern in #records {
                        let (#(#names,)*) = #record;
                        #(#locals)*
                        #iteration
                    }
                }
            }
        };
        let defs = stmt.defs.iter().map(|d| match d {
            Some(v) => {
                let v = self.var(*v);
                quote!(#v)
            }
            None => quote!(_),
        });
        let finals = carried
            .iter()
            .map(|c| quote!(#c))
            .chain(tape.iter().map(|t| match flat {
                Some(flat) => quote!(#flat.since(#start)),
                None => quote!(#t),
            }));
        quote_spanned! {span=>
            #tape_init
            #(let mut #carried = #inits;)*
            #looped
            let (#(#defs,)*) = (#(#finals,)*);
        }
    }

    /// What a region yields: its own variables moved, and so are outer ones
    /// read last here (see `Uses::yielded`; `key` is what stands for this
    /// yield), anything else cloned. A variable yielded twice is moved at
    /// its last place only. In a loop body the record was pushed first.
    fn yields(&self, region: &ir::Region, record_first: bool, key: usize) -> Vec<TokenStream> {
        let own = own_vars(region);
        region
            .yields
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let id = self.var(*v);
                let in_record = region.record.contains(v);
                let last_place = !region.yields[k + 1..].contains(v);
                let given_up = own.contains(v) || self.uses.yielded(*v, key);
                match given_up && (record_first || !in_record) && last_place {
                    true => quote!(#id),
                    false => quote!(::core::clone::Clone::clone(&#id)),
                }
            })
            .collect()
    }

    /// The values of a region's record: moved when the region defines them
    /// and nothing else takes them.
    fn record_values(&self, region: &ir::Region, record_first: bool) -> Vec<TokenStream> {
        let own = own_vars(region);
        region
            .record
            .iter()
            .map(|v| {
                let id = self.var(*v);
                let yielded = region.yields.contains(v);
                match own.contains(v) && !(record_first && yielded) {
                    true => quote!(#id),
                    false => quote!(::core::clone::Clone::clone(&#id)),
                }
            })
            .collect()
    }

    /// The values of a replayed record that opaque code reads (the indices
    /// rebuilt partials read, `at(i)`, see `tape::rebuilt_partial`, and
    /// the counters of `rebuild`) or a primitive `rebuild` computes again
    /// reads, copied once into locals: read through
    /// the record's reference at each use, LLVM reloads them after every
    /// store into an adjoint it cannot tell apart from the tape (it did so
    /// once the sweep was generic, and Rosenbrock's gradient lost 15%).
    fn opaque_locals(&self, region: &ir::Region) -> Vec<TokenStream> {
        let indices = opaque_uses(&region.body);
        region
            .record
            .iter()
            .filter(|v| indices.contains(v))
            .map(|v| {
                let id = self.var(*v);
                quote!(let #id = ::core::clone::Clone::clone(#id);)
            })
            .collect()
    }
}

/// The variables a region's own statements define (at its top level).
fn own_vars(region: &ir::Region) -> HashSet<Var> {
    region
        .body
        .iter()
        .flat_map(|s| s.defs.iter().flatten().copied())
        .collect()
}

/// The record of arm `k` of `n`: a tuple of one `Option` per arm, `Some`
/// for the arm that ran (`Some(r)` as a pattern, the other slots `_`). Not
/// an enum of the arms' records: LLVM keeps the fields of a tuple of
/// `Option`s in registers, where the overlapping payloads of an enum go
/// through memory (a BA residual's pullback ran 8 times slower).
fn wrap_record(record: TokenStream, k: usize, n: usize, pattern: bool) -> TokenStream {
    let slots = (0..n).map(|j| match (j == k, pattern) {
        (true, _) => quote!(::core::option::Option::Some(#record)),
        (false, true) => quote!(_),
        (false, false) => quote!(::core::option::Option::None),
    });
    quote!((#(#slots,)*))
}

/// The variables that kept code (`Op::Opaque`) and primitives reads in a
/// region's body, at any depth: in a replay, the primitives are those
/// `rebuild` computes again, whose operands are values, not the record's
/// references.
fn opaque_uses(body: &[ir::Stmt]) -> std::collections::HashSet<ir::Var> {
    let mut found = std::collections::HashSet::new();
    for stmt in body {
        match &stmt.op {
            ir::Op::Opaque { uses, .. } => found.extend(uses.iter().copied()),
            ir::Op::Rule { args, .. } | ir::Op::Prim { args, .. } => {
                found.extend(args.iter().copied())
            }
            _ => {}
        }
        for region in stmt.regions() {
            found.extend(opaque_uses(&region.body));
        }
    }
    found
}
