//! Dag: selecting, configuring and running a DAG (static `#[task]` DAGs and builder graphs).

use crate::cache::CacheStore;
use crate::error::Error;
use crate::exec::policy::{NodeSpec, Policies};
use crate::exec::{self, Bodies, DynBody, Execution, NodeStatus};
use crate::graph::{Graph, NodeId};
use crate::memory::{
    Persisting, fresh_checkpoint, manifest_of, preset_from_checkpoint, preset_from_previous,
    resume_checkpoint, unpersisted,
};
use crate::options::TaskOptions;
use crate::registry::{self, StaticDag};
use crate::task::TaskDescriptor;
use crate::tasks::{OutputType, Tasks};
use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

/// A DAG to run: the `#[task]` functions of one module (see [`Dag::new`]), or a graph built at
/// run time (see [`Dag::from_graph`]).
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
    name: String,
    description: String,
    profile: bool,
    tracing: Option<bool>,
    max_workers: Option<usize>,
    fail_fast: bool,
    keep_outputs: bool,
    meta_dir: Option<PathBuf>,
    pool: OnceLock<Arc<rayon::ThreadPool>>,
    graph: Option<(Arc<Graph>, Option<NodeId>)>,
    bound: Option<Bound>,
    defaults: TaskOptions,
    cache_dir: Option<PathBuf>,
    cache_max_bytes: u64,
    checkpoint_dir: Option<PathBuf>,
}

/// What a run remembers from before.
enum Memory<'p> {
    /// Nothing: every task runs (or is served from the cache).
    Fresh,
    /// The outputs saved in the checkpoint dir.
    Resume,
    /// The outputs of a previous execution; `changed` tasks and what their changes reach run.
    Rerun {
        previous: Box<Execution>,
        changed: &'p [&'p str],
    },
}

/// Task bodies bound to a builder graph once, in node order.
struct Bound {
    bodies: Vec<DynBody<'static>>,
    frees: Vec<bool>,
    outputs: Vec<OutputType>,
    specs: Vec<NodeSpec>,
}

/// What [`Dag::tasks`] tells about one task.
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
            name: name.into(),
            description: String::new(),
            profile: false,
            tracing: None,
            max_workers: None,
            fail_fast: false,
            keep_outputs: false,
            meta_dir: None,
            pool: OnceLock::new(),
            graph: None,
            bound: None,
            defaults: TaskOptions::NONE,
            cache_dir: None,
            cache_max_bytes: 1 << 30,
            checkpoint_dir: None,
        }
    }

    /// A DAG over a graph built at run time; run it with [`Dag::execute_with`] and [`Tasks`].
    pub fn from_graph(name: impl Into<String>, graph: Graph) -> Self {
        let mut dag = Dag::new(name);
        dag.graph = Some((Arc::new(graph), None));
        dag
    }

    /// Retries every failing task up to `n` more times (a task's `#[task(retries = ..)]` wins).
    pub fn retries(mut self, n: u32) -> Self {
        self.defaults.retries = Some(n);
        self
    }

    /// First delay between attempts (default 100 ms); it doubles after each failure, with a
    /// random jitter of ±50%, and never exceeds 10 minutes, whatever `delay` is (even
    /// `Duration::MAX`; a task's `#[task(backoff = ..)]` wins).
    pub fn backoff(mut self, delay: Duration) -> Self {
        self.defaults.backoff = Some(delay);
        self
    }

    /// Caches every task whose output is serde-capable, not only `#[task(cache)]` ones (for a
    /// builder graph: every task added with [`Tasks::add_persistent`]). Tasks that cannot be
    /// cached are named in a warning of the [`Execution`]; an unusable cache dir makes the
    /// run uncached, with a warning, never a failed run.
    pub fn cache(mut self, on: bool) -> Self {
        self.defaults.cache = Some(on);
        self
    }

    /// Where cached outputs go (default: `DAG_CACHE_DIR`, else `.dag-cache`).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Size limit of the cache dir; least recently used entries are evicted beyond it
    /// (default 1 GiB).
    pub fn cache_max_bytes(mut self, bytes: u64) -> Self {
        self.cache_max_bytes = bytes;
        self
    }

    /// Saves each completed, serde-capable output to `dir` as soon as it is produced, so that
    /// [`Dag::resume`] can finish a failed or killed run. A new run (`execute`/`run`) starts a
    /// fresh checkpoint (replacing a damaged one); if that cannot be written, the run goes on
    /// without a checkpoint and says so in a warning. Tasks that cannot be checkpointed are
    /// named in a warning.
    pub fn checkpoint_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint_dir = Some(dir.into());
        self
    }

    /// Finishes the run saved in the checkpoint dir: completed outputs are loaded, only the
    /// other tasks run (in parallel). Reused tasks show as `node_cache_hit` events with
    /// `{"source": "checkpoint"}`.
    ///
    /// # Errors
    /// [`Error::NoCheckpointDir`] without a checkpoint dir; [`Error::Checkpoint`] when the checkpoint was written by a
    /// different version of the DAG (the message names the task that changed); and every error
    /// of [`Dag::execute`].
    pub fn resume(&self) -> Result<Execution, Error> {
        if self.checkpoint_dir.is_none() {
            return Err(Error::NoCheckpointDir {
                dag: self.name.clone(),
            });
        }
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
    /// [`Error::UnknownTask`] for a name in `changed` that is not a task; [`Error::RerunOtherDag`] when
    /// `previous` ran another graph; and every error of [`Dag::execute`].
    pub fn rerun(&self, previous: Execution, changed: &[&str]) -> Result<Execution, Error> {
        self.execute_memory(Memory::Rerun {
            previous: Box::new(previous),
            changed,
        })
    }

    /// Binds task bodies to this builder DAG once, so that [`Dag::execute`] and [`Dag::run`]
    /// run it without looking anything up by name (the fastest way to run a builder graph
    /// repeatedly).
    ///
    /// # Errors
    /// [`Error::MissingTask`] / [`Error::UnknownTask`] when `tasks` does not match the graph's
    /// nodes; [`Error::NotBuilderDag`] when this is not a builder DAG.
    pub fn with_tasks(mut self, mut tasks: Tasks<'static>) -> Result<Self, Error> {
        let (graph, _) = self.builder_graph("with_tasks")?;
        tasks.check(graph)?;
        let mut bodies = Vec::with_capacity(graph.len());
        let mut frees = Vec::with_capacity(graph.len());
        let mut outputs = Vec::with_capacity(graph.len());
        let mut specs = Vec::with_capacity(graph.len());
        for n in graph.nodes() {
            let entry = tasks
                .bodies
                .remove(graph.name(n))
                .ok_or_else(|| Error::MissingTask {
                    node: graph.name(n).to_string(),
                })?;
            bodies.push(entry.body);
            frees.push(entry.frees);
            outputs.push(entry.output);
            specs.push(entry.spec);
        }
        self.bound = Some(Bound {
            bodies,
            frees,
            outputs,
            specs,
        });
        Ok(self)
    }

    /// Describes the DAG (recorded with profiling records).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Writes profiling records of every run (see the `meta` module).
    pub fn profile(mut self, on: bool) -> Self {
        self.profile = on;
        self
    }

    /// Records an execution trace. Without this call the environment decides: `DAG_TRACING`
    /// set to `1`, `true`, `yes` or `on` (any case) switches tracing on; `0`, `false`, `no`,
    /// `off`, empty or unset leave it off; any other value leaves it off with a warning on the
    /// [`Execution`] naming the value.
    pub fn tracing(mut self, on: bool) -> Self {
        self.tracing = Some(on);
        self
    }

    /// Number of worker threads (default: the available parallelism).
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = Some(n.max(1));
        self
    }

    /// On the first failure, cancel every task that has not started yet.
    pub fn fail_fast(mut self, on: bool) -> Self {
        self.fail_fast = on;
        self
    }

    /// Keep every task's output in the [`Execution`] (by default only the final task's output is
    /// kept; the others are freed as soon as their last dependent has finished).
    pub fn keep_outputs(mut self, on: bool) -> Self {
        self.keep_outputs = on;
        self
    }

    /// Where profiling records go (default: `DAG_META_DIR`, else `meta`).
    pub fn meta_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.meta_dir = Some(dir.into());
        self
    }

    /// Runs on an existing pool (shared between DAGs); `max_workers` is then the pool's size.
    pub fn thread_pool(self, pool: Arc<rayon::ThreadPool>) -> Self {
        let _ = self.pool.set(pool);
        self
    }

    /// For a builder graph: the node whose output [`Dag::run_with`] returns (default: the only
    /// sink).
    ///
    /// # Errors
    /// [`Error::UnknownNode`] if the graph has no node called `name` (the message lists a few
    /// of its nodes); [`Error::NotBuilderDag`] if this is not a builder DAG.
    pub fn final_node(mut self, name: &str) -> Result<Self, Error> {
        let (graph, _) = self.builder_graph("final_node")?;
        let found = graph.find(name).ok_or_else(|| Error::UnknownNode {
            dag: self.name.clone(),
            name: name.to_string(),
            nodes: graph
                .nodes()
                .take(crate::error::LISTED)
                .map(|n| graph.name(n).to_string())
                .collect(),
            total: graph.len(),
        })?;
        if let Some((_, fin)) = &mut self.graph {
            *fin = Some(found);
        }
        Ok(self)
    }

    /// The DAG's name as given.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this run is traced, and a warning when `DAG_TRACING` holds no known value.
    fn tracing_on(&self) -> (bool, Option<String>) {
        match self.tracing {
            Some(on) => (on, None),
            None => tracing_from_env(std::env::var_os("DAG_TRACING").as_deref()),
        }
    }

    /// The graph and chosen final node of a builder DAG; `method` names the call for the error.
    fn builder_graph(&self, method: &'static str) -> Result<&(Arc<Graph>, Option<NodeId>), Error> {
        self.graph.as_ref().ok_or_else(|| Error::NotBuilderDag {
            dag: self.name.clone(),
            method,
        })
    }

    /// The node whose output `run`/`run_with` return: the one set with `final_node`, else the
    /// only sink; the error tells how to choose one.
    fn final_of(&self, graph: &Graph, fin: Option<NodeId>) -> Result<NodeId, Error> {
        final_or_sink(graph, fin).ok_or_else(|| {
            let mut sinks = graph.sinks();
            let listed: Vec<String> = sinks
                .by_ref()
                .take(crate::error::LISTED)
                .map(|n| graph.name(n).to_string())
                .collect();
            Error::NoFinalNode {
                dag: self.name.clone(),
                count: listed.len() + sinks.count(),
                sinks: listed,
            }
        })
    }

    fn worker_pool(&self) -> Result<&Arc<rayon::ThreadPool>, Error> {
        if let Some(pool) = self.pool.get() {
            return Ok(pool);
        }
        let n = self
            .max_workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("dag-worker-{i}"))
            .stack_size(16 << 20)
            .build()
            .map_err(Error::Pool)?;
        Ok(self.pool.get_or_init(|| Arc::new(pool)))
    }

    /// The error for running a builder DAG without task bodies.
    fn missing_tasks(&self) -> Error {
        let node = self
            .graph
            .as_ref()
            .and_then(|(g, _)| g.nodes().next().map(|n| g.name(n).to_string()));
        Error::MissingTask {
            node: node.unwrap_or_default(),
        }
    }

    fn resolve(&self) -> Result<Arc<StaticDag>, Error> {
        registry::lookup(&self.name)
    }

    /// The tasks of this static DAG, in insertion order (its own tasks in source order, then
    /// the upstream tasks they import).
    ///
    /// # Errors
    /// If the DAG cannot be resolved (see [`Dag::new`]).
    pub fn tasks(&self) -> Result<Vec<TaskInfo>, Error> {
        let spec = self.resolve()?;
        Ok(spec
            .tasks
            .iter()
            .enumerate()
            .map(|(i, d)| TaskInfo {
                name: d.name,
                description: d.description,
                dependencies: d.deps.iter().map(|f| f().name).collect(),
                output_type: (d.output_type)(),
                module_path: d.module_path,
                location: d.location(),
                is_final: spec.final_node == Some(NodeId(i as u32)),
            })
            .collect())
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
        let g = self.graph()?;
        let order = g.topological_order();
        let mut position = vec![0usize; g.len()];
        for (i, id) in order.iter().enumerate() {
            position[id.index()] = i;
        }
        let names: Vec<String> = order.iter().map(|&id| g.name(id).to_string()).collect();
        let preds: Vec<Vec<usize>> = order
            .iter()
            .map(|&id| {
                g.predecessors(id)
                    .iter()
                    .map(|p| position[p.index()])
                    .collect()
            })
            .collect();
        Ok(crate::profile::estimate_from_history(
            &names, &preds, durations, workers,
        ))
    }

    /// The graph this DAG runs.
    ///
    /// # Errors
    /// If the DAG cannot be resolved (see [`Dag::new`]).
    pub fn graph(&self) -> Result<Arc<Graph>, Error> {
        match &self.graph {
            Some((g, _)) => Ok(g.clone()),
            None => Ok(self.resolve()?.graph.clone()),
        }
    }

    /// The DAG in Graphviz DOT syntax.
    ///
    /// # Errors
    /// If the DAG cannot be resolved.
    pub fn to_dot(&self) -> Result<String, Error> {
        Ok(self.graph()?.to_dot(&self.name))
    }

    /// The DAG as a Mermaid flowchart.
    ///
    /// # Errors
    /// If the DAG cannot be resolved.
    pub fn to_mermaid(&self) -> Result<String, Error> {
        Ok(self.graph()?.to_mermaid())
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
        if let Some((graph, fin)) = &self.graph {
            let Some(bound) = &self.bound else {
                return Err(self.missing_tasks());
            };
            return self.execute_plan(
                graph,
                Bodies::Boxed(&bound.bodies),
                &bound.frees,
                final_or_sink(graph, *fin),
                Arc::from(Vec::new()),
                &bound.specs,
                memory,
            );
        }
        let spec = self.resolve()?;
        self.execute_plan(
            &spec.graph,
            Bodies::Refs(&spec.bodies),
            &spec.frees,
            spec.final_node,
            spec.tasks.clone(),
            &spec.specs,
            memory,
        )
    }

    /// Runs the DAG and returns the final task's output.
    ///
    /// # Errors
    /// [`Error::TaskFailed`] naming the first failed task and its error; [`Error::NoFinalTask`]
    /// ([`Error::NoFinalNode`] for a builder DAG); [`Error::OutputType`] if `T` is not the final
    /// task's output type (checked before anything runs); and every error of [`Dag::execute`].
    pub fn run<T: Any>(&self) -> Result<T, Error> {
        if let Some((graph, fin)) = &self.graph {
            let Some(bound) = &self.bound else {
                return Err(self.missing_tasks());
            };
            let fin = self.final_of(graph, *fin)?;
            let found = bound.outputs[fin.index()];
            check_output::<T>(graph, fin, found)?;
            return take_final(self.execute()?, fin, found.name);
        }
        let spec = self.resolve()?;
        let fin = spec.final_node.ok_or_else(|| Error::NoFinalTask {
            dag: spec.module.to_string(),
        })?;
        let d = spec.tasks[fin.index()];
        if (d.output_type_id)() != TypeId::of::<T>() {
            return Err(Error::OutputType {
                task: d.name.to_string(),
                expected: type_name::<T>(),
                found: (d.output_type)().to_string(),
            });
        }
        let exec = self.execute()?;
        take_final(exec, fin, (d.output_type)())
    }

    /// Runs a builder DAG with the given task bodies.
    ///
    /// # Errors
    /// [`Error::MissingTask`] / [`Error::UnknownTask`] when `tasks` does not match the graph's
    /// nodes; [`Error::NotBuilderDag`] when this is a static DAG.
    pub fn execute_with(&self, tasks: &Tasks<'_>) -> Result<Execution, Error> {
        let (graph, fin) = self.builder_graph("execute_with")?;
        let (bodies, frees, specs) = tasks.resolve(graph)?;
        self.execute_resolved(graph, &bodies, &frees, &specs, final_or_sink(graph, *fin))
    }

    /// Runs a builder DAG and returns its final node's output (the node set with
    /// [`Dag::final_node`], else the graph's only sink).
    ///
    /// # Errors
    /// As [`Dag::execute_with`], plus [`Error::TaskFailed`], [`Error::NoFinalNode`] and
    /// [`Error::OutputType`] (these two before anything runs).
    pub fn run_with<T: Any>(&self, tasks: &Tasks<'_>) -> Result<T, Error> {
        let (graph, fin) = self.builder_graph("run_with")?;
        let (bodies, frees, specs) = tasks.resolve(graph)?;
        let fin = self.final_of(graph, *fin)?;
        let found = tasks
            .output_type(graph.name(fin))
            .ok_or_else(|| Error::MissingTask {
                node: graph.name(fin).to_string(),
            })?;
        check_output::<T>(graph, fin, found)?;
        let exec = self.execute_resolved(graph, &bodies, &frees, &specs, Some(fin))?;
        take_final(exec, fin, found.name)
    }

    /// Runs a builder DAG with bodies already resolved from [`Tasks`].
    fn execute_resolved(
        &self,
        graph: &Arc<Graph>,
        bodies: &[exec::Body<'_>],
        frees: &[bool],
        specs: &[NodeSpec],
        final_node: Option<NodeId>,
    ) -> Result<Execution, Error> {
        self.execute_plan(
            graph,
            Bodies::Refs(bodies),
            frees,
            final_node,
            Arc::from(Vec::new()),
            specs,
            Memory::Fresh,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn execute_plan(
        &self,
        graph: &Arc<Graph>,
        bodies: Bodies<'_>,
        frees: &[bool],
        final_node: Option<NodeId>,
        tasks: Arc<[&'static TaskDescriptor]>,
        specs: &[NodeSpec],
        memory: Memory<'_>,
    ) -> Result<Execution, Error> {
        let pool = self.worker_pool()?;
        let cache_store;
        let checkpoint_store;
        let mut policies = None;
        // Problems found before the run starts; they go first on the execution's warnings.
        let mut early_warnings = Vec::new();
        let rerun = matches!(memory, Memory::Rerun { .. });
        let defaults = &self.defaults;
        let needs_policies = self.checkpoint_dir.is_some()
            || !matches!(memory, Memory::Fresh)
            || specs
                .iter()
                .any(|s| s.options.resolve(defaults).beyond_plain());
        if needs_policies {
            let options = specs.iter().map(|s| s.options.resolve(defaults)).collect();
            let mut x = Policies::new(specs, options);
            if x.options.iter().any(|o| o.cache) {
                let dir = self
                    .cache_dir
                    .clone()
                    .unwrap_or_else(CacheStore::default_dir);
                match CacheStore::open(dir) {
                    Ok(store) => {
                        cache_store = store.max_bytes(self.cache_max_bytes);
                        x.cache = Some(&cache_store);
                    }
                    Err(e) => early_warnings.push(format!("{e}; this run is not cached")),
                }
            }
            if let Some(dir) = &self.checkpoint_dir {
                let manifest = manifest_of(&self.name, graph, specs);
                let opened = match memory {
                    Memory::Resume => Some(resume_checkpoint(dir, &manifest)?),
                    _ => fresh_checkpoint(dir, &manifest)
                        .map_err(|e| {
                            early_warnings.push(format!("{e}; this run is not checkpointed"));
                        })
                        .ok(),
                };
                if let Some(store) = opened {
                    checkpoint_store = store;
                    x.checkpoint = Some(&checkpoint_store);
                }
            }
            let on = Persisting {
                cache: x.cache.is_some(),
                checkpoint: x.checkpoint.is_some(),
            };
            early_warnings.extend(unpersisted(graph, (specs, &x.options), &tasks, on));
            match memory {
                Memory::Fresh => {}
                Memory::Resume => {
                    if let Some(store) = x.checkpoint {
                        preset_from_checkpoint(
                            &mut x,
                            store,
                            graph,
                            final_node,
                            self.keep_outputs,
                            &mut early_warnings,
                        );
                    }
                }
                Memory::Rerun { previous, changed } => preset_from_previous(
                    &mut x,
                    previous,
                    changed,
                    (&self.name, graph),
                    &mut early_warnings,
                )?,
            }
            policies = Some(x);
        }
        let started_at = SystemTime::now();
        let run_id = exec::new_run_id(started_at);
        let plan = exec::Plan {
            graph,
            bodies,
            frees,
            keep_all: self.keep_outputs || rerun,
            final_node,
            fail_fast: self.fail_fast,
            labels: (&self.name, &run_id),
            policies: policies.as_ref(),
        };
        let raw = exec::run(&plan, pool);
        // Outputs loaded for reuse that the run did not take (their tasks were skipped or
        // cancelled) are user values: their `Drop` may panic.
        let leftover = policies.and_then(exec::drop_quietly);
        let mut execution = Execution::from_raw(
            raw,
            run_id.clone(),
            Arc::from(self.name.as_str()),
            Arc::from(self.description.as_str()),
            graph.clone(),
            tasks,
            started_at,
            pool.current_num_threads(),
            final_node,
        );
        execution.warnings.splice(0..0, early_warnings);
        if let Some(text) = leftover {
            execution.warnings.push(format!(
                "dropping an output loaded for reuse panicked (the panic was caught): {text}"
            ));
        }
        let (tracing, warning) = self.tracing_on();
        execution.warnings.extend(warning);
        if tracing {
            execution.trace = Some(execution.deferred_trace());
        }
        if self.profile {
            let dir = self
                .meta_dir
                .clone()
                .unwrap_or_else(crate::meta::default_meta_dir);
            // The run's work is done: a record that cannot be written is a warning, not a
            // reason to throw the outputs away.
            if let Err(e) = crate::meta::record_execution(&dir, &execution) {
                execution
                    .warnings
                    .push(format!("profiling record not written: {e}"));
            }
        }
        Ok(execution)
    }
}

/// The node whose output `run` returns: the one set with `final_node`, else the only sink.
fn final_or_sink(graph: &Graph, fin: Option<NodeId>) -> Option<NodeId> {
    fin.or_else(|| {
        let mut sinks = graph.sinks();
        match (sinks.next(), sinks.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    })
}

/// Whether `T` is the output type `found` of the final node `fin`.
fn check_output<T: Any>(graph: &Graph, fin: NodeId, found: OutputType) -> Result<(), Error> {
    if found.id == TypeId::of::<T>() {
        return Ok(());
    }
    Err(Error::OutputType {
        task: graph.name(fin).to_string(),
        expected: type_name::<T>(),
        found: found.name.to_string(),
    })
}

/// `DAG_TRACING`'s verdict: on for 1/true/yes/on, off for 0/false/no/off, empty or unset (any
/// case, surrounding spaces ignored); off with a warning naming the value for anything else.
fn tracing_from_env(value: Option<&std::ffi::OsStr>) -> (bool, Option<String>) {
    let Some(value) = value else {
        return (false, None);
    };
    let text = value.to_string_lossy();
    let word = text.trim();
    let is = |names: &[&str]| names.iter().any(|n| word.eq_ignore_ascii_case(n));
    if is(&["1", "true", "yes", "on"]) {
        (true, None)
    } else if word.is_empty() || is(&["0", "false", "no", "off"]) {
        (false, None)
    } else {
        let warning = format!(
            "DAG_TRACING={text:?} is not understood, so tracing stays off: use 1, true, yes or \
             on to switch it on (0, false, no, off or empty for off; any case)"
        );
        (false, Some(warning))
    }
}

/// Takes the final node's output out of `exec`, as a `T`; `found` names its actual type.
fn take_final<T: Any>(mut exec: Execution, fin: NodeId, found: &str) -> Result<T, Error> {
    if let Some(f) = exec.first_failure() {
        return Err(Error::TaskFailed {
            task: f.name.to_string(),
            error: f.error.unwrap_or_default(),
        });
    }
    let name = exec.graph().name(fin).to_string();
    if exec.node_result(fin).status != NodeStatus::Completed {
        return Err(Error::TaskFailed {
            task: name,
            error: "did not complete".to_string(),
        });
    }
    let value = exec.take_output(fin).ok_or_else(|| Error::TaskFailed {
        task: name.clone(),
        error: "produced no output".to_string(),
    })?;
    match value.downcast::<T>() {
        Ok(v) => Ok(*v),
        Err(value) => {
            let _ = exec::drop_quietly(value);
            Err(Error::OutputType {
                task: name,
                expected: type_name::<T>(),
                found: found.to_string(),
            })
        }
    }
}

impl fmt::Debug for Dag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dag")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("profile", &self.profile)
            .field("tracing", &self.tracing)
            .field("max_workers", &self.max_workers)
            .field("fail_fast", &self.fail_fast)
            .field("keep_outputs", &self.keep_outputs)
            .finish_non_exhaustive()
    }
}

/// The module paths of every static DAG of this binary.
#[must_use]
pub fn dag_names() -> Vec<&'static str> {
    registry::dag_names()
}
