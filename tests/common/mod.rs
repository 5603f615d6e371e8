//! Helpers shared by the derivative test files.

/// A gradient (a bare value or a tuple) as a vector.
pub trait GradVec<F> {
    /// The components in argument order.
    fn into_vec(self) -> Vec<F>;
}

macro_rules! grad_vec {
    ($($t:ty),*) => {$(
        impl GradVec<$t> for $t {
            fn into_vec(self) -> Vec<$t> {
                vec![self]
            }
        }
        impl GradVec<$t> for ($t, $t) {
            fn into_vec(self) -> Vec<$t> {
                vec![self.0, self.1]
            }
        }
        impl GradVec<$t> for ($t, $t, $t) {
            fn into_vec(self) -> Vec<$t> {
                vec![self.0, self.1, self.2]
            }
        }
        impl GradVec<$t> for ($t, $t, $t, $t) {
            fn into_vec(self) -> Vec<$t> {
                vec![self.0, self.1, self.2, self.3]
            }
        }
    )*};
}
grad_vec!(f32, f64);
