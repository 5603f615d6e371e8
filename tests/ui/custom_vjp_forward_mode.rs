// A function with only a reverse-mode rule has no forward mode, as in JAX.
use autodiff::prelude::*;

#[custom_vjp(fwd = cube_fwd, bwd = cube_bwd)]
fn cube(x: f64) -> f64 {
    x * x * x
}

fn cube_fwd(x: f64) -> (f64, f64) {
    (x * x * x, x)
}

fn cube_bwd(x: f64, cotangent: f64) -> f64 {
    3.0 * x * x * cotangent
}

fn main() {
    let _ = cube::grad(2.0);
    let _ = cube::jvp((2.0,), (1.0,));
    let _ = cube::jacfwd(2.0);
}
