#[differentiate]
fn prefix_energy(x: Vec<f64>) -> f64 {
    let mut a = x;
    for i in 1..a.len() {
        a[i] += a[i - 1];
    }
    let mut s = 0.0;
    for v in a.iter() {
        s += v * v;
    }
    s
}
