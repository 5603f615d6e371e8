/// A static exponent, shadowing, mutation and a path-style call.
#[differentiate]
pub fn g(x: f64, y: f64, n: i32) -> f64 {
    let z = x.powi(n);
    let z = z * y;
    let mut acc = f64::max(z, 0.5);
    acc += y / x;
    acc
}
