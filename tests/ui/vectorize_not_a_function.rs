//! `#[vectorize]` on something other than a function.
use autodiff::prelude::*;

#[vectorize]
struct S;

fn main() {}
