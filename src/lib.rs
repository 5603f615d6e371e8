//! Compile-time automatic differentiation.
//!
//! Put `#[differentiate]` on a numeric function and a procedural macro
//! writes its derivatives as plain Rust next to it: a module of the same name
//! with `grad`, `value_and_grad`, `jvp` and `vjp`. Nothing is traced or
//! recorded at run time; the derivative code is flat straight-line code that
//! rustc optimises like the original.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn f(x: f64) -> f64 {
//!     (x * x).sin() + 3.0 * x * x
//! }
//!
//! # fn main() {
//! let x = 2.0;
//! let by_hand = 2.0 * x * (x * x).cos() + 6.0 * x;
//! assert!((f::grad(x) - by_hand).abs() < 1e-12);
//!
//! let (value, grad) = f::value_and_grad(x);
//! assert_eq!(value, f(x));
//! assert_eq!(grad, f::grad(x));
//!
//! // Forward mode: every argument in the first tuple, one tangent per
//! // differentiable argument in the second.
//! let (_, tangent) = f::jvp((x,), (0.5,));
//! assert!((tangent - 0.5 * by_hand).abs() < 1e-12);
//!
//! // Reverse mode: the pullback maps an output cotangent to a gradient.
//! let (_, pullback) = f::vjp(x);
//! assert!((pullback(2.0) - 2.0 * by_hand).abs() < 1e-12);
//! # }
//! ```
//!
//! Several arguments give a tuple of gradients, in argument order; integer
//! and `bool` arguments are static (no gradient), and `wrt(..)` chooses the
//! differentiable arguments explicitly:
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn f(x: f64, y: f64, n: i32) -> f64 {
//!     x.powi(n) * y.exp()
//! }
//!
//! #[differentiate(wrt(y))]
//! fn g(x: f64, y: f64) -> f64 {
//!     x * y * y
//! }
//!
//! # fn main() {
//! let (dx, dy) = f::grad(2.0, 0.0, 3);
//! assert_eq!((dx, dy), (12.0, 8.0));
//! assert_eq!(g::grad(3.0, 2.0), 12.0);
//! # }
//! ```
//!
//! Vector-valued functions get Jacobians, as nalgebra matrices (an
//! `SMatrix` when the sizes are fixed by the types, a `DMatrix` otherwise),
//! and gradients can be added into buffers the caller owns:
//!
//! ```
//! use autodiff::nalgebra::{SMatrix, Vector3};
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn g(x: [f64; 2]) -> [f64; 3] {
//!     [x[0] + 2.0 * x[1], x[0].sin() * x[1].exp(), x[1].powi(3)]
//! }
//!
//! #[differentiate]
//! fn energy(v: Vector3<f64>) -> f64 {
//!     0.5 * v.norm_squared()
//! }
//!
//! # fn main() {
//! let forward: SMatrix<f64, 3, 2> = g::jacfwd([2.0, 3.0]);
//! assert_eq!(forward, g::jacrev([2.0, 3.0]));
//! assert_eq!(forward[(2, 1)], 27.0);
//!
//! let mut total = Vector3::zeros();
//! for v in [Vector3::new(1.0, 2.0, 3.0), Vector3::new(-1.0, 0.0, 1.0)] {
//!     energy::value_and_grad_into(v, &mut total);
//! }
//! assert_eq!(total, Vector3::new(0.0, 2.0, 4.0));
//! # }
//! ```
//!
//! Branches, loops, mutation and calls of other differentiated functions
//! differentiate directly (see `docs/control_flow.md`): here a sort, whose
//! Jacobian is the permutation it applied, and Newton's method, whose
//! derivative flows through a `while` loop on a differentiable condition.
//!
//! ```
//! use autodiff::nalgebra::SMatrix;
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn sort3(x: [f64; 3]) -> [f64; 3] {
//!     let mut a = x;
//!     for i in 0..3 {
//!         for j in 0..2 - i {
//!             if a[j] > a[j + 1] {
//!                 a.swap(j, j + 1);
//!             }
//!         }
//!     }
//!     a
//! }
//!
//! #[differentiate]
//! fn newton_sqrt(a: f64) -> f64 {
//!     let mut y = a;
//!     while (y * y - a).abs() > 1e-12 * a {
//!         y = 0.5 * (y + a / y);
//!     }
//!     y
//! }
//!
//! #[differentiate]
//! fn norm_of_sorted(x: [f64; 3]) -> f64 {
//!     let s = sort3(x);
//!     newton_sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2])
//! }
//!
//! # fn main() {
//! let permutation: SMatrix<f64, 3, 3> = sort3::jacrev([3.0, 1.0, 2.0]);
//! assert_eq!(permutation, SMatrix::<f64, 3, 3>::new(0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0));
//! assert_eq!(permutation, sort3::jacfwd([3.0, 1.0, 2.0]));
//! let (y, dy) = newton_sqrt::value_and_grad(2.0);
//! assert!((y - 2f64.sqrt()).abs() < 1e-15 && (dy - 0.5 / 2f64.sqrt()).abs() < 1e-15);
//! let g = norm_of_sorted::grad([3.0, 0.0, 4.0]);
//! assert!((g[0] - 0.6).abs() < 1e-15 && g[1] == 0.0 && (g[2] - 0.8).abs() < 1e-15);
//! # }
//! ```
//!
//! Loops without a constant bound keep their records in growable tapes.
//! With the `std` feature a tape's storage is kept by the thread when the
//! gradient returns ([`tape::spares`]) and reused by the next call, so an
//! optimisation loop that adds its gradients into its own buffers allocates
//! only on its first step:
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate(wrt(x))]
//! fn smooth_max(x: &[f64], sharpness: f64) -> f64 {
//!     let mut s = 0.0;
//!     for v in x.iter() {
//!         s += (sharpness * v).exp();
//!     }
//!     s.ln() / sharpness
//! }
//!
//! # fn main() {
//! let mut x: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.01).sin()).collect();
//! let mut grad = vec![0.0; x.len()];
//! for _ in 0..10 {
//!     grad.iter_mut().for_each(|g| *g = 0.0);
//!     smooth_max::value_and_grad_into(&x, 4.0, &mut grad);
//!     // The gradient of a smooth maximum is a weighting that sums to 1.
//!     assert!((grad.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//!     x.iter_mut().zip(&grad).for_each(|(v, g)| *v -= 0.1 * g);
//! }
//! # }
//! ```
//!
//! `#[vectorize]` gives batched forms of a function (JAX's `vmap`): a slice
//! per batched argument in, one result per example out, each the plain
//! call's. Beside `#[differentiate]` it also gives per-example gradients;
//! with the `parallel` feature, `batched_par` spreads the examples over the
//! cores. See `docs/vectorize.md`.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[vectorize(broadcast(k))]
//! #[differentiate]
//! fn spring(x: f64, k: f64) -> f64 {
//!     0.5 * k * x * x
//! }
//!
//! # fn main() {
//! let xs = [0.5, -1.0, 2.0];
//! assert_eq!(spring::batched(&xs, 4.0), vec![0.5, 2.0, 8.0]);
//! // Per example: (d/dx, d/dk) = (k x, x² / 2).
//! assert_eq!(spring::batched_grad(&xs, 4.0)[2], (8.0, 2.0));
//! // Into a buffer, without allocating; lengths that differ panic, or
//! // `try_batched` says which.
//! let mut out = [0.0; 3];
//! spring::batched_into(&xs, 4.0, &mut out);
//! assert!(spring::try_batched(&xs[..2], 4.0).is_ok());
//! # }
//! ```
//!
//! The crate is `#![no_std]`; the default `std` feature uses the standard
//! library's float functions, and without it `libm` provides them. See the
//! README for the JAX correspondence and what each mode costs.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
extern crate self as autodiff;

/// Gives a function a forward-mode rule of your own (JAX's `custom_jvp`).
///
/// `#[custom_jvp(jvp = rule)]` with
/// `fn rule(primals: (A, ..), tangents: (T, ..)) -> (Out, Out)`: `primals`
/// holds every argument, `tangents` one tangent per differentiable
/// argument, and the rule returns the value and its tangent. The function
/// then gets the module `#[differentiate]` gives (`grad`, `jvp`, `vjp`,
/// Jacobians), and acts as a primitive inside any differentiated function.
/// Reverse mode evaluates the rule once per input component, along each
/// unit tangent, and adds up `cotangent · tangent` (the rule is code the
/// macro cannot transpose). Arguments are taken by value.
///
/// A numerically stable `log(1 + eˣ)`, whose derivative `eˣ / (1 + eˣ)`
/// would be `inf / inf` for large `x`:
///
/// ```
/// use autodiff::prelude::*;
///
/// #[custom_jvp(jvp = log1pexp_jvp)]
/// fn log1pexp(x: f64) -> f64 {
///     (1.0 + x.exp()).ln()
/// }
///
/// fn log1pexp_jvp((x,): (f64,), (dx,): (f64,)) -> (f64, f64) {
///     // 1 - 1 / (1 + eˣ) = σ(x), written so that it stays finite.
///     (log1pexp(x), (1.0 - 1.0 / (1.0 + x.exp())) * dx)
/// }
///
/// #[differentiate]
/// fn softplus_loss(x: f64) -> f64 {
///     2.0 * log1pexp(x)
/// }
///
/// # fn main() {
/// assert_eq!(log1pexp::grad(1000.0), 1.0);
/// assert_eq!(softplus_loss::grad(1000.0), 2.0);
/// assert_eq!(softplus_loss::jvp((0.0,), (1.0,)).1, 1.0);
/// # }
/// ```
pub use autodiff_macros::custom_jvp;
/// Gives a function a reverse-mode rule of your own (JAX's `custom_vjp`).
///
/// `#[custom_vjp(fwd = f_fwd, bwd = f_bwd)]` with
/// `fn f_fwd(args..) -> (Out, Residual)` (the value and what the backward
/// rule needs) and `fn f_bwd(residual: Residual, cotangent: Out) -> grads`,
/// whose result is shaped like `grad`'s (a tuple for several
/// differentiable arguments). The function then has `grad`, `vjp` and
/// `jacrev`, and acts as a primitive in reverse mode inside any
/// differentiated function. It has no forward mode: its own `jvp`,
/// `linearize` and `jacfwd` are compile-time errors, and forward mode
/// through a caller panics with a message naming it (as JAX raises).
///
/// Gradient clipping: the identity, whose backward pass clips:
///
/// ```
/// use autodiff::prelude::*;
///
/// #[custom_vjp(fwd = clip_fwd, bwd = clip_bwd)]
/// fn clip_gradient(x: f64) -> f64 {
///     x
/// }
///
/// fn clip_fwd(x: f64) -> (f64, ()) {
///     (x, ())
/// }
///
/// fn clip_bwd(_: (), cotangent: f64) -> f64 {
///     cotangent.clamp(-1.0, 1.0)
/// }
///
/// #[differentiate]
/// fn loss(w: f64) -> f64 {
///     clip_gradient(w * w * w)
/// }
///
/// # fn main() {
/// assert_eq!(loss(3.0), 27.0);
/// // d/dw w³ = 27 at 3, but the cotangent reaching w³ is clipped to 1.
/// assert_eq!(loss::grad(3.0), 27.0);
/// assert_eq!(clip_gradient::grad(5.0), 1.0);
/// # }
/// ```
pub use autodiff_macros::custom_vjp;
/// Generates derivatives of a numeric function.
///
/// `#[differentiate]` keeps the function and adds a module of the same name
/// holding `grad`, `value_and_grad`, `jvp` and `vjp`;
/// `#[differentiate(wrt(a, b))]` differentiates with respect to `a` and `b`
/// only. Constructs the macro cannot differentiate are compile errors on the
/// offending expression, all reported at once.
pub use autodiff_macros::differentiate;
/// Generates batched variants of a function (JAX's `vmap`).
///
/// `#[vectorize]` keeps the function and adds a module of the same name
/// holding `batched` (a slice per batched argument in, a `Vec` of results
/// out), `batched_into` (into the caller's buffer, no allocation) and
/// `try_batched`; `#[vectorize(broadcast(w))]` shares `w` across the batch.
/// Beside `#[differentiate]` it adds per-example gradients. See the crate
/// documentation.
pub use autodiff_macros::vectorize;
/// Derives the tangent space of a struct (JAX's pytrees), so that it can be
/// a differentiable argument whose gradient is the same struct.
///
/// The struct must also be `Clone`. Every field must be differentiable
/// (floats, arrays, `Vec`s, nalgebra matrices, other derived structs) or
/// marked `#[differentiable(skip)]`: a static field, whose value tangents
/// and gradients keep. The derive implements [`Tangent`] (zero, sum,
/// [`Tangent::scale`], the flat view `jacfwd` and `jacrev` use).
///
/// ```
/// use autodiff::prelude::*;
///
/// #[derive(Clone, Debug, PartialEq, Differentiable)]
/// struct Point {
///     x: f64,
///     y: f64,
///     #[differentiable(skip)]
///     label: u32,
/// }
///
/// #[differentiate]
/// fn dist2(p: &Point) -> f64 {
///     p.x * p.x + 3.0 * p.y * p.y
/// }
///
/// # fn main() {
/// let p = Point { x: 1.0, y: 2.0, label: 7 };
/// let g = dist2::grad(&p);
/// assert_eq!(g, Point { x: 2.0, y: 12.0, label: 7 });
/// // A gradient step is tangent arithmetic.
/// let next = p.clone().add(g.scale(-0.25));
/// assert_eq!((next.x, next.y, next.label), (0.5, -1.0, 7));
/// # }
/// ```
pub use autodiff_macros::Differentiable;
pub use autodiff_runtime::batch;
pub use autodiff_runtime::buffer;
pub use autodiff_runtime::random;
pub use autodiff_runtime::stop_gradient;
pub use autodiff_runtime::tangent;
pub use autodiff_runtime::tangent::Tangent;
pub use autodiff_runtime::tape;
pub use autodiff_runtime::Float;
pub use autodiff_runtime::Real;
pub use nalgebra;

/// `docs/generics.md`, whose examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/generics.md")]
pub struct GenericsGuide;

/// `docs/guide.md`, whose examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/guide.md")]
pub struct Guide;

/// What a user of the library imports: `use autodiff::prelude::*;`.
pub mod prelude {
    pub use crate::custom_jvp;
    pub use crate::custom_vjp;
    pub use crate::differentiate;
    pub use crate::stop_gradient;
    pub use crate::vectorize;
    pub use crate::Differentiable;
    pub use crate::Float;
    pub use crate::Real;
    pub use crate::Tangent;
}

/// The multi-core loops of `batched_par` (generated code reaches them
/// through `__private`).
#[cfg(feature = "parallel")]
#[doc(hidden)]
pub mod parallel;

/// The runtime as generated code reaches it. Not public API: it may change
/// in any release.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "parallel")]
    pub use crate::parallel;
    #[cfg(feature = "alloc")]
    pub use alloc::boxed::Box;
    #[cfg(feature = "alloc")]
    pub use alloc::vec::Vec;
    pub use autodiff_runtime::{
        batch, buffer, custom, dual, jacobian, linear, rules, tangent, tape, Float, Real,
    };
    pub use nalgebra;
    pub use num_traits;
}
