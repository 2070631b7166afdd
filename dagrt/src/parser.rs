//! Parser: how an input's value is read from text (`--set name=value` on the command line),
//! for inputs whose type is `FromStr + Clone`; probed by the code `#[task(input)]` generates.

use crate::select::Make;
use std::any::type_name;
use std::fmt::Display;
use std::marker::PhantomData;
use std::str::FromStr;

/// Reads one input's value from text (one type, `T`, fixed by [`Parser::of`]).
#[derive(Clone, Copy)]
pub struct Parser {
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    parse: fn(&str) -> Result<Make, String>,
}

impl std::fmt::Debug for Parser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Parser")
    }
}

impl Parser {
    /// The parser of `T`: `T::from_str`, its error rendered with `Display`.
    #[must_use]
    pub fn of<T>() -> Parser
    where
        T: FromStr + Clone + Send + Sync + 'static,
        T::Err: Display,
    {
        Parser { parse: parse::<T> }
    }

    /// Parses `text` into what makes the value for each run (a clone of the parsed value),
    /// or the `FromStr` error's text.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn parse(&self, text: &str) -> Result<Make, String> {
        (self.parse)(text)
    }
}

fn parse<T>(text: &str) -> Result<Make, String>
where
    T: FromStr + Clone + Send + Sync + 'static,
    T::Err: Display,
{
    let value: T = text.parse().map_err(|e: T::Err| {
        let e = e.to_string();
        if e.is_empty() {
            format!("not a valid `{}`", type_name::<T>())
        } else {
            e
        }
    })?;
    Ok(Box::new(move || Box::new(value.clone())))
}

/// Autoref-specialization probe: `(&ParseProbe::<T>::NEW).parser()` is `Some` exactly when
/// `T: FromStr + Clone` with a `Display` error (used by generated code, where `T` is concrete).
pub struct ParseProbe<T>(PhantomData<T>);

impl<T> ParseProbe<T> {
    /// The probe.
    pub const NEW: ParseProbe<T> = ParseProbe(PhantomData);
}

/// Picked for outputs that can be parsed from text.
pub trait FromStrParse {
    /// The output's parser.
    fn parser(&self) -> Option<Parser>;
}

impl<T> FromStrParse for ParseProbe<T>
where
    T: FromStr + Clone + Send + Sync + 'static,
    T::Err: Display,
{
    fn parser(&self) -> Option<Parser> {
        Some(Parser::of::<T>())
    }
}

/// The fallback: no parser.
pub trait NoParse {
    /// No parser.
    fn parser(&self) -> Option<Parser>;
}

impl<T> NoParse for &ParseProbe<T> {
    fn parser(&self) -> Option<Parser> {
        None
    }
}

#[cfg(test)]
#[allow(clippy::needless_borrow)] // The borrow is the probe's fallback step.
mod tests {
    use super::*;

    #[allow(unused_imports)]
    use super::{FromStrParse as _, NoParse as _};

    struct Opaque;

    fn made<T: Clone + 'static>(p: Parser, text: &str) -> Result<T, String> {
        let make = p.parse(text)?;
        Ok(make()
            .downcast_ref::<T>()
            .cloned()
            .expect("the parser's type"))
    }

    #[test]
    fn the_probe_finds_a_parser_for_from_str_types_only() {
        let p = (&ParseProbe::<u32>::NEW).parser().expect("u32 is FromStr");
        assert_eq!(made::<u32>(p, "42"), Ok(42));
        assert_eq!(
            made::<u32>(p, "4x"),
            Err("invalid digit found in string".to_string())
        );
        let p = (&ParseProbe::<std::path::PathBuf>::NEW).parser();
        assert_eq!(
            made::<std::path::PathBuf>(p.expect("PathBuf"), "a/b"),
            Ok("a/b".into())
        );
        assert!((&ParseProbe::<Opaque>::NEW).parser().is_none());
        assert!((&ParseProbe::<Vec<u32>>::NEW).parser().is_none());
    }

    #[test]
    fn each_run_gets_its_own_clone() {
        let p = (&ParseProbe::<String>::NEW).parser().expect("String");
        let make = p.parse("hello").expect("parses");
        let (a, b) = (make(), make());
        assert_eq!(
            a.downcast_ref::<String>().map(String::as_str),
            Some("hello")
        );
        assert_eq!(
            b.downcast_ref::<String>().map(String::as_str),
            Some("hello")
        );
    }
}
