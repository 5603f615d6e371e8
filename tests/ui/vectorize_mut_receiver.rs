//! The receiver is shared by the batch: `&mut self` cannot be.
use autodiff::prelude::*;

struct Counter {
    total: f64,
}

impl Counter {
    #[vectorize]
    fn add(&mut self, x: f64) -> f64 {
        self.total += x;
        self.total
    }
}

fn main() {}
