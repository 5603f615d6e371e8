// `Differentiable` describes a struct's fields; an enum's variants have no
// common tangent space.
use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
enum Shape {
    Circle(f64),
    Square(f64),
}

fn main() {}
