#!/usr/bin/env python3
"""Generate the crates that scripts/compile_time/measure.sh times.

    python3 scripts/compile_time/gen.py --n 100 --seed 1 --repo /work/main --out /tmp/ct

writes four Cargo projects (lib crates, each its own `[workspace]`, each
depending on `autodiff = { path = "<repo>" }`):

    <out>/plain/   N random numeric functions, no attribute
    <out>/diff/    the same N functions, each with `#[differentiate]`
    <out>/fifty/   one 50-line function with `#[differentiate]`; both
                   variants are also kept as src/diff.rs.txt and
                   src/plain.rs.txt (`--fifty-variant plain` writes the plain
                   one as lib.rs), for timing the expansion of one function
    <out>/deps/    an empty lib with the same dependencies: building it
                   builds (and caches) everything but the crates above

The functions are of the kinds users write, 10-20 lines each (drawn again
outside that range), all returning `f64`: `f64` scalars and `[f64; 3]`
arrays as arguments, `let` chains, `let mut` accumulators (`= 0.0`, `: f64 =
0.0`, `= x`, an expression) updated with `=`, `+=`, `-=`, `*=` and running
maxima `s = s.max(..)`, loops (`for i in 0..3`, `for i in 0..n` with `n:
usize` and `i as f64`, `for &v in a.iter()`, `for v in a`, `for (i, &v) in
a.iter().enumerate()` with `powi(i as i32)`), value branches (`if a > b {
.. } else { .. }` as statements, as `let t = if .. { .. } else { .. };`,
inside loops), an occasional early `return`, float methods (`sin cos exp
tanh atan abs powi max`, `ln` of `1 + u*u`, `sqrt` of `u*u + 1`), and about
one function in ten with nalgebra `Vector3<f64>` / `Matrix3<f64>` (`m * v`,
`m.transpose() * v`, `Vector3::new(..)`, `.component_mul`, `.dot`, `.norm`,
`.norm_squared`, `w[i]` and `m[(i, j)]` in loops). The same seed always
gives the same crates (Python's `random` with a fixed seed; standard
library only), and the first k functions for N >= k are the same.

Constructs deliberately not generated, with the reason, are listed in
`DROPPED` below.
"""

import argparse
import random
import re
from pathlib import Path

# The generator only writes what both plain rustc and the macro accept; these
# constructs users also write were tried (crate `probe`, macro at e27bbf9) and
# left out because `#[differentiate]` rejects them:
DROPPED = {
    "x.sin_cos()": "error: cannot differentiate through the method `sin_cos`; "
    "the methods with derivatives are sin, cos, tan, ... fixed_columns",
    "v.cross(&w)": "error: cannot differentiate through the method `cross`; ...",
    "v.normalize()": "error: cannot differentiate through the method `normalize`; ...",
    "m.determinant()": "error: cannot differentiate through the method `determinant`; ...",
    "(m * m).trace()": "error: cannot differentiate through the method `trace`; ...",
    "let sq = |t: f64| t * t;": "error: closures are not supported in a differentiated "
    "function; write the computation inline or as a separate `#[differentiate]` function",
    "a.iter().copied().fold(f64::MIN, f64::max)": "error: `fold` in a differentiated "
    "function takes a closure of two arguments (`|acc, v| acc + v`)",
    "v.x * v.y": "error: cannot differentiate through named fields, `&mut` or tuples of "
    "more than four fields yet: ... index nalgebra vectors (`v[0]` rather than `v.x`) ...",
}
# Plain rustc rejects a method call on an accumulator typed only by `0.0`
# (`let mut s = 0.0; .. s.max(v)`: E0689, ambiguous numeric type `{float}`),
# so running maxima only use accumulators whose type is known.

UNARY = ["sin", "cos", "exp", "tanh", "atan", "abs"]
LITS = ["0.5", "1.5", "2.0", "0.25", "3.0", "0.1", "1.0"]


class Fn:
    """One function: its arguments, the scalar expressions in scope, its lines."""

    def __init__(self, rng, name):
        self.rng = rng
        self.name = name
        self.lines = []
        self.indent = 1
        self.tmp = 0
        self.unused = []  # let-bound names not read yet (the return adds them)
        self.acc_typed = True  # False for `let mut s = 0.0;` (see DROPPED's note)

    # -- expressions -------------------------------------------------------

    def atom(self, scope):
        if self.rng.random() < 0.2:
            return self.rng.choice(LITS)
        return self.var(scope)

    def var(self, scope, avoid=None):
        """An atom that is never a bare literal (method receivers need a type)."""
        choices = [v for v in scope if v != avoid] or scope
        # Prefer names not read yet, so that few `let`s are dead.
        fresh = [v for v in choices if v in self.unused]
        v = self.rng.choice(fresh if fresh and self.rng.random() < 0.5 else choices)
        if v in self.unused:
            self.unused.remove(v)
        return v

    def expr(self, scope, depth=2):
        rng = self.rng
        if depth == 0:
            return self.atom(scope)
        r = rng.random()
        # Draw only the operands the chosen form uses (drawing marks names read).
        sub = lambda: self.expr(scope, depth - 1)
        if r < 0.22:
            return f"{sub()} * {sub()}"
        if r < 0.40:
            return f"({sub()} + {sub()})"
        if r < 0.50:
            return f"({sub()} - {sub()})"
        if r < 0.56:
            a, v = sub(), self.var(scope)
            return f"{a} / (1.0 + {v} * {v})"
        if r < 0.68:
            v, a = self.var(scope), sub()
            return f"({v} * {a}).{rng.choice(UNARY)}()"
        if r < 0.74:
            return f"{self.var(scope)}.{rng.choice(UNARY)}()"
        if r < 0.80:
            v = self.var(scope)
            return f"({v} * {v} + 1.0).sqrt()"
        if r < 0.86:
            v = self.var(scope)
            return f"(1.0 + {v} * {v}).ln()"
        if r < 0.92:
            v, a = self.var(scope), sub()
            return f"({v} + {a}).powi({rng.choice([2, 3])})"
        v, a = self.var(scope), sub()
        return f"{v}.max({a})"

    def vexpr(self, scope, depth=2):
        """An expression that reads a variable, so that its type is `f64`:
        `let t = 0.5 + 1.5;` would leave `t.max(x)` ambiguous (E0689)."""
        while True:
            e = self.expr(scope, depth)
            if re.search("[a-z]", e):  # literals have no letters; methods have receivers
                return e

    # -- statements ----------------------------------------------------------

    def emit(self, line):
        self.lines.append("    " * self.indent + line)

    def fresh(self, prefix="t"):
        self.tmp += 1
        return f"{prefix}{self.tmp}"

    def let(self, scope):
        t = self.fresh()
        self.emit(f"let {t} = {self.vexpr(scope)};")
        scope.append(t)
        self.unused.append(t)

    def let_if(self, scope):
        t = self.fresh()
        c = self.var(scope)
        d = self.var(scope, avoid=c) if self.rng.random() < 0.7 else self.rng.choice(LITS)
        self.emit(f"let {t} = if {c} > {d} {{")
        self.indent += 1
        self.emit(self.vexpr(scope, 1))
        self.indent -= 1
        self.emit("} else {")
        self.indent += 1
        self.emit(self.vexpr(scope, 1))
        self.indent -= 1
        self.emit("};")
        scope.append(t)
        self.unused.append(t)

    def if_stmt(self, scope, acc, cond=None):
        c = cond or self.var(scope)
        d = self.var(scope, avoid=c) if self.rng.random() < 0.7 else self.rng.choice(LITS)
        self.emit(f"if {c} > {d} {{")
        self.indent += 1
        self.emit(f"{acc} += {self.expr(scope, 1)};")
        self.indent -= 1
        if self.rng.random() < 0.8:
            self.emit("} else {")
            self.indent += 1
            op = self.rng.choice(["-=", "*=", "="])
            rhs = f"{self.var(scope)}.tanh()" if op == "*=" else self.expr(scope, 1)
            self.emit(f"{acc} {op} {rhs};")
            self.indent -= 1
        self.emit("}")

    def uses(self, item, scope):
        """An expression that reads `item` (the loop's element or counter)."""
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return f"{item} * {self.expr(scope, 1)}"
        if r < 0.6:
            return f"({item} * {self.var(scope)}).{rng.choice(UNARY)}()"
        if r < 0.8:
            return f"({item} + {self.expr(scope, 1)}).{rng.choice(UNARY)}()"
        return f"{self.expr(scope, 1)} / (1.0 + {item} * {item})"

    def body_update(self, scope, acc, item):
        """The body of a loop: one or two updates of `acc` reading `item`, maybe a branch."""
        rng = self.rng
        if rng.random() < 0.4:
            t = self.fresh()
            self.emit(f"let {t} = {self.uses(item, scope)};")
            scope, item = scope + [t], t
        if rng.random() < 0.3:
            self.if_stmt(scope, acc, cond=item)
        else:
            form = rng.choice(["+=", "decay", "-=", "max"] if self.acc_typed else ["+=", "decay", "-="])
            if form == "decay":
                self.emit(f"{acc} = 0.5 * {acc} + {self.uses(item, scope)};")
            elif form == "max":
                self.emit(f"{acc} = {acc}.max({self.uses(item, scope)});")
            else:
                self.emit(f"{acc} {form} {self.uses(item, scope)};")

    def const_loop(self, scope, acc):
        self.emit("for i in 0..3 {")
        self.indent += 1
        self.body_update(scope, acc, "a[i]")
        self.indent -= 1
        self.emit("}")

    def runtime_loop(self, scope, acc):
        self.emit("for i in 0..n {")
        self.indent += 1
        t = self.fresh("w")
        self.emit(f"let {t} = i as f64 * {self.rng.choice(['0.1', '0.5', '0.25'])};")
        self.body_update(scope, acc, t)
        self.indent -= 1
        self.emit("}")

    def iter_loop(self, scope, acc):
        r = self.rng.random()
        item = "v"
        if r < 0.4:
            self.emit("for &v in a.iter() {")
        elif r < 0.7:
            self.emit("for v in a {")
        else:
            self.emit("for (i, &v) in a.iter().enumerate() {")
            self.indent += 1
            item = self.fresh("p")
            self.emit(f"let {item} = v * {self.var(scope)}.powi(i as i32);")
            self.indent -= 1
        self.indent += 1
        self.body_update(scope, acc, item)
        self.indent -= 1
        self.emit("}")

    def rest(self):
        """` + t3 + t7`: the `let`s not read yet, so that none is dead."""
        return "".join(f" + {t}" for t in self.unused)

    # -- functions -----------------------------------------------------------

    def scalar(self):
        rng = self.rng
        has_a = rng.random() < 0.7
        has_y = rng.random() < 0.7
        loops = []
        if has_a:
            loops = rng.sample(["const", "runtime", "iter"], rng.choice([1, 1, 2]))
        elif rng.random() < 0.5:
            loops = ["runtime"]
        args = ["x: f64"] + (["y: f64"] if has_y else []) + (["a: [f64; 3]"] if has_a else [])
        if "runtime" in loops:
            args.append("n: usize")
        scope = ["x"] + (["y"] if has_y else []) + (["a[0]", "a[1]", "a[2]"] if has_a else [])
        target = rng.randint(10, 20) - 2  # signature and closing brace
        if rng.random() < 0.1:
            c = self.var(scope)
            self.emit(f"if {c} < {rng.choice(['0.0', '-1.0'])} {{")
            self.indent += 1
            self.emit(f"return {self.expr(scope, 1)};")
            self.indent -= 1
            self.emit("}")
        for _ in range(rng.randint(1, 3)):
            self.let(scope)
        if rng.random() < 0.4:
            self.let_if(scope)
        acc = "s"
        init = rng.choice(["0.0", "0.0", ": f64 = 0.0", "x", "expr"])
        if init == "expr":  # starts with a variable, so that its type is known
            init = f"{self.var(scope)} * {self.expr(scope, 1)}"
        self.acc_typed = init != "0.0"
        if init.startswith(":"):
            self.emit(f"let mut {acc}{init};")
        else:
            self.emit(f"let mut {acc} = {init};")
        for kind in loops:
            {"const": self.const_loop, "runtime": self.runtime_loop, "iter": self.iter_loop}[kind](scope, acc)
        if not loops or rng.random() < 0.5:
            self.if_stmt(scope, acc)
        while len(self.lines) < target - 1:
            r = rng.random()
            if r < 0.5:
                self.let(scope)
            elif r < 0.7:
                self.emit(f"{acc} += {self.expr(scope, 1)};")
            elif r < 0.85:
                self.if_stmt(scope, acc)
            else:
                self.let_if(scope)
        self.emit(f"{acc} * {self.expr(scope, 1)} + {self.expr(scope, 1)}{self.rest()}")
        return args

    def nalgebra(self):
        rng = self.rng
        args = ["x: f64", "v: Vector3<f64>", "m: Matrix3<f64>"]
        scope = ["x", "v[0]", "v[1]", "v[2]"]
        if rng.random() < 0.5:
            self.emit("let w = m * v;")
        else:
            self.emit("let w = m.transpose() * v;")
        if rng.random() < 0.5:
            self.emit(f"let u = v * {self.expr(scope, 1)} + w;")
        else:
            self.emit(f"let u = Vector3::new({self.expr(scope, 1)}, {self.expr(scope, 1)}, x).component_mul(&w);")
        scope += ["w[0]", "w[1]", "u[2]"]
        self.emit(f"let mut s = w.dot(&v) * {self.var(scope)};")
        self.emit("for i in 0..3 {")
        self.indent += 1
        self.body_update(scope + ["u[i]"], "s", "w[i]")
        self.indent -= 1
        self.emit("}")
        r = rng.random()
        if r < 0.3:
            self.emit("for k in 0..3 {")
            self.indent += 1
            self.emit(f"s += m[(k, k)] * {self.expr(scope, 1)};")
            self.indent -= 1
            self.emit("}")
        elif r < 0.6:
            self.emit("for i in 0..3 {")
            self.emit("    for j in 0..3 {")
            self.emit(f"        s += m[(i, j)] * u[j] * {self.var(scope)};")
            self.emit("    }")
            self.emit("}")
        if rng.random() < 0.6:
            self.if_stmt(scope + ["u.norm()"], "s")
        self.emit(f"let r = (u.norm_squared() + 1.0).sqrt() + w.norm();")
        self.emit(f"s * {self.expr(scope, 1)} + r")
        return args

    def render(self, attribute):
        if self.rng.random() < 0.1:
            args = self.nalgebra()
        else:
            args = self.scalar()
        head = f"pub fn {self.name}({', '.join(args)}) -> f64 {{"
        text = "\n".join([head] + self.lines + ["}"]) + "\n"
        return text


def functions(n, seed):
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        text = Fn(rng, f"f{len(out)}").render(None)
        if 10 <= len(text.splitlines()) <= 20:  # draw again outside 10-20 lines
            out.append(text)
    return out


def fifty(seed, length=50):
    """One function of exactly `length` lines: lets, loops and branches."""
    for attempt in range(1000):
        rng = random.Random(1000 * seed + attempt)
        f = Fn(rng, "long")
        scope = ["x", "y", "a[0]", "a[1]", "a[2]"]
        f.emit("let mut s = x * y;")
        step = 0
        while len(f.lines) < length - 4:
            step += 1
            f.let(scope)
            if step % 4 == 0:
                f.const_loop(scope, "s")
            if step % 5 == 0:
                f.runtime_loop(scope, "s")
            if step % 6 == 0:
                f.if_stmt(scope, "s")
            if step % 7 == 0:
                f.iter_loop(scope, "s")
        f.emit(f"s * {f.expr(scope, 1)} + {f.expr(scope, 1)}{f.rest()}")
        if len(f.lines) + 2 == length:  # the signature and the closing brace
            break
    args = ["x: f64", "y: f64", "a: [f64; 3]", "n: usize"]
    return "\n".join([f"pub fn long({', '.join(args)}) -> f64 {{"] + f.lines + ["}"]) + "\n"


HEADER = """\
// Generated by scripts/compile_time/gen.py (n = {n}, seed = {seed}, variant = {variant}).
#![allow(unused, clippy::all)]
use autodiff::nalgebra::{{Matrix3, Vector3}};
{prelude}
"""


def dependency(repo, features):
    """The `[dependencies]` table: autodiff with its default features, or with
    only `features` (a comma-separated list, e.g. `std` to leave out `hessian`)."""
    if features is None:
        return f'[dependencies]\nautodiff = {{ path = "{repo}" }}\n\n'
    names = ", ".join(f'"{f}"' for f in features.split(",") if f)
    return f'[dependencies]\nautodiff = {{ path = "{repo}", default-features = false, features = [{names}] }}\n\n'


def write_crate(path, name, repo, lib, extra=None, features=None):
    src = path / "src"
    src.mkdir(parents=True, exist_ok=True)
    toml = (
        f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[lib]\npath = "src/lib.rs"\n\n'
        + dependency(repo, features)
        # Its own workspace, so that no enclosing Cargo.toml claims it.
        + "[workspace]\n"
    )
    cargo_toml = path / "Cargo.toml"
    if not cargo_toml.exists() or cargo_toml.read_text() != toml:
        cargo_toml.write_text(toml)
    (src / "lib.rs").write_text(lib)
    for fname, text in (extra or {}).items():
        (src / fname).write_text(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repo", required=True, help="path of the autodiff repository")
    p.add_argument("--out", required=True, help="directory for plain/, diff/ and fifty/")
    p.add_argument("--fifty-variant", choices=["diff", "plain"], default="diff")
    p.add_argument("--features", default=None, help="autodiff's features instead of its defaults (e.g. std)")
    p.add_argument("--only", choices=["plain", "diff", "fifty", "deps"], action="append",
                   help="write only these crates (default: all four)")
    args = p.parse_args()
    repo = Path(args.repo).resolve()
    out = Path(args.out)
    only = set(args.only or ["plain", "diff", "fifty", "deps"])
    fns = functions(args.n, args.seed)
    for variant in ("plain", "diff"):
        if variant not in only:
            continue
        attr = "#[differentiate]\n" if variant == "diff" else ""
        prelude = "use autodiff::prelude::*;\n" if variant == "diff" else ""
        lib = HEADER.format(n=args.n, seed=args.seed, variant=variant, prelude=prelude)
        lib += "\n".join(attr + f for f in fns)
        write_crate(out / variant, f"ct_{variant}", repo, lib, features=args.features)
    if "fifty" in only:
        body = fifty(args.seed)
        head = HEADER.format(n=1, seed=args.seed, variant="fifty", prelude="use autodiff::prelude::*;\n")
        diff_lib = head + "#[differentiate]\n" + body
        plain_lib = head + body
        lib = diff_lib if args.fifty_variant == "diff" else plain_lib
        write_crate(out / "fifty", "ct_fifty", repo, lib, {"diff.rs.txt": diff_lib, "plain.rs.txt": plain_lib}, args.features)
        print(f"fifty: {len(body.splitlines())} lines")
    if "deps" in only:
        lib = "// Dependencies only: built once, then its target/ is copied to the others.\n"
        write_crate(out / "deps", "ct_deps", repo, lib + "pub use autodiff::prelude::*;\n", features=args.features)
    lines = [len(f.splitlines()) for f in fns]
    # (`| head` closing the pipe early is not an error)
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    print(f"{args.n} functions, {min(lines)}-{max(lines)} lines (mean {sum(lines) / len(lines):.1f}), "
          f"{sum('Vector3' in f for f in fns)} with nalgebra; crates in {out}")


if __name__ == "__main__":
    main()
