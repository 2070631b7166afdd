//! Pairs raw trace events into node runs, step spans and the execution span.
//!
//! Shared by the Chrome export and the summary so both read events the same way.

use std::borrow::Cow;
use std::collections::HashMap;

use super::event::{TraceEvent, TraceEventType};
use super::run::{NodeRun, NotRun, RunStatus, StepSpan};
use super::view::EventRef;
use crate::NodeStatus;

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
    /// The sequence number given with the `node_started` event.
    seq: u64,
}

/// A usable duration: finite and non-negative.
pub(crate) fn clean_duration(d: Option<f64>) -> Option<f64> {
    d.filter(|d| d.is_finite() && *d >= 0.0)
}

/// Index of the pending start that `ev` ends: same attempt, else same worker, else oldest.
fn pick(pending: &[Pending], ev: &EventRef<'_>) -> Option<usize> {
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

/// What the [`Pairer`] makes of the events, as soon as it knows.
#[derive(Debug)]
pub(crate) enum Paired {
    /// A run started with the event numbered `seq`; it ends in a later [`Paired::Run`].
    Opened {
        seq: u64,
    },
    /// A run ended; `opened` is the `seq` of its [`Paired::Opened`], `None` for an end
    /// without a start (its start is then `duration` before the end).
    Run {
        run: NodeRun,
        opened: Option<u64>,
    },
    NotRun(NotRun),
    /// A step ended; `opened` tells whether its `step_started` was seen.
    Step {
        span: StepSpan,
        opened: bool,
    },
    /// A `node_timed_out` outside any run: it marks the node's last failed run as timed out,
    /// or, without one, stands for a run of its own (`run`, ending at the timeout).
    LateTimeout {
        run: NodeRun,
    },
}

/// Pairs events into runs and step spans in one pass over events in timestamp order, holding
/// only what is open: the streaming core of the summary and of the Chrome export.
#[derive(Default)]
pub(crate) struct Pairer {
    pending: HashMap<String, Vec<Pending>>,
    steps_open: HashMap<usize, Vec<f64>>,
    /// Timestamp of the first `execution_started`.
    pub exec_start: Option<f64>,
    /// `(timestamp, duration)` of the last `execution_completed`.
    pub exec_done: Option<(f64, Option<f64>)>,
    /// Timestamp of the first event.
    pub first_ts: Option<f64>,
    /// Largest timestamp seen (0 at least).
    pub last_ts: f64,
}

impl Pairer {
    /// Reads one event (finite timestamp, not before the previous one) numbered `seq`.
    pub(crate) fn event(&mut self, ev: &EventRef<'_>, seq: u64, out: &mut impl FnMut(Paired)) {
        let ts = ev.timestamp;
        self.first_ts.get_or_insert(ts);
        self.last_ts = self.last_ts.max(ts);
        let dur = clean_duration(ev.duration);
        match ev.event_type {
            TraceEventType::ExecutionStarted => {
                self.exec_start.get_or_insert(ts);
            }
            TraceEventType::ExecutionCompleted => self.exec_done = Some((ts, dur)),
            TraceEventType::StepStarted => {
                if let Some(i) = ev.step_index {
                    self.steps_open.entry(i).or_default().push(ts);
                }
            }
            TraceEventType::StepCompleted => {
                if let Some(i) = ev.step_index {
                    let open = self.steps_open.get_mut(&i).filter(|o| !o.is_empty());
                    let (start, opened) = match open {
                        Some(o) => (o.remove(0), true),
                        None => (ts - dur.unwrap_or(0.0), false),
                    };
                    if self.steps_open.get(&i).is_some_and(Vec::is_empty) {
                        self.steps_open.remove(&i);
                    }
                    let span = StepSpan {
                        index: i,
                        start,
                        end: ts.max(start),
                    };
                    out(Paired::Step { span, opened });
                }
            }
            _ => {}
        }
        let Some(node) = ev.node_name else {
            return;
        };
        match ev.event_type {
            TraceEventType::NodeStarted => {
                let p = Pending {
                    start: ts,
                    worker: ev.worker,
                    step: ev.step_index,
                    attempt: ev.attempt(),
                    timed_out: None,
                    seq,
                };
                match self.pending.get_mut(node) {
                    Some(open) => open.push(p),
                    None => {
                        self.pending.insert(node.to_owned(), vec![p]);
                    }
                }
                out(Paired::Opened { seq });
            }
            TraceEventType::NodeCompleted
            | TraceEventType::NodeFailed
            | TraceEventType::NodeCancelled => {
                let picked = self.pending.get_mut(node).and_then(|open| {
                    let i = pick(open, ev)?;
                    Some(open.remove(i))
                });
                if self.pending.get(node).is_some_and(Vec::is_empty) {
                    self.pending.remove(node);
                }
                let cancelled = ev.event_type == TraceEventType::NodeCancelled;
                let error = ev.error().map(Cow::into_owned);
                let Some(p) = picked else {
                    if cancelled {
                        out(Paired::NotRun(not_run(ev, node)));
                        return;
                    }
                    let duration = dur.unwrap_or(0.0);
                    let run = NodeRun {
                        node: node.to_owned(),
                        start: ts - duration,
                        duration,
                        status: end_status(ev.event_type, false),
                        worker: ev.worker,
                        step: ev.step_index,
                        error,
                        attempt: ev.attempt(),
                    };
                    out(Paired::Run { run, opened: None });
                    return;
                };
                let timed_out = p.timed_out.is_some();
                let error = error.or_else(|| p.timed_out.and_then(|(_, e, _)| e));
                let run = NodeRun {
                    node: node.to_owned(),
                    start: p.start,
                    duration: dur.unwrap_or((ts - p.start).max(0.0)),
                    status: end_status(ev.event_type, timed_out),
                    worker: ev.worker.or(p.worker),
                    step: p.step.or(ev.step_index),
                    error,
                    attempt: p.attempt.or(ev.attempt()),
                };
                out(Paired::Run {
                    run,
                    opened: Some(p.seq),
                });
            }
            TraceEventType::NodeTimedOut => {
                let open = self.pending.get_mut(node);
                if let Some(open) = open
                    && let Some(i) = pick(open, ev)
                {
                    open[i].timed_out = Some((ts, ev.error().map(Cow::into_owned), dur));
                } else {
                    let duration = dur.unwrap_or(0.0);
                    let run = NodeRun {
                        node: node.to_owned(),
                        start: ts - duration,
                        duration,
                        status: RunStatus::TimedOut,
                        worker: ev.worker,
                        step: ev.step_index,
                        error: ev.error().map(Cow::into_owned),
                        attempt: ev.attempt(),
                    };
                    out(Paired::LateTimeout { run });
                }
            }
            TraceEventType::NodeSkipped => out(Paired::NotRun(not_run(ev, node))),
            _ => {}
        }
    }

    /// Closes what never ended (at the last timestamp), in a deterministic order.
    pub(crate) fn finish(&mut self, out: &mut impl FnMut(Paired)) {
        let last_ts = self.last_ts;
        let mut leftovers: Vec<(String, Pending)> = std::mem::take(&mut self.pending)
            .into_iter()
            .flat_map(|(n, ps)| ps.into_iter().map(move |p| (n.clone(), p)))
            .collect();
        leftovers.sort_by(|a, b| a.1.start.total_cmp(&b.1.start).then_with(|| a.0.cmp(&b.0)));
        for (node, p) in leftovers {
            let (end, status, error, duration) = match p.timed_out {
                Some((t, e, d)) => (t, RunStatus::TimedOut, e, d),
                None => (last_ts, RunStatus::Incomplete, None, None),
            };
            let run = NodeRun {
                node,
                start: p.start,
                duration: duration.unwrap_or((end - p.start).max(0.0)),
                status,
                worker: p.worker,
                step: p.step,
                error,
                attempt: p.attempt,
            };
            out(Paired::Run {
                run,
                opened: Some(p.seq),
            });
        }
        let mut open_steps: Vec<(usize, f64)> = std::mem::take(&mut self.steps_open)
            .into_iter()
            .flat_map(|(i, v)| v.into_iter().map(move |s| (i, s)))
            .collect();
        open_steps.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        for (index, start) in open_steps {
            let span = StepSpan {
                index,
                start,
                end: last_ts.max(start),
            };
            out(Paired::Step { span, opened: true });
        }
    }

    /// The execution span `(start, end)` and the total duration, once every event was read.
    pub(crate) fn execution(&self) -> (Option<(f64, f64)>, f64) {
        let total = match self.exec_done {
            Some((_, Some(d))) => d,
            _ => self.last_ts,
        };
        let Some(first) = self.first_ts else {
            return (None, total);
        };
        let start = self
            .exec_start
            .or_else(|| self.exec_done.and_then(|(t, d)| d.map(|d| t - d)))
            .unwrap_or_else(|| first.min(0.0));
        let end = match self.exec_done {
            Some((_, Some(d))) => start + d,
            Some((t, None)) => t,
            None => self.last_ts,
        };
        (Some((start, end.max(start))), total)
    }
}

/// Analyzes `events` (any order; non-finite timestamps are ignored).
pub(crate) fn analyze(events: &[TraceEvent]) -> Analysis {
    let mut events: Vec<TraceEvent> = events
        .iter()
        .filter(|e| e.timestamp.is_finite())
        .cloned()
        .collect();
    events.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));

    let mut out = Analysis::default();
    let mut pairer = Pairer::default();
    let mut collect = |p: Paired| match p {
        Paired::Run { run, .. } => out.runs.push(run),
        Paired::NotRun(n) => out.not_run.push(n),
        Paired::Step { span, .. } => out.steps.push(span),
        Paired::LateTimeout { run } => {
            // Reported after the failure it caused, or a run of its own.
            match out
                .runs
                .iter_mut()
                .rev()
                .find(|r| r.node == run.node && r.status.failed())
            {
                Some(failed) => failed.status = RunStatus::TimedOut,
                None => out.runs.push(run),
            }
        }
        Paired::Opened { .. } => {}
    };
    for (seq, ev) in events.iter().enumerate() {
        pairer.event(&EventRef::of(ev), seq as u64, &mut collect);
    }
    pairer.finish(&mut collect);
    out.runs.sort_by(|a, b| a.start.total_cmp(&b.start));
    out.steps.sort_by(|a, b| a.start.total_cmp(&b.start));
    (out.execution, out.total_duration) = pairer.execution();
    out.events = events;
    out
}

fn end_status(kind: TraceEventType, timed_out: bool) -> RunStatus {
    match kind {
        TraceEventType::NodeCompleted => RunStatus::Ended(NodeStatus::Completed),
        TraceEventType::NodeCancelled => RunStatus::Ended(NodeStatus::Cancelled),
        _ if timed_out => RunStatus::TimedOut,
        _ => RunStatus::Ended(NodeStatus::Failed),
    }
}

fn not_run(ev: &EventRef<'_>, node: &str) -> NotRun {
    NotRun {
        node: node.to_owned(),
        timestamp: ev.timestamp,
        kind: ev.event_type,
        error: ev.error().map(Cow::into_owned),
        step: ev.step_index,
    }
}
