//! What the functions `#[custom_jvp]` generates need: reverse mode through
//! a forward-mode rule, by one JVP per input component.
//!
//! A user's JVP rule is code the macro cannot transpose, so the pullback of
//! a `custom_jvp` function builds `Jᵀ c` from the rule itself: for each
//! component `i` of each argument, the rule's output tangent `J e_i` along
//! the unit tangent `e_i`, dotted with the cotangent `c`. That costs one
//! rule evaluation per input component, which is what JAX's transposition
//! of a linear rule avoids; it suits the small functions custom rules are
//! written for (a stable `log1pexp`, a clipped gradient, a solver's few
//! parameters).

use crate::tangent::Tangent;
use crate::Real;

/// Tuples of the differentiable arguments' tangents (one slot each).
pub trait Transpose: Clone {
    /// The scalar type of every slot.
    type Scalar: Real;
    /// `self + Jᵀ c`, with `J` the linear map `push` at the zero tangents
    /// `zeros`, applied to one unit tangent per input component.
    fn add_transposed<Y: Tangent<Scalar = Self::Scalar>>(
        self,
        zeros: &Self,
        c: &Y,
        push: impl Fn(Self) -> Y,
    ) -> Self;
}

/// `starts + Jᵀ c` for the linear map `push` (see [`Transpose`]).
#[inline]
pub fn add_transposed<Z: Transpose, Y: Tangent<Scalar = Z::Scalar>>(
    starts: Z,
    zeros: &Z,
    c: &Y,
    push: impl Fn(Z) -> Y,
) -> Z {
    starts.add_transposed(zeros, c, push)
}

/// `Σ_k a_k b_k` over the flat components of two tangents of one shape.
fn dot<Y: Tangent>(a: &Y, b: &Y) -> Y::Scalar {
    (0..a.dim()).fold(Y::Scalar::zero(), |sum, k| {
        sum + a.component(k) * b.component(k)
    })
}

macro_rules! transpose {
    ($(($($x:ident . $k:tt),+))*) => {$(
        impl<S: Real, $($x: Tangent<Scalar = S>),+> Transpose for ($($x,)+) {
            type Scalar = S;

            fn add_transposed<Y: Tangent<Scalar = S>>(
                mut self,
                zeros: &Self,
                c: &Y,
                push: impl Fn(Self) -> Y,
            ) -> Self {
                $(
                    for i in 0..zeros.$k.dim() {
                        let mut unit = zeros.clone();
                        unit.$k.set_component(i, S::one());
                        let pushed = push(unit);
                        let sum = self.$k.component(i) + dot(c, &pushed);
                        self.$k.set_component(i, sum);
                    }
                )+
                self
            }
        }
    )*};
}

tuples_up_to_twelve!(transpose);

/// The message of a forward-mode pass through a function that has only a
/// reverse-mode rule (`#[custom_vjp]`), reached through a caller (JAX
/// raises the same error when it traces such a `jvp`).
#[cold]
pub fn no_forward_rule(name: &str) -> ! {
    panic!("forward mode (jvp, jacfwd, linearize) through `{name}`, which has only a `#[custom_vjp]` rule; use reverse mode (grad, vjp, jacrev), or give `{name}` a `#[custom_jvp]` rule instead")
}

/// Marks the forward-mode functions of a `#[custom_vjp]` function, which
/// has no forward rule: calling them is a compile-time error.
#[diagnostic::on_unimplemented(
    message = "forward mode through a function that has only a `#[custom_vjp]` rule",
    label = "this function has no forward-mode rule",
    note = "use reverse mode (`grad`, `vjp`, `jacrev`), or give the function a `#[custom_jvp]` rule instead (JAX raises the same error)"
)]
pub trait ForwardRule {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposes_a_linear_map() {
        // J = [[1, 2, 0], [0, 3, 4]] as a map of (x0, [x1, x2]).
        let push = |(a, b): (f64, [f64; 2])| [a + 2.0 * b[0], 3.0 * b[0] + 4.0 * b[1]];
        let zeros = (0.0, [0.0; 2]);
        let g = add_transposed((1.0, [0.0, 1.0]), &zeros, &[1.0, 10.0], push);
        // Jᵀ (1, 10) = (1, 32, 40), plus the starts.
        assert_eq!(g, (2.0, [32.0, 41.0]));
    }
}
