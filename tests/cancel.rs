//! External cancellation: a `CancelHandle` cancels a run from another thread; running sync
//! tasks see `dag::cancelled()`, unstarted ones end `Cancelled`, finished outputs are kept.

use dag::graph::Graph;
use dag::trace::TraceEventType;
use dag::{Dag, GraphDag, NodeStatus, Tasks};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};

const BY_HANDLE: &str = "cancelled: the run was cancelled (CancelHandle::cancel)";

fn graph(edges: &[(&str, &str)], nodes: &[&str]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied());
    b.add_edges(edges.iter().copied());
    b.build().expect("valid graph")
}

/// `first -> long -> after`, on one worker, keeping every output, traced.
fn chain_dag() -> GraphDag {
    let g = graph(
        &[("first", "long"), ("long", "after")],
        &["first", "long", "after"],
    );
    Dag::from_graph("cancel_chain", g)
        .max_workers(1)
        .keep_outputs(true)
        .tracing(true)
}

/// Runs `dag` with `tasks` on another thread once `started` says a task is running, cancels
/// it (then tells the task through `go`) and returns the execution.
fn cancel_while_running(
    dag: &GraphDag,
    tasks: &Tasks<'_>,
    started: &Receiver<()>,
    go: &Sender<()>,
) -> dag::Execution {
    let handle = dag.cancel_handle();
    std::thread::scope(|s| {
        let run = s.spawn(|| dag.execute_with(tasks).expect("runs"));
        started.recv().expect("the long task starts");
        assert!(!handle.is_cancelled());
        handle.cancel();
        assert!(handle.is_cancelled(), "the run in progress is cancelled");
        go.send(()).expect("the task listens");
        run.join().expect("no panic")
    })
}

#[test]
fn a_task_that_polls_stops_its_dependents_are_cancelled_finished_outputs_kept() {
    let (started_tx, started) = channel();
    let (go, go_rx) = channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let seen = Mutex::new(Vec::new());
    let mut tasks = Tasks::new();
    tasks
        .add("first", || {
            seen.lock().expect("lock").push(dag::cancelled());
            1_i32
        })
        .add_fallible("long", || {
            started_tx.send(()).expect("test listens");
            go_rx.lock().expect("lock").recv().expect("test says go");
            // Polls: the cancel happened before `go`, so this returns at once.
            while !dag::cancelled() {
                std::thread::yield_now();
            }
            Err::<i32, String>("stopped: cancelled".to_string())
        })
        .add("after", || 3_i32);
    let dag = chain_dag();
    let exec = cancel_while_running(&dag, &tasks, &started, &go);
    assert_eq!(*seen.lock().expect("lock"), [false]);
    assert_eq!(exec.status("first"), Some(NodeStatus::Completed));
    assert_eq!(exec.output_as::<i32>("first"), Some(&1));
    assert_eq!(exec.status("long"), Some(NodeStatus::Failed));
    assert_eq!(
        exec.node("long").expect("node").error.as_deref(),
        Some("stopped: cancelled")
    );
    // Cancelled, not skipped: the failure came after (because of) the cancel.
    assert_eq!(exec.status("after"), Some(NodeStatus::Cancelled));
    assert_eq!(
        exec.node("after").expect("node").error.as_deref(),
        Some(BY_HANDLE)
    );
    assert_eq!(exec.output_as::<i32>("after"), None);
    assert_eq!(
        (
            exec.succeeded(),
            exec.failed(),
            exec.skipped(),
            exec.cancelled()
        ),
        (1, 1, 0, 1)
    );
    let trace = exec.trace.as_ref().expect("traced");
    let events = trace.events_for_node("after");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TraceEventType::NodeCancelled);
    assert_eq!(events[0].error.as_deref(), Some(BY_HANDLE));
    assert_eq!(trace.summary().cancelled, 1);
    // The request was used up by that run.
    assert!(!dag.cancel_handle().is_cancelled());
}

#[test]
fn a_task_that_never_polls_runs_to_completion_and_keeps_its_output() {
    let (started_tx, started) = channel();
    let (go, go_rx) = channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let mut tasks = Tasks::new();
    tasks
        .add("first", || 1_i32)
        .add("long", || {
            started_tx.send(()).expect("test listens");
            // Blocks until after the cancel, never polls.
            go_rx.lock().expect("lock").recv().expect("test says go");
            7_i32
        })
        .add("after", || 3_i32);
    let dag = chain_dag();
    let exec = cancel_while_running(&dag, &tasks, &started, &go);
    assert_eq!(exec.status("first"), Some(NodeStatus::Completed));
    assert_eq!(exec.status("long"), Some(NodeStatus::Completed));
    assert_eq!(exec.output_as::<i32>("long"), Some(&7));
    assert_eq!(exec.status("after"), Some(NodeStatus::Cancelled));
    assert_eq!(
        (
            exec.succeeded(),
            exec.failed(),
            exec.skipped(),
            exec.cancelled()
        ),
        (2, 0, 0, 1)
    );
}

#[test]
fn a_cancel_before_a_run_cancels_that_run_only() {
    let g = graph(&[("a", "b")], &["a", "b", "c"]);
    let dag = Dag::from_graph("cancel_before", g).keep_outputs(true);
    let mut tasks = Tasks::new();
    tasks
        .add("a", || 1_i32)
        .add("b", || 2_i32)
        .add("c", || 3_i32);
    let handle = dag.cancel_handle();
    handle.cancel();
    assert!(handle.is_cancelled(), "waits for the next run");
    let exec = dag.execute_with(&tasks).expect("runs");
    assert_eq!(exec.cancelled(), 3);
    for name in ["a", "b", "c"] {
        assert_eq!(exec.status(name), Some(NodeStatus::Cancelled), "{name}");
        assert_eq!(
            exec.node(name).expect("node").error.as_deref(),
            Some(BY_HANDLE)
        );
    }
    assert!(!exec.is_success());
    assert!(!handle.is_cancelled());
    // The next run runs normally.
    let exec = dag.execute_with(&tasks).expect("runs");
    assert_eq!((exec.succeeded(), exec.cancelled()), (3, 0));
    assert_eq!(exec.output_as::<i32>("b"), Some(&2));
    // run() reports the cancellation as an error naming the final task.
    handle.cancel();
    let err = dag
        .final_node("b")
        .expect("node b")
        .run_with::<i32>(&tasks)
        .unwrap_err();
    assert_eq!(err.to_string(), format!("task `b` failed: {BY_HANDLE}"));
}

#[test]
fn a_new_run_after_a_cancelled_one_runs_normally() {
    let (started_tx, started) = channel();
    let (go, go_rx) = channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let mut tasks = Tasks::new();
    tasks
        .add("first", || 1_i32)
        .add("long", || {
            // Only the first run waits for the test.
            if started_tx.send(()).is_ok() {
                let _ = go_rx.lock().expect("lock").recv();
            }
            7_i32
        })
        .add("after", || 3_i32);
    let dag = chain_dag();
    let exec = cancel_while_running(&dag, &tasks, &started, &go);
    assert_eq!(exec.status("after"), Some(NodeStatus::Cancelled));
    drop((started, go));
    let exec = dag.execute_with(&tasks).expect("runs");
    assert_eq!((exec.succeeded(), exec.cancelled()), (3, 0));
    assert_eq!(exec.output_as::<i32>("after"), Some(&3));
}

#[test]
fn cancelled_is_false_outside_a_run_and_in_a_run_not_cancelled() {
    assert!(!dag::cancelled());
    let seen = Mutex::new(Vec::new());
    let mut tasks = Tasks::new();
    tasks.add("only", || seen.lock().expect("lock").push(dag::cancelled()));
    let exec = Dag::from_graph("cancel_quiet", graph(&[], &["only"]))
        .execute_with(&tasks)
        .expect("runs");
    assert!(exec.is_success());
    assert_eq!(*seen.lock().expect("lock"), [false]);
    assert!(!dag::cancelled(), "reset after the run");
}

#[test]
fn fail_fast_cancellations_keep_their_own_message() {
    let g = graph(&[], &["boom", "other"]);
    let mut tasks = Tasks::new();
    tasks
        .add_fallible("boom", || Err::<i32, String>("bad".to_string()))
        .add("other", dag::cancelled);
    let exec = Dag::from_graph("cancel_fail_fast", g)
        .max_workers(1)
        .fail_fast(true)
        .execute_with(&tasks)
        .expect("runs");
    assert_eq!(exec.status("other"), Some(NodeStatus::Cancelled));
    assert_eq!(
        exec.node("other").expect("node").error.as_deref(),
        Some("cancelled: an earlier task failed (fail_fast)")
    );
}

mod cancel_static {
    use dag::task;

    #[task]
    pub fn source() -> i32 {
        1
    }

    #[task(final)]
    pub fn sink(source: &i32) -> i32 {
        source + 1
    }
}

#[test]
fn a_static_dag_has_a_handle_too() {
    let dag = Dag::new("cancel_static");
    dag.cancel_handle().cancel();
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.status("source"), Some(NodeStatus::Cancelled));
    assert_eq!(exec.status("sink"), Some(NodeStatus::Cancelled));
    assert_eq!(dag.run::<i32>().expect("runs"), 2);
}

#[test]
fn elements_of_each_tasks_see_the_flag() {
    let (started_tx, started) = channel();
    let (go, _go_rx) = channel::<()>();
    let g = graph(
        &[("items", "work"), ("work", "after")],
        &["items", "work", "after"],
    );
    let dag = Dag::from_graph("cancel_each", g)
        .max_workers(2)
        .keep_outputs(true);
    let mut tasks = Tasks::new();
    tasks
        .add("items", || vec![1_i32, 2, 3, 4])
        .add_each("work", |x: &i32| {
            // Every element says it runs and waits until the run is cancelled (in any order,
            // on any worker: rayon may run some on a worker that is not running a task).
            started_tx.send(()).expect("test listens");
            while !dag::cancelled() {
                std::thread::yield_now();
            }
            Ok::<i32, String>(*x * 10)
        })
        .add("after", || 0_i32);
    let exec = cancel_while_running(&dag, &tasks, &started, &go);
    assert_eq!(exec.status("work"), Some(NodeStatus::Completed));
    assert_eq!(
        exec.output_as::<Vec<i32>>("work"),
        Some(&vec![10, 20, 30, 40])
    );
    assert_eq!(exec.status("after"), Some(NodeStatus::Cancelled));
}
