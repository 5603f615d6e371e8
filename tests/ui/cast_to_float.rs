use autodiff::prelude::*;

#[differentiate]
fn f(x: f64) -> f64 {
    let single = x as f32;
    f64::from(single * 2.0)
}

fn main() {}
