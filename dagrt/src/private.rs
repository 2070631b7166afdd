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
