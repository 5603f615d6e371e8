use autodiff::prelude::*;

// A `loop` used as a value (`let v = loop { .. break v; };`) is rejected:
// use the loop as a statement and assign the result to a variable declared
// before it.
#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    let root = loop {
        let next = 0.5 * (x + a / x);
        if (next - x).abs() < 1e-12 {
            break next;
        }
        x = next;
    };
    root
}

fn main() {
    let _ = newton_sqrt::grad(2.0);
}
