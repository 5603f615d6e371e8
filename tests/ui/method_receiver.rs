use autodiff::prelude::*;

struct Spring {
    k: f64,
}

impl Spring {
    // `wrt(self)` needs `#[derive(Differentiable)]` on the receiver's type.
    #[differentiate(wrt(self, x))]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
}

fn main() {}
