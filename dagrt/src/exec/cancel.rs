//! CancelHandle: stopping a run from another thread, and [`cancelled`] for task bodies.
//!
//! Each run has one flag (an `AtomicU8`) that the scheduler loads before starting a node. It
//! holds [`RUNNING`] until the run is cancelled, then the first reason: [`FAIL_FAST`] (a task
//! failed under `fail_fast`) or [`HANDLE`] (a [`CancelHandle::cancel`]).

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The run goes on.
pub(crate) const RUNNING: u8 = 0;
/// A task failed and `fail_fast` is on.
pub(crate) const FAIL_FAST: u8 = 1;
/// [`CancelHandle::cancel`] was called.
pub(crate) const HANDLE: u8 = 2;

/// The error text of a node cancelled for `reason` (a flag's final value).
pub(crate) fn message(reason: u8) -> &'static str {
    if reason == HANDLE {
        "cancelled: the run was cancelled (CancelHandle::cancel)"
    } else {
        "cancelled: an earlier task failed (fail_fast)"
    }
}

/// A node of the run with `flag` failed: cancels the run under `fail_fast` (the first reason
/// wins) and says whether a handle had cancelled it, in which case the node's dependents are
/// `Cancelled`, not `Skipped` (it failed after the cancel, often because of it, by polling
/// [`cancelled`]).
#[cold]
pub(crate) fn on_failure(flag: &AtomicU8, fail_fast: bool) -> bool {
    if fail_fast {
        let _ = flag.compare_exchange(RUNNING, FAIL_FAST, Ordering::Relaxed, Ordering::Relaxed);
    }
    flag.load(Ordering::Relaxed) == HANDLE
}

/// Cancels the runs of one DAG from any thread; get it with
/// [`Dag::cancel_handle`](crate::Dag::cancel_handle) or
/// [`GraphDag::cancel_handle`](crate::GraphDag::cancel_handle). Clones share one state.
///
/// [`cancel`](CancelHandle::cancel) cancels every run of the DAG in progress; when none is in
/// progress, it cancels the next run to start (so a cancel racing with the start of a run is
/// never lost). Each request is used up by the run(s) it cancels: a run started after them runs
/// normally. In a cancelled run, tasks not started yet end
/// [`Cancelled`](crate::NodeStatus::Cancelled); finished outputs are kept; a running task is
/// not interrupted: it ends as its body decides, and sees [`cancelled`] return true if it
/// polls it. A task that never polls runs to completion and its output is kept. A task that
/// fails after the cancel does not make its dependents `Skipped`: they are `Cancelled` too.
#[derive(Clone, Default)]
pub struct CancelHandle {
    runs: Arc<Mutex<Runs>>,
}

#[derive(Default)]
struct Runs {
    /// The flags of the runs in progress.
    live: Vec<Arc<AtomicU8>>,
    /// A cancel arrived while no run was in progress: the next run starts cancelled.
    pending: bool,
    /// A run in progress was cancelled by a handle (cleared when no run is left).
    requested: bool,
}

impl CancelHandle {
    /// Cancels the runs in progress, or the next run to start when none is.
    pub fn cancel(&self) {
        let mut runs = self.lock();
        if runs.live.is_empty() {
            runs.pending = true;
            return;
        }
        runs.requested = true;
        for flag in &runs.live {
            // The first reason wins (a fail_fast cancellation stays one).
            let _ = flag.compare_exchange(RUNNING, HANDLE, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    /// Whether a [`cancel`](CancelHandle::cancel) is waiting for the next run, or a run it
    /// cancelled is still in progress.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        let runs = self.lock();
        runs.pending || runs.requested
    }

    /// Registers a run that starts now; the run is cancelled while the returned guard lives.
    pub(crate) fn begin(&self) -> RunFlag {
        let mut runs = self.lock();
        let start = if std::mem::take(&mut runs.pending) {
            runs.requested = true;
            HANDLE
        } else {
            RUNNING
        };
        let flag = Arc::new(AtomicU8::new(start));
        runs.live.push(Arc::clone(&flag));
        RunFlag {
            flag,
            runs: Arc::clone(&self.runs),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelHandle")
            .field("is_cancelled", &self.is_cancelled())
            .finish()
    }
}

/// One run's flag, registered with its handle until dropped.
pub(crate) struct RunFlag {
    flag: Arc<AtomicU8>,
    runs: Arc<Mutex<Runs>>,
}

impl RunFlag {
    pub(crate) fn flag(&self) -> &AtomicU8 {
        &self.flag
    }
}

impl Drop for RunFlag {
    fn drop(&mut self) {
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        runs.live.retain(|f| !Arc::ptr_eq(f, &self.flag));
        if runs.live.is_empty() {
            runs.requested = false;
        }
    }
}

thread_local! {
    /// The flag of the run whose task this thread is running (null outside a run).
    static CURRENT: Cell<*const AtomicU8> = const { Cell::new(std::ptr::null()) };
    /// The deadline of the `timeout` task this thread is running, if any.
    static DEADLINE: Cell<Option<std::time::Instant>> = const { Cell::new(None) };
}

/// Whether the calling task body should stop: its run has been cancelled, by a
/// [`CancelHandle`] or by `fail_fast` after a failure, or the task has a `timeout` and its
/// deadline has passed; always false outside a task body.
///
/// A long sync task can poll it and return early (for example with `Err("cancelled")`); its
/// dependents are then `Cancelled`. A task that never polls it runs to completion; past a
/// deadline it has already ended `TimedOut`, so whatever it returns is dropped.
#[must_use]
pub fn cancelled() -> bool {
    let flag = CURRENT.with(Cell::get);
    // SAFETY: a non-null pointer was set by `Entered`, which restores the previous value before
    // the borrow of the flag it was made from ends.
    if !flag.is_null() && unsafe { (*flag).load(Ordering::Relaxed) } != RUNNING {
        return true;
    }
    DEADLINE
        .with(Cell::get)
        .is_some_and(|at| std::time::Instant::now() >= at)
}

/// Sets this thread's task deadline (what [`cancelled`] compares the time with) while the guard
/// lives: a sync task with a `timeout` sees `cancelled()` turn true at its deadline.
pub(crate) fn enter_deadline(at: std::time::Instant) -> DeadlineGuard {
    DeadlineGuard {
        prev: DEADLINE.with(|d| d.replace(Some(at))),
    }
}

/// Restores the previous deadline of the thread when dropped.
pub(crate) struct DeadlineGuard {
    prev: Option<std::time::Instant>,
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.prev));
    }
}

/// The calling thread's run flag, to hand to threads that run parts of the same body.
#[derive(Clone, Copy)]
pub(crate) struct Ambient(*const AtomicU8);

// SAFETY: it points at an atomic, valid while the body that read it runs.
unsafe impl Send for Ambient {}
// SAFETY: as above.
unsafe impl Sync for Ambient {}

impl Ambient {
    /// The flag set on this thread (inside a task body), if any.
    pub(crate) fn current() -> Self {
        Ambient(CURRENT.with(Cell::get))
    }

    /// Sets this thread's flag for the guard's life. Only for use within the body that called
    /// [`Ambient::current`] (the run is alive).
    pub(crate) fn enter(self) -> Entered<'static> {
        Entered {
            prev: CURRENT.with(|c| c.replace(self.0)),
            _flag: PhantomData,
        }
    }
}

/// Points this thread's [`cancelled`] at a run's flag until dropped (then restores the
/// previous one, for nested runs).
pub(crate) struct Entered<'a> {
    prev: *const AtomicU8,
    _flag: PhantomData<&'a AtomicU8>,
}

/// Sets this thread's run flag to `flag` while the guard lives.
#[inline]
pub(crate) fn enter(flag: &AtomicU8) -> Entered<'_> {
    Entered {
        prev: CURRENT.with(|c| c.replace(flag)),
        _flag: PhantomData,
    }
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}
