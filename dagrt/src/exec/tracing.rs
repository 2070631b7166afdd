//! Builds an execution's trace from the records its workers wrote (no cost while running).
//!
//! Every node record is stamped on the worker that settled the node, with one monotonic clock,
//! in a per-node cell that no other thread touches: together these cells are the per-worker
//! buffers, merged here once the run is over.

use super::NodeStatus;
use super::execution::{Execution, RunView};
use crate::trace::{ExecutionTrace, TraceEvent, TraceEventType as T};

impl Execution {
    /// The lifecycle events of this run, as an [`ExecutionTrace`]: execution started/completed,
    /// one started + completed/failed pair per node that ran (stamped on its worker), a
    /// skipped/cancelled event per node that did not, and a started/completed pair per topological
    /// level (a step starts when its first node starts and completes when its last node ends).
    #[must_use]
    pub fn to_trace(&self) -> ExecutionTrace {
        ExecutionTrace::from_events(self.dag_name(), self.view.trace_events())
    }

    /// The trace of this run, built from its records the first time it is read.
    pub(crate) fn deferred_trace(&self) -> ExecutionTrace {
        let view = self.view.clone();
        ExecutionTrace::deferred(self.dag_name(), move || view.trace_events())
    }
}

impl RunView {
    /// Every lifecycle event of the run, in no particular order.
    fn trace_events(&self) -> Vec<TraceEvent> {
        let g = &self.graph;
        let total = self.total_duration_seconds();
        let mut events = Vec::with_capacity(2 * g.len() + 2 * g.level_count() + 2);
        events.push(TraceEvent::new(T::ExecutionStarted, 0.0));
        let mut steps = vec![(f64::INFINITY, 0.0f64); g.level_count()];
        let mut node_events = Vec::with_capacity(2 * g.len());
        let mut attempts: std::collections::HashMap<u32, Vec<&super::retry::Attempt>> =
            std::collections::HashMap::new();
        for a in self.attempts.iter() {
            attempts.entry(a.node).or_default().push(a);
        }
        let mut elements: std::collections::HashMap<u32, Vec<&super::ElementRun>> =
            std::collections::HashMap::new();
        for e in self.elements.iter() {
            elements.entry(e.node).or_default().push(e);
        }
        for &id in g.topological_order() {
            let r = self.node_result(id);
            let level = g.level(id);
            let (first, last) = &mut steps[level];
            *first = first.min(r.start);
            *last = last.max(r.end);
            let with = |e: TraceEvent| {
                let e = e.with_node(r.name).with_step(level);
                match r.worker {
                    Some(w) => e.with_worker(w),
                    None => e,
                }
            };
            if let Some(source) = r.reused_from.map(super::ReuseSource::as_str) {
                node_events.push(
                    with(TraceEvent::new(T::NodeCacheHit, r.start)).with_metadata("source", source),
                );
                continue;
            }
            if r.cache_miss {
                node_events.push(with(TraceEvent::new(T::NodeCacheMiss, r.start)));
            }
            if let Some(list) = attempts.get_mut(&id.0) {
                list.sort_by_key(|a| a.attempt);
                for a in list.iter() {
                    let (start, end) = (self.seconds(a.start), self.seconds(a.end));
                    let with_attempt = |e: TraceEvent| with(e).with_metadata("attempt", a.attempt);
                    node_events.push(with_attempt(TraceEvent::new(T::NodeStarted, start)));
                    let kind = if a.error.is_some() {
                        T::NodeFailed
                    } else {
                        T::NodeCompleted
                    };
                    let mut e = with_attempt(TraceEvent::new(kind, end))
                        .with_duration((end - start).max(0.0));
                    if let Some(err) = &a.error {
                        e = e.with_error(err.clone());
                    }
                    node_events.push(e);
                }
                continue;
            }
            match r.status {
                NodeStatus::Completed | NodeStatus::Failed => {
                    node_events.push(with(TraceEvent::new(T::NodeStarted, r.start)));
                    // `#[each]`: every element is its own slice, `task[i]`, on its worker.
                    for e in elements.get(&id.0).into_iter().flatten() {
                        let (start, end) = (self.seconds(e.start), self.seconds(e.end));
                        let element = |t: TraceEvent| {
                            let mut t = t
                                .with_node(format!("{}[{}]", r.name, e.index))
                                .with_step(level)
                                .with_metadata("task", r.name)
                                .with_metadata("element", e.index);
                            if e.attempts > 1 {
                                t = t.with_metadata("attempts", e.attempts);
                            }
                            match e.worker {
                                u32::MAX => t,
                                w => t.with_worker(w as usize),
                            }
                        };
                        node_events.push(element(TraceEvent::new(T::NodeStarted, start)));
                        let kind = match e.error {
                            None => T::NodeCompleted,
                            Some(_) => T::NodeFailed,
                        };
                        let mut done = element(TraceEvent::new(kind, end))
                            .with_duration((end - start).max(0.0));
                        if let Some(err) = &e.error {
                            done = done.with_error(err.clone());
                        }
                        node_events.push(done);
                    }
                    let end = if r.status == NodeStatus::Completed {
                        T::NodeCompleted
                    } else {
                        T::NodeFailed
                    };
                    let mut e = with(TraceEvent::new(end, r.end)).with_duration(r.duration);
                    if let Some(err) = &r.error {
                        e = e.with_error(err.clone());
                    }
                    node_events.push(e);
                }
                NodeStatus::Skipped | NodeStatus::Cancelled => {
                    let kind = if r.status == NodeStatus::Skipped {
                        T::NodeSkipped
                    } else {
                        T::NodeCancelled
                    };
                    let mut e = with(TraceEvent::new(kind, r.end));
                    if let Some(err) = &r.error {
                        e = e.with_error(err.clone());
                    }
                    node_events.push(e);
                }
            }
        }
        for (i, &(first, _)) in steps.iter().enumerate() {
            if first.is_finite() {
                events.push(TraceEvent::new(T::StepStarted, first).with_step(i));
            }
        }
        events.extend(node_events);
        for (i, &(first, last)) in steps.iter().enumerate() {
            if first.is_finite() {
                events.push(
                    TraceEvent::new(T::StepCompleted, last)
                        .with_step(i)
                        .with_duration(last - first),
                );
            }
        }
        events.push(TraceEvent::new(T::ExecutionCompleted, total).with_duration(total));
        events
    }
}
