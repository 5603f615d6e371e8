//! `#[vectorize]`: batched variants of a function (JAX's `vmap`).
//!
//! Each batched function is a loop over the examples that calls the plain
//! function (or, beside `#[differentiate]`, its derivatives) once per
//! example; the loops themselves are the runtime's (`batch`, and the
//! facade's `parallel` for the multi-core forms), so each generated
//! function is a few lines. An argument `x: T` or `x: &T` is batched as
//! `&[T]` (`x: &[E]` as `&[&[E]]`); arguments named in `broadcast(..)`, the
//! receiver, and static arguments (integers, `bool`, `char`) are shared by
//! every example.
//!
//! With `#[differentiate]` on the same function, in either order, the
//! batched items go into the module `#[differentiate]` emits (two modules
//! of one name would clash): `#[vectorize]` placed first moves itself after
//! `#[differentiate]`, which takes it off the function (`take`) and adds
//! the batched forms of the plain function and of its derivatives.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{FnArg, Ident, ItemFn, ReturnType, Token, Type};

use crate::errors::Errors;
use crate::types::{classify, TypeClass};

/// The options of `#[vectorize(..)]`.
#[derive(Default)]
pub struct Options {
    /// `broadcast(a, b)`: arguments shared by every example.
    broadcast: Vec<Ident>,
}

/// One option as written.
enum RawOption {
    Broadcast(Ident, Punctuated<Ident, Token![,]>),
    Unknown(Ident),
}

impl Parse for RawOption {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key = Ident::parse_any(input)?;
        if key == "broadcast" && input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let names = content.parse_terminated(Ident::parse_any, Token![,])?;
            return Ok(RawOption::Broadcast(key, names));
        }
        crate::attr::skip_value(input)?;
        Ok(RawOption::Unknown(key))
    }
}

/// Parses `#[vectorize(..)]`'s tokens, recording every problem.
pub fn parse(tokens: TokenStream, errors: &mut Errors) -> Options {
    let raw: Vec<RawOption> = crate::attr::list(tokens, errors);
    let mut options = Options::default();
    for option in raw {
        match option {
            RawOption::Broadcast(key, names) => {
                if names.is_empty() {
                    errors.on(&key, "`broadcast()` names no argument; list the arguments every example shares, e.g. `broadcast(weights)`");
                }
                options.broadcast.extend(names);
            }
            RawOption::Unknown(key) => errors.on(
                &key,
                format!("unknown option `{key}`; `#[vectorize]` accepts `broadcast(arg, ..)`"),
            ),
        }
    }
    options
}

/// Whether `attr` is `#[<path ending in name>(..)]`.
pub fn is_attribute(attr: &syn::Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

/// Takes `#[vectorize(..)]` off `func` (for `#[differentiate]`, which then
/// emits the batched items), with its options.
pub fn take(func: &mut ItemFn, errors: &mut Errors) -> Option<Options> {
    let at = func
        .attrs
        .iter()
        .position(|a| is_attribute(a, "vectorize"))?;
    let attr = func.attrs.remove(at);
    let tokens = match &attr.meta {
        syn::Meta::Path(_) => TokenStream::new(),
        syn::Meta::List(list) => list.tokens.clone(),
        syn::Meta::NameValue(nv) => {
            errors.on(nv, "write `#[vectorize]` or `#[vectorize(broadcast(..))]`");
            TokenStream::new()
        }
    };
    Some(parse(tokens, errors))
}

/// Expands `#[vectorize(attr)] item`.
pub fn vectorize(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let Ok(mut func) = syn::parse2::<ItemFn>(item.clone()) else {
        errors.at(
            Span::call_site(),
            "`#[vectorize]` applies to a function such as `fn f(x: f64) -> f64 { .. }`",
        );
        let errors = errors.to_compile_errors();
        return quote!(#item #errors);
    };
    // `#[differentiate]` further down expands after this one: hand the
    // options to it, placed after it, so that it emits one module.
    if let Some(at) = func
        .attrs
        .iter()
        .position(|a| is_attribute(a, "differentiate"))
    {
        let differentiate = func.attrs.remove(at);
        return quote! {
            #differentiate
            #[::autodiff::vectorize(#attr)]
            #func
        };
    }
    let options = parse(attr, &mut errors);
    let batch = Batch::new(&func, &options, &mut errors);
    // With errors, no batched function: its signature may not be valid
    // Rust, and the user should see only the errors.
    if !errors.is_empty() {
        let errors = errors.to_compile_errors();
        return quote!(#func #errors);
    }
    let items = batch.items(None);
    if func.sig.receiver().is_some() {
        func.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
        return quote!(#func #items);
    }
    let (name, vis) = (&func.sig.ident, &func.vis);
    let doc = format!("Batched forms of [`{name}`](fn@{name}), generated by `#[vectorize]`.");
    quote! {
        #func
        #[doc = #doc]
        #[allow(unused, non_snake_case, clippy::all, clippy::pedantic, clippy::nursery)]
        #vis mod #name {
            use super::*;
            const _: () = { let _ = super::#name; };
            #items
        }
    }
}

/// One argument of the batched functions.
struct Arg {
    name: Ident,
    /// Its type in the batched functions: `&[T]` for a batched argument,
    /// its own for a shared one.
    ty: TokenStream,
    /// Whether it is batched (not shared by every example).
    batched: bool,
    /// What the call for example `i` passes.
    per_example: TokenStream,
}

/// What the derivative forms need from `#[differentiate]`.
pub struct Derivatives {
    /// `grad`'s type, when the output is a scalar (otherwise there is no
    /// gradient to batch).
    pub grad_ty: Option<TokenStream>,
    /// The tangent type of each differentiable argument, in order.
    pub tangent_tys: Vec<TokenStream>,
}

/// The batched forms of one function.
pub struct Batch {
    name: Ident,
    vis: syn::Visibility,
    is_method: bool,
    receiver: Option<syn::Receiver>,
    args: Vec<Arg>,
    /// Every argument's name and type, for `batched_jvp`'s primals.
    all: Vec<(Ident, Type)>,
    ret_ty: TokenStream,
}

impl Batch {
    /// Reads the signature, recording what cannot be batched.
    pub fn new(func: &ItemFn, options: &Options, errors: &mut Errors) -> Self {
        let sig = &func.sig;
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            errors.on(
                &sig.generics,
                "`#[vectorize]` does not take generic functions yet; write the function for concrete types",
            );
        }
        if let Some(asyncness) = &sig.asyncness {
            errors.on(asyncness, "`#[vectorize]` cannot batch an `async fn`");
        }
        let mut args = Vec::new();
        let mut all = Vec::new();
        let mut receiver = None;
        for input in &sig.inputs {
            let typed = match input {
                FnArg::Receiver(r) => {
                    if r.reference.is_none() || r.mutability.is_some() {
                        errors.on(
                            r,
                            "`#[vectorize]` shares the receiver across the batch and needs `&self`",
                        );
                    }
                    receiver = Some(r.clone());
                    continue;
                }
                FnArg::Typed(t) => t,
            };
            let Some(name) = crate::signature::arg_name(typed, errors) else {
                continue;
            };
            let ty = (*typed.ty).clone();
            all.push((name.clone(), ty.clone()));
            let shared = options.broadcast.contains(&name) || classify(&ty) == TypeClass::Static;
            let arg = match (&ty, shared) {
                (Type::Reference(r), _) if r.mutability.is_some() => {
                    errors.on(&ty, format!("`#[vectorize]` does not take `&mut` arguments: the examples would write through one `{name}`; return what the function computes instead"));
                    continue;
                }
                (Type::ImplTrait(_), _) => {
                    errors.on(
                        &ty,
                        "`#[vectorize]` does not take `impl Trait` arguments; name the type",
                    );
                    continue;
                }
                (_, true) => {
                    let per_example = match &ty {
                        Type::Reference(_) => quote!(#name),
                        _ => quote!(::core::clone::Clone::clone(&#name)),
                    };
                    Arg {
                        ty: quote!(#ty),
                        batched: false,
                        per_example,
                        name,
                    }
                }
                // `x: &[E]` (or `&str`): a batch of slices.
                (Type::Reference(r), false) if unsized_elem(&r.elem) => Arg {
                    ty: quote!(&[#ty]),
                    batched: true,
                    per_example: quote!(#name[__i]),
                    name,
                },
                (Type::Reference(r), false) => {
                    let elem = &r.elem;
                    Arg {
                        ty: quote!(&[#elem]),
                        batched: true,
                        per_example: quote!(&#name[__i]),
                        name,
                    }
                }
                (_, false) => Arg {
                    ty: quote!(&[#ty]),
                    batched: true,
                    per_example: quote!(::core::clone::Clone::clone(&#name[__i])),
                    name,
                },
            };
            args.push(arg);
        }
        for b in &options.broadcast {
            if !all.iter().any(|(n, _)| n == b) {
                let names: Vec<String> = all.iter().map(|(n, _)| format!("`{n}`")).collect();
                errors.on(
                    b,
                    format!(
                        "`broadcast` names `{b}`, which is not an argument of `{}`; its arguments are {}",
                        sig.ident,
                        names.join(", ")
                    ),
                );
            }
        }
        if errors.is_empty() && !args.iter().any(|a| a.batched) {
            errors.on(&sig.ident, format!("`{}` has no batched argument: every argument is broadcast or static; batch at least one (leave it out of `broadcast(..)`)", sig.ident));
        }
        let ret_ty = match &sig.output {
            ReturnType::Default => quote!(()),
            ReturnType::Type(_, ty) => quote!(#ty),
        };
        Batch {
            name: sig.ident.clone(),
            vis: func.vis.clone(),
            is_method: receiver.is_some(),
            receiver,
            args,
            all,
            ret_ty,
        }
    }

    /// A generated function's name: `kind`, or `<name>_kind` for a method.
    fn fn_name(&self, kind: &str) -> Ident {
        match self.is_method {
            true => format_ident!("{}_{}", self.name, kind),
            false => format_ident!("{}", kind),
        }
    }

    /// The call of `callee` (the function itself, or a generated
    /// derivative) on example `__i`.
    fn call(&self, callee: Option<&str>) -> TokenStream {
        let name = &self.name;
        let args = self.args.iter().map(|a| &a.per_example);
        match (self.is_method, callee) {
            (true, None) => quote!(self.#name(#(#args),*)),
            (true, Some(kind)) => {
                let f = format_ident!("{}_{}", name, kind);
                quote!(self.#f(#(#args),*))
            }
            (false, None) => quote!(super::#name(#(#args),*)),
            (false, Some(kind)) => {
                let f = format_ident!("{}", kind);
                quote!(#f(#(#args),*))
            }
        }
    }

    /// The batched functions: of the function, and of its derivatives when
    /// `derivatives` says what they are.
    pub fn items(&self, derivatives: Option<&Derivatives>) -> TokenStream {
        let rt = crate::emit::runtime();
        let name = &self.name;
        let vis = match self.is_method {
            true => self.vis.clone(),
            false => syn::parse_quote!(pub),
        };
        let receiver = self.receiver.as_ref().map(|r| quote!(#r,));
        let params = self.args.iter().map(|a| {
            let (n, t) = (&a.name, &a.ty);
            quote!(#n: #t)
        });
        // Each parameter with its comma, so that the outputs can follow.
        let params = quote!(#receiver #(#params,)*);
        let lengths = self.args.iter().filter(|a| a.batched).map(|a| {
            let (n, text) = (&a.name, a.name.to_string());
            quote!((#text, #n.len()))
        });
        let lengths = quote!(&[#(#lengths),*]);
        let i = Ident::new("__i", Span::call_site());
        let (out, values, grads) = (
            Ident::new("out", Span::mixed_site()),
            Ident::new("values", Span::mixed_site()),
            Ident::new("grads", Span::mixed_site()),
        );
        let ret_ty = &self.ret_ty;
        let alloc = cfg!(feature = "alloc");
        let parallel = cfg!(feature = "parallel");
        let allow = quote!(#[allow(clippy::too_many_arguments, clippy::redundant_clone)]);

        // Each form: its name's suffix, what it computes, the call on
        // example `__i`, and its results (one, or a value and a gradient).
        let mut forms = vec![(
            "",
            format!("`{name}`"),
            self.call(None),
            vec![(out.clone(), ret_ty.clone())],
        )];
        if let Some(grad_ty) = derivatives.and_then(|d| d.grad_ty.as_ref()) {
            forms.push((
                "_grad",
                format!("the gradient of `{name}`"),
                self.call(Some("grad")),
                vec![(out.clone(), grad_ty.clone())],
            ));
            forms.push((
                "_value_and_grad",
                format!("the value and gradient of `{name}`"),
                self.call(Some("value_and_grad")),
                vec![(values, ret_ty.clone()), (grads, grad_ty.clone())],
            ));
        }
        let mut items = TokenStream::new();
        for (suffix, what, call, outs) in forms {
            let batched = self.fn_name(&format!("batched{suffix}"));
            let into = self.fn_name(&format!("batched{suffix}_into"));
            let out_params = outs.iter().map(|(n, t)| quote!(#n: &mut [#t]));
            let out_params = quote!(#(#out_params),*);
            let vecs = outs.iter().map(|(_, t)| quote!(#rt::Vec<#t>));
            let (collect, fill, out_args, out_ty) = match outs.as_slice() {
                [(n, _)] => (quote!(collect), quote!(fill), quote!(#n), quote!(#(#vecs)*)),
                _ => {
                    let names = outs.iter().map(|(n, _)| n);
                    (
                        quote!(collect_pairs),
                        quote!(fill_pairs),
                        quote!((#(#names),*)),
                        quote!((#(#vecs),*)),
                    )
                }
            };
            let doc_into = format!("{what} for each example, written into the caller's buffers (one entry per example); allocates nothing. Panics if the batched arguments' lengths, or the buffers', differ.");
            items.extend(quote! {
                #[doc = #doc_into]
                #[inline]
                #allow
                #vis fn #into(#params #out_params) {
                    let __len = #rt::batch::length(#lengths);
                    #rt::batch::#fill(__len, #out_args, |#i| #call)
                }
            });
            if alloc {
                let doc = format!("{what} for each example, in order (the plain call's result, bit for bit). Panics if the batched arguments' lengths differ, naming them.");
                items.extend(quote! {
                    #[doc = #doc]
                    #[inline]
                    #allow
                    #vis fn #batched(#params) -> #out_ty {
                        let __len = #rt::batch::length(#lengths);
                        #rt::batch::#collect(__len, |#i| #call)
                    }
                });
            }
            if alloc && suffix.is_empty() {
                let try_fn = self.fn_name("try_batched");
                let doc =
                    format!("{what} for each example, or which batched arguments' lengths differ.");
                items.extend(quote! {
                    #[doc = #doc]
                    #[inline]
                    #allow
                    #vis fn #try_fn(#params) -> ::core::result::Result<#out_ty, #rt::batch::BatchError> {
                        let __len = #rt::batch::try_length(#lengths)?;
                        ::core::result::Result::Ok(#rt::batch::#collect(__len, |#i| #call))
                    }
                });
            }
            if parallel {
                let par = self.fn_name(&format!("batched{suffix}_par"));
                let par_into = self.fn_name(&format!("batched{suffix}_par_into"));
                let doc = format!("{what} for each example, on all cores (rayon); the same results in the same order as the sequential form, bit for bit.");
                let doc_into = format!(
                    "{what} for each example, on all cores, written into the caller's buffers."
                );
                items.extend(quote! {
                    #[doc = #doc]
                    #[inline]
                    #allow
                    #vis fn #par(#params) -> #out_ty {
                        let __len = #rt::batch::length(#lengths);
                        #rt::parallel::#collect(__len, |#i| #call)
                    }

                    #[doc = #doc_into]
                    #[inline]
                    #allow
                    #vis fn #par_into(#params #out_params) {
                        let __len = #rt::batch::length(#lengths);
                        #rt::parallel::#fill(__len, #out_args, |#i| #call)
                    }
                });
            }
        }
        if let (Some(d), true) = (derivatives, alloc) {
            items.extend(self.batched_jvp(d));
        }
        items
    }

    /// `batched_jvp(primals, tangents)`: one linearization at the point,
    /// then one tangent pass per tangent in the batch (`vmap` over
    /// tangents, as JAX builds `jacfwd`).
    fn batched_jvp(&self, d: &Derivatives) -> TokenStream {
        let rt = crate::emit::runtime();
        let vis = match self.is_method {
            true => self.vis.clone(),
            false => syn::parse_quote!(pub),
        };
        let name = &self.name;
        let f = self.fn_name("batched_jvp");
        let lin = self.fn_name("linearize");
        let receiver = self.receiver.as_ref().map(|r| quote!(#r,));
        let (names, tys): (Vec<&Ident>, Vec<&Type>) = self.all.iter().map(|(n, t)| (n, t)).unzip();
        let tangent_tys = &d.tangent_tys;
        let ret_ty = &self.ret_ty;
        let (primals, tangents) = (
            Ident::new("primals", Span::mixed_site()),
            Ident::new("tangents", Span::mixed_site()),
        );
        let lin_call = match self.is_method {
            true => quote!(self.#lin(#(#names),*)),
            false => quote!(#lin(#(#names),*)),
        };
        let doc = format!("The tangent of `{name}`'s output for each tangent in the batch, at one point (`vmap` of `jvp` over tangents): one primal pass, then one tangent pass per tangent. `primals` holds every argument in order, each of `tangents` one tangent per differentiable argument.");
        quote! {
            #[doc = #doc]
            #[inline]
            #vis fn #f(#receiver #primals: (#(#tys,)*), #tangents: &[(#(#tangent_tys,)*)]) -> (#ret_ty, #rt::Vec<#ret_ty>) {
                let (#(#names,)*) = #primals;
                let (__value, __push) = #lin_call;
                let __outs = #rt::batch::collect(#tangents.len(), |__i| __push(::core::clone::Clone::clone(&#tangents[__i])));
                (__value, __outs)
            }
        }
    }
}

/// Whether `&ty` is a reference to an unsized type (`[E]`, `str`), batched
/// as a slice of references.
fn unsized_elem(ty: &Type) -> bool {
    match ty {
        Type::Slice(_) => true,
        Type::Path(p) => p.qself.is_none() && p.path.is_ident("str"),
        Type::Paren(p) => unsized_elem(&p.elem),
        _ => false,
    }
}
