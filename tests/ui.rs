//! Compile-fail cases: each rejected construct and the message a user sees.

#[test]
fn rejected_constructs() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
