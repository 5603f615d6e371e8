//! A `#[differentiate]` function calling ones of another crate
//! (`autodiff-nostd-check`): derivatives compose through the callee's
//! generated `__linearize_call` and `__vjp_call`, in both modes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use autodiff::prelude::*;
use autodiff_nostd_check::f;

/// `f(2x) · f(x)` with `f` from the other crate, by a path and by a `use`.
#[differentiate]
pub fn composed(x: f64) -> f64 {
    autodiff_nostd_check::f(2.0 * x) * f(x)
}

/// `f` of each entry, summed in a loop.
#[differentiate]
pub fn summed(x: [f64; 3]) -> f64 {
    let mut s = 0.0;
    for &v in x.iter() {
        s += f(v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f'(x) = 2x cos(x²) + 6x`.
    fn df(x: f64) -> f64 {
        2.0 * x * (x * x).cos() + 6.0 * x
    }

    #[test]
    fn calls_into_another_crate_compose() {
        let x = [0.3, -1.2, 2.0];
        let g = summed::grad(x);
        let (_, pullback) = summed::vjp(x);
        let (_, t) = summed::jvp((x,), ([1.0, 0.0, 0.0],));
        for k in 0..3 {
            assert!((g[k] - df(x[k])).abs() < 1e-12 * df(x[k]).abs().max(1.0));
        }
        assert_eq!(pullback(1.0), g);
        assert!((t - g[0]).abs() < 1e-12);
    }

    #[test]
    fn product_of_calls() {
        let x = 0.7;
        let want = 2.0 * df(2.0 * x) * f(x) + f(2.0 * x) * df(x);
        let got = composed::grad(x);
        assert!((got - want).abs() < 1e-12 * want.abs(), "{got} vs {want}");
        let (_, t) = composed::jvp((x,), (1.0,));
        assert!((t - want).abs() < 1e-12 * want.abs());
    }
}
