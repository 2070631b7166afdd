//! Execution traces emitted by the executor: event sequence, failures, JSON and Chrome export.

use dag::trace::{ChromeOptions, ExecutionTrace, Lanes, TraceEventType as T};
use dag::{Dag, NodeStatus};
use serde_json::Value;

mod etl {
    use dag::task;
    use std::thread::sleep;
    use std::time::Duration;

    #[task]
    pub fn extract() -> u32 {
        sleep(Duration::from_millis(5));
        1
    }

    #[task]
    pub fn transform_a(extract: &u32) -> u32 {
        sleep(Duration::from_millis(15));
        extract + 1
    }

    #[task]
    pub fn transform_b(extract: &u32) -> u32 {
        sleep(Duration::from_millis(10));
        extract + 2
    }

    #[task]
    pub fn merge(transform_a: &u32, transform_b: &u32) -> u32 {
        transform_a + transform_b
    }

    #[task(final)]
    pub fn load(merge: &u32) -> u32 {
        *merge
    }
}

mod broken {
    use dag::task;

    #[task]
    pub fn fetch() -> u32 {
        1
    }

    #[task]
    pub fn parse(fetch: &u32) -> Result<u32, String> {
        Err(format!("cannot parse record {fetch}"))
    }

    #[task]
    pub fn side(fetch: &u32) -> u32 {
        *fetch
    }

    #[task(final)]
    pub fn store(parse: &u32, side: &u32) -> u32 {
        parse + side
    }
}

fn traced(name: &str) -> (dag::Execution, ExecutionTrace) {
    let mut exec = Dag::new(name)
        .max_workers(2)
        .tracing(true)
        .execute()
        .expect("resolves");
    let trace = exec.trace.take().expect("tracing on gives a trace");
    (exec, trace)
}

#[test]
fn the_trace_starts_and_ends_with_the_execution_and_is_ordered() {
    let (exec, trace) = traced("etl");
    let events = trace.events();
    assert_eq!(
        events.first().map(|e| e.event_type),
        Some(T::ExecutionStarted)
    );
    assert_eq!(
        events.last().map(|e| e.event_type),
        Some(T::ExecutionCompleted)
    );
    assert!(
        events.windows(2).all(|w| w[0].timestamp <= w[1].timestamp),
        "timestamps are monotonic"
    );
    for r in exec.nodes() {
        let mine = trace.events_for_node(r.name);
        let kinds: Vec<_> = mine.iter().map(|e| e.event_type).collect();
        assert_eq!(kinds, [T::NodeStarted, T::NodeCompleted], "{}", r.name);
        assert_eq!(mine[0].timestamp, r.start);
        assert_eq!(mine[1].timestamp, r.end);
        assert_eq!(mine[1].duration, Some(r.duration));
        assert_eq!(mine[0].worker, r.worker);
    }
    // One step per topological level, each spanning its nodes.
    let steps: Vec<_> = events
        .iter()
        .filter(|e| e.event_type == T::StepStarted)
        .collect();
    assert_eq!(steps.len(), 4);
    let summary = trace.summary();
    assert_eq!((summary.nodes_executed, summary.completed), (5, 5));
    assert!(summary.to_string().starts_with("Execution Trace Summary"));
    assert!(summary.to_string().contains("transform_a ["), "{summary}");
    let untraced = Dag::new("etl").tracing(false).execute().expect("resolves");
    assert!(untraced.trace.is_none());
}

#[test]
fn a_failure_gives_one_node_failed_and_skips_dependents() {
    let (exec, trace) = traced("broken");
    let failed: Vec<_> = trace
        .events()
        .into_iter()
        .filter(|e| e.event_type == T::NodeFailed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].node_name.as_deref(), Some("parse"));
    assert_eq!(failed[0].error.as_deref(), Some("cannot parse record 1"));
    let store = trace.events_for_node("store");
    assert_eq!(store.len(), 1);
    assert_eq!(store[0].event_type, T::NodeSkipped);
    assert_eq!(
        store[0].error.as_deref(),
        Some("upstream task `parse` failed")
    );
    assert_eq!(exec.status("side"), Some(NodeStatus::Completed));
    assert_eq!(trace.summary().failed, 1);
    assert_eq!(trace.summary().skipped, 1);
}

#[test]
fn json_round_trips() {
    let (_, trace) = traced("broken");
    let json = trace.to_json();
    let back = ExecutionTrace::from_json(&json).expect("our own JSON parses");
    assert_eq!(back.events(), trace.events());
    let first: Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(
        first[0],
        serde_json::json!({"event_type": "execution_started", "timestamp": 0.0})
    );
}

#[test]
fn chrome_export_has_one_slice_per_node_run_with_its_measured_duration() {
    let (exec, trace) = traced("etl");
    for lanes in [Lanes::Node, Lanes::Worker] {
        let chrome: Value =
            serde_json::from_str(&trace.to_chrome_trace_with(ChromeOptions::lanes(lanes)))
                .expect("JSON");
        let events = chrome["traceEvents"].as_array().expect("traceEvents");
        for r in exec.nodes() {
            let slices: Vec<&Value> = events
                .iter()
                .filter(|e| e["ph"] == "X" && e["name"] == r.name)
                .collect();
            assert_eq!(slices.len(), 1, "{}", r.name);
            let dur = slices[0]["dur"].as_f64().expect("dur");
            assert!(
                (dur - r.duration * 1e6).abs() < 1e-3,
                "{}: {dur} vs {}",
                r.name,
                r.duration * 1e6
            );
        }
        let process = events
            .iter()
            .find(|e| e["ph"] == "M" && e["name"] == "process_name")
            .expect("process name");
        assert_eq!(process["args"]["name"], "etl");
    }
}
