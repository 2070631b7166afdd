//! Profiling an [`Execution`](crate::Execution) or a saved trace: conversion to [`ProfileInput`].

use super::{NodeOutcome, NodeTiming, ProfileInput, ProfileOptions, ProfileReport};
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

/// The stragglers among the elements of each `#[each]` task: its slowest completed element
/// (ties: smallest index) when at least `min_ratio` × the median of its other completed
/// elements (a zero median never yields one), named `task[i]` with the task as the join.
fn element_stragglers(execution: &Execution, min_ratio: f64) -> Vec<super::report::Straggler> {
    let mut out = Vec::new();
    for id in execution.graph().nodes() {
        let name = execution.graph().name(id);
        let done: Vec<(usize, f64)> = execution
            .elements(name)
            .iter()
            .filter(|e| e.error.is_none())
            .map(|e| (e.index, (e.end - e.start).max(0.0)))
            .collect();
        if done.len() < 2 {
            continue;
        }
        let Some(&(slow, slowest)) = done.iter().reduce(|a, b| if b.1 > a.1 { b } else { a })
        else {
            continue;
        };
        let mut others: Vec<f64> = done
            .iter()
            .filter(|(i, _)| *i != slow)
            .map(|(_, d)| *d)
            .collect();
        others.sort_by(f64::total_cmp);
        let k = others.len();
        let median = if k % 2 == 1 {
            others[k / 2]
        } else {
            (others[k / 2 - 1] + others[k / 2]) / 2.0
        };
        if median > 0.0 && slowest / median >= min_ratio {
            out.push(super::report::Straggler {
                join: name.to_string(),
                straggler: format!("{name}[{slow}]"),
                ratio: slowest / median,
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

    /// Profiles an execution with the given options.
    #[must_use]
    pub fn from_execution_with(execution: &Execution, options: &ProfileOptions) -> ProfileReport {
        let g = execution.graph();
        let input = input_from(
            g,
            execution.total_duration_seconds(),
            execution.max_workers(),
            |id| {
                let r = execution.node_result(id);
                let status = match r.status {
                    NodeStatus::Completed => NodeOutcome::Completed,
                    NodeStatus::Failed => NodeOutcome::Failed,
                    NodeStatus::Skipped => NodeOutcome::Skipped,
                    NodeStatus::Cancelled => NodeOutcome::Cancelled,
                };
                (status, r.start, r.end, r.worker)
            },
        );
        let mut report = ProfileReport::from_input_with(&input, options);
        report
            .stragglers
            .extend(element_stragglers(execution, options.straggler_ratio));
        report
    }

    /// Profiles a saved trace of a run of `graph` (node names must match).
    /// Nodes absent from the trace count as skipped.
    #[must_use]
    pub fn from_trace(trace: &ExecutionTrace, graph: &Graph, max_workers: usize) -> ProfileReport {
        let n = graph.len();
        let mut seen: Vec<(NodeOutcome, f64, f64, Option<usize>)> =
            vec![(NodeOutcome::Skipped, 0.0, 0.0, None); n];
        let mut wall = 0.0f64;
        for e in trace.events() {
            wall = wall.max(e.timestamp);
            if e.event_type == TraceEventType::ExecutionCompleted {
                wall = wall.max(e.duration.unwrap_or(0.0));
            }
            let Some(id) = e.node_name.as_deref().and_then(|name| graph.find(name)) else {
                continue;
            };
            let s = &mut seen[id.index()];
            match e.event_type {
                TraceEventType::NodeStarted => (s.1, s.3) = (e.timestamp, e.worker),
                TraceEventType::NodeCompleted => (s.0, s.2) = (NodeOutcome::Completed, e.timestamp),
                TraceEventType::NodeFailed | TraceEventType::NodeTimedOut => {
                    (s.0, s.2) = (NodeOutcome::Failed, e.timestamp)
                }
                TraceEventType::NodeCancelled => s.0 = NodeOutcome::Cancelled,
                _ => {}
            }
        }
        let input = input_from(graph, wall, max_workers, |id| seen[id.index()]);
        ProfileReport::from_input(&input)
    }
}

/// Lays the graph out in topological order, as [`ProfileInput`] requires.
fn input_from(
    g: &Graph,
    wall_clock: f64,
    max_workers: usize,
    node: impl Fn(crate::graph::NodeId) -> (NodeOutcome, f64, f64, Option<usize>),
) -> ProfileInput {
    let order = g.topological_order();
    let mut position = vec![0usize; g.len()];
    for (i, id) in order.iter().enumerate() {
        position[id.index()] = i;
    }
    let nodes = order
        .iter()
        .map(|&id| {
            let (status, start, end, worker) = node(id);
            NodeTiming {
                name: g.name(id).to_string(),
                preds: g
                    .predecessors(id)
                    .iter()
                    .map(|p| position[p.index()])
                    .collect(),
                status,
                start,
                end,
                worker,
            }
        })
        .collect();
    ProfileInput {
        nodes,
        wall_clock,
        max_workers,
    }
}
