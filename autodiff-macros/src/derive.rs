//! `#[derive(Differentiable)]`: a struct's tangent space, field by field.
//!
//! A struct's tangent is the struct itself (JAX's pytrees): zero, sum,
//! scaling and the flat view of its scalar components are those of its
//! fields, in declaration order. A field marked `#[differentiable(skip)]` is
//! a static leaf: it needs only `Clone`, and in a tangent or gradient it
//! holds the primal's value. Fields of tuple structs also get
//! `FieldRule<K>`, so that `p.0` differentiates as a tuple's field does;
//! named fields need nothing more (generated code reaches them through
//! accessor closures, `rules::member`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Member, Type};

use crate::errors::Errors;

/// One field of the struct.
pub(crate) struct Field {
    pub(crate) member: Member,
    pub(crate) ty: Type,
    pub(crate) skip: bool,
    pub(crate) vis: syn::Visibility,
}

/// Expands the derive, or its errors.
pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let fields = fields(&input, &mut errors);
    if !errors.is_empty() {
        return errors.to_compile_errors();
    }
    let impls = impls(&input, &fields);
    let twin = crate::twin::items(&input, &fields);
    quote!(#impls #twin)
}

/// The tangent-space impls of a struct with these fields (also of its
/// dual twin, `twin`).
pub(crate) fn impls(input: &DeriveInput, fields: &[Field]) -> TokenStream {
    let Some(first) = fields.iter().find(|f| !f.skip) else {
        return syn::Error::new_spanned(
            &input.ident,
            format!(
                "`{}` has no differentiable field: every field is `#[differentiable(skip)]`; keep at least one float field, or pass the struct as a static argument",
                input.ident
            ),
        )
        .to_compile_error();
    };
    let rt = crate::emit::runtime();
    let tangent = quote!(#rt::tangent::Tangent);
    let first_ty = &first.ty;
    let scalar = quote!(<#first_ty as #tangent>::Scalar);

    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut bounds: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    let generic = input.generics.type_params().next().is_some();
    let first_text = quote!(#first_ty).to_string();
    for f in fields {
        let ty = &f.ty;
        // A generic field's scalar type must be stated to agree with the
        // first field's (`[T; 2]` and `T`); for concrete types rustc sees
        // it, and a bound on a type and itself would make it recurse.
        if generic && !f.skip && quote!(#ty).to_string() != first_text {
            bounds.push(quote_spanned!(ty.span()=> #ty: #tangent<Scalar = #scalar>));
        }
        // Spanned on the field's type: a field without a tangent space is
        // reported there.
        bounds.push(match f.skip {
            true => quote_spanned!(ty.span()=> #ty: ::core::clone::Clone),
            false => quote_spanned!(ty.span()=> #ty: #tangent + #rt::buffer::Buffer),
        });
    }
    let where_clause = quote!(where #(#bounds,)*);

    let each = |active: &dyn Fn(&Member) -> TokenStream,
                skipped: &dyn Fn(&Member) -> TokenStream| {
        let inits = fields.iter().map(|f| {
            let m = &f.member;
            let value = match f.skip {
                true => skipped(m),
                false => active(m),
            };
            quote!(#m: #value)
        });
        quote!(Self { #(#inits,)* })
    };
    let zero_like = each(
        &|m| quote!(#tangent::zero_like(&self.#m)),
        &|m| quote!(::core::clone::Clone::clone(&self.#m)),
    );
    let add = each(
        &|m| quote!(#tangent::add(self.#m, other.#m)),
        &|m| quote!(self.#m),
    );
    let scale = each(
        &|m| quote!(#tangent::scale(self.#m, factor)),
        &|m| quote!(self.#m),
    );
    let take = each(
        &|m| quote!(#rt::buffer::Buffer::take(&mut self.#m)),
        &|m| quote!(::core::clone::Clone::clone(&self.#m)),
    );
    let static_names: Vec<String> = fields
        .iter()
        .filter(|f| f.skip)
        .map(|f| member_name(&f.member))
        .collect();
    let is_static = match static_names.is_empty() {
        true => quote!({
            let _ = field;
            false
        }),
        false => quote!(::core::matches!(field, #(#static_names)|*)),
    };
    let active: Vec<&Member> = fields
        .iter()
        .filter(|f| !f.skip)
        .map(|f| &f.member)
        .collect();
    let component = quote! {
        #(
            let d = #tangent::dim(&self.#active);
            if i < d {
                return #tangent::component(&self.#active, i);
            }
            i -= d;
        )*
    };
    let set_component = quote! {
        #(
            let d = #tangent::dim(&self.#active);
            if i < d {
                return #tangent::set_component(&mut self.#active, i, value);
            }
            i -= d;
        )*
    };
    let field_rules = fields.iter().filter_map(|f| {
        let Member::Unnamed(k) = &f.member else {
            return None;
        };
        let (ty, k_lit, skip) = (&f.ty, k.index as usize, f.skip);
        Some(quote! {
            impl #impl_generics #rt::rules::FieldRule<#k_lit> for #name #ty_generics #where_clause {
                type Elem = #ty;
                const STATIC: bool = #skip;
                #[inline(always)]
                fn field_ref(&self) -> &#ty {
                    &self.#k
                }
                #[inline(always)]
                fn field_mut(&mut self) -> &mut #ty {
                    &mut self.#k
                }
            }
        })
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #tangent for #name #ty_generics #where_clause {
            type Scalar = #scalar;
            #[inline]
            fn zero_like(&self) -> Self {
                #zero_like
            }
            #[inline]
            fn add(self, other: Self) -> Self {
                #add
            }
            #[inline]
            fn scale(self, factor: Self::Scalar) -> Self {
                #scale
            }
            #[inline]
            fn dim(&self) -> usize {
                0 #(+ #tangent::dim(&self.#active))*
            }
            #[inline]
            #[allow(unused_assignments)]
            fn component(&self, mut i: usize) -> Self::Scalar {
                #component
                ::core::panic!("component index out of range")
            }
            #[inline]
            #[allow(unused_assignments)]
            fn set_component(&mut self, mut i: usize, value: Self::Scalar) {
                #set_component
                ::core::panic!("component index out of range")
            }
        }

        #[automatically_derived]
        impl #impl_generics #rt::tangent::HasTangent for #name #ty_generics #where_clause {
            type Tangent = Self;
            type Shape = Self;
            #[inline]
            fn zero_tangent(&self) -> Self {
                #tangent::zero_like(self)
            }
            #[inline]
            fn shape(&self) -> Self {
                #tangent::zero_like(self)
            }
            #[inline]
            fn zero_of(shape: &Self) -> Self {
                ::core::clone::Clone::clone(shape)
            }
        }

        #[automatically_derived]
        impl #impl_generics #rt::rules::StaticFields for #name #ty_generics #where_clause {
            #[inline(always)]
            fn is_static(field: &str) -> bool {
                #is_static
            }
        }

        #[automatically_derived]
        impl #impl_generics #rt::buffer::Buffer for #name #ty_generics #where_clause {
            #[inline]
            fn take(&mut self) -> Self {
                #take
            }
        }

        #(#[automatically_derived] #field_rules)*
    }
}

/// The struct's fields, or errors: on an enum or union, and on
/// `#[differentiable(..)]` options other than `skip`.
fn fields(input: &DeriveInput, errors: &mut Errors) -> Vec<Field> {
    let data = match &input.data {
        Data::Struct(s) => s,
        Data::Enum(e) => {
            errors.at(
                e.enum_token.span,
                format!("`Differentiable` can be derived for structs only: the variants of `{}` have no common tangent space; put the differentiable values in a struct (one field per value) and keep the enum as a static argument", input.ident),
            );
            return Vec::new();
        }
        Data::Union(u) => {
            errors.at(
                u.union_token.span,
                "`Differentiable` can be derived for structs only, not unions",
            );
            return Vec::new();
        }
    };
    let fields: Vec<&syn::Field> = match &data.fields {
        Fields::Named(f) => f.named.iter().collect(),
        Fields::Unnamed(f) => f.unnamed.iter().collect(),
        Fields::Unit => Vec::new(),
    };
    fields
        .iter()
        .enumerate()
        .map(|(k, f)| Field {
            member: match &f.ident {
                Some(id) => Member::Named(id.clone()),
                None => Member::Unnamed(syn::Index {
                    index: k as u32,
                    span: f.ty.span(),
                }),
            },
            ty: f.ty.clone(),
            skip: skipped(&f.attrs, errors),
            vis: f.vis.clone(),
        })
        .collect()
}

/// Whether the field carries `#[differentiable(skip)]`.
fn skipped(attrs: &[syn::Attribute], errors: &mut Errors) -> bool {
    let mut skip = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("differentiable")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error("unknown option of `#[differentiable(..)]`; the one option is `skip`, for a static field (its value is kept in tangents and gradients)"))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    skip
}

/// A field's name as generated code passes it to the rules (`"w"`, `"0"`).
pub fn member_name(member: &Member) -> String {
    match member {
        Member::Named(id) => id.to_string(),
        Member::Unnamed(k) => k.index.to_string(),
    }
}
