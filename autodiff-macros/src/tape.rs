//! What a recording sweep keeps for its replay.
//!
//! Straight-line code keeps its partials in locals. A branch keeps the
//! partials of the arm that ran in a *record* (the arm's variables, wrapped
//! in `tape::Branch::Then`/`Else`), and a loop keeps one record per
//! iteration on a *tape*. The replay (the adjoint sweep, or `linearize`'s
//! tangent pass) reads them back: a `match` on the record, a loop over the
//! tape. A record holds exactly the variables the replay reads that the
//! recording region defines.

use std::collections::HashSet;

use crate::ir::{self, Region, TapeKind, Var};

/// The most records constant-bound loops keep on the stack (over all
/// nested loops); beyond it tapes grow on the heap.
pub const STACK_RECORDS: usize = 4096;

/// The tape of a loop with at most `bound` iterations, given the capacity
/// `#[differentiate(tape = N)]` names, inside loops whose fixed tapes hold
/// `stack` records per iteration of this loop's enclosing body. Returns the
/// kind and what the loop's body passes on to loops inside it.
pub fn kind(bound: Option<usize>, attr: Option<usize>, stack: usize) -> (TapeKind, usize) {
    match (bound, attr) {
        (Some(b), Some(_)) => (TapeKind::Fixed(b), stack.saturating_mul(b)),
        (Some(b), None) if b.saturating_mul(stack) <= STACK_RECORDS => {
            (TapeKind::Fixed(b), stack * b)
        }
        (None, Some(n)) => (TapeKind::Fixed(n), stack.saturating_mul(n)),
        _ => (TapeKind::Growable, 1),
    }
}

/// The variables available at the end of a recording region: those its
/// statements define at its top, and `inner` (loop variables, pattern
/// bindings).
pub fn available(region: &Region, inner: &[Var]) -> HashSet<Var> {
    let mut available: HashSet<Var> = inner.iter().copied().collect();
    for stmt in &region.body {
        available.extend(stmt.defs.iter().flatten());
    }
    available
}

/// The record of a replay region: what it reads from `available`.
/// `replay_inner` are the variables the replay statement defines for it.
pub fn record(available: &HashSet<Var>, replay: &Region, replay_inner: &[Var]) -> Vec<Var> {
    ir::region_captures(replay, replay_inner)
        .into_iter()
        .filter(|v| available.contains(v))
        .collect()
}

/// Gives a recording region and its replay the same record.
pub fn link(primal: &mut Region, inner: &[Var], replay: &mut Region, replay_inner: &[Var]) {
    let record = record(&available(primal, inner), replay, replay_inner);
    primal.record = record.clone();
    replay.record = record;
}
