use autodiff::nalgebra::Vector3;
use autodiff::prelude::*;

// nalgebra methods without a derivative rule are errors on their call, and
// the generated functions keep their signatures (no follow-on errors).
#[differentiate]
fn f(x: Vector3<f64>, y: Vector3<f64>) -> f64 {
    x.angle(&y) + x.lerp(&y, 0.3).norm()
}

fn main() {
    let _ = f::grad(Vector3::x(), Vector3::y());
}
