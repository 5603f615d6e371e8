/// The tutorial's f(x) = sin(x²) + 3x².
#[differentiate]
fn f(x: f64) -> f64 {
    (x * x).sin() + 3.0 * x * x
}
