//! The `#[each]` elements of a trace read: each element of a mapped task is its own pair of
//! events, `task[i]`, inside its task's span (see [`crate::trace::keys`] for their ranks).

use std::collections::HashMap;

use super::Plan;
use crate::exec::execution::RunView;
use crate::exec::{ElementRun, NONE};
use crate::graph::Graph;
use crate::trace::keys::{ATTEMPT_MAX, K_ELEMENT_END, K_ELEMENT_START, K_END, POS_SHIFT, rank};
use crate::trace::{ElementMeta, ErrorRef, EventRef, MetaRef, TraceEventType as T};

/// The elements of one run, by task then index, with their names. Empty (nothing allocated)
/// for runs without `#[each]` tasks.
#[derive(Default)]
pub(super) struct Elements<'a> {
    runs: Vec<&'a ElementRun>,
    /// `task[i]`, beside `runs`: the names the events borrow.
    names: Vec<String>,
    /// The events' metadata, beside `runs`.
    meta: Vec<ElementMeta<'a>>,
    /// Node id → the range of its elements in `runs`.
    spans: HashMap<u32, (usize, usize)>,
}

impl<'a> Elements<'a> {
    /// The elements of `runs`, the nodes of `graph`.
    pub(super) fn new(graph: &'a Graph, runs: &'a [ElementRun]) -> Self {
        if runs.is_empty() {
            return Self::default();
        }
        let mut runs: Vec<&ElementRun> = runs.iter().collect();
        runs.sort_by_key(|e| (e.node, e.index));
        let task = |e: &ElementRun| graph.name(crate::graph::NodeId(e.node));
        let names = runs
            .iter()
            .map(|e| format!("{}[{}]", task(e), e.index))
            .collect();
        let meta = runs
            .iter()
            .map(|e| ElementMeta {
                task: task(e),
                index: e.index,
                attempts: e.attempts,
            })
            .collect();
        let mut spans: HashMap<u32, (usize, usize)> = HashMap::new();
        for (i, e) in runs.iter().enumerate() {
            spans.entry(e.node).or_insert((i, i)).1 = i + 1;
        }
        Elements {
            runs,
            names,
            meta,
            spans,
        }
    }

    /// Whether the run has no elements.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The elements of node `node`, in index order (ordinal `k + 1` for the `k`th).
    #[inline]
    pub(super) fn of(&self, node: u32) -> &[&'a ElementRun] {
        if self.runs.is_empty() {
            return &[];
        }
        match self.spans.get(&node) {
            Some(&(a, b)) => &self.runs[a..b],
            None => &[],
        }
    }

    /// The most elements of one task.
    pub(super) fn max_per_task(&self) -> usize {
        self.spans.values().map(|&(a, b)| b - a).max().unwrap_or(0)
    }

    /// Fills `e`, an event of node `node` at `e.timestamp` seconds, as the start or end
    /// (`kind`) of its element of ordinal `ordinal`; `seconds` converts raw ticks.
    #[cold]
    pub(super) fn fill<'s>(
        &'s self,
        e: &mut EventRef<'s>,
        node: u32,
        ordinal: u64,
        kind: u64,
        seconds: impl Fn(u64) -> f64,
    ) {
        let Some(&(a, b)) = self.spans.get(&node) else {
            return;
        };
        let Some(i) = (ordinal as usize).checked_sub(1).map(|k| a + k) else {
            return;
        };
        if i >= b {
            return;
        }
        let run = self.runs[i];
        e.node_name = Some(&self.names[i]);
        e.worker = (run.worker != NONE).then_some(run.worker as usize);
        e.meta = MetaRef::Element(&self.meta[i]);
        if kind == K_ELEMENT_END {
            e.event_type = match run.error {
                Some(_) => T::NodeFailed,
                None => T::NodeCompleted,
            };
            e.duration = Some((e.timestamp - seconds(run.start)).max(0.0));
            e.error = run.error.as_deref().map_or(ErrorRef::None, ErrorRef::Text);
        }
    }
}

impl RunView {
    /// The keys of the node at `pos`, which ran, after its start: its elements' starts and
    /// ends, by ordinal, then its end (after them, at the largest attempt, when it has any).
    #[cold]
    pub(super) fn element_keys(plan: &Plan<'_>, pos: usize, key: &mut impl FnMut(u64, u64)) {
        let slot = &plan.nodes[pos];
        let elements = plan.elements.of(slot.id.0);
        for (k, e) in elements.iter().enumerate() {
            let n = k as u64 + 1;
            key(e.start, rank(pos, n, K_ELEMENT_START));
            key(e.end.max(e.start), rank(pos, n, K_ELEMENT_END));
        }
        let last = if elements.is_empty() { 0 } else { ATTEMPT_MAX };
        key(slot.rec.end.max(slot.rec.start), rank(pos, last, K_END));
    }

    /// Decodes the key of an `#[each]` element's start or end into its event (kept out of
    /// [`RunView::event`], which runs without elements stay as fast as before).
    #[cold]
    #[inline(never)]
    pub(super) fn element_event<'a>(
        &'a self,
        plan: &'a Plan<'a>,
        tick: u64,
        rank: u64,
    ) -> EventRef<'a> {
        let pos = (rank >> POS_SHIFT) as usize;
        let (ordinal, kind) = ((rank >> 4) & ATTEMPT_MAX, rank & 15);
        let slot = &plan.nodes[pos];
        let mut e = EventRef::new(T::NodeStarted, self.seconds(tick));
        e.step_index = Some(slot.level as usize);
        plan.elements
            .fill(&mut e, slot.id.0, ordinal, kind, |t| self.seconds(t));
        e
    }
}
