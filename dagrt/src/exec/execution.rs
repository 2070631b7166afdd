//! Execution: what one run did — per-node statuses, timings, workers, errors and outputs.

use super::{NONE, NodeStatus, RawRun, Record, ReuseSource, policy};
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
    pub(crate) outputs: Vec<Option<Value>>,
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
        self.outputs[i].as_ref()?.downcast_ref::<T::Output>()
    }

    /// The kept output of the node called `name`, as a `T`.
    #[must_use]
    pub fn output_as<T: Any>(&self, name: &str) -> Option<&T> {
        let id = self.view.graph.find(name)?;
        self.outputs[id.index()].as_ref()?.downcast_ref::<T>()
    }

    /// Takes the kept output of node `id` out of the execution.
    pub(crate) fn take_output(&mut self, id: NodeId) -> Option<Value> {
        self.outputs.get_mut(id.index())?.take()
    }
}

/// Dropping an execution drops the outputs it kept. A panic in an output's `Drop` is caught and
/// discarded there (nothing is left to report it to), so dropping an `Execution` never unwinds.
impl Drop for Execution {
    fn drop(&mut self) {
        for value in self.outputs.drain(..).flatten() {
            let _ = super::drop_quietly(value);
        }
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

/// The recorded facts of one run, shared (cheaply, by `Arc`) between an [`Execution`] and the
/// trace built from it on demand. The vectors are behind one `Arc` (one allocation per run);
/// they read as fields of the view (`view.records`) through `Deref`.
#[derive(Clone)]
pub(crate) struct RunView {
    pub(crate) graph: Arc<Graph>,
    facts: Arc<RunFacts>,
    /// Why the `Cancelled` nodes were cancelled (a [`super::cancel`] reason).
    pub(crate) cancel_reason: u8,
    pub(crate) t0: u64,
    pub(crate) t_end: u64,
    /// The ticks are nanoseconds (a run rebuilt from its record), not raw clock ticks.
    pub(crate) nanos: bool,
}

/// What a run recorded, per node and per event; read through a [`RunView`].
pub(crate) struct RunFacts {
    pub(crate) records: Vec<Record>,
    pub(crate) errors: Vec<(u32, String)>,
    pub(crate) attempts: Vec<super::retry::Attempt>,
    pub(crate) elements: Vec<super::ElementRun>,
    /// The waiting events (resources, gates), in tick order.
    pub(crate) waits: Vec<super::tracing::waits::WaitTrace>,
}

impl std::ops::Deref for RunView {
    type Target = RunFacts;

    fn deref(&self) -> &RunFacts {
        &self.facts
    }
}

impl RunView {
    pub(crate) fn total_duration_seconds(&self) -> f64 {
        self.seconds(self.t_end)
    }

    pub(crate) fn seconds(&self, raw: u64) -> f64 {
        if raw <= self.t0 {
            return 0.0;
        }
        if self.nanos {
            return (raw - self.t0) as f64 / 1e9;
        }
        super::clock().delta_as_nanos(self.t0, raw) as f64 / 1e9
    }

    fn error_of(&self, id: NodeId) -> Option<&str> {
        let i = self.errors.binary_search_by_key(&id.0, |e| e.0).ok()?;
        Some(&self.errors[i].1)
    }

    pub(crate) fn node_result(&self, id: NodeId) -> NodeResult<'_> {
        let r = &self.records[id.index()];
        let (start, end) = (self.seconds(r.start), self.seconds(r.end));
        let error = match r.status {
            NodeStatus::Skipped if r.cause != NONE => Some(format!(
                "upstream task `{}` failed",
                self.graph.name(NodeId(r.cause))
            )),
            NodeStatus::Cancelled => Some(super::cancel::message(self.cancel_reason).to_string()),
            _ => self.error_of(id).map(str::to_string),
        };
        NodeResult {
            id,
            name: self.graph.name(id),
            status: r.status,
            start,
            end,
            duration: (end - start).max(0.0),
            worker: (r.worker != NONE).then_some(r.worker as usize),
            error,
            attempts: r
                .attempts
                .max(u32::from(r.flags & REUSED == 0 && r.status.ran())),
            reused_from: ReuseSource::of_flags(r.flags),
            cache_miss: r.flags & policy::CACHE_MISS != 0,
        }
    }
}

const REUSED: u8 =
    policy::HIT_CACHE | policy::HIT_CHECKPOINT | policy::HIT_PREVIOUS | policy::PROVIDED;

/// A run id unique across runs and processes: `{unix µs}-{pid}-{counter}` in hex.
pub(crate) fn new_run_id(started_at: SystemTime) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let micros = started_at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let seq = COUNTER.fetch_add(1, Ordering::Relaxed);
    run_id_of(micros, std::process::id(), seq)
}

/// `{micros:x}-{pid:x}-{seq:x}`, written without `format!` (one allocation).
fn run_id_of(micros: u128, pid: u32, seq: u64) -> String {
    /// Appends the lowercase hex digits of `v` (no leading zeros; "0" for 0).
    fn hex(out: &mut Vec<u8>, v: u128) {
        let digits = (128 - v.leading_zeros()).div_ceil(4).max(1);
        // Today's micros fit in 64 bits: shift a u64 then (cheaper than a u128).
        match u64::try_from(v) {
            Ok(v) => out.extend(
                (0..digits)
                    .rev()
                    .map(|i| DIGITS[(v >> (4 * i)) as usize & 0xf]),
            ),
            Err(_) => out.extend(
                (0..digits)
                    .rev()
                    .map(|i| DIGITS[(v >> (4 * i)) as usize & 0xf]),
            ),
        }
    }
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // At most 32 + 1 + 8 + 1 + 16 bytes.
    let mut out = Vec::with_capacity(58);
    hex(&mut out, micros);
    out.push(b'-');
    hex(&mut out, u128::from(pid));
    out.push(b'-');
    hex(&mut out, u128::from(seq));
    // Hex digits and dashes: always valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::run_id_of;

    #[test]
    fn a_run_id_is_the_three_numbers_in_lowercase_hex() {
        for (micros, pid, seq) in [
            (0, 0, 0),
            (1, 1, 1),
            (0xf, 0x10, 0xff),
            (0x63f1_2a4b_9c01, 4242, 17),
            (u128::from(u64::MAX), u32::MAX, u64::MAX),
            (u128::MAX, 0xdead_beef, 0x0123_4567_89ab_cdef),
        ] {
            assert_eq!(
                run_id_of(micros, pid, seq),
                format!("{micros:x}-{pid:x}-{seq:x}")
            );
        }
        assert_eq!(run_id_of(0x1a2b, 0xc, 0), "1a2b-c-0");
    }
}
