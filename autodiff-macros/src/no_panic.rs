//! The macro never panics: a mutation fuzzer over the test corpus.
//!
//! Every function of the integration tests (`../tests/*.rs`) that carries
//! `#[differentiate(..)]`, with its attribute arguments, is a seed. Each
//! input is a seed mutated a few times at the token level, retried until it
//! still parses as an item (rustc calls an attribute macro on nothing else) (a token tree
//! deleted, duplicated, swapped with its neighbour, or replaced by an
//! identifier, literal or punctuation from a pool, inside groups too; the
//! attribute arguments drawn from a pool of valid and invalid options), and
//! is expanded by `#[differentiate]` and by `#[vectorize]` as library
//! functions. For every input: no panic, an output that parses as Rust
//! items, and each error's span inside the input (or at the call site, the
//! attribute itself).
//!
//! `cargo test -p autodiff-macros` runs a seeded share (2,000 inputs);
//! `AUTODIFF_FUZZ_INPUTS=100000 AUTODIFF_FUZZ_SEED=7 cargo test --release
//! -p autodiff-macros no_panic` runs as many as asked.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// A small, seedable generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const IDENTS: &[&str] = &[
    "x",
    "y",
    "i",
    "n",
    "v",
    "self",
    "f64",
    "f32",
    "usize",
    "i32",
    "bool",
    "sin",
    "exp",
    "ln",
    "sqrt",
    "powi",
    "powf",
    "max",
    "len",
    "iter",
    "map",
    "sum",
    "fold",
    "enumerate",
    "zip",
    "norm",
    "dot",
    "transpose",
    "DVector",
    "Vector3",
    "Vec",
    "let",
    "mut",
    "if",
    "else",
    "match",
    "for",
    "in",
    "while",
    "loop",
    "break",
    "continue",
    "return",
    "fn",
    "as",
    "ref",
    "move",
    "async",
    "unsafe",
    "impl",
    "dyn",
    "where",
    "_",
    "clone",
    "into_iter",
    "rev",
];
const LITERALS: &[&str] = &[
    "0", "1", "2", "-1", "0.0", "1.0", "2.5", "-0.5", "1e300", "3usize", "7i32", "\"s\"", "'c'",
    "true", "false", "1u8",
];
const PUNCTS: &[char] = &[
    '+', '-', '*', '/', '%', '<', '>', '=', '!', '&', '|', '^', '.', ',', ';', ':', '?', '#',
];
const ATTRIBUTES: &[&str] = &[
    "",
    "wrt(x)",
    "wrt(x, y)",
    "wrt()",
    "wrt(self)",
    "wrt(nope)",
    "tape = 8",
    "tape = 0",
    "tape = x",
    "wrt(x), tape = 16",
    "order = 2",
    "wrt(x) wrt(y)",
    "broadcast(y)",
    "broadcast()",
    ", ,",
    "wrt(x",
];

/// One token tree drawn from the pools.
fn random_tree(rng: &mut Rng) -> TokenTree {
    match rng.below(4) {
        0 => {
            let name = IDENTS[rng.below(IDENTS.len())];
            match name {
                "self" | "_" => TokenStream::from_str(name)
                    .ok()
                    .and_then(|t| t.into_iter().next())
                    .unwrap_or_else(|| TokenTree::Ident(Ident::new("x", Span::call_site()))),
                _ => TokenTree::Ident(Ident::new(name, Span::call_site())),
            }
        }
        1 => {
            let text = LITERALS[rng.below(LITERALS.len())];
            TokenStream::from_str(text)
                .ok()
                .and_then(|t| t.into_iter().next())
                .unwrap_or_else(|| TokenTree::Literal(Literal::f64_suffixed(1.0)))
        }
        2 => {
            let spacing = if rng.below(2) == 0 {
                Spacing::Alone
            } else {
                Spacing::Joint
            };
            TokenTree::Punct(Punct::new(PUNCTS[rng.below(PUNCTS.len())], spacing))
        }
        _ => {
            let delimiter =
                [Delimiter::Parenthesis, Delimiter::Brace, Delimiter::Bracket][rng.below(3)];
            TokenTree::Group(Group::new(delimiter, TokenStream::new()))
        }
    }
}

/// One mutation somewhere in `tokens` (descending into groups at random).
fn mutate(tokens: TokenStream, rng: &mut Rng) -> TokenStream {
    let mut trees: Vec<TokenTree> = tokens.into_iter().collect();
    if trees.is_empty() {
        return std::iter::once(random_tree(rng)).collect();
    }
    let at = rng.below(trees.len());
    if let TokenTree::Group(g) = &trees[at] {
        if rng.below(3) != 0 {
            let mut inner = Group::new(g.delimiter(), mutate(g.stream(), rng));
            inner.set_span(g.span());
            trees[at] = TokenTree::Group(inner);
            return trees.into_iter().collect();
        }
    }
    match rng.below(4) {
        0 => {
            trees.remove(at);
        }
        1 => {
            let copy = trees[at].clone();
            trees.insert(at, copy);
        }
        2 if at + 1 < trees.len() => trees.swap(at, at + 1),
        _ => trees[at] = random_tree(rng),
    }
    trees.into_iter().collect()
}

/// The seeds: `(attribute arguments, function)` as text, from the tests.
fn corpus() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the tests directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut seeds = Vec::new();
    for file in files {
        let Ok(parsed) = syn::parse_file(&std::fs::read_to_string(&file).unwrap_or_default())
        else {
            continue;
        };
        let mut stack: Vec<syn::Item> = parsed.items;
        while let Some(item) = stack.pop() {
            match item {
                syn::Item::Fn(mut f) => {
                    if let Some(at) = f
                        .attrs
                        .iter()
                        .position(|a| a.path().is_ident("differentiate"))
                    {
                        let attr = f.attrs.remove(at);
                        let args = match attr.meta {
                            syn::Meta::List(l) => l.tokens.to_string(),
                            _ => String::new(),
                        };
                        seeds.push((args, quote::ToTokens::to_token_stream(&f).to_string()));
                    }
                }
                syn::Item::Mod(m) => {
                    stack.extend(m.content.map(|(_, items)| items).unwrap_or_default())
                }
                _ => {}
            }
        }
    }
    seeds
}

/// Expands one input with both macros; `Err` says what went wrong.
fn check(args: &str, item: &str) -> Result<(), String> {
    // One source text, so that every span is an offset into it.
    let text = format!("({args}) {item}");
    let Ok(tokens) = TokenStream::from_str(&text) else {
        return Ok(()); // not even tokens: rustc would not call the macro
    };
    let mut trees = tokens.into_iter();
    let Some(TokenTree::Group(attr)) = trees.next() else {
        return Ok(());
    };
    let item: TokenStream = trees.collect();
    for (name, expand) in [
        (
            "differentiate",
            crate::expand::differentiate as fn(_, _) -> _,
        ),
        ("vectorize", crate::vectorize::vectorize),
    ] {
        let output = catch_unwind(AssertUnwindSafe(|| expand(attr.stream(), item.clone())))
            .map_err(|_| format!("#[{name}] panicked"))?;
        let file: syn::File = syn::parse2(output.clone())
            .map_err(|e| format!("#[{name}]'s output does not parse: {e}"))?;
        drop(file);
        errors_inside(&output, text.len()).map_err(|e| format!("#[{name}]: {e}"))?;
    }
    Ok(())
}

/// Each `compile_error!`'s span is inside the text (bytes `0..len`), or
/// the call site.
fn errors_inside(output: &TokenStream, len: usize) -> Result<(), String> {
    let trees: Vec<TokenTree> = output.clone().into_iter().collect();
    for (k, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(i) if i == "compile_error" => {
                let span = match trees.get(k + 2) {
                    Some(TokenTree::Group(g)) => g.span(),
                    _ => i.span(),
                };
                let range = span.byte_range();
                let call_site = range == (0..0);
                if !call_site && range.end > len {
                    return Err(format!(
                        "an error spans bytes {range:?}, outside the input's 0..{len}"
                    ));
                }
            }
            TokenTree::Group(g) => errors_inside(&g.stream(), len)?,
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn the_macros_never_panic_on_mutated_inputs() {
    let inputs: usize = std::env::var("AUTODIFF_FUZZ_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let seed: u64 = std::env::var("AUTODIFF_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let seeds = corpus();
    assert!(
        seeds.len() > 100,
        "the corpus has {} functions",
        seeds.len()
    );
    // Panics are caught and reported below; keep their messages quiet.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut failures = Vec::new();
    for n in 0..inputs {
        let (args, item) = &seeds[rng.below(seeds.len())];
        let seed_tokens = TokenStream::from_str(item).expect("a seed lexes");
        // rustc calls an attribute macro only on an item that parses: a
        // mutation that breaks the syntax is tried again.
        let mut tokens = seed_tokens.clone();
        for _ in 0..50 {
            let mut candidate = seed_tokens.clone();
            for _ in 0..=rng.below(3) {
                candidate = mutate(candidate, &mut rng);
            }
            if syn::parse2::<syn::Item>(candidate.clone()).is_ok() {
                tokens = candidate;
                break;
            }
        }
        let args = match rng.below(4) {
            0 => ATTRIBUTES[rng.below(ATTRIBUTES.len())].to_string(),
            _ => args.clone(),
        };
        if let Err(e) = check(&args, &tokens.to_string()) {
            failures.push(format!(
                "input {n}: {e}\n  #[differentiate({args})] {tokens}"
            ));
        }
    }
    std::panic::set_hook(hook);
    assert!(
        failures.is_empty(),
        "{} of {inputs} inputs failed (seed {seed}):\n{}",
        failures.len(),
        failures[..failures.len().min(5)].join("\n")
    );
}

/// Inputs the fuzzer found whose expansion did not parse, each fixed.
#[test]
fn regressions_found_by_the_fuzzer() {
    for (args, item) in [
        // No argument: the gradient buffers followed an empty list with a comma.
        ("", "fn f() -> f64 { 1.0 }"),
        // A block size left out: `fixed_rows::<>` became `fixed_rows::<, _>`.
        (
            "",
            "fn f(v: SVector<f64, 5>) -> f64 { v.fixed_rows::<>(1).sum() }",
        ),
        // A type where a size goes: `!` was written into a const expression.
        (
            "",
            "fn f(m: SMatrix<f64, !, 2>) -> SMatrix<f64, 2, 2> { m }",
        ),
        // A trailing comma in the generics: `<T, const N: usize,, __N>`.
        (
            "",
            "fn f<T: Real, const N: usize,>(x: [T; N]) -> T { x[0] * x[0] }",
        ),
    ] {
        if let Err(e) = check(args, item) {
            panic!("{item}: {e}");
        }
    }
}
