//! Assembly of full Jacobians from Jacobian-vector and vector-Jacobian products.
//!
//! Rows are output components and columns input components, both in the
//! flattening order of [`Tangent`]. `forward` builds one column per input
//! component from a JVP with a unit tangent (cost: input dimension times a
//! JVP); `reverse` builds one row per output component from a pullback with
//! a unit cotangent (cost: one forward sweep, then output dimension times a
//! backward sweep). The matrix type is chosen by the caller: `SMatrix` when
//! both dimensions are known at compile time (no allocation), `DMatrix`
//! otherwise.

use nalgebra::SMatrix;

use crate::tangent::Tangent;
use crate::Real;

/// A matrix a Jacobian can be written into.
pub trait JacobianMatrix<T> {
    /// A `rows × cols` matrix of zeros.
    fn zeros(rows: usize, cols: usize) -> Self;
    /// Sets one entry.
    fn set(&mut self, row: usize, col: usize, value: T);
}

impl<T: Real + nalgebra::Scalar, const R: usize, const C: usize> JacobianMatrix<T>
    for SMatrix<T, R, C>
{
    fn zeros(rows: usize, cols: usize) -> Self {
        assert!(
            rows == R && cols == C,
            "the Jacobian is {rows}x{cols}, but its type says {R}x{C}"
        );
        SMatrix::from_element(T::zero())
    }
    #[inline]
    fn set(&mut self, row: usize, col: usize, value: T) {
        self[(row, col)] = value;
    }
}

#[cfg(feature = "alloc")]
impl<T: Real + nalgebra::Scalar> JacobianMatrix<T> for nalgebra::DMatrix<T> {
    fn zeros(rows: usize, cols: usize) -> Self {
        nalgebra::DMatrix::from_element(rows, cols, T::zero())
    }
    #[inline]
    fn set(&mut self, row: usize, col: usize, value: T) {
        self[(row, col)] = value;
    }
}

/// The Jacobian from JVPs: `jvp(t)` is the output tangent for input tangent
/// `t`, and `input_zero` the zero tangent of the input. The first column
/// also tells the output's size, so no separate evaluation is needed.
pub fn forward<X, Y, M>(input_zero: X, mut jvp: impl FnMut(&X) -> Y) -> M
where
    X: Tangent,
    Y: Tangent<Scalar = X::Scalar>,
    M: JacobianMatrix<X::Scalar>,
{
    let cols = input_zero.dim();
    let mut basis = input_zero;
    let mut jacobian: Option<M> = None;
    for col in 0..cols {
        basis.set_component(col, X::Scalar::one());
        let tangent = jvp(&basis);
        basis.set_component(col, X::Scalar::zero());
        let rows = tangent.dim();
        let matrix = jacobian.get_or_insert_with(|| M::zeros(rows, cols));
        for row in 0..rows {
            matrix.set(row, col, tangent.component(row));
        }
    }
    // Without input components, one JVP (of the zero tangent) gives the size.
    jacobian.unwrap_or_else(|| M::zeros(jvp(&basis).dim(), 0))
}

/// The Jacobian from a pullback: `pullback(c)` is the input cotangent for
/// output cotangent `c`; `input_zero` is the zero tangent of the input and
/// `output` the value.
pub fn reverse<X, Y, M>(input_zero: &X, output: &Y, mut pullback: impl FnMut(&Y) -> X) -> M
where
    X: Tangent,
    Y: Tangent<Scalar = X::Scalar>,
    M: JacobianMatrix<X::Scalar>,
{
    let (rows, cols) = (output.dim(), input_zero.dim());
    let mut jacobian = M::zeros(rows, cols);
    let mut basis = output.zero_like();
    for row in 0..rows {
        basis.set_component(row, X::Scalar::one());
        let cotangent = pullback(&basis);
        basis.set_component(row, X::Scalar::zero());
        for col in 0..cols {
            jacobian.set(row, col, cotangent.component(col));
        }
    }
    jacobian
}

/// The tangents of a function's differentiable arguments (up to 12), one
/// tuple slot each, and `M`, the tuple of their Jacobians: `jacfwd` and `jacrev` of
/// any arity are one call of [`forward_slots`] or [`reverse_slots`], whose
/// loops rustc checks here once rather than in every generated function.
pub trait Slots<M>: Clone {
    /// The scalar type of every slot.
    type Scalar: Real;
    /// One Jacobian per slot from a linear map of the whole tuple: for each
    /// slot, one column per component (the other slots zero).
    fn forward<Y: Tangent<Scalar = Self::Scalar>>(self, push: impl Fn(Self) -> Y) -> M;
    /// One Jacobian per slot from a pullback: one row per output
    /// component, each pullback filling that row of every Jacobian.
    fn reverse<Y: Tangent<Scalar = Self::Scalar>>(
        &self,
        output: &Y,
        pullback: impl Fn(&Y) -> Self,
    ) -> M;
}

/// The Jacobians of a linearization `push` at the zero tangents `zeros`.
#[inline]
pub fn forward_slots<M, Z: Slots<M>, Y: Tangent<Scalar = Z::Scalar>>(
    zeros: Z,
    push: impl Fn(Z) -> Y,
) -> M {
    zeros.forward(push)
}

/// The Jacobians of a pullback at `output`, for arguments whose zero
/// tangents are `zeros`.
#[inline]
pub fn reverse_slots<M, Z: Slots<M>, Y: Tangent<Scalar = Z::Scalar>>(
    zeros: &Z,
    output: &Y,
    pullback: impl Fn(&Y) -> Z,
) -> M {
    zeros.reverse(output, pullback)
}

macro_rules! slots {
    ($(($x:ident, $m:ident, $k:tt)),+) => {
        impl<S: Real, $($x: Tangent<Scalar = S>, $m: JacobianMatrix<S>),+> Slots<($($m,)+)> for ($($x,)+) {
            type Scalar = S;

            fn forward<Y: Tangent<Scalar = S>>(self, push: impl Fn(Self) -> Y) -> ($($m,)+) {
                ($(
                    forward::<$x, Y, $m>(self.$k.clone(), |direction| {
                        let mut tangents = self.clone();
                        tangents.$k = direction.clone();
                        push(tangents)
                    }),
                )+)
            }

            fn reverse<Y: Tangent<Scalar = S>>(
                &self,
                output: &Y,
                pullback: impl Fn(&Y) -> Self,
            ) -> ($($m,)+) {
                let rows = output.dim();
                let mut jacobians = ($($m::zeros(rows, self.$k.dim()),)+);
                let mut basis = output.zero_like();
                for row in 0..rows {
                    basis.set_component(row, S::one());
                    let cotangents = pullback(&basis);
                    basis.set_component(row, S::zero());
                    $(
                        for col in 0..self.$k.dim() {
                            jacobians.$k.set(row, col, cotangents.$k.component(col));
                        }
                    )+
                }
                jacobians
            }
        }
    };
}

/// `slots!` for every prefix of the list: tuples of 1 to 12 slots.
macro_rules! all_slots {
    ($($x:ident $m:ident $k:tt),+) => {
        all_slots!(@ [] $($x $m $k),+);
    };
    (@ [$($done:tt)*] $x:ident $m:ident $k:tt $(, $rx:ident $rm:ident $rk:tt)*) => {
        slots!($($done)* ($x, $m, $k));
        all_slots!(@ [$($done)* ($x, $m, $k),] $($rx $rm $rk),*);
    };
    (@ [$($done:tt)*]) => {};
}

all_slots!(
    X0 M0 0, X1 M1 1, X2 M2 2, X3 M3 3, X4 M4 4, X5 M5 5,
    X6 M6 6, X7 M7 7, X8 M8 8, X9 M9 9, X10 M10 10, X11 M11 11
);
