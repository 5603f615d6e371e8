//! Expansion snapshots: each `snapshots/NAME.rs` is expanded and compared with
//! `snapshots/NAME.expanded.rs`, so reviewers see exactly what the macro
//! generates and every change to it shows up in a diff. Run with
//! `AUTODIFF_BLESS=1` to rewrite the expected files after a deliberate change.

use std::fs;
use std::path::Path;

use proc_macro2::TokenStream;

/// Expands every `#[differentiate(..)]` function of a source file.
fn expand_file(source: &str) -> String {
    let file: syn::File = syn::parse_str(source).expect("snapshot input parses");
    let mut items = TokenStream::new();
    for item in file.items {
        let syn::Item::Fn(mut func) = item else {
            panic!("snapshot inputs hold only functions")
        };
        let pos = func
            .attrs
            .iter()
            .position(|a| a.path().is_ident("differentiate"))
            .expect("each snapshot function has #[differentiate]");
        let attr = func.attrs.remove(pos);
        let args = match attr.meta {
            syn::Meta::List(list) => list.tokens,
            _ => TokenStream::new(),
        };
        items.extend(crate::expand::differentiate(
            args,
            quote::ToTokens::to_token_stream(&func),
        ));
    }
    let expanded: syn::File = syn::parse2(items).expect("expansion parses as items");
    prettyplease::unparse(&expanded)
}

#[test]
fn expansions_match_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let bless = std::env::var_os("AUTODIFF_BLESS").is_some();
    let mut checked = 0;
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("snapshots directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| !p.to_string_lossy().ends_with(".expanded.rs"))
        .collect();
    inputs.sort();
    for input in inputs {
        let expected_path = input.with_extension("expanded.rs");
        let actual = expand_file(&fs::read_to_string(&input).expect("read input"));
        if bless {
            fs::write(&expected_path, &actual).expect("write snapshot");
        } else {
            let expected = fs::read_to_string(&expected_path).unwrap_or_default();
            assert_eq!(
                expected,
                actual,
                "expansion of {} changed; rerun with AUTODIFF_BLESS=1 if intended",
                input.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected at least three snapshots, found {checked}"
    );
}
