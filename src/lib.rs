//! Compile-time automatic differentiation.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate self as autodiff;

pub use autodiff_macros::differentiate;
pub use autodiff_runtime::random;
pub use autodiff_runtime::Real;
pub use nalgebra;

/// What a user of the library imports: `use autodiff::prelude::*;`.
pub mod prelude {
    pub use crate::differentiate;
    pub use crate::Real;
}

/// The runtime as generated code reaches it. Not public API: it may change
/// in any release.
#[doc(hidden)]
pub mod __private {
    pub use autodiff_runtime::{linear, rules};
}
