//! What a loop's replay computes again instead of reading it from the
//! loop's records.
//!
//! A replay reads the indices of the loop's reads and assignments (to
//! rebuild their partials, `tape::rebuilt_partial`), and a record would
//! hold each. Most are cheap integer arithmetic on the loop's counters,
//! which the replay can compute from the record's position in its run
//! (`LoopKind::Replay::position`):
//!
//! - the item of a `for` loop over an integer range: the range's first
//!   item (kept once per run, before the loop consumes the range) advanced
//!   by the position;
//! - an integer the body steps by a literal (`k += 1`, `lt -= 2`): its
//!   value before the loop, advanced or retreated by the position;
//! - arithmetic of the body on those and on values from outside the loop
//!   (`ik * d + id`), copied into the replay: additions, subtractions,
//!   multiplications, bit operations, negations and casts, never a
//!   division (slower than the record's load it saves).
//!
//! A reverse replay (`Recording`) also computes partials again:
//!
//! - a product, sum or negation whose operands it has is copied as the
//!   rule it is (value and partials), so `w[i] * x[i]` leaves nothing on
//!   the tape when both factors can be read again (a sum's partials are
//!   zero-sized markers, which loop replays define as constants
//!   themselves, `tape::rebuilt_partial`: never the reason for a copy);
//! - an element of a slice or array argument, at an index the replay
//!   rebuilds, is read again from a copy of the argument that the primal
//!   sweep keeps once per call (`tape::kept::keep`): the pullback owns
//!   what it reads. A slice is kept only where the loop's tape grows (an
//!   allocator is there anyway);
//! - a value the body computes by a primitive from values outside the
//!   loop alone (`xc[i]` in a loop over `j`), in a `for` loop without
//!   `break`, is kept once per run: the primal sweep threads the first
//!   iteration's through the loop and the enclosing record holds it.
//!
//! A statement is rebuilt only when everything it reads is rebuilt too or
//! comes from outside the loop as a plain number (an argument of a
//! primitive type, arithmetic, an integer counter) or a kept copy, so the
//! replay never reads more of the loop than before. On GMM's innermost
//! loop the record shrank from 32 to 16 bytes an iteration with counters
//! rebuilt, then to the sum's markers, then to nothing: a count
//! (`docs/control_flow.md`).

use std::collections::{HashMap, HashSet};

use syn::{BinOp, Expr, Lit, Type, UnOp};

use crate::ir::{
    ident, primal_var, Callee, Function, Loop, LoopKind, Op, OpaqueKind, Region, Role, Stmt, Var,
};

mod frozen;
mod recompute;

use recompute::slice_or_array;
pub use recompute::{keep_arg_stmt, kept_value_stmts, KeptValue, Recording};

/// How a variable of the function is defined, where that matters to a
/// replay: whether it is a plain number and whether it can be computed again.
#[derive(Clone, Debug)]
enum Origin {
    /// Opaque code: cheap integer or float arithmetic the replay may copy
    /// (`cheap`), or a range (`range`), or other arithmetic (a plain
    /// number, not copied).
    Arithmetic { cheap: bool, range: bool },
    /// An argument of a primitive numeric type.
    NumericArg,
    /// The item of a `for` loop over a range.
    RangeItem,
    /// The first item of a range, kept before a loop consumes it.
    FirstItem(Var),
    /// A slice or array passed by shared reference (`&[f64]`, `&[f64;
    /// 3]`), or a copy of one: the argument's variable, and whether it is a
    /// slice (whose copy needs an allocator).
    RefArg(Var, bool),
}

/// The origins of a function's variables, and its literal constants.
pub struct Origins {
    origin: HashMap<Var, Origin>,
    /// The statements that define variables (Opaque ones), by variable.
    opaque: HashMap<Var, (Expr, Vec<Var>)>,
    constants: HashMap<Var, Expr>,
    /// The arguments replays read again, each with the variable holding
    /// its copy (`tape::kept::keep`), in the order they were first needed.
    kept_args: Vec<(Var, Var)>,
    /// Local containers replays may index again (`frozen`).
    frozen: HashSet<Var>,
}

/// What a replay's rebuilding needs around it: the position variable its
/// statements read, and the first item the primal sweep keeps before the
/// loop (`(variable, range)`).
#[derive(Default)]
pub struct Rebuilt {
    pub position: Option<Var>,
    pub first_item: Option<(Var, Var)>,
    /// The values the loop's runs keep once.
    pub kept: Vec<KeptValue>,
    /// Arguments the replay reads again (`(argument, copy)`), new ones.
    kept_args: Vec<(Var, Var)>,
}

impl Origins {
    /// The origins of `f`'s variables.
    pub fn of(f: &Function) -> Self {
        let mut origins = Origins {
            origin: HashMap::new(),
            opaque: HashMap::new(),
            constants: crate::tape::constants(&f.body),
            kept_args: Vec::new(),
            frozen: frozen::frozen(f),
        };
        origins.scan(&f.body, f);
        origins
    }

    fn scan(&mut self, body: &[Stmt], f: &Function) {
        for stmt in body {
            match (&stmt.op, stmt.def()) {
                (Op::Opaque { expr, uses, kind }, Some(def)) => {
                    // Code an error would stop if a derivative flowed
                    // into it (`i & 3`: an operator without a rule) is,
                    // in a function that compiled, plain code too.
                    let origin = match matches!(kind, OpaqueKind::Inert | OpaqueKind::Foreign(_)) {
                        true => arithmetic(expr),
                        false => None,
                    };
                    if let Some(origin) = origin {
                        self.origin.insert(def, origin);
                        self.opaque.insert(def, ((**expr).clone(), uses.clone()));
                    }
                }
                (
                    Op::Prim {
                        prim,
                        args,
                        callee: Callee::Operator,
                    },
                    Some(def),
                ) => {
                    match operator(prim.name, args) {
                        Some(expr) => {
                            self.opaque.insert(def, (expr, args.clone()));
                            self.origin.insert(
                                def,
                                Origin::Arithmetic {
                                    cheap: true,
                                    range: false,
                                },
                            );
                        }
                        // A quotient: a plain number, not worth computing again.
                        None if prim.name == "div" => {
                            self.origin.insert(
                                def,
                                Origin::Arithmetic {
                                    cheap: false,
                                    range: false,
                                },
                            );
                        }
                        None => {}
                    }
                }
                (Op::Arg(k), Some(def)) if f.params.get(*k).is_some_and(|p| numeric(&p.ty)) => {
                    self.origin.insert(def, Origin::NumericArg);
                }
                (Op::Arg(k), Some(def)) => {
                    if let Some(slice) = f.params.get(*k).and_then(|p| slice_or_array(&p.ty)) {
                        self.origin.insert(def, Origin::RefArg(def, slice));
                    }
                }
                (Op::Copy(src), Some(def)) => {
                    if let Some(origin) = self.origin.get(src).cloned() {
                        self.origin.insert(def, origin);
                    }
                }
                (Op::Loop(l), _) => {
                    if let LoopKind::For { iter, item } = &l.kind {
                        if matches!(
                            self.origin.get(iter),
                            Some(Origin::Arithmetic { range: true, .. })
                        ) {
                            self.origin.insert(*item, Origin::RangeItem);
                        }
                    }
                }
                _ => {}
            }
            for region in stmt.regions() {
                self.scan(&region.body, f);
            }
        }
    }

    /// Whether `v`, defined outside a loop, is a plain number its replay
    /// may read (kept by an enclosing record or captured by the pullback
    /// as a copy): not a reference, not a range a loop consumed.
    fn plain_number(&self, v: Var) -> bool {
        matches!(
            self.origin.get(&v),
            Some(
                Origin::Arithmetic { range: false, .. }
                    | Origin::NumericArg
                    | Origin::RangeItem
                    | Origin::FirstItem(_)
            )
        )
    }

    /// Puts first in the replay of `l` (`replay`, with `inner` its own
    /// variables) the statements that rebuild what it would read from
    /// `l`'s records; `available` is what `l`'s body makes available to
    /// them. A reverse replay also computes cheap rules again and reads
    /// kept values (`recording`).
    pub fn rebuild(
        &mut self,
        l: &Loop,
        available: &HashSet<Var>,
        replay: &mut Region,
        inner: &[Var],
        recording: Option<&Recording>,
        fresh: &mut dyn FnMut(Role) -> Var,
    ) -> Rebuilt {
        let reads: Vec<Var> = crate::tape::record(available, replay, inner);
        let body: HashMap<Var, &Stmt> = l
            .body
            .body
            .iter()
            .filter_map(|s| s.def().map(|d| (d, s)))
            .collect();
        // Each partial of a rule at the top of the body, by the rule's value.
        let owner = recording.map_or_else(HashMap::new, |r| {
            body.keys()
                .filter_map(|d| r.rules.get(d).map(|rule| (*d, rule)))
                .flat_map(|(d, rule)| rule.defs.iter().skip(1).flatten().map(move |p| (*p, d)))
                .collect()
        });
        let mut plan = Plan {
            origins: self,
            l,
            available,
            body,
            direct: reads
                .iter()
                .copied()
                .filter(|v| !owner.contains_key(v))
                .collect(),
            owner,
            recording,
            memo: HashMap::new(),
            stmts: Vec::new(),
            out: Rebuilt::default(),
            fresh,
        };
        for v in reads {
            plan.rebuilds(v);
        }
        let (stmts, mut out) = (plan.stmts, plan.out);
        replay.body.splice(0..0, stmts);
        if let Some((first, range)) = out.first_item {
            self.origin.insert(first, Origin::FirstItem(range));
        }
        self.kept_args.append(&mut out.kept_args);
        out
    }

    /// The arguments replays read again, each with the variable its copy
    /// is kept in.
    pub fn kept_args(&self) -> &[(Var, Var)] {
        &self.kept_args
    }
}

/// Plain code defining `v`.
fn inert(v: Var, expr: Expr, uses: Vec<Var>, span: proc_macro2::Span) -> Stmt {
    opaque(v, expr, uses, OpaqueKind::Inert, span)
}

pub(super) fn opaque(
    v: Var,
    expr: Expr,
    uses: Vec<Var>,
    kind: OpaqueKind,
    span: proc_macro2::Span,
) -> Stmt {
    Stmt::new(
        v,
        Op::Opaque {
            expr: Box::new(expr),
            uses,
            kind,
        },
        span,
    )
}

/// One replay's rebuilding, decided variable by variable.
struct Plan<'a> {
    origins: &'a Origins,
    l: &'a Loop,
    available: &'a HashSet<Var>,
    /// The statements at the top of the loop's body, by what they define.
    body: HashMap<Var, &'a Stmt>,
    /// The partials of the rules among them, each with the rule's value.
    owner: HashMap<Var, Var>,
    recording: Option<&'a Recording<'a>>,
    /// The values (not partials) the replay reads for itself.
    direct: HashSet<Var>,
    /// Whether each variable considered is rebuilt.
    memo: HashMap<Var, bool>,
    /// The statements rebuilding them, each after those it reads.
    stmts: Vec<Stmt>,
    out: Rebuilt,
    fresh: &'a mut dyn FnMut(Role) -> Var,
}

impl Plan<'_> {
    /// Whether the replay rebuilds `v`: if so, the statements defining it
    /// (after those it reads) are in `stmts`.
    fn rebuilds(&mut self, v: Var) -> bool {
        if let Some(known) = self.memo.get(&v) {
            return *known;
        }
        // A rule's partial, with the rule computed again (which marks it).
        // (The markers of `+`, `-` and negation never get here: loop
        // replays rebuild them as constants, `tape::rebuilt_partial`.)
        if let Some(def) = self.owner.get(&v).copied() {
            self.rebuilds(def);
            return self.memo.get(&v).copied().unwrap_or(false);
        }
        // A cycle (a carried variable reached again) is not rebuilt.
        self.memo.insert(v, false);
        // What to go back to if `v` is not rebuilt after all: variables it
        // reads may have been, for it alone.
        let undo = (
            self.stmts.len(),
            self.out.position,
            self.out.first_item,
            (self.out.kept.len(), self.out.kept_args.len()),
            self.memo.clone(),
        );
        let span = self
            .l
            .body
            .body
            .first()
            .map_or_else(proc_macro2::Span::call_site, |s| s.span);
        let opaque = |(expr, uses)| inert(v, expr, uses, span);
        let stmt = match self.counter(v) {
            Some(counter) => Some(opaque(counter)),
            None => self
                .recomputed(v)
                .or_else(|| self.copied(v).map(opaque))
                .or_else(|| self.first_item(v).map(opaque))
                .or_else(|| self.kept_value(v)),
        };
        let rebuilt = match stmt {
            Some(stmt) => {
                let defs: Vec<Var> = stmt.defs.iter().flatten().copied().collect();
                self.stmts.push(stmt);
                for d in defs {
                    self.memo.insert(d, true);
                }
                true
            }
            None => {
                let (len, position, first_item, (kept, kept_args), memo) = undo;
                self.stmts.truncate(len);
                self.out.kept.truncate(kept);
                self.out.kept_args.truncate(kept_args);
                (self.out.position, self.out.first_item, self.memo) = (position, first_item, memo);
                false
            }
        };
        self.memo.insert(v, rebuilt);
        rebuilt
    }

    /// Whether `u`, read by a statement the replay copies, is rebuilt or
    /// comes from outside the loop as a plain number.
    fn readable(&mut self, u: Var) -> bool {
        match self.available.contains(&u) {
            true => self.rebuilds(u),
            false => self.origins.plain_number(u),
        }
    }

    fn position(&mut self) -> Var {
        match self.out.position {
            Some(p) => p,
            None => {
                let p = (self.fresh)(Role::Primal);
                self.out.position = Some(p);
                p
            }
        }
    }

    /// The loop's item or an integer it steps by a literal, from the
    /// record's position.
    fn counter(&mut self, v: Var) -> Option<(Expr, Vec<Var>)> {
        let rt = crate::emit::runtime();
        if let LoopKind::For { iter, item } = &self.l.kind {
            let range = matches!(
                self.origins.origin.get(iter),
                Some(Origin::Arithmetic { range: true, .. })
            );
            if *item == v && range {
                let first = match self.out.first_item {
                    Some((first, _)) => first,
                    None => {
                        let first = (self.fresh)(Role::Primal);
                        self.out.first_item = Some((first, *iter));
                        first
                    }
                };
                let p = self.position();
                let (first_id, p_id) = (ident(first, Role::Primal), ident(p, Role::Primal));
                let expr = syn::parse_quote!(#rt::tape::positions::item(#first_id, #p_id));
                return Some((expr, vec![first, p]));
            }
        }
        let k = self.l.carried.iter().position(|c| *c == v)?;
        let (init, next) = (self.l.inits[k], *self.l.body.yields.get(k)?);
        self.body.get(&next)?;
        let Some((Expr::Binary(b), _)) = self.origins.opaque.get(&next) else {
            return None;
        };
        let stepper = match b.op {
            BinOp::Add(_) => quote::quote!(advanced),
            BinOp::Sub(_) => quote::quote!(retreated),
            _ => return None,
        };
        if !is_var(&b.left, v) {
            return None;
        }
        // An integer literal step: the counter is an integer (a float
        // stepped by a constant would not come back exactly).
        let step = match &*b.right {
            Expr::Lit(l) if matches!(l.lit, Lit::Int(_)) => (*b.right).clone(),
            Expr::Path(p) => {
                let var = p.path.get_ident().and_then(primal_var)?;
                match self.origins.constants.get(&var) {
                    Some(lit @ Expr::Lit(l)) if matches!(l.lit, Lit::Int(_)) => lit.clone(),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let p = self.position();
        let (init_id, p_id) = (ident(init, Role::Primal), ident(p, Role::Primal));
        let expr = syn::parse_quote!(#rt::tape::positions::#stepper(#init_id, #step, #p_id));
        Some((expr, vec![init, p]))
    }

    /// Cheap arithmetic at the top of the body, copied. Unless it is a
    /// literal, it reads a variable that is not one: its literals then get
    /// their types from that variable's, as in the primal sweep.
    fn copied(&mut self, v: Var) -> Option<(Expr, Vec<Var>)> {
        self.body.get(&v)?;
        // A rule (a derivative flows through it) is computed again as one.
        if self.recording.is_some_and(|r| r.rules.contains_key(&v)) {
            return None;
        }
        let Some(Origin::Arithmetic { cheap: true, .. }) = self.origins.origin.get(&v) else {
            return None;
        };
        let (expr, uses) = self.origins.opaque.get(&v)?.clone();
        let typed = uses.is_empty() || uses.iter().any(|u| !self.origins.constants.contains_key(u));
        (typed && uses.iter().all(|u| self.readable(*u))).then_some((expr, uses))
    }

    /// The first item of a range the body defines for a loop inside it.
    fn first_item(&mut self, v: Var) -> Option<(Expr, Vec<Var>)> {
        let Some(Origin::FirstItem(range)) = self.origins.origin.get(&v).cloned() else {
            return None;
        };
        if !self.available.contains(&range) || !self.rebuilds(range) {
            return None;
        }
        Some((first_item_of(range), vec![range]))
    }
}

/// The statement the primal sweep runs before a loop whose replay rebuilds
/// its item: the range's first item, kept in `first`.
pub fn first_item_stmt(first: Var, range: Var, span: proc_macro2::Span) -> Stmt {
    Stmt::new(
        first,
        Op::Opaque {
            expr: Box::new(first_item_of(range)),
            uses: vec![range],
            kind: OpaqueKind::Inert,
        },
        span,
    )
}

/// `first_item(&range)`.
fn first_item_of(range: Var) -> Expr {
    let rt = crate::emit::runtime();
    let id = ident(range, Role::Primal);
    syn::parse_quote!(#rt::tape::positions::first_item(&#id))
}

/// A static operator's code (`a + b`), for those `cheap` allows.
fn operator(name: &str, args: &[Var]) -> Option<Expr> {
    let ids: Vec<_> = args.iter().map(|a| ident(*a, Role::Primal)).collect();
    match (name, ids.as_slice()) {
        ("add", [a, b]) => Some(syn::parse_quote!(#a + #b)),
        ("sub", [a, b]) => Some(syn::parse_quote!(#a - #b)),
        ("mul", [a, b]) => Some(syn::parse_quote!(#a * #b)),
        ("neg", [a]) => Some(syn::parse_quote!(-#a)),
        _ => None,
    }
}

/// Whether `expr` is the variable `v` as the IR names it.
fn is_var(expr: &Expr, v: Var) -> bool {
    matches!(expr, Expr::Path(p) if p.path.get_ident().and_then(primal_var) == Some(v))
}

/// Opaque code that gives a plain number or a range: its origin.
fn arithmetic(expr: &Expr) -> Option<Origin> {
    match expr {
        Expr::Paren(p) => arithmetic(&p.expr),
        Expr::Range(r) => {
            let ends_cheap = r.start.as_deref().is_some_and(cheap)
                && r.end.as_deref().is_none_or(|e| cheap(e) || number(e));
            Some(Origin::Arithmetic {
                cheap: ends_cheap,
                range: true,
            })
        }
        _ if cheap(expr) => Some(Origin::Arithmetic {
            cheap: true,
            range: false,
        }),
        _ if number(expr) => Some(Origin::Arithmetic {
            cheap: false,
            range: false,
        }),
        _ => None,
    }
}

/// Arithmetic the replay may copy: on variables and literals, with `+`,
/// `-`, `*`, bit operations, negation and casts.
fn cheap(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(l) => matches!(l.lit, Lit::Int(_) | Lit::Float(_)),
        Expr::Path(p) => p.path.get_ident().and_then(primal_var).is_some(),
        Expr::Paren(p) => cheap(&p.expr),
        Expr::Cast(c) => cheap(&c.expr),
        Expr::Unary(u) => matches!(u.op, UnOp::Neg(_)) && cheap(&u.expr),
        Expr::Binary(b) => {
            matches!(
                b.op,
                BinOp::Add(_)
                    | BinOp::Sub(_)
                    | BinOp::Mul(_)
                    | BinOp::BitAnd(_)
                    | BinOp::BitOr(_)
                    | BinOp::BitXor(_)
            ) && cheap(&b.left)
                && cheap(&b.right)
        }
        _ => false,
    }
}

/// Code whose value is a plain number: arithmetic of any operator, a
/// literal, a cast, a length.
fn number(expr: &Expr) -> bool {
    match expr {
        Expr::Paren(p) => number(&p.expr),
        Expr::Cast(_) | Expr::Lit(_) => true,
        Expr::Unary(u) => !matches!(u.op, UnOp::Deref(_)),
        Expr::Binary(_) => true,
        Expr::MethodCall(m) => {
            m.args.is_empty() && matches!(m.method.to_string().as_str(), "len" | "nrows" | "ncols")
        }
        _ => false,
    }
}

/// A primitive numeric type (`usize`, `f64`, ...).
fn numeric(ty: &Type) -> bool {
    const NUMERIC: [&str; 14] = [
        "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
        "f32", "f64",
    ];
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.get_ident().is_some_and(|id| NUMERIC.contains(&id.to_string().as_str())))
}

#[cfg(test)]
mod tests;
