//! Outputs with lifetimes (`&'static str`, `Cow<'static, str>`) compile and run; those the
//! macro cannot probe for serde are named when the run is asked to cache them.

use dag::Dag;
use std::borrow::Cow;

mod greetings {
    use super::*;
    use dag::task;

    #[task]
    pub fn greeting() -> &'static str {
        "hello"
    }

    #[task]
    pub fn name() -> Cow<'static, str> {
        Cow::Borrowed("world")
    }

    /// `cache` asks for a persistable output: a `Cow<'static, str>` is one.
    #[task(cache)]
    pub fn punctuation() -> Cow<'static, str> {
        Cow::Owned("!".to_string())
    }

    #[task(final)]
    pub fn message(greeting: &&'static str, name: &str, punctuation: &str) -> String {
        format!("{greeting}, {name}{punctuation}")
    }
}

#[test]
fn outputs_with_lifetimes_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out: String = Dag::new("greetings")
        .cache_dir(dir.path())
        .run()
        .expect("runs");
    assert_eq!(out, "hello, world!");
}

#[test]
fn outputs_with_lifetimes_are_cached_only_when_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("greetings").cache(true).cache_dir(dir.path());
    let first = dag.execute().expect("runs");
    assert_eq!(
        first.output::<greetings::message>().map(String::as_str),
        Some("hello, world!")
    );
    assert_eq!(
        first.warnings(),
        [
            "cache: 3 task(s) cannot be cached and run every time: `greeting` (output `&str` is \
          not serde-capable), `name` (output `alloc::borrow::Cow<'_, str>` is not \
          serde-capable), `message` (input `greeting` has no content hash)"
        ]
    );
    assert_eq!(first.cache_stats().stores, 1, "punctuation");
    let second = dag.execute().expect("runs");
    assert_eq!(second.cache_stats().hits, 1);
    assert_eq!(
        second.output::<greetings::message>().map(String::as_str),
        Some("hello, world!")
    );
}
