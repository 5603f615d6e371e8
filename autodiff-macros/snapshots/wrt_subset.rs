/// Only `a` is differentiated; `b` and the unused value stay plain code.
#[differentiate(wrt(a))]
fn h(a: f32, b: f32) -> f32 {
    let unused = b.exp();
    let c: f32 = 2.0;
    (a * b).tanh() * c
}
