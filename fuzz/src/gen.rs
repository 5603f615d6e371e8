//! A generator of random differentiable programs, each written twice: as a
//! `#[differentiate]` function over `f64`, and as a twin over num-dual's
//! `Dual64` that computes the same thing (the oracle).
//!
//! A program has one to three scalar arguments, maybe a `[f64; 3]`, and
//! static arguments `n: usize` (a runtime loop bound) and `flag: bool`. Its
//! body is built from: `let` chains over the whole primitive table (each
//! argument shifted or squashed into its primitive's domain), `+ - * /`,
//! the `Vector3` argument's `dot norm norm_squared map sum component_mul`
//! and entries, mutable accumulators, `if`
//! on value comparisons and on the flag, `match` on `n`, `for` loops with
//! constant and runtime bounds, `while` loops with a value condition, early
//! `return`, element assignment in a local array, and calls of earlier
//! generated helpers. Values are kept bounded (damped accumulators,
//! squashed arguments of `exp`), so that derivatives stay finite and central
//! differences mean something.

use std::fmt::Write;

use crate::rng::Rng;

/// An expression, rendered for either target.
enum Expr {
    Var(String),
    /// A loop counter as a float: `i as f64 * 0.25`.
    Counter(String),
    Lit(f64),
    Unary(&'static str, Box<Expr>),
    Binary(char, Box<Expr>, Box<Expr>),
    /// `a.max(b)` (`true`) or `a.min(b)`.
    Select(bool, Box<Expr>, Box<Expr>),
    /// A primitive of two or three arguments (`atan2 hypot powf mul_add`).
    Method(&'static str, Vec<Expr>),
    /// A scalar from the vector argument `v` (`dot norm map sum ..`), with
    /// an operand for `(v * e).sum()`; `true` when `v` is a `&DVector`.
    Vector(&'static str, Option<Box<Expr>>, bool),
    Call(String, Vec<Expr>),
}

/// Which version of the program is written.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Plain,
    Dual,
}

impl Expr {
    fn render(&self, t: Target) -> String {
        match self {
            Expr::Var(v) => v.clone(),
            Expr::Counter(i) => match t {
                Target::Plain => format!("({i} as f64 * 0.25)"),
                Target::Dual => format!("Dual64::from_re({i} as f64 * 0.25)"),
            },
            Expr::Lit(c) => match t {
                Target::Plain => format!("{c:?}_f64"),
                Target::Dual => format!("Dual64::from_re({c:?})"),
            },
            Expr::Unary(op, a) => unary(op, t).replace("{a}", &a.render(t)),
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.render(t), b.render(t));
                match (op, t) {
                    // Away from poles: a / (b² + 1).
                    ('/', Target::Plain) => format!("(({a}) / (({b}) * ({b}) + 1.0))"),
                    ('/', Target::Dual) => {
                        format!("({{ let u = {b}; ({a}) / (u * u + Dual64::from_re(1.0)) }})")
                    }
                    _ => format!("(({a}) {op} ({b}))"),
                }
            }
            Expr::Select(max, a, b) => {
                let (a, b) = (a.render(t), b.render(t));
                match t {
                    Target::Plain => format!("({a}).{}({b})", if *max { "max" } else { "min" }),
                    // A tie splits the derivative evenly (docs/kinks.md).
                    Target::Dual => {
                        let cmp = if *max { ">" } else { "<" };
                        format!(
                            "({{ let (u, w) = ({a}, {b}); if u.re == w.re {{ (u + w) * Dual64::from_re(0.5) }} else if u {cmp} w {{ u }} else {{ w }} }})"
                        )
                    }
                }
            }
            Expr::Method(name, args) => {
                let args: Vec<String> = args.iter().map(|a| a.render(t)).collect();
                method(name, t, &args)
            }
            Expr::Vector(kind, operand, dynamic) => {
                let e = operand.as_ref().map(|e| e.render(t)).unwrap_or_default();
                // `v` is already a reference when it is a `&DVector`.
                let other = if *dynamic { "v" } else { "&v" };
                match *kind {
                    "dot" => format!("v.dot({other})"),
                    "norm" => "v.norm()".into(),
                    "norm_squared" => "v.norm_squared()".into(),
                    "map_sum" => "v.map(|c| c.sin()).sum()".into(),
                    "component" => format!("v.component_mul({other}).sum()"),
                    "scaled" => format!("(v * ({e})).sum()"),
                    k => format!("v[{}]", &k[1..]),
                }
            }
            Expr::Call(f, args) => {
                let args: Vec<String> = args.iter().map(|a| a.render(t)).collect();
                match t {
                    Target::Plain => format!("{f}({})", args.join(", ")),
                    Target::Dual => format!("{f}_dual({})", args.join(", ")),
                }
            }
        }
    }
}

/// The one-argument primitives, each kept inside its domain.
const UNARY: &[&str] = &[
    "sin",
    "cos",
    "tan",
    "tanh",
    "atan",
    "asin",
    "acos",
    "atanh",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "exp",
    "exp2",
    "exp_m1",
    "ln",
    "ln_1p",
    "log",
    "log10",
    "log2",
    "sqrt",
    "cbrt",
    "recip",
    "powi2",
    "powi3",
    "powi_neg",
    "abs",
    "neg",
    "signum",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fract",
    "to_degrees",
    "to_radians",
    "clamp",
];

/// The primitives of two or three arguments.
const METHODS: &[&str] = &["atan2", "hypot", "powf", "mul_add"];

/// How a one-argument primitive is written for `t`, its operand `{a}`
/// (`#c` marks a constant of the target's type). The operand is squashed
/// or shifted into the primitive's domain first.
fn unary(op: &str, t: Target) -> String {
    let dual = t == Target::Dual;
    match op {
        "tan" | "sinh" | "cosh" | "exp" | "exp2" | "exp_m1" => format!("({{a}}).tanh().{op}()"),
        "asin" | "acos" | "atanh" => format!("(#0.9 * ({{a}}).tanh()).{op}()"),
        "acosh" => "({ let u = {a}; u * u + #1.5 }).acosh()".into(),
        "ln" | "log10" | "log2" | "recip" => format!("({{ let u = {{a}}; u * u + #1.0 }}).{op}()"),
        "ln_1p" => "({ let u = {a}; u * u }).ln_1p()".into(),
        "log" => "({ let u = {a}; u * u + #1.0 }).log(2.5)".into(),
        "sqrt" | "cbrt" => format!("({{ let u = {{a}}; u * u + #0.5 }}).{op}()"),
        "powi2" => "({a}).tanh().powi(2)".into(),
        "powi3" => "({a}).tanh().powi(3)".into(),
        "powi_neg" => "({ let u = {a}; u * u + #1.0 }).powi(-2)".into(),
        "neg" => "(-({a}))".into(),
        "abs" if dual => "({ let u = {a}; if u.re >= 0.0 { u } else { -u } })".into(),
        "signum" | "floor" | "ceil" | "round" | "trunc" if dual => {
            format!("({{ let u = {{a}}; Dual64::from_re(flat_twin(u.re, u.eps, f64::{op})) }})")
        }
        "fract" if dual => {
            "({ let u = {a}; u - Dual64::from_re(flat_twin(u.re, u.eps, f64::trunc)) })".into()
        }
        "to_degrees" if dual => {
            "(({a}) * Dual64::from_re(180.0f64 / std::f64::consts::PI))".into()
        }
        "to_radians" if dual => "(({a}) * Dual64::from_re(std::f64::consts::PI / 180.0))".into(),
        "clamp" if dual => "({ let u = {a}; let (lo, hi) = (Dual64::from_re(-0.5), Dual64::from_re(0.5)); let m = if u.re == lo.re { (u + lo) * Dual64::from_re(0.5) } else if u > lo { u } else { lo }; if m.re == hi.re { (m + hi) * Dual64::from_re(0.5) } else if m < hi { m } else { hi } })".into(),
        "clamp" => "({a}).clamp(-0.5, 0.5)".into(),
        other => format!("({{a}}).{other}()"),
    }
}

/// How a primitive of several arguments is written for `t`.
fn method(name: &str, t: Target, args: &[String]) -> String {
    let dual = t == Target::Dual;
    match (name, args) {
        ("hypot", [a, b]) if dual => {
            format!("({{ let (u, w) = ({a}, {b}); (u * u + w * w).sqrt() }})")
        }
        ("powf", [a, b]) if dual => {
            format!("({{ let u = {a}; u * u + #0.5 }}).powd(({b}).tanh())")
        }
        ("powf", [a, b]) => format!("({{ let u = {a}; u * u + #0.5 }}).powf(({b}).tanh())"),
        (_, [a, rest @ ..]) => format!("({a}).{name}({})", rest.join(", ")),
        _ => String::new(),
    }
}

/// One generated function: its source for both targets and its signature.
pub struct Program {
    /// The function's name.
    pub name: String,
    /// The scalar arguments' names.
    pub scalars: Vec<String>,
    /// Whether it takes `a: [f64; 3]`.
    pub array: bool,
    /// Whether that `a` is a `&[f64; 3]` instead.
    pub array_ref: bool,
    /// Whether it takes `v: Vector3<f64>` (after `a`).
    pub vector: bool,
    /// Whether that `v` is a `&DVector<f64>` of length 3 instead.
    pub dynamic: bool,
    /// The `#[differentiate]` function and its `Dual64` twin.
    pub source: String,
    /// Whether it has second derivatives (`hvp`): no `map` closure on the
    /// vector (helpers have them, and are called through their second
    /// sweep).
    pub second_order: bool,
}

impl Program {
    /// The number of differentiable input components.
    pub fn inputs(&self) -> usize {
        self.scalars.len() + if self.array { 3 } else { 0 } + if self.vector { 3 } else { 0 }
    }
}

/// The state of one function's generation.
struct Body<'a> {
    rng: &'a mut Rng,
    /// Choices added after the others (`Rng::fork`).
    extra: Rng,
    /// Scalars in scope.
    scalars: Vec<String>,
    /// Mutable scalars in scope (also in `scalars`).
    accumulators: Vec<String>,
    /// Loop counters in scope.
    counters: Vec<String>,
    /// The local array, once made.
    local_array: Option<String>,
    /// Whether the array argument exists.
    array: bool,
    /// Whether it is passed by reference.
    array_ref: bool,
    /// Whether the `Vector3` argument `v` exists.
    vector: bool,
    /// Whether `v` is a `&DVector` instead.
    dynamic: bool,
    /// Whether it reads `v.map(..)`, which has no second derivatives.
    mapped: bool,
    /// Helpers it may call: `(name, arity)`.
    helpers: &'a [(String, usize)],
    /// Fresh-name counter.
    next: usize,
    plain: String,
    dual: String,
    indent: usize,
}

impl Body<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn expr(&mut self, depth: usize) -> Expr {
        if depth == 0 || self.rng.chance(0.3) {
            return self.leaf();
        }
        match self.rng.below(10) {
            0..=3 => Expr::Unary(
                UNARY[self.rng.below(UNARY.len())],
                Box::new(self.expr(depth - 1)),
            ),
            4..=7 => {
                let op = ['+', '-', '*', '/'][self.rng.below(4)];
                Expr::Binary(
                    op,
                    Box::new(self.expr(depth - 1)),
                    Box::new(self.expr(depth - 1)),
                )
            }
            8 if self.rng.chance(0.5) => Expr::Select(
                self.rng.chance(0.5),
                Box::new(self.expr(depth - 1)),
                Box::new(self.expr(depth - 1)),
            ),
            8 => {
                let name = METHODS[self.rng.below(METHODS.len())];
                let arity = if name == "mul_add" { 3 } else { 2 };
                Expr::Method(name, (0..arity).map(|_| self.expr(depth - 1)).collect())
            }
            _ => match self.helpers.len() {
                0 => self.leaf(),
                k => {
                    let (name, arity) = self.helpers[self.rng.below(k)].clone();
                    let args = (0..arity).map(|_| self.expr(depth - 1)).collect();
                    Expr::Call(name, args)
                }
            },
        }
    }

    fn leaf(&mut self) -> Expr {
        if self.vector && self.rng.chance(0.2) {
            let kind = [
                "dot",
                "norm",
                "norm_squared",
                "map_sum",
                "component",
                "scaled",
                "v0",
                "v1",
                "v2",
            ][self.rng.below(9)];
            let operand = (kind == "scaled").then(|| Box::new(Expr::Var(self.scalars[0].clone())));
            self.mapped |= kind == "map_sum";
            return Expr::Vector(kind, operand, self.dynamic);
        }
        match self.rng.below(6) {
            0 => Expr::Lit([0.5, 1.5, -0.75, 2.0, 0.3][self.rng.below(5)]),
            // At a literal index, or at one computed from a counter (`i
            // & 1`), which a replay rebuilds and reads `a` at again.
            1 if self.array => match self.counters.is_empty() || self.extra.chance(0.5) {
                true => Expr::Var(format!("a[{}]", self.rng.below(3))),
                false => {
                    let c = &self.counters[self.extra.below(self.counters.len())];
                    Expr::Var(format!("a[{c} & 1]"))
                }
            },
            2 if self.local_array.is_some() => {
                let b = self.local_array.clone().unwrap_or_default();
                Expr::Var(format!("{b}[{}]", self.rng.below(3)))
            }
            3 if !self.counters.is_empty() => {
                Expr::Counter(self.counters[self.rng.below(self.counters.len())].clone())
            }
            _ => Expr::Var(self.scalars[self.rng.below(self.scalars.len())].clone()),
        }
    }

    /// Writes a line to both versions; `{}` in `line` is replaced by each
    /// rendering of `exprs` in turn.
    fn line(&mut self, template: &str, exprs: &[&Expr]) {
        for t in [Target::Plain, Target::Dual] {
            let mut text = String::new();
            let mut rest = template;
            let mut k = 0;
            while let Some(at) = rest.find("{}") {
                text.push_str(&rest[..at]);
                text.push_str(&exprs[k].render(t));
                k += 1;
                rest = &rest[at + 2..];
            }
            text.push_str(rest);
            // Literals written as `#c` are constants of the target's type.
            let text = match t {
                Target::Plain => text.replace('#', ""),
                Target::Dual => replace_constants(&text),
            };
            let out = if t == Target::Plain {
                &mut self.plain
            } else {
                &mut self.dual
            };
            let _ = writeln!(out, "{}{text}", "    ".repeat(self.indent));
        }
    }

    fn statements(&mut self, count: usize, depth: usize, in_loop: bool) {
        for _ in 0..count {
            self.statement(depth, in_loop);
        }
    }

    fn statement(&mut self, depth: usize, in_loop: bool) {
        let choice = if depth == 0 {
            self.rng.below(3)
        } else {
            self.rng.below(11)
        };
        match choice {
            0 | 1 => {
                let v = self.fresh("v");
                let e = self.expr(3);
                self.line(&format!("let {v} = {{}};"), &[&e]);
                self.scalars.push(v);
            }
            2 => {
                if let Some(acc) = self.pick_accumulator() {
                    let e = self.expr(2);
                    let template = match self.rng.below(3) {
                        0 => format!("{acc} = {acc} + {{}};"),
                        1 => format!("{acc} = {acc} - {{}};"),
                        _ => format!("{acc} = #0.5 * {acc} + {{}};"),
                    };
                    self.line(&template, &[&e]);
                } else {
                    self.new_accumulator();
                }
            }
            3 => self.new_accumulator(),
            4 => {
                // `if` on a value comparison, or on the flag.
                let Some(acc) = self.pick_accumulator() else {
                    return self.new_accumulator();
                };
                let (a, b, e1, e2) = (self.expr(2), self.expr(2), self.expr(2), self.expr(2));
                let cond = match self.rng.chance(0.25) {
                    true => "flag".to_string(),
                    false => "{} > {}".to_string(),
                };
                let exprs: Vec<&Expr> = if cond == "flag" {
                    vec![&e1, &e2]
                } else {
                    vec![&a, &b, &e1, &e2]
                };
                let template = format!(
                    "if {cond} {{ {acc} = {acc} + {{}}; }} else {{ {acc} = #0.5 * {acc} - {{}}; }}"
                );
                self.line(&template, &exprs);
            }
            5 => {
                // A loop with a constant or a runtime bound, maybe with
                // element assignment and an early return.
                let acc = match self.pick_accumulator() {
                    Some(a) => a,
                    None => {
                        self.new_accumulator();
                        self.accumulators.last().cloned().unwrap_or_default()
                    }
                };
                let i = self.fresh("i");
                let bound = if self.rng.chance(0.5) {
                    "n".to_string()
                } else {
                    format!("{}", 1 + self.rng.below(4))
                };
                self.line(&format!("for {i} in 0..{bound} {{"), &[]);
                self.indent += 1;
                self.counters.push(i.clone());
                let e = self.expr(2);
                self.line(&format!("{acc} = #0.7 * {acc} + {{}};"), &[&e]);
                if let Some(b) = self.local_array.clone() {
                    if self.rng.chance(0.5) {
                        let e = self.expr(2);
                        self.line(
                            &format!("{b}[{i} % 3] = #0.5 * {b}[({i} + 1) % 3] + {{}};"),
                            &[&e],
                        );
                    }
                }
                if depth > 1 && self.rng.chance(0.3) {
                    // What the body defines goes out of scope with it.
                    let scope = (
                        self.scalars.len(),
                        self.accumulators.len(),
                        self.local_array.clone(),
                    );
                    self.statement(depth - 1, true);
                    self.scalars.truncate(scope.0);
                    self.accumulators.truncate(scope.1);
                    self.local_array = scope.2;
                }
                if self.rng.chance(0.15) {
                    let (c, r) = (self.expr(1), self.expr(2));
                    self.line(
                        &format!("if {{}} > #1.2 {{ return {{}} + {acc}; }}"),
                        &[&c, &r],
                    );
                }
                self.counters.pop();
                self.indent -= 1;
                self.line("}", &[]);
            }
            6 => {
                // A while loop on a value, bounded by a counter.
                let Some(acc) = self.pick_accumulator() else {
                    return self.new_accumulator();
                };
                let k = self.fresh("k");
                let e = self.expr(2);
                self.line(&format!("let mut {k} = 0;"), &[]);
                self.line(&format!("while {k} < n + 1 && {acc} < #3.0 {{ {acc} = {acc} + #0.25 + #0.2 * ({{}}).tanh(); {k} += 1; }}"), &[&e]);
            }
            7 => {
                // match on the static argument.
                let Some(acc) = self.pick_accumulator() else {
                    return self.new_accumulator();
                };
                let (e1, e2) = (self.expr(2), self.expr(2));
                self.line(&format!("match n % 3 {{ 0 => {{ {acc} = {acc} + {{}}; }} 1 => {{ {acc} = {acc} - {{}}; }} _ => {{ {acc} = #0.5 * {acc}; }} }}"), &[&e1, &e2]);
            }
            8 if self.local_array.is_none() => {
                let b = self.fresh("b");
                let (e0, e1, e2) = (self.expr(2), self.expr(2), self.expr(2));
                match self.array && self.rng.chance(0.5) {
                    true => {
                        let a = if self.array_ref { "*a" } else { "a" };
                        self.line(&format!("let mut {b} = {a};"), &[]);
                        self.line(&format!("{b}[1] = {{}};"), &[&e1]);
                    }
                    false => self.line(
                        &format!("let mut {b} = [{{}}, {{}}, {{}}];"),
                        &[&e0, &e1, &e2],
                    ),
                }
                self.local_array = Some(b);
            }
            9 if !in_loop && self.rng.chance(0.3) => {
                let (c, r) = (self.expr(2), self.expr(2));
                self.line("if {} > #1.5 { return {}; }", &[&c, &r]);
            }
            _ => {
                let v = self.fresh("v");
                let e = self.expr(2);
                self.line(&format!("let {v} = {{}};"), &[&e]);
                self.scalars.push(v);
            }
        }
    }

    fn new_accumulator(&mut self) {
        let m = self.fresh("m");
        let e = self.expr(2);
        self.line(&format!("let mut {m} = {{}};"), &[&e]);
        self.scalars.push(m.clone());
        self.accumulators.push(m);
    }

    fn pick_accumulator(&mut self) -> Option<String> {
        match self.accumulators.len() {
            0 => None,
            k => Some(self.accumulators[self.rng.below(k)].clone()),
        }
    }
}

/// `#c` (a constant literal) as `Dual64::from_re(c)`.
fn replace_constants(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '#' {
            out.push(c);
            continue;
        }
        let mut number = String::new();
        while let Some(d) = chars
            .peek()
            .copied()
            .filter(|d| d.is_ascii_digit() || *d == '.')
        {
            number.push(d);
            chars.next();
        }
        let _ = write!(out, "Dual64::from_re({number})");
    }
    out
}

/// A program named `name` that may call `helpers`; `helper` programs take
/// two scalars and no static arguments.
pub fn program(rng: &mut Rng, name: &str, helpers: &[(String, usize)], helper: bool) -> Program {
    let scalar_count = if helper { 2 } else { 1 + rng.below(3) };
    let scalars: Vec<String> = (0..scalar_count).map(|k| format!("x{k}")).collect();
    let array = !helper && rng.chance(0.5);
    let vector = !helper && rng.chance(0.3);
    let dynamic = vector && rng.chance(0.5);
    let mut extra = rng.fork();
    let array_ref = array && extra.chance(0.5);
    let mut body = Body {
        rng,
        extra,
        scalars: scalars.clone(),
        accumulators: Vec::new(),
        counters: Vec::new(),
        local_array: None,
        array,
        array_ref,
        vector,
        dynamic,
        mapped: false,
        helpers,
        next: 0,
        plain: String::new(),
        dual: String::new(),
        indent: 1,
    };
    let count = if helper { 2 } else { 3 + body.rng.below(5) };
    // Helpers are straight-line (no static arguments to loop over).
    let depth = if helper { 0 } else { 2 };
    body.statements(count, depth, false);
    let ret = body.expr(2);
    let acc: Vec<String> = body.accumulators.clone();
    let extra = acc.iter().map(|a| format!(" + {a}")).collect::<String>();
    body.line(&format!("{{}}{extra}"), &[&ret]);

    let mut params_plain: Vec<String> = scalars.iter().map(|s| format!("{s}: f64")).collect();
    let mut params_dual: Vec<String> = scalars.iter().map(|s| format!("{s}: Dual64")).collect();
    let by = if array_ref { "&" } else { "" };
    if array {
        params_plain.push(format!("a: {by}[f64; 3]"));
        params_dual.push(format!("a: {by}[Dual64; 3]"));
    }
    match (vector, dynamic) {
        (true, false) => {
            params_plain.push("v: Vector3<f64>".into());
            params_dual.push("v: Vector3<Dual64>".into());
        }
        (true, true) => {
            params_plain.push("v: &DVector<f64>".into());
            params_dual.push("v: &DVector<Dual64>".into());
        }
        _ => {}
    }
    if !helper {
        for p in [&mut params_plain, &mut params_dual] {
            p.push("n: usize".into());
            p.push("flag: bool".into());
        }
    }
    let mut source = String::new();
    let _ = writeln!(
        source,
        "#[differentiate]\n#[allow(unused, unused_mut, unused_assignments, clippy::all)]\npub fn {name}({}) -> f64 {{\n{}}}\n",
        params_plain.join(", "),
        body.plain
    );
    let _ = writeln!(
        source,
        "#[allow(unused, unused_mut, unused_assignments, clippy::all)]\npub fn {name}_dual({}) -> Dual64 {{\n{}}}\n",
        params_dual.join(", "),
        body.dual
    );
    let second_order = !body.mapped;
    Program {
        name: name.to_string(),
        scalars,
        array,
        array_ref,
        vector,
        dynamic,
        source,
        second_order,
    }
}
