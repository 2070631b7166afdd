//! Event order of an executor's trace at equal timestamps (issue 10, point 9), on run records
//! with chosen clock ticks: a node completes before its dependents start, a step starts before
//! its first node and completes after its last.

use std::sync::Arc;

use crate::Execution;
use crate::exec::{NodeStatus, RawRun, Record, clock};
use crate::graph::Graph;

/// A run of `graph` whose node `i` ran on worker 0 from `ticks[i].0` to `ticks[i].1` (raw clock
/// ticks after the run's start).
fn run(graph: Graph, ticks: &[(u64, u64)]) -> Execution {
    let t0 = clock().raw();
    let records = ticks
        .iter()
        .map(|&(s, e)| Record {
            start: t0 + s,
            end: t0 + e,
            worker: 0,
            cause: u32::MAX,
            status: NodeStatus::Completed,
            attempts: 1,
            flags: 0,
        })
        .collect();
    let t_end = t0 + ticks.iter().map(|t| t.1).max().unwrap_or(0);
    RawRun::of_records(records, t0, t_end).into_execution("chain", Arc::new(graph), 1)
}

fn chain(names: &[&str]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(names.iter().copied());
    b.add_edges(names.windows(2).map(|w| (w[0], w[1])));
    b.build().expect("a chain is a DAG")
}

/// `kind(node or step)` of every event, in order, read through `events()` (the owned copy;
/// the other trace tests read through `for_each_event`, see `Execution::event_sequence`).
fn sequence(exec: &Execution) -> Vec<String> {
    exec.to_trace()
        .events()
        .iter()
        .map(|e| match (&e.node_name, e.step_index) {
            (Some(n), _) => format!("{}({n})", e.event_type),
            (None, Some(s)) => format!("{}({s})", e.event_type),
            (None, None) => e.event_type.to_string(),
        })
        .collect()
}

const CHAIN_AB: [&str; 10] = [
    "execution_started",
    "step_started(0)",
    "node_started(a)",
    "node_completed(a)",
    "step_completed(0)",
    "step_started(1)",
    "node_started(b)",
    "node_completed(b)",
    "step_completed(1)",
    "execution_completed",
];

#[test]
fn a_completion_comes_before_the_dependent_start_at_the_same_tick() {
    // b starts on the tick a ends (the worker ran it inline).
    let exec = run(chain(&["a", "b"]), &[(10, 20), (20, 30)]);
    assert_eq!(sequence(&exec), CHAIN_AB);
}

#[test]
fn zero_length_nodes_keep_their_steps_around_them() {
    // Everything on one tick.
    let exec = run(chain(&["a", "b"]), &[(10, 10), (10, 10)]);
    assert_eq!(sequence(&exec), CHAIN_AB);
    let ts: Vec<f64> = exec
        .to_trace()
        .events()
        .iter()
        .map(|e| e.timestamp)
        .collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
}

#[test]
fn a_step_spans_its_nodes_when_siblings_end_on_the_same_tick() {
    // s -> {x, y} -> t; x and y end on the tick t starts.
    let mut b = Graph::builder();
    b.add_nodes(["s", "x", "y", "t"]);
    b.add_edges([("s", "x"), ("s", "y"), ("x", "t"), ("y", "t")]);
    let exec = run(
        b.build().expect("valid"),
        &[(0, 5), (5, 9), (5, 9), (9, 12)],
    );
    assert_eq!(
        sequence(&exec),
        [
            "execution_started",
            "step_started(0)",
            "node_started(s)",
            "node_completed(s)",
            "step_completed(0)",
            "step_started(1)",
            "node_started(x)",
            "node_started(y)",
            "node_completed(x)",
            "node_completed(y)",
            "step_completed(1)",
            "step_started(2)",
            "node_started(t)",
            "node_completed(t)",
            "step_completed(2)",
            "execution_completed",
        ]
    );
}
