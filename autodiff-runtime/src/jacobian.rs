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
