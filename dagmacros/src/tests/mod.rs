//! Expansion tests: macro input → expanded tokens → `prettyplease` → checks on the source.

use crate::expand;
use quote::quote;

mod waiting;

pub(super) fn expand_to_source(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> String {
    let tokens = expand::task(attr, item);
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => panic!("expansion is not valid Rust ({e}):\n{tokens}"),
    }
}

#[test]
fn a_task_expands_to_the_function_a_marker_and_a_registration() {
    let src = expand_to_source(
        quote!(final),
        quote! {
            /// Doubles the rows.
            pub fn doubled(rows: &Vec<i32>, factor: &i32) -> std::io::Result<Vec<i32>> {
                Ok(rows.iter().map(|x| x * factor).collect())
            }
        },
    );
    // The user's function is emitted unchanged.
    assert!(src.contains("/// Doubles the rows.\npub fn doubled(rows: &Vec<i32>, factor: &i32) -> std::io::Result<Vec<i32>> {"), "{src}");
    // The marker type has the task's name and visibility, hidden from docs.
    assert!(
        src.contains(
            "#[doc(hidden)]\n#[allow(non_camel_case_types, dead_code)]\npub struct doubled {}"
        ),
        "{src}"
    );
    // Dependencies are resolved as types, in parameter order.
    assert!(
        src.contains("type __DagDep0 = rows;") && src.contains("type __DagDep1 = factor;"),
        "{src}"
    );
    assert!(
        src.contains("let __dag_arg0: &Vec<i32> = ::dag::__private::dep::<\n            __DagDep0,\n        >(__dag_inputs, 0usize);"),
        "{src}"
    );
    // A `Result` output: dependents get its Ok type.
    assert!(
        src.contains(
            "type Output = <std::io::Result<Vec<i32>> as ::dag::__private::Fallible>::Ok;"
        ),
        "{src}"
    );
    assert!(
        src.contains("::dag::__private::fallible::<doubled, _>(doubled(__dag_arg0, __dag_arg1))"),
        "{src}"
    );
    assert!(
        src.contains(".with_description(\"Doubles the rows.\")"),
        "{src}"
    );
    assert!(src.contains(".with_place(true, "), "{src}");
    assert!(
        src.contains("struct __dag_only_one_final_task_per_module {}"),
        "{src}"
    );
    assert!(
        src.contains("::dag::__private::inventory::submit!"),
        "{src}"
    );
    // One task's expansion fits on a screen.
    let lines = src.lines().count();
    assert!(lines < 80, "expansion has {lines} lines:\n{src}");
}

#[test]
fn a_plain_task_without_inputs() {
    let src = expand_to_source(
        quote!(),
        quote!(
            fn source() -> u8 {
                1
            }
        ),
    );
    assert!(src.contains("type Output = u8;"), "{src}");
    assert!(src.contains("const DEPTH: usize = 0;"), "{src}");
    assert!(
        src.contains("::dag::__private::ok::<source>(source())"),
        "{src}"
    );
    assert!(src.contains(".with_place(false, "), "{src}");
    assert!(
        !src.contains("__dag_only_one_final_task_per_module"),
        "{src}"
    );
}

#[test]
fn errors_keep_the_function_and_report_every_mistake() {
    let src = expand::task(
        quote!(fnal),
        quote!(
            unsafe fn f<T>(self, (a, b): &(u8, u8)) -> T {
                todo!()
            }
        ),
    )
    .to_string();
    assert!(
        src.contains("unsafe fn f"),
        "the function is still emitted: {src}"
    );
    for msg in [
        "unknown task option `fnal`; accepted options: `final`",
        "a task cannot be `unsafe fn`",
        "a task cannot be generic",
        "a task is a free function",
        "a task parameter must be the plain name",
    ] {
        assert!(src.contains(msg), "missing `{msg}` in {src}");
    }
    assert!(
        !src.contains("inventory"),
        "nothing is registered on error: {src}"
    );
}

#[test]
fn the_description_is_the_trimmed_doc_comment() {
    let src = expand_to_source(
        quote!(),
        quote! {
            /// First line.
            ///
            ///   Indented second paragraph.
            fn t() {}
        },
    );
    assert!(
        src.contains(r#".with_description("First line.\n\n  Indented second paragraph.")"#),
        "{src}"
    );
}

#[test]
fn outputs_that_spell_a_lifetime_are_not_probed_for_serde() {
    let codec_of = |attr, item| {
        let src = expand_to_source(attr, item);
        let start = src.find("fn __dag_codec()").expect("codec fn");
        let end = start + src[start..].find("fn __dag_run").expect("run fn");
        src[start..end].to_string()
    };
    let probed = codec_of(
        quote!(),
        quote!(
            fn rows() -> Vec<u32> {
                vec![]
            }
        ),
    );
    assert!(probed.contains("Probe::<"), "{probed}");
    let borrowed = codec_of(
        quote!(),
        quote!(
            fn greeting() -> &'static str {
                "hi"
            }
        ),
    );
    assert!(
        borrowed.contains("::core::option::Option::None"),
        "{borrowed}"
    );
    let nested = codec_of(
        quote!(),
        quote!(
            fn names() -> Vec<&'static str> {
                vec![]
            }
        ),
    );
    assert!(nested.contains("::core::option::Option::None"), "{nested}");
    // `cache` demands a persistable output: `Cow<'static, str>` is one.
    let cached = codec_of(
        quote!(cache),
        quote!(
            fn text() -> std::borrow::Cow<'static, str> {
                "x".into()
            }
        ),
    );
    assert!(cached.contains("persistable_codec::<"), "{cached}");
}

#[test]
fn options_become_one_task_options_value() {
    let src = expand_to_source(
        quote!(cache, version = "2", retries = 3, backoff = "1ms"),
        quote!(
            fn flaky() -> u8 {
                1
            }
        ),
    );
    assert!(
        src.contains(
            ".with_options(\n            ::dag::__private::TaskOptions::NONE\n                \
             .cache(true)\n                .version(\"2\")\n                .retries(3u32)\n                \
             .backoff(::core::time::Duration::from_nanos(1000000u64)),\n        )"
        ),
        "{src}"
    );
}

#[test]
fn a_required_input_has_a_marker_but_no_function() {
    let src = expand_to_source(
        quote!(input),
        quote! {
            /// Directory to scan.
            pub fn root() -> std::path::PathBuf;
        },
    );
    assert!(!src.contains("pub fn root()"), "{src}");
    assert!(src.contains("pub struct root {}"), "{src}");
    assert!(
        src.contains("::dag::__private::missing_input::<root>()"),
        "{src}"
    );
    assert!(
        src.contains(".with_input(::dag::__private::InputKind::Required)"),
        "{src}"
    );
    assert!(
        src.contains(".with_description(\"Directory to scan.\")"),
        "{src}"
    );
}

#[test]
fn an_input_with_a_body_keeps_its_function_as_the_default() {
    let src = expand_to_source(
        quote!(input),
        quote!(
            fn min_len() -> usize {
                3
            }
        ),
    );
    assert!(src.contains("fn min_len() -> usize {\n    3\n}"), "{src}");
    assert!(
        src.contains(".with_input(::dag::__private::InputKind::Default)"),
        "{src}"
    );
}

#[test]
fn after_targets_are_types_counted_in_the_depth() {
    let src = expand_to_source(
        quote!(after = [schema, load]),
        quote!(
            fn total(rows: &u32) -> u32 {
                *rows
            }
        ),
    );
    assert!(
        src.contains("type __DagAfter0 = schema;") && src.contains("type __DagAfter1 = load;"),
        "{src}"
    );
    assert!(
        src.contains("<__DagAfter1 as ::dag::__private::Task>::DEPTH + 1"),
        "{src}"
    );
    assert!(
        src.contains(
            ".with_after(\n            &[\n                <__DagAfter0 as ::dag::__private::Task>::descriptor,\n                \
             <__DagAfter1 as ::dag::__private::Task>::descriptor,\n            ],\n        )"
        ),
        "{src}"
    );
}
