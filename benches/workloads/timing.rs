//! What the benches' ratio tables share.

/// Each list's median, the lists sorted in place.
pub fn medians(times: &mut [Vec<f64>]) -> Vec<f64> {
    times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
}
