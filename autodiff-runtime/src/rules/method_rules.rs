//! The shape every method rule shares: a trait per method (so that other
//! types can implement it, and references forward to it), a free function
//! generated code calls, `(value, partials)` out. Declared before the rule
//! modules, which all use it.

/// Declares the trait of a one-argument method rule, its free function, and
/// its forwarding through references.
macro_rules! unary_method {
    ($(#[$doc:meta])* $trait_:ident, $method:ident, $func:ident) => {
        $(#[$doc])*
        pub trait $trait_ {
            /// The result's type.
            type Output;
            /// The partial with respect to the argument.
            type Partial;
            /// The value and the partial.
            fn $method(&self) -> (Self::Output, (Self::Partial,));
        }

        $(#[$doc])*
        #[inline(always)]
        pub fn $func<A: $trait_ + ?Sized>(a: &A) -> (A::Output, (A::Partial,)) {
            a.$method()
        }

        impl<X: $trait_ + ?Sized> $trait_ for &X {
            type Output = X::Output;
            type Partial = X::Partial;
            #[inline(always)]
            fn $method(&self) -> (X::Output, (X::Partial,)) {
                (**self).$method()
            }
        }
    };
}

/// Declares the trait of a two-argument rule and its free function: the
/// arithmetic operators' (`arith.rs`), and through `binary_method` the
/// two-argument methods'.
macro_rules! binary_rule {
    ($(#[$doc:meta])* $trait_:ident, $method:ident, $func:ident) => {
        $(#[$doc])*
        pub trait $trait_<Rhs: ?Sized = Self> {
            /// The result's type.
            type Output;
            /// The partials with respect to the first and second argument.
            type Partials;
            /// The value and the partials.
            fn $method(&self, rhs: &Rhs) -> (Self::Output, Self::Partials);
        }

        $(#[$doc])*
        #[inline(always)]
        pub fn $func<A: $trait_<B> + ?Sized, B: ?Sized>(a: &A, b: &B) -> (A::Output, A::Partials) {
            a.$method(b)
        }
    };
}

/// Declares the trait of a two-argument method rule, its free function, and
/// its forwarding through a reference on the left (a reference on the right
/// is forwarded by each implementing type, see `forward_rhs_ref`).
macro_rules! binary_method {
    ($(#[$doc:meta])* $trait_:ident, $method:ident, $func:ident) => {
        binary_rule!($(#[$doc])* $trait_, $method, $func);

        impl<X: $trait_<Y> + ?Sized, Y: ?Sized> $trait_<Y> for &X {
            type Output = X::Output;
            type Partials = X::Partials;
            #[inline(always)]
            fn $method(&self, rhs: &Y) -> (X::Output, X::Partials) {
                (**self).$method(rhs)
            }
        }
    };
}
