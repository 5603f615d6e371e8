#!/usr/bin/env python3
"""Generate reference vectors for `autodiff::random` from JAX itself.

Usage (CPU-only JAX is enough):

    python3 -m pip install jax
    python3 scripts/jax_random_vectors.py > tests/data/jax_random_vectors.txt

It only writes to stdout. `tests/random_jax.rs` parses the output; the Rust
tests never need Python.

    python3 scripts/jax_random_vectors.py --exhaustive DIR

instead writes the large binary files for the ignored exhaustive test of
`autodiff-runtime` (every one of the 2^23 f32 normal values, and f64 normal
values for 4 million random 64-bit words plus edge cases):

    AUTODIFF_JAX_EXHAUSTIVE=DIR cargo test -p autodiff-runtime --release \
        --lib -- --ignored --nocapture

Format: one case per line, `#` starts a comment line.

    <layout> <seed> <path> <op> <shape> [args...] = <values...>

* layout: `L` (jax_threefry_partitionable=False, the pre-0.5 default) or
  `P` (partitionable=True, the default since JAX 0.5.0).
* seed: decimal u64 given to `jax.random.PRNGKey` (with jax_enable_x64 on, so
  seeds >= 2**32 keep their high word).
* path: how the key is derived from the seed key, `-` for none, else
  comma-separated steps: `sN.i` = `jax.random.split(key, N)[i]`,
  `fD` = `jax.random.fold_in(key, D)`.
* op, shape and args: what was drawn. `shape` is `AxBxC` (row-major, `1` for a
  scalar draw of shape `()`), floats in args are hex bit patterns, integers
  decimal. Values: hex bit patterns for floats and raw bits (u32: 8 digits,
  u64: 16 digits), decimal for integers, `0`/`1` for booleans.

Ops: key, split, bits32, bits64, uniform_f32, uniform_f64, normal_f32,
normal_f64, randint_i32, randint_u32, randint_i64, randint_u64, bernoulli_f32,
bernoulli_f64, permutation.
"""
import sys

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

SEEDS = [0, 1, 42, 2**31 + 3, 2**32 - 1, 2**32, 2**40 + 5,
         0xDEADBEEFCAFEBABE, 2**64 - 1]


def h32(a):
    return " ".join(f"{int(v):08x}" for v in np.asarray(a).reshape(-1).view(np.uint32))


def h64(a):
    return " ".join(f"{int(v):016x}" for v in np.asarray(a).reshape(-1).view(np.uint64))


def dec(a):
    return " ".join(str(int(v)) for v in np.asarray(a).reshape(-1))


def f32hex(x):
    return f"{int(np.array(x, np.float32).view(np.uint32)):08x}"


def f64hex(x):
    return f"{int(np.array(x, np.float64).view(np.uint64)):016x}"


def make_key(seed, path):
    key = jax.random.PRNGKey(np.uint64(seed))
    if path == "-":
        return key
    for step in path.split(","):
        if step[0] == "s":
            n, i = step[1:].split(".")
            key = jax.random.split(key, int(n))[int(i)]
        elif step[0] == "f":
            key = jax.random.fold_in(key, np.uint32(int(step[1:])))
        else:
            raise ValueError(step)
    return key


def shape_of(s):
    if s == "1":
        return ()
    return tuple(int(d) for d in s.split("x"))


def draw(key, op, shape, args):
    if op == "key":
        return h32(key)
    if op == "split":
        return h32(jax.random.split(key, int(args[0])))
    if op == "bits32":
        return h32(jax.random.bits(key, shape, jnp.uint32))
    if op == "bits64":
        return h64(jax.random.bits(key, shape, jnp.uint64))
    if op == "uniform_f32":
        lo, hi = (np.array(int(a, 16), np.uint32).view(np.float32) for a in args)
        return h32(jax.random.uniform(key, shape, jnp.float32, lo, hi))
    if op == "uniform_f64":
        lo, hi = (np.array(int(a, 16), np.uint64).view(np.float64) for a in args)
        return h64(jax.random.uniform(key, shape, jnp.float64, lo, hi))
    if op == "normal_f32":
        return h32(jax.random.normal(key, shape, jnp.float32))
    if op == "normal_f64":
        return h64(jax.random.normal(key, shape, jnp.float64))
    if op in ("randint_i32", "randint_u32", "randint_i64", "randint_u64"):
        dt = {"randint_i32": jnp.int32, "randint_u32": jnp.uint32,
              "randint_i64": jnp.int64, "randint_u64": jnp.uint64}[op]
        lo, hi = (np.array(int(a), dt) for a in args)
        return dec(jax.random.randint(key, shape, lo, hi, dt))
    if op == "bernoulli_f32":
        p = np.array(int(args[0], 16), np.uint32).view(np.float32)
        return dec(jax.random.bernoulli(key, p, shape))
    if op == "bernoulli_f64":
        p = np.array(int(args[0], 16), np.uint64).view(np.float64)
        return dec(jax.random.bernoulli(key, p, shape))
    if op == "permutation":
        return dec(jax.random.permutation(key, int(args[0])))
    raise ValueError(op)


def cases():
    """Yield (seed, path, op, shape, args) for one layout."""
    for seed in SEEDS:
        yield seed, "-", "key", "1", []
        yield seed, "-", "split", "1", ["2"]
        yield seed, "-", "split", "1", ["3"]
        yield seed, "-", "bits32", "7", []
        yield seed, "-", "normal_f32", "5", []
        yield seed, "-", "normal_f64", "3", []
    # The JAX tutorial's draws: A (= B), C and D.
    for path in ["-", "s2.0", "s2.1"]:
        yield 0, path, "normal_f32", "2x2", []
    for path in ["s2.0", "s2.1", "s3.0", "s3.1", "s3.2", "f0", "f1", "f4294967295",
                 "s2.1,f7,s3.2", "f12345,s2.0"]:
        yield 42, path, "key", "1", []
        yield 42, path, "normal_f32", "3", []
    # Raw bits: odd and even lengths, scalar.
    for n in ["1", "2", "7", "8", "3x5", "16"]:
        yield 7, "-", "bits32", n, []
    for n in ["1", "2", "5", "6"]:
        yield 7, "-", "bits64", n, []
    # Uniform with several ranges (lo, hi).
    for lo, hi in [(0.0, 1.0), (-3.5, 11.25), (-1e-3, 7.3), (2.0, 2.0), (5.0, -1.0)]:
        for n in ["1", "6", "7"]:
            yield 11, "-", "uniform_f32", n, [f32hex(lo), f32hex(hi)]
            yield 11, "-", "uniform_f64", n, [f64hex(lo), f64hex(hi)]
    # Normal: shapes, odd/even, and one longer run per dtype for ulp statistics.
    for n in ["1", "2", "2x2", "3", "2x3", "6", "4x5x3"]:
        yield 3, "-", "normal_f32", n, []
        yield 3, "-", "normal_f64", n, []
    yield 2024, "-", "normal_f32", "1201", []
    yield 2**40 + 5, "s2.1", "normal_f32", "800", []
    yield 2024, "-", "normal_f64", "401", []
    yield 2**40 + 5, "s2.1", "normal_f64", "300", []
    # Integers.
    for lo, hi in [(0, 10), (-5, 1000000), (-2**31, 2**31 - 1), (5, 5), (9, 3), (0, 65537)]:
        yield 5, "-", "randint_i32", "9", [str(lo), str(hi)]
    for lo, hi in [(0, 3000000000), (7, 8), (0, 4294967295)]:
        yield 5, "-", "randint_u32", "9", [str(lo), str(hi)]
    for lo, hi in [(-2**40, 2**50), (0, 10), (-2**63, 2**63 - 1)]:
        yield 5, "-", "randint_i64", "9", [str(lo), str(hi)]
    for lo, hi in [(0, 2**64 - 1), (5, 10**19)]:
        yield 5, "-", "randint_u64", "9", [str(lo), str(hi)]
    # Bernoulli.
    for p in [0.3, 0.5]:
        yield 9, "-", "bernoulli_f32", "21", [f32hex(p)]
    yield 9, "-", "bernoulli_f64", "21", [f64hex(0.7)]
    # Permutations: 1 round up to 1625 elements, 2 rounds from 1626.
    for n in [1, 2, 10, 100, 1626]:
        yield 13, "-", "permutation", "1", [str(n)]


def normal_from_bits(bits, dtype):
    """jax.random.normal's computation from given random bits (the same ops as
    jax._src.random.core._normal_real and _uniform, so XLA compiles the same
    fused kernel)."""
    from jax import lax
    nbits, nmant = (32, 23) if dtype == jnp.float32 else (64, 52)
    udt = jnp.uint32 if nbits == 32 else jnp.uint64
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    minval = lax.convert_element_type(lo, dtype)
    maxval = lax.convert_element_type(np.array(1., dtype), dtype)
    fb = lax.shift_right_logical(bits, jnp.array(nbits - nmant, udt))
    fb = lax.bitwise_or(fb, jnp.asarray(np.array(1.0, dtype).view(udt), dtype=udt))
    floats = lax.bitcast_convert_type(fb, dtype) - jnp.array(1., dtype)
    u = lax.max(minval, floats * (maxval - minval) + minval)
    return lax.mul(np.array(np.sqrt(2), dtype), lax.erf_inv(u))


def exhaustive(outdir):
    import os
    f32 = jax.jit(lambda b: normal_from_bits(b, jnp.float32))
    f64 = jax.jit(lambda b: normal_from_bits(b, jnp.float64))
    # The mirror must agree with jax.random.normal itself.
    for flag in (False, True):
        jax.config.update("jax_threefry_partitionable", flag)
        key = jax.random.PRNGKey(123)
        for dt, udt, fn in [(jnp.float32, jnp.uint32, f32), (jnp.float64, jnp.uint64, f64)]:
            bits = jax.random.bits(key, (1001,), udt)
            assert (np.asarray(fn(bits)) == np.asarray(jax.random.normal(key, (1001,), dt))).all()
    mant = np.arange(2**23, dtype=np.uint32) << np.uint32(9)
    np.asarray(f32(mant)).astype("<f4").tofile(os.path.join(outdir, "normal_f32_all.bin"))
    rng = np.random.default_rng(1)
    words = rng.integers(0, 2**64, size=4_000_000, dtype=np.uint64)
    edges = [np.uint64(m) << np.uint64(12) for m in
             list(range(4096)) + list(range(2**52 - 4096, 2**52)) +
             list(range(2**51 - 2048, 2**51 + 2048))]
    words = np.concatenate([words, np.array(edges, dtype=np.uint64)])
    words.astype("<u8").tofile(os.path.join(outdir, "f64_bits.bin"))
    np.asarray(f64(words)).astype("<f8").tofile(os.path.join(outdir, "normal_f64.bin"))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--exhaustive":
        exhaustive(sys.argv[2])
        return
    out = sys.stdout
    out.write(f"# generated by scripts/jax_random_vectors.py with jax {jax.__version__}, "
              f"jaxlib {jax.lib.__version__}, numpy {np.__version__}, "
              f"backend {jax.default_backend()}\n")
    for flag, name in [(False, "L"), (True, "P")]:
        jax.config.update("jax_threefry_partitionable", flag)
        for seed, path, op, shape, args in cases():
            key = make_key(seed, path)
            vals = draw(key, op, shape_of(shape), args)
            head = " ".join([name, str(seed), path, op, shape] + list(args))
            out.write(f"{head} = {vals}\n")
    # The JAX tutorial's numbers were printed without x64; check they agree.
    jax.config.update("jax_enable_x64", False)
    jax.config.update("jax_threefry_partitionable", False)
    key = jax.random.PRNGKey(0)
    out.write(f"# x64 off, tutorial: L 0 - normal_f32 2x2 = "
              f"{h32(jax.random.normal(key, (2, 2)))}\n")


if __name__ == "__main__":
    main()
