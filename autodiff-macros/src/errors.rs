//! Collects every error of one expansion, so the user sees them all at once.

use proc_macro2::{Span, TokenStream};
use std::fmt::Display;

/// The errors found so far, each on the span of the offending code.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    /// Records an error at `span`.
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.0.push(syn::Error::new(span, message));
    }

    /// Records an error spanning the tokens of `node` (from its first to its last token).
    pub fn on(&mut self, node: impl quote::ToTokens, message: impl Display) {
        self.0.push(syn::Error::new_spanned(node, message));
    }

    /// Records an error that parsing produced.
    pub fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    /// Adds the errors found by a nested analysis.
    pub fn extend(&mut self, other: Errors) {
        self.0.extend(other.0);
    }

    /// Whether nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All errors as `compile_error!` invocations.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.0.iter().map(syn::Error::to_compile_error).collect()
    }

    /// How many errors there are (for tests).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The messages (for tests).
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(|e| e.to_string()).collect()
    }
}
