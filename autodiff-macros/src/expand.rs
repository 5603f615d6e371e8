//! The expansion of `#[differentiate]`: the pipeline from attribute to module.
//!
//! parse options -> check signature -> lower -> activity -> forward/reverse ->
//! emit. The original function is always emitted unchanged. On errors the
//! module is still emitted with the right signatures and placeholder bodies
//! (see `fallback`), so the user sees the real error and not a cascade of
//! "cannot find `f::grad`".

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::{Ident, ItemFn};

use crate::emit::{Emitter, Uses};
use crate::errors::Errors;
use crate::ir::{Function, Op, Stmt};
use crate::items::Shape;
use crate::reverse::Seed;
use crate::{
    activity, attr, fallback, forward, fuse, hessian, lower, reverse, shapes, signature, vectorize,
};

/// Expands `#[differentiate(attr)] item`.
pub fn differentiate(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = attr::parse(attr, &mut errors);
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            errors.at(
                Span::call_site(),
                "`#[differentiate]` applies to a function such as `fn f(x: f64) -> f64 { .. }`",
            );
            let errors = errors.to_compile_errors();
            return quote!(#item #errors);
        }
    };
    let generics = func.sig.generics.clone();
    crate::types::with_generics(&generics, || expand(&options, func, errors))
}

/// Expands a parsed function, its type parameters known to `types`.
fn expand(options: &attr::Options, mut func: ItemFn, mut errors: Errors) -> TokenStream {
    let batch = vectorize::take(&mut func, &mut errors)
        .map(|options| vectorize::Batch::new(&func, &options, &mut errors));
    let sig = signature::check(&func.sig, options, &mut errors);
    let shape = Shape::new(&func, &sig.params, &sig.ret_ty);
    let batched = batch
        .filter(|_| errors.is_empty())
        .map_or_else(TokenStream::new, |b| {
            b.items(Some(&vectorize::Derivatives {
                grad_ty: crate::types::is_scalar(&sig.ret_ty).then(|| shape.grad_ty.clone()),
                tangent_tys: shape.tangent_tys.clone(),
            }))
        });
    let module = if errors.is_empty() {
        // Relative paths need one more `super` inside the generated module,
        // none in sibling methods.
        let in_module = func.sig.receiver().is_none();
        let mut block = (*func.block).clone();
        lower::qualify_generic_paths(&mut block, &func.sig.generics);
        let mut f = lower::lower(sig.params, &block, in_module, &mut errors);
        f.tape = options.tape;
        mark_recursion(&mut f.body, &func.sig.ident);
        let act = activity::analyse(&f, &mut errors);
        shapes::check(&f, &mut errors);
        errors.is_empty().then(|| derivatives(&f, &act, &shape))
    } else {
        None
    };
    let module = shape.items(module.unwrap_or_else(|| fallback::bodies(&shape)), batched);
    let errors = errors.to_compile_errors();
    // A method's or generic function's derivatives stand for it, as the
    // module's `keep_alive` does for a function: using only them should not
    // make it dead code.
    if func.sig.receiver().is_some() || crate::items::is_generic(&func.sig) {
        func.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
    }
    quote! {
        #func
        #module
        #errors
    }
}

/// The generated functions with real bodies.
fn derivatives(f: &Function, act: &activity::Activity, shape: &Shape) -> Bodies {
    let names: Vec<Ident> = f.params.iter().map(|p| p.name.clone()).collect();

    let lin = forward::linearize(f, act);
    let mut emitter = Emitter::new(&lin.roles, names.clone())
        .with_refs(&f.refs)
        .with_tangents(shape.tangent_names.clone());
    let (primal, zeros, fresh_zeros, tangent) =
        split_zeros(&mut emitter, &lin.primal, &lin.tangent);
    let (value, tangent_out) = (emitter.var(lin.value), emitter.var(lin.tangent_out));
    let (tangent_names, tangent_tys) = (&shape.tangent_names, &shape.tangent_tys);
    let ret_ty = &shape.ret_ty;
    let linearize_body = quote! {
        #primal
        #zeros
        (#value, move |(#(#tangent_names,)*): (#(#tangent_tys,)*)| -> #ret_ty { #fresh_zeros #tangent #tangent_out })
    };

    // One reverse body serves `value_and_grad`, `value_and_grad_into` and
    // `vjp`: its pullback takes the cotangent and the adjoints to start the
    // arguments' gradients from (zeros, or a caller's buffers), so rustc
    // type-checks the primal and adjoint sweeps once per function.
    let core = reverse::reverse_into(f, act, Seed::Given, reverse::Gradients::IntoBuffers);
    let cotangent = format_ident!("cotangent", span = Span::mixed_site());
    let (ret_ty, grad_ty) = (&shape.ret_ty, &shape.grad_ty);
    let (buffer_names, tangent_tys) = (&shape.buffer_names, &shape.tangent_tys);
    let hessian = hessian::generated(f, act, &shape.ret_ty);
    let number =
        (hessian.is_ok() && shape.is_plain_function() && hessian::generic(f, &shape.ret_ty))
            .then(|| format_ident!("__N"));
    let large_tape = has_large_fixed_tape(&core.primal);
    let reverse_emitter = || {
        Emitter::new(&core.roles, names.clone())
            .with_refs(&f.refs)
            .with_cotangent(cotangent.clone())
            .with_buffers(shape.buffer_names.clone())
    };
    // The sweeps over the float type, unless the generic sweep below
    // stands for them (it does except for `__gradient`).
    let (reverse_body, gradient_body) = match number.is_none() || large_tape {
        true => {
            let sweep = Sweep::write(reverse_emitter(), &core, false);
            // A fixed tape lives inline: moving it into the pullback copies
            // it (a 1,000-step loop's tape is tens of kilobytes). Functions
            // with a large one also get the two sweeps in one body, with no
            // closure, for the gradients (a second copy of the same tokens
            // for rustc to check).
            let gradient_body = large_tape.then(|| {
                sweep.body(
                    &cotangent,
                    Form::InOne {
                        starts: &shape.buffer_names,
                    },
                )
            });
            let types = [ret_ty.to_token_stream(), grad_ty.clone()];
            let form = Form::Pullback {
                buffers: buffer_names,
                types: &types,
                tangent_tys,
            };
            (sweep.body(&cotangent, form), gradient_body)
        }
        false => (TokenStream::new(), None),
    };

    // The same sweeps over dual numbers, for `hvp` and `hessian` (see
    // `hessian`): the emitter's second mode, types written over duals; or,
    // where `hessian::generic` allows, over a type parameter `number`
    // that is the float type for `grad` and a dual number for `hvp`, the
    // one reverse body of both.
    let hessian = hessian.map(|()| {
        let (mut varied, untyped) = hessian::varied(f, act);
        // Copies kept for replays are dual where what they copy is.
        for (source, copy) in &core.kept {
            if varied.contains(source) {
                varied.insert(*copy);
            }
        }
        let mut emitter = reverse_emitter()
            .with_dual((varied, untyped), hessian::scalar(&f.params, &shape.ret_ty));
        if let Some(number) = &number {
            emitter = emitter.generic_over(number.clone());
        }
        let types = [
            crate::emit::number_type(ret_ty, number.as_ref()),
            crate::emit::number_types(std::slice::from_ref(grad_ty), number.as_ref())
                .into_iter()
                .collect(),
        ];
        let tangent_tys = crate::emit::number_types(tangent_tys, number.as_ref());
        let form = Form::Pullback {
            buffers: buffer_names,
            types: &types,
            tangent_tys: &tangent_tys,
        };
        Sweep::write(emitter, &core, true).body(&cotangent, form)
    });

    // Through loops, `linearize` records a tape that its tangent pass
    // replays; one JVP needs neither: values and tangents go together. It
    // gets a body of its own where a tape would grow (on the heap, or
    // without `alloc` not at all) or is large (recording and replaying a
    // 1,000-step loop made `jvp` 1.4 times slower); a few records on the
    // stack cost less than rustc checking a third body.
    let direct = has_growable_tape(&lin.primal)
        || has_large_fixed_tape(&lin.primal)
        || builds_by_closure(&lin.primal);
    let jvp = direct.then(|| {
        let mut jvp = forward::forward(f, act);
        fuse::fuse_containers(&mut jvp);
        let emitter = Emitter::new(&jvp.roles, names.clone())
            .with_refs(&f.refs)
            .with_uses(Uses::of(&[(&jvp.body, 0)]))
            .with_tangents(shape.tangent_names.clone());
        let body = emitter.stmts(&jvp.body);
        let (value, tangent) = (emitter.var(jvp.value), emitter.var(jvp.tangent));
        quote!(#body (#value, #tangent))
    });

    let lazy_starts = lazy_starts(&core.adjoint, core.grads.len());
    let (reverse_body, hessian) = match (&number, hessian) {
        (Some(_), Ok(generic)) => (generic, Ok(TokenStream::new())),
        (_, hessian) => (reverse_body, hessian),
    };
    Bodies {
        reverse: reverse_body,
        number,
        gradient: gradient_body,
        lazy_starts,
        linearize: linearize_body,
        jvp,
        placeholders: false,
        no_forward: false,
        hessian,
    }
}

/// For each differentiable argument, whether its gradient may start from a
/// lazy zero (`linear::lazy_zero_like`: an empty heap tangent, nothing
/// allocated): when every use of its starting adjoint in the adjoint
/// sweep is as the accumulator a whole contribution is added onto, at the
/// top level. Written into by index, threaded through a loop or returned
/// untouched, it must be real zeros.
fn lazy_starts(adjoint: &[Stmt], count: usize) -> Vec<bool> {
    (0..count)
        .map(|k| {
            let Some(start) = adjoint.iter().find_map(|s| match s.op {
                Op::BufferIn(j) if j == k => s.def(),
                _ => None,
            }) else {
                return false;
            };
            let mut added_onto = 0;
            let mut other = 0;
            let mut stack: Vec<(&[Stmt], bool)> = vec![(adjoint, true)];
            while let Some((stmts, top)) = stack.pop() {
                for stmt in stmts {
                    let onto = match &stmt.op {
                        Op::Pull { onto, .. } => *onto == Some(start),
                        Op::Accumulate(acc, _) => *acc == start,
                        _ => false,
                    };
                    if top && onto {
                        added_onto += 1;
                    } else if stmt.uses().contains(&start) {
                        other += 1;
                    }
                    stack.extend(
                        stmt.regions()
                            .into_iter()
                            .map(|r| (r.body.as_slice(), false)),
                    );
                    for region in stmt.regions() {
                        if region.yields.contains(&start) || region.record.contains(&start) {
                            other += 1;
                        }
                    }
                }
            }
            added_onto > 0 && other == 0
        })
        .collect()
}

/// The fewest records of a fixed tape worth a body of its own: copying a
/// few records into the pullback costs less than rustc checking the sweeps
/// twice.
const LARGE_FIXED_TAPE: usize = 64;

/// Whether a sweep records into a fixed tape of at least
/// `LARGE_FIXED_TAPE` records (at any depth).
fn has_large_fixed_tape(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.op {
        Op::Loop(l) => {
            matches!(l.tape, Some(crate::ir::TapeKind::Fixed(n)) if n >= LARGE_FIXED_TAPE)
                || has_large_fixed_tape(&l.body.body)
        }
        Op::Branch(b) => b.arms.iter().any(|a| has_large_fixed_tape(&a.body)),
        _ => false,
    })
}

/// Whether a sweep keeps the partials of a `map` or `from_fn` (at any
/// depth): containers that `jvp`, in one pass, does not build
/// (`fuse::fuse_containers`).
fn builds_by_closure(body: &[Stmt]) -> bool {
    body.iter().any(|s| {
        matches!(&s.op, Op::Rule { prim, .. } if prim.takes_closure())
            || s.regions().iter().any(|r| builds_by_closure(&r.body))
    })
}

/// Whether a sweep records into a tape that is not fixed (at any depth).
fn has_growable_tape(body: &[Stmt]) -> bool {
    body.iter().any(|s| match &s.op {
        Op::Loop(l) => {
            !matches!(l.tape, None | Some(crate::ir::TapeKind::Fixed(_)))
                || has_growable_tape(&l.body.body)
        }
        Op::Branch(b) => b.arms.iter().any(|a| has_growable_tape(&a.body)),
        _ => false,
    })
}

/// Marks the calls of a function to itself (see `ir::Call::recursive`).
fn mark_recursion(body: &mut [Stmt], name: &Ident) {
    for stmt in body {
        match &mut stmt.op {
            Op::Call(c) => c.recursive = c.path.is_ident(name),
            Op::Branch(b) => {
                for arm in &mut b.arms {
                    mark_recursion(&mut arm.body, name);
                }
            }
            Op::Loop(l) => mark_recursion(&mut l.body.body, name),
            _ => {}
        }
    }
}

/// One variable, or a tuple of several.
fn tuple(vars: &[Ident]) -> TokenStream {
    match vars {
        [one] => quote!(#one),
        many => quote!((#(#many),*)),
    }
}

/// Whether a fixed tape overflowed: the entry points panic, or return
/// `TapeFull` (`try_grad`), before any replay of its records.
fn overflowed() -> Ident {
    Ident::new("__overflowed", Span::mixed_site())
}

/// A reverse sweep as one emitter writes it, in parts.
struct Sweep {
    primal: TokenStream,
    zeros: TokenStream,
    fresh_zeros: TokenStream,
    adjoint: TokenStream,
    value: TokenStream,
    grads: TokenStream,
    check: TokenStream,
}

impl Sweep {
    /// `core` written by `emitter`; in its second mode (`dual`) the output
    /// is over the mode's numbers even where it is a constant.
    fn write(mut emitter: Emitter, core: &reverse::Vjp, dual: bool) -> Sweep {
        let (primal, zeros, fresh_zeros, adjoint) =
            split_zeros(&mut emitter, &core.primal, &core.adjoint);
        let value = match dual {
            true => emitter.dual_output(core.value),
            false => emitter.var(core.value).to_token_stream(),
        };
        let grads: Vec<Ident> = core.grads.iter().map(|g| emitter.var(*g)).collect();
        Sweep {
            primal,
            zeros,
            fresh_zeros,
            adjoint,
            value,
            grads: tuple(&grads),
            check: emitter.overflowed(&core.primal),
        }
    }

    /// The tokens of a body of the sweep, in the given form.
    fn body(&self, cotangent: &Ident, form: Form) -> TokenStream {
        let Sweep {
            primal,
            zeros,
            fresh_zeros,
            adjoint,
            value,
            grads,
            check,
        } = self;
        let overflowed = overflowed();
        match form {
            Form::Pullback {
                buffers,
                types: [ret_ty, grad_ty],
                tangent_tys,
            } => quote! {
                #primal
                let #overflowed = #check;
                #zeros
                (#value, move |#cotangent: #ret_ty, (#(#buffers,)*): (#(#tangent_tys,)*)| -> #grad_ty {
                    #fresh_zeros #adjoint #grads
                }, #overflowed)
            },
            Form::InOne { starts } => {
                let (starts, rt) = (tuple(starts), crate::emit::runtime());
                quote! {
                    #primal
                    let #overflowed = #check;
                    if #overflowed {
                        return (#value, #starts, true);
                    }
                    #zeros
                    let #cotangent = #rt::linear::seed(&#value);
                    #fresh_zeros #adjoint
                    (#value, #grads, false)
                }
            }
        }
    }
}

/// How [`Sweep::body`] returns the gradients.
enum Form<'a> {
    /// The reverse function's `(value, pullback, overflowed)`: the pullback
    /// takes the cotangent (of the first of `types`, output and gradient)
    /// and the starting adjoints (`buffers`, of `tangent_tys`).
    Pullback {
        buffers: &'a [Ident],
        types: &'a [TokenStream; 2],
        tangent_tys: &'a [TokenStream],
    },
    /// Both sweeps in one body, `(value, gradients, overflowed)`, the
    /// gradients starting from `starts` (`__gradient`).
    InOne { starts: &'a [Ident] },
}

/// Emits a primal pass (after the flat tapes of its nested loops, see
/// `Emitter::flat_tapes`) and a closure body reading its results. Zeros in the
/// closure depend only on primal values: they are built before it and
/// cloned inside, so that the closure owns what it captures (no borrow of a
/// reference argument, no value moved twice) and can run many times.
/// Returns the primal pass, the zeros, their clones, and the rest.
///
/// The closure runs apart from the primal pass: it takes over none of the
/// primal's values (see `emit::Uses`).
fn split_zeros(
    emitter: &mut Emitter,
    primal: &[Stmt],
    inner: &[Stmt],
) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let flat = emitter.flat_tapes(primal);
    let (zeros, rest): (Vec<_>, Vec<_>) = inner
        .iter()
        .cloned()
        .partition(|s| matches!(s.op, Op::Zero(_)));
    emitter.set_uses(Uses::of(&[(primal, 0), (&zeros, 0), (&rest, 1)]));
    let fresh = zeros.iter().filter_map(Stmt::def).map(|z| {
        let z = emitter.var(z);
        quote!(let #z = ::core::clone::Clone::clone(&#z);)
    });
    let primal = emitter.stmts(primal);
    (
        quote!(#flat #primal),
        emitter.stmts(&zeros),
        quote!(#(#fresh)*),
        emitter.stmts(&rest),
    )
}

/// The bodies of the generated functions (`grad` is `value_and_grad(..).1`).
pub struct Bodies {
    /// Of `linearize`.
    pub linearize: TokenStream,
    /// Of the hidden reverse function behind `value_and_grad`,
    /// `value_and_grad_into` and `vjp`: `(value, pullback)`, where the
    /// pullback maps a cotangent and the arguments' starting adjoints (one
    /// tuple) to their gradients.
    pub reverse: TokenStream,
    /// Of the hidden `__gradient(args.., starts) -> (value, gradients)`:
    /// the reverse function's sweeps in one body, for functions whose
    /// pullback would copy a fixed tape (see `derivatives`).
    pub gradient: Option<TokenStream>,
    /// For each differentiable argument, whether `value_and_grad` and
    /// `vjp` may start its gradient from a lazy zero (see `lazy_starts`).
    pub lazy_starts: Vec<bool>,
    /// Of `jvp`, when it is not `linearize` followed by one tangent pass.
    pub jvp: Option<TokenStream>,
    /// Whether these are `fallback`'s placeholders, which the Jacobians
    /// (written in terms of `linearize` and `vjp`) then use too.
    pub placeholders: bool,
    /// Set for a function without a forward-mode rule (`#[custom_vjp]`),
    /// whose `jvp`, `linearize` and `jacfwd` are then compile-time errors.
    pub no_forward: bool,
    /// Of the reverse function over dual numbers behind `hvp` and
    /// `hessian`, or why there is none (see `hessian::generated`; `None`:
    /// no second-order items at all).
    pub hessian: Result<TokenStream, Option<String>>,
    /// The type parameter the reverse function is generic over, where its
    /// one body serves `hvp` and `hessian` too (`hessian::generic`; then
    /// `hessian` is `Ok` and empty).
    pub number: Option<Ident>,
}
