use autodiff::prelude::*;

// `push` of a differentiable value onto a local `Vec` is rejected: allocate
// the vector first (`vec![0.0; n]`) and assign its elements.
#[differentiate]
fn squares_sum(x: &[f64]) -> f64 {
    let mut squares = Vec::new();
    for v in x.iter() {
        squares.push(v * v);
    }
    let mut total = 0.0;
    for s in squares.iter() {
        total += s;
    }
    total
}

fn main() {
    let _ = squares_sum::grad(&[1.0, 2.0]);
}
