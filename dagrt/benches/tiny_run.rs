//! Tiny runs: the fixed cost of one 2-task run (the quickstart's shape, empty bodies) on a
//! reused `Dag`, against the floor of handing a no-op to a rayon pool and back.
//!
//! Run with `cargo bench -p dagrt --bench tiny_run`. Printed before divan's table: the first
//! run in the process, the heap allocations of one tiny run (a counting allocator), and the
//! first run over 20 fresh processes of this binary beside a bare rayon pool's first job in as
//! many processes, alternated (`TINY_FIRST_ONLY=dag|rayon` makes a process time one of them).
//!
//! - `small_run`: `dag.run::<()>()` on a `Dag` built once (as in `executor`'s `small_run`);
//! - `rayon_scope`: `pool.scope(|_| ())` from this (non-worker) thread on a 2-thread pool:
//!   what a run paid to enter the pool before it had its own entry;
//! - `rayon_spawn_spin`: `pool.spawn` of a job that sets a flag, the caller spinning on it:
//!   the floor of a cross-thread handoff that parks nobody.
//!
//! With `TINY_RUNS=n` in the environment the binary does the first run and then `n` tiny
//! runs, and exits (no divan): `callgrind` of `n = 2000` minus `n = 0`, divided by 2000, is the
//! instructions of one run. With `TINY_PHASES=1` it prints where a first run's time goes
//! (registry, a bare 2-thread rayon pool's creation and first job, the run) and exits.

use dag::Dag;
use divan::Bencher;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

const WORKERS: usize = 2;

/// The system allocator, counting allocations.
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The quickstart's shape with no-op bodies: `task_2` depends on `task_1`.
mod quickstart {
    use dag::task;

    /// No-op source.
    #[task]
    fn task_1() {}

    /// No-op final task.
    #[task(final)]
    fn task_2(task_1: &()) {
        let _ = task_1;
    }
}

fn main() {
    if let Some(what) = std::env::var_os(FIRST_ONLY) {
        return first_only(&what.to_string_lossy());
    }
    if std::env::var_os("TINY_PHASES").is_some() {
        phases();
        return;
    }
    let t = Instant::now();
    let dag = Dag::new("quickstart").max_workers(WORKERS);
    dag.run::<()>().expect("runs");
    let first = t.elapsed();
    if let Some(n) = std::env::var("TINY_RUNS")
        .ok()
        .and_then(|n| n.parse::<u32>().ok())
    {
        for _ in 0..n {
            dag.run::<()>().expect("runs");
        }
        return;
    }
    println!(
        "first_run_in_process: Dag::new(\"quickstart\").max_workers(2).run() took {:.3} ms",
        first.as_secs_f64() * 1e3
    );
    const RUNS: usize = 1000;
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..RUNS {
        dag.run::<()>().expect("runs");
    }
    let allocs = (ALLOCS.load(Ordering::Relaxed) - before) as f64 / RUNS as f64;
    println!("allocations per tiny run: {allocs:.2}");
    first_runs_in_fresh_processes();
    println!();
    drop(dag);
    divan::main();
}

/// The environment variable that makes this binary time one first thing and exit (see
/// [`first_runs_in_fresh_processes`]).
const FIRST_ONLY: &str = "TINY_FIRST_ONLY";
/// Fresh processes per variant in [`first_runs_in_fresh_processes`].
const FRESH: usize = 20;

/// In a fresh process: times `what` (`dag`: the first run, `Dag::new` included; `rayon`: a
/// bare pool built as the `Dag`'s is, 2 threads with 16 MiB stacks and names, and its first
/// job) and prints the microseconds.
fn first_only(what: &str) {
    let t = Instant::now();
    if what == "dag" {
        Dag::new("quickstart")
            .max_workers(WORKERS)
            .run::<()>()
            .expect("runs");
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(WORKERS)
            .thread_name(|i| format!("bare-{i}"))
            .stack_size(16 << 20)
            .build()
            .expect("pool starts");
        pool.install(|| ());
    }
    println!("{}", t.elapsed().as_nanos() / 1000);
}

/// The first run over [`FRESH`] fresh processes of this binary, alternated with as many
/// processes that only start a bare rayon pool and hand it one job (the floor of a first run
/// on a pool of its own): on a VM the creation of the pool's threads sometimes stalls for
/// about a millisecond, so one process's number says little.
fn first_runs_in_fresh_processes() {
    let Ok(exe) = std::env::current_exe() else {
        return println!("first runs in fresh processes: not measured (no path to this binary)");
    };
    let one = |what: &str| -> Option<u64> {
        let out = std::process::Command::new(&exe)
            .env(FIRST_ONLY, what)
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    let (mut dag, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..FRESH {
        dag.extend(one("dag"));
        bare.extend(one("rayon"));
    }
    let summary = |v: &mut Vec<u64>| {
        v.sort_unstable();
        match (v.first(), v.get(v.len() / 2), v.last()) {
            (Some(min), Some(median), Some(max)) => format!(
                "median {:.2} ms (min {:.2}, max {:.2}), {} of {} over 1 ms",
                *median as f64 / 1e3,
                *min as f64 / 1e3,
                *max as f64 / 1e3,
                v.iter().filter(|&&us| us > 1000).count(),
                v.len()
            ),
            _ => "not measured".to_owned(),
        }
    };
    println!(
        "first run in {FRESH} fresh processes: {}; a bare rayon pool's creation + first job, \
         alternated with them: {}",
        summary(&mut dag),
        summary(&mut bare)
    );
}

/// Where the first run's time goes: registry, then a 2-thread pool's creation and first job
/// (on a pool of its own), then the run (which makes the `Dag`'s pool).
fn phases() {
    let t = Instant::now();
    let dag = Dag::new("quickstart").max_workers(WORKERS);
    dag.graph().expect("resolves");
    let registry = t.elapsed();
    let t = Instant::now();
    let p = pool();
    let built = t.elapsed();
    p.install(|| ());
    let first_job = t.elapsed();
    let t = Instant::now();
    dag.run::<()>().expect("runs");
    let run = t.elapsed();
    let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
    println!(
        "registry {:.0} µs, pool built {:.0} µs, + first job {:.0} µs, first run {:.0} µs",
        us(registry),
        us(built),
        us(first_job),
        us(run)
    );
}

/// One run of the 2-task DAG on a `Dag` built once (its pool reused).
#[divan::bench(sample_count = 500, sample_size = 10)]
fn small_run(bencher: Bencher) {
    let dag = Dag::new("quickstart").max_workers(WORKERS);
    dag.run::<()>().expect("runs");
    bencher.bench(|| dag.run::<()>().expect("runs"));
}

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .build()
        .expect("pool starts")
}

/// `pool.scope(|_| ())` from a thread outside the pool: inject, block on a lock latch.
#[divan::bench(sample_count = 500, sample_size = 10)]
fn rayon_scope(bencher: Bencher) {
    let pool = pool();
    bencher.bench(|| pool.scope(|_| ()));
}

/// `pool.spawn` of a job that sets a flag the caller spins on (nobody parks).
#[divan::bench(sample_count = 500, sample_size = 10)]
fn rayon_spawn_spin(bencher: Bencher) {
    let pool = pool();
    bencher.bench(|| {
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        pool.spawn(move || flag.store(true, Ordering::Release));
        while !done.load(Ordering::Acquire) {
            std::hint::spin_loop();
        }
    });
}
