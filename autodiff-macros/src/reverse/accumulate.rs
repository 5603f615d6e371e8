//! Contributions a loop's replay adds to one element of a container in
//! every iteration (`xc[i]` read in the loop over `j`: `g_xc[i] += ..`),
//! summed in a local instead of in the container.
//!
//! The container's adjoint lives in memory, and adding into the same
//! element each iteration chains the iterations through a store and the
//! next iteration's load of it: in GMM's triangular product that chain was
//! a fifth of the gradient's time (`perf annotate`), once the product's
//! partials no longer came from the tape. Summed in a local, the element
//! is taken out of the container before the loop (`rules::pull_set`,
//! which leaves a zero) and added back after it (`linear::pull_into`).

use proc_macro2::Span;
use syn::Expr;

use crate::ir::{Op, OpaqueKind, Region, Stmt, Var};

/// A carried adjoint of a replay whose contributions are now summed in a
/// local: the carried slot, and the statement defining the element's
/// partial `at(i)` (its index from outside the loop).
pub(super) struct Summed {
    pub slot: usize,
    pub at: Stmt,
    /// The index, as `at` writes it.
    index: Expr,
}

/// Rewrites the replay `region` so that each carried adjoint (`carried`,
/// from `first` on) that the body only adds into at one index from outside
/// the loop (`outside`) carries the sum of those contributions instead.
pub(super) fn sum_in_locals(
    region: &mut Region,
    carried: &[Var],
    first: usize,
    outside: impl Fn(Var) -> bool,
) -> Vec<Summed> {
    let mut out = Vec::new();
    for (slot, start) in carried.iter().enumerate().skip(first) {
        let Some((chain, at)) = chain(region, *start, slot, &outside) else {
            continue;
        };
        let Some(index) = index_of(&at) else {
            continue;
        };
        let mut sum = *start;
        let mut partials = Vec::new();
        for k in chain {
            let Op::PullInto {
                partial, adjoint, ..
            } = region.body[k].op
            else {
                continue;
            };
            partials.push(partial);
            region.body[k].op = Op::Accumulate(sum, adjoint);
            sum = region.body[k].def().unwrap_or(sum);
        }
        // The partials' statements, read by nothing now.
        let read: Vec<Var> = region.body.iter().flat_map(Stmt::uses).collect();
        region.body.retain(|s| {
            s.def()
                .is_none_or(|d| !partials.contains(&d) || read.contains(&d))
        });
        out.push(Summed { slot, at, index });
    }
    out
}

/// The statements (by position) that add into the carried adjoint
/// `start`, one after the other, each at the same index from outside the
/// loop, the last yielded at `slot`; and the first's partial's statement.
fn chain(
    region: &Region,
    start: Var,
    slot: usize,
    outside: &impl Fn(Var) -> bool,
) -> Option<(Vec<usize>, Stmt)> {
    let mut chain = Vec::new();
    let mut at: Option<Stmt> = None;
    let mut current = start;
    loop {
        let users: Vec<usize> = (0..region.body.len())
            .filter(|k| region.body[*k].uses().contains(&current))
            .collect();
        let [k] = users[..] else {
            if users.is_empty() {
                break;
            }
            return None;
        };
        let Op::PullInto {
            partial,
            adjoint,
            acc,
        } = region.body[k].op
        else {
            return None;
        };
        if acc != current || adjoint == current || partial == current {
            return None;
        }
        let defining = region.body.iter().find(|s| s.def() == Some(partial))?;
        let Op::Opaque { expr, uses, .. } = &defining.op else {
            return None;
        };
        if !is_at(expr) || !uses.iter().all(|u| outside(*u)) {
            return None;
        }
        match &at {
            Some(first) => {
                let Op::Opaque { expr: same, .. } = &first.op else {
                    return None;
                };
                if quote::quote!(#same).to_string() != quote::quote!(#expr).to_string() {
                    return None;
                }
            }
            None => at = Some(defining.clone()),
        }
        chain.push(k);
        current = region.body[k].def()?;
    }
    let yielded = region.yields.iter().filter(|y| **y == current).count();
    (!chain.is_empty() && yielded == 1 && region.yields.get(slot) == Some(&current))
        .then(|| at.map(|at| (chain, at)))
        .flatten()
}

/// `linear::at(i)`: the partial of reading an element.
fn is_at(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(c) if matches!(&*c.func, Expr::Path(p)
        if p.path.segments.last().is_some_and(|s| s.ident == "at")
            && p.path.segments.iter().rev().nth(1).is_some_and(|s| s.ident == "linear")))
}

/// The index `i` of `at`'s statement, `linear::at(i)`.
fn index_of(at: &Stmt) -> Option<Expr> {
    match &at.op {
        Op::Opaque { expr, .. } => match &**expr {
            Expr::Call(call) if is_at(expr) => call.args.first().cloned(),
            _ => None,
        },
        _ => None,
    }
}

impl Summed {
    /// `rules::zero_at(i)`, defining `def`: the partial `rules::pull_set`
    /// takes the element out with.
    pub(super) fn zero_at(&self, def: Var, span: Span) -> Stmt {
        let rt = crate::emit::runtime();
        let index = &self.index;
        Stmt::new(
            def,
            Op::Opaque {
                expr: Box::new(syn::parse_quote!(#rt::rules::zero_at(#index))),
                uses: self.at.uses(),
                kind: OpaqueKind::Inert,
            },
            span,
        )
    }
}
