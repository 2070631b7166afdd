//! An execution's trace, derived from the records its workers wrote (no cost while running).
//!
//! Every node record is stamped on the worker that settled the node, with one monotonic clock,
//! in a per-node cell that no other thread touches: together these cells are the per-worker
//! buffers. The trace stores no events: each read orders one compact key per event (raw clock
//! tick, causal rank) and decodes the keys into borrowed [`EventRef`]s.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use super::execution::{Execution, RunView};
use super::extras::{self, Attempt};
use super::{NONE, NodeStatus, Record};
use crate::graph::NodeId;
use crate::trace::{ErrorRef, EventRef, EventSource, ExecutionTrace, MetaRef, TraceEventType as T};

impl Execution {
    /// The lifecycle events of this run, as an [`ExecutionTrace`]: execution started/completed,
    /// one started + completed/failed pair per node that ran (one per attempt, stamped on its
    /// worker), a cache-hit event per reused node, a skipped/cancelled event per node that did
    /// not run, and a started/completed pair per topological level (a step starts when its
    /// first node starts and completes when its last node ends).
    ///
    /// At equal timestamps events are in causal order: a node's completion before its
    /// dependents' starts, a step's start before its first node's and its completion after
    /// its last node's.
    #[must_use]
    pub fn to_trace(&self) -> ExecutionTrace {
        self.deferred_trace()
    }

    /// The trace of this run: shares the run's records, derives events on each read.
    pub(crate) fn deferred_trace(&self) -> ExecutionTrace {
        ExecutionTrace::from_source(self.dag_name(), Arc::new(self.view.clone()))
    }
}

// The causal rank of an event: (position in level order, attempt, kind), packed in a u64.
const K_STEP_START: u64 = 0;
const K_MISS: u64 = 1;
const K_START: u64 = 2;
const K_END: u64 = 3;
const K_STEP_END: u64 = 4;
const ATTEMPT_BITS: u32 = 20;
const ATTEMPT_MAX: u64 = (1 << ATTEMPT_BITS) - 1;
const POS_SHIFT: u32 = ATTEMPT_BITS + 4;

fn rank(pos: usize, attempt: u64, kind: u64) -> u64 {
    ((pos as u64) << POS_SHIFT) | (attempt.min(ATTEMPT_MAX) << 4) | kind
}

/// One node, at its position in level order.
struct Slot<'a> {
    id: NodeId,
    level: usize,
    name: &'a str,
    rec: Record,
}

/// Everything one read needs: the nodes in level order and what decoding keys looks up.
struct Plan<'a> {
    /// Nodes by level, then topological order (a topological order too), with a copy of what
    /// decoding reads, so that decoding in time order reads memory nearly in order.
    nodes: Vec<Slot<'a>>,
    /// `first[l]..first[l + 1]`: the positions in `order` of level `l`'s nodes.
    first: Vec<usize>,
    /// `(first, last)` raw tick of each level's events.
    steps: Vec<(u64, u64)>,
    /// Attempts of the nodes that ran more than once, sorted by attempt.
    attempts: HashMap<u32, Vec<&'a Attempt>>,
    /// Whether [`RunView::keys`] visits the keys in sorted order.
    in_order: bool,
}

impl RunView {
    fn is_reused(r: &Record) -> bool {
        r.flags & (extras::HIT_CACHE | extras::HIT_CHECKPOINT | extras::HIT_PREVIOUS) != 0
    }

    /// Number of events of node `r` (besides steps), given whether it has attempt records.
    fn node_event_count(r: &Record, attempts: usize) -> usize {
        if Self::is_reused(r) {
            return 1;
        }
        let miss = usize::from(r.flags & extras::CACHE_MISS != 0);
        miss + match (attempts, r.status) {
            (a, _) if a > 0 => 2 * a,
            (_, NodeStatus::Completed | NodeStatus::Failed) => 2,
            _ => 1,
        }
    }

    fn plan(&self) -> Plan<'_> {
        let g = &self.graph;
        let levels = g.level_count();
        // Counting sort of the topological order by level.
        let mut first = vec![0usize; levels + 1];
        for &id in g.topological_order() {
            first[g.level(id) + 1] += 1;
        }
        for l in 0..levels {
            first[l + 1] += first[l];
        }
        let mut next = first.clone();
        let mut order = vec![NodeId(0); g.len()];
        for &id in g.topological_order() {
            let slot = &mut next[g.level(id)];
            order[*slot] = id;
            *slot += 1;
        }
        let nodes = order
            .into_iter()
            .map(|id| Slot {
                id,
                level: g.level(id),
                name: g.name(id),
                rec: self.records[id.index()].clone(),
            })
            .collect();
        let mut attempts: HashMap<u32, Vec<&Attempt>> = HashMap::new();
        for a in self.attempts.iter() {
            attempts.entry(a.node).or_default().push(a);
        }
        for list in attempts.values_mut() {
            list.sort_by_key(|a| a.attempt);
        }
        let mut plan = Plan {
            nodes,
            first,
            steps: vec![(u64::MAX, 0u64); levels],
            attempts,
            in_order: true,
        };
        let mut steps = std::mem::take(&mut plan.steps);
        // Whether the keys in level order are sorted: within each level, and from one level's
        // end to the next level's start.
        let mut prev = (0, 0);
        let mut last_end = 0;
        let mut in_order = true;
        for (l, step) in steps.iter_mut().enumerate() {
            for pos in plan.first[l]..plan.first[l + 1] {
                self.node_keys(&plan, pos, &mut |tick, rank, _| {
                    in_order &= prev <= (tick, rank);
                    prev = (tick, rank);
                    step.0 = step.0.min(tick);
                    step.1 = step.1.max(tick);
                });
            }
            if step.0 <= step.1 {
                in_order &= last_end <= step.0;
                last_end = step.1;
            }
        }
        plan.steps = steps;
        plan.in_order = in_order;
        plan
    }

    /// The keys `(raw tick, rank, primary)` of the node at `pos`, in rank order. A key that is
    /// not primary is the end of the span the primary key before it starts
    /// ([`RunView::run_end`], or a step's end).
    fn node_keys(&self, plan: &Plan<'_>, pos: usize, key: &mut impl FnMut(u64, u64, bool)) {
        let slot = &plan.nodes[pos];
        let (id, r) = (slot.id, &slot.rec);
        if Self::is_reused(r) {
            return key(r.start, rank(pos, 0, K_END), true);
        }
        if r.flags & extras::CACHE_MISS != 0 {
            key(r.start, rank(pos, 0, K_MISS), true);
        }
        if !plan.attempts.is_empty()
            && let Some(list) = plan.attempts.get(&id.0)
        {
            for a in list {
                let n = u64::from(a.attempt);
                key(a.start, rank(pos, n, K_START), true);
                key(a.end.max(a.start), rank(pos, n, K_END), false);
            }
            return;
        }
        if matches!(r.status, NodeStatus::Completed | NodeStatus::Failed) {
            key(r.start, rank(pos, 0, K_START), true);
        }
        // A run's end follows its start; a point event (skip, cancellation) stands alone.
        let ran = matches!(r.status, NodeStatus::Completed | NodeStatus::Failed);
        key(r.end.max(r.start), rank(pos, 0, K_END), !ran);
    }

    /// Every key in level order: each level's step start, its nodes' keys, its step end.
    fn keys(&self, plan: &Plan<'_>, key: &mut impl FnMut(u64, u64, bool)) {
        for (l, &(lo, hi)) in plan.steps.iter().enumerate() {
            let (a, b) = (plan.first[l], plan.first[l + 1]);
            if a == b {
                continue;
            }
            key(lo, rank(a, 0, K_STEP_START), true);
            for pos in a..b {
                self.node_keys(plan, pos, key);
            }
            key(hi, rank(b - 1, ATTEMPT_MAX, K_STEP_END), false);
        }
    }

    /// The key of the end of the node run whose start has rank `start`, if it starts one.
    fn run_end(&self, plan: &Plan<'_>, start: u64) -> Option<(u64, u64)> {
        if start & 15 != K_START {
            return None;
        }
        let pos = (start >> POS_SHIFT) as usize;
        let attempt = (start >> 4) & ATTEMPT_MAX;
        let slot = &plan.nodes[pos];
        let end = match plan.attempts.get(&slot.id.0) {
            Some(list) if !plan.attempts.is_empty() => {
                let a = list.iter().find(|a| u64::from(a.attempt) == attempt)?;
                a.end.max(a.start)
            }
            _ => slot.rec.end.max(slot.rec.start),
        };
        Some((end, rank(pos, attempt, K_END)))
    }

    fn rank_step_end(&self, plan: &Plan<'_>, level: usize) -> u64 {
        rank(plan.first[level + 1] - 1, ATTEMPT_MAX, K_STEP_END)
    }

    fn error_text(&self, id: NodeId) -> ErrorRef<'_> {
        match self.errors.binary_search_by_key(&id.0, |e| e.0) {
            Ok(i) => ErrorRef::Text(&self.errors[i].1),
            Err(_) => ErrorRef::None,
        }
    }

    /// Decodes one key into its event.
    #[inline]
    fn event<'a>(&'a self, plan: &Plan<'a>, tick: u64, rank: u64) -> EventRef<'a> {
        let g = &self.graph;
        let pos = (rank >> POS_SHIFT) as usize;
        let attempt = (rank >> 4) & ATTEMPT_MAX;
        let kind = rank & 15;
        let slot = &plan.nodes[pos];
        let (id, level) = (slot.id, slot.level);
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
            e.meta = MetaRef::Source(if r.flags & extras::HIT_CACHE != 0 {
                "cache"
            } else if r.flags & extras::HIT_CHECKPOINT != 0 {
                "checkpoint"
            } else {
                "previous_run"
            });
            return e;
        }
        if let Some(list) = attempts {
            e.meta = MetaRef::Attempt(attempt);
            let found = list.iter().find(|a| u64::from(a.attempt) == attempt);
            if kind == K_END
                && let Some(a) = found
            {
                e.event_type = match a.error {
                    Some(_) => T::NodeFailed,
                    None => T::NodeCompleted,
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
            NodeStatus::Completed | NodeStatus::Failed => {
                e.event_type = if r.status == NodeStatus::Completed {
                    T::NodeCompleted
                } else {
                    T::NodeFailed
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
                e.error = ErrorRef::Static("cancelled: an earlier task failed (fail_fast)");
            }
        }
        e
    }
}

impl EventSource for RunView {
    fn for_each(&self, f: &mut dyn FnMut(&EventRef<'_>)) {
        let plan = self.plan();
        f(&EventRef::new(T::ExecutionStarted, 0.0));
        // Level order is time order on chains and close to it elsewhere: decode the keys as they
        // come when they are in order, else collect and sort them (16 bytes per event).
        let mut last = 0;
        if plan.in_order {
            self.keys(&plan, &mut |tick, rank, _| {
                last = tick;
                f(&self.event(&plan, tick, rank));
            });
        } else {
            // Sort the span starts and point events (8 bytes of tick + 8 of rank each) and the
            // step ends; a node run's end waits in a heap of open runs (about one per worker)
            // until its turn. Three sorted streams merged.
            let mut starts = Vec::with_capacity(plan.nodes.len() + plan.steps.len());
            self.keys(&plan, &mut |tick, rank, primary| {
                if primary {
                    starts.push((tick, rank));
                }
            });
            starts.sort_unstable();
            let mut step_ends: Vec<(u64, u64)> = (0..plan.steps.len())
                .filter(|&l| plan.first[l] < plan.first[l + 1])
                .map(|l| (plan.steps[l].1, self.rank_step_end(&plan, l)))
                .collect();
            step_ends.sort_unstable();
            let mut open: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
            let (mut i, mut j) = (0, 0);
            loop {
                let start = starts.get(i).copied();
                let step_end = step_ends.get(j).copied();
                let run_end = open.peek().map(|r| r.0);
                let Some(key) = [start, step_end, run_end].into_iter().flatten().min() else {
                    break;
                };
                if Some(key) == start {
                    i += 1;
                    if let Some(end) = self.run_end(&plan, key.1) {
                        open.push(Reverse(end));
                    }
                } else if Some(key) == step_end {
                    j += 1;
                } else {
                    open.pop();
                }
                last = key.0;
                f(&self.event(&plan, key.0, key.1));
            }
        }
        let total = self.total_duration_seconds();
        let mut done = EventRef::new(T::ExecutionCompleted, self.seconds(self.t_end.max(last)));
        done.duration = Some(total);
        f(&done);
    }

    fn len(&self) -> usize {
        let mut attempts: HashMap<u32, usize> = HashMap::with_capacity(self.attempts.len());
        for a in self.attempts.iter() {
            *attempts.entry(a.node).or_default() += 1;
        }
        let nodes: usize = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let a = if attempts.is_empty() {
                    0
                } else {
                    attempts.get(&(i as u32)).copied().unwrap_or(0)
                };
                Self::node_event_count(r, a)
            })
            .sum();
        2 + nodes + 2 * self.graph.level_count().min(self.records.len())
    }
}
