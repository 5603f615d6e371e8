use autodiff::prelude::*;

struct Spring {
    k: f64,
}

impl Spring {
    // Methods work with a static receiver; `self` itself cannot be
    // differentiated until structs can.
    #[differentiate(wrt(self, x))]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x
    }
}

fn main() {}
