#!/usr/bin/env python3
"""What `#[differentiate]` costs at build time.

Generates a library of N random numeric functions of the kinds users write
(f64 scalars, `[f64; 3]` arrays, `for` loops with constant and runtime
bounds, loops over arrays, branches on values, `let mut` accumulators, float
methods; about one in ten with nalgebra vectors and matrices), twice: once
plain and once with `#[differentiate]` on every function. Builds each crate
with `cargo check`, `cargo build` and `cargo build --release` (dependencies
built first and not timed; the best of `--runs` builds of the crate alone,
without incremental compilation), and prints the extra seconds and the extra
milliseconds per function. `--expansion` also reports the time rustc spends
expanding the macro in a crate of one 50-line function (needs the nightly
toolchain, for `-Z time-passes`).

    python3 scripts/compile_time.py                 # N = 100, seed 1: a few minutes
    python3 scripts/compile_time.py --n 30 --seed 2 --modes check
    python3 scripts/compile_time.py --expansion

The crates are written under `--dir` (default: target/compile-time) and kept,
so that `cargo expand` or a profiler can be pointed at them afterwards.
"""

import argparse
import os
import random
import re
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

UNARY = ["sin", "cos", "tanh", "exp", "atan", "abs"]


class Gen:
    """Random expressions and statements over the variables in scope."""

    def __init__(self, rng):
        self.rng = rng

    def leaf(self, scalars):
        r = self.rng.random()
        if r < 0.25:
            return f"{self.rng.choice([0.5, 1.5, 2.0, 3.0, 0.25])}"
        return self.rng.choice(scalars)

    def expr(self, scalars, depth=2):
        if depth == 0:
            return self.leaf(scalars)
        r = self.rng.random()
        a = self.expr(scalars, depth - 1)
        b = self.expr(scalars, depth - 1)
        if r < 0.3:
            return f"{a} * {b}"
        if r < 0.5:
            return f"({a} + {b})"
        if r < 0.6:
            return f"({a} - {b})"
        if r < 0.7:
            return f"{a} / (1.0 + {b} * {b})"
        if r < 0.8:
            return f"({a}).{self.rng.choice(UNARY)}()"
        if r < 0.85:
            return f"({a} * {a} + 1.0).sqrt()"
        if r < 0.9:
            return f"({a} * {a} + 1.0).ln()"
        if r < 0.95:
            return f"({a}).powi(2)"
        return f"f64::max({a}, {b})"

    def scalar_fn(self, name):
        """Scalars and a `[f64; 3]`, with a loop, a branch or both."""
        rng = self.rng
        lines = []
        scalars = ["x", "y", "a[0]", "a[1]", "a[2]"]
        for k in range(rng.randint(3, 6)):
            lines.append(f"let t{k} = {self.expr(scalars)};")
            scalars.append(f"t{k}")
        lines.append("let mut s = 0.0;")
        shape = rng.choice(["const_loop", "runtime_loop", "iter_loop", "branch", "both"])
        if shape in ("const_loop", "both"):
            lines.append("for i in 0..3 {")
            lines.append(f"    s += a[i] * {self.expr(scalars, 1)};")
            lines.append("}")
        if shape == "runtime_loop":
            lines.append("for _ in 0..n {")
            lines.append(f"    s = 0.5 * s + {self.expr(scalars, 1)};")
            lines.append("}")
        if shape == "iter_loop":
            lines.append("for v in a.iter() {")
            lines.append(f"    s += v * {self.expr(scalars, 1)};")
            lines.append("}")
        if shape in ("branch", "both"):
            c = rng.choice(scalars[2:])
            lines.append(f"if {c} > {rng.choice(scalars)} {{")
            lines.append(f"    s += {self.expr(scalars, 1)};")
            lines.append("} else {")
            lines.append(f"    s -= {self.expr(scalars, 1)};")
            lines.append("}")
        lines.append(f"s * {self.expr(scalars, 1)} + {self.expr(scalars, 1)}")
        body = "\n    ".join(lines)
        return f"pub fn {name}(x: f64, y: f64, a: [f64; 3], n: usize) -> f64 {{\n    {body}\n}}\n"

    def nalgebra_fn(self, name):
        """Vectors and a matrix, with a loop over the vector."""
        e = self.expr(["x", "v[0]", "v[1]"], 1)
        return (
            f"pub fn {name}(x: f64, v: Vector3<f64>, m: Matrix3<f64>) -> f64 {{\n"
            f"    let w = m * v;\n"
            f"    let mut s = w.dot(&v) * x;\n"
            f"    for k in 0..3 {{\n"
            f"        s += w[k] * {e};\n"
            f"    }}\n"
            f"    s + (w.norm_squared() + 1.0).sqrt()\n"
            f"}}\n"
        )

    def function(self, name):
        if self.rng.random() < 0.1:
            return self.nalgebra_fn(name)
        return self.scalar_fn(name)


def write_crate(path, name, functions, attribute):
    (path / "src").mkdir(parents=True, exist_ok=True)
    (path / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nautodiff = {{ path = "{REPO}" }}\n\n[workspace]\n'
    )
    head = "#![allow(unused, clippy::all)]\nuse autodiff::nalgebra::{Matrix3, Vector3};\nuse autodiff::prelude::*;\n\n"
    marked = [(attribute + "\n" if attribute else "") + f for f in functions]
    (path / "src" / "lib.rs").write_text(head + "\n".join(marked))


def cargo(path, args, env=None):
    full = dict(os.environ, CARGO_INCREMENTAL="0", **(env or {}))
    result = subprocess.run(
        ["cargo", *args], cwd=path, env=full, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"cargo {' '.join(args)} failed in {path}:\n{result.stderr[-4000:]}")
    return result


def time_crate(path, args, runs):
    """The best of `runs` builds of the crate itself (dependencies built first)."""
    cargo(path, args)
    best = float("inf")
    for _ in range(runs):
        (path / "src" / "lib.rs").touch()
        start = time.perf_counter()
        cargo(path, args)
        best = min(best, time.perf_counter() - start)
    return best


MODES = {
    "check": ["check"],
    "debug": ["build"],
    "release": ["build", "--release"],
}


def measure(args):
    rng = random.Random(args.seed)
    gen = Gen(rng)
    functions = [gen.function(f"f{i}") for i in range(args.n)]
    root = Path(args.dir)
    plain, diff = root / "plain", root / "diff"
    write_crate(plain, "ct_plain", functions, "")
    write_crate(diff, "ct_diff", functions, "#[differentiate]")
    print(f"{args.n} functions, seed {args.seed}, best of {args.runs} builds; crates in {root}")
    print(f"{'mode':8} {'plain s':>8} {'diff s':>8} {'extra s':>8} {'ms/fn':>7}")
    for mode in args.modes.split(","):
        cmd = MODES[mode]
        t_plain = time_crate(plain, cmd, args.runs)
        t_diff = time_crate(diff, cmd, args.runs)
        extra = t_diff - t_plain
        print(f"{mode:8} {t_plain:8.2f} {t_diff:8.2f} {extra:8.2f} {1000 * extra / args.n:7.1f}")


FIFTY_LINES = """
#[differentiate]
pub fn long(x: f64, y: f64, a: [f64; 3], n: usize) -> f64 {
%s
    s
}
"""


def expansion(args):
    """rustc's `expand_crate` pass for one 50-line function (nightly only)."""
    gen = Gen(random.Random(args.seed))
    lines = ["    let mut s = x * y;"]
    scalars = ["x", "y", "a[0]", "a[1]", "a[2]", "s"]
    while len(lines) < 46:
        k = len(lines)
        lines.append(f"    let t{k} = {gen.expr(scalars)};")
        scalars.append(f"t{k}")
        if k % 9 == 0:
            lines += ["    for i in 0..3 {", f"        s += a[i] * t{k};", "    }"]
        if k % 13 == 0:
            lines += [f"    if t{k} > s {{", f"        s += t{k};", "    }"]
    lines.append("    s += " + " + ".join(scalars[6:]) + ";")
    path = Path(args.dir) / "expansion"
    (path / "src").mkdir(parents=True, exist_ok=True)
    (path / "Cargo.toml").write_text(
        f'[package]\nname = "ct_expansion"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nautodiff = {{ path = "{REPO}" }}\n\n[workspace]\n'
    )
    body = "\n".join(lines)
    (path / "src" / "lib.rs").write_text("use autodiff::prelude::*;\n" + FIFTY_LINES % body)
    cargo(path, ["+nightly", "check"])
    best = float("inf")
    for _ in range(args.runs):
        (path / "src" / "lib.rs").touch()
        out = cargo(path, ["+nightly", "rustc", "--profile", "check", "--", "-Z", "time-passes"])
        m = re.search(r"time:\s+([0-9.]+);[^\n]*\sexpand_crate", out.stderr)
        if m:
            best = min(best, float(m.group(1)))
    print(f"macro expansion of one {len(lines) + 4}-line function: {1000 * best:.1f} ms (rustc's expand_crate, best of {args.runs})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--modes", default="check,debug,release")
    parser.add_argument("--dir", default=str(REPO / "target" / "compile-time"))
    parser.add_argument("--expansion", action="store_true")
    args = parser.parse_args()
    if args.expansion:
        expansion(args)
    else:
        measure(args)


if __name__ == "__main__":
    main()
