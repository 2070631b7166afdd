//! Profiling an [`Execution`](crate::Execution) or a saved trace of a run of a [`Graph`].

use super::layout::{Layout, node_at};
use super::report::{Run, analyse};
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
        analyse(
            &layout,
            run,
            execution.total_duration_seconds(),
            execution.max_workers(),
            options,
        )
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
        trace.for_each_event(|e| {
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
                TraceEventType::NodeFailed | TraceEventType::NodeTimedOut => {
                    (s.status, s.end) = (NodeStatus::Failed, e.timestamp);
                }
                TraceEventType::NodeCancelled => s.status = NodeStatus::Cancelled,
                _ => {}
            }
        });
        let layout = Layout::of(graph);
        let run = |v: usize| seen[node_at(graph, v).index()];
        analyse(&layout, run, wall, max_workers, &ProfileOptions::default())
    }
}
