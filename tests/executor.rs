//! The parallel executor: statuses, failure semantics, freeing of outputs, determinism.

use dag::graph::Graph;
use dag::{Dag, Error, NodeStatus, Tasks};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

mod failing {
    use dag::task;

    #[task]
    pub fn source() -> i32 {
        1
    }

    #[task]
    pub fn broken(source: &i32) -> Result<i32, String> {
        Err(format!("bad input {source}"))
    }

    #[task]
    pub fn after_broken(broken: &i32) -> i32 {
        broken + 1
    }

    #[task]
    pub fn two_after(after_broken: &i32) -> i32 {
        after_broken + 1
    }

    #[task]
    pub fn independent(source: &i32) -> i32 {
        source * 10
    }

    #[task(final)]
    pub fn report(two_after: &i32, independent: &i32) -> i32 {
        two_after + independent
    }
}

mod panicking {
    use dag::task;

    #[task]
    pub fn explode() -> i32 {
        panic!("kaboom in explode")
    }

    #[task(final)]
    pub fn total(explode: &i32) -> i32 {
        *explode
    }
}

mod fast_fail {
    use dag::task;

    #[task]
    pub fn boom() -> Result<(), std::io::Error> {
        Err(std::io::Error::other("disk on fire"))
    }

    #[task]
    pub fn other_root() -> i32 {
        2
    }

    #[task]
    pub fn other_next(other_root: &i32) -> i32 {
        other_root + 1
    }

    #[task(final)]
    pub fn end(boom: &(), other_next: &i32) -> i32 {
        let () = *boom;
        *other_next
    }
}

#[test]
fn failure_fails_the_task_skips_dependents_and_keeps_independent_branches() {
    for workers in [1, 2, 8] {
        let exec = Dag::new("failing")
            .max_workers(workers)
            .execute()
            .expect("resolves");
        assert_eq!(exec.status("source"), Some(NodeStatus::Completed));
        assert_eq!(exec.status("independent"), Some(NodeStatus::Completed));
        let broken = exec.node("broken").expect("node exists");
        assert_eq!(broken.status, NodeStatus::Failed);
        assert_eq!(broken.error.as_deref(), Some("bad input 1"));
        for name in ["after_broken", "two_after", "report"] {
            let r = exec.node(name).expect("node exists");
            assert_eq!(r.status, NodeStatus::Skipped, "{name}");
            assert_eq!(
                r.error.as_deref(),
                Some("upstream task `broken` failed"),
                "{name}"
            );
        }
        assert_eq!(
            (
                exec.succeeded(),
                exec.failed(),
                exec.skipped(),
                exec.cancelled()
            ),
            (2, 1, 3, 0)
        );
        assert!(!exec.is_success());
    }
    let err = Dag::new("failing").run::<i32>().unwrap_err();
    assert_eq!(
        format!("{:?}", err),
        format!(
            "{:?}",
            Error::TaskFailed {
                task: "broken".into(),
                error: "bad input 1".into()
            }
        )
    );
    assert_eq!(err.to_string(), "task `broken` failed: bad input 1");
}

#[test]
fn a_panic_is_a_failure_and_the_next_run_works() {
    let dag = Dag::new("panicking").max_workers(2);
    for _ in 0..3 {
        let exec = dag.execute().expect("resolves");
        let r = exec.node("explode").expect("node exists");
        assert_eq!(r.status, NodeStatus::Failed);
        assert_eq!(r.error.as_deref(), Some("task panicked: kaboom in explode"));
        assert_eq!(exec.status("total"), Some(NodeStatus::Skipped));
    }
    // The same pool still runs other DAGs.
    assert_eq!(
        Dag::new("failing").execute().expect("resolves").succeeded(),
        2
    );
}

#[test]
fn fail_fast_cancels_tasks_not_yet_started() {
    // One worker runs roots in source order: `boom` fails before `other_root` starts.
    let exec = Dag::new("fast_fail")
        .max_workers(1)
        .fail_fast(true)
        .execute()
        .expect("resolves");
    assert_eq!(exec.status("boom"), Some(NodeStatus::Failed));
    assert_eq!(
        exec.node("boom").expect("node").error.as_deref(),
        Some("disk on fire")
    );
    assert_eq!(exec.status("other_root"), Some(NodeStatus::Cancelled));
    assert_eq!(exec.status("other_next"), Some(NodeStatus::Cancelled));
    assert_eq!(exec.status("end"), Some(NodeStatus::Skipped));
    // Without fail_fast the independent branch runs.
    let exec = Dag::new("fast_fail")
        .max_workers(1)
        .execute()
        .expect("resolves");
    assert_eq!(exec.status("other_next"), Some(NodeStatus::Completed));
    let err = Dag::new("fast_fail")
        .fail_fast(true)
        .run::<i32>()
        .unwrap_err();
    assert_eq!(err.to_string(), "task `boom` failed: disk on fire");
}

static ALIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Counted(#[allow(dead_code)] u64);

impl Counted {
    fn new(v: u64) -> Self {
        let now = ALIVE.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        Counted(v)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        ALIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

fn chain(n: usize) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes((0..n).map(|i| format!("n{i}")));
    b.add_edges((1..n).map(|i| (format!("n{}", i - 1), format!("n{i}"))));
    b.build().expect("a chain is valid")
}

#[test]
fn outputs_are_freed_when_their_last_dependent_finishes() {
    let n = 1000;
    let dag = Dag::from_graph("chain", chain(n)).max_workers(2);
    let mut tasks = Tasks::new();
    tasks.add("n0", || Counted::new(0));
    for i in 1..n {
        tasks.add_with_inputs(format!("n{i}"), move |inputs| {
            let prev = inputs.get::<Counted>(0)?;
            Ok::<_, dag::InputError>(Counted::new(prev.0 + 1))
        });
    }
    let exec = dag.execute_with(&tasks).expect("runs");
    assert!(exec.is_success());
    let peak = PEAK.load(Ordering::SeqCst);
    assert!(
        peak <= 3,
        "at most a handful of outputs alive at once, saw {peak}"
    );
    assert_eq!(exec.output_as::<Counted>("n999").map(|c| c.0), Some(999));
    assert!(
        exec.output_as::<Counted>("n500").is_none(),
        "intermediate outputs are freed"
    );
    drop(exec);
    assert_eq!(ALIVE.load(Ordering::SeqCst), 0, "nothing leaks");
}

#[test]
fn keep_outputs_keeps_every_output() {
    let exec = Dag::new("failing")
        .keep_outputs(true)
        .execute()
        .expect("resolves");
    assert_eq!(exec.output::<failing::independent>(), Some(&10));
    assert_eq!(exec.output::<failing::source>(), Some(&1));
    let exec = Dag::new("failing").execute().expect("resolves");
    assert_eq!(exec.output::<failing::independent>(), None);
}

/// A diamond-heavy graph: node i depends on i-1 and i/2 (when distinct).
fn lattice(n: usize) -> (Graph, Tasks<'static>) {
    let mut b = Graph::builder();
    b.add_nodes((0..n).map(|i| format!("v{i}")));
    for i in 1..n {
        b.add_edge(format!("v{}", i - 1), format!("v{i}"));
        if i / 2 != i - 1 {
            b.add_edge(format!("v{}", i / 2), format!("v{i}"));
        }
    }
    let mut tasks = Tasks::new();
    tasks.add("v0", || 1u64);
    for i in 1..n {
        tasks.add_with_inputs(format!("v{i}"), move |inputs| {
            if i % 37 == 0 {
                return Err(format!("v{i} refuses"));
            }
            let mut acc = i as u64;
            for k in 0..inputs.len() {
                acc = acc
                    .wrapping_mul(31)
                    .wrapping_add(*inputs.get::<u64>(k).map_err(|e| e.to_string())?);
            }
            Ok(acc)
        });
    }
    (b.build().expect("acyclic"), tasks)
}

#[test]
fn results_do_not_depend_on_the_number_of_workers() {
    let mut seen = Vec::new();
    for workers in [1, 2, 8] {
        let (graph, tasks) = lattice(200);
        let exec = Dag::from_graph("lattice", graph)
            .max_workers(workers)
            .keep_outputs(true)
            .execute_with(&tasks)
            .expect("runs");
        let summary: Vec<(String, NodeStatus, Option<u64>, Option<String>)> = exec
            .nodes()
            .map(|r| {
                (
                    r.name.to_string(),
                    r.status,
                    exec.output_as::<u64>(r.name).copied(),
                    r.error.clone(),
                )
            })
            .collect();
        seen.push(summary);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
    assert!(seen[0].iter().any(|s| s.1 == NodeStatus::Skipped));
    assert!(seen[0].iter().any(|s| s.1 == NodeStatus::Completed));
}

#[test]
fn uneven_chains_are_not_held_back_by_levels() {
    let mut b = Graph::builder();
    b.add_nodes(["a1", "a2", "b1", "b2"])
        .add_edges([("a1", "a2"), ("b1", "b2")]);
    let dag = Dag::from_graph("uneven", b.build().expect("valid")).max_workers(2);
    let sleep = |ms| move || std::thread::sleep(Duration::from_millis(ms));
    let mut tasks = Tasks::new();
    tasks
        .add("a1", sleep(200))
        .add("a2", sleep(20))
        .add("b1", sleep(20))
        .add("b2", sleep(200));
    let exec = dag.execute_with(&tasks).expect("runs");
    let (a1, b2) = (exec.node("a1").expect("a1"), exec.node("b2").expect("b2"));
    // No barrier after level 0: b2 starts as soon as b1 is done, while a1 still runs.
    assert!(
        b2.start < a1.end,
        "b2 started at {} but a1 ended at {}",
        b2.start,
        a1.end
    );
    assert_ne!(
        a1.worker,
        exec.node("b1").expect("b1").worker,
        "both chains ran in parallel"
    );
}

#[test]
fn builder_dags_check_their_tasks() {
    let mut b = Graph::builder();
    b.add_nodes(["a", "b"]).add_edge("a", "b");
    let dag = Dag::from_graph("ab", b.build().expect("valid"));
    let mut tasks = Tasks::new();
    tasks.add("a", || 1);
    assert_eq!(
        format!("{:?}", dag.execute_with(&tasks).unwrap_err()),
        format!("{:?}", Error::MissingTask { node: "b".into() })
    );
    tasks
        .add_with_inputs("b", |i| i.get::<i32>(0).map(|v| v + 1))
        .add("c", || 0);
    assert_eq!(
        format!("{:?}", dag.execute_with(&tasks).unwrap_err()),
        format!("{:?}", Error::UnknownTask { name: "c".into() })
    );
    let mut tasks = Tasks::new();
    tasks
        .add("a", || 1)
        .add_with_inputs("b", |i| i.get::<String>(0).map(|s| s.len()));
    let exec = dag.execute_with(&tasks).expect("runs");
    let err = exec.node("b").expect("b").error.expect("b failed");
    assert_eq!(err, "node `b`: input `a` is not a `alloc::string::String`");
    let mut tasks = Tasks::new();
    tasks
        .add("a", || 20)
        .add_fallible("b", || "21".parse::<i32>());
    assert_eq!(dag.run_with::<i32>(&tasks).expect("runs"), 21);
    assert!(matches!(
        dag.run_with::<String>(&tasks),
        Err(Error::OutputType { .. })
    ));
}

#[test]
fn the_execution_records_timings_workers_and_a_unique_run_id() {
    let dag = Dag::new("failing").max_workers(2);
    let a = dag.execute().expect("resolves");
    let b = dag.execute().expect("resolves");
    assert_ne!(a.run_id(), b.run_id());
    for r in a.nodes() {
        assert!(r.start >= 0.0 && r.end >= r.start && r.end <= a.total_duration_seconds());
        assert!((r.duration - (r.end - r.start)).abs() < 1e-12);
        assert!(r.worker.is_some_and(|w| w < 2));
    }
    assert_eq!(a.max_workers(), 2);
}

/// A zero-sized output with drop glue: it owns no memory, but its `Drop` runs code.
struct ZeroSizedWithDrop;

static ZST_DROPS: AtomicUsize = AtomicUsize::new(0);

impl Drop for ZeroSizedWithDrop {
    fn drop(&mut self) {
        ZST_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn only_the_final_output_is_kept_unless_keep_outputs_and_every_output_is_dropped_once() {
    // a (unit) -> b (zero-sized with Drop) -> c (final), plus a sink `d` nobody reads.
    let mut g = Graph::builder();
    g.add_nodes(["a", "b", "c", "d"])
        .add_edges([("a", "b"), ("b", "c"), ("a", "d")]);
    let g = g.build().expect("valid");
    let tasks = || {
        let mut t = Tasks::new();
        t.add("a", || ())
            .add("b", || ZeroSizedWithDrop)
            .add("c", || 7u8)
            .add("d", || ZeroSizedWithDrop);
        t
    };
    let dag = Dag::from_graph("kept", g.clone())
        .final_node("c")
        .expect("c is a node")
        .with_tasks(tasks())
        .expect("binds");
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.output_as::<u8>("c"), Some(&7));
    assert!(
        exec.output_as::<()>("a").is_none(),
        "a unit output is not kept"
    );
    assert!(exec.output_as::<ZeroSizedWithDrop>("b").is_none());
    // `b` was dropped by its consumer, `d` when it returned (nobody reads it).
    assert_eq!(ZST_DROPS.load(Ordering::SeqCst), 2);
    drop(exec);
    assert_eq!(ZST_DROPS.load(Ordering::SeqCst), 2);

    let keep = Dag::from_graph("kept_all", g)
        .keep_outputs(true)
        .final_node("c")
        .expect("c is a node")
        .with_tasks(tasks())
        .expect("binds");
    let exec = keep.execute().expect("runs");
    assert_eq!(exec.output_as::<()>("a"), Some(&()));
    assert!(exec.output_as::<ZeroSizedWithDrop>("b").is_some());
    assert!(exec.output_as::<ZeroSizedWithDrop>("d").is_some());
    assert_eq!(ZST_DROPS.load(Ordering::SeqCst), 2, "kept outputs live on");
    drop(exec);
    assert_eq!(
        ZST_DROPS.load(Ordering::SeqCst),
        4,
        "dropped with the execution"
    );
}

#[test]
fn a_plain_run_records_who_ran_what_and_why_dependents_were_skipped() {
    // Every field of every record is written by the settling worker in a plain run.
    let mut g = Graph::builder();
    g.add_nodes(["ok", "bad", "after_bad", "after_after"])
        .add_edges([("bad", "after_bad"), ("after_bad", "after_after")]);
    let dag = Dag::from_graph("records", g.build().expect("valid")).max_workers(2);
    let mut tasks = Tasks::new();
    tasks
        .add("ok", || 1u8)
        .add_fallible("bad", || Err::<u8, _>("broken".to_string()))
        .add("after_bad", || 2u8)
        .add("after_after", || 3u8);
    let exec = dag.execute_with(&tasks).expect("runs");
    let ok = exec.node("ok").expect("a node");
    assert_eq!(ok.status, NodeStatus::Completed);
    assert!(ok.worker.is_some_and(|w| w < 2), "{:?}", ok.worker);
    assert_eq!(exec.status("bad"), Some(NodeStatus::Failed));
    for skipped in ["after_bad", "after_after"] {
        let r = exec.node(skipped).expect("a node");
        assert_eq!(r.status, NodeStatus::Skipped);
        assert_eq!(
            r.error.as_deref(),
            Some("upstream task `bad` failed"),
            "{skipped}"
        );
        assert_eq!(r.worker.map(|w| w < 2), Some(true), "{skipped}");
    }
}

/// An observer that watches nothing: it only takes the run off the plain path.
struct Watching;
impl dag::Observer for Watching {}

#[test]
fn a_large_plain_run_matches_the_same_run_on_the_observed_path() {
    // 40k nodes: a plain run this large has its per-node state written by the workers in
    // parallel; an observed run writes it on the caller. Statuses, errors and outputs agree.
    let summary = |observed: bool| {
        let (graph, tasks) = lattice(40_000);
        let mut dag = Dag::from_graph("lattice", graph)
            .max_workers(2)
            .keep_outputs(true);
        if observed {
            dag = dag.observe(Watching);
        }
        let exec = dag.execute_with(&tasks).expect("runs");
        exec.nodes()
            .map(|r| {
                (
                    r.name.to_string(),
                    r.status,
                    exec.output_as::<u64>(r.name).copied(),
                    r.error.clone(),
                    r.worker.is_some_and(|w| w < 2),
                )
            })
            .collect::<Vec<_>>()
    };
    let (plain, observed) = (summary(false), summary(true));
    assert_eq!(plain.len(), 40_000);
    assert!(plain.iter().all(|s| s.4), "every node ran on a worker");
    assert!(plain.iter().any(|s| s.1 == NodeStatus::Skipped));
    assert!(plain.iter().any(|s| s.2.is_some()));
    assert_eq!(plain, observed);
}
