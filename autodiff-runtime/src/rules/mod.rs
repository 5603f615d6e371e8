//! The derivative rules: one per primitive, stating its partials once.
//!
//! Each rule takes the primitive's arguments by reference and returns
//! `(value, partials)`, one partial per differentiable argument (static
//! arguments such as `powi`'s exponent or an index get none). Forward mode
//! pushes tangents through the partials and reverse mode pulls cotangents
//! back through them (see [`crate::linear`]), so a rule is written once for
//! both modes. The macro's table of primitive names
//! (`autodiff-macros/src/primitives.rs`) lists the same names and arities;
//! adding a primitive means one rule here and one row there.

#[macro_use]
mod method_rules;

mod arith;
mod construct;
mod geometry;
mod index;
mod linalg;
mod map;
mod option;
mod scalar;
mod set;
mod slice;
mod structs;
mod tuple;
#[cfg(feature = "alloc")]
mod vec;

pub use arith::*;
pub use construct::*;
pub use geometry::*;
pub use index::*;
pub use linalg::*;
pub use map::*;
pub use option::*;
pub use scalar::*;
pub use set::*;
pub use slice::*;
pub use structs::*;
pub use tuple::*;
#[cfg(feature = "alloc")]
pub use vec::*;
