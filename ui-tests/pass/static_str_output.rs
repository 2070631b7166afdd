//! Outputs that borrow for `'static`: `&'static str` (serde can only deserialize it from
//! `'static` data, so it has no codec) and `Cow<'static, str>`, also under `cache`.
#![deny(warnings)]

use dag::task;
use std::borrow::Cow;

#[task]
fn greeting() -> &'static str {
    "hello"
}

#[task]
fn names() -> Vec<&'static str> {
    vec!["world"]
}

#[task(cache)]
fn punctuation() -> Cow<'static, str> {
    Cow::Borrowed("!")
}

#[task(final)]
fn message(greeting: &&'static str, names: &[&'static str], punctuation: &Cow<'static, str>) -> String {
    format!("{greeting}, {}{punctuation}", names.join(" "))
}

fn main() {
    let out: String = dag::Dag::new("static_str_output").run().expect("runs");
    assert_eq!(out, "hello, world!");
}
