//! An enum has no tangent space: a variant built from a differentiable
//! value is an error on the variant; from static values it runs as written.
use autodiff::prelude::*;

enum Shape {
    Circle(f64),
    Square(f64),
}

fn area(s: &Shape) -> f64 {
    match s {
        Shape::Circle(r) => 3.14 * r * r,
        Shape::Square(a) => a * a,
    }
}

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let fixed = Shape::Square(n as f64);
    let s = Shape::Circle(x);
    let wrapped = Some(x * 2.0);
    let bonus = if wrapped.is_some() { 1.0 } else { 0.0 };
    area(&fixed) * x + area(&s) + bonus
}

fn main() {}
