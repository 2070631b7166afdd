//! Support items for the code `#[task]` generates; not a public API.

pub use crate::inputs::Inputs;
pub use crate::options::TaskOptions;
pub use crate::parser::{FromStrParse, NoParse, ParseProbe, Parser};
pub use crate::persist::{
    Codec, NoCodec, Probe, SerdeCodec, assert_persistable, persistable_codec,
};
pub use crate::task::{Fallible, InputKind, Task, TaskDescriptor};
pub use crate::value::{AsyncBodyResult, AsyncRun, BodyResult};
pub use inventory;
use std::future::Future;

/// One task registered with the runtime; collected once with `inventory`.
#[derive(Debug)]
pub struct Registration(pub &'static TaskDescriptor);

inventory::collect!(Registration);

/// The larger of two depths (used to compute [`Task::DEPTH`] at compile time).
#[must_use]
pub const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Wraps an infallible task's output.
#[inline]
pub fn ok<T: Task>(value: T::Output) -> BodyResult {
    Ok(Box::new(value))
}

/// Wraps a `Result`-returning task's output.
#[inline]
pub fn fallible<T: Task, R: Fallible<Ok = T::Output>>(result: R) -> BodyResult {
    match result.into_body_result() {
        Ok(v) => Ok(Box::new(v)),
        Err(e) => Err(e),
    }
}

/// Input `i` of a `#[task]`, typed by its upstream task `T`.
#[must_use]
pub fn dep<'a, T: Task>(inputs: &Inputs<'a>, i: usize) -> &'a T::Output {
    match inputs.get::<T::Output>(i) {
        Ok(v) => v,
        // The registry wires a task's inputs from its own descriptors, so input `i` is
        // always the output of `T`; reaching this is a bug in dag, reported as a task panic.
        Err(e) => panic!("dag internal error: {e}"),
    }
}

/// The body of a required input, which has none: never called, since a run that gives the
/// input no value is refused before any task runs ([`Error::MissingInput`](crate::Error)).
pub fn missing_input<T: Task>() -> BodyResult {
    Err(format!(
        "input `{}` has no value: set it with `.set::<{}>(value)`",
        T::NAME,
        T::NAME
    ))
}

pub use crate::each::{Elements, each, elem_fallible, elem_ok, elements};

/// The sync body of an `async fn` task: never called, since the runtime runs a task whose
/// descriptor [`is_async`](TaskDescriptor::is_async) on its async scheduler.
pub fn async_only<T: Task>() -> BodyResult {
    Err(format!(
        "task `{}` is async: it runs on the async scheduler",
        T::NAME
    ))
}

/// One attempt of an infallible `async fn` task: the function's future, its output wrapped
/// like [`ok`]'s. The future must be `Send` (the scheduler may poll it on any worker).
pub fn async_ok<'a, T, F>(future: F) -> AsyncBodyResult<'a>
where
    T: Task,
    F: Future<Output = T::Output> + Send + 'a,
{
    Box::pin(async move { ok::<T>(future.await) })
}

/// One attempt of a `Result`-returning `async fn` task, its output wrapped like
/// [`fallible`]'s.
pub fn async_fallible<'a, T, R, F>(future: F) -> AsyncBodyResult<'a>
where
    T: Task,
    R: Fallible<Ok = T::Output>,
    F: Future<Output = R> + Send + 'a,
{
    Box::pin(async move { fallible::<T, R>(future.await) })
}

/// Implemented only when dag is built with its `tokio` feature, which runs `async fn` tasks;
/// `#[task] async fn` checks it, so without the feature such a task is a compile error that
/// names the feature.
#[diagnostic::on_unimplemented(
    message = "`async fn` tasks need the `tokio` feature of dag (package `dagrt`)",
    label = "this task is `async`",
    note = "the feature is on by default: drop `default-features = false` from the dependency on dag, or add `features = [\"tokio\"]`"
)]
pub trait AsyncTasks {}

/// What `#[task] async fn` checks [`AsyncTasks`] on.
#[derive(Debug)]
pub struct AsyncRuntime;

#[cfg(feature = "tokio")]
impl AsyncTasks for AsyncRuntime {}

/// Compiles only when `R` implements [`AsyncTasks`] (generated code:
/// `const _: () = require_async_tasks::<AsyncRuntime>();`).
pub const fn require_async_tasks<R: AsyncTasks>() {}
