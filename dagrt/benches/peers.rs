//! Peers (issue 16 point 5): dagx against dag on 2 workers, ns per empty task for the four
//! shapes of `benches/executor.rs` and the fixed cost of a 2-task run, both in the same run of
//! this binary so that their ratio is a same-run ratio.
//!
//! Run with `cargo bench -p dagrt --bench peers` (results: `BENCHMARKS.md`). divan prints time
//! per run and items per second; ns per task is the run's time divided by its task count.
//!
//! Shapes (every task empty): `chain_100k`; `fan_100k`, 1 → 100,000 *without* the final join
//! (dagx takes at most 8 inputs per task, so 100,001 tasks, the same for both); `tree_2p17`, a
//! binary out-tree of 2^17 − 1 tasks; `wavefront_300`, 300 × 300 where (i, j) depends on
//! (i − 1, j) and (i, j − 1). `small_run` is the quickstart's 2 tasks (`task_2` depends on
//! `task_1`).
//!
//! **A dagx graph runs once**: `DagRunner::run` takes every task out of the runner, a second
//! `run` of the same runner runs nothing. So dagx cannot be built once and run repeatedly, and
//! each shape is measured four ways:
//! - `dag`: built once (`Dag::from_graph(..).max_workers(2).with_tasks(..)`, as executor.rs's
//!   `dag` variant); one iteration is one `execute()` including dropping its `Execution`;
//! - `dagx`: a fresh `DagRunner` per iteration, built *outside* the timing, its `run` timed
//!   (on a 2-worker tokio runtime made once), the runner (all outputs kept inside it) dropped
//!   outside the timing;
//! - `dag_build_run` and `dagx_build_run`, the like-for-like pair: one iteration builds the
//!   graph and its tasks, runs it and drops everything. For dag: the `Graph` from node names
//!   (as executor.rs builds it), a `Tasks`, `Dag::from_graph(..).with_tasks(..)` on a 2-thread
//!   pool made once (`thread_pool`, as dagx's tokio runtime is made once), `execute()`, the
//!   drops. For dagx: `DagRunner::new`, `add_task`/`depends_on` per task, `run`, the drop.
//!
//! dag's tasks are `|| ()` (dependencies are graph edges); dagx passes a value along every
//! edge, so its tasks are `task_fn` closures returning `0u64` (its `()` input means "no
//! dependency"). They are made with `dagx::task_fn` as dagx's own comparison benches make
//! them (its `#[task]` macro expands to paths of the `futures` crate, which dagrt does not
//! depend on). Every result is checked once outside the timing.

use dag::graph::Graph;
use dag::{Dag, GraphDag, Tasks};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use std::sync::Arc;

const WORKERS: usize = 2;
/// Samples per benchmark, one iteration each: a dagx run of 100k tasks takes ~0.5 s.
const SAMPLES: u32 = 5;

fn main() {
    divan::main();
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Shape {
    Chain,
    Fan,
    Tree,
    Wavefront,
}

/// Tasks of the chain and of the fan's fan-out.
const N: usize = 100_000;
/// Depth of the binary out-tree.
const DEPTH: u32 = 17;
/// Side of the wavefront.
const SIDE: usize = 300;

impl Shape {
    /// Task count.
    fn len(self) -> usize {
        match self {
            Shape::Chain => N,
            Shape::Fan => N + 1,
            Shape::Tree => (1 << DEPTH) - 1,
            Shape::Wavefront => SIDE * SIDE,
        }
    }

    /// Every edge (from, to) between task indices, each task after all its predecessors.
    fn edges(self) -> Vec<(usize, usize)> {
        match self {
            Shape::Chain => (1..N).map(|i| (i - 1, i)).collect(),
            Shape::Fan => (1..=N).map(|i| (0, i)).collect(),
            Shape::Tree => (1..self.len()).map(|k| ((k - 1) / 2, k)).collect(),
            Shape::Wavefront => (0..SIDE * SIDE)
                .flat_map(|k| {
                    let (i, j) = (k / SIDE, k % SIDE);
                    let up = (i > 0).then(|| (k - SIDE, k));
                    let left = (j > 0).then(|| (k - 1, k));
                    up.into_iter().chain(left)
                })
                .collect(),
        }
    }

    /// The shape as a dag `Graph`, built from node names as executor.rs builds it.
    fn graph(self) -> Graph {
        let names: Vec<String> = (0..self.len()).map(|i| format!("n{i}")).collect();
        let mut b = Graph::builder();
        b.add_nodes(names.iter().cloned());
        b.add_edges(
            self.edges()
                .into_iter()
                .map(|(a, c)| (names[a].clone(), names[c].clone())),
        );
        b.build().expect("benchmark graphs are valid DAGs")
    }
}

// ---------------------------------------------------------------------------------------------
// dag
// ---------------------------------------------------------------------------------------------

/// `graph` with `|| ()` bound on every node, on `pool` when given, else on its own pool.
fn dag_of(shape: Shape, graph: Graph, pool: Option<&Arc<rayon::ThreadPool>>) -> GraphDag {
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        tasks.add(graph.name(v), || ());
    }
    let mut dag = Dag::from_graph(format!("{shape:?}"), graph).max_workers(WORKERS);
    if let Some(pool) = pool {
        dag = dag.thread_pool(Arc::clone(pool));
    }
    dag.with_tasks(tasks).expect("every node has a task")
}

/// A 2-thread pool shared by every `dag_build_run` iteration.
fn pool() -> Arc<rayon::ThreadPool> {
    Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(WORKERS)
            .build()
            .expect("a pool"),
    )
}

/// Built once, one `execute()` per iteration (executor.rs's `dag` variant).
fn bench_dag(bencher: Bencher, shape: Shape) {
    let dag = dag_of(shape, shape.graph(), None);
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.succeeded(), shape.len());
    drop(exec);
    bencher.counter(ItemsCount::new(shape.len())).bench(|| {
        drop(black_box(dag.execute().expect("runs")));
    });
}

/// Graph, tasks and `Dag` built, run and dropped per iteration (the pool made once).
fn bench_dag_build_run(bencher: Bencher, shape: Shape) {
    let pool = pool();
    let once = || {
        let dag = dag_of(shape, shape.graph(), Some(&pool));
        dag.execute().expect("runs").succeeded()
    };
    assert_eq!(once(), shape.len());
    bencher
        .counter(ItemsCount::new(shape.len()))
        .bench(|| black_box(once()));
}

// ---------------------------------------------------------------------------------------------
// dagx
// ---------------------------------------------------------------------------------------------

mod peers {
    use super::{Bencher, ItemsCount, Shape, WORKERS, black_box};
    use dagx::{DagRunner, TaskHandle, task_fn};

    /// A tokio runtime with `WORKERS` worker threads.
    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .build()
            .expect("a tokio runtime")
    }

    /// A task with no dependency.
    fn source(dag: &DagRunner) -> TaskHandle<u64> {
        dag.add_task(task_fn(|(): ()| async { 0u64 })).into()
    }

    /// A task reading `a`.
    fn after(dag: &DagRunner, a: TaskHandle<u64>) -> TaskHandle<u64> {
        dag.add_task(task_fn(|_a: u64| async { 0u64 }))
            .depends_on(a)
    }

    /// A task reading `a` and `b`.
    fn after2(dag: &DagRunner, a: TaskHandle<u64>, b: TaskHandle<u64>) -> TaskHandle<u64> {
        dag.add_task(task_fn(|(_a, _b): (u64, u64)| async { 0u64 }))
            .depends_on((&a, &b))
    }

    /// `shape` as a fresh dagx graph; returns the runner and every task's handle.
    pub(crate) fn build(shape: Shape) -> (DagRunner, Vec<TaskHandle<u64>>) {
        let dag = DagRunner::new();
        let mut h: Vec<TaskHandle<u64>> = Vec::with_capacity(shape.len());
        match shape {
            Shape::Chain => {
                h.push(source(&dag));
                for i in 1..shape.len() {
                    h.push(after(&dag, h[i - 1]));
                }
            }
            Shape::Fan => {
                h.push(source(&dag));
                for _ in 1..shape.len() {
                    h.push(after(&dag, h[0]));
                }
            }
            Shape::Tree => {
                h.push(source(&dag));
                for k in 1..shape.len() {
                    h.push(after(&dag, h[(k - 1) / 2]));
                }
            }
            Shape::Wavefront => {
                let side = super::SIDE;
                for k in 0..side * side {
                    let t = match (k / side, k % side) {
                        (0, 0) => source(&dag),
                        (0, _) => after(&dag, h[k - 1]),
                        (_, 0) => after(&dag, h[k - side]),
                        _ => after2(&dag, h[k - side], h[k - 1]),
                    };
                    h.push(t);
                }
            }
        }
        (dag, h)
    }

    /// Runs `dag` to completion on `rt`, tasks spawned with `tokio::spawn`.
    fn run(rt: &tokio::runtime::Runtime, dag: &DagRunner) {
        rt.block_on(dag.run(|fut| {
            tokio::spawn(fut);
        }))
        .expect("dagx runs");
    }

    /// Runs `shape` once and checks that every task produced its output.
    fn check(rt: &tokio::runtime::Runtime, shape: Shape) {
        let (dag, handles) = build(shape);
        run(rt, &dag);
        assert_eq!(handles.len(), shape.len());
        for h in handles {
            assert_eq!(dag.get(h).expect("an output"), 0);
        }
    }

    /// One `run` of a fresh graph per iteration, built before the timing, dropped after it.
    pub(crate) fn bench(b: Bencher, shape: Shape) {
        let rt = runtime();
        check(&rt, shape);
        b.counter(ItemsCount::new(shape.len()))
            .with_inputs(|| build(shape).0)
            .bench_local_values(|dag| {
                run(&rt, &dag);
                dag
            });
    }

    /// Build, run and drop per iteration.
    pub(crate) fn bench_build_run(b: Bencher, shape: Shape) {
        let rt = runtime();
        check(&rt, shape);
        b.counter(ItemsCount::new(shape.len())).bench(|| {
            let (dag, _) = build(shape);
            run(&rt, &dag);
            drop(black_box(dag));
        });
    }

    /// The quickstart's shape: `task_2` reads `task_1`.
    fn small(dag: &DagRunner) -> TaskHandle<u64> {
        let t1 = source(dag);
        after(dag, t1)
    }

    /// The 2-task run, built before the timing (`build_too` false) or inside it.
    pub(crate) fn bench_small(b: Bencher, build_too: bool) {
        let rt = runtime();
        let dag = DagRunner::new();
        let t2 = small(&dag);
        run(&rt, &dag);
        assert_eq!(dag.get(t2).expect("an output"), 0);
        if build_too {
            b.bench(|| {
                let dag = DagRunner::new();
                small(&dag);
                run(&rt, &dag);
                drop(black_box(dag));
            });
        } else {
            b.with_inputs(|| {
                let dag = DagRunner::new();
                small(&dag);
                dag
            })
            .bench_local_values(|dag| {
                run(&rt, &dag);
                dag
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

/// Generates a shape's group: `dag`, `dag_build_run`, `dagx`, `dagx_build_run`.
macro_rules! shape_group {
    ($(#[$doc:meta])* $name:ident, $shape:expr) => {
        $(#[$doc])*
        #[divan::bench_group(sample_count = SAMPLES, sample_size = 1)]
        mod $name {
            use super::{Bencher, Shape};

            /// Built once, `execute()` per iteration.
            #[divan::bench]
            fn dag(b: Bencher) {
                super::bench_dag(b, $shape);
            }
            /// Graph, tasks and `Dag` built, run and dropped per iteration.
            #[divan::bench]
            fn dag_build_run(b: Bencher) {
                super::bench_dag_build_run(b, $shape);
            }
            /// A fresh runner per iteration, built outside the timing, `run` timed.
            #[divan::bench]
            fn dagx(b: Bencher) {
                super::peers::bench(b, $shape);
            }
            /// Runner built, run and dropped per iteration.
            #[divan::bench]
            fn dagx_build_run(b: Bencher) {
                super::peers::bench_build_run(b, $shape);
            }
        }
    };
}

shape_group!(
    /// Chain of 100k empty tasks.
    chain_100k,
    Shape::Chain
);
shape_group!(
    /// Fan-out 1 -> 100k (no join: dagx takes at most 8 inputs per task).
    fan_100k,
    Shape::Fan
);
shape_group!(
    /// Binary out-tree of 2^17 - 1 tasks.
    tree_2p17,
    Shape::Tree
);
shape_group!(
    /// 300 × 300 wavefront.
    wavefront_300,
    Shape::Wavefront
);

// ---------------------------------------------------------------------------------------------
// Fixed cost of one small run
// ---------------------------------------------------------------------------------------------

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

/// The 2-task run: `task_2` depends on `task_1`.
#[divan::bench_group(sample_count = 200, sample_size = 10)]
mod small_run {
    use super::{Bencher, Dag, WORKERS};

    /// One run of the quickstart DAG on a `Dag` built once (executor.rs's `small_run`).
    #[divan::bench]
    fn dag(b: Bencher) {
        let dag = Dag::new("quickstart").max_workers(WORKERS);
        dag.run::<()>().expect("runs");
        b.bench(|| dag.run::<()>().expect("runs"));
    }

    /// `Dag::new("quickstart")` on a pool made once, run and dropped per iteration.
    #[divan::bench]
    fn dag_build_run(b: Bencher) {
        let pool = super::pool();
        let once = || {
            Dag::new("quickstart")
                .thread_pool(std::sync::Arc::clone(&pool))
                .run::<()>()
                .expect("runs")
        };
        once();
        b.bench(once);
    }

    /// A fresh 2-task runner per iteration, built outside the timing, `run` timed.
    #[divan::bench]
    fn dagx(b: Bencher) {
        super::peers::bench_small(b, false);
    }

    /// A 2-task runner built, run and dropped per iteration.
    #[divan::bench]
    fn dagx_build_run(b: Bencher) {
        super::peers::bench_small(b, true);
    }
}
