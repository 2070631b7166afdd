//! Code generation: the function unchanged, its marker type, compile-time checks, registration.

use crate::args::Args;
use crate::input::TaskFn;
use crate::validate::{self, Dep};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ReturnType, Type};

/// `#[task]`: parse → validate → expand. On error the function is still emitted unchanged,
/// next to `compile_error!`s, so IDEs keep working and no follow-on errors appear.
pub fn task(attr: TokenStream, item: TokenStream) -> TokenStream {
    let f = match syn::parse2::<TaskFn>(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let err = e.to_compile_error();
            return quote!(#item #err);
        }
    };
    let args = Args::parse(attr).and_then(|a| validate::check_options(&f, &a).map(|()| a));
    let deps = validate::check(&f);
    match (args, deps) {
        (Ok(args), Ok(deps)) => expand(&f, &args, &deps),
        (args, deps) => {
            let mut errors = TokenStream::new();
            if let Err(e) = args {
                errors.extend(e.to_compile_error());
            }
            if let Err(e) = deps {
                errors.extend(e.to_compile_error());
            }
            let func = f.to_tokens();
            quote!(#func #errors)
        }
    }
}

/// Whether the return type is spelled `...Result<..>` (`Result`, `io::Result`, `anyhow::Result`):
/// such a task fails on `Err` and its dependents receive the `Ok` type.
fn is_fallible(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Result")
        }
        _ => false,
    }
}

/// Whether `tokens` spell a lifetime (`'static`) or a reference (`&`) anywhere.
fn spells_lifetime(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Punct(p) => p.as_char() == '\'' || p.as_char() == '&',
        TokenTree::Group(g) => spells_lifetime(g.stream()),
        TokenTree::Ident(_) | TokenTree::Literal(_) => false,
    })
}

/// The body of `__dag_codec`: the output's codec when serde can persist it.
///
/// The autoref probe picks `SerdeCodec` when the output is `Serialize + DeserializeOwned`, but
/// trait selection ignores lifetimes: for `&'static str` (only `Deserialize<'static>`) it
/// would pick `SerdeCodec` and then fail to compile. So an output type that spells a lifetime
/// or a reference is not probed: it has no codec, unless the task says `cache`, whose
/// `assert_persistable` check already demands a persistable output (`Cow<'static, str>`).
/// A type alias hiding a reference is still probed (and fails to compile): a macro cannot see
/// through aliases.
fn codec_expr(f: &TaskFn, args: &Args, output: &TokenStream) -> TokenStream {
    let private = quote!(::dag::__private);
    let spelled = match &f.sig.output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => spells_lifetime(quote!(#ty)),
    };
    match (spelled, args.cache.is_some()) {
        (true, true) => return quote!(#private::persistable_codec::<#output>()),
        (true, false) => return quote!(::core::option::Option::None),
        (false, _) => {}
    }
    quote! {{
        #[allow(unused_imports)]
        use #private::{NoCodec as _, SerdeCodec as _};
        (&#private::Probe::<#output>::NEW).codec()
    }}
}

fn expand(f: &TaskFn, args: &Args, deps: &[Dep<'_>]) -> TokenStream {
    let func = f.to_tokens();
    let name = &f.sig.ident;
    let vis = &f.vis;
    let name_str = name.to_string();
    let description = f.description();
    let private = quote!(::dag::__private);
    let (output, wrap) = match &f.sig.output {
        ReturnType::Default => (quote!(()), quote!(ok::<#name>)),
        ReturnType::Type(_, ty) if is_fallible(ty) => (
            quote_spanned!(ty.span()=> <#ty as #private::Fallible>::Ok),
            quote!(fallible::<#name, _>),
        ),
        ReturnType::Type(_, ty) => (quote_spanned!(ty.span()=> #ty), quote!(ok::<#name>)),
    };
    let aliases: Vec<_> = (0..deps.len())
        .map(|i| format_ident!("__DagDep{}", i))
        .collect();
    let alias_defs = deps.iter().zip(&aliases).map(|(d, a)| {
        let dep = d.name;
        quote_spanned!(dep.span()=> type #a = #dep;)
    });
    let after: &[syn::Ident] = args.after.as_ref().map_or(&[], |(_, names)| names);
    let after_aliases: Vec<_> = (0..after.len())
        .map(|i| format_ident!("__DagAfter{}", i))
        .collect();
    let after_defs = after
        .iter()
        .zip(&after_aliases)
        .map(|(t, a)| quote_spanned!(t.span()=> type #a = #t;));
    let vars: Vec<_> = (0..deps.len())
        .map(|i| format_ident!("__dag_arg{}", i))
        .collect();
    let mapped = deps.iter().position(|d| d.each);
    let arg_lets = deps
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != mapped)
        .map(|(i, d)| {
            let (ty, a, v) = (d.ty, &aliases[i], &vars[i]);
            quote_spanned!(ty.span()=> let #v: #ty = ::dag::__private::dep::<#a>(__dag_inputs, #i);)
        });
    // `max(max(0, a + 1), b + 1)`: no array, so no promoted constant in rustc's cycle report.
    // `after` targets count like parameters: an unknown name or a cycle through them is an
    // error at the name.
    let named = deps
        .iter()
        .map(|d| d.name)
        .zip(&aliases)
        .chain(after.iter().zip(&after_aliases));
    let depth = named.fold(quote!(0), |acc, (t, a)| {
        quote_spanned!(t.span()=> #private::max(#acc, <#a as #private::Task>::DEPTH + 1))
    });
    let line = quote_spanned!(name.span()=> ::core::line!());
    // Spanned at the function's name, so a dependency cycle is reported at the tasks involved.
    // A mapped task's output, for its dependents, is one element output per element.
    let task_output = match mapped {
        Some(_) => quote!(::std::vec::Vec<#output>),
        None => output.clone(),
    };
    let task_impl = quote_spanned! {name.span()=>
        impl #private::Task for #name {
            type Output = #task_output;
            const NAME: &'static str = #name_str;
            const DEPTH: usize = #depth;
            fn descriptor() -> &'static #private::TaskDescriptor {
                &__DAG_TASK
            }
        }
    };
    let final_marker = args.is_final.map(final_marker);
    let is_final = args.is_final.is_some();
    // The task's code hash: its signature and body, as tokens (editing the task changes it).
    let hashed = if f.body.is_some() {
        func.clone()
    } else {
        f.source_tokens()
    };
    let code_hash = blake3::hash(hashed.to_string().as_bytes())
        .to_hex()
        .to_string();
    let options = options_expr(args);
    // `#[task(cache)]` on an output serde cannot persist is an error at `cache`.
    let persistable = args.cache.map(|span| {
        quote_spanned! {span=>
            const _: () = #private::assert_persistable::<<#name as #private::Task>::Output>();
        }
    });
    let codec = codec_expr(f, args, &quote!(<#name as #private::Task>::Output));
    let is_mapped = mapped.is_some();
    let parse = crate::parse_probe::setter(args, &quote!(<#name as #private::Task>::Output));
    let input_kind = match (args.input, &f.body) {
        (None, _) => quote!(#private::InputKind::Task),
        (Some(_), Some(_)) => quote!(#private::InputKind::Default),
        (Some(_), None) => quote!(#private::InputKind::Required),
    };
    // A required input has no function to call: the runtime refuses a run that gives it no
    // value before anything runs, so this body is never reached.
    let run_fn = if let Some(k) = mapped {
        let (ty, v) = (deps[k].ty, &vars[k]);
        // The alias, named at the parameter: a failed `Elements` bound is reported there.
        let a = &syn::Ident::new(&aliases[k].to_string(), ty.span());
        let elems = quote_spanned!(ty.span()=> ::dag::__private::elements::<#a>(__dag_inputs, #k));
        let bind = quote_spanned!(ty.span()=> let #v: #ty = __dag_elem;);
        let elem_wrap = match &f.sig.output {
            ReturnType::Type(_, ty) if is_fallible(ty) => quote!(elem_fallible),
            _ => quote!(elem_ok),
        };
        // Spanned at the parameter: an upstream output that is no sequence is reported there.
        let call = quote!(::dag::__private::#elem_wrap(#name(#(#vars),*)));
        let map = quote_spanned! {ty.span()=>
            ::dag::__private::each::<#name, _, _>(__dag_inputs, #elems, |__dag_elem| {
                #bind
                #call
            })
        };
        quote! {
            fn __dag_run(__dag_inputs: &#private::Inputs<'_>) -> #private::BodyResult {
                #(#arg_lets)*
                #map
            }
        }
    } else if let Some(a) = &f.sig.asyncness {
        // Every token spanned at the name: a future that is not `Send` is reported at the
        // function.
        let s = name.span();
        let async_wrap = match &f.sig.output {
            ReturnType::Type(_, ty) if is_fallible(ty) => {
                quote_spanned!(s=> async_fallible::<#name, _, _>)
            }
            _ => quote_spanned!(s=> async_ok::<#name, _>),
        };
        let call = quote_spanned!(s=> ::dag::__private::#async_wrap(#name(#(#vars),*)));
        // Spanned at `async`: without dag's `tokio` feature, the error names it there.
        let runtime = quote_spanned! {a.span()=>
            const _: () =
                ::dag::__private::require_async_tasks::<::dag::__private::AsyncRuntime>();
        };
        quote! {
            #runtime

            fn __dag_run(_: &#private::Inputs<'_>) -> #private::BodyResult {
                #private::async_only::<#name>()
            }

            fn __dag_run_async<'a>(
                __dag_inputs: &#private::Inputs<'a>,
            ) -> #private::AsyncBodyResult<'a> {
                #(#arg_lets)*
                #call
            }
        }
    } else if f.body.is_some() {
        quote! {
            fn __dag_run(__dag_inputs: &#private::Inputs<'_>) -> #private::BodyResult {
                #(#arg_lets)*
                #private::#wrap(#name(#(#vars),*))
            }
        }
    } else {
        quote! {
            fn __dag_run(_: &#private::Inputs<'_>) -> #private::BodyResult {
                #private::missing_input::<#name>()
            }
        }
    };
    let with_async = f
        .sig
        .asyncness
        .map(|_| quote!(.with_async(__dag_run_async)));
    quote! {
        #func

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #name {}

        #final_marker

        const _: () = {
            #(#alias_defs)*
            #(#after_defs)*

            #task_impl

            #persistable

            fn __dag_codec() -> ::core::option::Option<#private::Codec> {
                #codec
            }

            #run_fn

            static __DAG_TASK: #private::TaskDescriptor =
                #private::TaskDescriptor::new::<<#name as #private::Task>::Output>(
                    #name_str,
                    ::core::module_path!(),
                    ::core::file!(),
                    #line,
                    __dag_run,
                )
                .with_description(#description)
                .with_deps(&[#(<#aliases as #private::Task>::descriptor),*])
                .with_identity(#code_hash, __dag_codec)
                .with_options(#options)
                .with_after(&[#(<#after_aliases as #private::Task>::descriptor),*])
                .with_input(#input_kind)
                #parse
                .with_mapped(#is_mapped)
                .with_place(#is_final, <#name as #private::Task>::DEPTH)
                #with_async;

            #private::inventory::submit! { #private::Registration(&__DAG_TASK) }
        };
    }
}

/// The task's `TaskOptions`: one `const` setter per option written in `#[task(...)]`.
fn options_expr(args: &Args) -> TokenStream {
    let mut options = quote!(::dag::__private::TaskOptions::NONE);
    if args.cache.is_some() {
        options.extend(quote!(.cache(true)));
    }
    if let Some(version) = &args.version {
        options.extend(quote!(.version(#version)));
    }
    if let Some((n, _)) = args.retries {
        options.extend(quote!(.retries(#n)));
    }
    if let Some((nanos, _)) = args.backoff {
        options.extend(quote!(.backoff(::core::time::Duration::from_nanos(#nanos))));
    }
    if let Some((nanos, _)) = args.timeout {
        options.extend(quote!(.timeout(::core::time::Duration::from_nanos(#nanos))));
    }
    if let Some((_, pools)) = &args.resources {
        let (names, amounts): (Vec<&str>, Vec<u32>) =
            pools.iter().map(|(p, n)| (p.as_str(), *n)).unzip();
        options.extend(quote!(.resources(&[#((#names, #amounts)),*])));
    }
    if args.gate.is_some() {
        options.extend(quote!(.gate(true)));
    }
    if let Some((nanos, _)) = args.gate_timeout {
        options.extend(quote!(.gate_timeout(::core::time::Duration::from_nanos(#nanos))));
    }
    options
}

/// A module-level item that exists once per `#[task(final)]`: a second final task in the same
/// module (the same DAG) makes rustc report this name as defined twice, at the second `final`.
fn final_marker(span: Span) -> TokenStream {
    quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        struct __dag_only_one_final_task_per_module {}
    }
}
