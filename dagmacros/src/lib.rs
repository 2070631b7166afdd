//! `#[task]`: turns a plain function into a node of a statically checked dag.
//!
//! The pipeline is parse → validate → expand, one module each: `args` reads the attribute's
//! options, `input` the function's signature (the body stays opaque tokens), `validate`
//! checks what can be checked locally and accumulates every error, and `expand` emits the
//! function unchanged plus the marker type, compile-time assertions and registration.
//! Users reach this through the `dag` crate, which documents `#[task]`.

use proc_macro::TokenStream;

mod args;
mod expand;
mod input;
mod parse_probe;
mod validate;

#[cfg(test)]
mod tests;

/// Declares a task of a dag; see the `dag` crate's documentation of `task`.
#[proc_macro_attribute]
pub fn task(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::task(attr.into(), item.into()).into()
}
