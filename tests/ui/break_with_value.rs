use autodiff::prelude::*;

// `break` with a value is rejected even in a loop used as a statement: assign
// the value to a variable declared before the loop, then `break`.
#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    loop {
        let next = 0.5 * (x + a / x);
        if (next - x).abs() < 1e-12 {
            break next;
        }
        x = next;
    };
    x
}

fn main() {
    let _ = newton_sqrt::grad(2.0);
}
