//! Pipelines as plain Rust functions: a typed task DAG, checked at compile time, run in parallel.
//!
//! Annotate functions with [`#[task]`](task). A parameter's *name* is the task it depends on and
//! its type is `&` that task's output; `#[task(final)]` marks the value [`Dag::run`] returns.
//! Wiring mistakes (a misspelled dependency, a wrong type, a cycle, two finals) are compile
//! errors at the offending token.
//!
//! ```standalone_crate
//! use dag::{task, Dag};
//!
//! /// Do some stuff
//! #[task]
//! fn task_1() -> Vec<i32> {
//!     vec![1, 2, 3]
//! }
//!
//! /// Do some other stuff
//! #[task(final)]
//! fn task_2(task_1: &Vec<i32>) -> Vec<i32> {
//!     task_1.iter().map(|x| x * 2).collect()
//! }
//!
//! let dag = Dag::new("example").description("This is an example DAG");
//! let out: Vec<i32> = dag.run()?;
//! assert_eq!(out, [2, 4, 6]);
//! # Ok::<(), dag::Error>(())
//! ```
//!
//! Pipelines take inputs and fan out over data (DESIGN §7, as written there):
//!
//! ```standalone_crate
//! use dag::{task, Dag};
//! use std::path::PathBuf;
//!
//! /// Directory to scan.
//! #[task(input)]
//! fn root() -> PathBuf;                          // no body: the run must provide it
//!
//! /// Shortest word that counts.
//! #[task(input)]
//! fn min_len() -> usize { 3 }                    // a body: the default
//!
//! /// Files under the root.
//! #[task]
//! fn files(root: &PathBuf) -> std::io::Result<Vec<PathBuf>> {
//!     let mut files = std::fs::read_dir(root)?
//!         .map(|e| e.map(|e| e.path()))
//!         .collect::<std::io::Result<Vec<_>>>()?;
//!     files.sort();
//!     Ok(files)
//! }
//!
//! /// Words in one file: runs once per element of `files`, in parallel.
//! #[task]
//! fn words(#[each] files: &PathBuf, min_len: &usize) -> std::io::Result<usize> {
//!     let text = std::fs::read_to_string(files)?;
//!     Ok(text.split_whitespace().filter(|w| w.len() >= *min_len).count())
//! }
//!
//! /// Creates the output table; no data flows from it.
//! #[task]
//! fn schema() {}
//!
//! /// The sum, written after the schema exists.
//! #[task(final, after = [schema])]
//! fn total(words: &Vec<usize>) -> usize { words.iter().sum() }   // &[usize] works too
//!
//! let data = tempfile::tempdir()?;
//! std::fs::write(data.path().join("a.txt"), "one two three")?;
//! std::fs::write(data.path().join("b.txt"), "four five x")?;
//! let dag = Dag::new("wc").set::<root>(data.path().into());
//! let n: usize = dag.run()?;                     // runs everything
//! assert_eq!(n, 5);
//! let counts: Vec<usize> = dag.run_to::<words>()?;   // typed by the marker; runs root, files, words
//! assert_eq!(counts, [3, 2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Tasks may wait without holding a worker (DESIGN §8): `async fn` tasks (feature `tokio`, on
//! by default), `#[task(timeout = "5s")]` (a [`NodeStatus::TimedOut`] task at its deadline),
//! resource pools (`#[task(resources(gpu = 1))]` with [`Dag::resource`]) and approval gates
//! (`#[task(gate)]` with [`Dag::gate_handler`] or a [`GateHandle`]):
//!
//! ```standalone_crate
//! use dag::{task, Dag, GateDecision};
//!
//! /// Fetched while other tasks run; past 2 s it is dropped and ends `TimedOut`.
//! #[task(timeout = "2s")]
//! async fn rows() -> Vec<u32> {
//!     tokio::time::sleep(std::time::Duration::from_millis(5)).await;
//!     vec![1, 2, 3]
//! }
//!
//! /// Holds the one GPU while it runs.
//! #[task(resources(gpu = 1))]
//! fn train(rows: &Vec<u32>) -> u32 { rows.iter().sum() }
//!
//! /// Runs once approved.
//! #[task(final, gate)]
//! async fn deploy(train: &u32) -> String { format!("model {train}") }
//!
//! let dag = Dag::new("waits").resource("gpu", 1).gate_handler(|_| GateDecision::Approve);
//! assert_eq!(dag.run::<String>()?, "model 6");
//! # Ok::<(), dag::Error>(())
//! ```
//!
//! Operating: [`cli`] gives a binary a command line over its DAGs, [`progress`] a live display,
//! [`Observer`]s see a run as it happens, [`report`] writes a self-contained HTML run report;
//! `run-task` and `export snakemake` (in [`cli`]) run each task as a process on a cluster.
//!
//! The tasks of one module form one DAG, named after the module; a binary may hold several
//! (see [`Dag::new`]). Graphs known only at run time use [`graph::Graph::builder`], a
//! [`GraphDag`] and [`Tasks`], and run on the same executor.

#![warn(missing_docs)]

extern crate self as dag;

mod cache;
mod checkpoint;
#[cfg(feature = "cli")]
pub mod cli;
mod config;
mod each;
mod error;
mod exec;
mod file_kind;
pub mod graph;
mod graph_dag;
mod inputs;
mod launch;
pub mod meta;
mod observe;
mod options;
mod parser;
mod persist;
mod preset;
pub mod profile;
#[cfg(feature = "progress")]
pub mod progress;
mod registry;
pub mod report;
mod select;
mod static_dag;
mod targets;
mod task;
mod tasks;
pub mod trace;
mod unpersisted;
mod value;
mod waits;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::graph_dag::GraphDag;
pub use crate::static_dag::{Dag, TaskInfo, dag_names};
pub use crate::tasks::Tasks;
pub use checkpoint::CheckpointError;
/// Declares a task: a plain function whose parameters name the tasks it depends on.
///
/// - `#[task]`: a task. Each parameter `name: &T` depends on the task `name` (a `#[task]`
///   function in scope, possibly imported with `use`); `T` is that task's output type (or what
///   it coerces to: `&[U]` for `Vec<U>`, `&str` for `String`).
/// - `#[task(final)]`: the task whose output [`Dag::run`] returns; one per module (= per DAG).
/// - The doc comment is the task's description; the function stays callable as written.
/// - A `...Result<T, E>` return type makes the task fallible: dependents receive `&T`.
/// - `#[task(input)]`: an input of the DAG. Written without a body (`fn root() -> PathBuf;`)
///   it is required: a run must give it a value with [`Dag::set`], or fails before any task
///   runs ([`Error::MissingInput`]). No function is emitted for it (there is no code to call:
///   `root()` does not compile), only its marker type, which dependents and `set::<root>` name.
///   With a body, the body is its default and stays callable. An input has no parameters and
///   cannot be `final`. [`Dag::set`] also overrides any other task.
/// - `#[each]` on one parameter (`fn words(#[each] files: &PathBuf) -> usize`): the task runs
///   once per element of that upstream output (a `Vec<T>`, boxed slice or array; the parameter
///   is `&T`), the elements in parallel on the DAG's pool; dependents receive a `Vec` of the
///   outputs in element order. Each element is traced as `words[3]` and recorded in its own
///   profiling row (`element_index`); the first failing element fails the task, naming its
///   index. Retries apply per element (only a failing element runs again); the cache stores
///   the task's whole output. The function
///   stays callable as written (`words(&path)`).
/// - `#[task(after = [a, b])]`: `a` and `b` finish before this task starts, passing no data;
///   checked like parameters (an unknown name, a cycle: compile errors at the name).
///
/// Every wiring mistake is a compile error at the offending token. A parameter that names no
/// task:
///
/// ```compile_fail
/// use dag::task;
///
/// #[task]
/// fn extract() -> Vec<i32> { vec![1, 2, 3] }
///
/// #[task(final)]
/// fn load(extrct: &Vec<i32>) -> usize { extrct.len() } // error: cannot find type `extrct`
/// # fn main() {}
/// ```
///
/// A parameter whose type is not the upstream output:
///
/// ```compile_fail
/// use dag::task;
///
/// #[task]
/// fn extract() -> Vec<i32> { vec![1, 2, 3] }
///
/// #[task(final)]
/// fn load(extract: &String) -> usize { extract.len() } // error: expected `&String`, found `&Vec<i32>`
/// # fn main() {}
/// ```
pub use dagmacros::task;
pub use error::Error;
pub use exec::wait::gates::{GateDecision, GateHandle, GateHandler, GateRequest};
pub use exec::{
    CacheStats, CancelHandle, ElementResult, Execution, NodeResult, NodeStatus, ReuseSource,
    cancelled,
};
pub use inputs::{InputError, Inputs};
pub use observe::{Observer, TaskRef};
pub use options::TaskOptions;
pub use profile::{ProfileReport, profile_execution};
pub use task::{InputKind, Task, TaskDescriptor};
pub use trace::ExecutionTrace;
pub use value::{AsyncBodyResult, BodyResult};
