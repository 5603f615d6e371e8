#[differentiate]
fn horner(x: f64, c: [f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        s = s * x + c[i];
    }
    s
}
