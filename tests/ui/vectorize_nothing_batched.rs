//! Every argument broadcast or static: there is no batch.
use autodiff::prelude::*;

#[vectorize(broadcast(w))]
fn f(w: f64, n: usize) -> f64 {
    w * n as f64
}

fn main() {}
