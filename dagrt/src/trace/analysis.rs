//! Pairs raw trace events into node runs, step spans and the execution span.
//!
//! Shared by the Chrome export and the summary so both read events the same way.

use std::collections::HashMap;

use super::event::{TraceEvent, TraceEventType};

/// How one node run (one attempt) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunStatus {
    Completed,
    Failed,
    TimedOut,
    Cancelled,
    /// Started but never ended within the trace.
    Incomplete,
}

impl RunStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::TimedOut => "timed_out",
            Self::Cancelled => "cancelled",
            Self::Incomplete => "incomplete",
        }
    }
}

/// One attempt of one node: a `node_started` paired with its end event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeRun {
    pub node: String,
    /// Seconds.
    pub start: f64,
    /// Seconds, never negative.
    pub duration: f64,
    pub status: RunStatus,
    pub worker: Option<usize>,
    pub step: Option<usize>,
    pub error: Option<String>,
    pub attempt: Option<u64>,
}

impl NodeRun {
    pub(crate) fn end(&self) -> f64 {
        self.start + self.duration
    }
}

/// A node that never ran: `node_skipped`, or `node_cancelled` without a start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotRun {
    pub node: String,
    pub timestamp: f64,
    /// `NodeSkipped` or `NodeCancelled`.
    pub kind: TraceEventType,
    pub error: Option<String>,
    pub step: Option<usize>,
}

/// A topological step, from its `step_started` to its `step_completed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StepSpan {
    pub index: usize,
    pub start: f64,
    pub end: f64,
}

/// Everything the exports need, derived from a list of events.
#[derive(Debug, Clone, Default)]
pub(crate) struct Analysis {
    /// Node runs, in start order (ties keep event order).
    pub runs: Vec<NodeRun>,
    /// Nodes that never ran, in event order.
    pub not_run: Vec<NotRun>,
    /// Steps, in start order.
    pub steps: Vec<StepSpan>,
    /// The execution span `(start, end)`, if the trace has any event.
    pub execution: Option<(f64, f64)>,
    /// Total duration: `execution_completed`'s duration, else the last timestamp.
    pub total_duration: f64,
    /// The (sanitized, timestamp-sorted) events the analysis was made from.
    pub events: Vec<TraceEvent>,
}

struct Pending {
    start: f64,
    worker: Option<usize>,
    step: Option<usize>,
    attempt: Option<u64>,
    /// `(timestamp, error, duration)` of a `node_timed_out` seen while running.
    timed_out: Option<(f64, Option<String>, Option<f64>)>,
}

/// A usable duration: finite and non-negative.
fn clean_duration(d: Option<f64>) -> Option<f64> {
    d.filter(|d| d.is_finite() && *d >= 0.0)
}

/// Index of the pending start that `ev` ends: same attempt, else same worker, else oldest.
fn pick(pending: &[Pending], ev: &TraceEvent) -> Option<usize> {
    if pending.is_empty() {
        return None;
    }
    if let Some(a) = ev.attempt()
        && let Some(i) = pending.iter().position(|p| p.attempt == Some(a))
    {
        return Some(i);
    }
    if let Some(w) = ev.worker
        && let Some(i) = pending.iter().position(|p| p.worker == Some(w))
    {
        return Some(i);
    }
    Some(0)
}

/// Analyzes `events` (any order; non-finite timestamps are ignored).
pub(crate) fn analyze(events: &[TraceEvent]) -> Analysis {
    let mut events: Vec<TraceEvent> = events
        .iter()
        .filter(|e| e.timestamp.is_finite())
        .cloned()
        .collect();
    events.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));

    let last_ts = events.iter().map(|e| e.timestamp).fold(0.0_f64, f64::max);
    let mut out = Analysis::default();
    let mut pending: HashMap<String, Vec<Pending>> = HashMap::new();
    let mut steps_open: HashMap<usize, Vec<f64>> = HashMap::new();
    let mut exec_start: Option<f64> = None;
    let mut exec_done: Option<(f64, Option<f64>)> = None;

    for ev in &events {
        let ts = ev.timestamp;
        let dur = clean_duration(ev.duration);
        match ev.event_type {
            TraceEventType::ExecutionStarted => {
                exec_start.get_or_insert(ts);
            }
            TraceEventType::ExecutionCompleted => exec_done = Some((ts, dur)),
            TraceEventType::StepStarted => {
                if let Some(i) = ev.step_index {
                    steps_open.entry(i).or_default().push(ts);
                }
            }
            TraceEventType::StepCompleted => {
                if let Some(i) = ev.step_index {
                    let open = steps_open.entry(i).or_default();
                    let start = if open.is_empty() {
                        ts - dur.unwrap_or(0.0)
                    } else {
                        open.remove(0)
                    };
                    out.steps.push(StepSpan {
                        index: i,
                        start,
                        end: ts.max(start),
                    });
                }
            }
            _ => {}
        }
        let Some(node) = ev.node_name.as_deref() else {
            continue;
        };
        match ev.event_type {
            TraceEventType::NodeStarted => {
                pending.entry(node.to_owned()).or_default().push(Pending {
                    start: ts,
                    worker: ev.worker,
                    step: ev.step_index,
                    attempt: ev.attempt(),
                    timed_out: None,
                });
            }
            TraceEventType::NodeCompleted
            | TraceEventType::NodeFailed
            | TraceEventType::NodeCancelled => {
                let open = pending.entry(node.to_owned()).or_default();
                let picked = pick(open, ev).map(|i| open.remove(i));
                let cancelled = ev.event_type == TraceEventType::NodeCancelled;
                let Some(p) = picked else {
                    if cancelled {
                        out.not_run.push(not_run(ev, node));
                        continue;
                    }
                    let duration = dur.unwrap_or(0.0);
                    out.runs.push(NodeRun {
                        node: node.to_owned(),
                        start: ts - duration,
                        duration,
                        status: end_status(ev.event_type, false),
                        worker: ev.worker,
                        step: ev.step_index,
                        error: ev.error.clone(),
                        attempt: ev.attempt(),
                    });
                    continue;
                };
                let timed_out = p.timed_out.is_some();
                let error = ev
                    .error
                    .clone()
                    .or_else(|| p.timed_out.and_then(|(_, e, _)| e));
                out.runs.push(NodeRun {
                    node: node.to_owned(),
                    start: p.start,
                    duration: dur.unwrap_or((ts - p.start).max(0.0)),
                    status: end_status(ev.event_type, timed_out),
                    worker: ev.worker.or(p.worker),
                    step: p.step.or(ev.step_index),
                    error,
                    attempt: p.attempt.or(ev.attempt()),
                });
            }
            TraceEventType::NodeTimedOut => {
                let open = pending.entry(node.to_owned()).or_default();
                if let Some(i) = pick(open, ev) {
                    open[i].timed_out = Some((ts, ev.error.clone(), dur));
                } else if let Some(run) = out
                    .runs
                    .iter_mut()
                    .rev()
                    .find(|r| r.node == node && r.status == RunStatus::Failed)
                {
                    // Reported after the failure it caused.
                    run.status = RunStatus::TimedOut;
                } else {
                    let duration = dur.unwrap_or(0.0);
                    out.runs.push(NodeRun {
                        node: node.to_owned(),
                        start: ts - duration,
                        duration,
                        status: RunStatus::TimedOut,
                        worker: ev.worker,
                        step: ev.step_index,
                        error: ev.error.clone(),
                        attempt: ev.attempt(),
                    });
                }
            }
            TraceEventType::NodeSkipped => out.not_run.push(not_run(ev, node)),
            _ => {}
        }
    }

    // Close what never ended, in a deterministic order.
    let mut leftovers: Vec<(String, Pending)> = pending
        .into_iter()
        .flat_map(|(n, ps)| ps.into_iter().map(move |p| (n.clone(), p)))
        .collect();
    leftovers.sort_by(|a, b| a.1.start.total_cmp(&b.1.start).then_with(|| a.0.cmp(&b.0)));
    for (node, p) in leftovers {
        let (end, status, error, duration) = match p.timed_out {
            Some((t, e, d)) => (t, RunStatus::TimedOut, e, d),
            None => (last_ts, RunStatus::Incomplete, None, None),
        };
        out.runs.push(NodeRun {
            node,
            start: p.start,
            duration: duration.unwrap_or((end - p.start).max(0.0)),
            status,
            worker: p.worker,
            step: p.step,
            error,
            attempt: p.attempt,
        });
    }
    let mut open_steps: Vec<(usize, f64)> = steps_open
        .into_iter()
        .flat_map(|(i, v)| v.into_iter().map(move |s| (i, s)))
        .collect();
    open_steps.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    for (index, start) in open_steps {
        out.steps.push(StepSpan {
            index,
            start,
            end: last_ts.max(start),
        });
    }

    out.runs.sort_by(|a, b| a.start.total_cmp(&b.start));
    out.steps.sort_by(|a, b| a.start.total_cmp(&b.start));
    if !events.is_empty() {
        let start = exec_start
            .or_else(|| exec_done.and_then(|(t, d)| d.map(|d| t - d)))
            .unwrap_or_else(|| events[0].timestamp.min(0.0));
        let end = match exec_done {
            Some((_, Some(d))) => start + d,
            Some((t, None)) => t,
            None => last_ts,
        };
        out.execution = Some((start, end.max(start)));
    }
    out.total_duration = match exec_done {
        Some((_, Some(d))) => d,
        _ => last_ts,
    };
    out.events = events;
    out
}

fn end_status(kind: TraceEventType, timed_out: bool) -> RunStatus {
    match kind {
        TraceEventType::NodeCompleted => RunStatus::Completed,
        TraceEventType::NodeCancelled => RunStatus::Cancelled,
        _ if timed_out => RunStatus::TimedOut,
        _ => RunStatus::Failed,
    }
}

fn not_run(ev: &TraceEvent, node: &str) -> NotRun {
    NotRun {
        node: node.to_owned(),
        timestamp: ev.timestamp,
        kind: ev.event_type,
        error: ev.error.clone(),
        step: ev.step_index,
    }
}
