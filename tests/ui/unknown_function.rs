use autodiff::prelude::*;

fn helper(t: f64) -> f64 {
    t * 3.0
}

// A call with a differentiable argument is a call of another
// `#[differentiate]` function, whose generated module gives its derivative;
// a plain function has none, and rustc says so at the call.
#[differentiate]
fn f(x: f64) -> f64 {
    helper(x).sin()
}

fn main() {}
