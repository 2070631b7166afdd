//! Expansion tests of `async fn` tasks and the waiting options (timeout, resources, gate).

use super::expand_to_source;
use crate::expand;
use quote::quote;

#[test]
fn an_async_task_builds_its_future_from_the_same_inputs_and_wrapping() {
    let src = expand_to_source(
        quote!(final),
        quote! {
            /// Fetches.
            pub async fn fetch(url: &str, tries: &u32) -> Result<String, String> {
                Ok(url.repeat(*tries as usize))
            }
        },
    );
    // The function is kept as written.
    assert!(
        src.contains(
            "/// Fetches.\npub async fn fetch(url: &str, tries: &u32) -> Result<String, String> {"
        ),
        "{src}"
    );
    // Deps are read as for a sync task; the future wraps the output like `fallible`.
    assert!(
        src.contains(
            "    fn __dag_run_async<'a>(\n        __dag_inputs: &::dag::__private::Inputs<'a>,\n    ) \
             -> ::dag::__private::AsyncBodyResult<'a> {\n        \
             let __dag_arg0: &str = ::dag::__private::dep::<__DagDep0>(__dag_inputs, 0usize);\n        \
             let __dag_arg1: &u32 = ::dag::__private::dep::<__DagDep1>(__dag_inputs, 1usize);\n        \
             ::dag::__private::async_fallible::<fetch, _, _>(fetch(__dag_arg0, __dag_arg1))\n    }"
        ),
        "{src}"
    );
    // The sync entry point refuses to run; the descriptor points at the async one.
    assert!(
        src.contains(
            "fn __dag_run(_: &::dag::__private::Inputs<'_>) -> ::dag::__private::BodyResult {\n        \
             ::dag::__private::async_only::<fetch>()\n    }"
        ),
        "{src}"
    );
    assert!(
        src.contains(".with_place(true, <fetch as ::dag::__private::Task>::DEPTH)\n        .with_async(__dag_run_async);"),
        "{src}"
    );
    // Without dag's `tokio` feature this assertion fails, naming the feature.
    assert!(
        src.contains("const _: () = ::dag::__private::require_async_tasks::<\n        ::dag::__private::AsyncRuntime,\n    >();"),
        "{src}"
    );
    assert_eq!(src.matches("__dag_run_async").count(), 2, "{src}");
    let lines = src.lines().count();
    assert!(lines < 80, "expansion has {lines} lines:\n{src}");
}

#[test]
fn an_infallible_async_task_wraps_like_ok() {
    let src = expand_to_source(
        quote!(),
        quote!(
            async fn tick() {}
        ),
    );
    assert!(src.contains("type Output = ();"), "{src}");
    assert!(
        src.contains("::dag::__private::async_ok::<tick, _>(tick())"),
        "{src}"
    );
}

#[test]
fn a_sync_task_has_no_async_body_and_no_feature_check() {
    let src = expand_to_source(
        quote!(),
        quote!(
            fn source() -> u8 {
                1
            }
        ),
    );
    for absent in [
        "__dag_run_async",
        "with_async",
        "require_async_tasks",
        "async_only",
    ] {
        assert!(!src.contains(absent), "`{absent}` in {src}");
    }
}

/// The code hash of the expansion (the argument of `with_identity`).
fn code_hash(item: proc_macro2::TokenStream) -> String {
    let src = expand_to_source(quote!(), item);
    let start = src.find(".with_identity(").expect("identity") + ".with_identity(".len();
    let rest = src[start..].trim_start().trim_start_matches('"');
    rest[..64].to_string()
}

#[test]
fn async_is_part_of_the_code_hash() {
    let sync = code_hash(quote!(
        fn source() -> u8 {
            1
        }
    ));
    let asynchronous = code_hash(quote!(
        async fn source() -> u8 {
            1
        }
    ));
    assert!(sync.bytes().all(|b| b.is_ascii_hexdigit()), "{sync}");
    assert_ne!(sync, asynchronous);
    let expected = blake3::hash(b"async fn source () -> u8 { 1 }").to_hex();
    assert_eq!(asynchronous, expected.as_str());
}

#[test]
fn waiting_options_become_task_options_setters() {
    let src = expand_to_source(
        quote!(
            timeout = "5s",
            resources(gpu = 1, r#type = 2),
            gate,
            gate_timeout = "1h"
        ),
        quote!(
            fn train() -> u8 {
                1
            }
        ),
    );
    assert!(
        src.contains(
            ".with_options(\n            ::dag::__private::TaskOptions::NONE\n                \
             .timeout(::core::time::Duration::from_nanos(5000000000u64))\n                \
             .resources(&[(\"gpu\", 1u32), (\"type\", 2u32)])\n                \
             .gate(true)\n                \
             .gate_timeout(::core::time::Duration::from_nanos(3600000000000u64)),\n        )"
        ),
        "{src}"
    );
}

#[test]
fn async_cannot_map_or_be_an_input() {
    let each = expand::task(
        quote!(),
        quote!(
            async fn sizes(#[each] files: &String) -> usize {
                files.len()
            }
        ),
    )
    .to_string();
    assert!(
        each.contains("an `async fn` task cannot map with `#[each]` yet: make it a sync `fn`"),
        "{each}"
    );
    let input = expand::task(
        quote!(input),
        quote!(
            async fn root() -> String;
        ),
    )
    .to_string();
    assert!(input.contains("an input cannot be `async fn`"), "{input}");
    assert!(!each.contains("inventory") && !input.contains("inventory"));
}

#[test]
fn a_required_input_refuses_every_waiting_option() {
    let src = expand::task(
        quote!(
            input,
            timeout = "1s",
            resources(gpu = 1),
            gate,
            gate_timeout = "1m"
        ),
        quote!(
            fn root() -> String;
        ),
    )
    .to_string();
    for option in ["timeout", "resources", "gate", "gate_timeout"] {
        let msg = format!(
            "a required input has no body to run, so `{option}` cannot act on it: remove `{option}` or give the input a default body"
        );
        assert!(src.contains(&msg), "missing `{msg}` in {src}");
    }
    // An input with a default body runs it: the options stay.
    let with_body = expand_to_source(
        quote!(input, timeout = "1s"),
        quote!(
            fn root() -> String {
                String::new()
            }
        ),
    );
    assert!(
        with_body.contains(".timeout(::core::time::Duration::from_nanos(1000000000u64))"),
        "{with_body}"
    );
}
