//! Value: a task's output, type-erased while it travels between workers.

use std::any::Any;

/// A task's output, type-erased while it travels between workers.
pub(crate) type Value = Box<dyn Any + Send + Sync>;

/// What a task body returns to the executor: its output, or the error text.
pub type BodyResult = Result<Value, String>;
