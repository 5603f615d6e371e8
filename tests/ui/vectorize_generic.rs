//! Generic functions are not batched yet.
use autodiff::prelude::*;

#[vectorize]
fn f<T: Copy + Into<f64>>(x: T) -> f64 {
    x.into()
}

fn main() {}
