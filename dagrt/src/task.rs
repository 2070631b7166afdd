//! Task: the trait of `#[task]` markers, their static descriptors, and fallible outputs.

use crate::inputs::Inputs;
use crate::options::TaskOptions;
use crate::parser::Parser;
use crate::persist::Codec;
use crate::value::{AsyncRun, BodyResult};
use std::any::{TypeId, type_name};
use std::fmt;

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
///
/// Built by the code `#[task]` generates; read it through [`Dag::task`](crate::Dag::task) or
/// the accessors below.
pub struct TaskDescriptor {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// `module_path!()` of the function: the tasks of one module form one DAG.
    pub(crate) module_path: &'static str,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
    /// The dependencies, in parameter order.
    pub(crate) deps: &'static [fn() -> &'static TaskDescriptor],
    /// The tasks of `after = [..]`: they finish first, passing no data.
    pub(crate) after: &'static [fn() -> &'static TaskDescriptor],
    /// Whether the task is an input (`#[task(input)]`), and whether it has a default.
    pub(crate) input: InputKind,
    /// `#[each]`: the task maps over an upstream output (retries then act per element).
    pub(crate) mapped: bool,
    pub(crate) output_type: fn() -> &'static str,
    pub(crate) output_type_id: fn() -> TypeId,
    /// Whether the output owns memory (false for zero-sized outputs without drop glue, such
    /// as `()`, whose consumers then skip the freeing bookkeeping).
    pub(crate) output_frees: bool,
    /// Hash of the task's code (its tokens), computed by the macro: part of cache keys and
    /// checkpoint manifests, so editing a task invalidates them.
    pub(crate) code_hash: &'static str,
    /// The output's codec, when it is serde-capable.
    pub(crate) codec: fn() -> Option<Codec>,
    /// An input's parser from text, when its type is `FromStr` (`--set name=value`).
    pub(crate) parse: fn() -> Option<Parser>,
    pub(crate) options: TaskOptions,
    pub(crate) is_final: bool,
    /// Topological depth (see [`Task::DEPTH`]).
    pub(crate) depth: usize,
    /// Runs the function on its inputs.
    pub(crate) run: fn(&Inputs<'_>) -> BodyResult,
    /// For an `async fn` task: builds the future the async scheduler polls (`run` is then
    /// never called).
    pub(crate) run_async: Option<AsyncRun>,
}

fn no_codec() -> Option<Codec> {
    None
}

fn no_parser() -> Option<Parser> {
    None
}

impl TaskDescriptor {
    /// The descriptor of the task `name` with output `T` (used by generated code, which sets
    /// the rest with the `const` setters below).
    #[doc(hidden)]
    #[must_use]
    pub const fn new<T: 'static>(
        name: &'static str,
        module_path: &'static str,
        file: &'static str,
        line: u32,
        run: fn(&Inputs<'_>) -> BodyResult,
    ) -> Self {
        TaskDescriptor {
            name,
            description: "",
            module_path,
            file,
            line,
            deps: &[],
            after: &[],
            input: InputKind::Task,
            mapped: false,
            output_type: type_name::<T>,
            output_type_id: TypeId::of::<T>,
            output_frees: frees::<T>(),
            code_hash: "",
            codec: no_codec,
            parse: no_parser,
            options: TaskOptions::NONE,
            is_final: false,
            depth: 0,
            run,
            run_async: None,
        }
    }

    /// Sets the description (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_description(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }

    /// Sets the dependencies, in parameter order (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_deps(mut self, deps: &'static [fn() -> &'static TaskDescriptor]) -> Self {
        self.deps = deps;
        self
    }

    /// Sets the tasks of `after = [..]` (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_after(mut self, after: &'static [fn() -> &'static TaskDescriptor]) -> Self {
        self.after = after;
        self
    }

    /// Marks an input (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_input(mut self, input: InputKind) -> Self {
        self.input = input;
        self
    }

    /// Marks a task with an `#[each]` parameter (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_mapped(mut self, mapped: bool) -> Self {
        self.mapped = mapped;
        self
    }

    /// Sets the code hash and the output's codec (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_identity(
        mut self,
        code_hash: &'static str,
        codec: fn() -> Option<Codec>,
    ) -> Self {
        self.code_hash = code_hash;
        self.codec = codec;
        self
    }

    /// Sets an input's parser from text (generated code, for `#[task(input)]` only).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_parse(mut self, parse: fn() -> Option<Parser>) -> Self {
        self.parse = parse;
        self
    }

    /// Sets the options of `#[task(...)]` (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_options(mut self, options: TaskOptions) -> Self {
        self.options = options;
        self
    }

    /// Makes this an `async fn` task whose attempts are the futures `run` builds (generated
    /// code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_async(mut self, run: AsyncRun) -> Self {
        self.run_async = Some(run);
        self
    }

    /// Marks the DAG's final task and sets the depth (generated code).
    #[doc(hidden)]
    #[must_use]
    pub const fn with_place(mut self, is_final: bool, depth: usize) -> Self {
        self.is_final = is_final;
        self.depth = depth;
        self
    }

    /// The function's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The function's doc comment, trimmed.
    #[must_use]
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// `module_path!()` of the function (its DAG).
    #[must_use]
    pub fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// The output type's name.
    #[must_use]
    pub fn output_type(&self) -> &'static str {
        (self.output_type)()
    }

    /// The options written in `#[task(...)]`.
    #[must_use]
    pub fn options(&self) -> TaskOptions {
        self.options
    }

    /// Whether this is an input (`#[task(input)]`), and whether it has a default.
    #[must_use]
    pub fn input(&self) -> InputKind {
        self.input
    }

    /// The names of the tasks of `after = [..]`, which finish before this one starts.
    #[must_use]
    pub fn after(&self) -> Vec<&'static str> {
        self.after.iter().map(|f| f().name).collect()
    }

    /// Whether this is its DAG's `#[task(final)]`.
    #[must_use]
    pub fn is_final(&self) -> bool {
        self.is_final
    }

    /// Whether the task is an `async fn`.
    #[must_use]
    pub fn is_async(&self) -> bool {
        self.run_async.is_some()
    }

    /// `file:line` of the task function.
    #[must_use]
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// What kind of node a `#[task]` is: a task, or an input of its DAG (`#[task(input)]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A task (its body runs, unless [`Dag::set`](crate::Dag::set) gives its value).
    Task,
    /// An input with a default: its body gives the value when the run sets none.
    Default,
    /// A required input, written without a body: a run must give it a value with
    /// [`Dag::set`](crate::Dag::set).
    Required,
}

impl InputKind {
    /// Whether this is an input (with or without a default).
    #[must_use]
    pub fn is_input(self) -> bool {
        !matches!(self, InputKind::Task)
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

/// Whether a `T` output owns memory that must be freed: false for zero-sized outputs without
/// drop glue (such as `()`), whose consumers then skip the freeing bookkeeping.
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
