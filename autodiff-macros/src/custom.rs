//! `#[custom_jvp(jvp = rule)]` and `#[custom_vjp(fwd = f_fwd, bwd = f_bwd)]`:
//! a function whose derivatives are the user's rules, not its body's.
//!
//! Both give the function the module `#[differentiate]` would (`grad`,
//! `jvp`, `vjp`, Jacobians, and `__linearize_call`/`__vjp_call`, through
//! which a differentiated caller treats the function as a primitive), with
//! bodies written from the rules instead of the transforms:
//!
//! - `custom_jvp`: `rule(primals, tangents) -> (value, tangent)` is the
//!   forward mode; reverse mode transposes it by one rule evaluation per
//!   input component (`autodiff_runtime::custom::add_transposed`).
//! - `custom_vjp`: `f_fwd(args..) -> (value, residual)`, then
//!   `f_bwd(residual, cotangent) -> gradients` (shaped like `grad`'s) is
//!   the pullback. There is no forward mode: its `jvp`, `linearize` and
//!   `jacfwd` are compile-time errors, and a caller's forward mode panics
//!   with a message naming the function (JAX raises the same error).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Ident, ItemFn, Path};

use crate::attr::Options;
use crate::errors::Errors;
use crate::expand::Bodies;
use crate::ir::ArgRole;
use crate::items::Shape;
use crate::{fallback, signature};

/// The rules named by the attribute.
enum Rules {
    Jvp(Path),
    Vjp { fwd: Path, bwd: Path },
}

/// Why a function with a custom rule has no second derivatives without
/// `hessian` in its attribute.
const NO_HESSIAN: &str = "its derivative is a custom rule written for one float type; write the rule generic over it (`fn rule<T: Real>(..)`) and add `hessian` to the attribute";

/// Expands `#[custom_jvp(jvp = rule)]`.
pub fn custom_jvp(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item, "custom_jvp", &["jvp"])
}

/// Expands `#[custom_vjp(fwd = f_fwd, bwd = f_bwd)]`.
pub fn custom_vjp(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(attr, item, "custom_vjp", &["fwd", "bwd"])
}

fn expand(attr: TokenStream, item: TokenStream, macro_name: &str, keys: &[&str]) -> TokenStream {
    let mut errors = Errors::default();
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            errors.at(
                Span::call_site(),
                format!("`#[{macro_name}]` applies to a function such as `fn f(x: f64) -> f64 {{ .. }}`"),
            );
            let errors = errors.to_compile_errors();
            return quote!(#item #errors);
        }
    };
    let (rules, hessian) = parse_rules(attr, macro_name, keys, &mut errors);
    if let Some(receiver) = func.sig.receiver() {
        errors.on(receiver, format!("`#[{macro_name}]` applies to free functions; write the method's body as a free function with the rule, and call it from the method"));
    }
    let sig = signature::check(&func.sig, &Options::default(), &mut errors);
    for p in &sig.params {
        if matches!(p.ty, syn::Type::Reference(_)) {
            errors.on(&p.ty, format!("a function with a custom rule takes its arguments by value (the rules receive them as a tuple); take `{}` by value", p.name));
        }
    }
    let shape = Shape::new(&func, &sig.params, &sig.ret_ty);
    let bodies = match (errors.is_empty(), &rules) {
        (true, Some(Rules::Jvp(rule))) => {
            jvp_bodies(&func.sig.ident, &sig.params, &shape, rule, hessian)
        }
        (true, Some(Rules::Vjp { fwd, bwd })) => vjp_bodies(&sig.params, &shape, fwd, bwd, hessian),
        _ => fallback::bodies(&shape),
    };
    let module = shape.items(bodies, TokenStream::new());
    let errors = errors.to_compile_errors();
    quote! {
        #func
        #module
        #errors
    }
}

/// `jvp = rule`, or `fwd = a, bwd = b`: each key once, and the flag
/// `hessian` (the rules are generic over the float type, so the second
/// sweep runs them on dual numbers); nothing else.
fn parse_rules(
    attr: TokenStream,
    macro_name: &str,
    keys: &[&str],
    errors: &mut Errors,
) -> (Option<Rules>, bool) {
    let mut found: Vec<(String, Path)> = Vec::new();
    let mut hessian = false;
    let parser = syn::meta::parser(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(Ident::to_string)
            .unwrap_or_default();
        if key == "hessian" && (meta.input.is_empty() || meta.input.peek(syn::Token![,])) {
            hessian = true;
            return Ok(());
        }
        if !keys.contains(&key.as_str()) {
            let expected: Vec<String> = keys.iter().map(|k| format!("`{k} = path`")).collect();
            return Err(meta.error(format!(
                "unknown option of `#[{macro_name}]`; it takes {}, and `hessian` for rules generic over the float type",
                expected.join(" and ")
            )));
        }
        let path: Path = meta.value()?.parse()?;
        if found.iter().any(|(k, _)| *k == key) {
            return Err(syn::Error::new(
                path.span(),
                format!("`{key}` is given twice"),
            ));
        }
        found.push((key, path));
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, attr) {
        errors.push(e);
        return (None, false);
    }
    let mut take = |key: &str| {
        let at = found.iter().position(|(k, _)| k == key);
        match at {
            Some(at) => Some(found.remove(at).1),
            None => {
                errors.at(
                    Span::call_site(),
                    format!("`#[{macro_name}]` needs `{key} = path`, the function with the rule"),
                );
                None
            }
        }
    };
    let rules = match keys {
        ["jvp"] => take("jvp").map(Rules::Jvp),
        _ => {
            let (fwd, bwd) = (take("fwd"), take("bwd"));
            fwd.zip(bwd).map(|(fwd, bwd)| Rules::Vjp { fwd, bwd })
        }
    };
    (rules, hessian)
}

/// The types of the second sweep: each float as a dual number.
fn dual(ty: &impl ToTokens) -> TokenStream {
    let ty: syn::Type = syn::parse2(ty.to_token_stream()).expect("a type");
    crate::types::dualize(&ty, &crate::emit::runtime()).to_token_stream()
}

/// `let name: ty = path;`, spanned on the rule's path: the rule is called
/// through this binding, so a rule of the wrong signature is reported
/// there, as "expected fn pointer `ty`", and nowhere else.
fn typed_rule(name: &Ident, path: &Path, ty: TokenStream) -> TokenStream {
    let span = path.span();
    let path = from_module(path);
    quote_spanned!(span=> let #name: #ty = #path;)
}

/// The names of all arguments, and of the differentiable ones.
fn names(params: &[crate::ir::Param]) -> (Vec<&Ident>, Vec<&Ident>) {
    let all = params.iter().map(|p| &p.name).collect();
    let diff = params
        .iter()
        .filter(|p| p.role == ArgRole::Differentiable)
        .map(|p| &p.name)
        .collect();
    (all, diff)
}

/// A path as the generated module sees it (one `super` more for relative
/// `self::`/`super::` paths; a bare name comes in through `use super::*`).
fn from_module(path: &Path) -> Path {
    let mut path = path.clone();
    crate::lower::one_level_down(&mut path);
    path
}

fn jvp_bodies(
    name: &Ident,
    params: &[crate::ir::Param],
    shape: &Shape,
    rule: &Path,
    hessian: bool,
) -> Bodies {
    let rt = crate::emit::runtime();
    let (all, diff) = names(params);
    let (ret_ty, grad_ty) = (&shape.ret_ty, &shape.grad_ty);
    let (tangent_names, tangent_tys) = (&shape.tangent_names, &shape.tangent_tys);
    let all_tys: Vec<&syn::Type> = params.iter().map(|p| &p.ty).collect();
    let rule_fn = Ident::new("__rule", Span::mixed_site());
    // The rule bound at these argument, tangent and output types.
    let bind_at = |tys: &[TokenStream], tangents: &[TokenStream], ret: &TokenStream| {
        typed_rule(
            &rule_fn,
            rule,
            quote!(fn((#(#tys,)*), (#(#tangents,)*)) -> (#ret, #ret)),
        )
    };
    let plain = |tys: &[&syn::Type]| tys.iter().map(|t| t.to_token_stream()).collect::<Vec<_>>();
    let (tys, tangents, ret) = (
        plain(&all_tys),
        tangent_tys.clone(),
        ret_ty.to_token_stream(),
    );
    let bind = bind_at(&tys, &tangents, &ret);
    let call = |primals: TokenStream, tangents: TokenStream| quote!(#rule_fn(#primals, #tangents));
    let [value, primals, zeros, ct, starts, unit] = [
        "__value",
        "__primals",
        "__zeros",
        "__cotangent",
        "__starts",
        "__unit",
    ]
    .map(|n| Ident::new(n, Span::mixed_site()));
    let primals_again = quote!(::core::clone::Clone::clone(&#primals));
    let in_tangent_pass = call(primals_again.clone(), quote!((#(#tangent_names,)*)));
    let in_transpose = call(primals_again, quote!(#unit));
    let grads = match diff.len() {
        1 => quote!(#starts.0),
        _ => quote!(#starts),
    };
    // Reverse mode at these types: the value, then the rule transposed by
    // one evaluation per input component.
    let sweep = |tys: &[TokenStream],
                 tangents: &[TokenStream],
                 ret: &TokenStream,
                 grad: &TokenStream,
                 computed: TokenStream| {
        let bind = bind_at(tys, tangents, ret);
        quote! {
            #bind
            let #zeros = (#(#rt::linear::zero_like(&#diff),)*);
            let #value = #computed;
            let #primals = (#(#all,)*);
            (#value, move |#ct: #ret, #starts: (#(#tangents,)*)| -> #grad {
                let #starts = #rt::custom::add_transposed(#starts, &#zeros, &#ct, |#unit| #in_transpose.1);
                #grads
            }, false)
        }
    };
    let reverse = sweep(
        &tys,
        &tangents,
        &ret,
        grad_ty,
        quote!(super::#name(#(::core::clone::Clone::clone(&#all)),*)),
    );
    // The second sweep: the rule on dual numbers (it is generic), its value
    // from zero tangents (the function itself takes plain floats).
    let second_sweep = {
        let dual_tys: Vec<TokenStream> = all_tys.iter().map(dual).collect();
        let dual_tangents: Vec<TokenStream> = tangent_tys.iter().map(dual).collect();
        let value = call(
            quote!((#(::core::clone::Clone::clone(&#all),)*)),
            quote!(::core::clone::Clone::clone(&#zeros)),
        );
        sweep(
            &dual_tys,
            &dual_tangents,
            &dual(ret_ty),
            &dual(grad_ty),
            quote!(#value.0),
        )
    };
    Bodies {
        linearize: quote! {
            #bind
            let #value = super::#name(#(::core::clone::Clone::clone(&#all)),*);
            let #primals = (#(#all,)*);
            (#value, move |(#(#tangent_names,)*): (#(#tangent_tys,)*)| -> #ret_ty { #in_tangent_pass.1 })
        },
        reverse,
        gradient: None,
        lazy_starts: vec![false; diff.len()],
        jvp: Some({
            let call = call(quote!((#(#all,)*)), quote!((#(#tangent_names,)*)));
            quote!(#bind #call)
        }),
        placeholders: false,
        no_forward: false,
        hessian: match hessian {
            true => Ok(second_sweep),
            false => crate::hessian::unavailable(NO_HESSIAN),
        },
        number: None,
    }
}

fn vjp_bodies(
    params: &[crate::ir::Param],
    shape: &Shape,
    fwd: &Path,
    bwd: &Path,
    hessian: bool,
) -> Bodies {
    let rt = crate::emit::runtime();
    let (all, diff) = names(params);
    let (ret_ty, grad_ty, tangent_tys) = (&shape.ret_ty, &shape.grad_ty, &shape.tangent_tys);
    let all_tys: Vec<&syn::Type> = params.iter().map(|p| &p.ty).collect();
    let [value, residual, ct, starts, grads, fwd_fn, bwd_fn] = [
        "__value",
        "__residual",
        "__cotangent",
        "__starts",
        "__grads",
        "__fwd",
        "__bwd",
    ]
    .map(|n| Ident::new(n, Span::mixed_site()));
    let sum = match diff.len() {
        1 => quote!(#rt::tangent::Tangent::add(#starts.0, #grads)),
        n => {
            let k = (0..n).map(syn::Index::from);
            quote!((#(#rt::tangent::Tangent::add(#starts.#k, #grads.#k),)*))
        }
    };
    let never = fallback::never();
    // Reverse mode at these types: `f_fwd`, then `f_bwd` per pullback.
    let sweep =
        |tys: &[TokenStream], tangents: &[TokenStream], ret: &TokenStream, grad: &TokenStream| {
            let bind_fwd = typed_rule(&fwd_fn, fwd, quote!(fn(#(#tys),*) -> (#ret, _)));
            let bind_bwd = typed_rule(&bwd_fn, bwd, quote!(fn(_, #ret) -> #grad));
            quote! {
                #bind_fwd
                #bind_bwd
                let (#value, #residual) = #fwd_fn(#(#all),*);
                (#value, move |#ct: #ret, #starts: (#(#tangents,)*)| -> #grad {
                    let #grads = #bwd_fn(::core::clone::Clone::clone(&#residual), #ct);
                    #sum
                }, false)
            }
        };
    let plain: Vec<TokenStream> = all_tys.iter().map(|t| t.to_token_stream()).collect();
    let reverse = sweep(&plain, tangent_tys, &ret_ty.to_token_stream(), grad_ty);
    // The second sweep: both rules on dual numbers (they are generic).
    let second_sweep = {
        let dual_tys: Vec<TokenStream> = all_tys.iter().map(dual).collect();
        let dual_tangents: Vec<TokenStream> = tangent_tys.iter().map(dual).collect();
        sweep(&dual_tys, &dual_tangents, &dual(ret_ty), &dual(grad_ty))
    };
    Bodies {
        linearize: quote!((#never, move |_| -> #ret_ty { #never })),
        reverse,
        gradient: None,
        lazy_starts: vec![false; diff.len()],
        jvp: None,
        placeholders: false,
        no_forward: true,
        hessian: match hessian {
            true => Ok(second_sweep),
            false => crate::hessian::unavailable(NO_HESSIAN),
        },
        number: None,
    }
}
