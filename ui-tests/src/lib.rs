//! Tasks compiled under `#![deny(warnings, missing_docs)]` and `clippy::pedantic` (checked by
//! `cargo clippy --workspace --all-targets -- -D warnings`): the expansion of `#[task]` must be
//! lint-clean. The compile-fail and compile-pass cases live in `fail/` and `pass/`.
#![deny(warnings, missing_docs, clippy::pedantic)]

use dag::task;

/// Raw rows.
#[task]
#[must_use]
pub fn rows() -> Vec<u64> {
    vec![3, 1, 2]
}

/// Rows that might fail to load.
///
/// # Errors
/// Never; shows a fallible task.
#[task]
pub fn checked(rows: &[u64]) -> Result<Vec<u64>, std::io::Error> {
    Ok(rows.to_vec())
}

/// Nothing to return.
#[task]
pub fn log(checked: &[u64]) {
    let _ = checked.len();
}

/// Sum of the rows.
#[task(final)]
#[must_use]
pub fn total(checked: &[u64], log: &()) -> u64 {
    let () = *log;
    checked.iter().sum()
}
