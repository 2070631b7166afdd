//! Static task descriptors emitted by `#[task]`, and the typed inputs a task body receives.

use crate::exec::slot::Slot;
use crate::graph::{Graph, NodeId};
use std::any::{Any, type_name};
use std::fmt;

/// A task's output, type-erased while it travels between workers.
pub(crate) type Value = Box<dyn Any + Send + Sync>;

/// What a task body returns to the executor: its output, or the error text.
pub type BodyResult = Result<Value, String>;

/// Implemented by the marker type that `#[task]` emits next to each task function.
///
/// The marker has the task's name, so a parameter called `extract` refers to the type
/// `extract`: Rust's own name resolution finds the upstream task (and `use` imports it).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a task",
    note = "a task parameter must be named after a `#[dag::task]` function in scope (import it with `use`)"
)]
pub trait Task: 'static {
    /// The value the task produces; dependents receive `&Output`.
    type Output: Send + Sync + 'static;
    /// The task's name (its function's name).
    const NAME: &'static str;
    /// The task's topological depth: 0 without dependencies, else 1 + the deepest dependency.
    /// Computing it at compile time is what makes rustc reject a dependency cycle.
    const DEPTH: usize;
    /// The task's static descriptor.
    fn descriptor() -> &'static TaskDescriptor;
}

/// Everything the runtime knows about a `#[task]` function, fixed at compile time.
pub struct TaskDescriptor {
    /// The function's name.
    pub name: &'static str,
    /// The function's doc comment, trimmed.
    pub description: &'static str,
    /// `module_path!()` of the function: the tasks of one module form one DAG.
    pub module_path: &'static str,
    /// Source file of the function.
    pub file: &'static str,
    /// Line of the function in `file`.
    pub line: u32,
    /// The dependencies, in parameter order.
    pub deps: &'static [fn() -> &'static TaskDescriptor],
    /// The output type's name.
    pub output_type: fn() -> &'static str,
    /// The output type's id.
    pub output_type_id: fn() -> std::any::TypeId,
    /// Whether the output owns memory (false for zero-sized outputs without drop glue, such
    /// as `()`, whose consumers then skip the freeing bookkeeping).
    pub output_frees: bool,
    /// Hash of the task's code (its tokens), computed by the macro: part of cache keys and
    /// checkpoint manifests, so editing a task invalidates them.
    pub code_hash: &'static str,
    /// The output's codec, when it is serde-capable.
    pub codec: fn() -> Option<crate::persist::Codec>,
    /// `#[task(cache)]`.
    pub cache: bool,
    /// `#[task(version = "...")]`: part of the cache key.
    pub version: &'static str,
    /// `#[task(retries = n)]`, overriding the DAG's default.
    pub retries: Option<u32>,
    /// `#[task(backoff = "...")]`: first delay between attempts (doubles each time, with
    /// jitter), overriding the DAG's default.
    pub backoff: Option<std::time::Duration>,
    /// Whether this is the DAG's `#[task(final)]`.
    pub is_final: bool,
    /// Topological depth (see [`Task::DEPTH`]).
    pub depth: usize,
    /// Runs the function on its inputs.
    pub run: fn(&Inputs<'_>) -> BodyResult,
}

impl TaskDescriptor {
    /// `file:line` of the task function.
    #[must_use]
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

impl fmt::Debug for TaskDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskDescriptor")
            .field("name", &self.name)
            .field("module_path", &self.module_path)
            .field("location", &self.location())
            .field("output_type", &(self.output_type)())
            .field("is_final", &self.is_final)
            .finish_non_exhaustive()
    }
}

/// The values a task receives from its dependencies, in the order of its edges (for a
/// `#[task]`, its parameters).
pub struct Inputs<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) node: NodeId,
    pub(crate) slots: &'a [Slot],
}

/// Why an input could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The node reading its inputs.
    pub node: String,
    /// What went wrong, naming the input.
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node `{}`: {}", self.node, self.reason)
    }
}

impl std::error::Error for InputError {}

impl<'a> Inputs<'a> {
    /// Number of inputs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.graph.predecessors(self.node).len()
    }

    /// Whether the node has no input.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name of the node producing input `i`.
    #[must_use]
    pub fn name(&self, i: usize) -> Option<&'a str> {
        self.graph
            .predecessors(self.node)
            .get(i)
            .map(|&p| self.graph.name(p))
    }

    /// Input `i` as a `T`.
    ///
    /// # Errors
    /// If there is no input `i`, or it is not a `T` (the error names both types).
    pub fn get<T: Any>(&self, i: usize) -> Result<&'a T, InputError> {
        let preds = self.graph.predecessors(self.node);
        let Some(&p) = preds.get(i) else {
            return Err(self.error(format!("has {} inputs, asked for input {i}", preds.len())));
        };
        self.value_of(p)
    }

    /// The input produced by the node called `name`, as a `T`.
    ///
    /// # Errors
    /// If `name` is not an input of this node or its value is not a `T`.
    pub fn by_name<T: Any>(&self, name: &str) -> Result<&'a T, InputError> {
        let preds = self.graph.predecessors(self.node);
        match preds.iter().find(|&&p| self.graph.name(p) == name) {
            Some(&p) => self.value_of(p),
            None => Err(self.error(format!("`{name}` is not one of its inputs"))),
        }
    }

    fn value_of<T: Any>(&self, p: NodeId) -> Result<&'a T, InputError> {
        // SAFETY: the executor hands `Inputs` to a node only after every predecessor stored its
        // output and published it through the node's dependency counter (release/acquire), and
        // frees an output only after all its consumers finished.
        let value = unsafe { self.slots[p.index()].get() };
        match value {
            Some(v) => v.downcast_ref::<T>().ok_or_else(|| {
                self.error(format!(
                    "input `{}` is not a `{}`",
                    self.graph.name(p),
                    type_name::<T>()
                ))
            }),
            None => Err(self.error(format!("input `{}` has no value", self.graph.name(p)))),
        }
    }

    fn error(&self, reason: String) -> InputError {
        InputError {
            node: self.graph.name(self.node).to_string(),
            reason,
        }
    }

    /// Input `i` of a `#[task]`, typed by its upstream task. Used by generated code.
    #[doc(hidden)]
    #[must_use]
    pub fn dep<T: Task>(&self, i: usize) -> &'a T::Output {
        match self.get::<T::Output>(i) {
            Ok(v) => v,
            // The registry wires a task's inputs from its own descriptors, so input `i` is
            // always the output of `T`; reaching this is a bug in dag, reported as a task panic.
            Err(e) => panic!("dag internal error: {e}"),
        }
    }
}

impl fmt::Debug for Inputs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inputs")
            .field("node", &self.graph.name(self.node))
            .field("len", &self.len())
            .finish()
    }
}

/// Whether a `T` output owns memory that must be freed (see [`TaskDescriptor::output_frees`]).
#[must_use]
pub const fn frees<T>() -> bool {
    std::mem::size_of::<T>() != 0 || std::mem::needs_drop::<T>()
}

/// Renders an error with its chain of sources: `outer: inner: root`.
pub(crate) fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.ends_with(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// A task output that may be an error: `Result<T, E>` with `E` convertible into a boxed error
/// (any `std::error::Error + Send + Sync + 'static`, `anyhow::Error`, `String`, `&str`).
#[diagnostic::on_unimplemented(
    message = "a task returning `{Self}` must return `Result<T, E>` with `E: Into<Box<dyn std::error::Error + Send + Sync>>`"
)]
pub trait Fallible {
    /// The success type dependents receive.
    type Ok: Send + Sync + 'static;
    /// Splits the result, rendering the error as text.
    fn into_body_result(self) -> Result<Self::Ok, String>;
}

impl<T, E> Fallible for Result<T, E>
where
    T: Send + Sync + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
{
    type Ok = T;
    fn into_body_result(self) -> Result<T, String> {
        self.map_err(|e| {
            let boxed: Box<dyn std::error::Error + Send + Sync + 'static> = e.into();
            error_text(boxed.as_ref())
        })
    }
}
