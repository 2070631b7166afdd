//! The waiting scheduler: tasks that wait without holding a worker (async bodies, deadlines,
//! resource pools, approval gates), driven by the thread that started the run.
//!
//! A run with such tasks runs in `ThreadPool::in_place_scope`: the pool's workers run the
//! nodes as in a plain run, and the calling thread, which is no worker, pumps messages — a
//! future's waker asking for a poll, a deadline or backoff to arm, a gate's decision — and
//! spawns the job each one calls for. A waiting node is a small state machine ([`flow`]) under
//! its own mutex; every other node of the run goes the plain way, untouched.

mod flow;
pub(crate) mod gates;
mod pools;
#[cfg(feature = "tokio")]
pub(crate) mod runtime;

use super::cancel;
use super::{Ctx, NONE};
use crate::graph::NodeId;
use crate::inputs::Inputs;
use crate::value::{AsyncBodyResult, AsyncRun};
use gates::{GateDecision, GateHandle};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

pub(crate) use flow::begin;

/// How often the driver looks at the run's cancellation flag while nodes wait.
const TICK: Duration = Duration::from_millis(5);

/// An `async` task's body: a `#[task] async fn`'s, or a builder closure's.
pub(crate) enum AsyncBody<'a> {
    Fn(AsyncRun),
    Dyn(&'a (dyn for<'i> Fn(&Inputs<'i>) -> AsyncBodyResult<'i> + Send + Sync + 'a)),
}

impl AsyncBody<'_> {
    fn call<'i>(&self, inputs: &Inputs<'i>) -> AsyncBodyResult<'i> {
        match self {
            AsyncBody::Fn(f) => f(inputs),
            AsyncBody::Dyn(f) => f(inputs),
        }
    }
}

/// What one node waits for besides its inputs.
#[derive(Debug, Clone, Default)]
pub(crate) struct WaitSpec {
    /// The deadline of each attempt.
    pub timeout: Option<Duration>,
    /// `(pool index, amount)`, each pool once.
    pub needs: Vec<(u16, u32)>,
    pub gate: bool,
    pub gate_timeout: Option<Duration>,
}

/// The waiting part of a plan: what each node waits for, the pools, the gates, the runtime.
pub(crate) struct Waits<'a> {
    /// By node id (empty when no node is async).
    pub asyncs: Vec<Option<AsyncBody<'a>>>,
    /// By node id.
    pub specs: Vec<WaitSpec>,
    /// `(name, capacity)` of each pool.
    pub pools: Vec<(String, u32)>,
    pub gates: GateHandle,
    /// The tokio runtime async bodies are polled in (its reactor and timers).
    #[cfg(feature = "tokio")]
    pub runtime: tokio::runtime::Handle,
}

impl Waits<'_> {
    fn is_async(&self, n: NodeId) -> bool {
        self.asyncs.get(n.index()).is_some_and(Option::is_some)
    }

    /// Whether node `n` goes through the waiting state machine.
    pub(crate) fn waits(&self, n: NodeId) -> bool {
        let s = &self.specs[n.index()];
        self.is_async(n) || s.timeout.is_some() || !s.needs.is_empty() || s.gate
    }
}

/// What the driver is asked to do.
pub(crate) enum Msg {
    /// Poll node `.0`'s future (attempt `.1`).
    Poll(u32, u32),
    /// Arm a timer.
    Timer(Instant, u32, u32, TimerKind),
    /// A gate's decision.
    Gate(u32, GateDecision),
    /// Every waiting node has settled.
    Exit,
}

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TimerKind {
    /// An attempt's deadline.
    Deadline,
    /// The delay before the next attempt is over.
    Backoff,
    /// A gate's decision is late.
    GateDeadline,
}

/// What happened to a waiting node, for the trace (raw clock ticks).
#[derive(Debug, Clone)]
pub(crate) struct WaitEvent {
    pub t: u64,
    pub node: u32,
    pub kind: WaitKind,
}

/// The kinds of [`WaitEvent`].
#[derive(Debug, Clone)]
pub(crate) enum WaitKind {
    /// `amount` of pool `pool` taken, after waiting since `since`.
    Acquired { pool: u16, amount: u32, since: u64 },
    /// `amount` of pool `pool` given back.
    Released { pool: u16, amount: u32 },
    /// The gate waits for a decision.
    GateWaiting,
    /// The gate's decision (or `timed out`): approved, or the reason it was not.
    GateResolved {
        approved: bool,
        reason: Option<String>,
    },
}

/// Where a waiting node stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Its inputs are not all there yet.
    Idle,
    Gate,
    Resources,
    Running,
    Backoff,
    Done,
}

/// The state of one waiting node (under its mutex).
struct NodeWait {
    phase: Phase,
    /// Bumped at each attempt and at a timeout: timers and wakes of an older epoch are stale.
    epoch: u32,
    attempt: u32,
    attempt_start: u64,
    /// The current attempt's future, while nobody polls it; its lifetime is erased (see
    /// [`erase`]).
    future: Option<AsyncBodyResult<'static>>,
    /// A worker is polling the future now; `repoll`: it was woken meanwhile.
    polling: bool,
    repoll: bool,
    /// The cache key its output fills, when it is cached.
    cache: Option<crate::cache::Key>,
    /// When its inputs were all there (raw ticks).
    ready_at: u64,
    /// Sync bodies of this node running now (a timed-out one may still run).
    running: u32,
    /// It holds its resources.
    held: bool,
}

/// The state of the waiting part of one run.
pub(crate) struct WaitCtx<'a> {
    w: &'a Waits<'a>,
    /// The waiting nodes, by their place in `nodes`.
    waiting: Vec<NodeId>,
    /// By node id: its place in `nodes` ([`NONE`] for a node that does not wait).
    slot: Vec<u32>,
    /// The state of each waiting node (only those: a run with one gate among 100k tasks
    /// keeps one state).
    nodes: Vec<Mutex<NodeWait>>,
    book: Mutex<pools::Book>,
    tx: Sender<Msg>,
    /// How many waiting nodes have settled.
    settled: AtomicUsize,
    events: Mutex<Vec<WaitEvent>>,
    warnings: Mutex<Vec<String>>,
    /// This run, for the gate book.
    run: u64,
}

impl<'a> WaitCtx<'a> {
    /// The waiting state of a run of `w` over `n` nodes, reporting to `tx`.
    pub(crate) fn new(w: &'a Waits<'a>, n: usize, tx: Sender<Msg>) -> Self {
        static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let waiting: Vec<NodeId> = (0..n as u32).map(NodeId).filter(|&v| w.waits(v)).collect();
        let mut slot = vec![NONE; n];
        for (k, v) in waiting.iter().enumerate() {
            slot[v.index()] = k as u32;
        }
        WaitCtx {
            w,
            nodes: waiting
                .iter()
                .map(|_| {
                    Mutex::new(NodeWait {
                        phase: Phase::Idle,
                        epoch: 0,
                        attempt: 0,
                        attempt_start: 0,
                        future: None,
                        polling: false,
                        repoll: false,
                        cache: None,
                        ready_at: 0,
                        running: 0,
                        held: false,
                    })
                })
                .collect(),
            waiting,
            slot,
            book: Mutex::new(pools::Book::new(w.pools.iter().map(|p| p.1))),
            tx,
            settled: AtomicUsize::new(0),
            events: Mutex::new(Vec::new()),
            warnings: Mutex::new(Vec::new()),
            run: RUNS.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Whether node `n` goes through the waiting state machine.
    #[inline]
    pub(crate) fn waits(&self, n: NodeId) -> bool {
        self.slot[n.index()] != NONE
    }

    /// The state of waiting node `n` (the callers only reach `flow` for waiting nodes).
    fn node(&self, n: NodeId) -> MutexGuard<'_, NodeWait> {
        self.nodes[self.slot[n.index()] as usize]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn spec(&self, n: NodeId) -> &WaitSpec {
        &self.w.specs[n.index()]
    }

    fn send(&self, msg: Msg) {
        // The driver holds the receiver until every waiting node has settled, and a node
        // that sends has not: the send cannot fail while it matters.
        let _ = self.tx.send(msg);
    }

    fn log(&self, t: u64, n: NodeId, kind: WaitKind) {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(WaitEvent { t, node: n.0, kind });
    }

    fn pool_name(&self, pool: u16) -> &str {
        self.w
            .pools
            .get(usize::from(pool))
            .map_or("", |p| p.0.as_str())
    }

    fn warn(&self, text: String) {
        self.warnings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(text);
    }

    /// A waiting node settled; the last one tells the driver to stop.
    fn settled_one(&self) {
        if self.settled.fetch_add(1, Ordering::AcqRel) + 1 == self.waiting.len() {
            self.send(Msg::Exit);
        }
    }

    /// The events and warnings the run left.
    pub(crate) fn take_parts(&self) -> (Vec<WaitEvent>, Vec<String>) {
        (
            std::mem::take(&mut *self.events.lock().unwrap_or_else(PoisonError::into_inner)),
            std::mem::take(&mut *self.warnings.lock().unwrap_or_else(PoisonError::into_inner)),
        )
    }
}

/// A future of the run, its borrow of the run's inputs erased so that it can wait in the
/// node's state.
///
/// # Safety
/// The future must be dropped before the run's slots are: each waiting node drops its future
/// before it settles, the driver returns only once every waiting node has settled, and the
/// scope only once every job has returned — all before `exec::run` frees the slots. Should
/// a bug unwind past that, [`WaitCtx`]'s `Drop` leaks what is left instead of dropping it.
unsafe fn erase(future: AsyncBodyResult<'_>) -> AsyncBodyResult<'static> {
    // SAFETY: only the lifetime changes (same layout); see above for why it is never outlived.
    unsafe { std::mem::transmute::<AsyncBodyResult<'_>, AsyncBodyResult<'static>>(future) }
}

impl Drop for WaitCtx<'_> {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            let st = node.get_mut().unwrap_or_else(PoisonError::into_inner);
            if let Some(future) = st.future.take() {
                // Only reachable after a bug: the inputs it borrows may be gone (see `erase`).
                std::mem::forget(future);
            }
        }
    }
}

/// Runs `roots` and everything after them on `pool`, the calling thread driving the waiting
/// nodes until all have settled (then the scope waits for the jobs still running).
pub(crate) fn drive<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    pool: &rayon::ThreadPool,
    rx: &Receiver<Msg>,
    roots: &'s [NodeId],
) {
    pool.in_place_scope(move |s| {
        if !roots.is_empty() {
            s.spawn(move |s| super::run_group(ctx, s, roots, 0, None));
        }
        if w.waiting.is_empty() {
            return;
        }
        let mut timers: BinaryHeap<Reverse<(Instant, u32, u32, TimerKind)>> = BinaryHeap::new();
        let mut cancel_seen = false;
        loop {
            let now = Instant::now();
            while let Some(&Reverse((at, n, epoch, kind))) = timers.peek()
                && at <= now
            {
                timers.pop();
                flow::on_timer(ctx, w, s, NodeId(n), epoch, kind, true);
            }
            let wait = timers
                .peek()
                .map_or(TICK, |t| t.0.0.saturating_duration_since(now))
                .min(TICK);
            match rx.recv_timeout(wait) {
                Ok(Msg::Exit) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(Msg::Poll(n, epoch)) => {
                    s.spawn(move |s| flow::on_poll(ctx, w, s, NodeId(n), epoch));
                }
                Ok(Msg::Timer(at, n, epoch, kind)) => timers.push(Reverse((at, n, epoch, kind))),
                Ok(Msg::Gate(n, d)) => s.spawn(move |s| flow::on_gate(ctx, w, s, NodeId(n), d)),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if !cancel_seen && ctx.cancelled.load(Ordering::Relaxed) != cancel::RUNNING {
                cancel_seen = true;
                for &n in &w.waiting {
                    s.spawn(move |s| flow::on_cancel(ctx, w, s, n));
                }
            }
        }
    });
}
