//! Compile-fail and compile-pass cases of `#[dag::task]` (regenerate `.stderr` with
//! `TRYBUILD=overwrite cargo test -p ui-tests`, then review every snapshot).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("fail/*.rs");
    t.pass("pass/*.rs");
}
