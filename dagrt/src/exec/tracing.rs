//! An execution's trace, derived from the records its workers wrote (no cost while running).
//!
//! Every node record is stamped on the worker that settled the node, with one monotonic clock,
//! in a per-node cell that no other thread touches: together these cells are the per-worker
//! buffers. The trace stores no events: each read orders one compact key per event (raw clock
//! tick, causal rank; see [`crate::trace::keys`]) and decodes the keys into borrowed
//! [`EventRef`]s. Keys come in level order, which is time order on chains; otherwise they are
//! packed one per u64 and radix-sorted on the tick (linear time, no comparison sort).
//! Each element of an `#[each]` task adds a pair of events, `task[i]` (see [`elements`]).

mod decode;
mod elements;
pub(crate) mod waits;

use std::collections::HashMap;
use std::sync::Arc;

use super::Record;
use super::ReuseSource;
use super::execution::{Execution, RunView};
use super::policy;
use super::retry::Attempt;
use crate::graph::NodeId;
use crate::trace::keys::{
    ATTEMPT_MAX, K_END, K_MISS, K_START, K_STEP_END, K_STEP_START, Packed, Packing, Sink, rank,
};
use crate::trace::radix::{bit_width, sort_by_key_bits};
use crate::trace::{EventRef, EventSource, ExecutionTrace, TraceEventType as T};
use elements::Elements;

impl Execution {
    /// The lifecycle events of this run, as an [`ExecutionTrace`]: execution started/completed,
    /// one started + completed/failed pair per node that ran (one per attempt, stamped on its
    /// worker), a cache-hit event per reused node, a skipped/cancelled event per node that did
    /// not run, a started/completed pair per topological level (a step starts when its
    /// first node starts and completes when its last node ends), and for each element `i` of
    /// an `#[each]` task `t` a started + completed/failed pair named `t[i]`, on its worker,
    /// with metadata `{"task": t, "element": i}` (plus `"attempts"` when it ran more than once).
    ///
    /// At equal timestamps events are in causal order: a node's completion before its
    /// dependents' starts, a task's start before its elements' and its completion after
    /// theirs, a step's start before its first node's and its completion after its last
    /// node's.
    #[must_use]
    pub fn to_trace(&self) -> ExecutionTrace {
        self.deferred_trace()
    }

    /// The trace of this run: shares the run's records, derives events on each read.
    pub(crate) fn deferred_trace(&self) -> ExecutionTrace {
        ExecutionTrace::from_source(self.dag_name(), Arc::new(self.view.clone()))
    }
}

/// One node, at its position in level order.
struct Slot<'a> {
    id: NodeId,
    level: u32,
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
    /// The `#[each]` elements (none, and nothing allocated, for most runs).
    elements: Elements<'a>,
    /// Whether [`RunView::keys`] visits the keys in sorted order.
    in_order: bool,
}

impl RunView {
    fn is_reused(r: &Record) -> bool {
        ReuseSource::of_flags(r.flags).is_some()
    }

    /// Number of events of node `r` (besides steps and elements), given whether it has
    /// attempt records.
    fn node_event_count(r: &Record, attempts: usize) -> usize {
        if Self::is_reused(r) {
            return 1;
        }
        let miss = usize::from(r.flags & policy::CACHE_MISS != 0);
        miss + match (attempts, r.status) {
            (a, _) if a > 0 => 2 * a,
            (_, s) if s.ran() => 2,
            _ => 1,
        }
    }

    /// The nodes in level order and, when they fit, the keys packed (see [`RunView::pack_keys`]).
    fn plan(&self) -> (Plan<'_>, Option<Packed>) {
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
                level: g.level(id) as u32,
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
            elements: Elements::new(g, &self.elements),
            in_order: true,
        };
        let keys = self.pack_keys(&mut plan);
        (plan, keys)
    }

    /// One pass over the keys in level order: each level's span (`Plan::steps`), whether the
    /// keys are sorted as they come (`Plan::in_order`) and, when they are not and every key
    /// fits, the keys packed one per u64 in rank order. Packing starts at the first level found
    /// out of order (the levels before it are replayed), so in-order runs pack nothing.
    fn pack_keys(&self, plan: &mut Plan<'_>) -> Option<Packed> {
        let mut steps = std::mem::take(&mut plan.steps);
        let capacity = 2 * plan.nodes.len() + 2 * steps.len() + 2 * self.elements.len();
        let max_attempt = plan.attempts.values().flatten().map(|a| a.attempt).max();
        let mut max_attempt = max_attempt.map_or(0, u64::from);
        if !plan.elements.is_empty() {
            // Elements' ordinals, and their tasks' ends after them.
            max_attempt = max_attempt.max(plan.elements.max_per_task() as u64 + 1);
        }
        let mut sink = Sink::new(Packing::new(plan.nodes.len(), max_attempt, self.t0));
        // Whether the keys in level order are sorted: within each level, and from one level's
        // end to the next level's start.
        let (mut prev, mut last_end, mut in_order, mut top) = ((0, 0), 0, true, 0);
        for l in 0..steps.len() {
            let (a, b) = (plan.first[l], plan.first[l + 1]);
            if a == b {
                continue;
            }
            // The step's start, known once its nodes are.
            let at = sink.hold();
            let mut step = steps[l];
            for pos in a..b {
                self.node_keys(plan, pos, &mut |tick, rank| {
                    in_order &= prev <= (tick, rank);
                    prev = (tick, rank);
                    step.0 = step.0.min(tick);
                    step.1 = step.1.max(tick);
                    sink.push(tick, rank);
                });
            }
            steps[l] = step;
            in_order &= last_end <= step.0;
            (last_end, top) = (step.1, top.max(step.1));
            if sink.is_active() {
                sink.set(at, step.0, rank(a, 0, K_STEP_START));
                sink.push(step.1, rank(b - 1, ATTEMPT_MAX, K_STEP_END));
            } else if !in_order && sink.activate(capacity) {
                for (l, &span) in steps.iter().enumerate().take(l + 1) {
                    self.level_keys(plan, l, span, &mut |tick, rank| sink.push(tick, rank));
                }
            }
        }
        plan.steps = steps;
        plan.in_order = in_order;
        sink.finish(top)
    }

    /// The keys `(raw tick, rank)` of the node at `pos`, in rank order.
    fn node_keys(&self, plan: &Plan<'_>, pos: usize, key: &mut impl FnMut(u64, u64)) {
        let slot = &plan.nodes[pos];
        let (id, r) = (slot.id, &slot.rec);
        if Self::is_reused(r) {
            return key(r.start, rank(pos, 0, K_END));
        }
        if r.flags & policy::CACHE_MISS != 0 {
            key(r.start, rank(pos, 0, K_MISS));
        }
        if !plan.attempts.is_empty()
            && let Some(list) = plan.attempts.get(&id.0)
        {
            for a in list {
                let n = u64::from(a.attempt);
                key(a.start, rank(pos, n, K_START));
                key(a.end.max(a.start), rank(pos, n, K_END));
            }
            return;
        }
        if !r.status.ran() {
            return key(r.end.max(r.start), rank(pos, 0, K_END));
        }
        key(r.start, rank(pos, 0, K_START));
        if !plan.elements.is_empty() {
            return Self::element_keys(plan, pos, key);
        }
        key(r.end.max(r.start), rank(pos, 0, K_END));
    }

    /// Every key in level order: each level's step start, its nodes' keys, its step end.
    fn keys(&self, plan: &Plan<'_>, key: &mut impl FnMut(u64, u64)) {
        for (l, &span) in plan.steps.iter().enumerate() {
            self.level_keys(plan, l, span, key);
        }
    }

    /// The keys of level `l`, whose events span the ticks `lo..=hi`, in rank order.
    fn level_keys(
        &self,
        plan: &Plan<'_>,
        l: usize,
        (lo, hi): (u64, u64),
        key: &mut impl FnMut(u64, u64),
    ) {
        let (a, b) = (plan.first[l], plan.first[l + 1]);
        if a == b {
            return;
        }
        key(lo, rank(a, 0, K_STEP_START));
        for pos in a..b {
            self.node_keys(plan, pos, key);
        }
        key(hi, rank(b - 1, ATTEMPT_MAX, K_STEP_END));
    }

    /// Every key in `(tick, rank)` order, from `(tick offset, rank)` pairs: for runs whose keys
    /// do not pack in a u64. [`RunView::keys`] visits them in rank order, so a stable radix
    /// sort on the tick alone orders them.
    fn sorted_pairs(&self, plan: &Plan<'_>, key: &mut impl FnMut(u64, u64)) {
        let lo = plan.steps.iter().map(|s| s.0).min().unwrap_or(0);
        let hi = plan.steps.iter().map(|s| s.1).max().unwrap_or(0);
        let capacity = 2 * (plan.nodes.len() + plan.steps.len() + self.elements.len());
        let mut keys = Vec::with_capacity(capacity);
        self.keys(plan, &mut |tick, rank| {
            keys.push((tick.saturating_sub(lo), rank))
        });
        sort_by_key_bits(&mut keys, bit_width(hi.saturating_sub(lo)), |k| k.0);
        for (tick, rank) in keys {
            key(lo + tick, rank);
        }
    }

    /// Every key in `(tick, rank)` order. Level order is time order on chains and close to it
    /// elsewhere: the keys are sorted (stable radix sort on the tick) only when they do not
    /// come in order.
    fn visit(&self, plan: &Plan<'_>, packed: Option<Packed>, emit: &mut impl FnMut(u64, u64)) {
        match packed {
            Some(mut p) => {
                let shift = p.packing.rank_bits;
                sort_by_key_bits(&mut p.keys, p.tick_bits, |k| k >> shift);
                for &k in &p.keys {
                    let (tick, rank) = p.packing.unpack(k);
                    emit(tick, rank);
                }
            }
            None if plan.in_order => self.keys(plan, emit),
            None => self.sorted_pairs(plan, emit),
        }
    }
}

impl EventSource for RunView {
    fn for_each(&self, f: &mut dyn FnMut(&EventRef<'_>)) {
        let (plan, packed) = self.plan();
        f(&EventRef::new(T::ExecutionStarted, 0.0));
        let mut last = 0;
        let mut waits = self.waits.iter().peekable();
        if !self.waits.is_empty() {
            // Runs with waiting nodes interleave their waiting events by tick.
            self.visit(&plan, packed, &mut |tick, rank| {
                while let Some(w) = waits.next_if(|w| w.before(tick)) {
                    f(&w.event(self, &self.graph));
                }
                last = tick;
                if rank & 15 > K_STEP_END {
                    f(&self.element_event(&plan, tick, rank));
                } else {
                    f(&self.event(&plan, tick, rank));
                }
            });
            for w in waits {
                last = last.max(w.t);
                f(&w.event(self, &self.graph));
            }
        } else if plan.elements.is_empty() {
            self.visit(&plan, packed, &mut |tick, rank| {
                last = tick;
                f(&self.event(&plan, tick, rank));
            });
        } else {
            // Only runs with elements pay for telling their keys apart.
            self.visit(&plan, packed, &mut |tick, rank| {
                last = tick;
                // Elements' starts and ends are the only kinds after a step's end.
                if rank & 15 > K_STEP_END {
                    f(&self.element_event(&plan, tick, rank));
                } else {
                    f(&self.event(&plan, tick, rank));
                }
            });
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
        // Two per element of a task that ran, once, as in `node_keys`.
        let elements = self.elements.iter().filter(|e| {
            self.records.get(e.node as usize).is_some_and(|r| {
                !Self::is_reused(r) && r.status.ran() && !attempts.contains_key(&e.node)
            })
        });
        2 + nodes
            + 2 * elements.count()
            + 2 * self.graph.level_count().min(self.records.len())
            + self.waits.len()
    }
}

#[cfg(test)]
mod tests;
