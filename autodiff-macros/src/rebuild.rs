//! Integers a loop's replay computes again instead of reading them from
//! the loop's records.
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
//! A statement is rebuilt only when everything it reads is rebuilt too or
//! comes from outside the loop as a plain number (an argument of a
//! primitive type, arithmetic, an integer counter), so the replay never
//! reads more of the loop than before. On GMM's innermost loop the record
//! shrank from 32 to 16 bytes an iteration (`docs/control_flow.md`).

use std::collections::{HashMap, HashSet};

use syn::{BinOp, Expr, Lit, Type, UnOp};

use crate::ir::{
    ident, primal_var, Callee, Function, Loop, LoopKind, Op, OpaqueKind, Region, Role, Stmt, Var,
};

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
}

/// The origins of a function's variables, and its literal constants.
pub struct Origins {
    origin: HashMap<Var, Origin>,
    /// The statements that define variables (Opaque ones), by variable.
    opaque: HashMap<Var, (Expr, Vec<Var>)>,
    constants: HashMap<Var, Expr>,
}

/// What a replay's rebuilding needs around it: the position variable its
/// statements read, and the first item the primal sweep keeps before the
/// loop (`(variable, range)`).
#[derive(Default)]
pub struct Rebuilt {
    pub position: Option<Var>,
    pub first_item: Option<(Var, Var)>,
}

impl Origins {
    /// The origins of `f`'s variables.
    pub fn of(f: &Function) -> Self {
        let mut origins = Origins {
            origin: HashMap::new(),
            opaque: HashMap::new(),
            constants: crate::tape::constants(&f.body),
        };
        origins.scan(&f.body, f);
        origins
    }

    fn scan(&mut self, body: &[Stmt], f: &Function) {
        for stmt in body {
            match (&stmt.op, stmt.def()) {
                (Op::Opaque { expr, uses, kind }, Some(def)) => {
                    let origin = match matches!(kind, OpaqueKind::Inert) {
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
    /// `l`'s records; `available` is what `l`'s body makes available to them.
    pub fn rebuild(
        &mut self,
        l: &Loop,
        available: &HashSet<Var>,
        replay: &mut Region,
        inner: &[Var],
        fresh: &mut dyn FnMut(Role) -> Var,
    ) -> Rebuilt {
        let reads: Vec<Var> = crate::tape::record(available, replay, inner);
        let mut plan = Plan {
            origins: self,
            l,
            available,
            body: l
                .body
                .body
                .iter()
                .filter_map(|s| s.def().map(|d| (d, s)))
                .collect(),
            memo: HashMap::new(),
            stmts: Vec::new(),
            out: Rebuilt::default(),
            fresh,
        };
        for v in reads {
            plan.rebuilds(v);
        }
        let (stmts, out) = (plan.stmts, plan.out);
        replay.body.splice(0..0, stmts);
        if let Some((first, range)) = out.first_item {
            self.origin.insert(first, Origin::FirstItem(range));
        }
        out
    }
}

/// One replay's rebuilding, decided variable by variable.
struct Plan<'a> {
    origins: &'a Origins,
    l: &'a Loop,
    available: &'a HashSet<Var>,
    /// The statements at the top of the loop's body, by what they define.
    body: HashMap<Var, &'a Stmt>,
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
        // A cycle (a carried variable reached again) is not rebuilt.
        self.memo.insert(v, false);
        // What to go back to if `v` is not rebuilt after all: variables it
        // reads may have been, for it alone.
        let undo = (
            self.stmts.len(),
            self.out.position,
            self.out.first_item,
            self.memo.clone(),
        );
        let stmt = self
            .counter(v)
            .or_else(|| self.copied(v))
            .or_else(|| self.first_item(v));
        let rebuilt = match stmt {
            Some((expr, uses)) => {
                self.stmts.push(Stmt::new(
                    v,
                    Op::Opaque {
                        expr: Box::new(expr),
                        uses,
                        kind: OpaqueKind::Inert,
                    },
                    self.l
                        .body
                        .body
                        .first()
                        .map_or_else(proc_macro2::Span::call_site, |s| s.span),
                ));
                true
            }
            None => {
                let (len, position, first_item, memo) = undo;
                self.stmts.truncate(len);
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
mod tests {
    use crate::attr::Options;
    use crate::interpret::lowered;
    use crate::ir::{Loop, LoopKind, Op, Role, Stmt};
    use crate::reverse::{reverse, Seed};

    /// The recording loops of a body and the replays of one, at any depth.
    fn loops(body: &[Stmt], out: &mut Vec<Loop>) {
        for stmt in body {
            if let Op::Loop(l) = &stmt.op {
                out.push((**l).clone());
            }
            for region in stmt.regions() {
                loops(&region.body, out);
            }
        }
    }

    /// GMM's triangular product in small, `lt` stepped by one across both
    /// loops: the inner record keeps partials only (`j` from the position,
    /// `lt` from its value before the run, which the outer record keeps),
    /// the outer one neither `i` nor anything computed from it.
    #[test]
    fn counters_leave_the_records() {
        let (f, act) = lowered(
            syn::parse_quote! {
                fn tri(x: &[f64], a: &[f64]) -> f64 {
                    let n = x.len();
                    let mut s = 0.0;
                    let mut lt = 0;
                    for i in 0..n {
                        let row = i * n;
                        for j in i + 1..n {
                            s += a[lt] * x[row + j - i * n] * x[j];
                            lt += 1;
                        }
                    }
                    s
                }
            },
            &Options::default(),
        );
        let vjp = reverse(&f, &act, Seed::One);
        let (mut primal, mut adjoint) = (Vec::new(), Vec::new());
        loops(&vjp.primal, &mut primal);
        loops(&vjp.adjoint, &mut adjoint);
        let [outer, inner] = &primal[..] else {
            panic!("two recording loops: {}", primal.len())
        };
        let primal_in = |l: &Loop| -> Vec<_> {
            l.body
                .record
                .iter()
                .filter(|v| vjp.roles[v.0 as usize] == Role::Primal)
                .copied()
                .collect()
        };
        assert_eq!(primal_in(inner), vec![]);
        let LoopKind::For { item, .. } = outer.kind else {
            panic!("a `for` loop")
        };
        assert!(!outer.body.record.contains(&item));
        // `lt` before the run, and the inner run's place on the flat tape.
        assert_eq!(primal_in(outer).len(), 2, "{:?}", primal_in(outer));
        assert_eq!(
            adjoint
                .iter()
                .filter(|l| matches!(
                    l.kind,
                    LoopKind::Replay {
                        position: Some(_),
                        ..
                    }
                ))
                .count(),
            2
        );
    }
}
