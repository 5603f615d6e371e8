//! What the macro can tell about a type from its spelling.
//!
//! A proc macro sees no types, only their names, so differentiable types are
//! recognised by spelling: `f32`, `f64`, arrays of differentiable types,
//! nalgebra's matrix and vector types and aliases, `Vec`, slices and shared
//! references to any of these. The same spelling gives the type of a
//! gradient (owned: `&[f64]` has `Vec<f64>` gradients), the number of scalar
//! components when it is fixed (to type Jacobians as `SMatrix`), and the
//! scalar type.

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{GenericArgument, PathArguments, Type};

/// The generic parameters of the function being expanded that the spelling
/// of its types cannot explain by itself.
#[derive(Clone, Default)]
struct Generic {
    /// Type parameters bounded by a float trait (`T` in `fn f<T: Real>`):
    /// spelled like a struct's name, they are told apart by their bounds.
    floats: Vec<String>,
    /// Const parameters (`N` in `[f64; N]`): sizes built from them cannot
    /// be computed in a type on stable Rust (`{ 2 * N }` needs
    /// `generic_const_exprs`), only named.
    consts: Vec<String>,
    /// Every type and const parameter: not a struct's name.
    names: Vec<String>,
}

thread_local! {
    static GENERIC: RefCell<Generic> = RefCell::new(Generic::default());
}

/// The trait names that make a type parameter the float type: the
/// library's `Real` and `Float`, nalgebra's `RealField` and `ComplexField`,
/// num-traits' `Float`.
const FLOAT_BOUNDS: &[&str] = &["Real", "Float", "RealField", "ComplexField"];

/// Whether a bound names one of `FLOAT_BOUNDS`.
fn is_float_bound(bound: &syn::TypeParamBound) -> bool {
    matches!(bound, syn::TypeParamBound::Trait(t)
        if t.path.segments.last().is_some_and(|s| FLOAT_BOUNDS.contains(&s.ident.to_string().as_str())))
}

/// The type parameters of `generics` that a float bound makes the float
/// type, inline (`<T: Real>`) or in the where clause.
pub fn float_params(generics: &syn::Generics) -> Vec<syn::Ident> {
    let in_where = |ident: &syn::Ident| {
        generics.where_clause.iter().flat_map(|w| &w.predicates).any(|p| match p {
            syn::WherePredicate::Type(t) => {
                matches!(&t.bounded_ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident(ident))
                    && t.bounds.iter().any(is_float_bound)
            }
            _ => false,
        })
    };
    generics
        .type_params()
        .filter(|t| t.bounds.iter().any(is_float_bound) || in_where(&t.ident))
        .map(|t| t.ident.clone())
        .collect()
}

/// Runs `f` with the generic parameters of `generics` known to the
/// functions of this module, which read types by their spelling.
pub fn with_generics<R>(generics: &syn::Generics, f: impl FnOnce() -> R) -> R {
    let generic = Generic {
        floats: float_params(generics)
            .iter()
            .map(ToString::to_string)
            .collect(),
        consts: generics
            .const_params()
            .map(|c| c.ident.to_string())
            .collect(),
        names: generics
            .type_params()
            .map(|t| t.ident.to_string())
            .chain(generics.const_params().map(|c| c.ident.to_string()))
            .collect(),
    };
    let outer = GENERIC.with(|g| g.replace(generic));
    let result = f();
    GENERIC.with(|g| g.replace(outer));
    result
}

/// The class of a type, as far as differentiation is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeClass {
    /// Carries derivatives: floats and containers of them.
    Differentiable,
    /// Integers, `bool`, `char` and shared references to them.
    Static,
    /// Anything else.
    Unknown,
}

/// nalgebra aliases with their fixed shape (rows, columns).
fn nalgebra_alias(name: &str) -> Option<(usize, usize)> {
    let digit = |s: &str| s.parse::<usize>().ok().filter(|d| (1..=6).contains(d));
    if let Some(n) = name.strip_prefix("RowVector").and_then(digit) {
        return Some((1, n));
    }
    if let Some(n) = name.strip_prefix("Vector").and_then(digit) {
        return Some((n, 1));
    }
    let rest = name.strip_prefix("Matrix")?;
    if let Some(n) = digit(rest) {
        return Some((n, n));
    }
    let (r, c) = rest.split_once('x')?;
    Some((digit(r)?, digit(c)?))
}

/// The last path segment's name and generic arguments of a path type.
fn path_parts(ty: &Type) -> Option<(String, Vec<&GenericArgument>)> {
    let p = match ty {
        Type::Path(p) => p,
        // A type passed through `macro_rules!` (`$t:ty`) arrives grouped.
        Type::Group(g) => return path_parts(&g.elem),
        Type::Paren(p) => return path_parts(&p.elem),
        _ => return None,
    };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    let args = match &last.arguments {
        PathArguments::AngleBracketed(a) => a.args.iter().collect(),
        _ => Vec::new(),
    };
    Some((last.ident.to_string(), args))
}

fn type_arg<'a>(args: &[&'a GenericArgument], i: usize) -> Option<&'a Type> {
    match args.get(i)? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// A const generic argument as an expression (`3`, `N`, `{ 2 * K }`).
fn const_arg(args: &[&GenericArgument], i: usize) -> Option<TokenStream> {
    match args.get(i)? {
        GenericArgument::Const(e) => Some(e.to_token_stream()),
        // A const parameter's name parses as a type path; other types
        // (`!`, `&T`) are no size and would not parse as an expression.
        GenericArgument::Type(t @ Type::Path(p)) if p.qself.is_none() => Some(t.to_token_stream()),
        _ => None,
    }
}

/// Whether the type is `f32` or `f64` (an output `grad` applies to).
pub fn is_scalar(ty: &Type) -> bool {
    is_float(ty)
}

fn is_float(ty: &Type) -> bool {
    matches!(path_parts(ty), Some((n, a)) if a.is_empty() && (n == "f32" || n == "f64" || is_float_param(&n)))
}

/// Whether `name` is a struct's name to the second sweep: not `Self` and
/// not a generic parameter (`N` of `SVector<T, N>` parses as a type).
fn is_twin_struct(name: &str) -> bool {
    is_struct_name(name)
        && name != "Self"
        && !GENERIC.with(|g| g.borrow().names.iter().any(|n| n == name))
}

fn is_float_param(name: &str) -> bool {
    GENERIC.with(|g| g.borrow().floats.iter().any(|f| f == name))
}

/// Whether `tokens` name one of the function's const parameters.
fn mentions_const_param(tokens: &TokenStream) -> bool {
    GENERIC.with(|g| {
        let consts = &g.borrow().consts;
        tokens.clone().into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => consts.iter().any(|c| i == c),
            proc_macro2::TokenTree::Group(g) => mentions_const_param(&g.stream()),
            _ => false,
        })
    })
}

fn is_static_name(name: &str) -> bool {
    matches!(
        name,
        "i8" | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "bool"
            | "char"
    )
}

/// Classifies a type by its spelling.
pub fn classify(ty: &Type) -> TypeClass {
    match ty {
        Type::Paren(p) => classify(&p.elem),
        Type::Group(g) => classify(&g.elem),
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Slice(s) => classify(&s.elem),
            elem => classify(elem),
        },
        Type::Tuple(t)
            if (1..=4).contains(&t.elems.len())
                && t.elems
                    .iter()
                    .all(|e| classify(e) == TypeClass::Differentiable) =>
        {
            TypeClass::Differentiable
        }
        Type::Array(a) => match classify(&a.elem) {
            TypeClass::Differentiable => TypeClass::Differentiable,
            TypeClass::Static => TypeClass::Static,
            TypeClass::Unknown => TypeClass::Unknown,
        },
        Type::Path(_) => {
            let Some((name, args)) = path_parts(ty) else {
                return TypeClass::Unknown;
            };
            let matrix = is_matrix(&name) && type_arg(&args, 0).is_some_and(is_float);
            let vec = name == "Vec"
                && type_arg(&args, 0).is_some_and(|t| classify(t) == TypeClass::Differentiable);
            if is_float(ty) || matrix || vec || is_struct_name(&name) {
                TypeClass::Differentiable
            } else if args.is_empty() && is_static_name(&name) {
                TypeClass::Static
            } else {
                TypeClass::Unknown
            }
        }
        _ => TypeClass::Unknown,
    }
}

/// Whether a type name is a user's struct, which is differentiable if it
/// has `#[derive(Differentiable)]`: a capitalised name (Rust's convention
/// for types) other than the standard library's types that hold no floats
/// a derivative could flow through, or are not owned values. The macro
/// cannot see the derive; without it rustc reports the missing trait on
/// the argument (`HasTangent`'s message says to derive it or to use
/// `wrt(..)`).
fn is_struct_name(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
        && !is_matrix(name)
        && !matches!(
            name,
            "String"
                | "Option"
                | "Result"
                | "Box"
                | "Rc"
                | "Arc"
                | "Cell"
                | "RefCell"
                | "HashMap"
                | "HashSet"
                | "BTreeMap"
                | "BTreeSet"
                | "VecDeque"
                | "Range"
                | "RangeInclusive"
                | "Vec"
                | "PhantomData"
        )
}

fn is_matrix(name: &str) -> bool {
    matches!(
        name,
        "SVector"
            | "SMatrix"
            | "DVector"
            | "DMatrix"
            | "RowSVector"
            | "RowDVector"
            | "OVector"
            | "OMatrix"
    ) || nalgebra_alias(name).is_some()
}

/// Whether the type is a nalgebra matrix or vector (or a reference to one).
pub fn is_matrix_type(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_matrix_type(&r.elem),
        _ => path_parts(ty).is_some_and(|(name, _)| is_matrix(&name)),
    }
}

/// The owned type of gradients and tangents of a differentiable type.
pub fn owned(ty: &Type, runtime: &TokenStream) -> TokenStream {
    match ty {
        Type::Paren(p) => owned(&p.elem, runtime),
        Type::Group(g) => owned(&g.elem, runtime),
        Type::Reference(r) => match &*r.elem {
            Type::Slice(s) => {
                let elem = owned(&s.elem, runtime);
                quote!(#runtime::Vec<#elem>)
            }
            elem => owned(elem, runtime),
        },
        Type::Tuple(t) => {
            let elems = t.elems.iter().map(|e| owned(e, runtime));
            quote!((#(#elems,)*))
        }
        other => other.to_token_stream(),
    }
}

/// Whether a differentiable argument's type can be lifted to dual numbers
/// for second derivatives: floats, arrays of them, `Vec`s and slices of
/// them, nalgebra matrices of floats, structs (not generic ones: their
/// derive writes a dual twin, `twin.rs`), and shared references to these.
pub fn liftable(ty: &Type) -> bool {
    lifts(ty, true)
}

/// Whether the type holds floats only (floats, arrays, `Vec`s and nalgebra
/// matrices of them): [`liftable`] without structs. A struct's static field
/// of such a type is a dual constant in its twin, so that the second sweep
/// computes with it as with any other value of the type.
pub fn float_valued(ty: &Type) -> bool {
    lifts(ty, false)
}

fn lifts(ty: &Type, structs: bool) -> bool {
    match ty {
        Type::Paren(p) => lifts(&p.elem, structs),
        Type::Group(g) => lifts(&g.elem, structs),
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Slice(s) => lifts(&s.elem, structs),
            elem => lifts(elem, structs),
        },
        Type::Array(a) => lifts(&a.elem, structs),
        Type::Tuple(t) => {
            (1..=4).contains(&t.elems.len()) && t.elems.iter().all(|e| lifts(e, structs))
        }
        Type::Path(_) if is_float(ty) => true,
        Type::Path(_) => match path_parts(ty) {
            Some((name, args)) if name == "Vec" || name == "Option" => {
                type_arg(&args, 0).is_some_and(|t| lifts(t, structs))
            }
            Some((name, args)) if is_matrix(&name) => type_arg(&args, 0).is_some_and(is_float),
            Some((name, args)) => structs && args.is_empty() && is_twin_struct(&name),
            _ => false,
        },
        _ => false,
    }
}

/// The type with each `f32`/`f64` replaced by the runtime's dual number
/// over it (`[f64; 3]` becomes `[Dual<f64>; 3]`), and each struct by its
/// dual twin (`<Params as Lift>::Dual`).
pub fn dualize(ty: &Type, runtime: &TokenStream) -> Type {
    struct Dualize<'a>(&'a TokenStream);
    impl syn::visit_mut::VisitMut for Dualize<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            let rt = self.0;
            let is_struct = matches!(path_parts(ty), Some((name, args))
                if args.is_empty() && is_twin_struct(&name));
            if is_float(ty) {
                *ty = syn::parse_quote!(#rt::dual::Dual<#ty>);
            } else if is_struct {
                *ty = syn::parse_quote!(<#ty as #rt::dual::Lift>::Dual);
            } else {
                syn::visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Dualize(runtime), &mut ty);
    ty
}

/// A type over the generic sweep's numbers: each float type replaced by
/// the type parameter `number` (`[f64; 3]` is `[N; 3]`).
pub fn generic_number(ty: &Type, number: &syn::Ident) -> Type {
    struct Replace<'a>(&'a syn::Ident);
    impl syn::visit_mut::VisitMut for Replace<'_> {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            match is_float(ty) {
                true => {
                    let n = self.0;
                    *ty = syn::parse_quote!(#n);
                }
                false => syn::visit_mut::visit_type_mut(self, ty),
            }
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Replace(number), &mut ty);
    ty
}

/// A number of scalar components as the spelling gives it: a number, or an
/// expression of constants and const parameters.
#[derive(Clone)]
enum Dim {
    Known(usize),
    Expr(TokenStream),
}

impl Dim {
    fn of(tokens: TokenStream) -> Dim {
        let text = tokens.to_string();
        match text.trim_end_matches("usize").trim().parse() {
            Ok(n) => Dim::Known(n),
            Err(_) => Dim::Expr(tokens),
        }
    }

    fn times(self, other: Dim) -> Dim {
        match (self, other) {
            (Dim::Known(a), Dim::Known(b)) => Dim::Known(a * b),
            (Dim::Known(1), x) | (x, Dim::Known(1)) => x,
            (a, b) => Dim::Expr(quote!((#a) * (#b))),
        }
    }

    fn plus(self, other: Dim) -> Dim {
        match (self, other) {
            (Dim::Known(a), Dim::Known(b)) => Dim::Known(a + b),
            (Dim::Known(0), x) | (x, Dim::Known(0)) => x,
            (a, b) => Dim::Expr(quote!((#a) + (#b))),
        }
    }

    /// The size as a const argument, where stable Rust can compute it: an
    /// expression of const parameters can only be one of them by itself.
    fn to_const_arg(&self) -> Option<TokenStream> {
        match self {
            Dim::Known(n) => Some(proc_macro2::Literal::usize_unsuffixed(*n).into_token_stream()),
            Dim::Expr(e) if !mentions_const_param(e) => Some(quote!({ #e })),
            Dim::Expr(e) => syn::parse2::<syn::Ident>(e.clone())
                .ok()
                .map(|i| quote!(#i)),
        }
    }
}

impl ToTokens for Dim {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Dim::Known(n) => n.to_tokens(tokens),
            Dim::Expr(e) => e.to_tokens(tokens),
        }
    }
}

fn dim(ty: &Type) -> Option<Dim> {
    match ty {
        Type::Paren(p) => dim(&p.elem),
        Type::Group(g) => dim(&g.elem),
        Type::Reference(r) => match &*r.elem {
            Type::Slice(_) => None,
            elem => dim(elem),
        },
        Type::Array(a) => Some(Dim::of(a.len.to_token_stream()).times(dim(&a.elem)?)),
        Type::Tuple(t) => t
            .elems
            .iter()
            .try_fold(Dim::Known(0), |sum, e| Some(sum.plus(dim(e)?))),
        Type::Path(_) => {
            let (name, args) = path_parts(ty)?;
            if is_float(ty) {
                return Some(Dim::Known(1));
            }
            if let Some((r, c)) = nalgebra_alias(&name) {
                return Some(Dim::Known(r * c));
            }
            match name.as_str() {
                "SVector" | "RowSVector" => const_arg(&args, 1).map(Dim::of),
                "SMatrix" => {
                    Some(Dim::of(const_arg(&args, 1)?).times(Dim::of(const_arg(&args, 2)?)))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The number of scalar components as a const argument (`3`, `N`,
/// `{ K * 2 }`), if the spelling fixes it and stable Rust can compute it.
pub fn static_dim(ty: &Type) -> Option<TokenStream> {
    dim(ty)?.to_const_arg()
}

/// The number of scalar components, if the spelling gives it as a number.
pub fn known_dim(ty: &Type) -> Option<usize> {
    match dim(ty)? {
        Dim::Known(n) => Some(n),
        Dim::Expr(_) => None,
    }
}

/// The number of scalar components of all of `tys` together, as for
/// `static_dim`.
pub fn total_dim<'a>(tys: impl IntoIterator<Item = &'a Type>) -> Option<TokenStream> {
    tys.into_iter()
        .try_fold(Dim::Known(0), |sum, ty| Some(sum.plus(dim(ty)?)))?
        .to_const_arg()
}

/// The scalar type of a differentiable type (`f64` for `[SVector<f64, 3>; 2]`).
pub fn scalar(ty: &Type) -> Option<Type> {
    match ty {
        Type::Paren(p) => scalar(&p.elem),
        Type::Group(g) => scalar(&g.elem),
        Type::Reference(r) => scalar(&r.elem),
        Type::Slice(s) => scalar(&s.elem),
        Type::Array(a) => scalar(&a.elem),
        Type::Tuple(t) => scalar(t.elems.first()?),
        Type::Path(_) if is_float(ty) => Some(ty.clone()),
        Type::Path(_) => {
            let (_, args) = path_parts(ty)?;
            scalar(type_arg(&args, 0)?)
        }
        _ => None,
    }
}

/// A type as a user writes it (`&Params`, not `& Params`).
pub fn type_text(ty: &Type) -> String {
    let mut text = ty.to_token_stream().to_string();
    for (from, to) in [
        ("& ", "&"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ::", "::"),
        (":: ", "::"),
        (" ,", ","),
        (" ;", ";"),
    ] {
        text = text.replace(from, to);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        syn::parse_str(s).expect("a type")
    }

    #[test]
    fn classes() {
        for d in [
            "f64",
            "[f32; 3]",
            "[[f64; 2]; 3]",
            "&[f64]",
            "&SVector<f64, 3>",
            "nalgebra::Vector3<f64>",
            "DMatrix<f32>",
            "Vec<f64>",
            "Matrix2x3<f64>",
            "Params",
            "&model::Params",
            "Vec<Layer>",
            "&[Layer]",
            "Self",
        ] {
            assert_eq!(classify(&ty(d)), TypeClass::Differentiable, "{d}");
        }
        for s in ["usize", "&i32", "bool", "[u8; 4]", "&[usize]"] {
            assert_eq!(classify(&ty(s)), TypeClass::Static, "{s}");
        }
        assert_eq!(classify(&ty("(f64, [f64; 2])")), TypeClass::Differentiable);
        for u in [
            "String",
            "&mut f64",
            "Vector3<i32>",
            "(f64, String)",
            "Option<f64>",
        ] {
            assert_eq!(classify(&ty(u)), TypeClass::Unknown, "{u}");
        }
    }

    #[test]
    fn dims_and_scalars() {
        let dim = |s: &str| static_dim(&ty(s)).map(|t| t.to_string());
        assert_eq!(dim("f64").as_deref(), Some("1"));
        assert_eq!(dim("[[f64; 2]; 3]").as_deref(), Some("6"));
        assert_eq!(dim("Matrix2x3<f64>").as_deref(), Some("6"));
        assert_eq!(dim("SVector<f64, 4>").as_deref(), Some("4"));
        assert_eq!(dim("[f64; LEN]").as_deref(), Some("{ LEN }"));
        assert_eq!(dim("&[f64]"), None);
        assert_eq!(dim("DVector<f64>"), None);
        let scalar_of = |s: &str| scalar(&ty(s)).map(|t| t.to_token_stream().to_string());
        assert_eq!(scalar_of("[SVector<f32, 3>; 2]").as_deref(), Some("f32"));
        assert_eq!(scalar_of("&[f64]").as_deref(), Some("f64"));
        let rt = quote!(rt);
        assert_eq!(owned(&ty("&[f64]"), &rt).to_string(), "rt :: Vec < f64 >");
        assert_eq!(
            owned(&ty("&Vector3<f64>"), &rt).to_string(),
            "Vector3 < f64 >"
        );
    }
}
