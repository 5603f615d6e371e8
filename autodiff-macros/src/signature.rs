//! Checks the function's signature and decides which arguments are differentiable.
//!
//! Without `wrt(..)`, every argument of a differentiable type (see `types`) is differentiable and
//! integers, `bool`, `char` (and references to them) are static, like JAX's
//! `static_argnums` but automatic. A type the macro cannot classify is an
//! error rather than a guess, because guessing "static" would silently drop a
//! derivative; `wrt(..)` settles it, every unlisted argument being static.

use syn::spanned::Spanned;
use syn::{FnArg, Ident, Pat, ReturnType, Signature, Type};

use crate::attr::Options;
use crate::errors::Errors;
use crate::ir::{ArgRole, Param};
use crate::types::{classify, type_text, TypeClass};

/// The most differentiable arguments a function may have (the runtime's
/// `jacobian::Slots` tuples).
pub const MAX_DIFFERENTIABLE: usize = 12;

/// The checked signature.
pub struct Checked {
    /// The arguments with their roles.
    pub params: Vec<Param>,
    /// The return type.
    pub ret_ty: Type,
}

/// Checks `sig` against the options, recording every problem. Always returns
/// a usable signature (unknown types become static) so that a fallback with
/// the right shape can still be emitted.
pub fn check(sig: &Signature, options: &Options, errors: &mut Errors) -> Checked {
    if let Some(asyncness) = &sig.asyncness {
        errors.on(
            asyncness,
            "`#[differentiate]` cannot differentiate an `async fn`; make it a plain `fn`",
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.on(unsafety, "`#[differentiate]` does not accept `unsafe fn`: derivative code must be safe; remove `unsafe`");
    }
    if let Some(variadic) = &sig.variadic {
        errors.on(variadic, "variadic functions cannot be differentiated");
    }

    let params = params(sig, options, errors);
    if errors.is_empty() && !params.iter().any(|p| p.role == ArgRole::Differentiable) {
        errors.on(
            &sig.ident,
            format!(
                "`{}` has no differentiable argument; give it an `f64` or `f32` argument, or name one with `wrt(..)`",
                sig.ident
            ),
        );
    }

    // Jacobians are assembled over a tuple of the arguments' tangents,
    // implemented in the runtime for up to this many slots.
    let differentiable = params.iter().filter(|p| p.role == ArgRole::Differentiable);
    if let Some(extra) = differentiable.clone().nth(MAX_DIFFERENTIABLE) {
        errors.on(
            &extra.name,
            format!(
                "`{}` has {} differentiable arguments, more than the {MAX_DIFFERENTIABLE} supported; pass some of them together as an array or a nalgebra vector",
                sig.ident,
                differentiable.count()
            ),
        );
    }

    let ret_ty = match &sig.output {
        ReturnType::Type(_, ty) => {
            if classify(ty) != TypeClass::Differentiable {
                errors.on(ty, format!("return type `{}` is not differentiable; a differentiated function returns `f64`, `f32`, an array of them, a nalgebra vector or matrix, or a `Vec`", type_text(ty)));
                // The placeholder module must parse: a bound list such as
                // `f64 +` would not inside `impl Fn(..) -> T + use<>`.
                if matches!(**ty, Type::TraitObject(_) | Type::ImplTrait(_)) {
                    return Checked {
                        params,
                        ret_ty: syn::parse_quote!(f64),
                    };
                }
            }
            (**ty).clone()
        }
        ReturnType::Default => {
            errors.at(
                sig.paren_token.span.close(),
                "a differentiated function must return a value; add `-> f64` (or `-> f32`)",
            );
            syn::parse_quote!(f64)
        }
    };
    Checked { params, ret_ty }
}

/// A typed argument's name, or an error on its pattern (also for
/// `#[vectorize]`).
pub fn arg_name(typed: &syn::PatType, errors: &mut Errors) -> Option<Ident> {
    match &*typed.pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
        other => {
            errors.on(other, "argument patterns are not supported; bind the argument to a name (`x: f64`) and destructure it in the body");
            None
        }
    }
}

fn params(sig: &Signature, options: &Options, errors: &mut Errors) -> Vec<Param> {
    let mut params = Vec::new();
    for input in &sig.inputs {
        let typed = match input {
            FnArg::Typed(t) => t,
            FnArg::Receiver(r) => {
                let name = Ident::new("self", r.self_token.span);
                // Differentiable only when `wrt(self)` says so: a method's
                // receiver is most often a static model or configuration.
                let role = match options.wrt.as_ref().is_some_and(|w| w.contains(&name)) {
                    true if r.mutability.is_some() => {
                        errors.on(r, "`wrt(self)` needs `self` or `&self`: writes through `&mut self` would carry no derivative");
                        ArgRole::Static
                    }
                    true => ArgRole::Differentiable,
                    false => ArgRole::Static,
                };
                params.push(Param {
                    name,
                    ty: (*r.ty).clone(),
                    role,
                });
                continue;
            }
        };
        let name = arg_name(typed, errors)
            .unwrap_or_else(|| Ident::new(&format!("__arg{}", params.len()), typed.pat.span()));
        let ty = (*typed.ty).clone();
        if let syn::Type::Reference(r) = &ty {
            if r.mutability.is_some() {
                errors.on(&ty, format!("`&mut` arguments are not supported: writes through `{name}` would carry no derivative; take the value (`{name}: T` or `&T`) and return what the function computes"));
                let role = ArgRole::Static;
                params.push(Param { name, ty, role });
                continue;
            }
        }
        // A generic parameter's name looks like a struct's to `classify`;
        // one without a float bound is static, as JAX keeps what it cannot
        // differentiate (a float parameter is the float type to `classify`).
        let type_param = names_type_param(&ty, &sig.generics);
        let class = match type_param {
            true => TypeClass::Static,
            false => classify(&ty),
        };
        if let syn::Type::ImplTrait(_) = &ty {
            errors.on(&ty, format!("`impl Trait` arguments cannot be differentiated: the generated functions need the type's name; name a type parameter, `fn f<T: Real>({name}: T)`"));
            // The placeholder functions need a type they can name.
            let ty = syn::parse_quote!(f64);
            params.push(Param {
                name,
                ty,
                role: ArgRole::Static,
            });
            continue;
        }
        let role = match &options.wrt {
            Some(wrt) if wrt.contains(&name) => {
                if type_param {
                    errors.on(&ty, format!("`{name}` is listed in `wrt(..)` but its type `{}` is a type parameter without a float bound; bound it by `Real` (or `Float`, or nalgebra's `RealField`) to make it the float type", type_text(&ty)));
                } else if class != TypeClass::Differentiable {
                    errors.on(&ty, format!("`{name}` is listed in `wrt(..)` but its type `{}` is not differentiable; differentiable types are `f64`, `f32`, arrays of them, nalgebra vectors and matrices, `Vec`, slices, and shared references to these", type_text(&ty)));
                }
                ArgRole::Differentiable
            }
            Some(_) => ArgRole::Static,
            None => match class {
                TypeClass::Differentiable => ArgRole::Differentiable,
                TypeClass::Static => ArgRole::Static,
                TypeClass::Unknown => {
                    errors.on(&ty, format!("cannot tell whether `{name}: {}` is differentiable; differentiable types are `f64`, `f32`, arrays of them, nalgebra vectors and matrices, `Vec`, slices and shared references to these, static ones integers, `bool` or `char`; to keep it as a static argument, list the differentiable ones with `#[differentiate(wrt(..))]`", type_text(&ty)));
                    ArgRole::Static
                }
            },
        };
        params.push(Param { name, ty, role });
    }
    if let Some(wrt) = &options.wrt {
        for (i, w) in wrt.iter().enumerate() {
            if wrt[..i].contains(w) {
                errors.on(w, format!("`{w}` is listed twice in `wrt(..)`"));
            } else if !params.iter().any(|p| p.name == *w) && *w != "self" {
                let names: Vec<String> = params.iter().map(|p| format!("`{}`", p.name)).collect();
                errors.on(
                    w,
                    format!(
                        "`wrt` names `{w}`, which is not an argument of `{}`; its arguments are {}",
                        sig.ident,
                        names.join(", ")
                    ),
                );
            }
        }
    }
    params
}

/// Whether `ty` (or what it borrows) is one of `generics`' type parameters
/// other than a float type.
fn names_type_param(ty: &syn::Type, generics: &syn::Generics) -> bool {
    let floats = crate::types::float_params(generics);
    match ty {
        syn::Type::Reference(r) => names_type_param(&r.elem, generics),
        syn::Type::Path(p) if p.qself.is_none() => generics.type_params().any(|t| {
            !floats.contains(&t.ident)
                && (p.path.is_ident(&t.ident)
                    || p.path.segments.first().is_some_and(|s| s.ident == t.ident))
        }),
        _ => false,
    }
}
