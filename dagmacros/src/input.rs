//! The function under `#[task]`: attributes, visibility, signature, and the body as opaque tokens.

use proc_macro2::{Delimiter, Group, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Expr, Lit, Meta, Signature, Visibility};

/// A parsed task function. Only the signature is parsed; the body is kept verbatim.
pub struct TaskFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    /// `None` for a function written without a body (`fn root() -> PathBuf;`), which only a
    /// required input (`#[task(input)]`) may be; `expand` checks that.
    pub body: Option<Group>,
    /// The `;` of a function without a body.
    pub semi: Option<syn::Token![;]>,
}

impl Parse for TaskFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let fork = input.fork();
        // Anything that does not start like a function is reported at its first token.
        if !(fork.peek(syn::Token![fn])
            || fork.peek(syn::Token![async])
            || fork.peek(syn::Token![const])
            || fork.peek(syn::Token![unsafe])
            || fork.peek(syn::Token![extern]))
        {
            return Err(input.error(
                "`#[task]` goes on a function: `#[task] fn name(upstream: &T) -> U { ... }`",
            ));
        }
        let sig: Signature = input.parse()?;
        let (body, semi) = if input.peek(syn::Token![;]) {
            (None, Some(input.parse()?))
        } else {
            let body: Group = input.parse()?;
            if body.delimiter() != Delimiter::Brace {
                return Err(syn::Error::new(
                    body.span(),
                    "expected the function body `{ ... }`",
                ));
            }
            (Some(body), None)
        };
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function body"));
        }
        Ok(TaskFn {
            attrs,
            vis,
            sig,
            body,
            semi,
        })
    }
}

impl TaskFn {
    /// The doc comment, with the one space after `///` removed and blank edges trimmed.
    pub fn description(&self) -> String {
        let lines: Vec<String> = self
            .attrs
            .iter()
            .filter_map(|a| match &a.meta {
                Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                    Expr::Lit(e) => match &e.lit {
                        Lit::Str(s) => Some(s.value()),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            })
            .map(|l| l.strip_prefix(' ').unwrap_or(&l).trim_end().to_string())
            .collect();
        lines.join("\n").trim().to_string()
    }

    /// The function exactly as written; nothing for a function without a body (a required
    /// input: there is no code to call, so no function is emitted, only its marker type).
    pub fn to_tokens(&self) -> TokenStream {
        let TaskFn {
            attrs,
            vis,
            sig,
            body,
            ..
        } = self;
        // `#[each]` is ours: the function keeps its parameters as written, without it.
        let mut sig = sig.clone();
        for arg in &mut sig.inputs {
            if let syn::FnArg::Typed(pt) = arg {
                pt.attrs.retain(|a| !crate::validate::is_each(a));
            }
        }
        match body {
            Some(body) => quote::quote!(#(#attrs)* #vis #sig #body),
            None => TokenStream::new(),
        }
    }

    /// The signature and body as written (`fn root() -> PathBuf;` for a required input):
    /// hashed into the task's code identity.
    pub fn source_tokens(&self) -> TokenStream {
        let TaskFn {
            sig, body, semi, ..
        } = self;
        quote::quote!(#sig #body #semi)
    }
}
