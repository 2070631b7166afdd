//! Human-readable summary of a trace: totals, per-status counts and a timeline.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::analysis::analyze;
use super::event::{TraceEvent, TraceEventType};
use super::run::RunStatus;
use crate::NodeStatus;

/// One line of the [`TraceSummary`] timeline: a node run, or a node that never ran.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    /// The node.
    pub node_name: String,
    /// Start, in seconds since the first event.
    pub start: f64,
    /// End, in seconds (equal to `start` for nodes that never ran).
    pub end: f64,
    /// `end - start`, in seconds.
    pub duration: f64,
    /// `COMPLETED`, `FAILED`, `TIMED_OUT`, `CANCELLED`, `SKIPPED`, or
    /// `INCOMPLETE` for a run that never ended within the trace.
    pub status: String,
    /// The error text of failed, timed-out, skipped and cancelled entries.
    pub error: Option<String>,
}

/// Totals of an execution, from [`ExecutionTrace::summary`](crate::trace::ExecutionTrace::summary).
///
/// Counts are per node, by the outcome of its last run (so a node that failed
/// once and then succeeded on retry counts as completed); the timeline has
/// one entry per run (attempt), plus one per node that never ran.
///
/// ```
/// use dag::trace::{ExecutionTrace, TraceEvent, TraceEventType as T};
///
/// let trace = ExecutionTrace::from_events("etl", vec![
///     TraceEvent::new(T::ExecutionStarted, 0.0),
///     TraceEvent::new(T::NodeStarted, 0.0).with_node("extract"),
///     TraceEvent::new(T::NodeCompleted, 0.1).with_node("extract").with_duration(0.1),
///     TraceEvent::new(T::ExecutionCompleted, 0.1).with_duration(0.1),
/// ]);
/// let text = trace.summary().to_string();
/// assert!(text.contains("  extract [0.000s - 0.100s] (0.100s) COMPLETED"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TraceSummary {
    /// Seconds: the `execution_completed` duration, else the last timestamp.
    pub total_duration: f64,
    /// Number of distinct nodes that ran at least once.
    pub nodes_executed: usize,
    /// Nodes whose last run completed.
    pub completed: usize,
    /// Nodes whose last run failed.
    pub failed: usize,
    /// Nodes that were skipped.
    pub skipped: usize,
    /// Nodes that were cancelled (before or while running).
    pub cancelled: usize,
    /// Nodes whose last run timed out.
    pub timed_out: usize,
    /// Number of `node_cache_hit` events.
    pub cache_hits: usize,
    /// Per resource pool, in first-use order: how many times it was taken
    /// (`resource_acquired` events) and the seconds waited for it in all (their durations).
    pub resource_waits: Vec<(String, usize, f64)>,
    /// Gates decided (`node_gate_resolved` events): approved, and rejected or timed out.
    pub gates: (usize, usize),
    /// Runs and never-run nodes, in start order.
    pub timeline: Vec<TimelineEntry>,
}

pub(crate) fn summarize(events: &[TraceEvent]) -> TraceSummary {
    let analysis = analyze(events);
    let mut summary = TraceSummary {
        total_duration: analysis.total_duration,
        cache_hits: analysis
            .events
            .iter()
            .filter(|e| e.event_type == TraceEventType::NodeCacheHit)
            .count(),
        ..TraceSummary::default()
    };
    for e in &analysis.events {
        match e.event_type {
            TraceEventType::ResourceAcquired => {
                let pool = e
                    .metadata
                    .as_ref()
                    .and_then(|m| m.get("pool"))
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_string();
                let waited = e.duration.filter(|d| d.is_finite()).unwrap_or(0.0);
                match summary.resource_waits.iter_mut().find(|p| p.0 == pool) {
                    Some(p) => (p.1, p.2) = (p.1 + 1, p.2 + waited),
                    None => summary.resource_waits.push((pool, 1, waited)),
                }
            }
            TraceEventType::NodeGateResolved => {
                let approved = e
                    .metadata
                    .as_ref()
                    .and_then(|m| m.get("decision"))
                    .is_some_and(|d| d == "approved");
                if approved {
                    summary.gates.0 += 1;
                } else {
                    summary.gates.1 += 1;
                }
            }
            _ => {}
        }
    }

    // (sort key, entry); the key keeps equal starts in a stable order.
    let mut entries: Vec<(f64, usize, TimelineEntry)> = Vec::new();
    let mut last: HashMap<&str, (f64, RunStatus)> = HashMap::new();
    let mut ran: HashSet<&str> = HashSet::new();
    for run in &analysis.runs {
        ran.insert(&run.node);
        note(&mut last, &run.node, run.end(), run.status);
        let error = (!run.status.completed())
            .then(|| run.error.clone())
            .flatten();
        entries.push((
            run.start,
            entries.len(),
            TimelineEntry {
                node_name: run.node.clone(),
                start: run.start,
                end: run.end(),
                duration: run.duration,
                status: run.status.as_upper().to_owned(),
                error,
            },
        ));
    }
    for nr in &analysis.not_run {
        let status = RunStatus::Ended(if nr.kind == TraceEventType::NodeSkipped {
            NodeStatus::Skipped
        } else {
            NodeStatus::Cancelled
        });
        note(&mut last, &nr.node, nr.timestamp, status);
        entries.push((
            nr.timestamp,
            entries.len(),
            TimelineEntry {
                node_name: nr.node.clone(),
                start: nr.timestamp,
                end: nr.timestamp,
                duration: 0.0,
                status: status.as_upper().to_owned(),
                error: nr.error.clone(),
            },
        ));
    }
    // Reused outputs (cache, checkpoint, previous run) of nodes that did not run: one line each,
    // so the timeline shows what was reused next to what was recomputed.
    for e in analysis
        .events
        .iter()
        .filter(|e| e.event_type == TraceEventType::NodeCacheHit)
    {
        let Some(node) = e.node_name.as_deref() else {
            continue;
        };
        if ran.contains(node) {
            continue;
        }
        let source = e
            .metadata
            .as_ref()
            .and_then(|m| m.get("source"))
            .and_then(|v| v.as_str())
            .unwrap_or("cache");
        entries.push((
            e.timestamp,
            entries.len(),
            TimelineEntry {
                node_name: node.to_owned(),
                start: e.timestamp,
                end: e.timestamp,
                duration: 0.0,
                status: format!("REUSED ({source})"),
                error: None,
            },
        ));
    }
    entries.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    summary.timeline = entries.into_iter().map(|(_, _, e)| e).collect();
    summary.nodes_executed = ran.len();
    for (_, status) in last.values() {
        match *status {
            RunStatus::Ended(NodeStatus::Completed) => summary.completed += 1,
            RunStatus::Ended(NodeStatus::Failed) => summary.failed += 1,
            RunStatus::TimedOut | RunStatus::Ended(NodeStatus::TimedOut) => summary.timed_out += 1,
            RunStatus::Ended(NodeStatus::Cancelled) => summary.cancelled += 1,
            RunStatus::Ended(NodeStatus::Skipped) => summary.skipped += 1,
            RunStatus::Incomplete => {}
        }
    }
    summary
}

/// Records `status` as the outcome of `node` if it is the latest seen.
fn note<'a>(
    last: &mut HashMap<&'a str, (f64, RunStatus)>,
    node: &'a str,
    at: f64,
    status: RunStatus,
) {
    let slot = last.entry(node).or_insert((at, status));
    if at >= slot.0 {
        *slot = (at, status);
    }
}

impl fmt::Display for TraceSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Execution Trace Summary")?;
        writeln!(f, "=======================")?;
        writeln!(f, "Total duration: {:.3}s", self.total_duration)?;
        writeln!(f, "Nodes executed: {}", self.nodes_executed)?;
        write!(
            f,
            "Completed: {} | Failed: {} | Skipped: {} | Cancelled: {}",
            self.completed, self.failed, self.skipped, self.cancelled
        )?;
        if self.timed_out > 0 {
            write!(f, " | Timed out: {}", self.timed_out)?;
        }
        writeln!(f)?;
        if self.cache_hits > 0 {
            writeln!(f, "Cache hits: {}", self.cache_hits)?;
        }
        for (pool, taken, waited) in &self.resource_waits {
            writeln!(
                f,
                "Resource {pool}: taken {taken} times, {waited:.3}s waited"
            )?;
        }
        if self.gates != (0, 0) {
            writeln!(
                f,
                "Gates: {} approved, {} not approved",
                self.gates.0, self.gates.1
            )?;
        }
        writeln!(f, "Timeline:")?;
        for e in &self.timeline {
            writeln!(
                f,
                "  {} [{:.3}s - {:.3}s] ({:.3}s) {}",
                e.node_name, e.start, e.end, e.duration, e.status
            )?;
        }
        Ok(())
    }
}
