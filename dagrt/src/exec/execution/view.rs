//! RunView: the recorded facts of one run (records, errors, attempts, elements, waits), shared
//! between an execution and its trace, and how a node's result is read from them.

use super::{NodeResult, REUSED};
use crate::exec::{NONE, NodeStatus, Record, ReuseSource, policy};
use crate::graph::{Graph, NodeId};
use std::sync::Arc;

/// The recorded facts of one run, shared (cheaply, by `Arc`) between an
/// [`Execution`](super::Execution) and the trace built from it on demand. The vectors are
/// behind one `Arc` (one allocation per run); they read as fields of the view (`view.records`)
/// through `Deref`.
#[derive(Clone)]
pub(crate) struct RunView {
    pub(crate) graph: Arc<Graph>,
    pub(super) facts: Arc<RunFacts>,
    /// Why the `Cancelled` nodes were cancelled (a [`crate::exec::cancel`] reason).
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
    pub(crate) attempts: Vec<crate::exec::retry::Attempt>,
    pub(crate) elements: Vec<crate::exec::ElementRun>,
    /// The waiting events (resources, gates), in tick order.
    pub(crate) waits: Vec<crate::exec::tracing::waits::WaitTrace>,
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
        crate::exec::clock().delta_as_nanos(self.t0, raw) as f64 / 1e9
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
            NodeStatus::Cancelled => {
                Some(crate::exec::cancel::message(self.cancel_reason).to_string())
            }
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
