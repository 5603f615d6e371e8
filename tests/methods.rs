//! `#[differentiate]` on methods: sibling methods `<name>_grad` and so on,
//! with the receiver static. Checked against closed forms.

use autodiff::prelude::*;

/// A spring with stiffness `k` and rest length `rest`.
pub struct Spring {
    k: f64,
    rest: f64,
}

impl Spring {
    const HALF: f64 = 0.5;

    /// Potential energy at extension `x`.
    #[differentiate]
    pub fn energy(&self, x: f64) -> f64 {
        let stretch = x - self.rest;
        Self::HALF * self.k * stretch * stretch
    }

    /// Energy of two springs in series, by value receiver and two arguments.
    #[differentiate(wrt(a, b))]
    fn pair(self, a: f64, b: f64, scale: i32) -> f64 {
        let s = f64::from(scale);
        s * (a * self.k).sin() + b.powi(2) * self.rest
    }
}

#[test]
fn method_derivatives() {
    let s = Spring { k: 3.0, rest: 1.0 };
    let x = 1.5;
    assert_eq!(s.energy_grad(x), 3.0 * 0.5);
    let (value, grad) = s.energy_value_and_grad(x);
    assert_eq!((value, grad), (s.energy(x), 1.5));
    assert_eq!(s.energy_jvp((x,), (2.0,)), (s.energy(x), 3.0));
    let (_, pullback) = s.energy_vjp(x);
    assert_eq!(pullback(-1.0), -1.5);
}

#[test]
fn method_by_value_with_wrt() {
    let make = || Spring { k: 2.0, rest: 0.5 };
    let (a, b) = (0.3, -1.2);
    let (da, db) = make().pair_grad(a, b, 3);
    assert!((da - 3.0 * 2.0 * (a * 2.0_f64).cos()).abs() < 1e-14);
    assert!((db - 2.0 * b * 0.5).abs() < 1e-14);
    assert_eq!(make().pair_value_and_grad(a, b, 3).0, make().pair(a, b, 3));
    // Jacobians of a method taking `self` by value: one row, as `grad`.
    let (ja, jb) = make().pair_jacfwd(a, b, 3);
    assert_eq!((ja[(0, 0)], jb[(0, 0)]), make().pair_grad(a, b, 3));
    assert_eq!(make().pair_jacrev(a, b, 3), (ja, jb));
}
