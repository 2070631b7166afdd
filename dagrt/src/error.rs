//! Error: everything that can go wrong before or during a run, naming the task or DAG at fault.

use crate::checkpoint::CheckpointError;
use crate::graph::GraphError;
use std::fmt;

/// Errors of this crate. Messages name the task, DAG or file at fault and say what to do.
///
/// A variant that wraps the error of a layer (the graph, the checkpoint store, the worker
/// pool) returns it from [`source`](std::error::Error::source); its message already ends
/// with that error's message, so printing the message alone loses nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A graph built at run time is invalid.
    Graph(GraphError),
    /// `Dag::new(name)` matches no DAG of this binary.
    UnknownDag {
        /// The name asked for.
        name: String,
        /// The DAGs this binary has (module paths).
        available: Vec<String>,
    },
    /// `Dag::new(name)` matches several DAGs.
    AmbiguousDag {
        /// The name asked for.
        name: String,
        /// The matching DAGs (module paths).
        candidates: Vec<String>,
    },
    /// `run()` needs a `#[task(final)]`, and the DAG has none.
    NoFinalTask {
        /// The DAG.
        dag: String,
    },
    /// Two different tasks of one DAG have the same name (possible when dependencies come from
    /// other modules).
    DuplicateTask {
        /// The DAG.
        dag: String,
        /// The repeated name.
        name: String,
        /// `module::path (file:line)` of each.
        locations: Vec<String>,
    },
    /// The tasks of a DAG form a cycle (only possible for graphs rustc could not check).
    Cycle {
        /// The DAG.
        dag: String,
        /// `a -> b -> c -> a`, each with `file:line` where known.
        path: Vec<String>,
    },
    /// A task failed, so the final output could not be produced.
    TaskFailed {
        /// The failed task.
        task: String,
        /// Its error or panic message.
        error: String,
    },
    /// `run::<T>()` asked for a `T` that is not the final task's output type.
    OutputType {
        /// The final task.
        task: String,
        /// The type asked for.
        expected: &'static str,
        /// The task's output type.
        found: String,
    },
    /// `run()`/`run_with()` of a builder DAG whose graph has no nodes, or several sinks and no
    /// node chosen with `final_node`.
    NoFinalNode {
        /// The DAG.
        dag: String,
        /// The graph's first few sinks, in insertion order (none when it has no nodes).
        sinks: Vec<String>,
        /// How many sinks the graph has.
        count: usize,
    },
    /// `final_node(name)` names no node of the builder DAG's graph.
    UnknownNode {
        /// The DAG.
        dag: String,
        /// The name asked for.
        name: String,
        /// The first few nodes of the graph, in insertion order.
        nodes: Vec<String>,
        /// How many nodes the graph has.
        total: usize,
    },
    /// `execute()`/`run()`/`resume()`/`rerun()` of a [`GraphDag`](crate::GraphDag) whose
    /// task bodies were not bound with `with_tasks`.
    NoTaskBodies {
        /// The DAG.
        dag: String,
    },
    /// A node of a builder graph has no task body.
    MissingTask {
        /// The node.
        node: String,
    },
    /// A task body was given for a name that is not a node of the graph.
    UnknownTask {
        /// The name.
        name: String,
    },
    /// The worker pool could not be created.
    Pool(rayon::ThreadPoolBuildError),
    /// The tokio runtime of the async tasks could not be started.
    AsyncRuntime {
        /// Why.
        reason: String,
    },
    /// A task asks for a resource pool the DAG does not declare (`Dag::resource`).
    UnknownResource {
        /// The task.
        task: String,
        /// The pool it asks for.
        pool: String,
        /// The pools the DAG declares.
        declared: Vec<String>,
    },
    /// A task's options contradict each other (a builder task's [`TaskOptions`](crate::TaskOptions);
    /// `#[task(...)]` rejects the same at compile time).
    InvalidOptions {
        /// The task.
        task: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A task asks for more of a pool than the pool holds: it could never run.
    ResourceTooLarge {
        /// The task.
        task: String,
        /// The pool.
        pool: String,
        /// What the task asks for.
        amount: u32,
        /// What the pool holds.
        capacity: u32,
    },
    /// `resume()` of a DAG that has no checkpoint dir.
    NoCheckpointDir {
        /// The DAG.
        dag: String,
    },
    /// `resume()` cannot use the checkpoint (unreadable, damaged, or written by another
    /// version of the DAG: the message names the task that changed).
    Checkpoint(CheckpointError),
    /// `rerun()` was given an execution of another DAG, or of another version of this one.
    RerunOtherDag {
        /// The DAG asked to rerun.
        dag: String,
        /// The DAG the previous execution ran.
        previous: String,
    },
    /// A required input (`#[task(input)]` without a body) was given no value with
    /// [`Dag::set`](crate::Dag::set); nothing ran.
    MissingInput {
        /// The DAG.
        dag: String,
        /// Each input without a value: its name and `file:line`, in the DAG's node order.
        inputs: Vec<(String, String)>,
    },
    /// `execute_to` named tasks that are not in the DAG, or `run_to` / `set` a task of
    /// another DAG.
    NotInDag {
        /// The DAG.
        dag: String,
        /// The names not found, as given.
        names: Vec<String>,
    },
}

impl From<GraphError> for Error {
    fn from(e: GraphError) -> Self {
        Error::Graph(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Graph(e) => write!(f, "invalid graph: {e}"),
            Error::UnknownDag { name, available } if available.is_empty() => write!(
                f,
                "no DAG named `{name}`: this binary has no #[dag::task] (tasks in a library crate \
                 are only linked if the binary uses one of its items)"
            ),
            Error::UnknownDag { name, available } => write!(
                f,
                "no DAG named `{name}`; this binary's DAGs are: {} (a DAG is named after the \
                 module holding its tasks)",
                available.join(", ")
            ),
            Error::AmbiguousDag { name, candidates } => write!(
                f,
                "DAG name `{name}` is ambiguous: it matches {}; use the full module path",
                candidates.join(", ")
            ),
            Error::NoFinalTask { dag } => write!(
                f,
                "DAG `{dag}` has no final task: mark the task whose output run() returns with \
                 #[task(final)], or call execute()"
            ),
            Error::DuplicateTask {
                dag,
                name,
                locations,
            } => write!(
                f,
                "DAG `{dag}` has two tasks named `{name}`: {}; rename one",
                locations.join(" and ")
            ),
            Error::Cycle { dag, path } => write!(
                f,
                "DAG `{dag}` has a dependency cycle: {}",
                path.join(" -> ")
            ),
            Error::TaskFailed { task, error } => write!(f, "task `{task}` failed: {error}"),
            Error::OutputType {
                task,
                expected,
                found,
            } => write!(
                f,
                "run() asked for a `{expected}`, but the final task `{task}` returns `{found}`"
            ),
            Error::NoFinalNode { dag, sinks, count } => match sinks.first() {
                None => write!(
                    f,
                    "DAG `{dag}` has no nodes, so run() / run_with() have no output to return: \
                     add nodes to its graph (the output returned is that of its only sink, or \
                     of the node chosen with .final_node(name))"
                ),
                Some(first) => write!(
                    f,
                    "DAG `{dag}` has {} sinks ({}) and run() / run_with() return one node's \
                     output: choose it with .final_node({first:?}), or call execute() / \
                     execute_with() to get every output",
                    count,
                    few(sinks, *count)
                ),
            },
            Error::UnknownNode {
                dag,
                name,
                total: 0,
                ..
            } => write!(
                f,
                "DAG `{dag}` has no node named `{name}`: its graph has no nodes"
            ),
            Error::UnknownNode {
                dag,
                name,
                nodes,
                total,
            } => write!(
                f,
                "DAG `{dag}` has no node named `{name}`; final_node() takes one of its nodes: {}",
                few(nodes, *total)
            ),
            Error::NoTaskBodies { dag } => write!(
                f,
                "DAG `{dag}` was built with Dag::from_graph and has no task bodies yet: bind \
                 them with .with_tasks(tasks), or run it with execute_with(&tasks) / \
                 run_with(&tasks)"
            ),
            Error::MissingTask { node } => {
                write!(f, "node `{node}` has no task: give it one before running")
            }
            Error::UnknownTask { name } => write!(
                f,
                "a task was given for `{name}`, which is not a node of the graph"
            ),
            Error::Pool(e) => write!(f, "could not start the worker pool: {e}"),
            Error::AsyncRuntime { reason } => {
                write!(
                    f,
                    "could not start the tokio runtime of the async tasks: {reason}"
                )
            }
            Error::UnknownResource {
                task,
                pool,
                declared,
            } => {
                write!(
                    f,
                    "task `{task}` asks for resource `{pool}`, which the DAG does not declare"
                )?;
                if declared.is_empty() {
                    write!(f, " (it declares none)")?;
                } else {
                    write!(f, " (it declares: {})", declared.join(", "))?;
                }
                write!(f, "; declare it with .resource(\"{pool}\", capacity)")
            }
            Error::InvalidOptions { task, reason } => {
                write!(f, "task `{task}` has invalid options: {reason}")
            }
            Error::ResourceTooLarge {
                task,
                pool,
                amount,
                capacity,
            } => write!(
                f,
                "task `{task}` asks for {amount} of resource `{pool}`, which holds {capacity}: \
                 it could never run"
            ),
            Error::NoCheckpointDir { dag } => write!(
                f,
                "checkpoint: DAG `{dag}` has no checkpoint to resume: resume() needs \
                 .checkpoint_dir(path)"
            ),
            Error::Checkpoint(e) => write!(
                f,
                "checkpoint: cannot resume: {} (execute() starts a new checkpoint there)",
                e.detail()
            ),
            Error::RerunOtherDag { dag, previous } => write!(
                f,
                "cannot rerun DAG `{dag}`: the previous execution ran DAG `{previous}` with \
                 other tasks; rerun needs an execution of this DAG"
            ),
            Error::MissingInput { dag, inputs } => {
                write!(f, "DAG `{dag}` cannot run: ")?;
                for (i, (name, location)) in inputs.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(
                        f,
                        "input `{name}` ({location}) has no value: set it with \
                         `.set::<{name}>(value)`"
                    )?;
                }
                Ok(())
            }
            Error::NotInDag { dag, names } => write!(
                f,
                "DAG `{dag}` has no task {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// How many names a message lists before it says "and N more".
pub(crate) const LISTED: usize = 5;

/// `` `a`, `b`, `c` ``: the first [`LISTED`] of `names`, then how many of `total` are left.
fn few(names: &[String], total: usize) -> String {
    let shown = names.len().min(LISTED);
    let mut out = names[..shown]
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if total > shown {
        out.push_str(&format!(" and {} more", total - shown));
    }
    out
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Graph(e) => Some(e),
            Error::Pool(e) => Some(e),
            Error::Checkpoint(e) => Some(e),
            _ => None,
        }
    }
}
