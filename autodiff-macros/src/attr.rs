//! Parsing of the attribute's options: `#[differentiate(wrt(x, y))]`.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

use crate::errors::Errors;

/// The options of `#[differentiate(..)]`.
#[derive(Default)]
pub struct Options {
    /// `wrt(a, b)`: the arguments to differentiate with respect to (JAX's
    /// `argnums`); `None` means every argument of a differentiable type.
    pub wrt: Option<Vec<Ident>>,
    /// `tape = N`: the fixed capacity of the tapes of loops without a
    /// constant bound (see `tape`).
    pub tape: Option<usize>,
}

/// One option as written, before validation.
enum RawOption {
    Wrt(Ident, Punctuated<Ident, Token![,]>),
    Tape(syn::Expr),
    Unknown(Ident),
}

impl Parse for RawOption {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        if key == "wrt" {
            let content;
            syn::parenthesized!(content in input);
            let names = content.parse_terminated(Ident::parse_any, Token![,])?;
            Ok(RawOption::Wrt(key, names))
        } else if key == "tape" && input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Ok(RawOption::Tape(input.parse()?))
        } else {
            skip_value(input)?;
            Ok(RawOption::Unknown(key))
        }
    }
}

/// Parses the attribute's tokens, recording every problem in `errors`.
pub fn parse(tokens: proc_macro2::TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    let raw: Vec<RawOption> = list(tokens, errors);
    for option in raw {
        match option {
            RawOption::Wrt(key, names) => {
                if options.wrt.is_some() {
                    errors.on(
                        &key,
                        "`wrt` is given twice; list every argument in one `wrt(..)`",
                    );
                    continue;
                }
                if names.is_empty() {
                    errors.on(&key, "`wrt()` names no argument; list the arguments to differentiate with respect to, e.g. `wrt(x, y)`");
                }
                options.wrt = Some(names.into_iter().collect());
            }
            RawOption::Tape(value) => match &value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                }) if n.base10_parse::<usize>().is_ok_and(|n| n > 0) => {
                    options.tape = n.base10_parse().ok();
                }
                _ => errors.on(
                    &value,
                    "`tape = N` takes a positive integer literal: the most iterations a loop without a constant bound keeps for reverse mode",
                ),
            },
            RawOption::Unknown(key) => errors.on(
                &key,
                format!("unknown option `{key}`; `#[differentiate]` accepts `wrt(arg, ..)` and `tape = N`"),
            ),
        }
    }
    options
}

/// The comma-separated options of an attribute, as written; a syntax error
/// is recorded and leaves none.
pub fn list<T: Parse>(tokens: proc_macro2::TokenStream, errors: &mut Errors) -> Vec<T> {
    let parser = Punctuated::<T, Token![,]>::parse_terminated;
    match syn::parse::Parser::parse2(parser, tokens) {
        Ok(raw) => raw.into_iter().collect(),
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    }
}

/// Skips what follows an unknown option's name (`(..)` or `= expr`), so
/// that the options after it still parse and it is reported by name.
pub fn skip_value(input: ParseStream) -> syn::Result<()> {
    if input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in input);
        content.parse::<proc_macro2::TokenStream>()?;
    } else if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        input.parse::<syn::Expr>()?;
    }
    Ok(())
}
