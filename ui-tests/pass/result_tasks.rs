//! Tasks returning `Result`, `io::Result` and a `Result` with a `String` error: dependents get
//! the `Ok` type.

use dag::task;
use std::io;

#[derive(Debug)]
struct ParseError(String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot parse {}", self.0)
    }
}

impl std::error::Error for ParseError {}

#[task]
fn text() -> io::Result<String> {
    Ok("42".to_string())
}

#[task]
fn number(text: &String) -> Result<i64, ParseError> {
    text.parse().map_err(|_| ParseError(text.clone()))
}

#[task(final)]
fn doubled(number: &i64) -> Result<i64, String> {
    number.checked_mul(2).ok_or_else(|| "overflow".to_string())
}

fn main() {
    let out: i64 = dag::Dag::new("any").run().expect("runs");
    assert_eq!(out, 84);
}
