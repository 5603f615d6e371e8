// Each attribute names its rules; a missing or unknown one is an error.
use autodiff::prelude::*;

#[custom_vjp(fwd = f_fwd)]
fn f(x: f64) -> f64 {
    x
}

#[custom_jvp(rule = g_jvp)]
fn g(x: f64) -> f64 {
    x
}

#[custom_jvp(jvp = h_jvp)]
fn h(x: &f64) -> f64 {
    *x
}

fn f_fwd(x: f64) -> (f64, ()) {
    (x, ())
}

fn main() {}
