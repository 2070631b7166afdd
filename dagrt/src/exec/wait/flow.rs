//! The life of a waiting node: gate, resources, attempts (polled futures or sync bodies under
//! a deadline), retries after a backoff, and its one settlement.

use super::gates::{GateDecision, GateRequest};
use super::{Msg, NodeWait, Phase, TimerKind, WaitCtx, WaitKind};
use crate::exec::policy::{Reuse, retries_of};
use crate::exec::retry::{Attempt, backoff_delay};
use crate::exec::{Ctx, NONE, NodeStatus, Record, cancel, caught_text, drop_quietly};
use crate::graph::NodeId;
use crate::value::BodyResult;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::MutexGuard;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

type Guard<'g> = MutexGuard<'g, NodeWait>;

/// How a waiting node ends.
enum Outcome {
    Body(BodyResult),
    TimedOut(String),
    Cancelled,
    Rejected(String),
}

/// The record of node `n`.
///
/// SAFETY (callers): hold `n`'s [`NodeWait`] lock; a waiting node's record is only touched
/// under it.
#[allow(clippy::mut_from_ref)]
unsafe fn record<'c>(ctx: &'c Ctx<'_>, n: NodeId) -> &'c mut Record {
    // SAFETY: see above.
    unsafe { ctx.records.get_mut(n.index()) }
}

/// Logs a waiting event and tells the observer.
fn note(ctx: &Ctx<'_>, w: &WaitCtx<'_>, t: u64, n: NodeId, kind: WaitKind) {
    if let Some(o) = ctx.observer {
        use crate::trace::TraceEventType as T;
        let (event, detail) = match &kind {
            WaitKind::Acquired { pool, .. } => (T::ResourceAcquired, w.pool_name(*pool)),
            WaitKind::Released { pool, .. } => (T::ResourceReleased, w.pool_name(*pool)),
            WaitKind::GateWaiting => (T::NodeGateWaiting, ""),
            WaitKind::GateResolved { approved: true, .. } => (T::NodeGateResolved, "approved"),
            WaitKind::GateResolved { .. } => (T::NodeGateResolved, "rejected"),
        };
        o.task_event(&ctx.task_ref(n, 0), event, detail);
    }
    w.log(t, n, kind);
}

fn worker() -> u32 {
    rayon::current_thread_index().map_or(NONE, |w| w as u32)
}

/// Starts a waiting node whose inputs are all there; returns its end time when it settled at
/// once (the caller goes on with its successors), `None` when it waits.
pub(crate) fn begin<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    start: Option<u64>,
) -> Option<u64> {
    let mut st = w.node(n);
    let now = start.unwrap_or_else(|| ctx.clock.raw());
    // SAFETY: `st` is held.
    let rec = unsafe { record(ctx, n) };
    rec.worker = worker();
    (rec.start, rec.end) = (now, now);
    let cause = ctx.state[n.index()].cause.load(Ordering::Relaxed);
    if cause != NONE {
        (rec.status, rec.cause) = (NodeStatus::Skipped, cause);
        return Some(settle(ctx, w, n, st, cause));
    }
    if ctx.cancelled.load(Ordering::Relaxed) != cancel::RUNNING {
        rec.status = NodeStatus::Cancelled;
        return Some(settle(ctx, w, n, st, NONE));
    }
    st.ready_at = now;
    if let Some(x) = ctx.policies {
        match catch_unwind(AssertUnwindSafe(|| ctx.reuse(x, n, rec))) {
            Ok(Reuse::Done(poison)) => return Some(settle(ctx, w, n, st, poison)),
            Ok(Reuse::Run(cache)) => st.cache = cache.map(|(_, _, key)| key),
            Err(payload) => {
                let text = format!(
                    "task `{}` panicked while its cache entry was read: {}",
                    ctx.graph.name(n),
                    caught_text(payload)
                );
                return complete(ctx, w, s, n, st, Outcome::Body(Err(text)));
            }
        }
    }
    if w.spec(n).gate {
        gate(ctx, w, n, st);
        return None;
    }
    take_resources(ctx, w, s, n, st)
}

/// A node settled without running (skipped, cancelled, reused): its bookkeeping.
fn settle(ctx: &Ctx<'_>, w: &WaitCtx<'_>, n: NodeId, mut st: Guard<'_>, poison: u32) -> u64 {
    st.phase = Phase::Done;
    // SAFETY: `st` is held.
    let rec = unsafe { record(ctx, n) };
    drop(st);
    ctx.finish(n, poison);
    if let Some(o) = ctx.observer {
        // The node is settled: nobody writes its record any more.
        ctx.observe_end(o, n, rec);
    }
    w.settled_one();
    rec.end
}

/// The gate: waits for a decision given early, from the handler, or from a handle.
fn gate(ctx: &Ctx<'_>, w: &WaitCtx<'_>, n: NodeId, mut st: Guard<'_>) {
    st.phase = Phase::Gate;
    let name = ctx.graph.name(n);
    note(ctx, w, ctx.clock.raw(), n, WaitKind::GateWaiting);
    if let Some(d) = w.w.gates.arrive(name, n.0, w.run, &w.tx) {
        drop(st);
        w.send(Msg::Gate(n.0, d));
        return;
    }
    if let Some(limit) = w.spec(n).gate_timeout
        && let Some(at) = Instant::now().checked_add(limit)
    {
        w.send(Msg::Timer(at, n.0, st.epoch, TimerKind::GateDeadline));
    }
    drop(st);
    if let Some(handler) = w.w.gates.handler.clone() {
        let request = GateRequest {
            task: name.to_string(),
            dag: ctx.labels.0.to_string(),
            run_id: ctx.labels.1.to_string(),
        };
        let tx = w.tx.clone();
        // A handler may take its time (ask a person): it runs on a thread of its own, not on a
        // worker.
        let spawned = std::thread::Builder::new()
            .name(format!("dag-gate-{name}"))
            .spawn(move || {
                let d = catch_unwind(AssertUnwindSafe(|| handler(&request))).unwrap_or_else(|p| {
                    GateDecision::Reject(format!("the gate handler panicked: {}", caught_text(p)))
                });
                if d != GateDecision::Defer {
                    let _ = tx.send(Msg::Gate(n.0, d));
                }
            });
        if let Err(e) = spawned {
            w.send(Msg::Gate(
                n.0,
                GateDecision::Reject(format!("the gate handler could not start: {e}")),
            ));
        }
    }
}

/// A gate's decision arrived.
pub(super) fn on_gate<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    d: GateDecision,
) {
    let st = w.node(n);
    if st.phase != Phase::Gate || d == GateDecision::Defer {
        return;
    }
    w.w.gates.leave(ctx.graph.name(n), w.run);
    let (approved, reason) = match &d {
        GateDecision::Reject(r) => (false, Some(r.clone())),
        _ => (true, None),
    };
    note(
        ctx,
        w,
        ctx.clock.raw(),
        n,
        WaitKind::GateResolved { approved, reason },
    );
    let settled = match d {
        GateDecision::Reject(r) => {
            let text = format!("gate `{}` rejected: {r}", ctx.graph.name(n));
            complete(ctx, w, s, n, st, Outcome::Rejected(text))
        }
        _ => take_resources(ctx, w, s, n, st),
    };
    go_on(ctx, s, n, settled);
}

/// Takes the node's resources, or queues it until they are free (holding no worker).
fn take_resources<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    mut st: Guard<'s>,
) -> Option<u64> {
    let needs = &w.spec(n).needs;
    if !needs.is_empty() {
        let mut book = w
            .book
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !book.try_take(needs) {
            book.enqueue(n.0, st.ready_at);
            st.phase = Phase::Resources;
            return None;
        }
        drop(book);
        let t = ctx.clock.raw();
        for &(pool, amount) in needs {
            let since = st.ready_at;
            note(
                ctx,
                w,
                t,
                n,
                WaitKind::Acquired {
                    pool,
                    amount,
                    since,
                },
            );
        }
        st.held = true;
    }
    attempt(ctx, w, s, n, st)
}

/// The resources of a queued node were taken for it by the node that gave them back.
fn on_acquired<'s>(ctx: &'s Ctx<'s>, w: &'s WaitCtx<'s>, s: &rayon::Scope<'s>, n: NodeId) {
    let mut st = w.node(n);
    st.held = true;
    let settled = if ctx.cancelled.load(Ordering::Relaxed) != cancel::RUNNING {
        complete(ctx, w, s, n, st, Outcome::Cancelled)
    } else {
        attempt(ctx, w, s, n, st)
    };
    go_on(ctx, s, n, settled);
}

/// Gives node `n`'s resources back and starts the queued nodes they let run.
fn give_back<'s>(ctx: &'s Ctx<'s>, w: &'s WaitCtx<'s>, s: &rayon::Scope<'s>, n: NodeId) {
    let needs = &w.spec(n).needs;
    let woken = w
        .book
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .give(needs, |m| &w.w.specs[m as usize].needs);
    let t = ctx.clock.raw();
    for &(pool, amount) in needs {
        note(ctx, w, t, n, WaitKind::Released { pool, amount });
    }
    for (m, since) in woken {
        let m = NodeId(m);
        for &(pool, amount) in &w.spec(m).needs {
            note(
                ctx,
                w,
                t,
                m,
                WaitKind::Acquired {
                    pool,
                    amount,
                    since,
                },
            );
        }
        s.spawn(move |s| on_acquired(ctx, w, s, m));
    }
}

/// One attempt of the body: a future polled at once, or a sync body run here under its
/// deadline.
fn attempt<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    mut st: Guard<'s>,
) -> Option<u64> {
    st.attempt += 1;
    st.epoch += 1;
    st.phase = Phase::Running;
    let epoch = st.epoch;
    let t = ctx.clock.raw();
    st.attempt_start = t;
    if st.attempt == 1 {
        // SAFETY: `st` is held.
        let rec = unsafe { record(ctx, n) };
        (rec.start, rec.worker) = (t, worker());
    }
    let deadline = w
        .spec(n)
        .timeout
        .and_then(|limit| Instant::now().checked_add(limit));
    if let Some(at) = deadline {
        w.send(Msg::Timer(at, n.0, epoch, TimerKind::Deadline));
    }
    if let Some(Some(body)) = w.w.asyncs.get(n.index()) {
        let inputs = ctx.inputs(n);
        // A builder closure runs code to make its future (`tokio::time::sleep(..)` needs
        // the runtime even before it is polled).
        #[cfg(feature = "tokio")]
        let runtime = w.w.runtime.enter();
        let made = catch_unwind(AssertUnwindSafe(|| body.call(&inputs)));
        #[cfg(feature = "tokio")]
        drop(runtime);
        match made {
            // SAFETY: see `erase`: the future is dropped before the node settles.
            Ok(future) => st.future = Some(unsafe { super::erase(future) }),
            Err(p) => {
                let text = format!("task panicked: {}", caught_text(p));
                return attempt_done(ctx, w, s, n, st, Err(text));
            }
        }
        let number = st.attempt;
        drop(st);
        ctx.observe_start(n, number);
        return poll(ctx, w, s, n, epoch);
    }
    st.running += 1;
    let number = st.attempt;
    drop(st);
    ctx.observe_start(n, number);
    let result = {
        let _deadline = deadline.map(cancel::enter_deadline);
        ctx.call(n)
    };
    let mut st = w.node(n);
    st.running -= 1;
    if st.phase == Phase::Running && st.epoch == epoch {
        if deadline.is_some_and(|at| Instant::now() >= at) {
            // Past its deadline before the timer's job could run (every worker was busy).
            // `complete` freed the inputs (no body runs any more): only the result goes.
            let settled = time_out(ctx, w, s, n, st);
            drop_late(ctx, w, n, result);
            return settled;
        }
        return attempt_done(ctx, w, s, n, st, result);
    }
    late(ctx, w, n, st, result);
    None
}

/// A sync body returned after its attempt ended (timed out or cancelled): its result is
/// dropped; the last body of a settled node frees the node's inputs.
fn late(ctx: &Ctx<'_>, w: &WaitCtx<'_>, n: NodeId, st: Guard<'_>, result: BodyResult) {
    let free = st.phase == Phase::Done && st.running == 0;
    drop(st);
    drop_late(ctx, w, n, result);
    if free {
        ctx.free_inputs(n);
    }
}

/// Drops the result of a body that returned too late, saying so.
fn drop_late(ctx: &Ctx<'_>, w: &WaitCtx<'_>, n: NodeId, result: BodyResult) {
    if let Ok(value) = result {
        w.warn(format!(
            "task `{}` returned after its deadline: its output was dropped",
            ctx.graph.name(n)
        ));
        if let Some(text) = drop_quietly(value) {
            w.warn(format!(
                "dropping the late output of task `{}` panicked: {text}",
                ctx.graph.name(n)
            ));
        }
    }
}

/// Wakes the driver to poll node `.node`'s future of attempt `.epoch`.
struct NodeWake {
    tx: std::sync::mpsc::Sender<Msg>,
    node: u32,
    epoch: u32,
}

impl Wake for NodeWake {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        // The run is over when the receiver is gone: a late wake has nothing to do.
        let _ = self.tx.send(Msg::Poll(self.node, self.epoch));
    }
}

/// The driver relayed a wake.
pub(super) fn on_poll<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    epoch: u32,
) {
    let settled = poll(ctx, w, s, n, epoch);
    go_on(ctx, s, n, settled);
}

/// Polls node `n`'s future until it is pending with no wake in between, or ready.
fn poll<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    epoch: u32,
) -> Option<u64> {
    let mut st = w.node(n);
    if st.phase != Phase::Running || st.epoch != epoch {
        return None;
    }
    if st.polling {
        st.repoll = true;
        return None;
    }
    let mut future = st.future.take()?;
    st.polling = true;
    drop(st);
    let waker = Waker::from(std::sync::Arc::new(NodeWake {
        tx: w.tx.clone(),
        node: n.0,
        epoch,
    }));
    loop {
        let polled = {
            #[cfg(feature = "tokio")]
            let _runtime = w.w.runtime.enter();
            let _flag = cancel::enter(ctx.cancelled);
            catch_unwind(AssertUnwindSafe(|| {
                future.as_mut().poll(&mut Context::from_waker(&waker))
            }))
        };
        let mut st = w.node(n);
        let current = st.phase == Phase::Running && st.epoch == epoch;
        match polled {
            Ok(Poll::Pending) if current && st.repoll => st.repoll = false,
            Ok(Poll::Pending) if current => {
                (st.future, st.polling) = (Some(future), false);
                return None;
            }
            _ if !current => {
                // Timed out or cancelled while it was polled: dropped now.
                (st.polling, st.repoll) = (false, false);
                drop(st);
                drop_future(ctx, w, n, future);
                return None;
            }
            Ok(Poll::Pending) => unreachable!("covered by the arms above"),
            Ok(Poll::Ready(result)) => {
                (st.polling, st.repoll) = (false, false);
                drop_future(ctx, w, n, future);
                return attempt_done(ctx, w, s, n, st, result);
            }
            Err(p) => {
                (st.polling, st.repoll) = (false, false);
                drop_future(ctx, w, n, future);
                let text = format!("task panicked: {}", caught_text(p));
                return attempt_done(ctx, w, s, n, st, Err(text));
            }
        }
    }
}

/// Drops a future (its locals' destructors run now); a panic there becomes a warning.
fn drop_future<T>(ctx: &Ctx<'_>, w: &WaitCtx<'_>, n: NodeId, future: T) {
    if catch_unwind(AssertUnwindSafe(move || drop(future))).is_err() {
        w.warn(format!(
            "dropping the future of task `{}` panicked (the panic was caught)",
            ctx.graph.name(n)
        ));
    }
}

/// An attempt ended with `result`: retried after a backoff, or the node completes.
fn attempt_done<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    st: Guard<'s>,
    result: BodyResult,
) -> Option<u64> {
    end_attempt(ctx, w, s, n, st, Outcome::Body(result))
}

/// The current attempt ended (`Outcome::Body` or `Outcome::TimedOut`): it is logged when the
/// node may retry, and a failed or timed-out attempt with retries left runs again after a
/// backoff; otherwise the node completes with `outcome`.
fn end_attempt<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    mut st: Guard<'s>,
    outcome: Outcome,
) -> Option<u64> {
    let (error, timed_out) = match &outcome {
        Outcome::Body(result) => (result.as_ref().err(), false),
        Outcome::TimedOut(text) => (Some(text), true),
        Outcome::Cancelled | Outcome::Rejected(_) => (None, false),
    };
    let (retries, backoff) = ctx
        .policies
        .map_or((0, Duration::ZERO), |x| retries_of(x, n));
    if retries > 0 {
        ctx.log_attempt(Attempt {
            node: n.0,
            attempt: st.attempt,
            start: st.attempt_start,
            end: ctx.clock.raw(),
            error: error.cloned(),
            timed_out,
        });
    }
    if let Some(e) = error
        && st.attempt <= retries
    {
        let delay = retry_later(w, n, &mut st, backoff);
        let number = st.attempt;
        drop(st);
        if let Some(o) = ctx.observer {
            o.task_retrying(&ctx.task_ref(n, number), e, delay);
        }
        return None;
    }
    complete(ctx, w, s, n, st, outcome)
}

/// Arms the backoff timer of the next attempt; returns the delay.
fn retry_later(w: &WaitCtx<'_>, n: NodeId, st: &mut NodeWait, backoff: Duration) -> Duration {
    st.phase = Phase::Backoff;
    let delay = backoff_delay(backoff, st.attempt, n.0);
    let at = Instant::now()
        .checked_add(delay)
        .unwrap_or_else(Instant::now);
    w.send(Msg::Timer(at, n.0, st.epoch, TimerKind::Backoff));
    delay
}

/// A timer fired.
///
/// Deadlines are handled on the driver's thread itself (`on_driver`), so that a node ends at
/// its deadline even when every worker is busy; its successors then go on in a job.
pub(super) fn on_timer<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    epoch: u32,
    kind: TimerKind,
    on_driver: bool,
) {
    let st = w.node(n);
    if st.epoch != epoch {
        return;
    }
    let name = ctx.graph.name(n);
    let settled = match (kind, st.phase) {
        (TimerKind::Deadline, Phase::Running) => time_out(ctx, w, s, n, st),
        (TimerKind::Backoff, Phase::Backoff) if !on_driver => attempt(ctx, w, s, n, st),
        (TimerKind::Backoff, Phase::Backoff) => {
            // The next attempt runs user code: in a job, not on the driver.
            drop(st);
            s.spawn(move |s| on_timer(ctx, w, s, n, epoch, kind, false));
            None
        }
        (TimerKind::GateDeadline, Phase::Gate) => {
            w.w.gates.leave(name, w.run);
            let limit = w.spec(n).gate_timeout.unwrap_or_default();
            let text = format!("gate `{name}` got no decision within {limit:?}");
            let reason = Some("timed out".to_string());
            let t = ctx.clock.raw();
            note(
                ctx,
                w,
                t,
                n,
                WaitKind::GateResolved {
                    approved: false,
                    reason,
                },
            );
            complete(ctx, w, s, n, st, Outcome::TimedOut(text))
        }
        _ => None,
    };
    if on_driver {
        if settled.is_some() {
            s.spawn(move |s| crate::exec::run_successors(ctx, s, n));
        }
    } else {
        go_on(ctx, s, n, settled);
    }
}

/// The running attempt of node `n` is past its deadline: its future is dropped, and the node
/// is retried after a backoff or ends `TimedOut`.
fn time_out<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    mut st: Guard<'s>,
) -> Option<u64> {
    st.epoch += 1;
    let future = if st.polling { None } else { st.future.take() };
    let limit = w.spec(n).timeout.unwrap_or_default();
    let text = format!("task `{}` timed out after {limit:?}", ctx.graph.name(n));
    let settled = end_attempt(ctx, w, s, n, st, Outcome::TimedOut(text));
    if let Some(future) = future {
        drop_future(ctx, w, n, future);
    }
    settled
}

/// The run was cancelled: a node waiting for a gate, resources or a retry is `Cancelled`, an
/// async attempt is dropped; a running sync body sees [`cancel::cancelled`] and ends as it
/// decides.
pub(super) fn on_cancel<'s>(ctx: &'s Ctx<'s>, w: &'s WaitCtx<'s>, s: &rayon::Scope<'s>, n: NodeId) {
    let mut st = w.node(n);
    let settled = match st.phase {
        Phase::Gate => {
            w.w.gates.leave(ctx.graph.name(n), w.run);
            complete(ctx, w, s, n, st, Outcome::Cancelled)
        }
        Phase::Resources => {
            let queued = w
                .book
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .dequeue(n.0);
            // Not queued any more: its resources were just taken for it, and `on_acquired`
            // sees the cancellation.
            if queued {
                complete(ctx, w, s, n, st, Outcome::Cancelled)
            } else {
                None
            }
        }
        Phase::Backoff => complete(ctx, w, s, n, st, Outcome::Cancelled),
        Phase::Running if st.future.is_some() || st.polling => {
            st.epoch += 1;
            let future = st.future.take();
            let settled = complete(ctx, w, s, n, st, Outcome::Cancelled);
            if let Some(future) = future {
                drop_future(ctx, w, n, future);
            }
            settled
        }
        _ => None,
    };
    go_on(ctx, s, n, settled);
}

/// Settles a waiting node: its record, its output or error, its resources, its inputs.
fn complete<'s>(
    ctx: &'s Ctx<'s>,
    w: &'s WaitCtx<'s>,
    s: &rayon::Scope<'s>,
    n: NodeId,
    mut st: Guard<'s>,
    outcome: Outcome,
) -> Option<u64> {
    // SAFETY: `st` is held.
    let rec = unsafe { record(ctx, n) };
    rec.end = ctx.clock.raw();
    rec.attempts = st.attempt;
    let mut poison = match outcome {
        Outcome::Body(result) => match ctx.policies {
            Some(x) => {
                let cache = st
                    .cache
                    .take()
                    .and_then(|key| Some((x.cache?, x.specs[n.index()].codec?, key)));
                let attempt = st.attempt;
                catch_unwind(AssertUnwindSafe(|| {
                    ctx.keep(x, n, rec, result, attempt, cache)
                }))
                .unwrap_or_else(|p| {
                    rec.status = NodeStatus::Failed;
                    ctx.fail(
                        n,
                        format!(
                            "task `{}` panicked after its body returned (while caching or \
                                 checkpointing its output): {}",
                            ctx.graph.name(n),
                            caught_text(p)
                        ),
                    );
                    n.0
                })
            }
            None => match result {
                Ok(value) => {
                    rec.status = NodeStatus::Completed;
                    ctx.store(n, value);
                    NONE
                }
                Err(e) => {
                    rec.status = NodeStatus::Failed;
                    ctx.fail(n, e);
                    n.0
                }
            },
        },
        Outcome::TimedOut(text) => {
            rec.status = NodeStatus::TimedOut;
            ctx.fail(n, text);
            n.0
        }
        Outcome::Rejected(text) => {
            rec.status = NodeStatus::Failed;
            ctx.fail(n, text);
            n.0
        }
        Outcome::Cancelled => {
            rec.status = NodeStatus::Cancelled;
            NONE
        }
    };
    if poison != NONE && cancel::on_failure(ctx.cancelled, ctx.fail_fast) {
        poison = NONE;
    }
    let end = rec.end;
    st.phase = Phase::Done;
    let held = std::mem::take(&mut st.held);
    let running = st.running;
    drop(st);
    if held {
        give_back(ctx, w, s, n);
    }
    ctx.poison(n, poison);
    if running == 0 {
        ctx.free_inputs(n);
    }
    if let Some(o) = ctx.observer {
        // The node is settled: nobody writes its record any more.
        ctx.observe_end(o, n, rec);
    }
    w.settled_one();
    Some(end)
}

/// After a node settled in a job of the driver's: its successors go on from here.
fn go_on<'s>(ctx: &'s Ctx<'s>, s: &rayon::Scope<'s>, n: NodeId, settled: Option<u64>) {
    if settled.is_some() {
        crate::exec::run_successors(ctx, s, n);
    }
}
