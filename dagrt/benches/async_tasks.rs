//! Tasks that wait (issue 13 point 8): async tasks on 2 workers, each against its baselines in
//! the same run of this binary.
//!
//! Run with `cargo bench -p dagrt --bench async_tasks` (results and targets: `BENCHMARKS.md`).
//!
//! - `sleep_10k`: 10,000 async tasks each awaiting `tokio::time::sleep(50 ms)`, wall clock of
//!   one run (target ≤ 75 ms), against a bare tokio runtime (2 workers) awaiting 10,000 such
//!   sleeps spawned into a `JoinSet`, and one lone 50 ms sleep (the timer's floor).
//! - `chain_10k` and `fan_10k`: the per-task overhead of empty async tasks (`async { 0u64 }`,
//!   no await point) against the same shapes of empty sync tasks and against dagx (target
//!   ≤ 500 ns per task and faster than dagx). divan prints time per run and items per
//!   second; ns per task is the run's time divided by its task count.
//!
//! Every `dag` variant is a builder graph bound once (`Dag::from_graph(..).with_tasks(..)`)
//! on 2 workers, the `Dag` and its pool built outside the timing; one iteration is one
//! `execute()` including dropping its `Execution`. A dagx `DagRunner` runs once, so each
//! iteration gets a fresh one built outside the timing, run on a 2-worker tokio runtime; its
//! drop (outputs included) is outside the timing too. dagx takes at most 8 inputs per task,
//! so its fan is 1 → 10k without the final join (10,001 tasks instead of 10,002).

use dag::graph::Graph;
use dag::{Dag, GraphDag, Tasks};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use std::time::Duration;

const WORKERS: usize = 2;
/// Tasks per shape.
const N: usize = 10_000;
/// The timer each task of `sleep_10k` awaits.
const SLEEP: Duration = Duration::from_millis(50);

fn main() {
    divan::main();
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

fn build(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Graph {
    let mut b = Graph::builder();
    let ids: Vec<_> = (0..n).map(|i| b.node(format!("n{i}"))).collect();
    for (a, c) in edges {
        b.edge(ids[a], ids[c]);
    }
    b.build().expect("benchmark graphs are valid DAGs")
}

/// 0 -> 1 -> ... -> n-1.
fn chain(n: usize) -> Graph {
    build(n, (1..n).map(|i| (i - 1, i)))
}

/// 0 -> {1..=w} -> w+1.
fn fan(w: usize) -> Graph {
    build(w + 2, (1..=w).flat_map(move |i| [(0, i), (i, w + 1)]))
}

/// `graph` with every body bound once: `body(tasks, name)` adds node `name`'s task.
fn bound(graph: Graph, body: impl Fn(&mut Tasks<'static>, &str)) -> GraphDag {
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        body(&mut tasks, graph.name(v));
    }
    Dag::from_graph("async_bench", graph)
        .max_workers(WORKERS)
        .with_tasks(tasks)
        .expect("every node has a task")
}

/// Empty async tasks: no await point, the future is ready at its first poll.
fn empty_async(graph: Graph) -> GraphDag {
    bound(graph, |t, name| {
        t.add_async(name, || async { 0u64 });
    })
}

/// The same shape of empty sync tasks.
fn empty_sync(graph: Graph) -> GraphDag {
    bound(graph, |t, name| {
        t.add(name, || 0u64);
    })
}

/// One `execute()` per iteration, checked once outside the timing.
fn bench_dag(bencher: Bencher, dag: &GraphDag) {
    let n = dag.graph().len();
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.succeeded(), n);
    drop(exec);
    bencher.counter(ItemsCount::new(n)).bench(|| {
        drop(black_box(dag.execute().expect("runs")));
    });
}

/// A tokio runtime with `WORKERS` worker threads and timers.
fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_time()
        .build()
        .expect("a tokio runtime")
}

// ---------------------------------------------------------------------------------------------
// 10,000 tasks awaiting a 50 ms timer
// ---------------------------------------------------------------------------------------------

/// 10,000 async tasks each awaiting a 50 ms sleep, wall clock per run (target ≤ 75 ms).
#[divan::bench_group(sample_count = 15, sample_size = 1)]
mod sleep_10k {
    use super::{Bencher, N, SLEEP, black_box};
    use tokio::task::JoinSet;

    /// dag: the fan 0 -> {10,000 sleeps} -> sink, every task async (root and sink empty).
    #[divan::bench]
    fn dag(b: Bencher) {
        let graph = super::fan(N);
        let sink = graph.len() - 1;
        let dag = super::bound(graph, |t, name| {
            if name == "n0" || name == format!("n{sink}") {
                t.add_async(name, || async {});
            } else {
                // The sleep is made inside the async block: its first poll runs inside dag's
                // tokio runtime, the closure does not (`|| tokio::time::sleep(SLEEP)` panics
                // with "there is no reactor running").
                t.add_async(name, || async { tokio::time::sleep(SLEEP).await });
            }
        });
        super::bench_dag(b, &dag);
    }

    /// Baseline: a bare tokio runtime (2 workers) awaiting 10,000 sleeps spawned into a
    /// `JoinSet`.
    #[divan::bench]
    fn tokio_join_set(b: Bencher) {
        let rt = super::tokio_runtime();
        let run = || {
            rt.block_on(async {
                let mut set = JoinSet::new();
                for _ in 0..N {
                    set.spawn(tokio::time::sleep(SLEEP));
                }
                let mut joined = 0usize;
                while let Some(r) = set.join_next().await {
                    r.expect("a sleep does not panic");
                    joined += 1;
                }
                joined
            })
        };
        assert_eq!(run(), N);
        b.bench(|| black_box(run()));
    }

    /// The floor: one 50 ms sleep on the same kind of runtime.
    #[divan::bench]
    fn one_timer(b: Bencher) {
        let rt = super::tokio_runtime();
        b.bench(|| rt.block_on(async { tokio::time::sleep(SLEEP).await }));
    }
}

// ---------------------------------------------------------------------------------------------
// Per-task overhead of empty async tasks
// ---------------------------------------------------------------------------------------------

/// Chain of 10,000 empty tasks.
#[divan::bench_group(sample_count = 25, sample_size = 1)]
mod chain_10k {
    use super::{Bencher, N};

    /// `add_async(name, || async { 0u64 })` on every node.
    #[divan::bench]
    fn dag_async(b: Bencher) {
        super::bench_dag(b, &super::empty_async(super::chain(N)));
    }

    /// Baseline: `add(name, || 0u64)` on every node.
    #[divan::bench]
    fn dag_sync(b: Bencher) {
        super::bench_dag(b, &super::empty_sync(super::chain(N)));
    }

    /// dagx: the same chain of async tasks returning `0u64`.
    #[divan::bench]
    fn dagx(b: Bencher) {
        super::peers::bench(b, N, super::peers::chain);
    }
}

/// Fan-out/fan-in 1 -> 10,000 -> 1 of empty tasks (dagx: 1 -> 10,000).
#[divan::bench_group(sample_count = 25, sample_size = 1)]
mod fan_10k {
    use super::{Bencher, N};

    /// `add_async(name, || async { 0u64 })` on every node.
    #[divan::bench]
    fn dag_async(b: Bencher) {
        super::bench_dag(b, &super::empty_async(super::fan(N)));
    }

    /// Baseline: `add(name, || 0u64)` on every node.
    #[divan::bench]
    fn dag_sync(b: Bencher) {
        super::bench_dag(b, &super::empty_sync(super::fan(N)));
    }

    /// dagx: one source and 10,000 async tasks reading it (no join: 8 inputs at most).
    #[divan::bench]
    fn dagx(b: Bencher) {
        super::peers::bench(b, N + 1, super::peers::fan_out);
    }
}

/// The same shapes written with dagx: tasks made with `dagx::task_fn` (a closure per task),
/// as dagx's own comparison benches make them (its `#[task]` macro expands to paths of the
/// `futures` crate, which dagrt does not depend on).
mod peers {
    use super::{Bencher, ItemsCount};
    use dagx::{DagRunner, TaskHandle, task_fn};

    /// A chain of `n` tasks; returns its last task.
    pub(crate) fn chain(dag: &DagRunner, n: usize) -> TaskHandle<u64> {
        let mut last: TaskHandle<u64> = dag.add_task(task_fn(|(): ()| async { 0u64 })).into();
        for _ in 1..n {
            last = dag
                .add_task(task_fn(|_x: u64| async { 0u64 }))
                .depends_on(last);
        }
        last
    }

    /// One source read by `n - 1` tasks; returns the last of them.
    pub(crate) fn fan_out(dag: &DagRunner, n: usize) -> TaskHandle<u64> {
        let source: TaskHandle<u64> = dag.add_task(task_fn(|(): ()| async { 0u64 })).into();
        let mut last = source;
        for _ in 1..n {
            last = dag
                .add_task(task_fn(|_x: u64| async { 0u64 }))
                .depends_on(source);
        }
        last
    }

    /// Runs a fresh `shape` of `n` tasks per iteration on a 2-worker tokio runtime; the
    /// graph is built before the timing and dropped after it.
    pub(crate) fn bench(b: Bencher, n: usize, shape: fn(&DagRunner, usize) -> TaskHandle<u64>) {
        let rt = super::tokio_runtime();
        let run = |dag: &DagRunner| {
            rt.block_on(dag.run(|fut| {
                tokio::spawn(fut);
            }))
            .expect("dagx runs");
        };
        let dag = DagRunner::new();
        let last = shape(&dag, n);
        run(&dag);
        assert_eq!(dag.get(last).expect("an output"), 0);
        b.counter(ItemsCount::new(n))
            .with_inputs(|| {
                let dag = DagRunner::new();
                shape(&dag, n);
                dag
            })
            .bench_local_values(|dag| {
                run(&dag);
                dag
            });
    }
}
