//! The dual-number twin of a struct with `#[derive(Differentiable)]`, for
//! second derivatives through struct arguments.
//!
//! `hvp` and `hessian` run the reverse sweep again over dual numbers
//! (`hessian.rs`), which needs every value of the sweep as dual numbers; a
//! struct's fields are `f64`s, arrays, matrices or other structs, so the
//! derive writes a hidden struct of the same shape whose fields are their
//! dual forms (`<F as Lift>::Dual`), with the same names, so that field
//! reads and assignments in the sweep are unchanged; struct literals of
//! dual values name the twin (`twin_path`). The derive also makes the
//! struct `Lift` (its twin from a value and a direction) and `Promote` (a
//! constant as the twin; the twin promotes to itself). Generic structs get no twin (their float type is
//! a parameter the sweep cannot replace in a path); their functions get no
//! second derivatives.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{DeriveInput, Member};

use crate::derive::Field;

/// The twin's name for a struct's name.
pub fn twin_name(name: &syn::Ident) -> syn::Ident {
    format_ident!("__AutodiffDual{}", name)
}

/// `path` with its last segment the twin's (`model::Params` becomes
/// `model::__AutodiffDualParams`); `None` for `Self`, whose twin has no
/// name here.
pub fn twin_path(path: &syn::Path) -> Option<syn::Path> {
    let mut path = path.clone();
    let last = path.segments.last_mut()?;
    if last.ident == "Self" {
        return None;
    }
    last.ident = twin_name(&last.ident);
    Some(path)
}

/// The twin's definition and impls, and the struct's `Lift` and `Promote`;
/// nothing for a generic struct.
pub fn items(input: &DeriveInput, fields: &[Field]) -> TokenStream {
    // A field of a type without a dual form (a `String` left without
    // `skip`, which the derive reports) gets no twin, rather than errors
    // that repeat the derive's.
    let liftable = fields
        .iter()
        .all(|f| f.skip || crate::types::liftable(&f.ty));
    if !input.generics.params.is_empty() || fields.iter().all(|f| f.skip) || !liftable {
        return TokenStream::new();
    }
    let rt = crate::emit::runtime();
    let lift = quote!(#rt::dual::Lift);
    let (name, vis) = (&input.ident, &input.vis);
    let twin = twin_name(name);
    let named = fields.iter().all(|f| matches!(f.member, Member::Named(_)));
    // A static field of floats is a dual constant in the twin (the sweep
    // computes with it as with the type's other values); others are kept.
    let kept = |f: &Field| f.skip && !crate::types::float_valued(&f.ty);
    let dual_ty = |f: &Field| {
        let ty = &f.ty;
        match kept(f) {
            true => quote!(#ty),
            false => quote!(<#ty as #lift>::Dual),
        }
    };
    let decls = fields.iter().map(|f| {
        let (field_vis, ty) = (&f.vis, dual_ty(f));
        match &f.member {
            Member::Named(id) => quote!(#field_vis #id: #ty),
            Member::Unnamed(_) => quote!(#field_vis #ty),
        }
    });
    let definition = match named {
        true => quote!(#vis struct #twin { #(#decls,)* }),
        false => quote!(#vis struct #twin ( #(#decls,)* );),
    };
    let twin_input: DeriveInput = match syn::parse2(definition.clone()) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let twin_fields: Vec<Field> = fields
        .iter()
        .map(|f| Field {
            member: f.member.clone(),
            ty: syn::parse2(dual_ty(f)).expect("a type"),
            skip: f.skip,
            vis: f.vis.clone(),
        })
        .collect();
    let twin_impls = crate::derive::impls(&twin_input, &twin_fields);

    // `Name { m: value(m), .. }` for each field, kept ones cloned from `from`.
    let build = |target: &syn::Ident, from: TokenStream, value: &dyn Fn(&Field) -> TokenStream| {
        let inits = fields.iter().map(|f| {
            let m = &f.member;
            let v = match kept(f) {
                true => quote!(::core::clone::Clone::clone(&#from.#m)),
                false => value(f),
            };
            quote!(#m: #v)
        });
        quote!(#target { #(#inits,)* })
    };
    // A static field of floats lifts with a zero direction, and its
    // gradient holds the primal's value (as a gradient's static fields do).
    let lifted = build(&twin, quote!(self), &|f| {
        let m = &f.member;
        match f.skip {
            true => {
                quote!(#lift::lift(&self.#m, &#rt::tangent::HasTangent::zero_tangent(&self.#m)))
            }
            false => quote!(#lift::lift(&self.#m, &direction.#m)),
        }
    });
    let tangent_part = build(name, quote!(dual), &|f| {
        let (m, ty) = (&f.member, &f.ty);
        match f.skip {
            true => quote!(#rt::dual::primal(&dual.#m)),
            false => quote!(<#ty as #lift>::tangent_part(&dual.#m)),
        }
    });
    let promoted = build(&twin, quote!(self), &|f| {
        let m = &f.member;
        quote!(#rt::dual::Promote::<__S>::promote(&self.#m))
    });
    let promote_bounds = fields.iter().filter(|f| !kept(f)).map(|f| {
        let ty = &f.ty;
        quote!(#ty: #rt::dual::Promote<__S, Out = <#ty as #lift>::Dual>)
    });
    quote! {
        #[doc(hidden)]
        #[derive(Clone)]
        #[allow(non_camel_case_types, dead_code)]
        #definition

        #twin_impls

        #[automatically_derived]
        impl #lift for #name {
            type Dual = #twin;
            type Tangent = #name;
            #[inline]
            fn lift(&self, direction: &#name) -> #twin {
                #lifted
            }
            #[inline]
            fn tangent_part(dual: &#twin) -> #name {
                #tangent_part
            }
        }

        /// A twin is dual already (a caller's second sweep passes it on).
        #[automatically_derived]
        impl<__S> #rt::dual::Promote<__S> for #twin {
            type Out = #twin;
            #[inline]
            fn promote(&self) -> #twin {
                ::core::clone::Clone::clone(self)
            }
        }

        #[automatically_derived]
        impl<__S> #rt::dual::Promote<__S> for #name where #(#promote_bounds,)* {
            type Out = #twin;
            #[inline]
            fn promote(&self) -> #twin {
                #promoted
            }
        }
    }
}
