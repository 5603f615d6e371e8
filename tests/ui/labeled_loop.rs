use autodiff::prelude::*;

// Loop labels and labeled `break`/`continue` are rejected: restructure the
// loops, e.g. with a flag that the outer loop checks.
#[differentiate]
fn first_above(grid: [[f64; 3]; 3], limit: f64) -> f64 {
    let mut found = limit;
    'rows: for row in grid.iter() {
        for &v in row.iter() {
            if v > limit {
                found = v;
                break 'rows;
            }
        }
    }
    found
}

fn main() {
    let _ = first_above::grad([[0.0; 3]; 3], 1.0);
}
