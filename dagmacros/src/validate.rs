//! Local checks of a task's signature; every mistake is reported at its token, all at once.

use crate::args::Args;
use crate::input::TaskFn;
use syn::{FnArg, Ident, Pat, ReturnType, Type};

/// One input of a task: the upstream task's name and the declared `&T` type.
pub struct Dep<'a> {
    pub name: &'a Ident,
    pub ty: &'a Type,
    /// `#[each]`: the task runs once per element of this upstream output.
    pub each: bool,
}

/// Whether `attr` is `#[each]`.
pub fn is_each(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("each")
}

/// Accumulates errors so the user sees every mistake in one compile.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, at: &dyn quote::ToTokens, msg: impl std::fmt::Display) {
        self.push_at(syn::Error::new_spanned(at, msg));
    }

    fn push_at(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

/// Checks the signature and returns its dependencies, or every error found.
pub fn check(f: &TaskFn) -> syn::Result<Vec<Dep<'_>>> {
    let mut errors = Errors::default();
    let sig = &f.sig;
    if let syn::Safety::Unsafe(u) = &sig.safety {
        errors.push(
            u,
            "a task cannot be `unsafe fn`: the executor calls it from safe code",
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(
            &sig.generics,
            "a task cannot be generic: each task needs one concrete output type",
        );
    }
    if let Some(v) = &sig.variadic {
        errors.push(v, "a task cannot be variadic");
    }
    if let ReturnType::Type(_, ty) = &sig.output
        && let Type::ImplTrait(t) = &**ty
    {
        errors.push(
            t,
            "a task's output type must be nameable: return a concrete type, not `impl Trait`",
        );
    }
    let mut deps = Vec::new();
    let mut each_seen = false;
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => errors.push(
                r,
                "a task is a free function: remove `self` (parameters name upstream tasks)",
            ),
            FnArg::Typed(pt) => {
                let mut each = false;
                for attr in pt.attrs.iter().filter(|a| is_each(a)) {
                    if !matches!(attr.meta, syn::Meta::Path(_)) {
                        errors.push(attr, "`#[each]` takes no arguments");
                    } else if each_seen {
                        errors.push(
                            attr,
                            "only one parameter can be `#[each]`: a task maps over one upstream output",
                        );
                    }
                    if sig.asyncness.is_some() && !each_seen {
                        errors.push(
                            attr,
                            "an `async fn` task cannot map with `#[each]` yet: make it a sync `fn`, or take the whole sequence (`&Vec<T>`) and iterate inside the async body",
                        );
                    }
                    each_seen = true;
                    each = true;
                }
                let name = match &*pt.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(&p.ident),
                    other => {
                        errors.push(
                            other,
                            "a task parameter must be the plain name of the upstream task it depends on, e.g. `extract: &Data`",
                        );
                        None
                    }
                };
                let ty_ok = match &*pt.ty {
                    Type::Reference(r) if r.mutability.is_none() => true,
                    Type::Reference(r) => {
                        errors.push(
                            &r.mutability,
                            "task inputs are shared with every dependent: take `&T`, not `&mut T`",
                        );
                        false
                    }
                    other => {
                        errors.push(
                            other,
                            "a task input is a shared reference to the upstream output: write `&T` (clone inside the task if you need ownership)",
                        );
                        false
                    }
                };
                if let Some(name) = name {
                    if *name == sig.ident {
                        errors.push(name, format!("task `{name}` cannot depend on itself"));
                    } else if ty_ok {
                        deps.push(Dep {
                            name,
                            ty: &pt.ty,
                            each,
                        });
                    }
                }
            }
        }
    }
    match errors.0 {
        Some(e) => Err(e),
        None => Ok(deps),
    }
}

/// Checks what `#[task(input)]` and `after = [..]` demand of the function: only an input may
/// leave its body out, an input has no parameters and is not `async`, a required input asks
/// for nothing to wait on (no body runs), and no task comes after itself.
pub fn check_options(f: &TaskFn, args: &Args) -> syn::Result<()> {
    let mut errors = Errors::default();
    match (args.input, &f.semi) {
        (None, Some(semi)) => errors.push(
            semi,
            "a task needs a body `{ ... }`; only a required input, `#[task(input)]`, is written without one",
        ),
        (Some(_), _) if !f.sig.inputs.is_empty() => errors.push(
            &f.sig.inputs,
            "an input takes no parameters: its value is given to the run (`Dag::set`) or is its body's default",
        ),
        _ => {}
    }
    if let (Some(_), Some(a)) = (args.input, &f.sig.asyncness) {
        errors.push(
            a,
            "an input cannot be `async fn`: its value is given to the run or is its body's default, computed synchronously; remove `async`",
        );
    }
    if let (Some(_), None) = (args.input, &f.body) {
        let waiting = [
            ("timeout", args.timeout.map(|(_, at)| at)),
            ("resources", args.resources.as_ref().map(|(at, _)| *at)),
            ("gate", args.gate),
            ("gate_timeout", args.gate_timeout.map(|(_, at)| at)),
        ];
        for (option, at) in waiting {
            if let Some(at) = at {
                errors.push_at(syn::Error::new(
                    at,
                    format!("a required input has no body to run, so `{option}` cannot act on it: remove `{option}` or give the input a default body"),
                ));
            }
        }
    }
    for name in args.after.iter().flat_map(|(_, names)| names) {
        if *name == f.sig.ident {
            errors.push(name, format!("task `{name}` cannot run after itself"));
        }
    }
    match errors.0 {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
