#!/usr/bin/env python3
"""JAX on CPU (jit, float64) on the workloads of this crate's criterion benches.

Prints microseconds per call (best of several timed batches, after a warm-up
call that compiles), for comparison with `cargo bench` figures measured on the
same machine; `benches/README.md` has the table and how it was made.

Not run in CI. Run: `python3 benches/jax_compare.py` (it creates a virtual
environment under `target/jax-venv` and installs `jax[cpu]` there if JAX is
not importable).
"""

import math
import os
import subprocess
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, "..", "target", "jax-venv")


def ensure_jax():
    try:
        import jax  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "jax[cpu]"])
    os.execv(python, [python] + sys.argv)


ensure_jax()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")


def per_call_us(f, *args, number=None):
    """Microseconds per call of a jitted `f`, its result blocked on."""
    jax.block_until_ready(f(*args))  # compile
    if number is None:
        t = timeit.timeit(lambda: jax.block_until_ready(f(*args)), number=10)
        number = max(10, int(0.2 / max(t / 10, 1e-9)))
    best = min(
        timeit.repeat(lambda: jax.block_until_ready(f(*args)), number=number, repeat=5)
    )
    return best / number * 1e6


def row(name, us):
    print(f"{name:44s} {us:12.2f} us")


# The tutorial's scalar function and its derivative.
def f(x):
    return jnp.sin(x * x) + 3.0 * x * x


x0 = jnp.float64(0.7)
row("scalar f", per_call_us(jax.jit(f), x0))
row("scalar grad(f)", per_call_us(jax.jit(jax.grad(f)), x0))


# The image loss sigma(|I_hat - I|^2 / 2) on 128 x 128 (the crate's inputs).
def image_loss(predicted, target):
    d = predicted - target
    return jax.nn.sigmoid(0.5 * jnp.sum(d * d))


n = 128
i, j = jnp.meshgrid(jnp.arange(n), jnp.arange(n), indexing="ij")
target = ((i * 7 + j * 3) % 11) / 11.0
step = (2.0 / (n * n)) ** 0.5
predicted = target + step * jnp.where((i + j) % 2 == 0, 1.0, -1.0)
row("image loss 128x128", per_call_us(jax.jit(image_loss), predicted, target))
row(
    "image loss gradient 128x128",
    per_call_us(jax.jit(jax.grad(image_loss)), predicted, target),
)


# Forward versus reverse at n = 1000 (`benches/forward_vs_reverse.rs`).
def f_many(x):
    return jnp.linalg.norm((jnp.exp(x) - x * x) / jnp.tan(x))


def g_many(t, n=1000):
    powers = t ** jnp.arange(n, dtype=jnp.float64)
    return t ** jnp.sin(powers)


golden = 0.6180339887498949
xs = 0.1 + 1.3 * jnp.mod((jnp.arange(1000) + 1.0) * golden, 1.0)
t0 = jnp.float64(1.0005)
row("n=1000 f (n to 1)", per_call_us(jax.jit(f_many), xs))
row("n=1000 jacrev(f)", per_call_us(jax.jit(jax.jacrev(f_many)), xs))
row("n=1000 jacfwd(f)", per_call_us(jax.jit(jax.jacfwd(f_many)), xs))
row("n=1000 g (1 to n)", per_call_us(jax.jit(g_many), t0))
row("n=1000 jacfwd(g)", per_call_us(jax.jit(jax.jacfwd(g_many)), t0))
row("n=1000 jacrev(g)", per_call_us(jax.jit(jax.jacrev(g_many)), t0))


# GMM (ADBench's objective, as `benches/workloads/gmm.rs` computes it, on
# the same inputs, constants included so that the values can be compared).
def gmm(alphas, means, icf, x, d, k, gamma=1.0, m=0):
    icf_sz = d * (d + 1) // 2
    icf = icf.reshape(k, icf_sz)
    means = means.reshape(k, d)
    qdiag = jnp.exp(icf[:, :d])
    sum_qs = jnp.sum(icf[:, :d], axis=1)
    rows, cols = jnp.tril_indices(d, -1)
    # ADBench's packing: column by column below the diagonal.
    order = jnp.lexsort((rows, cols))
    lower = jnp.zeros((k, d, d)).at[:, rows[order], cols[order]].set(icf[:, d:])
    q = lower + jax.vmap(jnp.diag)(qdiag)
    xc = x[:, None, :] - means[None, :, :]
    qxc = jnp.einsum("kij,nkj->nki", q, xc)
    main = alphas[None, :] + sum_qs[None, :] - 0.5 * jnp.sum(qxc * qxc, axis=2)
    slse = jnp.sum(jax.scipy.special.logsumexp(main, axis=1))
    n = x.shape[0]
    prior = 0.5 * gamma * gamma * (jnp.sum(qdiag * qdiag) + jnp.sum(icf[:, d:] ** 2)) - m * jnp.sum(sum_qs)
    return (
        gmm_constant(d, n)
        + slse
        - n * jax.scipy.special.logsumexp(alphas)
        + prior
        - wishart_constant(d, k, gamma, m)
    )


def gmm_constant(d, n):
    """`constant` of gmm.rs: -n d log(2 pi) / 2."""
    return -(n * d) * 0.5 * math.log(2.0 * math.pi)


def wishart_constant(d, k, gamma, m):
    """`wishart_constant` of gmm.rs: k (n' d (log gamma - log 2 / 2) - log Gamma_d(n' / 2))."""
    n_prime = d + m + 1
    log_gamma_d = d * (d - 1) / 4.0 * math.log(math.pi)
    for j in range(1, d + 1):
        log_gamma_d += math.lgamma((n_prime + 1 - j) / 2.0)
    return k * (n_prime * d * (math.log(gamma) - 0.5 * math.log(2.0)) - log_gamma_d)


def inputs(length, offset):
    """`workloads::inputs`: fractional parts of multiples of the golden ratio, minus 1/2."""
    return jnp.asarray(np.mod((np.arange(length) + offset) * 0.618033988749895, 1.0) - 0.5)


def gmm_rows(d, k, n):
    icf_sz = d * (d + 1) // 2
    alphas = inputs(k, 1)
    means = inputs(k * d, 100)
    icf = 0.6 * inputs(k * icf_sz, 7)
    x = inputs(n * d, 1000).reshape(n, d)
    obj = jax.jit(lambda a, mu, q: gmm(a, mu, q, x, d, k))
    grad = jax.jit(jax.grad(lambda a, mu, q: gmm(a, mu, q, x, d, k), argnums=(0, 1, 2)))
    print(f"GMM d={d} K={k} n={n} objective value: {float(obj(alphas, means, icf))!r}")
    row(f"GMM d={d} K={k} n={n} objective", per_call_us(obj, alphas, means, icf))
    row(f"GMM d={d} K={k} n={n} gradient", per_call_us(grad, alphas, means, icf))


gmm_rows(2, 5, 1000)
gmm_rows(10, 25, 1000)


# The Frobenius norm of a batch of matrices (the tutorial's vmap example at
# the size `cargo run --example tutorial` uses: ten 100 x 100, f32).
def frob(a):
    return jnp.linalg.norm(a)


batch = jnp.asarray(
    [[[((r * 100 + c + b) % 7) * 0.1 for c in range(100)] for r in range(100)] for b in range(10)],
    dtype=jnp.float32,
)
row("vmap(frob) 10 x 100x100 f32", per_call_us(jax.jit(jax.vmap(frob)), batch))


# The same at the size of `benches/vmap.rs`: one hundred 1000 x 1000 f32
# matrices (400 MB), entry (i, j) of matrix k = ((31 i + 17 j + k) mod 101) / 101,
# as a batched reduction and through vmap.
def vmap_sized_batch():
    i, j = np.meshgrid(np.arange(1000), np.arange(1000), indexing="ij")
    base = i * 31 + j * 17
    out = np.empty((100, 1000, 1000), dtype=np.float32)
    for k in range(100):
        out[k] = ((base + k) % 101).astype(np.float32) / np.float32(101.0)
    return jnp.asarray(out)


big = vmap_sized_batch()
row(
    "norm(axis=(1,2)) 100 x 1000x1000 f32",
    per_call_us(jax.jit(lambda a: jnp.linalg.norm(a, axis=(1, 2))), big),
)
row("vmap(frob) 100 x 1000x1000 f32", per_call_us(jax.jit(jax.vmap(frob)), big))
del big


# ADBench's BA, one observation (`benches/workloads/ba.rs`): the residual
# [w (proj_x - feat_x), w (proj_y - feat_y), 1 - w^2] of the 15 parameters,
# at the same parameters and feature; Rodrigues' rotation, or its
# first-order form at a zero angle, through lax.cond as the Rust branches.
def ba_residual(p, feat):
    rot = p[0:3]
    xs = p[11:14] - p[3:6]
    sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2]

    def rotate(_):
        theta = jnp.sqrt(sqtheta)
        c = jnp.cos(theta)
        s = jnp.sin(theta)
        w = rot * (1.0 / theta)
        tmp = (w[0] * xs[0] + w[1] * xs[1] + w[2] * xs[2]) * (1.0 - c)
        return xs * c + jnp.cross(w, xs) * s + w * tmp

    def first_order(_):
        return xs + jnp.cross(rot, xs)

    q = jax.lax.cond(sqtheta != 0.0, rotate, first_order, None)
    px = q[0] / q[2]
    py = q[1] / q[2]
    rsq = px * px + py * py
    lens = 1.0 + p[9] * rsq + p[10] * rsq * rsq
    w = p[14]
    return jnp.stack(
        [
            w * (px * lens * p[6] + p[7] - feat[0]),
            w * (py * lens * p[6] + p[8] - feat[1]),
            1.0 - w * w,
        ]
    )


ba_p = jnp.asarray(
    [0.1, -0.2, 0.15, 0.3, -0.1, -3.0, 500.0, 0.1, -0.2, 1e-3, 1e-6, 0.5, 0.7, 4.0, 0.9]
)
ba_feat = jnp.asarray([10.0, -5.0])
ba_ct = jnp.asarray([1.0, 0.5, 0.25])
print(f"BA residual: {[float(v) for v in jax.jit(ba_residual)(ba_p, ba_feat)]!r}")
row("BA residual (objective)", per_call_us(jax.jit(ba_residual), ba_p, ba_feat))
row("BA jacrev 3x15", per_call_us(jax.jit(jax.jacrev(ba_residual)), ba_p, ba_feat))
row("BA jacfwd 3x15", per_call_us(jax.jit(jax.jacfwd(ba_residual)), ba_p, ba_feat))


def ba_vjp_pullback(p, feat, ct):
    _, pullback = jax.vjp(lambda q: ba_residual(q, feat), p)
    return pullback(ct)[0]


row("BA vjp + one pullback", per_call_us(jax.jit(ba_vjp_pullback), ba_p, ba_feat, ba_ct))


# The Bezier example (`examples/bezier/scene.rs`): a cubic curve sampled at
# 40 points, rendered into 48 x 48 pixels as tanh(0.6 sum of Gaussians of
# width 1.2), the mean squared difference to the target (the curve at the
# true control points), at the fit's start.
SIDE, SAMPLES, WIDTH = 48, 40, 1.2


def bezier_render(c):
    t = jnp.arange(SAMPLES) / (SAMPLES - 1)
    s = 1.0 - t
    w = jnp.stack([s * s * s, 3.0 * s * s * t, 3.0 * s * t * t, t * t * t])
    xs = c[0] * w[0] + c[2] * w[1] + c[4] * w[2] + c[6] * w[3]
    ys = c[1] * w[0] + c[3] * w[1] + c[5] * w[2] + c[7] * w[3]
    p = jnp.arange(SIDE * SIDE)
    px = (p % SIDE) + 0.5
    py = (p // SIDE) + 0.5
    dx = px[:, None] - xs[None, :]
    dy = py[:, None] - ys[None, :]
    density = jnp.sum(jnp.exp(-(dx * dx + dy * dy) / (2.0 * WIDTH * WIDTH)), axis=1)
    return jnp.tanh(0.6 * density)


def bezier_loss(c, target):
    r = bezier_render(c) - target
    return jnp.sum(r * r) / (SIDE * SIDE)


truth = jnp.asarray([8.0, 40.0, 14.0, 6.0, 34.0, 42.0, 41.0, 9.0])
start = jnp.asarray([10.0, 36.0, 20.0, 12.0, 30.0, 36.0, 38.0, 14.0])
bezier_target = jax.jit(bezier_render)(truth)
print(f"Bezier loss at the start: {float(jax.jit(bezier_loss)(start, bezier_target))!r}")
print(f"its gradient: {[float(v) for v in jax.jit(jax.grad(bezier_loss))(start, bezier_target)]!r}")
row("Bezier render 48x48", per_call_us(jax.jit(bezier_render), start))
row("Bezier loss 48x48", per_call_us(jax.jit(bezier_loss), start, bezier_target))
row("Bezier grad 48x48", per_call_us(jax.jit(jax.grad(bezier_loss)), start, bezier_target))
