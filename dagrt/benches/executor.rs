//! Executor overhead: ns per empty task for four graph shapes, against two baselines.
//!
//! Run with `cargo bench -p dagrt --bench executor` (results and targets: `BENCHMARKS.md`).
//!
//! Shapes (every task returns `()`), each measured three ways on the same `Graph`:
//! - `dag`: the real executor, `Dag::from_graph(..).max_workers(2)` + `Tasks::add(name, || ())`,
//!   built once; each iteration is one `execute_with` (including dropping its `Execution`);
//! - `handwritten`: a minimal rayon executor (atomic pending counters, one ready successor run
//!   inline, large successor sets released by recursive halving) on its own 2-thread pool;
//! - `handwritten_clocked`: the same with one clock read per task stored per node, the floor
//!   for an executor that records each task's end (`clock_read_100k` times the reads alone);
//! - `sequential`: a loop over the topological order calling an empty closure per node.
//!
//! Traced variants beside the `dag` baseline: `dag_traced` (tracing on, trace not read),
//! `dag_trace_read` (every event read with `for_each_event`; its difference to `dag` is the
//! per-task cost of reading a trace, target ≤ 100 ns) and, on the chain, `dag_trace_events`
//! (an owned copy with `events()`).
//!
//! Also: graph build + validation of 100k nodes, the fixed cost of one small static run (with
//! and without creating the `Dag` and its pool). Printed before divan's table, since divan
//! reports time and not these: the first run in the process, the parallel efficiency of
//! 64 × 5 ms spin tasks on 2 workers (`spin`), and where a `dag` run's time goes
//! (`breakdown`). `spin` and `breakdown` run when no filter is given or a filter contains
//! their name (`cargo bench -p dagrt --bench executor -- breakdown`).

use dag::graph::{Graph, NodeId};
use dag::{Dag, GraphDag, Tasks};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const WORKERS: usize = 2;
/// Samples per benchmark, one iteration each: a 100k-task run is milliseconds long already.
const SAMPLES: u32 = 25;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let listing = args.iter().any(|a| a == "--list");
    let wants =
        |name: &str| !listing && (filters.is_empty() || filters.iter().any(|f| f.contains(name)));
    if !listing {
        // Before anything else touches the runtime: the first run in a process also pays the
        // one-time registry collection and TSC clock calibration.
        let t = Instant::now();
        Dag::new("quickstart")
            .max_workers(WORKERS)
            .run::<()>()
            .expect("runs");
        println!(
            "first_run_in_process: Dag::new(\"quickstart\").max_workers(2).run() took {:.2} ms\n",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    if wants("spin") {
        spin::report();
    }
    if wants("breakdown") {
        breakdown();
    }
    divan::main();
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

fn build(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Graph {
    let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
    let mut b = Graph::builder();
    b.add_nodes(names.iter().cloned());
    b.add_edges(
        edges
            .into_iter()
            .map(|(a, c)| (names[a].clone(), names[c].clone())),
    );
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

/// A complete binary out-tree of 2^depth - 1 nodes: node k has children 2k+1 and 2k+2.
fn tree(depth: u32) -> Graph {
    let n = (1usize << depth) - 1;
    build(n, (1..n).map(|k| ((k - 1) / 2, k)))
}

/// side × side grid: (i, j) depends on (i-1, j) and (i, j-1).
fn wavefront(side: usize) -> Graph {
    let id = move |i: usize, j: usize| i * side + j;
    build(
        side * side,
        (0..side).flat_map(move |i| {
            (0..side).flat_map(move |j| {
                let up = (i > 0).then(|| (id(i - 1, j), id(i, j)));
                let left = (j > 0).then(|| (id(i, j - 1), id(i, j)));
                up.into_iter().chain(left)
            })
        }),
    )
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Chain,
    Fan,
    Tree,
    Wavefront,
}

impl Shape {
    fn graph(self) -> Graph {
        match self {
            Shape::Chain => chain(100_000),
            Shape::Fan => fan(100_000),
            Shape::Tree => tree(17),
            Shape::Wavefront => wavefront(300),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Variants
// ---------------------------------------------------------------------------------------------

/// How the `dag` variant runs its tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Bodies bound once with `Dag::with_tasks`, then `execute()` (the fast path).
    Bound,
    /// `execute_with(&tasks)`: bodies looked up by name on every run.
    PerRun,
    /// `Bound` with tracing on (the trace is attached to the execution, built when read).
    Traced,
    /// `Traced`, and every event of the trace is read (`for_each_event`, borrowed) inside the
    /// timing: the cost of deriving the events from the run's records.
    TraceRead,
    /// `Traced`, and the trace copied out (`events()`: one owned `TraceEvent` per event).
    TraceEvents,
}

fn bench_dag(bencher: Bencher, shape: Shape, mode: Mode) {
    let graph = shape.graph();
    let n = graph.len();
    let tasks = || {
        let mut tasks = Tasks::new();
        for v in graph.nodes() {
            tasks.add(graph.name(v), || ());
        }
        tasks
    };
    let per_run = tasks();
    let mut dag = Dag::from_graph(format!("{shape:?}"), graph.clone()).max_workers(WORKERS);
    if mode != Mode::PerRun {
        dag = dag.with_tasks(tasks()).expect("every node has a task");
    }
    let traced = matches!(mode, Mode::Traced | Mode::TraceRead | Mode::TraceEvents);
    if traced {
        dag = dag.tracing(true);
    }
    let once = || match mode {
        Mode::PerRun => dag.execute_with(&per_run).expect("runs"),
        _ => dag.execute().expect("runs"),
    };
    // Warm the pool and check the run once, outside the timing.
    let exec = once();
    assert_eq!(exec.succeeded(), n);
    assert_eq!(exec.trace.is_some(), traced);
    if let Some(trace) = &exec.trace {
        // Every node's started + completed, a step pair per level, the execution pair.
        let levels = exec.graph().level_count();
        assert_eq!(trace.len(), 2 * n + 2 * levels + 2);
    }
    drop(exec);
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let exec = once();
        if let Some(trace) = &exec.trace {
            match mode {
                Mode::TraceRead => {
                    let mut count = 0usize;
                    trace.for_each_event(|e| count += usize::from(black_box(e).timestamp >= 0.0));
                    assert_eq!(count, trace.len());
                }
                Mode::TraceEvents => {
                    black_box(trace.events().len());
                }
                _ => {}
            }
        }
        drop(black_box(exec));
    });
}

fn bench_handwritten(bencher: Bencher, shape: Shape) {
    let graph = shape.graph();
    let n = graph.len();
    let pool = handwritten::pool(WORKERS);
    let count = AtomicU32::new(0);
    handwritten::run(&pool, &graph, &|_| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(count.load(Ordering::Relaxed) as usize, n);
    let body: &(dyn Fn(NodeId) + Sync) = &|v| {
        black_box(v);
    };
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| handwritten::run(&pool, &graph, black_box(body)));
}

/// [`bench_handwritten`] with one clock read per task, stored per node: the floor a
/// profiling executor cannot go under (it needs each task's end), in the same run.
fn bench_handwritten_clocked(bencher: Bencher, shape: Shape) {
    let graph = shape.graph();
    let n = graph.len();
    let pool = handwritten::pool(WORKERS);
    let ends: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    let body: &(dyn Fn(NodeId) + Sync) = &|v| {
        black_box(v);
        ends[v.index()].store(clock_read(), Ordering::Relaxed);
    };
    handwritten::run(&pool, &graph, body);
    assert!(ends.iter().all(|e| e.load(Ordering::Relaxed) != 0));
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| handwritten::run(&pool, &graph, black_box(body)));
}

/// One read of the clock the executor records with: the TSC on x86_64 (what `dag` reads
/// when the TSC is invariant), else `Instant`.
#[inline]
fn clock_read() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `rdtsc` has no preconditions on x86_64.
        unsafe { std::arch::x86_64::_rdtsc() }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        static T0: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        T0.get_or_init(Instant::now).elapsed().as_nanos() as u64 | 1
    }
}

/// 100k clock reads in a row, each stored: the cost of one read, next to the shapes.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn clock_read_100k(bencher: Bencher) {
    let mut ends = vec![0u64; 100_000];
    bencher
        .counter(ItemsCount::new(ends.len()))
        .bench_local(|| {
            for e in ends.iter_mut() {
                *e = clock_read();
            }
            black_box(&ends);
        });
}

fn bench_sequential(bencher: Bencher, shape: Shape) {
    let graph = shape.graph();
    let body: &(dyn Fn(NodeId) + Sync) = &|v| {
        black_box(v);
    };
    bencher.counter(ItemsCount::new(graph.len())).bench(|| {
        let body = black_box(body);
        for &v in graph.topological_order() {
            body(v);
        }
    });
}

/// Chain of 100k empty tasks.
#[divan::bench_group(sample_count = SAMPLES, sample_size = 1)]
mod chain_100k {
    use super::{Bencher, Mode, Shape};

    #[divan::bench]
    fn dag(b: Bencher) {
        super::bench_dag(b, Shape::Chain, Mode::Bound);
    }
    #[divan::bench]
    fn dag_execute_with(b: Bencher) {
        super::bench_dag(b, Shape::Chain, Mode::PerRun);
    }
    #[divan::bench]
    fn dag_traced(b: Bencher) {
        super::bench_dag(b, Shape::Chain, Mode::Traced);
    }
    #[divan::bench]
    fn dag_trace_read(b: Bencher) {
        super::bench_dag(b, Shape::Chain, Mode::TraceRead);
    }
    #[divan::bench]
    fn dag_trace_events(b: Bencher) {
        super::bench_dag(b, Shape::Chain, Mode::TraceEvents);
    }
    #[divan::bench]
    fn handwritten(b: Bencher) {
        super::bench_handwritten(b, Shape::Chain);
    }
    #[divan::bench]
    fn handwritten_clocked(b: Bencher) {
        super::bench_handwritten_clocked(b, Shape::Chain);
    }
    #[divan::bench]
    fn sequential(b: Bencher) {
        super::bench_sequential(b, Shape::Chain);
    }
}

/// Fan-out/fan-in 1 -> 100k -> 1.
#[divan::bench_group(sample_count = SAMPLES, sample_size = 1)]
mod fan_100k {
    use super::{Bencher, Mode, Shape};

    #[divan::bench]
    fn dag(b: Bencher) {
        super::bench_dag(b, Shape::Fan, Mode::Bound);
    }
    #[divan::bench]
    fn dag_execute_with(b: Bencher) {
        super::bench_dag(b, Shape::Fan, Mode::PerRun);
    }
    #[divan::bench]
    fn dag_traced(b: Bencher) {
        super::bench_dag(b, Shape::Fan, Mode::Traced);
    }
    #[divan::bench]
    fn dag_trace_read(b: Bencher) {
        super::bench_dag(b, Shape::Fan, Mode::TraceRead);
    }
    #[divan::bench]
    fn handwritten(b: Bencher) {
        super::bench_handwritten(b, Shape::Fan);
    }
    #[divan::bench]
    fn handwritten_clocked(b: Bencher) {
        super::bench_handwritten_clocked(b, Shape::Fan);
    }
    #[divan::bench]
    fn sequential(b: Bencher) {
        super::bench_sequential(b, Shape::Fan);
    }
}

/// Binary out-tree of 2^17 - 1 nodes.
#[divan::bench_group(sample_count = SAMPLES, sample_size = 1)]
mod tree_2p17 {
    use super::{Bencher, Mode, Shape};

    #[divan::bench]
    fn dag(b: Bencher) {
        super::bench_dag(b, Shape::Tree, Mode::Bound);
    }
    #[divan::bench]
    fn dag_execute_with(b: Bencher) {
        super::bench_dag(b, Shape::Tree, Mode::PerRun);
    }
    #[divan::bench]
    fn dag_traced(b: Bencher) {
        super::bench_dag(b, Shape::Tree, Mode::Traced);
    }
    #[divan::bench]
    fn dag_trace_read(b: Bencher) {
        super::bench_dag(b, Shape::Tree, Mode::TraceRead);
    }
    #[divan::bench]
    fn handwritten(b: Bencher) {
        super::bench_handwritten(b, Shape::Tree);
    }
    #[divan::bench]
    fn handwritten_clocked(b: Bencher) {
        super::bench_handwritten_clocked(b, Shape::Tree);
    }
    #[divan::bench]
    fn sequential(b: Bencher) {
        super::bench_sequential(b, Shape::Tree);
    }
}

/// 300 × 300 wavefront.
#[divan::bench_group(sample_count = SAMPLES, sample_size = 1)]
mod wavefront_300 {
    use super::{Bencher, Mode, Shape};

    #[divan::bench]
    fn dag(b: Bencher) {
        super::bench_dag(b, Shape::Wavefront, Mode::Bound);
    }
    #[divan::bench]
    fn dag_execute_with(b: Bencher) {
        super::bench_dag(b, Shape::Wavefront, Mode::PerRun);
    }
    #[divan::bench]
    fn dag_traced(b: Bencher) {
        super::bench_dag(b, Shape::Wavefront, Mode::Traced);
    }
    #[divan::bench]
    fn dag_trace_read(b: Bencher) {
        super::bench_dag(b, Shape::Wavefront, Mode::TraceRead);
    }
    #[divan::bench]
    fn handwritten(b: Bencher) {
        super::bench_handwritten(b, Shape::Wavefront);
    }
    #[divan::bench]
    fn handwritten_clocked(b: Bencher) {
        super::bench_handwritten_clocked(b, Shape::Wavefront);
    }
    #[divan::bench]
    fn sequential(b: Bencher) {
        super::bench_sequential(b, Shape::Wavefront);
    }
}

/// Where a `dag` run's time goes: the whole `execute_with` call (name resolution, per-run state,
/// scheduling, `Execution`, its drop) against the scheduling part alone
/// (`Execution::total_duration_seconds`, measured inside the executor around the pool scope),
/// and the scheduling part again with `.keep_outputs(true)`, which skips the per-edge
/// consumer counting that frees outputs early. Medians of 11 runs, in ns per task.
fn breakdown() {
    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
    /// (whole call, scheduling part) in ns per task, medians of 11 runs.
    fn measure(dag: &GraphDag, tasks: &Tasks<'_>, n: f64) -> (f64, f64) {
        drop(dag.execute_with(tasks).expect("runs"));
        let (whole, sched): (Vec<f64>, Vec<f64>) = (0..11)
            .map(|_| {
                let t = Instant::now();
                let exec = dag.execute_with(tasks).expect("runs");
                let inner = exec.total_duration_seconds();
                drop(exec);
                (t.elapsed().as_secs_f64() * 1e9 / n, inner * 1e9 / n)
            })
            .unzip();
        (median(whole), median(sched))
    }
    println!("breakdown: dag, ns/task, median of 11 runs on {WORKERS} workers");
    println!(
        "breakdown: {:<10} {:>10} {:>11} {:>11} {:>22}",
        "shape", "whole call", "outside it", "scheduling", "scheduling keep_outputs"
    );
    for shape in [Shape::Chain, Shape::Fan, Shape::Tree, Shape::Wavefront] {
        let graph = shape.graph();
        let n = graph.len() as f64;
        let mut tasks = Tasks::new();
        for v in graph.nodes() {
            tasks.add(graph.name(v), || ());
        }
        let dag = Dag::from_graph(format!("{shape:?}"), graph.clone()).max_workers(WORKERS);
        let (whole, sched) = measure(&dag, &tasks, n);
        let keep = Dag::from_graph(format!("{shape:?}"), graph)
            .max_workers(WORKERS)
            .keep_outputs(true);
        let (_, sched_keep) = measure(&keep, &tasks, n);
        println!(
            "breakdown: {:<10} {whole:>10.1} {:>11.1} {sched:>11.1} {sched_keep:>22.1}",
            format!("{shape:?}"),
            whole - sched
        );
    }
    println!();
}

// ---------------------------------------------------------------------------------------------
// Graph build + validation
// ---------------------------------------------------------------------------------------------

/// `GraphBuilder::build()` of 100k nodes: a chain plus one pseudo-random forward edge per node
/// (~200k edges). The builder is filled outside the timing; the built graph is dropped outside.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn graph_build_100k(bencher: Bencher) {
    const N: usize = 100_000;
    let names: Vec<String> = (0..N).map(|i| format!("n{i}")).collect();
    let mut b = Graph::builder();
    b.add_nodes(names.iter().cloned());
    b.add_edges((1..N).map(|i| (names[i - 1].clone(), names[i].clone())));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut extra = 0;
    for i in 0..N {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // A forward edge skipping at least one node: never a chain edge, never a duplicate.
        let j = i + 2 + (x % 1000) as usize;
        if j < N {
            b.add_edge(names[i].clone(), names[j].clone());
            extra += 1;
        }
    }
    let g = b.build().expect("valid");
    assert_eq!(g.edge_count(), N - 1 + extra);
    bencher
        .counter(ItemsCount::new(N))
        .bench(|| b.build().expect("valid"));
}

/// The same graph built with node ids (`GraphBuilder::node` / `edge`): no name lookup per edge.
#[divan::bench(sample_count = SAMPLES, sample_size = 1)]
fn graph_build_100k_ids(bencher: Bencher) {
    const N: usize = 100_000;
    let mut b = Graph::builder();
    let ids: Vec<NodeId> = (0..N).map(|i| b.node(format!("n{i}"))).collect();
    for i in 1..N {
        b.edge(ids[i - 1], ids[i]);
    }
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..N {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let j = i + 2 + (x % 1000) as usize;
        if j < N {
            b.edge(ids[i], ids[j]);
        }
    }
    assert!(b.build().is_ok());
    bencher
        .counter(ItemsCount::new(N))
        .bench(|| b.build().expect("valid"));
}

// ---------------------------------------------------------------------------------------------
// Fixed overhead of one small static run
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

/// One run of the 2-task quickstart DAG on a `Dag` built once (its pool reused).
#[divan::bench(sample_count = 200, sample_size = 10)]
fn small_run(bencher: Bencher) {
    let dag = Dag::new("quickstart").max_workers(WORKERS);
    dag.run::<()>().expect("runs");
    bencher.bench(|| dag.run::<()>().expect("runs"));
}

/// `Dag::new(..).max_workers(2).run()` per iteration: includes creating the 2-thread pool.
#[divan::bench(sample_count = 100, sample_size = 1)]
fn small_run_new_dag(bencher: Bencher) {
    bencher.bench(|| {
        Dag::new("quickstart")
            .max_workers(WORKERS)
            .run::<()>()
            .expect("runs");
    });
}

// ---------------------------------------------------------------------------------------------
// Handwritten baseline executor
// ---------------------------------------------------------------------------------------------

/// The zero-frills baseline (DESIGN.md §5): per-node atomic pending counters, the last ready
/// successor run inline, successor sets above `LEAF` released by recursive halving with
/// `rayon::join`. No timing, no results, no failure handling.
mod handwritten {
    use dag::graph::{Graph, NodeId};
    use std::sync::atomic::{AtomicU32, Ordering};

    const LEAF: usize = 16;

    pub(crate) type Body<'a> = &'a (dyn Fn(NodeId) + Sync);

    struct Ctx<'a> {
        graph: &'a Graph,
        pending: Vec<AtomicU32>,
        body: Body<'a>,
    }

    pub(crate) fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("handwritten-{i}"))
            .stack_size(16 << 20)
            .build()
            .expect("pool")
    }

    /// Runs every node of `graph` once, each after all its predecessors.
    pub(crate) fn run(pool: &rayon::ThreadPool, graph: &Graph, body: Body<'_>) {
        let ctx = Ctx {
            graph,
            pending: graph
                .nodes()
                .map(|v| AtomicU32::new(graph.predecessors(v).len() as u32))
                .collect(),
            body,
        };
        let roots: Vec<NodeId> = graph.roots().collect();
        pool.install(|| run_all(&ctx, &roots));
    }

    /// Runs a set of ready nodes in parallel (recursive halving).
    fn run_all(ctx: &Ctx<'_>, ready: &[NodeId]) {
        match ready {
            [] => {}
            [one] => run_from(ctx, *one),
            _ => {
                let (a, b) = ready.split_at(ready.len() / 2);
                rayon::join(|| run_all(ctx, a), || run_all(ctx, b));
            }
        }
    }

    /// Runs `v`, then keeps running one ready successor inline while there is one.
    fn run_from(ctx: &Ctx<'_>, mut v: NodeId) {
        loop {
            (ctx.body)(v);
            match release(ctx, ctx.graph.successors(v)) {
                Some(next) => v = next,
                None => return,
            }
        }
    }

    /// Decrements the successors' counters; runs the ready ones, handing one back to run inline.
    fn release(ctx: &Ctx<'_>, succs: &[NodeId]) -> Option<NodeId> {
        if succs.len() > LEAF {
            let (a, b) = succs.split_at(succs.len() / 2);
            rayon::join(
                || {
                    if let Some(v) = release(ctx, a) {
                        run_from(ctx, v);
                    }
                },
                || {
                    if let Some(v) = release(ctx, b) {
                        run_from(ctx, v);
                    }
                },
            );
            return None;
        }
        let &filler = succs.first()?;
        let mut ready = [filler; LEAF];
        let mut k = 0;
        for &s in succs {
            if ctx.pending[s.index()].fetch_sub(1, Ordering::AcqRel) == 1 {
                ready[k] = s;
                k += 1;
            }
        }
        match k {
            0 => None,
            1 => Some(ready[0]),
            _ => {
                let (first, rest) = ready[..k].split_at(1);
                rayon::join(|| run_from(ctx, first[0]), || run_all(ctx, rest));
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parallel efficiency of CPU-bound tasks
// ---------------------------------------------------------------------------------------------

/// 64 independent tasks spinning ~5 ms each on 2 workers: efficiency = Σ task time /
/// (wall × 2), median of 5 repetitions, for `dag` and `handwritten`.
mod spin {
    use super::{AtomicU64, Dag, Duration, Graph, Instant, Ordering, Tasks, WORKERS, handwritten};

    const TASKS: usize = 64;
    const SPIN: Duration = Duration::from_millis(5);
    const REPS: usize = 5;

    /// Busy-waits `SPIN` and adds the time it took to `sum` (ns).
    fn spin(sum: &AtomicU64) {
        let t = Instant::now();
        while t.elapsed() < SPIN {
            std::hint::spin_loop();
        }
        sum.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    fn graph() -> Graph {
        let mut b = Graph::builder();
        b.add_nodes((0..TASKS).map(|i| format!("spin{i}")));
        b.build().expect("valid")
    }

    /// (efficiency, wall) of each repetition, sorted by efficiency; `once` runs the 64 tasks
    /// and returns the sum of their busy times in ns.
    fn measure(mut once: impl FnMut() -> u64) -> Vec<(f64, Duration)> {
        once(); // warm-up
        let mut out: Vec<(f64, Duration)> = (0..REPS)
            .map(|_| {
                let t = Instant::now();
                let busy = once() as f64;
                let wall = t.elapsed();
                (busy / (wall.as_nanos() as f64 * WORKERS as f64), wall)
            })
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }

    fn line(name: &str, runs: &[(f64, Duration)]) -> f64 {
        let (eff, wall) = runs[runs.len() / 2];
        let all: Vec<String> = runs
            .iter()
            .map(|r| format!("{:.2}%", r.0 * 100.0))
            .collect();
        println!(
            "spin_64x5ms/{name:<12} efficiency median {:.2}%  wall {:.1} ms  (all: {})",
            eff * 100.0,
            wall.as_secs_f64() * 1e3,
            all.join(" ")
        );
        eff
    }

    pub(crate) fn report() {
        let sum = AtomicU64::new(0);
        let g = graph();

        let mut tasks = Tasks::new();
        for v in g.nodes() {
            tasks.add(g.name(v), || spin(&sum));
        }
        let dag = Dag::from_graph("spin", g.clone()).max_workers(WORKERS);
        let d = measure(|| {
            sum.store(0, Ordering::Relaxed);
            drop(dag.execute_with(&tasks).expect("runs"));
            sum.load(Ordering::Relaxed)
        });

        let pool = handwritten::pool(WORKERS);
        let h = measure(|| {
            sum.store(0, Ordering::Relaxed);
            handwritten::run(&pool, &g, &|_| spin(&sum));
            sum.load(Ordering::Relaxed)
        });

        println!(
            "spin_64x5ms: {TASKS} independent tasks x {} ms on {WORKERS} workers, median of {REPS}",
            SPIN.as_millis()
        );
        let (de, he) = (line("dag", &d), line("handwritten", &h));
        println!(
            "spin_64x5ms: dag - handwritten = {:+.2} percentage points\n",
            (de - he) * 100.0
        );
    }
}
