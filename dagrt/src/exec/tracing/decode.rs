//! Decoding one key of a trace read into its borrowed event.

use super::Plan;
use crate::exec::ReuseSource;
use crate::exec::execution::RunView;
use crate::exec::{NONE, NodeStatus};
use crate::graph::NodeId;
use crate::trace::keys::{
    ATTEMPT_MAX, K_END, K_MISS, K_START, K_STEP_END, K_STEP_START, POS_SHIFT,
};
use crate::trace::{ErrorRef, EventRef, MetaRef, TraceEventType as T};

impl RunView {
    pub(super) fn error_text(&self, id: NodeId) -> ErrorRef<'_> {
        match self.errors.binary_search_by_key(&id.0, |e| e.0) {
            Ok(i) => ErrorRef::Text(&self.errors[i].1),
            Err(_) => ErrorRef::None,
        }
    }

    /// Decodes one key, not an element's, into its event.
    #[inline]
    pub(super) fn event<'a>(&'a self, plan: &'a Plan<'a>, tick: u64, rank: u64) -> EventRef<'a> {
        let g = &self.graph;
        let pos = (rank >> POS_SHIFT) as usize;
        let attempt = (rank >> 4) & ATTEMPT_MAX;
        let kind = rank & 15;
        let slot = &plan.nodes[pos];
        let (id, level) = (slot.id, slot.level as usize);
        let ts = self.seconds(tick);
        let attempts = if plan.attempts.is_empty() {
            None
        } else {
            plan.attempts.get(&id.0)
        };
        if kind == K_STEP_START || kind == K_STEP_END {
            let mut e = EventRef::new(T::StepStarted, ts);
            e.step_index = Some(level);
            if kind == K_STEP_END {
                let (lo, hi) = plan.steps[level];
                e.event_type = T::StepCompleted;
                e.duration = Some((self.seconds(hi) - self.seconds(lo)).max(0.0));
            }
            return e;
        }
        let r = &slot.rec;
        let mut e = EventRef::new(T::NodeStarted, ts);
        e.node_name = Some(slot.name);
        e.step_index = Some(level);
        e.worker = (r.worker != NONE).then_some(r.worker as usize);
        if kind == K_MISS {
            e.event_type = T::NodeCacheMiss;
            return e;
        }
        if Self::is_reused(r) {
            e.event_type = T::NodeCacheHit;
            e.meta = MetaRef::Source(
                ReuseSource::of_flags(r.flags).map_or("previous_run", ReuseSource::as_str),
            );
            return e;
        }
        if let Some(list) = attempts {
            e.meta = MetaRef::Attempt(attempt);
            let found = list.iter().find(|a| u64::from(a.attempt) == attempt);
            if kind == K_END
                && let Some(a) = found
            {
                e.event_type = match (&a.error, a.timed_out) {
                    (_, true) => T::NodeTimedOut,
                    (Some(_), false) => T::NodeFailed,
                    (None, false) => T::NodeCompleted,
                };
                e.duration = Some((ts - self.seconds(a.start)).max(0.0));
                e.error = a.error.as_deref().map_or(ErrorRef::None, ErrorRef::Text);
            }
            return e;
        }
        if kind == K_START {
            return e;
        }
        match r.status {
            NodeStatus::Completed | NodeStatus::Failed | NodeStatus::TimedOut => {
                e.event_type = match r.status {
                    NodeStatus::Completed => T::NodeCompleted,
                    NodeStatus::Failed => T::NodeFailed,
                    _ => T::NodeTimedOut,
                };
                e.duration = Some((ts - self.seconds(r.start)).max(0.0));
                e.error = self.error_text(id);
            }
            NodeStatus::Skipped => {
                e.event_type = T::NodeSkipped;
                e.error = if r.cause == NONE {
                    self.error_text(id)
                } else {
                    ErrorRef::Upstream(g.name(NodeId(r.cause)))
                };
            }
            NodeStatus::Cancelled => {
                e.event_type = T::NodeCancelled;
                e.error = ErrorRef::Static(super::super::cancel::message(self.cancel_reason));
            }
        }
        e
    }
}
