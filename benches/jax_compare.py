#!/usr/bin/env python3
"""JAX on CPU (jit, float64) on the workloads of this crate's criterion benches.

Prints microseconds per call (best of several timed batches, after a warm-up
call that compiles), for comparison with `cargo bench` figures measured on the
same machine; `benches/README.md` has the table and how it was made.

Not run in CI. Run: `python3 benches/jax_compare.py` (it creates a virtual
environment under `target/jax-venv` and installs `jax[cpu]` there if JAX is
not importable).
"""

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


# GMM (ADBench's objective, as `benches/workloads/gmm.rs` computes it;
# constants left out, they do not depend on the parameters).
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
    return slse - n * jax.scipy.special.logsumexp(alphas) + prior


def gmm_rows(d, k, n):
    key = jax.random.PRNGKey(0)
    ka, km, ki, kx = jax.random.split(key, 4)
    alphas = jax.random.uniform(ka, (k,), minval=-1.0, maxval=1.0)
    means = jax.random.uniform(km, (k * d,), minval=-1.0, maxval=1.0)
    icf = jax.random.uniform(ki, (k * d * (d + 1) // 2,), minval=-0.5, maxval=0.5)
    x = jax.random.uniform(kx, (n, d), minval=-1.5, maxval=1.5)
    obj = jax.jit(lambda a, mu, q: gmm(a, mu, q, x, d, k))
    grad = jax.jit(jax.grad(lambda a, mu, q: gmm(a, mu, q, x, d, k), argnums=(0, 1, 2)))
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
