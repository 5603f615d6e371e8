use autodiff::prelude::*;

// `enumerate` after `rev` is rejected (it numbers the items in reversed
// order): loop over indices instead.
#[differentiate]
fn discounted(rewards: &[f64], gamma: f64) -> f64 {
    let mut total = 0.0;
    for (k, r) in rewards.iter().rev().enumerate() {
        total += gamma.powi(k as i32) * r;
    }
    total
}

fn main() {
    let _ = discounted::grad(&[1.0, 2.0], 0.9);
}
