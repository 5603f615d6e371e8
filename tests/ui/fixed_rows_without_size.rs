//! A fixed-size block without its size (found by the no-panic fuzzer: the
//! expansion did not parse).
use autodiff::nalgebra::SVector;
use autodiff::prelude::*;

#[differentiate]
fn f(v: SVector<f64, 5>) -> f64 {
    v.fixed_rows::<>(1).sum()
}

fn main() {}
