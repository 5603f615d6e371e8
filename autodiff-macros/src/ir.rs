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
    /// `t.0`, `p.w`: the field (also of a field assignment `p.w = v`).
    Member(syn::Member),
    /// `P { a: x, ..base }` or `P(x, y)`: the struct and its fields.
    Struct(Box<StructLiteral>),
    /// `x.fixed_rows::<N>(i)`: the method's generic arguments.
    Turbofish(syn::AngleBracketedGenericArguments),
    /// `x.map(f)`: the scalar function.
    Map(Box<MapFn>),
    /// `V::from_fn(sizes.., |i, j| ..)`.
    FromFn(Box<FromFn>),
}

/// A struct literal: its arguments are the fields' values in order, then
/// the base of `..base` if there is one.
#[derive(Clone, Debug)]
pub struct StructLiteral {
    /// The struct's path as written (`Params`, `Self`, `model::Layer`).
    pub path: syn::Path,
    /// The fields set, in the order of the arguments.
    pub fields: Vec<syn::Member>,
    /// Whether the literal ends in `..base` (the last argument).
    pub base: bool,
    /// Whether it is written as a call, `P(x, y)` (a tuple struct).
    pub call: bool,
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
    /// Derivative code keeping values as they are for a replay
    /// (`tape::kept`): over dual numbers it keeps dual numbers.
    Kept,
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
    /// Forward mode: the sum of partials applied to tangents, one term per
    /// argument with a tangent (one statement, not a push per argument and
    /// an accumulation per extra term: less code for rustc to check).
    Push {
        /// `(partial, the argument's tangent)` for each term.
        terms: Vec<(Var, Var)>,
    },
    /// Forward mode in one step: a `map`'s or `from_fn`'s value and its
    /// tangent, from its arguments and their tangents (`None`: zero),
    /// defining both. `jvp` uses it where the partials would be containers
    /// written and read again (`fuse::fuse_containers`).
    PushRule {
        /// Its arguments, the receiver first.
        args: Vec<Var>,
        /// The tangent of each argument.
        tangents: Vec<Option<Var>>,
        /// The closure (`Callee::Map` or `Callee::FromFn`).
        callee: Callee,
    },
    /// Reverse mode: a partial's transpose applied to a cotangent.
    Pull {
        /// The partial.
        partial: Var,
        /// The output's cotangent.
        adjoint: Var,
        /// The adjoint accumulated so far, which the result adds to (one
        /// statement instead of a pull and an accumulation).
        onto: Option<Var>,
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
    /// A call of a function by path: another `#[differentiate]` function
    /// when a derivative flows through it (its generated `__linearize_call`
    /// or `__vjp_call` gives the linear map), plain code otherwise.
    Call(Box<Call>),
    /// Forward mode: a call's linear map applied to the tangents of its
    /// arguments (`None` for an argument without one).
    PushCall {
        /// The linear map from the callee's `__linearize_call`.
        map: Var,
        /// One tangent per argument position.
        tangents: Vec<Option<Var>>,
        /// The call's `array_lens`.
        array_lens: Vec<Option<usize>>,
    },
    /// Reverse mode: a call's pullback applied to the output's adjoint;
    /// defines one cotangent per argument position (`None` where unused).
    PullCall {
        /// The pullback from the callee's `__vjp_call`.
        map: Var,
        /// The output's adjoint.
        adjoint: Var,
        /// Per argument position, the adjoint accumulated so far that the
        /// callee adds its cotangent onto (so that it builds no zero of its
        /// own); the cotangent defined there then includes it.
        starts: Vec<Option<Var>>,
        /// The call's `array_lens`.
        array_lens: Vec<Option<usize>>,
    },
    /// Forward mode through `x[i] = v` (`set_index`), in place: the
    /// container's tangent with slot `i` set to the value's tangent, or
    /// zeroed when the value has none.
    PushSet {
        /// The partial with respect to the container (`ZeroAt(i)`).
        partial: Var,
        /// The container's tangent.
        container: Var,
        /// The value's tangent.
        value: Option<Var>,
    },
    /// Reverse mode through `x[i] = v`, in place: defines the adjoints of
    /// the container (slot `i` zeroed) and of the value (slot `i`).
    PullSet {
        /// The partial with respect to the container (`ZeroAt(i)`).
        partial: Var,
        /// The result's adjoint.
        adjoint: Var,
        /// Whether slot `i` is left in the container's adjoint rather than
        /// zeroed: `x[i] += v`, whose read of `x[i]` would add it back
        /// (`reverse::in_place`).
        keep: bool,
    },
    /// `if`, `match`, or (in a derivative) the replay of the arm that ran:
    /// the arm that runs defines the statement's variables from its yields.
    Branch(Box<Branch>),
    /// A loop: the statement's variables are the carried values at its end.
    Loop(Box<Loop>),
}

/// A call of a function by path.
#[derive(Clone, Debug)]
pub struct Call {
    /// The function's path (relative paths adjusted for the generated module).
    pub path: syn::Path,
    /// The arguments.
    pub args: Vec<Var>,
    /// Which arguments the user passed by shared reference (`g(&v)`).
    pub borrowed: Vec<bool>,
    /// Per argument, its length where it is an array of a length the
    /// caller knows (`g(&[a, b])`, `g(&x)` of an `[f64; 3]` argument): the
    /// callee may take it as a slice, whose tangents are `Vec`s, and the
    /// emitted call converts (`linear::coerce`).
    pub array_lens: Vec<Option<usize>>,
    /// Whether the function calls itself (its derivative's linear map is
    /// then boxed: an `impl Fn` cannot contain itself).
    pub recursive: bool,
    /// Which of the callee's functions is called.
    pub mode: CallMode,
}

/// What a call statement computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallMode {
    /// The value only: the function itself.
    Plain,
    /// The value and the linear map of forward mode.
    Linearize,
    /// The value and the pullback of reverse mode.
    Vjp,
}

/// Statements that yield values: an arm of a branch, a loop body.
#[derive(Clone, Debug, Default)]
pub struct Region {
    /// The statements.
    pub body: Vec<Stmt>,
    /// What the region yields, one per variable the enclosing statement
    /// defines (for a loop body: the next carried values, then the break flag).
    pub yields: Vec<Var>,
    /// Derivative code only: in a recording sweep, the variables kept for
    /// the replay (pushed on the tape, or wrapped in the arm's record); in a
    /// replay, the same variables restored from the record at the start.
    pub record: Vec<Var>,
}

/// Which arm of a branch runs.
#[derive(Clone, Debug)]
pub enum Choice {
    /// `if cond { .. } else { .. }`: the first arm if `cond` holds.
    If(Var),
    /// `match scrutinee { .. }`: one pattern per arm.
    Match {
        /// The matched value (static).
        scrutinee: Var,
        /// The patterns, one per arm.
        arms: Vec<MatchArm>,
    },
    /// Derivative code: the arm recorded in this variable by a recording sweep.
    Replay(Var),
}

/// One arm's pattern and guard, with names bound by the pattern renamed.
#[derive(Clone, Debug)]
pub struct MatchArm {
    /// The pattern.
    pub pat: syn::Pat,
    /// The guard, variables renamed.
    pub guard: Option<Box<Expr>>,
    /// The variables the pattern binds (static).
    pub binds: Vec<Var>,
    /// The variables the guard reads.
    pub guard_uses: Vec<Var>,
}

/// `if` or `match`.
#[derive(Clone, Debug)]
pub struct Branch {
    /// How the arm is chosen.
    pub choice: Choice,
    /// The arms, each yielding one value per defined variable.
    pub arms: Vec<Region>,
    /// Derivative code: whether each arm also yields its record (the
    /// statement then defines one more variable, last: the record).
    pub recorded: bool,
}

impl Branch {
    /// The variables the arms' patterns bind (empty for `if`).
    pub fn bindings(&self) -> Vec<Var> {
        match &self.choice {
            Choice::Match { arms, .. } => arms.iter().flat_map(|a| a.binds.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// How a loop iterates.
#[derive(Clone, Debug)]
pub enum LoopKind {
    /// `for item in iter`; `iter` is a static iterator.
    For {
        /// The iterator.
        iter: Var,
        /// The item of each iteration (static).
        item: Var,
    },
    /// `while cond`: the region is evaluated before each iteration and
    /// yields the condition.
    While(Region),
    /// `loop`: ends by `break` only.
    Forever,
    /// Derivative code: one iteration per record on a tape, last to first
    /// (an adjoint sweep) or first to last (a tangent pass).
    Replay {
        /// The tape.
        tape: Var,
        /// Whether the records are replayed last to first.
        backwards: bool,
        /// The variable holding each record's position in its run (`0`
        /// for the first iteration), where the replay rebuilds counters
        /// from it (`rebuild`).
        position: Option<Var>,
    },
}

/// Where a recording loop keeps its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TapeKind {
    /// A fixed-capacity array of this many records (no allocation).
    Fixed(usize),
    /// A growable stack (needs `alloc`).
    Growable,
    /// Sized by the type of this container, which the loop iterates over
    /// (`tape::sized_like`): fixed for `[T; N]` and static matrices.
    OfContainer(Var),
}

impl Loop {
    /// The variables the loop defines for its body: the carried ones, and
    /// a `for` loop's item or a replay's position.
    pub fn inner(&self) -> Vec<Var> {
        let mut inner = self.carried.clone();
        match &self.kind {
            LoopKind::For { item, .. } => inner.push(*item),
            LoopKind::Replay {
                position: Some(p), ..
            } => inner.push(*p),
            _ => {}
        }
        inner
    }
}

/// A loop with the variables it carries from one iteration to the next.
#[derive(Clone, Debug)]
pub struct Loop {
    /// How it iterates.
    pub kind: LoopKind,
    /// The carried variables as the body sees them (defined by the loop).
    pub carried: Vec<Var>,
    /// Their values before the first iteration.
    pub inits: Vec<Var>,
    /// The body: yields the next carried values, then the break flag if `breaks`.
    pub body: Region,
    /// Whether the body's last yield says to leave the loop.
    pub breaks: bool,
    /// The most iterations it can run, where a constant bound says so.
    pub bound: Option<usize>,
    /// The container a `for` loop iterates over, when no constant bound is
    /// known: its type sizes the tape.
    pub container: Option<Var>,
    /// Derivative code: where the body's records go (the statement then
    /// defines one more variable, last: the tape).
    pub tape: Option<TapeKind>,
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
                primitive_uses(args, callee)
            }
            Op::Copy(v) | Op::Seed(v) | Op::Zero(v) => vec![*v],
            Op::Push { terms } => terms.iter().flat_map(|(p, t)| [*p, *t]).collect(),
            Op::PushRule {
                args,
                tangents,
                callee,
                ..
            } => {
                let mut uses = primitive_uses(args, callee);
                uses.extend(tangents.iter().flatten());
                uses
            }
            Op::Pull {
                partial,
                adjoint,
                onto,
            } => [*partial, *adjoint].into_iter().chain(*onto).collect(),
            Op::PullInto {
                partial,
                adjoint,
                acc,
            } => vec![*partial, *adjoint, *acc],
            Op::Accumulate(a, b) => vec![*a, *b],
            Op::Call(c) => c.args.clone(),
            Op::PushCall { map, tangents, .. } => {
                let mut uses = vec![*map];
                uses.extend(tangents.iter().flatten());
                uses
            }
            Op::PullCall {
                map,
                adjoint,
                starts,
                ..
            } => [*map, *adjoint]
                .into_iter()
                .chain(starts.iter().flatten().copied())
                .collect(),
            Op::PushSet {
                partial,
                container,
                value,
            } => {
                let mut uses = vec![*partial, *container];
                uses.extend(value);
                uses
            }
            Op::PullSet {
                partial, adjoint, ..
            } => vec![*partial, *adjoint],
            Op::Branch(b) => {
                let mut uses = match &b.choice {
                    Choice::If(c) | Choice::Replay(c) => vec![*c],
                    Choice::Match { scrutinee, arms } => {
                        let mut uses = vec![*scrutinee];
                        for arm in arms {
                            uses.extend(arm.guard_uses.iter().filter(|v| !arm.binds.contains(v)));
                        }
                        uses
                    }
                };
                for arm in &b.arms {
                    extend_unique(&mut uses, region_captures(arm, &[]));
                }
                uses
            }
            Op::Loop(l) => {
                let mut uses = l.inits.clone();
                let inner = l.inner();
                match &l.kind {
                    LoopKind::For { iter, .. } => uses.push(*iter),
                    LoopKind::While(cond) => {
                        extend_unique(&mut uses, region_captures(cond, &inner))
                    }
                    LoopKind::Replay { tape, .. } => uses.push(*tape),
                    LoopKind::Forever => {}
                }
                extend_unique(&mut uses, region_captures(&l.body, &inner));
                uses
            }
        }
    }

    /// Every variable this statement defines, including those defined inside
    /// its regions (loop variables, pattern bindings, records).
    pub fn all_defs(&self, out: &mut Vec<Var>) {
        out.extend(self.defs.iter().flatten());
        match &self.op {
            Op::Branch(b) => {
                if let Choice::Match { arms, .. } = &b.choice {
                    for arm in arms {
                        out.extend(&arm.binds);
                    }
                }
                for arm in &b.arms {
                    region_defs(arm, out);
                }
            }
            Op::Loop(l) => {
                out.extend(l.inner());
                if let LoopKind::While(cond) = &l.kind {
                    region_defs(cond, out);
                }
                region_defs(&l.body, out);
            }
            _ => {}
        }
    }

    /// The regions nested in this statement.
    pub fn regions(&self) -> Vec<&Region> {
        match &self.op {
            Op::Branch(b) => b.arms.iter().collect(),
            Op::Loop(l) => match &l.kind {
                LoopKind::While(cond) => vec![cond, &l.body],
                _ => vec![&l.body],
            },
            _ => Vec::new(),
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
    /// The tape capacity `#[differentiate(tape = N)]` gives loops without a
    /// constant bound.
    pub tape: Option<usize>,
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
    body_captures(&f.body, &[], &[])
}

/// What a region reads from outside it; `inner` are variables the enclosing
/// statement defines for it (loop variables).
pub fn region_captures(region: &Region, inner: &[Var]) -> Vec<Var> {
    let mut inner = inner.to_vec();
    inner.extend(&region.record);
    body_captures(&region.body, &region.yields, &inner)
}

fn body_captures(body: &[Stmt], yields: &[Var], inner: &[Var]) -> Vec<Var> {
    let mut defined: std::collections::HashSet<Var> = inner.iter().copied().collect();
    for stmt in body {
        let mut defs = Vec::new();
        stmt.all_defs(&mut defs);
        defined.extend(defs);
    }
    let mut captured = Vec::new();
    let uses = body
        .iter()
        .flat_map(Stmt::uses)
        .chain(yields.iter().copied());
    for v in uses {
        if !defined.contains(&v) && !captured.contains(&v) {
            captured.push(v);
        }
    }
    captured
}

/// Every variable defined in a region (and the regions inside it).
pub fn region_defs(region: &Region, out: &mut Vec<Var>) {
    out.extend(&region.record);
    for stmt in &region.body {
        stmt.all_defs(out);
    }
}

fn extend_unique(into: &mut Vec<Var>, more: Vec<Var>) {
    for v in more {
        if !into.contains(&v) {
            into.push(v);
        }
    }
}

/// What a primitive reads: its arguments, and what its closure captures
/// (`map`) or its sizes (`from_fn`).
fn primitive_uses(args: &[Var], callee: &Callee) -> Vec<Var> {
    let mut uses = args.to_vec();
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

/// The primal variable an identifier names (`__v12`): [`ident`] read back,
/// for code kept verbatim (`Op::Opaque`), whose variables are so named.
pub fn primal_var(id: &Ident) -> Option<Var> {
    id.to_string().strip_prefix("__v")?.parse().ok().map(Var)
}
