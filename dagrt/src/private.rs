//! Support items for the code `#[task]` generates; not a public API.

pub use crate::task::{BodyResult, Fallible, Inputs, Task, TaskDescriptor};
pub use inventory;

/// One task registered with the runtime; collected once with `inventory`.
#[derive(Debug)]
pub struct Registration(pub &'static TaskDescriptor);

inventory::collect!(Registration);

/// 1 + the deepest of `deps` (0 without dependencies).
#[must_use]
pub const fn depth(deps: &[usize]) -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < deps.len() {
        if deps[i] + 1 > max {
            max = deps[i] + 1;
        }
        i += 1;
    }
    max
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

/// Asserts at compile time that a task output can cross threads.
#[diagnostic::on_unimplemented(
    message = "task output `{Self}` must be `Send + Sync + 'static`",
    label = "this output is shared with dependents running on other worker threads",
    note = "wrap shared state in `Arc<Mutex<_>>` or return owned data"
)]
pub trait TaskOutput {}
impl<T: Send + Sync + 'static> TaskOutput for T {}

/// Compile-time check used by generated code.
pub const fn assert_output<T: TaskOutput + ?Sized>() {}
