//! Dag: the static DAG, the `#[task]` functions of one module — selecting, configuring, running.

use crate::config::{RunConfig, config_methods, debug_config};
use crate::error::Error;
use crate::exec::{Bodies, Execution};
use crate::graph::{Graph, NodeId};
use crate::graph_dag::estimate;
use crate::launch::{Launch, Memory, take_final};
use crate::options::TaskOptions;
use crate::registry::{self, Registered};
use crate::select::{Provided, select};
use crate::task::InputKind;
use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A static DAG: the `#[task]` functions of one module (see [`Dag::new`]). A graph built at
/// run time is a [`GraphDag`](crate::GraphDag) instead (see [`Dag::from_graph`]).
///
/// ```standalone_crate
/// use dag::{task, Dag};
///
/// /// Numbers to work on.
/// #[task]
/// fn numbers() -> Vec<i32> {
///     vec![1, 2, 3]
/// }
///
/// /// Doubles them.
/// #[task(final)]
/// fn doubled(numbers: &Vec<i32>) -> Vec<i32> {
///     numbers.iter().map(|x| x * 2).collect()
/// }
///
/// let out: Vec<i32> = Dag::new("example").run()?;
/// assert_eq!(out, [2, 4, 6]);
/// # Ok::<(), dag::Error>(())
/// ```
#[must_use]
pub struct Dag {
    pub(crate) config: RunConfig,
    /// Values given with [`Dag::set`].
    pub(crate) provided: Provided,
    /// The registered DAG `config.name` refers to, once looked up (the name never changes).
    resolved: OnceLock<Arc<Registered>>,
}

/// What [`Dag::tasks`] and [`Dag::task`] tell about one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    /// The task's name.
    pub name: &'static str,
    /// Its doc comment.
    pub description: &'static str,
    /// The tasks it depends on, in parameter order.
    pub dependencies: Vec<&'static str>,
    /// Its output type.
    pub output_type: &'static str,
    /// The module it is defined in.
    pub module_path: &'static str,
    /// `file:line` of its function.
    pub location: String,
    /// Whether it is the DAG's final task.
    pub is_final: bool,
    /// Whether it is an input (`#[task(input)]`), and whether it has a default.
    pub input: InputKind,
    /// The tasks of `after = [..]`: they finish before it starts, passing no data.
    pub after: Vec<&'static str>,
    /// The options written in `#[task(...)]` (the DAG's defaults apply where they are `None`).
    pub options: TaskOptions,
    /// Whether it is an `async fn` (run on the async scheduler).
    pub is_async: bool,
}

impl Dag {
    /// Selects the static DAG called `name` (nothing is checked until it is used).
    ///
    /// A DAG is the set of `#[task]` functions of one module, plus the tasks they depend on.
    /// `name` is that module's name (`"etl"`) or full path (`"my_crate::etl"`). A binary with a
    /// single DAG that has a final task may use any name: that DAG is run.
    ///
    /// In doctests, mark examples that run a DAG ```` ```standalone_crate ````: Rust 2024 merges
    /// doctests into one binary, which then holds the DAGs of every example.
    pub fn new(name: impl Into<String>) -> Self {
        Dag {
            config: RunConfig::new(name.into()),
            provided: Provided::default(),
            resolved: OnceLock::new(),
        }
    }

    /// A DAG over a graph built at run time: a [`GraphDag`](crate::GraphDag), run with
    /// [`Tasks`](crate::Tasks).
    pub fn from_graph(name: impl Into<String>, graph: Graph) -> crate::GraphDag {
        crate::GraphDag::new(name, graph)
    }

    config_methods!();

    /// Finishes the run saved in the checkpoint dir: completed outputs are loaded, only the
    /// other tasks run (in parallel). Reused tasks show as `node_cache_hit` events with
    /// `{"source": "checkpoint"}`.
    ///
    /// # Errors
    /// [`Error::NoCheckpointDir`] without a checkpoint dir; [`Error::Checkpoint`] when the
    /// checkpoint cannot be read or was written by a different version of the DAG (the
    /// message names the task that changed); and every error of [`Dag::execute`].
    pub fn resume(&self) -> Result<Execution, Error> {
        self.config.check_resumable()?;
        self.execute_memory(Memory::Resume)
    }

    /// Runs again after the tasks named in `changed` saw new inputs (external data): they and
    /// what they reach run; every other output is reused from `previous`. A recomputed output
    /// equal to its previous value (same content hash) stops the propagation (early cutoff).
    /// `previous` must have kept its outputs (`.keep_outputs(true)`); the new execution keeps
    /// them too, so it can be rerun in turn. Reused tasks show as `node_cache_hit` events with
    /// `{"source": "previous_run"}`.
    ///
    /// # Errors
    /// [`Error::UnknownTask`] for a name in `changed` that is not a task;
    /// [`Error::RerunOtherDag`] when `previous` ran another graph; and every error of
    /// [`Dag::execute`].
    pub fn rerun(&self, previous: Execution, changed: &[&str]) -> Result<Execution, Error> {
        self.execute_memory(Memory::Rerun {
            previous: Box::new(previous),
            changed,
        })
    }

    pub(crate) fn resolve(&self) -> Result<Arc<Registered>, Error> {
        self.registered().cloned()
    }

    /// The registered DAG, looked up at the first call (a failed lookup is repeated: it is
    /// an error every time).
    fn registered(&self) -> Result<&Arc<Registered>, Error> {
        if let Some(spec) = self.resolved.get() {
            return Ok(spec);
        }
        let spec = registry::lookup(&self.config.name)?;
        Ok(self.resolved.get_or_init(|| spec))
    }

    /// The tasks of this static DAG, in insertion order (its own tasks in source order, then
    /// the upstream tasks they import).
    ///
    /// # Errors
    /// If the DAG cannot be resolved (see [`Dag::new`]).
    pub fn tasks(&self) -> Result<Vec<TaskInfo>, Error> {
        let spec = self.resolve()?;
        Ok(spec.graph.nodes().map(|n| task_info(&spec, n)).collect())
    }

    /// The task of this DAG called `name` (its node name: `etl::extract` for an imported task
    /// whose name another task of the DAG has too), if there is one.
    ///
    /// # Errors
    /// If the DAG cannot be resolved (see [`Dag::new`]).
    pub fn task(&self, name: &str) -> Result<Option<TaskInfo>, Error> {
        let spec = self.resolve()?;
        Ok(spec.graph.find(name).map(|n| task_info(&spec, n)))
    }

    /// Predicts the critical path and makespan of this DAG on `workers` workers from per-task
    /// durations in seconds (e.g. [`MetaDb::mean_runtimes`](crate::meta::MetaDb::mean_runtimes)),
    /// by simulating dependency-driven list scheduling. Tasks missing from `durations` count as
    /// 0 s and are listed in [`Estimate::missing`](crate::profile::Estimate::missing).
    ///
    /// # Errors
    /// If the DAG cannot be resolved.
    pub fn estimate(
        &self,
        durations: &HashMap<String, f64>,
        workers: usize,
    ) -> Result<crate::profile::Estimate, Error> {
        Ok(estimate(&*self.graph()?, durations, workers))
    }

    /// The graph this DAG runs.
    ///
    /// # Errors
    /// If the DAG cannot be resolved (see [`Dag::new`]).
    pub fn graph(&self) -> Result<Arc<Graph>, Error> {
        Ok(self.resolve()?.graph.clone())
    }

    /// The DAG in Graphviz DOT syntax; inputs (`#[task(input)]`) are drawn as parallelograms.
    ///
    /// # Errors
    /// If the DAG cannot be resolved.
    pub fn to_dot(&self) -> Result<String, Error> {
        let spec = self.resolve()?;
        let is_input = |n: NodeId| spec.tasks[n.index()].input.is_input();
        Ok(spec.graph.to_dot_marking(&self.config.name, &is_input))
    }

    /// The DAG as a Mermaid flowchart; inputs are drawn as parallelograms (`n0[/"root"/]`).
    ///
    /// # Errors
    /// If the DAG cannot be resolved.
    pub fn to_mermaid(&self) -> Result<String, Error> {
        let spec = self.resolve()?;
        let is_input = |n: NodeId| spec.tasks[n.index()].input.is_input();
        Ok(spec.graph.to_mermaid_marking(&is_input))
    }

    /// Runs every task and returns what happened, whatever the tasks did.
    ///
    /// # Errors
    /// Only for what prevents the run from starting: the DAG cannot be resolved (unknown or
    /// ambiguous name, duplicate task names, cycle), the pool cannot start.
    pub fn execute(&self) -> Result<Execution, Error> {
        self.execute_memory(Memory::Fresh)
    }

    fn execute_memory(&self, memory: Memory<'_>) -> Result<Execution, Error> {
        self.launch_part(self.registered()?, None, memory)
    }

    /// Runs what `targets` need (`None`: the whole DAG) with the values given with `set`.
    pub(crate) fn launch_part(
        &self,
        spec: &Registered,
        targets: Option<&[NodeId]>,
        memory: Memory<'_>,
    ) -> Result<Execution, Error> {
        let plain = targets.is_none()
            && self.provided.is_empty()
            && !spec.tasks.iter().any(|d| d.input == InputKind::Required);
        if plain {
            return launch(spec).launch(&self.config, memory);
        }
        select(spec, &self.provided, targets)?
            .launch()
            .launch(&self.config, memory)
    }

    /// Runs the DAG and returns the final task's output.
    ///
    /// # Errors
    /// [`Error::TaskFailed`] naming the first failed task and its error; [`Error::NoFinalTask`];
    /// [`Error::OutputType`] if `T` is not the final task's output type (checked before
    /// anything runs); and every error of [`Dag::execute`].
    pub fn run<T: Any>(&self) -> Result<T, Error> {
        let spec = self.registered()?;
        let fin = spec.final_node.ok_or_else(|| Error::NoFinalTask {
            dag: spec.module.to_string(),
        })?;
        let d = spec.tasks[fin.index()];
        if (d.output_type_id)() != TypeId::of::<T>() {
            return Err(Error::OutputType {
                task: d.name.to_string(),
                expected: type_name::<T>(),
                found: d.output_type().to_string(),
            });
        }
        let exec = self.launch_part(spec, None, Memory::Fresh)?;
        // The run's graph may be a part of the DAG's (see `select`): find the final task in it.
        let fin = if std::ptr::eq(exec.graph(), &*spec.graph) {
            fin
        } else {
            exec.graph()
                .find(spec.graph.name(fin))
                .ok_or_else(|| Error::NotInDag {
                    dag: spec.module.to_string(),
                    names: vec![d.name.to_string()],
                })?
        };
        take_final(exec, fin, d.output_type())
    }
}

/// One run of a static DAG.
fn launch(spec: &Registered) -> Launch<'_> {
    Launch {
        graph: &spec.graph,
        bodies: Bodies::Refs(&spec.bodies),
        frees: &spec.frees,
        final_node: spec.final_node,
        tasks: spec.tasks.clone(),
        specs: &spec.specs,
        provided: Vec::new(),
        asyncs: Vec::new(),
    }
}

fn task_info(spec: &Registered, n: NodeId) -> TaskInfo {
    let d = spec.tasks[n.index()];
    TaskInfo {
        name: d.name,
        description: d.description,
        dependencies: d.deps.iter().map(|f| f().name).collect(),
        output_type: d.output_type(),
        module_path: d.module_path,
        location: d.location(),
        is_final: spec.final_node == Some(n),
        input: d.input,
        after: d.after(),
        options: d.options,
        is_async: d.is_async(),
    }
}

impl fmt::Debug for Dag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_config(f.debug_struct("Dag"), &self.config)
            .field("provided", &self.provided.names())
            .finish_non_exhaustive()
    }
}

/// The module paths of every static DAG of this binary.
#[must_use]
pub fn dag_names() -> Vec<&'static str> {
    registry::dag_names()
}
