//! The event order of real traced runs (issue 10, point 9): timestamps never go back, and at
//! equal timestamps the order is causal — a node completes before its dependents start, a
//! step starts before its first node and completes after its last. The exact sequences on
//! hand-chosen clock ticks are unit tests (`dagrt/src/trace/order_tests.rs`).

use std::collections::HashMap;

use dag::graph::Graph;
use dag::trace::{TraceEvent, TraceEventType as T};
use dag::{Dag, Tasks};

fn grid(side: usize) -> Graph {
    let name = |i: usize, j: usize| format!("g{i}_{j}");
    let mut b = Graph::builder();
    for i in 0..side {
        for j in 0..side {
            b.add_node(name(i, j));
            if i > 0 {
                b.add_edge(name(i - 1, j), name(i, j));
            }
            if j > 0 {
                b.add_edge(name(i, j - 1), name(i, j));
            }
        }
    }
    b.build().expect("a grid is a DAG")
}

fn fan(width: usize) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(["src", "sink"]);
    for i in 0..width {
        b.add_node(format!("f{i}"));
        b.add_edges([
            ("src".to_owned(), format!("f{i}")),
            (format!("f{i}"), "sink".to_owned()),
        ]);
    }
    b.build().expect("a fan is a DAG")
}

/// A binary out-tree of `depth` levels: every inner node releases two successors at once
/// (the shape whose second successor a join may run on the same worker, or lose to a thief).
fn tree(depth: u32) -> Graph {
    let mut b = Graph::builder();
    let n = (1usize << depth) - 1;
    b.add_nodes((0..n).map(|i| format!("t{i}")));
    for i in 1..n {
        b.add_edge(format!("t{}", (i - 1) / 2), format!("t{i}"));
    }
    b.build().expect("a tree is a DAG")
}

fn traced_events(graph: &Graph) -> Vec<TraceEvent> {
    traced_runs(graph, 1).pop().expect("one run")
}

/// The events of `runs` traced runs of one `Dag` (later runs reuse its workers).
fn traced_runs(graph: &Graph, runs: usize) -> Vec<Vec<TraceEvent>> {
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        tasks.add(graph.name(v), || ());
    }
    let dag = Dag::from_graph("order", graph.clone())
        .max_workers(2)
        .tracing(true);
    (0..runs)
        .map(|_| events_of(&dag.execute_with(&tasks).expect("runs")))
        .collect()
}

fn events_of(exec: &dag::Execution) -> Vec<TraceEvent> {
    let trace = exec.trace.as_ref().expect("tracing on");
    let events = trace.events();
    assert_eq!(events.len(), trace.len());
    let mut borrowed = 0;
    trace.for_each_event(|e| {
        assert_eq!(e.to_event(), events[borrowed]);
        borrowed += 1;
    });
    assert_eq!(borrowed, events.len());
    events
}

/// Asserts that no worker runs two tasks at once: on each worker, every task starts at or
/// after the end of the task the worker ran before it.
fn assert_one_task_per_worker(events: &[TraceEvent]) {
    let mut spans: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
    let mut open: HashMap<&str, (usize, f64)> = HashMap::new();
    for e in events {
        match (e.event_type, &e.node_name, e.worker) {
            (T::NodeStarted, Some(n), Some(w)) => {
                open.insert(n, (w, e.timestamp));
            }
            (T::NodeCompleted, Some(n), _) => {
                let (w, start) = open.remove(n.as_str()).expect("started before completing");
                spans.entry(w).or_default().push((start, e.timestamp));
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "tasks left open: {open:?}");
    for (w, mut s) in spans {
        s.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for pair in s.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "worker {w} runs two tasks at once: {:?} and {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}

/// Asserts the order invariants on the events of a run of `graph`.
fn assert_causal(graph: &Graph, events: &[TraceEvent]) {
    assert_eq!(events[0].event_type, T::ExecutionStarted);
    assert_eq!(events[events.len() - 1].event_type, T::ExecutionCompleted);
    assert!(
        events.windows(2).all(|w| w[0].timestamp <= w[1].timestamp),
        "timestamps go back"
    );
    let mut started = HashMap::new();
    let mut completed = HashMap::new();
    let mut step_started = HashMap::new();
    let mut step_completed = HashMap::new();
    for (i, e) in events.iter().enumerate().skip(1).take(events.len() - 2) {
        match (e.event_type, &e.node_name, e.step_index) {
            (T::NodeStarted, Some(n), _) => assert!(started.insert(n.clone(), i).is_none()),
            (T::NodeCompleted, Some(n), _) => assert!(completed.insert(n.clone(), i).is_none()),
            (T::StepStarted, None, Some(s)) => assert!(step_started.insert(s, i).is_none()),
            (T::StepCompleted, None, Some(s)) => assert!(step_completed.insert(s, i).is_none()),
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(started.len(), graph.len());
    assert_eq!(completed.len(), graph.len());
    for v in graph.nodes() {
        let name = graph.name(v);
        let (s, c) = (started[name], completed[name]);
        assert!(s < c, "{name} completes before it starts");
        let level = graph.level(v);
        assert!(step_started[&level] < s, "step {level} starts after {name}");
        assert!(
            c < step_completed[&level],
            "step {level} completes before {name}"
        );
        for &p in graph.predecessors(v) {
            let pred = graph.name(p);
            assert!(completed[pred] < s, "{name} starts before {pred} completes");
        }
    }
}

#[test]
fn a_chain_reads_in_causal_order() {
    let mut b = Graph::builder();
    let names: Vec<String> = (0..2000).map(|i| format!("c{i}")).collect();
    b.add_nodes(names.iter().cloned());
    b.add_edges(names.windows(2).map(|w| (w[0].clone(), w[1].clone())));
    let g = b.build().expect("valid");
    assert_causal(&g, &traced_events(&g));
}

#[test]
fn a_grid_reads_in_causal_order() {
    let g = grid(30);
    assert_causal(&g, &traced_events(&g));
}

#[test]
fn a_fan_reads_in_causal_order() {
    let g = fan(3000);
    assert_causal(&g, &traced_events(&g));
}

#[test]
fn a_tree_reads_in_causal_order_run_after_run() {
    // Run after run on the same workers: a join's second side that starts at its worker's
    // last end must never take an end from an earlier run or from before a wait.
    let g = tree(11);
    for events in traced_runs(&g, 5) {
        assert_causal(&g, &events);
        assert_one_task_per_worker(&events);
    }
}

#[test]
fn no_worker_runs_two_tasks_at_once_on_a_grid_or_a_fan() {
    assert_one_task_per_worker(&traced_events(&grid(30)));
    assert_one_task_per_worker(&traced_events(&fan(3000)));
}
