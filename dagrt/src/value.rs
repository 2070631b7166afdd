//! Value: a task's output, type-erased while it travels between workers.

use crate::inputs::Inputs;
use std::any::Any;

/// A task's output, type-erased while it travels between workers.
pub(crate) type Value = Box<dyn Any + Send + Sync>;

/// What a task body returns to the executor: its output, or the error text.
pub type BodyResult = Result<Value, String>;

/// What an `async` task body returns: a future of its [`BodyResult`], borrowing the task's
/// inputs for `'a`.
pub type AsyncBodyResult<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = BodyResult> + Send + 'a>>;

/// An `async` task's body: builds the future of one attempt from the task's inputs.
pub type AsyncRun = for<'a> fn(&Inputs<'a>) -> AsyncBodyResult<'a>;
