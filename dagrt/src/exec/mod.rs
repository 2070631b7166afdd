//! The scheduler: per-node dependency counters, ready tasks run on a rayon pool, no level barriers.

pub(crate) mod cancel;
mod clock;
mod elements;
mod enter;
mod execution;
mod panics;
mod plan;
pub(crate) mod policy;
pub(crate) mod retry;
mod setup;
pub(crate) mod slot;
mod status;
mod tracing;
pub(crate) mod wait;

pub use cancel::{CancelHandle, cancelled};
pub(crate) use clock::clock;
pub use elements::ElementResult;
pub(crate) use execution::new_run_id;
pub use execution::{CacheStats, Execution, NodeResult};
pub(crate) use panics::{caught_text, drop_quietly};
pub(crate) use plan::{Bodies, Body, DynBody, ElementRun, Plan, RawRun, Record};
pub(crate) use slot::Kept;
pub use status::{NodeStatus, ReuseSource};

use crate::graph::{Graph, NodeId};
use crate::inputs::Inputs;
use crate::value::Value;
use policy::Policies;
use slot::{Records, Slot};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

/// Successor sets larger than this are split in halves (`rayon::join`) before being released.
const LEAF: usize = 16;
/// Nesting of `rayon::join` beyond which ready nodes are spawned instead (bounds stack depth).
const MAX_DEPTH: u32 = 48;
/// From this many nodes on, a plain run's per-node state is written by the workers in
/// parallel (below it, handing the work out costs more than it saves).
const PAR_SETUP: usize = 1 << 15;
pub(crate) const NONE: u32 = u32::MAX;

/// A node's per-run counters, 8 bytes so that a cache line holds eight nodes' (a node's
/// predecessor count is read from the graph).
struct NodeState {
    /// Predecessors not settled yet.
    pending: AtomicU32,
    /// The failed upstream node that skips this one, or [`NONE`].
    cause: AtomicU32,
}
const _: () = assert!(std::mem::size_of::<NodeState>() == 8);

pub(crate) struct Ctx<'a> {
    graph: &'a Graph,
    bodies: Bodies<'a>,
    frees: &'a [bool],
    /// Whether any output owns memory (else no consumer counts anything).
    any_frees: bool,
    keep_all: bool,
    final_node: u32,
    fail_fast: bool,
    state: Vec<NodeState>,
    /// Per node, its consumers still to read its output; empty when no output needs freeing
    /// (see [`Ctx::free_inputs`], its only reader).
    consumers: Vec<AtomicU32>,
    slots: Vec<Slot>,
    records: Records,
    errors: Mutex<Vec<(u32, String)>>,
    /// The run's cancellation flag ([`cancel::RUNNING`] until cancelled).
    cancelled: &'a AtomicU8,
    clock: &'static clock::Clock,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    labels: (&'a str, &'a str),
    policies: Option<&'a Policies<'a>>,
    attempts: Mutex<Vec<retry::Attempt>>,
    elements: Mutex<Vec<ElementRun>>,
    warnings: Mutex<Vec<String>>,
    /// The waiting part of the run (async bodies, deadlines, resources, gates), if it has one.
    wait: Option<&'a wait::WaitCtx<'a>>,
    observer: Option<&'a dyn crate::Observer>,
    /// No policies, observer or waiting node: every node takes [`Ctx::settle_plain`].
    plain: bool,
}

/// Runs every node of `plan` on `pool` and returns what happened.
pub(crate) fn run(plan: &Plan<'_>, pool: &rayon::ThreadPool) -> RawRun {
    let g = plan.graph;
    let n = g.len();
    let clock = clock();
    let blank = Record {
        start: 0,
        end: 0,
        worker: NONE,
        cause: NONE,
        status: NodeStatus::Cancelled,
        attempts: 0,
        flags: 0,
    };
    // The driver's channel, only for runs with waiting nodes (a plain run allocates none).
    let (waiting, rx) = match plan.waits {
        Some(w) => {
            let (tx, rx) = std::sync::mpsc::channel();
            (Some(wait::WaitCtx::new(w, n, tx)), Some(rx))
        }
        None => (None, None),
    };
    let plain = plan.policies.is_none() && plan.observer.is_none() && waiting.is_none();
    let node_state = |preds: u32| NodeState {
        pending: AtomicU32::new(preds),
        cause: AtomicU32::new(NONE),
    };
    let any_frees = plan.frees.iter().any(|&f| f);
    let consumers = if any_frees && !plan.keep_all {
        g.degrees()
            .map(|(_, succs)| AtomicU32::new(succs))
            .collect()
    } else {
        Vec::new()
    };
    // A plain run writes every field of every record (`settle_plain`), so its records start
    // unwritten; the other paths update records field by field from the blank one.
    let records = if plain {
        Records::unwritten(n)
    } else {
        Records::blank(n, &blank)
    };
    // Likewise its output slots: each settler writes its node's, a value or none.
    let slots = if plain {
        slot::unwritten(n)
    } else {
        let mut slots = Vec::with_capacity(n);
        slots.resize_with(n, Slot::empty);
        slots
    };
    let state = if plain && n >= PAR_SETUP {
        // 8 bytes per node to write before the first task can start: shared out among the
        // workers.
        pool.install(|| setup::par_fill(n, |i| node_state(g.degrees_of(i).0)))
    } else {
        g.degrees().map(|(preds, _)| node_state(preds)).collect()
    };
    let ctx = Ctx {
        graph: g,
        bodies: plan.bodies,
        frees: plan.frees,
        any_frees,
        keep_all: plan.keep_all,
        final_node: plan.final_node.map_or(NONE, |f| f.0),
        fail_fast: plan.fail_fast,
        state,
        consumers,
        slots,
        records,
        errors: Mutex::new(Vec::new()),
        cancelled: plan.cancel,
        clock,
        labels: plan.labels,
        policies: plan.policies,
        attempts: Mutex::new(Vec::new()),
        elements: Mutex::new(Vec::new()),
        warnings: Mutex::new(Vec::new()),
        wait: waiting.as_ref(),
        observer: plan.observer,
        plain,
    };
    let roots = g.root_slice();
    let t0 = clock.raw();
    if let (Some(w), Some(rx)) = (ctx.wait, &rx) {
        wait::drive(&ctx, w, pool, rx, roots);
    } else if !roots.is_empty() {
        enter::run_plain(&ctx, pool, roots);
    }
    let t_end = clock.raw();
    let (waits, mut wait_warnings) = ctx.wait.map(|w| w.take_parts()).unwrap_or_default();
    // SAFETY: the run is over: in a plain run every node settled and wrote its slot; the
    // other runs started from empty slots.
    let (outputs, leftovers) = unsafe {
        slot::kept(
            ctx.slots,
            plan.frees,
            ctx.keep_all,
            plan.final_node.map(NodeId::index),
        )
    };
    for (i, value) in leftovers {
        if let Some(text) = drop_quietly(value) {
            wait_warnings.push(format!(
                "dropping the output of task `{}` panicked (the panic was caught): {text}",
                g.name(NodeId(i as u32))
            ));
        }
    }
    let mut errors = ctx
        .errors
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    errors.sort_unstable_by_key(|e| e.0);
    RawRun {
        // SAFETY: the run is over: in a plain run every node settled and wrote its record;
        // the other runs started from blank records.
        records: unsafe { ctx.records.into_records() },
        errors,
        attempts: ctx
            .attempts
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        elements: ctx
            .elements
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        warnings: {
            let mut w = ctx
                .warnings
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner);
            w.append(&mut wait_warnings);
            w
        },
        waits,
        pools: plan
            .waits
            .map(|w| w.pools.iter().map(|p| p.0.clone()).collect())
            .unwrap_or_default(),
        outputs,
        cancel_reason: ctx.cancelled.load(Ordering::Relaxed),
        t0,
        t_end,
    }
}

impl Ctx<'_> {
    /// Decrements `n`'s pending count; true when `n` became ready.
    ///
    /// A count of 1 seen by a predecessor means every other predecessor has already
    /// decremented (counts only fall, each predecessor once): this one is the last, nobody
    /// touches the counter again, and the acquire load has ordered the others' writes before
    /// `n`'s body. So the read-modify-write — the dearest instruction on the hot path — is
    /// skipped for every node with a single predecessor (chains, trees, fan-out leaves).
    #[inline]
    fn dec(&self, n: NodeId) -> bool {
        let pending = &self.state[n.index()].pending;
        pending.load(Ordering::Acquire) == 1 || pending.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// When node `n`, about to run on this worker, starts: `known` (the end of the predecessor
    /// this worker just ran) when that was its only predecessor, else now. With several
    /// predecessors another one may have ended later on another worker, and a node must not
    /// start before any of its predecessors ended (a fresh read after the acquiring decrement
    /// is later than every predecessor's end).
    #[inline]
    fn start_of(&self, n: NodeId, known: Option<u64>) -> u64 {
        match known {
            Some(t) if self.graph.predecessors(n).len() <= 1 => t,
            _ => self.clock.raw(),
        }
    }

    /// [`Ctx::start_of`] in a plain run, for a node with a few predecessors: the latest end
    /// among them (`known` is the one this worker just ran), without reading the clock. A node
    /// is ready when its last predecessor ends, and the worker that saw it ready starts it at
    /// once. Every predecessor wrote its record before its release decrement of the node's
    /// counter, which this worker's decrement acquired; so the records can be read here.
    #[inline]
    fn plain_start_of(&self, n: NodeId, known: Option<u64>) -> u64 {
        /// Beyond this many predecessors a clock read is cheaper than visiting their records.
        const FEW: usize = 4;
        debug_assert!(self.plain);
        // SAFETY: `n` is a node of this run's graph.
        let preds = unsafe { self.graph.predecessors_unchecked(n) };
        match known {
            Some(t) if preds.len() <= 1 => t,
            Some(t) if preds.len() <= FEW => preds
                .iter()
                // SAFETY: the records are settled and published (see the doc comment), and
                // no worker writes a settled record again.
                .map(|p| unsafe { self.records.get(p.index()) }.end)
                .fold(t, u64::max),
            _ => self.clock.raw(),
        }
    }

    /// Counts one consumer of `p` as done; true when it was the last one (same reasoning as
    /// [`Ctx::dec`]).
    #[inline]
    fn last_consumer(&self, p: NodeId) -> bool {
        let consumers = &self.consumers[p.index()];
        consumers.load(Ordering::Acquire) == 1 || consumers.fetch_sub(1, Ordering::AcqRel) == 1
    }

    #[inline]
    fn keeps(&self, n: NodeId) -> bool {
        self.keep_all || n.0 == self.final_node
    }

    /// What an observer is told about node `n` (attempt `attempt`).
    #[cold]
    fn task_ref(&self, n: NodeId, attempt: u32) -> crate::TaskRef<'_> {
        crate::TaskRef {
            dag: self.labels.0,
            run_id: self.labels.1,
            task: self.graph.name(n),
            worker: rayon::current_thread_index(),
            attempt,
        }
    }

    /// Tells the observer that node `n` ended as `rec` says.
    #[cold]
    #[inline(never)]
    fn observe_end(&self, o: &dyn crate::Observer, n: NodeId, rec: &Record) {
        let error = if matches!(rec.status, NodeStatus::Failed | NodeStatus::TimedOut) {
            let errors = self.errors.lock().unwrap_or_else(PoisonError::into_inner);
            errors
                .iter()
                .rev()
                .find(|e| e.0 == n.0)
                .map(|e| e.1.clone())
        } else {
            None
        };
        let reused = ReuseSource::of_flags(rec.flags).is_some();
        let attempts = rec.attempts.max(u32::from(rec.status.ran() && !reused));
        o.task_finished(&self.task_ref(n, attempts), rec.status, error.as_deref());
    }

    /// Tells the observer that attempt `attempt` of node `n` starts.
    #[inline]
    fn observe_start(&self, n: NodeId, attempt: u32) {
        if let Some(o) = self.observer {
            o.task_started(&self.task_ref(n, attempt));
        }
    }

    fn fail(&self, n: NodeId, message: String) {
        self.errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((n.0, message));
    }

    /// Runs (or skips, or cancels) a ready node, stores its output and frees consumed inputs.
    /// `start` is the time the worker picked the node up, when the caller already has it (the
    /// end of the node it ran just before); returns the node's end time.
    fn settle(&self, n: NodeId, worker: u32, start: Option<u64>) -> u64 {
        let i = n.index();
        // SAFETY: `n` became ready exactly once, so this worker is its only settler.
        let rec = unsafe { self.records.get_mut(i) };
        rec.worker = worker;
        let cause = self.state[i].cause.load(Ordering::Relaxed);
        let mut poison = NONE;
        if cause != NONE {
            let t = start.unwrap_or_else(|| self.clock.raw());
            (rec.start, rec.end, rec.status, rec.cause) = (t, t, NodeStatus::Skipped, cause);
            poison = cause;
        } else if self.cancelled.load(Ordering::Relaxed) != cancel::RUNNING {
            let t = start.unwrap_or_else(|| self.clock.raw());
            (rec.start, rec.end, rec.status) = (t, t, NodeStatus::Cancelled);
        } else {
            if let Some(x) = self.policies {
                // The policies run user code beyond the body (`Serialize` for the cache and
                // checkpoints): a panic there fails the node instead of unwinding the pool.
                let settled = catch_unwind(AssertUnwindSafe(|| self.settle_with(x, n, rec, start)));
                poison = settled.unwrap_or_else(|payload| {
                    (rec.end, rec.status) = (self.clock.raw(), NodeStatus::Failed);
                    self.fail(
                        n,
                        format!(
                            "task `{}` panicked after its body returned (while caching, \
                             checkpointing or comparing its output): {}",
                            self.graph.name(n),
                            caught_text(payload)
                        ),
                    );
                    n.0
                });
            } else {
                rec.start = start.unwrap_or_else(|| self.clock.raw());
                self.observe_start(n, 1);
                let result = self.call(n);
                rec.end = self.clock.raw();
                match result {
                    Ok(value) => {
                        rec.status = NodeStatus::Completed;
                        self.store(n, value);
                    }
                    Err(message) => {
                        rec.status = NodeStatus::Failed;
                        self.fail(n, message);
                        poison = n.0;
                    }
                }
            }
            if poison != NONE && cancel::on_failure(self.cancelled, self.fail_fast) {
                // Failed after a handle cancelled the run: the dependents are cancelled.
                poison = NONE;
            }
        }
        self.finish(n, poison);
        if let Some(o) = self.observer {
            self.observe_end(o, n, rec);
        }
        rec.end
    }

    /// [`Ctx::settle`] for a plain run (no policies, observer or waiting node): runs (or skips,
    /// or cancels) node `n`, which started at `start`, whose successors are `succs`; writes its
    /// whole record and its slot (a value or none) whatever happens to it, since a plain run
    /// starts with both unwritten, and returns its end time.
    #[inline]
    fn settle_plain(&self, n: NodeId, succs: &[NodeId], worker: u32, start: u64) -> u64 {
        let i = n.index();
        debug_assert!(i < self.state.len() && i < self.records.len());
        // SAFETY: node ids come from this run's graph, and `run` made `state` and `records`
        // one entry per node.
        let state = unsafe { self.state.get_unchecked(i) };
        let cause = state.cause.load(Ordering::Relaxed);
        let (end, status, poison) = if cause != NONE {
            self.put_none(n);
            (start, NodeStatus::Skipped, cause)
        } else if self.cancelled.load(Ordering::Relaxed) != cancel::RUNNING {
            self.put_none(n);
            (start, NodeStatus::Cancelled, NONE)
        } else {
            let result = self.call(n);
            let end = self.clock.raw();
            match result {
                Ok(value) => {
                    self.store_plain(n, succs, value);
                    (end, NodeStatus::Completed, NONE)
                }
                Err(message) => {
                    self.put_none(n);
                    self.fail(n, message);
                    // Failed after a handle cancelled the run: the dependents are cancelled.
                    let poison = if cancel::on_failure(self.cancelled, self.fail_fast) {
                        NONE
                    } else {
                        n.0
                    };
                    (end, NodeStatus::Failed, poison)
                }
            }
        };
        // SAFETY: `n` became ready exactly once, so this worker is its only settler.
        unsafe {
            self.records.write(
                i,
                Record {
                    start,
                    end,
                    worker,
                    cause,
                    status,
                    attempts: 0,
                    flags: 0,
                },
            );
        }
        self.free_inputs(n);
        if poison != NONE {
            self.poison_all(succs, poison);
        }
        end
    }

    /// [`Ctx::store`] with the successors already at hand.
    #[inline]
    fn store_plain(&self, n: NodeId, succs: &[NodeId], value: Value) {
        if !succs.is_empty() || self.keeps(n) {
            debug_assert!(n.index() < self.slots.len());
            // SAFETY: `slots` has an entry per node; only the settling worker touches the slot
            // until it releases the successors, and it is empty (each node settles once).
            unsafe { self.slots.get_unchecked(n.index()).put(value) }
        } else {
            self.drop_output(n, value);
            self.put_none(n);
        }
    }

    /// Writes "no output" into node `n`'s slot (a plain run writes every node's slot).
    #[inline]
    fn put_none(&self, n: NodeId) {
        debug_assert!(n.index() < self.slots.len());
        // SAFETY: `slots` has an entry per node; only the settling worker touches the slot
        // until it releases the successors, and it holds no value (each node settles once).
        unsafe { self.slots.get_unchecked(n.index()).put_none() }
    }

    /// One call of the node's body (inside its `tracing` span with that feature); a panic
    /// becomes an error.
    #[inline(always)]
    fn call(&self, n: NodeId) -> Result<Value, String> {
        let inputs = self.inputs(n);
        let body = self.bodies.get(n.index());
        #[cfg(feature = "tracing")]
        let _span = ::tracing::info_span!(
            "dag.task",
            dag = self.labels.0,
            task = self.graph.name(n),
            run_id = self.labels.1
        )
        .entered();
        match catch_unwind(AssertUnwindSafe(|| body(&inputs))) {
            Ok(result) => result,
            Err(payload) => Err(format!("task panicked: {}", caught_text(payload))),
        }
    }

    /// What node `n`'s body reads.
    #[inline]
    fn inputs(&self, n: NodeId) -> Inputs<'_> {
        Inputs {
            graph: self.graph,
            node: n,
            slots: &self.slots,
            elements: &self.elements,
            retry: self.policies.map_or((0, std::time::Duration::ZERO), |x| {
                let o = &x.options[n.index()];
                (o.retries, o.backoff)
            }),
        }
    }

    /// Keeps `value` for the dependents (or the caller) that will read it.
    /// An output nobody reads is dropped here (see [`Ctx::drop_output`]).
    #[inline]
    fn store(&self, n: NodeId, value: Value) {
        if !self.graph.successors(n).is_empty() || self.keeps(n) {
            // SAFETY: only the settling worker touches the slot until it releases successors.
            unsafe { self.slots[n.index()].set(value) }
        } else {
            self.drop_output(n, value);
        }
    }

    /// Drops node `n`'s output; a panic in its `Drop` becomes a warning naming the task.
    #[inline]
    fn drop_output(&self, n: NodeId, value: Value) {
        if !self.frees[n.index()] {
            // Zero-sized without drop glue: dropping it runs no user code, so cannot panic.
            drop(value);
            return;
        }
        self.drop_owned(n, value);
    }

    /// [`Ctx::drop_output`] for outputs with a `Drop` (out of line: the rare, slower case).
    #[inline(never)]
    fn drop_owned(&self, n: NodeId, value: Value) {
        if let Some(text) = drop_quietly(value) {
            self.warnings
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(format!(
                    "dropping the output of task `{}` panicked (the panic was caught): {text}",
                    self.graph.name(n)
                ));
        }
    }

    /// Frees the inputs `n` consumed and marks its successors skipped if it failed.
    #[inline]
    fn finish(&self, n: NodeId, poison: u32) {
        self.free_inputs(n);
        self.poison(n, poison);
    }

    /// Frees the inputs of `n` that no other consumer will read.
    #[inline(always)]
    fn free_inputs(&self, n: NodeId) {
        if self.any_frees && !self.keep_all {
            self.free_inputs_of(n);
        }
    }

    /// [`Ctx::free_inputs`]'s loop over the predecessors.
    #[inline(never)]
    fn free_inputs_of(&self, n: NodeId) {
        {
            // SAFETY: `n` is a node of this run's graph.
            for &p in unsafe { self.graph.predecessors_unchecked(n) } {
                if self.frees[p.index()] && self.last_consumer(p) && !self.keeps(p) {
                    // SAFETY: every consumer of `p` has finished reading it (acquire above).
                    if let Some(value) = unsafe { self.slots[p.index()].take() } {
                        self.drop_output(p, value);
                    }
                }
            }
        }
    }

    /// Marks the successors of `n` skipped, blaming `poison` (unless it is `NONE`).
    #[inline]
    fn poison(&self, n: NodeId, poison: u32) {
        if poison != NONE {
            self.poison_all(self.graph.successors(n), poison);
        }
    }

    /// Marks `succs` skipped, blaming `poison`.
    #[cold]
    fn poison_all(&self, succs: &[NodeId], poison: u32) {
        {
            for &s in succs {
                // Published to `s` by the release decrement of its pending counter that follows.
                let _ = self.state[s.index()].cause.compare_exchange(
                    NONE,
                    poison,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
        }
    }
}

/// Runs `n`, then keeps running one ready successor inline until none is left. A node run
/// inline starts when the previous one ended (one clock read per task); `start` is when `n`
/// was picked up, when the caller knows it (it ran `n`'s predecessor just before, on this
/// worker).
fn run_from<'s>(
    ctx: &'s Ctx<'s>,
    s: &rayon::Scope<'s>,
    mut n: NodeId,
    depth: u32,
    start: Option<u64>,
) {
    let worker = rayon::current_thread_index().map_or(NONE, |w| w as u32);
    // What `dag::cancelled()` reads in the bodies run here.
    let _flag = cancel::enter(ctx.cancelled);
    if ctx.plain {
        return run_plain_from(ctx, s, n, depth, worker, start);
    }
    let mut start = start;
    loop {
        // A known start only for a node whose only predecessor ended on this worker.
        start = start.map(|t| ctx.start_of(n, Some(t)));
        let end = match ctx.wait {
            Some(w) if w.waits(n) => match wait::begin(ctx, w, s, n, start) {
                Some(end) => end,
                // It waits (holding no worker); whoever settles it goes on with its successors.
                None => return,
            },
            _ => ctx.settle(n, worker, start),
        };
        let next = match ctx.graph.successors(n) {
            // Chains take this path: no ready-set bookkeeping.
            [only] => ctx.dec(*only).then_some(*only),
            [] => None,
            succs => release(ctx, s, succs, depth, Some(end)),
        };
        match next {
            Some(next) => (n, start) = (next, Some(end)),
            None => return,
        }
    }
}

/// [`run_from`]'s loop for a plain run: one clock read per task run inline, the successors
/// looked up once per task.
#[inline]
fn run_plain_from<'s>(
    ctx: &'s Ctx<'s>,
    s: &rayon::Scope<'s>,
    mut n: NodeId,
    depth: u32,
    worker: u32,
    start: Option<u64>,
) {
    let mut start = ctx.plain_start_of(n, start);
    loop {
        // SAFETY: `n` is a node of this run's graph.
        let succs = unsafe { ctx.graph.successors_unchecked(n) };
        // The lines this iteration writes, asked for before the body and the clock read, so
        // that their misses overlap those: the node's record and slot, and the counters of
        // its first two successors (often last written by the other worker). Wavefront: ~5 %
        // faster in A/B runs.
        prefetch(ctx.records.ptr(n.index()));
        prefetch(ctx.slots.as_ptr().wrapping_add(n.index()));
        for &x in succs.iter().take(2) {
            prefetch(ctx.state.as_ptr().wrapping_add(x.index()));
        }
        let end = ctx.settle_plain(n, succs, worker, start);
        // What a join's second side run next on this worker starts at (see `join_then`): the
        // end is noted before every join this loop may enter, and when the loop ends without
        // one (after a join, the worker's last end is the join's, not this node's).
        let mut joined = false;
        let mut join = || {
            clock::last_end::note(end);
            joined = true;
        };
        let next = match *succs {
            [only] => ctx.dec(only).then_some(only),
            [] => None,
            // Trees and grids: two successors, without the ready-set array.
            [a, b] => match (ctx.dec(a), ctx.dec(b)) {
                (true, true) => {
                    join();
                    run_many(ctx, s, &[a, b], depth, Some(end))
                }
                (true, false) => Some(a),
                (false, true) => Some(b),
                (false, false) => None,
            },
            _ => {
                join();
                release(ctx, s, succs, depth, Some(end))
            }
        };
        match next {
            Some(next) => (n, start) = (next, ctx.plain_start_of(next, Some(end))),
            None if joined => return,
            None => return clock::last_end::note(end),
        }
    }
}

/// Asks for the line at `p` into the cache (a hint: any address is allowed). A plain read
/// prefetch: `prefetchw` (write intent) measured no better in A/B runs and is not in the
/// baseline x86_64 target.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and changes nothing but the cache.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// `rayon::join` of `a` and `b`, where `b` learns when it may start without reading the clock:
/// in a plain run, when this worker runs `b` right after `a` (nobody stole it), at the end of
/// the last task the worker settled (see [`clock::last_end`]). When `b` was stolen, this
/// worker may have blocked on it, so the next task it starts reads the clock.
#[inline]
fn join_then<'s>(ctx: &Ctx<'s>, a: impl FnOnce() + Send, b: impl FnOnce(Option<u64>) + Send) {
    let stolen = std::sync::atomic::AtomicBool::new(false);
    rayon::join_context(
        |_| a(),
        |c| {
            if c.migrated() {
                stolen.store(true, Ordering::Relaxed);
                b(None)
            } else {
                b(ctx.plain.then(clock::last_end::get).flatten())
            }
        },
    );
    // The join returned, so `b` has finished (rayon's latch orders its store before this).
    if stolen.load(Ordering::Relaxed) {
        clock::last_end::forget();
    }
}

/// Releases the successors of `n` (settled outside [`run_from`]'s loop) and runs the ready ones.
pub(crate) fn run_successors<'s>(ctx: &'s Ctx<'s>, s: &rayon::Scope<'s>, n: NodeId) {
    let next = match ctx.graph.successors(n) {
        [only] => ctx.dec(*only).then_some(*only),
        [] => None,
        succs => release(ctx, s, succs, 0, None),
    };
    continue_with(ctx, s, next, 0, None);
}

/// Decrements the successors' counters and starts the ready ones; may hand one back to run
/// inline. `start` (the predecessor's end on this worker) becomes the start of the first node
/// run here right away, if any; a node handed back starts then too.
fn release<'s>(
    ctx: &'s Ctx<'s>,
    s: &rayon::Scope<'s>,
    succs: &'s [NodeId],
    depth: u32,
    start: Option<u64>,
) -> Option<NodeId> {
    if succs.len() > LEAF {
        let (a, b) = succs.split_at(succs.len() / 2);
        if depth < MAX_DEPTH {
            join_then(
                ctx,
                || {
                    let next = release(ctx, s, a, depth + 1, start);
                    continue_with(ctx, s, next, depth + 1, start);
                },
                |t| continue_with(ctx, s, release(ctx, s, b, depth + 1, t), depth + 1, t),
            );
            return None;
        }
        s.spawn(move |s| continue_with(ctx, s, release(ctx, s, b, 0, None), 0, None));
        return release(ctx, s, a, depth, start);
    }
    let mut ready = [NodeId(0); LEAF];
    let mut k = 0;
    for &x in succs {
        if ctx.dec(x) {
            ready[k] = x;
            k += 1;
        }
    }
    match k {
        0 => None,
        1 => Some(ready[0]),
        _ => run_many(ctx, s, &ready[..k], depth, start),
    }
}

/// Runs `next`, if any (see [`run_from`] for `start`).
fn continue_with<'s>(
    ctx: &'s Ctx<'s>,
    s: &rayon::Scope<'s>,
    next: Option<NodeId>,
    depth: u32,
    start: Option<u64>,
) {
    if let Some(n) = next {
        run_from(ctx, s, n, depth, start);
    }
}

/// Runs a group of ready nodes in parallel; the first run right away starts at `start`.
pub(crate) fn run_group<'s>(
    ctx: &'s Ctx<'s>,
    s: &rayon::Scope<'s>,
    ready: &[NodeId],
    depth: u32,
    start: Option<u64>,
) {
    match ready {
        [] => {}
        [one] => run_from(ctx, s, *one, depth, start),
        _ => {
            if let Some(n) = run_many(ctx, s, ready, depth, start) {
                run_from(ctx, s, n, depth, start);
            }
        }
    }
}

/// Starts ≥ 2 ready nodes: by recursive halving while the stack is shallow, else by spawning
/// all but one, which is handed back to run inline.
fn run_many<'s>(
    ctx: &'s Ctx<'s>,
    s: &rayon::Scope<'s>,
    ready: &[NodeId],
    depth: u32,
    start: Option<u64>,
) -> Option<NodeId> {
    if depth < MAX_DEPTH {
        let (a, b) = ready.split_at(ready.len() / 2);
        join_then(
            ctx,
            || run_group(ctx, s, a, depth + 1, start),
            |t| run_group(ctx, s, b, depth + 1, t),
        );
        None
    } else {
        for &x in &ready[1..] {
            s.spawn(move |s| run_from(ctx, s, x, 0, None));
        }
        ready.first().copied()
    }
}
