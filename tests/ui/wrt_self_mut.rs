// Writes through `&mut self` carry no derivative.
use autodiff::prelude::*;

#[derive(Clone, Differentiable)]
struct Spring {
    k: f64,
}

impl Spring {
    #[differentiate(wrt(self))]
    fn energy(&mut self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
}

fn main() {}
