//! Lowering of calls: float functions by path, vector constructors,
//! `from_element`, `from_fn` and `map` with their closures.

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::{Expr, Ident, Pat};

use super::{foreign, path_text, Lowering};
use crate::ir::{self, ArgRole, Callee, Function, MapFn, Op, Param, Var};
use crate::primitives::{self, Primitive};
use crate::types::{classify, TypeClass};

impl Lowering<'_> {
    pub(super) fn call(&mut self, call: &syn::ExprCall) -> Var {
        let span = call.span();
        let Expr::Path(func) = &*call.func else {
            self.errors
                .on(&call.func, "only calls of named functions are supported");
            return self.poisoned(span);
        };
        if let Some(name) = func.path.get_ident().filter(|_| func.qself.is_none()) {
            if let Some(value) = self.call_closure(name, call) {
                return value;
            }
        }
        let arity = call.args.len();
        if let Some(prim) =
            float_function(&func.path, arity).or_else(|| library_function(&func.path))
        {
            if call.args.len() != prim.arity {
                self.errors.on(
                    call,
                    format!("`{}` takes {} argument(s)", prim.name, prim.arity),
                );
                return self.poisoned(span);
            }
            let args = call.args.iter().map(|a| self.expr(a)).collect();
            return self.prim(prim, args, Callee::Path(func.path.clone()), span);
        }
        if is_matrix_type_function(&func.path, "from_fn") {
            if let Some(Expr::Closure(closure)) = call.args.last() {
                let sizes: Vec<Var> = call
                    .args
                    .iter()
                    .take(call.args.len() - 1)
                    .map(|a| self.expr(a))
                    .collect();
                let Some(closure) = self.closure_function(closure, ArgRole::Static) else {
                    return self.poisoned(span);
                };
                let captured = ir::captures(&closure);
                let callee = Callee::FromFn(Box::new(ir::FromFn {
                    path: func.path.clone(),
                    sizes,
                    closure,
                }));
                return self.prim(primitives::from_fn(), captured, callee, span);
            }
        }
        if is_matrix_type_function(&func.path, "from_element") && !call.args.is_empty() {
            // `DVector::from_element(n, x)`: `x` first, then the sizes.
            let last = call.args.len() - 1;
            let mut args = vec![self.expr(&call.args[last])];
            args.extend(call.args.iter().take(last).map(|a| self.expr(a)));
            return self.prim(
                primitives::fill(),
                args,
                Callee::Path(func.path.clone()),
                span,
            );
        }
        if let Some((vector, is_new)) = vector_constructor(&func.path) {
            // `Vector3::new(a, b, c)` is `Vector3::from([a, b, c])`;
            // `Matrix2::new(a, b, c, d)` (row by row) is
            // `Matrix2::from([[a, c], [b, d]])` (column by column).
            let array = if let Some((rows, columns)) = matrix_shape(&func.path) {
                if call.args.len() != rows * columns {
                    self.errors.on(
                        call,
                        format!(
                            "`new` of a {rows} × {columns} matrix takes {} entries, row by row",
                            rows * columns
                        ),
                    );
                    return self.poisoned(span);
                }
                let entries: Vec<Var> = call.args.iter().map(|a| self.expr(a)).collect();
                let columns: Vec<Var> = (0..columns)
                    .map(|c| {
                        let column = (0..rows).map(|r| entries[r * columns + c]).collect();
                        self.prim(primitives::array_literal(), column, Callee::Operator, span)
                    })
                    .collect();
                self.prim(primitives::array_literal(), columns, Callee::Operator, span)
            } else if is_new {
                let entries = call.args.iter().map(|a| self.expr(a)).collect();
                self.prim(primitives::array_literal(), entries, Callee::Operator, span)
            } else if call.args.len() == 1 {
                self.expr(&call.args[0])
            } else {
                self.errors.on(call, "`from` takes one array");
                return self.poisoned(span);
            };
            return self.prim(
                primitives::construct(),
                vec![array],
                Callee::Path(vector),
                span,
            );
        }
        if super::structs::is_variant(&func.path) {
            let message = format!(
                "the enum variant `{}` cannot hold a differentiable value: an enum has no tangent space; keep the value in a struct with `#[derive(Differentiable)]`, or branch first and build the variant from static values",
                path_text(&func.path)
            );
            return self.opaque(&Expr::Call(call.clone()), foreign(call, message));
        }
        if super::structs::is_tuple_struct(&func.path) && func.qself.is_none() {
            return self.tuple_struct_literal(&func.path, call);
        }
        if is_function_path(&func.path) && func.qself.is_none() {
            return self.function_call(&func.path, call);
        }
        let message = format!(
            "cannot differentiate through the function `{}`; inline its body here, or if no derivative should flow through it, leave its argument out of `wrt(..)`",
            path_text(&func.path)
        );
        self.opaque(&Expr::Call(call.clone()), foreign(call, message))
    }

    /// `g(a, &b)` with `g` a function path: a call that derivatives flow
    /// through when `g` has `#[differentiate]`.
    fn function_call(&mut self, path: &syn::Path, call: &syn::ExprCall) -> Var {
        let mut args = Vec::new();
        let mut borrowed = Vec::new();
        let mut array_lens = Vec::new();
        for arg in &call.args {
            let (value, by_ref) = match arg {
                Expr::Reference(r) if r.mutability.is_none() => (&*r.expr, true),
                other => (other, false),
            };
            let var = self.expr(value);
            array_lens.push(self.arrays.get(&var).copied());
            args.push(var);
            borrowed.push(by_ref);
        }
        let path = self.item_path(path);
        self.emit(
            Op::Call(Box::new(ir::Call {
                path,
                args,
                borrowed,
                array_lens,
                recursive: false,
                mode: ir::CallMode::Plain,
            })),
            call.span(),
        )
    }

    /// The scalar function of `x.map(f)`: a float function by path, or a
    /// closure of one argument lowered into a function of its own.
    pub(super) fn map_fn(&mut self, f: &Expr) -> MapFn {
        if let Expr::Path(p) = f {
            if let Some(prim) = float_function(&p.path, 1).filter(|p| p.arity == 1) {
                return MapFn::Primitive(prim);
            }
        }
        let closure = match f {
            Expr::Closure(c) if c.inputs.len() == 1 => c,
            other => {
                self.errors.on(other, "`map` takes a closure of one argument (`|v| v * v`) or a float function such as `f64::exp`");
                return MapFn::Poisoned;
            }
        };
        match self.closure_function(closure, ArgRole::Differentiable) {
            Some(function) => MapFn::Closure(function),
            None => MapFn::Poisoned,
        }
    }

    /// Lowers a closure into a function of its own whose arguments are the
    /// closure's (with `role`). Its names see the enclosing scopes, so it can
    /// read (capture) outer values, which `ir::captures` finds.
    fn closure_function(&mut self, closure: &syn::ExprClosure, role: ArgRole) -> Option<Function> {
        if let Some(asyncness) = &closure.asyncness {
            self.errors
                .on(asyncness, "`async` closures cannot be differentiated");
            return None;
        }
        let mut names = Vec::new();
        for (k, input) in closure.inputs.iter().enumerate() {
            let pat = match input {
                Pat::Type(t) => &*t.pat,
                other => other,
            };
            match pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    names.push(p.ident.clone())
                }
                Pat::Wild(w) => names.push(Ident::new(&format!("__unused{k}"), w.span())),
                other => {
                    self.errors
                        .on(other, "bind each closure argument to a name or `_`");
                    return None;
                }
            }
        }
        let outer = std::mem::take(&mut self.f.body);
        self.scopes.push(HashMap::new());
        for (k, name) in names.iter().enumerate() {
            let arg = self.emit(Op::Arg(k), name.span());
            self.bind(name, arg);
        }
        let ret = self.expr(&closure.body);
        self.scopes.pop();
        let body = std::mem::replace(&mut self.f.body, outer);
        Some(Function {
            params: names
                .into_iter()
                .map(|name| Param {
                    name,
                    ty: syn::parse_quote!(_),
                    role,
                })
                .collect(),
            body,
            ret,
            roles: self.f.roles.clone(),
            refs: self.f.refs.clone(),
            tape: self.f.tape,
        })
    }
}

/// Whether a path names a function of a module (`g`, `inner::g`,
/// `crate::inner::g`) rather than of a type (`Foo::new`): only those can
/// have a `#[differentiate]` module of the same name.
fn is_function_path(path: &syn::Path) -> bool {
    const PRIMITIVE_TYPES: &[&str] = &[
        "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64",
        "u128", "usize", "bool", "char", "str",
    ];
    path.segments.iter().all(|s| {
        !PRIMITIVE_TYPES.contains(&s.ident.to_string().as_str())
            && s.arguments.is_none()
            && s.ident
                .to_string()
                .chars()
                .next()
                .is_some_and(|c| c.is_lowercase() || c == '_')
    })
}

/// Whether `path` is `function` on a nalgebra matrix or vector type
/// (`DVector::from_element`, `Matrix3::<f64>::from_element`).
fn is_matrix_type_function(path: &syn::Path, function: &str) -> bool {
    let mut segments = path.segments.iter().rev();
    let (Some(f), Some(ty)) = (segments.next(), segments.next()) else {
        return false;
    };
    let ty: syn::Type = syn::Type::Path(syn::TypePath {
        qself: None,
        path: syn::Path::from(syn::PathSegment {
            ident: ty.ident.clone(),
            arguments: syn::PathArguments::AngleBracketed(syn::parse_quote!(<f64>)),
        }),
    });
    f.ident == function && classify(&ty) == TypeClass::Differentiable
}

/// The shape of `Matrix2::new` or `Matrix2x3::new` (a square or
/// rectangular matrix alias, not a vector), whose arguments are the
/// entries row by row.
fn matrix_shape(path: &syn::Path) -> Option<(usize, usize)> {
    let mut segments = path.segments.iter().rev();
    let (function, ty) = (segments.next()?, segments.next()?);
    if function.ident != "new" {
        return None;
    }
    let rest = ty.ident.to_string();
    let rest = rest.strip_prefix("Matrix")?;
    let digit = |s: &str| s.parse::<usize>().ok().filter(|d| (1..=6).contains(d));
    match rest.split_once('x') {
        Some((r, c)) => Some((digit(r)?, digit(c)?)),
        None => digit(rest).map(|n| (n, n)),
    }
}

/// For `Vector3::new`, `Matrix2::new` or `SVector::<f64, 3>::from`: the
/// type's path with `from`, and whether it is `new` (one argument per
/// entry) rather than `from` (an array).
fn vector_constructor(path: &syn::Path) -> Option<(syn::Path, bool)> {
    let (function, ty) = {
        let mut segments = path.segments.iter().rev();
        (segments.next()?, segments.next()?)
    };
    let name = ty.ident.to_string();
    let sized_vector = |n: &str| {
        n.strip_prefix("RowVector")
            .or_else(|| n.strip_prefix("Vector"))
            .and_then(|d| d.parse::<usize>().ok())
            .is_some_and(|d| (1..=6).contains(&d))
    };
    let is_new = function.ident == "new" && (sized_vector(&name) || matrix_shape(path).is_some());
    let is_from = function.ident == "from"
        && (sized_vector(&name) || name == "SVector" || name == "RowSVector");
    if !is_new && !is_from {
        return None;
    }
    let mut vector = path.clone();
    vector.segments.pop();
    vector.segments.pop_punct();
    let mut from = vector.clone();
    from.segments.push(syn::PathSegment::from(Ident::new(
        "from",
        function.ident.span(),
    )));
    Some((from, is_new))
}

/// `stop_gradient(x)`, also as `autodiff::stop_gradient(x)` or through the
/// prelude's path; and a nalgebra type's function by its last two
/// segments, whatever leads them (`Rotation3::from_scaled_axis`,
/// `na::Isometry3::new`).
fn library_function(path: &syn::Path) -> Option<&'static Primitive> {
    let n = path.segments.len();
    if n >= 2 {
        let typed = format!(
            "{}::{}",
            path.segments[n - 2].ident,
            path.segments[n - 1].ident
        );
        if let Some(prim) = primitives::function(&typed) {
            return Some(prim);
        }
    }
    let last = path.segments.last()?;
    let prefix_ok = path
        .segments
        .iter()
        .rev()
        .skip(1)
        .all(|s| s.ident == "autodiff" || s.ident == "prelude");
    prefix_ok
        .then(|| primitives::function(&last.ident.to_string()))
        .flatten()
}

/// The primitive named by `f64::sin`, `f32::sin` or `<f64>::sin`; also
/// `T::sin` for a float type parameter `T`, and a float trait's
/// function (`ComplexField::sin`, `num_traits::Float::sin`), which
/// `generic_paths` writes for method calls.
fn float_function(path: &syn::Path, arity: usize) -> Option<&'static Primitive> {
    let n = path.segments.len();
    if n < 2 {
        return None;
    }
    let owner = &path.segments[n - 2].ident;
    let float_type = n == 2 && {
        let ty: syn::Type = syn::parse_quote!(#owner);
        crate::types::is_scalar(&ty)
    };
    let float_trait = ["ComplexField", "RealField", "Float", "Real"]
        .iter()
        .any(|t| owner == t);
    if !float_type && !float_trait {
        return None;
    }
    primitives::method(&path.segments[n - 1].ident.to_string(), arity)
}
