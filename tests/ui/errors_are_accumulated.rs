use autodiff::prelude::*;

// Every unsupported construct is reported at once, each on its own span, and
// the call to `f::grad` below raises no follow-on error.
#[differentiate]
fn f(x: f64) -> f64 {
    let _a = |t: f64| t;
    let _b = format!("{x}");
    'outer: loop {
        break 'outer;
    }
    x
}

fn main() {
    let _ = f::grad(1.0);
    let (_value, pullback) = f::vjp(1.0);
    let _ = pullback(1.0);
}
