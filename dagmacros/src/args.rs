//! The options of `#[task(...)]`.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;

/// Option names, in the order error messages list them.
pub const FINAL: &str = "final";
const ACCEPTED: &[&str] = &[FINAL];

/// The parsed options; each keeps the span where it was written.
#[derive(Default)]
pub struct Args {
    /// `final`: this task's output is what `Dag::run` returns.
    pub is_final: Option<Span>,
}

impl Args {
    /// Parses the attribute's arguments.
    pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
        let mut args = Args::default();
        let parser = syn::meta::parser(|meta| args.option(&meta));
        parser.parse2(tokens)?;
        Ok(args)
    }

    fn option(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let span = meta
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        if meta.path.is_ident(FINAL) {
            return set_once(&mut self.is_final, span, FINAL);
        }
        let name = meta
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::");
        Err(syn::Error::new(
            span,
            format!(
                "unknown task option `{name}`; accepted options: {}",
                ACCEPTED
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

fn set_once(slot: &mut Option<Span>, span: Span, name: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(span, format!("`{name}` is given twice")));
    }
    *slot = Some(span);
    Ok(())
}
