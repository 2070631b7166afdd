//! Parse probe: the `.with_parse(..)` setter of an input's descriptor, which finds a parser
//! from text (`--set name=value` on the command line) when the input's type is `FromStr`.

use crate::args::Args;
use proc_macro2::TokenStream;
use quote::quote;

/// For a `#[task(input)]`: `.with_parse(f)`, where `f` returns the input's parser when
/// `output` is `FromStr + Clone` (an autoref-specialization probe, like the codec's) and
/// `None` otherwise. Nothing for other tasks: only inputs are set from text.
pub fn setter(args: &Args, output: &TokenStream) -> TokenStream {
    if args.input.is_none() {
        return TokenStream::new();
    }
    let private = quote!(::dag::__private);
    quote! {
        .with_parse({
            fn __dag_parse() -> ::core::option::Option<#private::Parser> {
                #[allow(unused_imports)]
                use #private::{FromStrParse as _, NoParse as _};
                (&#private::ParseProbe::<#output>::NEW).parser()
            }
            __dag_parse
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::expand;
    use quote::quote;

    fn expand_to_source(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
        let tokens = expand::task(attr, item);
        match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            Err(e) => panic!("expansion is not valid Rust ({e}):\n{tokens}"),
        }
    }

    #[test]
    fn an_input_probes_its_output_for_a_parser() {
        let src = expand_to_source(
            quote!(input),
            quote!(
                fn count() -> usize;
            ),
        );
        let expected = r#"
        .with_input(::dag::__private::InputKind::Required)
        .with_parse({
            fn __dag_parse() -> ::core::option::Option<::dag::__private::Parser> {
                #[allow(unused_imports)]
                use ::dag::__private::{FromStrParse as _, NoParse as _};
                (&::dag::__private::ParseProbe::<
                    <count as ::dag::__private::Task>::Output,
                >::NEW)
                    .parser()
            }
            __dag_parse
        })
"#;
        assert!(src.contains(expected), "{src}");
    }

    #[test]
    fn a_task_that_is_no_input_has_no_parser() {
        let src = expand_to_source(
            quote!(),
            quote!(
                fn count() -> usize {
                    3
                }
            ),
        );
        assert!(!src.contains("with_parse"), "{src}");
        assert!(!src.contains("ParseProbe"), "{src}");
    }
}
