//! The options of `#[task(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Ident, LitInt, LitStr};

/// Option names, in the order error messages list them.
const ACCEPTED: &[&str] = &[
    "final", "input", "after", "cache", "version", "retries", "backoff",
];

/// The parsed options; each keeps the span where it was written.
#[derive(Default)]
pub struct Args {
    /// `final`: this task's output is what `Dag::run` returns.
    pub is_final: Option<Span>,
    /// `cache`: outputs are stored in the content-addressed cache.
    pub cache: Option<Span>,
    /// `version = "2"`: part of the cache key, for data the code does not show.
    pub version: Option<LitStr>,
    /// `retries = 3`: attempts after the first failure.
    pub retries: Option<(u32, Span)>,
    /// `backoff = "100ms"`: first delay between attempts, in nanoseconds (doubles each time).
    pub backoff: Option<(u64, Span)>,
    /// `input`: the task is an input of its DAG (no body: required; a body: the default).
    pub input: Option<Span>,
    /// `after = [a, b]`: tasks that must finish first, without passing data.
    pub after: Option<(Span, Vec<Ident>)>,
}

impl Args {
    /// Parses the attribute's arguments.
    pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| args.option(&meta));
        parser.parse2(tokens)?;
        args.check()?;
        Ok(args)
    }

    fn option(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let name = meta
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::");
        let twice = || syn::Error::new(span, format!("`{name}` is given twice"));
        match name.as_str() {
            "final" => set_once(&mut self.is_final, span, twice),
            "cache" => set_once(&mut self.cache, span, twice),
            "input" => set_once(&mut self.input, span, twice),
            "after" => {
                let value = meta.value()?;
                let content;
                syn::bracketed!(content in value);
                let names = content.parse_terminated(task_name, syn::Token![,])?;
                set_once(&mut self.after, (span, names.into_iter().collect()), twice)
            }
            "version" => {
                let lit: LitStr = meta.value()?.parse()?;
                set_once(&mut self.version, lit, twice)
            }
            "retries" => {
                let lit: LitInt = meta.value()?.parse()?;
                let n = lit.base10_parse::<u32>().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        "`retries` is a whole number of extra attempts, e.g. `retries = 3`",
                    )
                })?;
                set_once(&mut self.retries, (n, span), twice)
            }
            "backoff" => {
                let lit: LitStr = meta.value()?.parse()?;
                let nanos = parse_duration(&lit.value()).ok_or_else(|| {
                    syn::Error::new(
                        lit.span(),
                        "`backoff` is a duration such as \"100ms\", \"2s\" or \"500us\"",
                    )
                })?;
                set_once(&mut self.backoff, (nanos, lit.span()), twice)
            }
            _ => Err(syn::Error::new(
                span,
                format!(
                    "unknown task option `{name}`; accepted options: {}",
                    ACCEPTED
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    fn check(&self) -> syn::Result<()> {
        if let (Some(_), Some(fin)) = (self.input, self.is_final) {
            return Err(syn::Error::new(
                fin,
                "an input cannot be `final`: it is given to the run; mark the task that uses it `final`",
            ));
        }
        if let (Some(v), None) = (&self.version, self.cache) {
            return Err(syn::Error::new(
                v.span(),
                "`version` is part of the cache key: add `cache`",
            ));
        }
        Ok(())
    }
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    twice: impl FnOnce() -> syn::Error,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(twice());
    }
    *slot = Some(value);
    Ok(())
}

/// `"100ms"` → nanoseconds. Units: ns, us, ms, s, m.
fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let scale = match unit.trim() {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        _ => return None,
    };
    n.checked_mul(scale)
}

/// Parses one name of `after = [..]`: a task name.
fn task_name(input: syn::parse::ParseStream<'_>) -> syn::Result<Ident> {
    input.parse::<Ident>().map_err(|e| {
        syn::Error::new(
            e.span(),
            "`after` lists task names: `after = [schema, load]`",
        )
    })
}
