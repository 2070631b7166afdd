//! How a run enters its pool: from a plain thread (handed to a worker, the caller waiting), from
//! a worker of the same pool (in place) or of another pool; what a panic escaping the pool
//! does; and the run ids of many quick runs.

use dag::{Dag, Observer, TaskRef};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The quickstart's shape; each body reports where it ran.
mod where_run {
    use dag::task;

    /// (rayon worker index, threads of the current rayon pool) inside a body.
    pub type Seen = (Option<usize>, usize);

    fn seen() -> Seen {
        (rayon::current_thread_index(), rayon::current_num_threads())
    }

    /// Where the first body ran.
    #[task]
    pub fn first() -> Seen {
        seen()
    }

    /// Where both bodies ran; the second also from inside a nested `rayon::join`.
    #[task(final)]
    pub fn second(first: &Seen) -> [Seen; 3] {
        let (a, b) = rayon::join(seen, seen);
        [*first, a, b]
    }
}

/// Every `Seen` is a worker of a pool of `workers` threads.
fn on_workers(seen: &[where_run::Seen], workers: usize) -> bool {
    seen.iter()
        .all(|&(index, threads)| threads == workers && index.is_some_and(|i| i < workers))
}

#[test]
fn bodies_run_on_the_dags_workers_whatever_the_calling_thread() {
    // 3 workers: neither the global pool's size on a 2-core machine nor 1.
    let dag = Dag::new("where_run").max_workers(3);
    for _ in 0..50 {
        let seen: [where_run::Seen; 3] = dag.run().expect("runs");
        assert!(on_workers(&seen, 3), "{seen:?}");
    }
    let exec = dag.execute().expect("runs");
    assert!(exec.nodes().all(|n| n.worker.is_some_and(|w| w < 3)));
}

#[test]
fn a_run_from_inside_a_worker_of_its_own_pool_runs_in_place() {
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("pool starts"),
    );
    let dag = Dag::new("where_run").thread_pool(pool.clone());
    let (caller, seen) = pool.install(|| {
        let seen: [where_run::Seen; 3] = dag.run().expect("runs");
        (rayon::current_thread_index(), seen)
    });
    assert!(caller.is_some());
    assert!(on_workers(&seen, 3), "{seen:?}");
}

#[test]
fn a_run_from_inside_a_worker_of_another_pool_runs_on_its_own_pool() {
    let other = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool starts");
    let dag = Dag::new("where_run").max_workers(3);
    let seen: Vec<[where_run::Seen; 3]> = other.install(|| {
        let (a, b) = rayon::join(
            || dag.run::<[where_run::Seen; 3]>().expect("runs"),
            || dag.run::<[where_run::Seen; 3]>().expect("runs"),
        );
        vec![a, b]
    });
    assert!(on_workers(seen.concat().as_slice(), 3), "{seen:?}");
}

/// An observer that panics when a task starts: a panic escaping the executor's pool.
struct PanicsOnStart;

impl Observer for PanicsOnStart {
    fn task_started(&self, task: &TaskRef<'_>) {
        std::panic::panic_any(format!("observer saw {}", task.task));
    }
}

#[test]
fn a_panic_escaping_the_pool_is_resumed_on_the_caller_and_the_pool_goes_on() {
    let dag = Dag::new("where_run").max_workers(2).observe(PanicsOnStart);
    let caught = catch_unwind(AssertUnwindSafe(|| dag.run::<[where_run::Seen; 3]>()));
    let payload = caught.expect_err("the observer's panic reaches the caller");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("observer saw first")
    );
    // The process was not aborted and a DAG without that observer runs normally.
    let seen: [where_run::Seen; 3] = Dag::new("where_run").max_workers(2).run().expect("runs");
    assert!(on_workers(&seen, 2), "{seen:?}");
}

/// Tells whether a run was started from a thread that is no rayon worker.
struct CallerKind(Arc<AtomicBool>);

impl Observer for CallerKind {
    fn run_started(&self, _: &str, _: &str, _: &dag::graph::Graph) {
        self.0
            .store(rayon::current_thread_index().is_none(), Ordering::Relaxed);
    }
}

#[test]
fn run_ids_of_quick_runs_are_unique_and_read_micros_pid_counter_in_hex() {
    let plain = Arc::new(AtomicBool::new(false));
    let dag = Dag::new("where_run")
        .max_workers(2)
        .observe(CallerKind(plain.clone()));
    let pid = format!("{:x}", std::process::id());
    let micros = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_micros()
    };
    let mut ids = Vec::new();
    for _ in 0..200 {
        let before = micros();
        let exec = dag.execute().expect("runs");
        let after = micros();
        let id = exec.run_id().to_string();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(parts.len(), 3, "{id}");
        assert!(
            parts.iter().all(|p| !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())),
            "{id}"
        );
        let at = u128::from_str_radix(parts[0], 16).expect("hex micros");
        // Unix microseconds (a minute of slack, should the wall clock be stepped meanwhile).
        let slack = 60_000_000;
        assert!(
            before - slack <= at && at <= after + slack,
            "{id}: not within [{before}, {after}]"
        );
        assert_eq!(parts[1], pid, "{id}");
        ids.push((u64::from_str_radix(parts[2], 16).expect("hex counter"), id));
    }
    assert!(
        plain.load(Ordering::Relaxed),
        "the runs were entered from a plain thread"
    );
    // The counter grows by one per run of the process (no other test of this binary runs
    // `execute` on this thread meanwhile, but others may run in parallel: strictly growing).
    assert!(ids.windows(2).all(|w| w[0].0 < w[1].0), "{ids:?}");
    let mut unique: Vec<&String> = ids.iter().map(|(_, id)| id).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200);
}
