//! Paths on a float type parameter made unambiguous in the generated code.
//!
//! The generated functions bound a float parameter `T` by the runtime's
//! `Float`, whose supertrait `Real` has the same names as nalgebra's
//! `ComplexField`/`RealField` and num-traits' `Float` (`T::zero()`,
//! `T::from_f64(..)`, `T::sin(x)`). Where the user's bound is one of those
//! traits, a path the original resolves would be ambiguous in the
//! generated code, so each such path is qualified with the trait the user's
//! bound brings (`<T as num_traits::FromPrimitive>::from_f64`). Method
//! calls `x.sin()` are ambiguous too where they stay as written (a
//! condition such as `if x.sin() > half`): those whose name only floats
//! have (`sin`, `exp`, not `abs` or `max`, which integers and matrices
//! also have) become calls through the trait, `ComplexField::sin(x)`, which
//! means the same for every float the function may see. The original
//! function is emitted unchanged.

use syn::visit_mut::VisitMut;
use syn::{Block, Ident};

/// Which family of traits a float parameter's bound comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    /// nalgebra's (simba's) `RealField` or `ComplexField`.
    Nalgebra,
    /// num-traits' `Float`.
    NumTraits,
}

/// The float parameters bounded by another library's trait rather than the
/// runtime's `Real` or `Float` (a bare `Float` is taken to be the runtime's,
/// which the prelude brings; num-traits' is spelled with its path).
fn foreign_floats(generics: &syn::Generics) -> Vec<(Ident, Family)> {
    let bounds_of = |ident: &Ident| {
        let inline = generics
            .type_params()
            .filter(|t| t.ident == *ident)
            .flat_map(|t| t.bounds.iter());
        let in_where = generics
            .where_clause
            .iter()
            .flat_map(|w| &w.predicates)
            .filter_map(move |p| match p {
                syn::WherePredicate::Type(t) => match &t.bounded_ty {
                    syn::Type::Path(p) if p.path.is_ident(ident) => Some(t.bounds.iter()),
                    _ => None,
                },
                _ => None,
            })
            .flatten();
        inline.chain(in_where).cloned().collect::<Vec<_>>()
    };
    crate::types::float_params(generics)
        .into_iter()
        .filter_map(|t| {
            let mut family = None;
            for bound in bounds_of(&t) {
                let syn::TypeParamBound::Trait(b) = bound else {
                    continue;
                };
                let names: Vec<String> = b
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                match names.last().map(String::as_str) {
                    Some("RealField" | "ComplexField") => family = Some(Family::Nalgebra),
                    Some("Float") if names.iter().any(|n| n == "num_traits") => {
                        family = Some(Family::NumTraits)
                    }
                    Some("Real" | "Float") => return None,
                    _ => {}
                }
            }
            family.map(|f| (t, f))
        })
        .collect()
}

/// The trait that gives `name` to a parameter of this family, where the
/// runtime's `Real` has an item of the same name.
fn owner(name: &str, family: Family) -> Option<&'static str> {
    const REAL: &[&str] = &[
        "abs",
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atan2",
        "atanh",
        "cbrt",
        "ceil",
        "clamp",
        "cos",
        "cosh",
        "exp",
        "exp2",
        "exp_m1",
        "floor",
        "fract",
        "from_f64",
        "from_i32",
        "hypot",
        "is_finite",
        "ln",
        "ln_1p",
        "log",
        "log10",
        "log2",
        "max",
        "min",
        "mul_add",
        "one",
        "powf",
        "powi",
        "recip",
        "round",
        "signum",
        "sin",
        "sinh",
        "sqrt",
        "tan",
        "tanh",
        "to_degrees",
        "to_radians",
        "trunc",
        "zero",
    ];
    if !REAL.contains(&name) {
        return None;
    }
    Some(match (name, family) {
        ("zero", _) => "num_traits::Zero",
        ("one", _) => "num_traits::One",
        ("from_f64" | "from_i32", _) => "num_traits::FromPrimitive",
        ("to_degrees" | "to_radians", Family::Nalgebra) => return None,
        ("atan2" | "max" | "min" | "clamp", Family::Nalgebra) => "nalgebra::RealField",
        (_, Family::Nalgebra) => "nalgebra::ComplexField",
        (_, Family::NumTraits) => "num_traits::Float",
    })
}

/// Whether a method of this name exists only on floats (not on integers,
/// nalgebra matrices or `bool`), so that a call of it can be spelled
/// through the float trait whatever its receiver.
fn float_only(name: &str) -> bool {
    !matches!(
        name,
        "abs"
            | "signum"
            | "min"
            | "max"
            | "clamp"
            | "is_finite"
            | "zero"
            | "one"
            | "from_f64"
            | "from_i32"
    )
}

/// Qualifies, in `block`, every path `T::name` whose `name` would be
/// ambiguous in the generated code (see the module's documentation).
pub fn qualify(block: &mut Block, generics: &syn::Generics) {
    let floats = foreign_floats(generics);
    if !floats.is_empty() {
        Qualify { floats }.visit_block_mut(block);
    }
}

struct Qualify {
    floats: Vec<(Ident, Family)>,
}

impl VisitMut for Qualify {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let syn::Expr::MethodCall(call) = e else {
            return;
        };
        let name = call.method.to_string();
        // The families agree on these names, so the first one decides.
        let Some(&(_, family)) = self.floats.first() else {
            return;
        };
        let Some(owner) =
            owner(&name, family).filter(|_| float_only(&name) && call.turbofish.is_none())
        else {
            return;
        };
        let rt = crate::emit::runtime();
        let owner: syn::Path = syn::parse_str(owner).expect("a trait path");
        let (receiver, method, args) = (&call.receiver, &call.method, &call.args);
        *e = syn::parse_quote_spanned!(method.span()=> #rt::#owner::#method(#receiver, #args));
    }

    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        let segments = &e.path.segments;
        if e.qself.is_some() || segments.len() != 2 || e.path.leading_colon.is_some() {
            return;
        }
        let (ty, name) = (&segments[0].ident, &segments[1].ident);
        let Some(&(_, family)) = self.floats.iter().find(|(t, _)| t == ty) else {
            return;
        };
        let Some(owner) = owner(&name.to_string(), family) else {
            return;
        };
        let rt = crate::emit::runtime();
        let owner: syn::Path = syn::parse_str(owner).expect("a trait path");
        let args = &segments[1].arguments;
        *e = syn::parse_quote_spanned!(name.span()=> <#ty as #rt::#owner>::#name #args);
    }
}
