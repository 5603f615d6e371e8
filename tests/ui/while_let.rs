use autodiff::prelude::*;

// `while let` is rejected: write a `loop` with a `match` and `break`
// (`loop { match idx.get(i) { Some(&k) => { .. } None => break } }`).
#[differentiate(wrt(x))]
fn gather(x: &[f64], idx: &[usize]) -> f64 {
    let mut total = 0.0;
    let mut i = 0;
    while let Some(&k) = idx.get(i) {
        total += x[k];
        i += 1;
    }
    total
}

fn main() {
    let _ = gather::grad(&[1.0, 2.0], &[0, 1, 1]);
}
