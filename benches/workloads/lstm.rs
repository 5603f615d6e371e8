//! ADBench's LSTM: `l` layers of a diagonal LSTM with hidden size `c`
//! predicting each character of a sequence of `b` one from the previous,
//! scored by log-softmax; differentiated with respect to the layer weights
//! and biases (`main`: per layer, 4 weight vectors then 4 bias vectors of
//! length `c`) and the input/output weights and output bias (`extra`).
//!
//! Sizes are named as in this port's brief: `c` is the hidden size (the
//! alphabet), `b` the sequence length. ADBench's own code names them the
//! other way round (`b` hidden, `c` sequence), and its data sets are
//! `l ∈ {2, 4}`, sequence length `∈ {1024, 4096}`, hidden size 14.
//!
//! [`objective_dual`] is its twin over num-dual's numbers, and
//! [`Problem::grad_num_dual`] the gradient by num-dual's forward mode.

use autodiff::nalgebra::DVector;
use autodiff::prelude::*;
use num_dual::{DualDVec64, DualNum};

/// ADBench's LSTM `logsumexp`: `log(Σ exp v + 2)`, unshifted. The `+ 2` is
/// in every ADBench implementation of this objective (awf/ADBench issue
/// 143), so it is kept to compute the same loss.
#[allow(clippy::needless_range_loop)]
#[differentiate]
pub fn logsumexp_plus_two(v: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..v.len() {
        total += v[i].exp();
    }
    (total + 2.0).ln()
}

/// `1 / (1 + e^{-x})`, ADBench's `sigmoid`.
#[differentiate]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The mean negative log-likelihood of the sequence (ADBench's
/// `lstm_objective`): each step runs the `l` layers on the previous
/// character (ADBench's `lstm_predict`, `lstm_model`, its gates computed
/// and applied element by element), then scores the next one.
#[allow(clippy::needless_range_loop, clippy::manual_memcpy)]
#[differentiate(wrt(main, extra))]
pub fn objective(
    main: &[f64],
    extra: &[f64],
    state0: &[f64],
    seq: &[f64],
    l: usize,
    c: usize,
    b: usize,
) -> f64 {
    let mut state = state0.to_vec();
    let mut total = 0.0;
    let mut input = vec![0.0; c];
    for j in 0..c {
        input[j] = seq[j];
    }
    let mut xp = vec![0.0; c];
    let mut ypred = vec![0.0; c];
    for t in 0..b - 1 {
        for j in 0..c {
            xp[j] = input[j] * extra[j];
        }
        for i in 0..l {
            let w = i * 8 * c;
            let bias = w + 4 * c;
            let hidden = i * 2 * c;
            let cell = hidden + c;
            for j in 0..c {
                let forget = sigmoid(xp[j] * main[w + j] + main[bias + j]);
                let ingate = sigmoid(state[hidden + j] * main[w + c + j] + main[bias + c + j]);
                let outgate = sigmoid(xp[j] * main[w + 2 * c + j] + main[bias + 2 * c + j]);
                let change =
                    (state[hidden + j] * main[w + 3 * c + j] + main[bias + 3 * c + j]).tanh();
                state[cell + j] = state[cell + j] * forget + ingate * change;
                state[hidden + j] = outgate * state[cell + j].tanh();
            }
            for j in 0..c {
                xp[j] = state[hidden + j];
            }
        }
        for j in 0..c {
            ypred[j] = xp[j] * extra[c + j] + extra[2 * c + j];
        }
        let lse = logsumexp_plus_two(&ypred);
        for j in 0..c {
            total += seq[(t + 1) * c + j] * (ypred[j] - lse);
            input[j] = seq[(t + 1) * c + j];
        }
    }
    -total / (((b - 1) * c) as f64)
}

/// [`objective`] over num-dual's numbers: the same loops, generic over the
/// dual type (constants on the right of each operation, as num-dual's
/// operators take them). Not `Copy`, unlike the BA and GMM twins: the
/// gradient's `DualDVec64` holds its derivatives in a heap vector, so
/// values are cloned where the `f64` objective copies them.
#[allow(clippy::needless_range_loop)]
pub fn objective_dual<D: DualNum<Primitive = f64>>(
    main: &[D],
    extra: &[D],
    state0: &[f64],
    seq: &[f64],
    l: usize,
    c: usize,
    b: usize,
) -> D {
    let zero = D::from(0.0);
    let mut state: Vec<D> = state0.iter().map(|&s| D::from(s)).collect();
    let mut total = zero.clone();
    let mut input = vec![0.0; c];
    input.copy_from_slice(&seq[..c]);
    let mut xp = vec![zero.clone(); c];
    let mut ypred = vec![zero; c];
    for t in 0..b - 1 {
        for j in 0..c {
            xp[j] = extra[j].clone() * input[j];
        }
        for i in 0..l {
            let w = i * 8 * c;
            let bias = w + 4 * c;
            let hidden = i * 2 * c;
            let cell = hidden + c;
            for j in 0..c {
                let forget = sigmoid_dual(xp[j].clone() * &main[w + j] + &main[bias + j]);
                let ingate = sigmoid_dual(
                    state[hidden + j].clone() * &main[w + c + j] + &main[bias + c + j],
                );
                let outgate =
                    sigmoid_dual(xp[j].clone() * &main[w + 2 * c + j] + &main[bias + 2 * c + j]);
                let change = (state[hidden + j].clone() * &main[w + 3 * c + j]
                    + &main[bias + 3 * c + j])
                    .tanh();
                state[cell + j] = state[cell + j].clone() * forget + ingate * change;
                state[hidden + j] = outgate * state[cell + j].tanh();
            }
            xp.clone_from_slice(&state[hidden..cell]);
        }
        for j in 0..c {
            ypred[j] = xp[j].clone() * &extra[c + j] + &extra[2 * c + j];
        }
        let lse = logsumexp_plus_two_dual(&ypred);
        for j in 0..c {
            total += (ypred[j].clone() - &lse) * seq[(t + 1) * c + j];
            input[j] = seq[(t + 1) * c + j];
        }
    }
    -total / (((b - 1) * c) as f64)
}

/// [`logsumexp_plus_two`] over num-dual's numbers.
fn logsumexp_plus_two_dual<D: DualNum<Primitive = f64>>(v: &[D]) -> D {
    let mut total = D::from(0.0);
    for a in v {
        total += a.exp();
    }
    (total + 2.0).ln()
}

/// [`sigmoid`] over num-dual's numbers.
fn sigmoid_dual<D: DualNum<Primitive = f64>>(x: D) -> D {
    ((-x).exp() + 1.0).recip()
}

/// One problem: sizes and inputs.
pub struct Problem {
    /// Layers.
    pub l: usize,
    /// Hidden size (characters).
    pub c: usize,
    /// Sequence length.
    pub b: usize,
    /// Layer weights and biases, `l × 8c`.
    pub main: Vec<f64>,
    /// Input weights, output weights and output bias, `3c`.
    pub extra: Vec<f64>,
    /// Initial hidden and cell states, `l × 2c`.
    pub state: Vec<f64>,
    /// The sequence, `b × c`.
    pub seq: Vec<f64>,
}

impl Problem {
    /// Deterministic inputs of the given sizes.
    pub fn new(l: usize, c: usize, b: usize) -> Self {
        Problem {
            l,
            c,
            b,
            main: super::inputs(8 * l * c, 3),
            extra: super::inputs(3 * c, 77),
            state: super::inputs(2 * l * c, 999),
            seq: super::inputs(b * c, 5555),
        }
    }

    /// The objective.
    pub fn value(&self) -> f64 {
        objective(
            &self.main,
            &self.extra,
            &self.state,
            &self.seq,
            self.l,
            self.c,
            self.b,
        )
    }

    /// Its gradient with respect to `(main, extra)`.
    pub fn grad(&self) -> (Vec<f64>, Vec<f64>) {
        objective::grad(
            &self.main,
            &self.extra,
            &self.state,
            &self.seq,
            self.l,
            self.c,
            self.b,
        )
    }

    /// The same gradient by num-dual: `num_dual::gradient` over
    /// [`objective_dual`], forward mode with `DualDVec64`, each number
    /// carrying a heap vector of derivatives with respect to all
    /// `8 l c + 3 c` parameters (1216 at l = 2, c = 64), hence a cost
    /// quadratic in the parameter count.
    pub fn grad_num_dual(&self) -> (Vec<f64>, Vec<f64>) {
        let nm = self.main.len();
        let params = DVector::from_iterator(
            nm + self.extra.len(),
            self.main.iter().chain(&self.extra).copied(),
        );
        let (_, g) = num_dual::gradient(
            |v: DVector<DualDVec64>| {
                let v = v.as_slice();
                objective_dual(
                    &v[..nm],
                    &v[nm..],
                    &self.state,
                    &self.seq,
                    self.l,
                    self.c,
                    self.b,
                )
            },
            &params,
        );
        let g = g.as_slice();
        (g[..nm].to_vec(), g[nm..].to_vec())
    }
}
