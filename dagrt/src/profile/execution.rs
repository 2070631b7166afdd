//! Profiling an [`Execution`](crate::Execution) or a saved trace of a run of a [`Graph`].

use super::layout::{Layout, node_at};
use super::report::{Run, analyse};
use super::straggler::Straggler;
use super::{ProfileOptions, ProfileReport};
use crate::graph::Graph;
use crate::trace::{ExecutionTrace, TraceEventType};
use crate::{Execution, NodeStatus};

/// Profiles one run of `dag` (a [`Dag`](crate::Dag) or a [`GraphDag`](crate::GraphDag)):
/// critical path, slack, bottlenecks, efficiency (see
/// [`ProfileReport`] for the definitions).
///
/// The execution carries its own graph, so `dag` is only there to read naturally at the call
/// site; any execution can also be profiled with [`ProfileReport::from_execution`].
#[must_use]
pub fn profile_execution<D: ?Sized>(dag: &D, execution: &Execution) -> ProfileReport {
    let _ = dag;
    ProfileReport::from_execution(execution)
}

/// The stragglers among the elements of each `#[each]` task, by the definition joins use: its
/// slowest completed element (ties: smallest index) when at least `min_ratio` × its fastest
/// completed element (a zero fastest never yields one), named `task[i]` with the task as the
/// join.
fn element_stragglers(execution: &Execution, min_ratio: f64) -> Vec<Straggler> {
    let mut out = Vec::new();
    for id in execution.graph().nodes() {
        let name = execution.graph().name(id);
        let done = execution.elements(name);
        let done = done.iter().filter(|e| e.error.is_none());
        let duration = |e: &&crate::ElementResult| (e.end - e.start).max(0.0);
        // The slowest (ties: the first) and the fastest completed element.
        let mut slow: Option<(usize, f64)> = None;
        let mut fast: Option<(usize, f64)> = None;
        let mut count = 0;
        for e in done {
            let d = duration(&e);
            count += 1;
            if slow.is_none_or(|(_, s)| d > s) {
                slow = Some((e.index, d));
            }
            if fast.is_none_or(|(_, f)| d < f) {
                fast = Some((e.index, d));
            }
        }
        let (Some((slow, slowest)), Some((fast, fastest))) = (slow, fast) else {
            continue;
        };
        if count >= 2 && fastest > 0.0 && slowest / fastest >= min_ratio {
            out.push(Straggler {
                join: name.to_string(),
                straggler: format!("{name}[{slow}]"),
                fastest: format!("{name}[{fast}]"),
                ratio: slowest / fastest,
            });
        }
    }
    out
}

impl ProfileReport {
    /// Profiles an execution with the default options.
    #[must_use]
    pub fn from_execution(execution: &Execution) -> ProfileReport {
        Self::from_execution_with(execution, &ProfileOptions::default())
    }

    /// Profiles an execution with the given options. The report lists the nodes in the
    /// graph's topological order ([`Graph::topological_order`]).
    #[must_use]
    pub fn from_execution_with(execution: &Execution, options: &ProfileOptions) -> ProfileReport {
        let graph = execution.graph();
        let layout = Layout::of(graph);
        let run = |v: usize| {
            let r = execution.node_result(node_at(graph, v));
            Run {
                status: r.status,
                start: r.start,
                end: r.end,
                worker: r.worker,
            }
        };
        let mut report = analyse(
            &layout,
            run,
            execution.total_duration_seconds(),
            execution.max_workers(),
            options,
        );
        report
            .stragglers
            .extend(element_stragglers(execution, options.straggler_ratio));
        report.resource_waits = super::report::pool_waits(
            execution
                .view
                .waits
                .iter()
                .filter_map(|w| w.pool_wait.as_ref().map(|(p, s)| (p.as_str(), *s))),
        );
        report
    }

    /// Profiles a saved trace of a run of `graph` (node names must match), with the default
    /// options. Nodes absent from the trace count as skipped. The report lists the nodes in
    /// the graph's topological order.
    #[must_use]
    pub fn from_trace(trace: &ExecutionTrace, graph: &Graph, max_workers: usize) -> ProfileReport {
        let not_seen = Run {
            status: NodeStatus::Skipped,
            start: 0.0,
            end: 0.0,
            worker: None,
        };
        let mut seen = vec![not_seen; graph.len()];
        let mut wall = 0.0f64;
        let mut waits: Vec<(String, f64)> = Vec::new();
        trace.for_each_event(|e| {
            if e.event_type == TraceEventType::ResourceAcquired
                && let Some(pool) = e.metadata("pool")
                && let Some(pool) = pool.as_str()
            {
                waits.push((pool.to_string(), e.duration.unwrap_or(0.0)));
            }
            wall = wall.max(e.timestamp);
            if e.event_type == TraceEventType::ExecutionCompleted {
                wall = wall.max(e.duration.unwrap_or(0.0));
            }
            let Some(id) = e.node_name.and_then(|name| graph.find(name)) else {
                return;
            };
            let s = &mut seen[id.index()];
            match e.event_type {
                TraceEventType::NodeStarted => (s.start, s.worker) = (e.timestamp, e.worker),
                TraceEventType::NodeCompleted => {
                    (s.status, s.end) = (NodeStatus::Completed, e.timestamp);
                }
                TraceEventType::NodeFailed => {
                    (s.status, s.end) = (NodeStatus::Failed, e.timestamp);
                }
                TraceEventType::NodeTimedOut => {
                    (s.status, s.end) = (NodeStatus::TimedOut, e.timestamp);
                }
                TraceEventType::NodeCancelled => s.status = NodeStatus::Cancelled,
                _ => {}
            }
        });
        let layout = Layout::of(graph);
        let run = |v: usize| seen[node_at(graph, v).index()];
        let mut report = analyse(&layout, run, wall, max_workers, &ProfileOptions::default());
        report.resource_waits =
            super::report::pool_waits(waits.iter().map(|(p, s)| (p.as_str(), *s)));
        report
    }
}
