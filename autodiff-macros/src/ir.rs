//! The intermediate representation the transforms work on.
//!
//! A function body becomes a flat list of [`Stmt`]s in SSA form: each defines
//! fresh [`Var`]s and never reassigns one (mutation and shadowing in user code
//! become new variables during lowering). Primal statements come from the
//! user's code; the forward and reverse transforms add derivative statements
//! (`Rule`, `Push`, `Pull`, ...) and return new lists, so a transform is a
//! function from IR to IR. Every statement keeps the span of the user code it
//! came from, and `emit` turns the lists into tokens.

use proc_macro2::Span;
use syn::{Expr, Ident, Type};

use crate::primitives::Primitive;

/// An SSA variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub u32);

/// What a variable holds; only used to name it readably in generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A value of the original computation.
    Primal,
    /// A partial derivative returned by a rule.
    Partial,
    /// A forward-mode tangent.
    Tangent,
    /// A reverse-mode adjoint (cotangent).
    Adjoint,
}

/// How a primitive was called, so that inactive code is emitted as written.
#[derive(Clone, Debug)]
pub enum Callee {
    /// `a + b`, `-a`.
    Operator,
    /// `x.sin()`.
    Method,
    /// `f64::sin(x)`: the path up to and including the function name.
    Path(syn::Path),
    /// `t.0`: the field number.
    Member(syn::Index),
    /// `x.fixed_rows::<N>(i)`: the method's generic arguments.
    Turbofish(syn::AngleBracketedGenericArguments),
    /// `x.map(f)`: the scalar function.
    Map(Box<MapFn>),
    /// `V::from_fn(sizes.., |i, j| ..)`.
    FromFn(Box<FromFn>),
}

/// What a `from_fn` call builds from.
#[derive(Clone, Debug)]
pub struct FromFn {
    /// The constructor's path (`DVector::from_fn`).
    pub path: syn::Path,
    /// The static size arguments.
    pub sizes: Vec<Var>,
    /// The closure, a function of the entry's row and column (static).
    pub closure: Function,
}

/// The scalar function of `x.map(f)`.
#[derive(Clone, Debug)]
pub enum MapFn {
    /// A float function by path (`f64::exp`): its rule is the primitive's.
    Primitive(&'static Primitive),
    /// A closure `|v| body`, lowered as a function of one differentiable
    /// argument.
    Closure(Function),
    /// A stand-in after an error in the argument (never emitted: the
    /// expansion falls back to placeholders).
    Poisoned,
}

/// Whether an opaque expression may see differentiable values.
#[derive(Clone, Debug)]
pub enum OpaqueKind {
    /// Its result never carries a derivative (a comparison, a cast to an
    /// integer): differentiable inputs are fine and simply stop there.
    Inert,
    /// Something the IR cannot differentiate through (an unknown function or
    /// method): an error if a differentiable value flows into it and its
    /// result matters. This is that error, spanning the expression as the
    /// user wrote it.
    Foreign(syn::Error),
    /// A stand-in for code that already has an error: never reported again.
    Poisoned,
}

/// One operation.
#[derive(Clone, Debug)]
pub enum Op {
    /// The function's argument at this position.
    Arg(usize),
    /// An expression kept verbatim (a literal, a constant, code on static
    /// values); its local variables were renamed to the IR's and are `uses`.
    Opaque {
        /// The expression, variables renamed.
        expr: Box<Expr>,
        /// The IR variables it reads.
        uses: Vec<Var>,
        /// Whether derivatives may flow in.
        kind: OpaqueKind,
    },
    /// A primitive, computing its value only.
    Prim {
        /// Which primitive.
        prim: &'static Primitive,
        /// Its arguments, the receiver first.
        args: Vec<Var>,
        /// How the user wrote it.
        callee: Callee,
    },
    /// A copy (a `let` binding another variable, or an annotated binding).
    Copy(Var),
    /// A primitive's rule: defines the value and one partial per argument
    /// that is differentiable (`None` where the partial is not needed).
    Rule {
        /// Which primitive.
        prim: &'static Primitive,
        /// Its arguments, the receiver first.
        args: Vec<Var>,
        /// How the user wrote it (a field's number lives here).
        callee: Callee,
    },
    /// Forward mode: the tangent given for a differentiable argument, by its
    /// position among the differentiable arguments.
    TangentIn(usize),
    /// Reverse mode: the cotangent given for the output.
    CotangentIn,
    /// Reverse mode: the contents of the caller's gradient buffer for a
    /// differentiable argument (by position among them), taken over to
    /// accumulate into.
    BufferIn(usize),
    /// Reverse mode: the cotangent `1` for a scalar output.
    Seed(Var),
    /// A zero tangent shaped like the variable.
    Zero(Var),
    /// Forward mode: a partial applied to a tangent.
    Push {
        /// The partial.
        partial: Var,
        /// The argument's tangent.
        tangent: Var,
    },
    /// Reverse mode: a partial's transpose applied to a cotangent.
    Pull {
        /// The partial.
        partial: Var,
        /// The output's adjoint.
        adjoint: Var,
    },
    /// Reverse mode: a partial's transpose applied to a cotangent, added into
    /// part of an existing adjoint (an indexed element).
    PullInto {
        /// The partial.
        partial: Var,
        /// The output's adjoint.
        adjoint: Var,
        /// The adjoint added into.
        acc: Var,
    },
    /// The sum of two tangents or adjoints.
    Accumulate(Var, Var),
}

/// A statement: an operation and the variables it defines.
#[derive(Clone, Debug)]
pub struct Stmt {
    /// The defined variables: one for most operations; for `Rule`, the value
    /// followed by one slot per differentiable argument of the primitive.
    pub defs: Vec<Option<Var>>,
    /// The operation.
    pub op: Op,
    /// The user code this came from.
    pub span: Span,
    /// A type annotation the user wrote on the binding, kept for inference.
    pub ty: Option<Type>,
}

impl Stmt {
    /// The variables the operation reads (for a `map` closure, the outer
    /// variables it captures too).
    pub fn uses(&self) -> Vec<Var> {
        match &self.op {
            Op::Arg(_) | Op::TangentIn(_) | Op::CotangentIn | Op::BufferIn(_) => Vec::new(),
            Op::Opaque { uses, .. } => uses.clone(),
            Op::Prim { args, callee, .. } | Op::Rule { args, callee, .. } => {
                let mut uses = args.clone();
                match callee {
                    Callee::Map(f) => {
                        if let MapFn::Closure(closure) = &**f {
                            uses.extend(captures(closure));
                        }
                    }
                    Callee::FromFn(f) => uses.extend(f.sizes.iter().copied()),
                    _ => {}
                }
                uses
            }
            Op::Copy(v) | Op::Seed(v) | Op::Zero(v) => vec![*v],
            Op::Push { partial, tangent } => vec![*partial, *tangent],
            Op::Pull { partial, adjoint } => vec![*partial, *adjoint],
            Op::PullInto {
                partial,
                adjoint,
                acc,
            } => vec![*partial, *adjoint, *acc],
            Op::Accumulate(a, b) => vec![*a, *b],
        }
    }

    /// A statement defining one variable.
    pub fn new(def: Var, op: Op, span: Span) -> Self {
        Stmt {
            defs: vec![Some(def)],
            op,
            span,
            ty: None,
        }
    }

    /// The first variable defined (the value, for a `Rule`).
    pub fn def(&self) -> Option<Var> {
        self.defs.first().copied().flatten()
    }
}

/// Whether an argument carries a derivative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgRole {
    /// Differentiated with respect to.
    Differentiable,
    /// Passed through (JAX's `static_argnums`).
    Static,
}

/// A function argument.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its name.
    pub name: Ident,
    /// Its type, as written.
    pub ty: Type,
    /// Whether it is differentiated.
    pub role: ArgRole,
}

/// A lowered function.
#[derive(Clone, Debug)]
pub struct Function {
    /// Its arguments in order.
    pub params: Vec<Param>,
    /// The body.
    pub body: Vec<Stmt>,
    /// The returned variable.
    pub ret: Var,
    /// The role of every variable, indexed by `Var.0`.
    pub roles: Vec<Role>,
    /// The variables that hold a shared reference (arguments of type `&T`):
    /// rules get them as they are rather than borrowed again, so that a rule
    /// sees `T` and not `&T`.
    pub refs: std::collections::HashSet<Var>,
}

impl Function {
    /// A fresh variable of the given role.
    pub fn fresh(&mut self, role: Role) -> Var {
        self.roles.push(role);
        Var(self.roles.len() as u32 - 1)
    }
}

/// A primitive statement turned into its rule: the same value, plus one
/// partial slot per differentiable argument, filled (with a fresh variable
/// of `f`) where `wants_partial` says the argument needs one. Returns the
/// rule statement and the `(argument, partial)` pairs; both transforms use
/// it, forward mode for arguments with tangents, reverse mode for active ones.
pub fn rule_for(
    f: &mut Function,
    stmt: &Stmt,
    wants_partial: impl Fn(Var) -> bool,
) -> Option<(Stmt, Vec<(Var, Var)>)> {
    let (Op::Prim { prim, args, callee }, Some(def)) = (&stmt.op, stmt.def()) else {
        return None;
    };
    let mut defs = vec![Some(def)];
    let mut pairs = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if !prim.differentiable_arg(i) {
            continue;
        }
        if wants_partial(*a) {
            let p = f.fresh(Role::Partial);
            defs.push(Some(p));
            pairs.push((*a, p));
        } else {
            defs.push(None);
        }
    }
    let rule = Stmt {
        defs,
        op: Op::Rule {
            prim,
            args: args.clone(),
            callee: callee.clone(),
        },
        span: stmt.span,
        ty: stmt.ty.clone(),
    };
    Some((rule, pairs))
}

/// The variables a function's body reads without defining them: what a
/// closure captures from the enclosing function.
pub fn captures(f: &Function) -> Vec<Var> {
    let defined: std::collections::HashSet<Var> = f
        .body
        .iter()
        .flat_map(|s| s.defs.iter().flatten().copied())
        .collect();
    let mut captured = Vec::new();
    for stmt in &f.body {
        for v in stmt.uses() {
            if !defined.contains(&v) && !captured.contains(&v) {
                captured.push(v);
            }
        }
    }
    captured
}

/// The identifier of a variable in generated code. Primal variables get this
/// name already during lowering, inside opaque expressions.
pub fn ident(var: Var, role: Role) -> Ident {
    let prefix = match role {
        Role::Primal => "v",
        Role::Partial => "p",
        Role::Tangent => "t",
        Role::Adjoint => "g",
    };
    Ident::new(&format!("__{prefix}{}", var.0), Span::call_site())
}
