//! A small interpreter of the IR over `f64`, for testing the transforms
//! without rustc: a transform is right if interpreting its output agrees with
//! finite differences of interpreting its input.

use std::collections::HashMap;

use crate::attr::Options;
use crate::errors::Errors;
use crate::ir::{Function, Op, Stmt, Var};
use crate::{activity, lower, signature};

/// Lowers a function written with the subset the interpreter knows.
pub fn lowered(item: syn::ItemFn, options: &Options) -> (Function, activity::Activity) {
    let mut errors = Errors::default();
    let sig = signature::check(&item.sig, options, &mut errors);
    let f = lower::lower(sig.params, &item.block, true, &mut errors);
    let act = activity::analyse(&f, &mut errors);
    assert!(errors.is_empty(), "{:?}", errors.messages());
    (f, act)
}

/// Inputs of one run.
#[derive(Default)]
pub struct Inputs {
    /// The arguments.
    pub args: Vec<f64>,
    /// Tangents of the differentiable arguments.
    pub tangents: Vec<f64>,
    /// The output cotangent.
    pub cotangent: f64,
    /// The caller's gradient buffers (for `Gradients::IntoBuffers`).
    pub buffers: Vec<f64>,
}

/// Runs `stmts` after `env` and returns every variable's value.
pub fn run(stmts: &[Stmt], inputs: &Inputs, env: &mut HashMap<Var, f64>) {
    for stmt in stmts {
        let get = |v: &Var| env[v];
        let values: Vec<f64> = match &stmt.op {
            Op::Arg(i) => vec![inputs.args[*i]],
            Op::Opaque { expr, .. } => vec![literal(expr)],
            Op::Prim { prim, args, .. } => {
                let a: Vec<f64> = args.iter().map(get).collect();
                vec![rule(prim.name, &a).0]
            }
            Op::Rule { prim, args, .. } => {
                let a: Vec<f64> = args.iter().map(get).collect();
                let (value, partials) = rule(prim.name, &a);
                std::iter::once(value).chain(partials).collect()
            }
            Op::Copy(v) => vec![get(v)],
            Op::TangentIn(k) => vec![inputs.tangents[*k]],
            Op::CotangentIn => vec![inputs.cotangent],
            Op::BufferIn(k) => vec![inputs.buffers[*k]],
            Op::Seed(_) => vec![1.0],
            Op::Zero(_) => vec![0.0],
            Op::Push { partial, tangent } => vec![get(partial) * get(tangent)],
            Op::Pull { partial, adjoint } => vec![get(partial) * get(adjoint)],
            Op::Accumulate(a, b) => vec![get(a) + get(b)],
            Op::PullInto { .. } | Op::PushSet { .. } | Op::PullSet { .. } => {
                panic!("the interpreter only knows scalars")
            }
            Op::Branch(_)
            | Op::Loop(_)
            | Op::Call(_)
            | Op::PushCall { .. }
            | Op::PullCall { .. } => {
                panic!("the interpreter knows straight-line code; control flow is tested through rustc")
            }
        };
        for (slot, value) in stmt.defs.iter().zip(values) {
            if let Some(v) = slot {
                env.insert(*v, value);
            }
        }
    }
}

fn literal(expr: &syn::Expr) -> f64 {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(f),
            ..
        }) => f.base10_parse().expect("float literal"),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().expect("integer literal"),
        other => panic!("the interpreter only knows literals, not {other:?}"),
    }
}

/// Value and partials of the primitives the tests use (the static exponent of
/// `powi` is passed as a float and gets a partial slot of its own, unused).
fn rule(name: &str, a: &[f64]) -> (f64, Vec<f64>) {
    match name {
        "add" => (a[0] + a[1], vec![1.0, 1.0]),
        "sub" => (a[0] - a[1], vec![1.0, -1.0]),
        "mul" => (a[0] * a[1], vec![a[1], a[0]]),
        "div" => (a[0] / a[1], vec![1.0 / a[1], -a[0] / (a[1] * a[1])]),
        "neg" => (-a[0], vec![-1.0]),
        "sin" => (a[0].sin(), vec![a[0].cos()]),
        "exp" => (a[0].exp(), vec![a[0].exp()]),
        "powi" => {
            let n = a[1] as i32;
            (a[0].powi(n), vec![f64::from(n) * a[0].powi(n - 1)])
        }
        other => panic!("the interpreter does not know `{other}`"),
    }
}
