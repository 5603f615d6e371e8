//! The tutorial's random-numbers section: JAX's splittable keys.
//!
//! A key is a value, not a hidden state: drawing with the same key twice
//! gives the same numbers, and new randomness comes from splitting the key.
//! `Key::legacy` uses the counter layout the JAX tutorial was written with
//! (before JAX 0.5), so the numbers below are the tutorial's, digit for
//! digit.

use autodiff::random::Key;

/// Formats a row-major array of `cols` columns like numpy's `str()` with its
/// default options (positional notation, at most 8 fractional digits, the
/// shortest digits that round-trip, columns aligned on the decimal point).
/// Values numpy would print in scientific notation (magnitudes `>= 1e8` or
/// `< 1e-4`) are not handled.
pub fn numpy_str(values: &[f32], cols: usize) -> String {
    let parts: Vec<(String, String)> = values
        .iter()
        .map(|&x| {
            let shortest = format!("{x}");
            let digits = match shortest.split_once('.') {
                Some((_, frac)) if frac.len() > 8 => format!("{x:.8}"),
                _ => shortest,
            };
            let (int, frac) = digits.split_once('.').unwrap_or((&digits, ""));
            (int.to_string(), frac.trim_end_matches('0').to_string())
        })
        .collect();
    let left = parts.iter().map(|(i, _)| i.len()).max().unwrap_or(0);
    let right = parts.iter().map(|(_, f)| f.len()).max().unwrap_or(0);
    let cells: Vec<String> = parts
        .iter()
        .map(|(i, f)| format!("{i:>left$}.{f:<right$}"))
        .collect();
    let rows: Vec<String> = cells
        .chunks(cols)
        .map(|row| format!("[{}]", row.join(" ")))
        .collect();
    format!("[{}]", rows.join("\n "))
}

/// A 2x2 standard normal draw, like `random.normal(key, (2, 2))`.
fn normal_2x2(key: Key) -> [f32; 4] {
    let mut x = [0.0f32; 4];
    key.normal_fill(&mut x);
    x
}

/// The section's output, as the tutorial prints it.
pub fn report() -> String {
    let key = Key::legacy(0); // key = random.PRNGKey(0)
    let mut out = String::new();
    out += "\n== Random numbers: keys are values, split them for new randomness ==\n";
    out += &format!("A: {}\n", numpy_str(&normal_2x2(key), 2));
    // Reusing a key reproduces the same numbers.
    out += &format!("B: {}\n", numpy_str(&normal_2x2(key), 2));
    let (key, subkey) = key.split(); // key, subkey = random.split(key)
    out += &format!("C: {}\n", numpy_str(&normal_2x2(key), 2));
    out += &format!("D: {}\n", numpy_str(&normal_2x2(subkey), 2));
    out
}

/// Prints the section.
pub fn run() {
    print!("{}", report());
}
