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

fn traced_events(graph: &Graph) -> Vec<TraceEvent> {
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        tasks.add(graph.name(v), || ());
    }
    let exec = Dag::from_graph("order", graph.clone())
        .max_workers(2)
        .tracing(true)
        .execute_with(&tasks)
        .expect("runs");
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
