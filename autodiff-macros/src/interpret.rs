//! A small interpreter of the IR over `f64`, for testing the transforms
//! without rustc: a transform is right if interpreting its output agrees with
//! finite differences of interpreting its input.
//!
//! It knows scalar primitives, `if` on comparisons, `for` over integer
//! ranges, `while` and `loop`, and the records and tapes that reverse mode
//! and `linearize` keep for their replays; opaque code may be literals,
//! variables, arithmetic, comparisons and ranges, and the counters a replay
//! rebuilds from a record's position.

use std::collections::HashMap;

use crate::attr::Options;
use crate::errors::Errors;
use crate::ir::{Choice, Function, LoopKind, Op, Region, Stmt, Var};
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

/// A value of the interpreter.
#[derive(Clone, Debug)]
enum Value {
    Num(f64),
    Bool(bool),
    /// The items of a range, not yet iterated.
    Items(Vec<f64>),
    /// The arm of a branch that ran and its record.
    Record(usize, Vec<(Var, Value)>),
    /// The records of a loop's iterations.
    Tape(Vec<Vec<(Var, Value)>>),
}

/// Every variable's value after a run.
#[derive(Default)]
pub struct Env(HashMap<Var, Value>);

impl std::ops::Index<&Var> for Env {
    type Output = f64;
    fn index(&self, v: &Var) -> &f64 {
        match self.0.get(v) {
            Some(Value::Num(x)) => x,
            other => panic!("{v:?} is not a number: {other:?}"),
        }
    }
}

impl Env {
    fn get(&self, v: &Var) -> Value {
        match self.0.get(v) {
            Some(value) => value.clone(),
            None => panic!("{v:?} is not defined"),
        }
    }

    fn set(&mut self, v: Var, value: Value) {
        self.0.insert(v, value);
    }

    fn bool(&self, v: &Var) -> bool {
        match self.get(v) {
            Value::Bool(b) => b,
            other => panic!("{v:?} is not a condition: {other:?}"),
        }
    }

    fn record(&self, vars: &[Var]) -> Vec<(Var, Value)> {
        vars.iter().map(|v| (*v, self.get(v))).collect()
    }
}

/// Runs `stmts` after `env`, which then holds every variable's value.
pub fn run(stmts: &[Stmt], inputs: &Inputs, env: &mut Env) {
    for stmt in stmts {
        let values: Vec<Value> = match &stmt.op {
            Op::Branch(b) => {
                let (arm, restored) = match &b.choice {
                    Choice::If(c) => (usize::from(!env.bool(c)), Vec::new()),
                    Choice::Replay(r) => match env.get(r) {
                        Value::Record(arm, record) => (arm, record),
                        other => panic!("not a record: {other:?}"),
                    },
                    Choice::Match { .. } => panic!("the interpreter does not know `match`"),
                };
                for (v, value) in restored {
                    env.set(v, value);
                }
                let region = &b.arms[arm];
                let mut values = region_values(region, inputs, env);
                if b.recorded {
                    values.push(Value::Record(arm, env.record(&region.record)));
                }
                values
            }
            Op::Loop(l) => {
                for (c, init) in l.carried.iter().zip(&l.inits) {
                    let value = env.get(init);
                    env.set(*c, value);
                }
                let mut tape = Vec::new();
                let mut iteration = |env: &mut Env, restored: Vec<(Var, Value)>| -> bool {
                    for (v, value) in restored {
                        env.set(v, value);
                    }
                    let values = region_values(&l.body, inputs, env);
                    if l.tape.is_some() {
                        tape.push(env.record(&l.body.record));
                    }
                    let stop = l.breaks && matches!(values.last(), Some(Value::Bool(true)));
                    for (c, value) in l.carried.iter().zip(values) {
                        env.set(*c, value);
                    }
                    stop
                };
                match &l.kind {
                    LoopKind::For { iter, item } => {
                        let Value::Items(items) = env.get(iter) else {
                            panic!("not a range")
                        };
                        for x in items {
                            env.set(*item, Value::Num(x));
                            if iteration(env, Vec::new()) {
                                break;
                            }
                        }
                    }
                    LoopKind::While(cond) => loop {
                        let go = region_values(cond, inputs, env);
                        if !matches!(go.first(), Some(Value::Bool(true)))
                            || iteration(env, Vec::new())
                        {
                            break;
                        }
                    },
                    LoopKind::Forever => while !iteration(env, Vec::new()) {},
                    LoopKind::Replay {
                        tape,
                        backwards,
                        position,
                    } => {
                        let Value::Tape(records) = env.get(tape) else {
                            panic!("not a tape")
                        };
                        let mut numbered: Vec<_> = records.into_iter().enumerate().collect();
                        if *backwards {
                            numbered.reverse();
                        }
                        for (k, record) in numbered {
                            if let Some(p) = position {
                                env.set(*p, Value::Num(k as f64));
                            }
                            iteration(env, record);
                        }
                    }
                }
                let mut values: Vec<Value> = l.carried.iter().map(|c| env.get(c)).collect();
                if l.tape.is_some() {
                    values.push(Value::Tape(tape));
                }
                values
            }
            Op::Opaque { expr, .. } => vec![opaque(expr, env)],
            op => simple(op, inputs, env)
                .into_iter()
                .map(Value::Num)
                .collect(),
        };
        for (slot, value) in stmt.defs.iter().zip(values) {
            if let Some(v) = slot {
                env.set(*v, value);
            }
        }
    }
}

/// Runs a region; returns what it yields.
fn region_values(region: &Region, inputs: &Inputs, env: &mut Env) -> Vec<Value> {
    run(&region.body, inputs, env);
    region.yields.iter().map(|v| env.get(v)).collect()
}

/// A straight-line operation on scalars.
fn simple(op: &Op, inputs: &Inputs, env: &Env) -> Vec<f64> {
    let get = |v: &Var| env[v];
    match op {
        Op::Arg(i) => vec![inputs.args[*i]],
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
        Op::Push { terms } => vec![terms.iter().map(|(p, t)| get(p) * get(t)).sum()],
        Op::Pull {
            partial,
            adjoint,
            onto,
        } => vec![get(partial) * get(adjoint) + onto.as_ref().map_or(0.0, get)],
        Op::Accumulate(a, b) => vec![get(a) + get(b)],
        other => panic!("the interpreter does not know {other:?}"),
    }
}

/// Opaque code: literals, variables, arithmetic, comparisons, ranges.
fn opaque(expr: &syn::Expr, env: &Env) -> Value {
    use syn::{BinOp, Expr, Lit};
    let num = |e: &Expr| match opaque(e, env) {
        Value::Num(x) => x,
        other => panic!("not a number: {other:?}"),
    };
    match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Float(f) => Value::Num(f.base10_parse().expect("float literal")),
            Lit::Int(i) => Value::Num(i.base10_parse().expect("integer literal")),
            Lit::Bool(b) => Value::Bool(b.value),
            other => panic!("the interpreter does not know the literal {other:?}"),
        },
        Expr::Paren(p) => opaque(&p.expr, env),
        Expr::Path(p) => match p.path.get_ident().and_then(crate::ir::primal_var) {
            Some(v) => env.get(&v),
            // The markers a replay rebuilds (`tape::rebuilt_partial`).
            None => match p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .as_deref()
            {
                Some("Identity") => Value::Num(1.0),
                Some("Negate") => Value::Num(-1.0),
                _ => panic!("the interpreter does not know `{}`", quote::quote!(#p)),
            },
        },
        Expr::Binary(b) => {
            let (l, r) = (num(&b.left), num(&b.right));
            match b.op {
                BinOp::Add(_) => Value::Num(l + r),
                BinOp::Sub(_) => Value::Num(l - r),
                BinOp::Mul(_) => Value::Num(l * r),
                BinOp::Div(_) => Value::Num(l / r),
                BinOp::Lt(_) => Value::Bool(l < r),
                BinOp::Le(_) => Value::Bool(l <= r),
                BinOp::Gt(_) => Value::Bool(l > r),
                BinOp::Ge(_) => Value::Bool(l >= r),
                _ => panic!("the interpreter does not know this operator"),
            }
        }
        Expr::Reference(r) => opaque(&r.expr, env),
        // What a replay rebuilds from a record's position (`rebuild`).
        Expr::Call(call) => {
            let name = match &*call.func {
                Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let args: Vec<Value> = call.args.iter().map(|a| opaque(a, env)).collect();
            match (name.as_deref(), args.as_slice()) {
                (Some("first_item"), [Value::Items(items)]) => {
                    Value::Num(items.first().copied().unwrap_or(f64::NAN))
                }
                (Some("advanced"), [Value::Num(s), Value::Num(d), Value::Num(n)]) => {
                    Value::Num(s + d * n)
                }
                (Some("item"), [Value::Num(s), Value::Num(n)]) => Value::Num(s + n),
                (Some("retreated"), [Value::Num(s), Value::Num(d), Value::Num(n)]) => {
                    Value::Num(s - d * n)
                }
                _ => panic!("the interpreter does not know the call {name:?}"),
            }
        }
        Expr::Range(r) => {
            let start = r.start.as_deref().map_or(0.0, num) as i64;
            let end = r.end.as_deref().map(num).expect("a bounded range") as i64;
            Value::Items((start..end).map(|i| i as f64).collect())
        }
        other => panic!("the interpreter does not know {other:?}"),
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
        "abs" => (a[0].abs(), vec![if a[0] < 0.0 { -1.0 } else { 1.0 }]),
        "powi" => {
            let n = a[1] as i32;
            (a[0].powi(n), vec![f64::from(n) * a[0].powi(n - 1)])
        }
        other => panic!("the interpreter does not know `{other}`"),
    }
}
