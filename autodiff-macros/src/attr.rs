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
}

/// One option as written, before validation.
enum RawOption {
    Wrt(Ident, Punctuated<Ident, Token![,]>),
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
        } else {
            // Skip whatever follows so the remaining options still parse.
            if input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in input);
            } else if input.peek(Token![=]) {
                input.parse::<Token![=]>()?;
                input.parse::<syn::Expr>()?;
            }
            Ok(RawOption::Unknown(key))
        }
    }
}

/// Parses the attribute's tokens, recording every problem in `errors`.
pub fn parse(tokens: proc_macro2::TokenStream, errors: &mut Errors) -> Options {
    let parser = Punctuated::<RawOption, Token![,]>::parse_terminated;
    let raw = match syn::parse::Parser::parse2(parser, tokens) {
        Ok(raw) => raw,
        Err(e) => {
            errors.push(e);
            return Options::default();
        }
    };
    let mut options = Options::default();
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
            RawOption::Unknown(key) => errors.on(
                &key,
                format!("unknown option `{key}`; `#[differentiate]` accepts `wrt(arg, ..)`"),
            ),
        }
    }
    options
}
