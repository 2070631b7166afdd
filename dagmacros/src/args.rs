//! The options of `#[task(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Ident, LitInt, LitStr};

/// Option names, in the order error messages list them.
const ACCEPTED: &[&str] = &[
    "final",
    "input",
    "after",
    "cache",
    "version",
    "retries",
    "backoff",
    "timeout",
    "resources",
    "gate",
    "gate_timeout",
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
    /// `timeout = "5s"`: how long one attempt may run, in nanoseconds (never zero).
    pub timeout: Option<(u64, Span)>,
    /// `resources(gpu = 1, db = 2)`: what the task holds while it runs, by pool, in the
    /// order written (each pool once, each amount at least 1).
    pub resources: Option<(Span, Vec<(String, u32)>)>,
    /// `gate`: the task waits for an approval before it runs.
    pub gate: Option<Span>,
    /// `gate_timeout = "1h"`: how long the gate waits, in nanoseconds (never zero; needs `gate`).
    pub gate_timeout: Option<(u64, Span)>,
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
            "gate" => set_once(&mut self.gate, span, twice),
            "timeout" => {
                let nanos = positive_duration(meta, "timeout", "\"5s\", \"500ms\" or \"2m\"")?;
                set_once(&mut self.timeout, nanos, twice)
            }
            "gate_timeout" => {
                let nanos = positive_duration(meta, "gate_timeout", "\"1h\", \"30m\" or \"90s\"")?;
                set_once(&mut self.gate_timeout, nanos, twice)
            }
            "resources" => {
                let pools = resources(meta, span)?;
                set_once(&mut self.resources, (span, pools), twice)
            }
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
        if let (Some((_, at)), None) = (self.gate_timeout, self.gate) {
            return Err(syn::Error::new(
                at,
                "`gate_timeout` is how long an approval gate waits for its decision: add `gate`",
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

/// `name = "5s"`: a duration longer than zero, in nanoseconds, with the literal's span.
fn positive_duration(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    examples: &str,
) -> syn::Result<(u64, Span)> {
    let lit: syn::Lit = meta.value()?.parse()?;
    let nanos = match &lit {
        syn::Lit::Str(text) => parse_duration(&text.value()),
        _ => None,
    };
    match nanos {
        Some(0) => Err(syn::Error::new(
            lit.span(),
            format!("`{name}` must be longer than zero, e.g. {examples}"),
        )),
        Some(nanos) => Ok((nanos, lit.span())),
        None => Err(syn::Error::new(
            lit.span(),
            format!("`{name}` is a duration in quotes, such as {examples}"),
        )),
    }
}

/// `resources(gpu = 1, db = 2)`: `(pool, amount)` pairs in the order written.
fn resources(meta: &ParseNestedMeta<'_>, span: Span) -> syn::Result<Vec<(String, u32)>> {
    const FORM: &str = "`resources` lists pools and amounts: `resources(gpu = 1, db = 2)`";
    if !meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new(span, FORM));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    if content.is_empty() {
        return Err(syn::Error::new(
            span,
            "`resources()` names no pool: list what the task holds, `resources(gpu = 1)`, or remove it",
        ));
    }
    let mut pools: Vec<(String, u32)> = Vec::new();
    let list = content.parse::<TokenStream>()?;
    syn::meta::parser(|pool| {
        let Some(ident) = pool.path.get_ident() else {
            return Err(syn::Error::new_spanned(
                &pool.path,
                "a pool name is one identifier, as in `resources(gpu = 1)`",
            ));
        };
        let name = ident.unraw().to_string();
        if !pool.input.peek(syn::Token![=]) {
            return Err(syn::Error::new(
                ident.span(),
                format!("give pool `{name}` an amount: `{name} = 1`"),
            ));
        }
        let lit: syn::Lit = pool.value()?.parse()?;
        let amount = match &lit {
            syn::Lit::Int(n) => n.base10_parse::<u32>().ok().filter(|&n| n > 0),
            _ => None,
        };
        let Some(amount) = amount else {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "the amount of pool `{name}` is a whole number of at least 1, e.g. `{name} = 1`"
                ),
            ));
        };
        if pools.iter().any(|(p, _)| *p == name) {
            return Err(syn::Error::new(
                ident.span(),
                format!("pool `{name}` is named twice: give its total amount once"),
            ));
        }
        pools.push((name, amount));
        Ok(())
    })
    .parse2(list)?;
    Ok(pools)
}

/// `"100ms"` → nanoseconds. Units: ns, us, ms, s, m, h.
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
        "h" => 3_600_000_000_000,
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
