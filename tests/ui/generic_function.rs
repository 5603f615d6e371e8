use autodiff::prelude::*;

#[differentiate]
fn f<T: Copy>(x: f64, _marker: T) -> f64 {
    x * x
}

fn main() {}
