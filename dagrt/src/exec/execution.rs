//! Execution: what one run did — per-node statuses, timings, workers, errors and outputs.

mod run_id;
mod view;

pub(crate) use run_id::new_run_id;
pub(crate) use view::{RunFacts, RunView};

use super::{NodeStatus, RawRun, ReuseSource, policy};
use crate::graph::{Graph, NodeId};
use crate::task::{Task, TaskDescriptor};
use crate::value::Value;
use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// The outcome of one node, with times in seconds from the start of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeResult<'a> {
    /// The node's id in [`Execution::graph`].
    pub id: NodeId,
    /// The node's name.
    pub name: &'a str,
    /// How it ended.
    pub status: NodeStatus,
    /// When its body started (for skipped and cancelled nodes: when that was decided).
    pub start: f64,
    /// When its body returned.
    pub end: f64,
    /// `end - start`, in seconds.
    pub duration: f64,
    /// Index of the pool worker that settled it.
    pub worker: Option<usize>,
    /// The error or panic message of a failed node; for a skipped node, which upstream task
    /// failed.
    pub error: Option<String>,
    /// How many times the task's body ran (more than 1 after retries; 0 when it did not run or
    /// its output was reused).
    pub attempts: u32,
    /// Where a reused output came from (`None`: the task ran, or did not complete).
    pub reused_from: Option<ReuseSource>,
    /// Whether the content-addressed cache was asked for this task and had no entry.
    pub cache_miss: bool,
}

/// Cache activity of one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Tasks served from the cache.
    pub hits: usize,
    /// Cached tasks that had to run.
    pub misses: usize,
    /// Outputs written to the cache.
    pub stores: usize,
}

/// Everything one run did. Returned by [`Dag::execute`](crate::Dag::execute) whatever the tasks
/// did; [`Dag::run`](crate::Dag::run) returns just the final output.
///
/// No panic of user code escapes a run: a task that panics fails with the panic's message (a
/// panic payload whose own `Drop` panics is reported in that message, and the second payload
/// is leaked on purpose); an output whose `Drop` panics when the run frees it leaves a warning
/// naming the task; dropping the execution drops its kept outputs and discards their panics.
pub struct Execution {
    pub(crate) dag_name: Arc<str>,
    pub(crate) dag_description: Arc<str>,
    pub(crate) run_id: String,
    pub(crate) view: RunView,
    pub(crate) tasks: Arc<[&'static TaskDescriptor]>,
    pub(crate) outputs: super::slot::Kept,
    pub(crate) warnings: Vec<String>,
    pub(crate) started_at: SystemTime,
    pub(crate) max_workers: usize,
    pub(crate) final_node: Option<NodeId>,
    /// The execution trace, when tracing was on (`.tracing(true)` or `DAG_TRACING=true`).
    pub trace: Option<crate::trace::ExecutionTrace>,
}

impl Execution {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_raw(
        raw: RawRun,
        run_id: String,
        dag_name: Arc<str>,
        dag_description: Arc<str>,
        graph: Arc<Graph>,
        tasks: Arc<[&'static TaskDescriptor]>,
        started_at: SystemTime,
        max_workers: usize,
        final_node: Option<NodeId>,
    ) -> Self {
        let waits = if raw.waits.is_empty() {
            Vec::new()
        } else {
            super::tracing::waits::build(raw.waits, &raw.pools, |a, b| {
                super::clock().delta_as_nanos(a, b) as f64 / 1e9
            })
        };
        Execution {
            dag_name,
            dag_description,
            run_id,
            view: RunView {
                graph,
                facts: Arc::new(RunFacts {
                    records: raw.records,
                    errors: raw.errors,
                    attempts: raw.attempts,
                    elements: raw.elements,
                    waits,
                }),
                cancel_reason: raw.cancel_reason,
                t0: raw.t0,
                t_end: raw.t_end,
                nanos: false,
            },
            tasks,
            outputs: raw.outputs,
            warnings: raw.warnings,
            started_at,
            max_workers,
            final_node,
            trace: None,
        }
    }

    /// The DAG's name.
    #[must_use]
    pub fn dag_name(&self) -> &str {
        &self.dag_name
    }

    /// The DAG's description.
    #[must_use]
    pub fn dag_description(&self) -> &str {
        &self.dag_description
    }

    /// This run's id: unique per run, also across processes (`{unix µs}-{pid}-{counter}` in hex).
    #[must_use]
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The graph that was run.
    #[must_use]
    pub fn graph(&self) -> &Graph {
        &self.view.graph
    }

    /// When the run started (wall clock).
    #[must_use]
    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    /// Number of pool workers the run had.
    #[must_use]
    pub fn max_workers(&self) -> usize {
        self.max_workers
    }

    /// Wall-clock duration of the run, in seconds.
    #[must_use]
    pub fn total_duration_seconds(&self) -> f64 {
        self.view.total_duration_seconds()
    }

    /// The result of node `id`.
    ///
    /// # Panics
    /// If `id` is not a node of [`Execution::graph`].
    #[must_use]
    pub fn node_result(&self, id: NodeId) -> NodeResult<'_> {
        self.view.node_result(id)
    }

    /// The result of the node called `name`.
    #[must_use]
    pub fn node(&self, name: &str) -> Option<NodeResult<'_>> {
        self.view.graph.find(name).map(|id| self.node_result(id))
    }

    /// Every node's result, in node-id order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeResult<'_>> + '_ {
        self.view.graph.nodes().map(|id| self.node_result(id))
    }

    /// The status of node `id` (which must be a node of the graph).
    pub(crate) fn status_at(&self, id: NodeId) -> NodeStatus {
        self.view.records[id.index()].status
    }

    /// The status of the node called `name`.
    #[must_use]
    pub fn status(&self, name: &str) -> Option<NodeStatus> {
        self.view
            .graph
            .find(name)
            .map(|id| self.view.records[id.index()].status)
    }

    /// The description (doc comment) of node `id`; empty for builder nodes.
    #[must_use]
    pub fn description(&self, id: NodeId) -> &str {
        self.tasks.get(id.index()).map_or("", |d| d.description)
    }

    fn count(&self, status: NodeStatus) -> usize {
        self.view
            .records
            .iter()
            .filter(|r| r.status == status)
            .count()
    }

    /// Number of nodes that completed.
    #[must_use]
    pub fn succeeded(&self) -> usize {
        self.count(NodeStatus::Completed)
    }

    /// Number of nodes that failed.
    #[must_use]
    pub fn failed(&self) -> usize {
        self.count(NodeStatus::Failed)
    }

    /// Number of nodes that ran past their deadline (or whose gate got no decision in time).
    #[must_use]
    pub fn timed_out(&self) -> usize {
        self.count(NodeStatus::TimedOut)
    }

    /// Number of nodes skipped because an upstream task failed.
    #[must_use]
    pub fn skipped(&self) -> usize {
        self.count(NodeStatus::Skipped)
    }

    /// Number of nodes cancelled (by `fail_fast` or a [`CancelHandle`](crate::CancelHandle)).
    #[must_use]
    pub fn cancelled(&self) -> usize {
        self.count(NodeStatus::Cancelled)
    }

    /// Number of tasks whose output was reused (cache, checkpoint, previous run, or given with
    /// `Dag::set`) instead of computed.
    #[must_use]
    pub fn reused(&self) -> usize {
        self.view
            .records
            .iter()
            .filter(|r| r.flags & REUSED != 0)
            .count()
    }

    /// Cache hits, misses and stores of this run.
    #[must_use]
    pub fn cache_stats(&self) -> CacheStats {
        let count = |flag: u8| {
            self.view
                .records
                .iter()
                .filter(|r| r.flags & flag != 0)
                .count()
        };
        CacheStats {
            hits: count(policy::HIT_CACHE),
            misses: count(policy::CACHE_MISS),
            stores: count(policy::CACHE_STORED),
        }
    }

    /// Problems that did not fail the run: a corrupt cache entry (treated as a miss), an output
    /// that could not be cached or checkpointed.
    #[must_use]
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Whether every node completed.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.view
            .records
            .iter()
            .all(|r| r.status == NodeStatus::Completed)
    }

    /// The first failed (or timed-out) node in topological order, with its error.
    #[must_use]
    pub fn first_failure(&self) -> Option<NodeResult<'_>> {
        self.view
            .graph
            .topological_order()
            .iter()
            .find(|&&n| {
                matches!(
                    self.view.records[n.index()].status,
                    NodeStatus::Failed | NodeStatus::TimedOut
                )
            })
            .map(|&n| self.node_result(n))
    }

    /// The final task's node, if the DAG has one.
    #[must_use]
    pub fn final_node(&self) -> Option<NodeId> {
        self.final_node
    }

    /// The output of the `#[task]` `T`, if it was kept: the final task's always is; others when
    /// the DAG was run with `.keep_outputs(true)`.
    #[must_use]
    pub fn output<T: Task>(&self) -> Option<&T::Output> {
        let d = T::descriptor();
        let i = self.tasks.iter().position(|t| std::ptr::eq(*t, d))?;
        self.outputs.get(i)?.downcast_ref::<T::Output>()
    }

    /// The kept output of the node called `name`, as a `T`.
    #[must_use]
    pub fn output_as<T: Any>(&self, name: &str) -> Option<&T> {
        let id = self.view.graph.find(name)?;
        self.outputs.get(id.index())?.downcast_ref::<T>()
    }

    /// Takes the kept output of node `id` out of the execution.
    pub(crate) fn take_output(&mut self, id: NodeId) -> Option<Value> {
        self.outputs.take(id.index())
    }
}

/// Dropping an execution drops the outputs it kept. A panic in an output's `Drop` is caught and
/// discarded there (nothing is left to report it to), so dropping an `Execution` never unwinds.
impl Drop for Execution {
    fn drop(&mut self) {
        self.outputs.take_each(|value| {
            let _ = super::drop_quietly(value);
        });
    }
}

impl fmt::Debug for Execution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Execution")
            .field("dag_name", &self.dag_name)
            .field("run_id", &self.run_id)
            .field("nodes", &self.view.records.len())
            .field("succeeded", &self.succeeded())
            .field("failed", &self.failed())
            .field("skipped", &self.skipped())
            .field("cancelled", &self.cancelled())
            .field("total_duration_seconds", &self.total_duration_seconds())
            .finish_non_exhaustive()
    }
}

const REUSED: u8 =
    policy::HIT_CACHE | policy::HIT_CHECKPOINT | policy::HIT_PREVIOUS | policy::PROVIDED;
