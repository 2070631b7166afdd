//! No panic escapes a run: outputs and panic payloads whose `Drop` panics, and panics in the
//! code around a task's body, end as warnings or failures that name the task.

use dag::graph::Graph;
use dag::{Dag, Error, NodeStatus, Tasks};
use std::sync::atomic::{AtomicUsize, Ordering};

/// An output whose `Drop` panics; counts the drops that were attempted.
pub struct Bomb(pub &'static str, pub &'static AtomicUsize);

impl Drop for Bomb {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
        panic!("{} went off", self.0);
    }
}

/// A panic payload whose `Drop` panics (thrown with `std::panic::panic_any`).
struct BadPayload;

impl Drop for BadPayload {
    fn drop(&mut self) {
        panic!("the payload's drop panics");
    }
}

fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied())
        .add_edges(edges.iter().copied());
    b.build().expect("valid graph")
}

#[test]
fn an_output_freed_after_its_consumers_panics_in_drop_a_warning_names_the_task() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let dag = Dag::from_graph("freed", graph(&["a", "b"], &[("a", "b")])).max_workers(2);
    let mut tasks = Tasks::new();
    tasks
        .add("a", || Bomb("a", &DROPS))
        .add_with_inputs("b", |i| i.get::<Bomb>(0).map(|bomb| bomb.0.len()));
    let exec = dag.execute_with(&tasks).expect("runs");
    assert!(exec.is_success());
    assert_eq!(DROPS.load(Ordering::SeqCst), 1, "a's output was freed once");
    assert_eq!(
        exec.warnings(),
        ["dropping the output of task `a` panicked (the panic was caught): a went off"]
    );
    assert_eq!(exec.output_as::<usize>("b"), Some(&1));
}

#[test]
fn an_output_nobody_needs_panics_in_drop_a_warning_names_the_task() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    // Two sinks and no final node: neither output is kept, each is dropped as it is produced.
    let dag = Dag::from_graph("unkept", graph(&["x", "y"], &[])).max_workers(1);
    let mut tasks = Tasks::new();
    tasks
        .add("x", || Bomb("x", &DROPS))
        .add("y", || Bomb("y", &DROPS));
    let exec = dag.execute_with(&tasks).expect("runs");
    assert!(exec.is_success());
    assert_eq!(DROPS.load(Ordering::SeqCst), 2);
    let mut warnings = exec.warnings().to_vec();
    warnings.sort();
    assert_eq!(
        warnings,
        [
            "dropping the output of task `x` panicked (the panic was caught): x went off",
            "dropping the output of task `y` panicked (the panic was caught): y went off",
        ]
    );
}

#[test]
fn dropping_an_execution_whose_outputs_panic_in_drop_does_not_unwind() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let dag = Dag::from_graph("kept", graph(&["a", "b", "c"], &[("a", "c"), ("b", "c")]))
        .keep_outputs(true)
        .max_workers(2);
    let mut tasks = Tasks::new();
    tasks
        .add("a", || Bomb("a", &DROPS))
        .add("b", || Bomb("b", &DROPS))
        .add("c", || Bomb("c", &DROPS));
    let exec = dag.execute_with(&tasks).expect("runs");
    assert!(exec.is_success());
    assert_eq!(exec.output_as::<Bomb>("c").map(|b| b.0), Some("c"));
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        0,
        "kept outputs live in the execution"
    );
    drop(exec);
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        3,
        "each kept output was dropped once"
    );
}

#[test]
fn run_with_drops_the_other_kept_outputs_without_unwinding() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let dag = Dag::from_graph("fails", graph(&["a", "b"], &[("a", "b")])).keep_outputs(true);
    let mut tasks = Tasks::new();
    tasks
        .add("a", || Bomb("a", &DROPS))
        .add_fallible("b", || Err::<u8, _>("b is broken"));
    assert_eq!(
        format!("{:?}", dag.run_with::<u8>(&tasks).unwrap_err()),
        format!(
            "{:?}",
            Error::TaskFailed {
                task: "b".into(),
                error: "b is broken".into()
            }
        )
    );
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    // A successful run hands back the final output; the other kept output is dropped quietly.
    let mut tasks = Tasks::new();
    tasks
        .add("a", || Bomb("a", &DROPS))
        .add_with_inputs("b", |i| i.get::<Bomb>(0).map(|_| 7u8));
    assert_eq!(dag.run_with::<u8>(&tasks).map_err(|e| e.to_string()), Ok(7));
    assert_eq!(DROPS.load(Ordering::SeqCst), 2);
}

#[test]
fn a_panic_payload_whose_drop_panics_is_a_failure_of_the_task() {
    let mut tasks = Tasks::new();
    tasks
        .add("thrower", || -> u8 { std::panic::panic_any(BadPayload) })
        .add_with_inputs("after", |i| i.get::<u8>(0).copied());
    let message = "task panicked: a non-string panic payload (dropping that payload panicked \
                   too: the payload's drop panics)";
    // Without and with retries (the second path is the one that also caches and checkpoints).
    for (retries, suffix) in [(0, ""), (1, " (after 2 attempts)")] {
        let dag = Dag::from_graph(
            "payload",
            graph(&["thrower", "after"], &[("thrower", "after")]),
        )
        .max_workers(1)
        .retries(retries)
        .backoff(std::time::Duration::ZERO);
        let exec = dag.execute_with(&tasks).expect("runs");
        assert_eq!(exec.status("thrower"), Some(NodeStatus::Failed));
        assert_eq!(
            exec.node("thrower").expect("node").error,
            Some(format!("{message}{suffix}"))
        );
        assert_eq!(exec.status("after"), Some(NodeStatus::Skipped));
    }
}

mod static_bomb {
    use super::Bomb;
    use dag::task;
    use std::sync::atomic::AtomicUsize;

    pub static DROPS: AtomicUsize = AtomicUsize::new(0);

    #[task]
    pub fn fuse() -> Bomb {
        Bomb("fuse", &DROPS)
    }

    #[task(final)]
    pub fn length(fuse: &Bomb) -> usize {
        fuse.0.len()
    }
}

#[test]
fn a_static_task_output_that_panics_in_drop_is_a_warning() {
    let exec = Dag::new("static_bomb").execute().expect("resolves");
    assert!(exec.is_success());
    assert_eq!(
        exec.warnings(),
        ["dropping the output of task `fuse` panicked (the panic was caught): fuse went off"]
    );
    assert_eq!(
        Dag::new("static_bomb")
            .run::<usize>()
            .map_err(|e| e.to_string()),
        Ok(4)
    );
    assert_eq!(static_bomb::DROPS.load(Ordering::SeqCst), 2);
}

mod bad_serialize {
    use dag::task;

    /// Serializing it panics (user code the cache and checkpoints call after the body).
    #[derive(Debug, PartialEq)]
    pub struct Fragile(pub u8);

    impl serde::Serialize for Fragile {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("Fragile cannot be serialized")
        }
    }

    impl<'de> serde::Deserialize<'de> for Fragile {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            u8::deserialize(d).map(Fragile)
        }
    }

    #[task]
    pub fn fragile() -> Fragile {
        Fragile(3)
    }

    #[task(final)]
    pub fn read(fragile: &Fragile) -> u8 {
        fragile.0
    }
}

#[test]
fn a_panic_while_persisting_an_output_does_not_escape_execute() {
    let dir = tempfile::tempdir().expect("tempdir");
    let exec = Dag::new("bad_serialize")
        .checkpoint_dir(dir.path().join("ckpt"))
        .execute()
        .expect("runs");
    assert_eq!(exec.status("fragile"), Some(NodeStatus::Failed));
    assert_eq!(
        exec.node("fragile").expect("node").error.as_deref(),
        Some(
            "task `fragile` panicked after its body returned (while caching, checkpointing or \
             comparing its output): Fragile cannot be serialized"
        )
    );
    assert_eq!(exec.status("read"), Some(NodeStatus::Skipped));
}

#[test]
fn a_reused_output_left_unused_by_a_rerun_panics_in_drop_a_warning() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    let mut tasks = Tasks::new();
    tasks
        .add_fallible("a", || match CALLS.fetch_add(1, Ordering::SeqCst) {
            0 => Ok(1u8),
            _ => Err("a fails the second time"),
        })
        .add_with_inputs("b", |i| i.get::<u8>(0).map(|_| Bomb("b", &DROPS)));
    let dag = Dag::from_graph("rerun_bomb", graph(&["a", "b"], &[("a", "b")]))
        .keep_outputs(true)
        .with_tasks(tasks)
        .expect("binds");
    let first = dag.execute().expect("runs");
    assert!(first.is_success());
    // `a` changed and now fails, so `b` is skipped and its previous output is never used.
    let second = dag.rerun(first, &["a"]).expect("reruns");
    assert_eq!(second.status("b"), Some(NodeStatus::Skipped));
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    assert_eq!(
        second.warnings(),
        ["dropping an output loaded for reuse panicked (the panic was caught): b went off"]
    );
}
