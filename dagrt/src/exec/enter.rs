//! Enter: how a plain run (no waiting node) gets from the calling thread onto the pool and back.
//!
//! A caller outside every rayon pool hands the run to one of the pool's workers as a spawned
//! job and waits on a [`Latch`] that spins (without yielding) for up to 20 µs before parking:
//! a tiny run is over before the caller would have gone to sleep, so it returns without being
//! woken (`pool.scope` blocks the caller on a mutex and condvar; waking it costs µs).
//! A caller that is a rayon worker itself enters with `pool.scope` as before: in place on a
//! worker of the same pool, and stealing its own pool's work while it waits on another one.

use super::{Ctx, run_group};
use crate::graph::NodeId;
use std::cell::UnsafeCell;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// Runs the ready `roots` (and everything they release) on `pool`, returning when every node
/// has settled.
pub(super) fn run_plain<'s>(ctx: &'s Ctx<'s>, pool: &rayon::ThreadPool, roots: &'s [NodeId]) {
    if rayon::current_thread_index().is_some() {
        pool.scope(move |s| run_group(ctx, s, roots, 0, None));
    } else {
        // On the worker that takes the job, `rayon::scope` is a scope of `pool`, entered in
        // place (the nodes' nested rayon calls and `current_thread_index` are the pool's).
        on_pool(pool, move || {
            rayon::scope(move |s| run_group(ctx, s, roots, 0, None))
        });
    }
}

/// Runs `f` on a worker of `pool` and returns when it has returned; a panic of `f` is resumed
/// here. For callers outside every rayon pool (a worker would block its own pool's work).
pub(super) fn on_pool<F: FnOnce() + Send>(pool: &rayon::ThreadPool, f: F) {
    let job = Job {
        f: UnsafeCell::new(Some(f)),
        panic: UnsafeCell::new(None),
        latch: Latch::new(),
    };
    let call = JobPtr {
        job: (&raw const job).cast(),
        execute: Job::<F>::execute,
    };
    // If the wait below unwound, the worker would write to the freed `job`: abort instead
    // (nothing in it panics; the guard is there in case that changes).
    let guard = AbortOnUnwind;
    // SAFETY of the 'static job over borrowed data: `call` points at `job`, on this stack
    // frame, which outlives the job: this function returns only after `wait` has seen the
    // latch set, which is the job's last access to `job` (see `Latch::set`), and cannot
    // unwind before that (the guard aborts). `F: Send` makes handing `f` to the worker sound.
    pool.spawn(move || call.run());
    job.latch.wait();
    std::mem::forget(guard);
    if let Some(payload) = job.panic.into_inner() {
        resume_unwind(payload);
    }
}

/// A closure to run on the pool, the panic it raised, and the latch its caller waits on.
struct Job<F> {
    f: UnsafeCell<Option<F>>,
    panic: UnsafeCell<Option<Box<dyn std::any::Any + Send>>>,
    latch: Latch,
}

impl<F: FnOnce()> Job<F> {
    /// Runs the job at `job` (a `*const Job<F>`) once, then sets its latch.
    ///
    /// # Safety
    /// `job` points at a live `Job<F>` whose caller waits on its latch, and this is the only
    /// call for it.
    unsafe fn execute(job: *const ()) {
        // SAFETY: by the contract, `job` is a live `Job<F>` until its latch is set.
        let job = unsafe { &*job.cast::<Job<F>>() };
        // SAFETY: the caller touches `f` and `panic` only after the latch is set; this is the
        // only call, so nothing else touches them before that.
        let (f, panic) = unsafe { (&mut *job.f.get(), &mut *job.panic.get()) };
        if let Some(f) = f.take()
            && let Err(payload) = catch_unwind(AssertUnwindSafe(f))
        {
            *panic = Some(payload);
        }
        // SAFETY: the latch is live until it is set; `job` is not used after this call.
        unsafe { Latch::set(&raw const job.latch) };
    }
}

/// A type-erased pointer to a [`Job`] and the function that runs it: `'static`, so rayon can
/// take it as a spawned job.
struct JobPtr {
    job: *const (),
    execute: unsafe fn(*const ()),
}

// SAFETY: the job it points at is `Send` (its closure is), and only one thread runs it.
unsafe impl Send for JobPtr {}

impl JobPtr {
    /// Runs the job (by value: the closure captures the whole `JobPtr`, which is `Send`).
    fn run(self) {
        // SAFETY: `on_pool` keeps the job alive until its latch is set, and spawns it once.
        unsafe { (self.execute)(self.job) }
    }
}

/// Aborts the process when dropped, i.e. when the code it guards unwinds.
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        std::process::abort();
    }
}

/// The latch has not been set and its waiter is not parked.
const PENDING: u32 = 0;
/// The waiter is parked (or about to park): setting the latch must unpark it.
const SLEEPING: u32 = 1;
/// The latch is set: the waiter may return (and free the latch).
const SET: u32 = 2;

/// How long a waiter spins before it parks: 5 µs let a run that was preempted park and pay a
/// wake-up of hundreds of µs, 20 µs did not (benches/tiny_run.rs, 2 cores).
///
/// The spin does not yield. On 2 cores holding 3 threads (the caller and two workers, idle
/// ones spinning in rayon's own loop with `sched_yield`), a yielding waiter kept switching to
/// an idle worker: a tiny run took 3.0–3.2 µs in alternated runs where the same run with a
/// waiter that only spins took 1.2–1.4 µs. A worker that shares its core with the waiter
/// waits at most this long, until the waiter parks.
const SPIN: Duration = Duration::from_micros(20);
/// Latch loads (each followed by a `spin_loop` hint) between two reads of the clock.
const SPINS_PER_CHECK: u32 = 2;

/// Set once by a worker, waited on by one thread: it spins for [`SPIN`], then parks until set.
pub(super) struct Latch {
    state: AtomicU32,
    /// The waiter, when it parks (written before `SLEEPING` is published).
    waiter: UnsafeCell<Option<Thread>>,
}

// SAFETY: `waiter` is written by the waiter before it publishes `SLEEPING` (release) and read
// by the setter only after it has seen `SLEEPING` (acquire); nothing else touches it.
unsafe impl Sync for Latch {}

impl Latch {
    pub(super) fn new() -> Self {
        Latch {
            state: AtomicU32::new(PENDING),
            waiter: UnsafeCell::new(None),
        }
    }

    /// Whether the latch is set (acquire: what the setter did before is visible).
    fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) == SET
    }

    /// Returns once the latch is set: spins for [`SPIN`] first, then parks.
    pub(super) fn wait(&self) {
        self.wait_spinning(SPIN);
    }

    /// Returns once the latch is set: spins for about `spin` first, then parks.
    fn wait_spinning(&self, spin: Duration) {
        if self.spin(spin) {
            return;
        }
        // SAFETY: the setter reads `waiter` only after seeing `SLEEPING`, published below.
        unsafe { *self.waiter.get() = Some(thread::current()) };
        if self
            .state
            .compare_exchange(PENDING, SLEEPING, Ordering::Release, Ordering::Acquire)
            .is_err()
        {
            // Set meanwhile (the only other transition from `PENDING`).
            return;
        }
        // `park` may return spuriously, or for an `unpark` meant for an earlier wait.
        while !self.is_set() {
            thread::park();
        }
    }

    /// Spins for about `spin`; true when the latch got set meanwhile.
    fn spin(&self, spin: Duration) -> bool {
        let start = Instant::now();
        loop {
            for _ in 0..SPINS_PER_CHECK {
                if self.is_set() {
                    return true;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= spin {
                return self.is_set();
            }
        }
    }

    /// Sets the latch at `this`, waking its waiter if it parked.
    ///
    /// # Safety
    /// `this` points at a live latch, set once. It may be freed as soon as it is set: this
    /// function does not touch it after the store that sets it.
    pub(super) unsafe fn set(this: *const Self) {
        // SAFETY: live until set (by the contract).
        let latch = unsafe { &*this };
        if latch
            .state
            .compare_exchange(PENDING, SET, Ordering::Release, Ordering::Acquire)
            .is_ok()
        {
            return;
        }
        // `SLEEPING`: the waiter cannot return before the store below, so `waiter` is live;
        // take its handle first (the latch may be gone right after the store).
        // SAFETY: written before `SLEEPING` was published, which the acquire above saw.
        let waiter = unsafe { (*latch.waiter.get()).take() };
        latch.state.store(SET, Ordering::Release);
        if let Some(thread) = waiter {
            thread.unpark();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(n: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("pool starts")
    }

    #[test]
    fn the_job_runs_on_a_worker_of_the_pool_and_borrows_the_callers_data() {
        let pool = pool(2);
        let mut seen = Vec::new();
        for _ in 0..100 {
            let mut index = None;
            on_pool(&pool, || index = pool.current_thread_index());
            seen.push(index);
        }
        assert!(seen.iter().all(|i| matches!(i, Some(0 | 1))), "{seen:?}");
    }

    #[test]
    fn a_panic_of_the_job_is_resumed_on_the_caller_with_its_payload() {
        let pool = pool(1);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            on_pool(&pool, || std::panic::panic_any(42_u32));
        }));
        let payload = caught.expect_err("the panic reaches the caller");
        assert_eq!(payload.downcast_ref::<u32>(), Some(&42));
        // The worker survived: the pool still runs jobs.
        let mut ran = false;
        on_pool(&pool, || ran = true);
        assert!(ran);
    }

    #[test]
    fn a_waiter_that_parked_is_woken_by_the_set() {
        let latch = Latch::new();
        thread::scope(|s| {
            let setter = s.spawn(|| {
                // Set only once the waiter has published that it parks.
                while latch.state.load(Ordering::Acquire) != SLEEPING {
                    thread::yield_now();
                }
                // SAFETY: `latch` outlives the scope; set once.
                unsafe { Latch::set(&raw const latch) };
            });
            latch.wait_spinning(Duration::ZERO);
            setter.join().expect("the setter returns");
        });
        assert!(latch.is_set());
        // SAFETY: only this thread is left; the setter took the waiter's handle.
        assert!(unsafe { (*latch.waiter.get()).is_none() });
    }

    #[test]
    fn a_latch_set_before_the_wait_returns_at_once() {
        let latch = Latch::new();
        // SAFETY: `latch` is live and set once.
        unsafe { Latch::set(&raw const latch) };
        latch.wait();
        assert!(latch.is_set());
    }
}
