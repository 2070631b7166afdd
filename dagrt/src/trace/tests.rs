//! Unit tests of the trace module: events, JSON round trip, summary.

use serde_json::json;

use super::test_support::{etl_failed, etl_ok};
use super::*;
use TraceEventType as T;

fn etl() -> ExecutionTrace {
    ExecutionTrace::from_events("etl", etl_ok())
}

#[test]
fn json_round_trip() {
    let trace = ExecutionTrace::from_events("etl", etl_failed());
    trace.record(
        TraceEvent::new(T::NodeCacheHit, 0.05)
            .with_node("extract")
            .with_metadata("key", json!({"hash": "abc", "size": 3})),
    );
    let back = ExecutionTrace::from_json(&trace.to_json()).expect("round trip");
    assert_eq!(back.events(), trace.events());
    assert_eq!(back.len(), trace.len());
    assert_eq!(ExecutionTrace::from_json("[]").expect("empty").len(), 0);
    assert_eq!(ExecutionTrace::new().to_json(), "[]");
}

#[test]
fn absent_fields_are_omitted_and_accepted() {
    let trace = ExecutionTrace::new();
    trace.record(TraceEvent::new(T::NodeStarted, 0.1021).with_node("transform_a"));
    let json = trace.to_json();
    assert_eq!(
        json,
        "[\n{\"event_type\":\"node_started\",\"timestamp\":0.1021,\"node_name\":\"transform_a\"}\n]"
    );
    let back = ExecutionTrace::from_json(r#"[{"event_type":"node_skipped","timestamp":1}]"#)
        .expect("minimal event");
    assert_eq!(back.events(), vec![TraceEvent::new(T::NodeSkipped, 1.0)]);
}

#[test]
fn every_event_type_serializes_to_its_snake_case_name() {
    let names = [
        "execution_started",
        "step_started",
        "node_started",
        "node_completed",
        "node_failed",
        "node_skipped",
        "node_timed_out",
        "node_cancelled",
        "step_completed",
        "execution_completed",
        "node_gate_waiting",
        "node_gate_resolved",
        "resource_acquired",
        "resource_released",
        "node_cache_hit",
        "node_cache_miss",
    ];
    for (kind, name) in T::ALL.iter().zip(names) {
        assert_eq!(serde_json::to_value(kind).expect("serialize"), json!(name));
        assert_eq!(kind.to_string(), name);
        let back: TraceEventType = serde_json::from_value(json!(name)).expect("deserialize");
        assert_eq!(back, *kind);
    }
}

#[test]
fn events_for_node_and_sorting() {
    let mut events = etl_ok();
    events.reverse();
    let trace = ExecutionTrace::from_events("etl", events);
    let ts: Vec<f64> = trace.events().iter().map(|e| e.timestamp).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]));
    let merge = trace.events_for_node("merge");
    assert_eq!(merge.len(), 2);
    assert_eq!(merge[0].event_type, T::NodeStarted);
    assert_eq!(merge[1].event_type, T::NodeCompleted);
    assert!(trace.events_for_node("nope").is_empty());
    assert_eq!(trace.name(), "etl");
    assert_eq!(ExecutionTrace::default().name(), "dag");
    assert!(!trace.is_empty());
    let cloned = trace.clone();
    assert_eq!(cloned.events(), trace.events());
    assert!(format!("{trace:?}").contains("ExecutionTrace"));
}

#[test]
fn record_is_thread_safe() {
    let trace = ExecutionTrace::new();
    std::thread::scope(|s| {
        for w in 0..4 {
            let trace = &trace;
            s.spawn(move || {
                for i in 0..50 {
                    trace.record(TraceEvent::new(T::NodeCacheMiss, f64::from(i)).with_worker(w));
                }
            });
        }
    });
    assert_eq!(trace.len(), 200);
}

#[test]
fn from_json_on_garbage_is_an_error() {
    for bad in [
        "",
        "not json",
        "{}",
        "[1, 2]",
        r#"[{"event_type":"nope","timestamp":0}]"#,
        r#"[{"event_type":"node_started"}]"#,
        r#"[{"event_type":"node_started","timestamp":"x"}]"#,
        "[{\"event_type\":\"node_started\",\"timestamp\":0,",
    ] {
        let err = ExecutionTrace::from_json(bad).expect_err(bad);
        let msg = err.to_string();
        assert!(msg.contains("invalid trace JSON"), "{msg}");
        assert!(std::error::Error::source(&err).is_some());
    }
    let err = ExecutionTrace::from_json("[\n  {\"event_type\": 3}]").expect_err("bad type");
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn summary_layout() {
    let s = etl().summary();
    assert_eq!(s.nodes_executed, 5);
    assert_eq!(s.completed, 5);
    let text = s.to_string();
    let want = "Execution Trace Summary
=======================
Total duration: 0.551s
Nodes executed: 5
Completed: 5 | Failed: 0 | Skipped: 0 | Cancelled: 0
Timeline:
  extract [0.000s - 0.100s] (0.100s) COMPLETED
  transform_a [0.102s - 0.401s] (0.299s) COMPLETED
  transform_b [0.102s - 0.302s] (0.200s) COMPLETED
  merge [0.401s - 0.451s] (0.050s) COMPLETED
  load [0.451s - 0.551s] (0.100s) COMPLETED
";
    assert_eq!(text, want);
}

#[test]
fn summary_with_failures() {
    let s = ExecutionTrace::from_events("etl", etl_failed()).summary();
    assert_eq!(s.nodes_executed, 3);
    assert_eq!(
        (s.completed, s.failed, s.skipped, s.cancelled),
        (2, 1, 1, 1)
    );
    assert!((s.total_duration - 0.3025).abs() < 1e-12);
    let text = s.to_string();
    assert!(text.contains("Completed: 2 | Failed: 1 | Skipped: 1 | Cancelled: 1\n"));
    assert!(text.contains("  transform_a [0.102s - 0.200s] (0.098s) FAILED\n"));
    assert!(text.contains("  merge [0.302s - 0.302s] (0.000s) SKIPPED\n"));
    assert!(text.contains("  load [0.302s - 0.302s] (0.000s) CANCELLED\n"));
    assert!(!text.contains("Cache hits"));
    let merge = s
        .timeline
        .iter()
        .find(|e| e.node_name == "merge")
        .expect("merge");
    assert_eq!(
        merge.error.as_deref(),
        Some("upstream task `transform_a` failed")
    );
    // Without execution_completed the total is the last timestamp.
    let t = ExecutionTrace::from_events("x", vec![TraceEvent::new(T::NodeSkipped, 0.25)]);
    assert_eq!(t.summary().total_duration, 0.25);
    // A retried node counts once, by its last outcome.
    let retried = ExecutionTrace::from_events(
        "r",
        vec![
            TraceEvent::new(T::NodeStarted, 0.0).with_node("a"),
            TraceEvent::new(T::NodeFailed, 0.1)
                .with_node("a")
                .with_error("e"),
            TraceEvent::new(T::NodeStarted, 0.1).with_node("a"),
            TraceEvent::new(T::NodeCompleted, 0.2).with_node("a"),
        ],
    )
    .summary();
    assert_eq!(
        (retried.nodes_executed, retried.completed, retried.failed),
        (1, 1, 0)
    );
    assert_eq!(retried.timeline.len(), 2);
}

#[test]
fn non_finite_numbers_round_trip_through_json() {
    let trace = ExecutionTrace::named("odd");
    trace.record(TraceEvent::new(T::NodeStarted, 0.5).with_node("a"));
    trace.record(
        TraceEvent::new(T::NodeCompleted, f64::INFINITY)
            .with_node("a")
            .with_duration(f64::NAN),
    );
    trace.record(TraceEvent::new(T::NodeSkipped, f64::NAN).with_duration(f64::NEG_INFINITY));
    trace.record(TraceEvent::new(T::NodeCancelled, f64::NEG_INFINITY).with_duration(1.5));
    let json = trace.to_json();
    assert_eq!(
        json,
        "[\n\
         {\"event_type\":\"node_cancelled\",\"timestamp\":\"-Infinity\",\"duration\":1.5},\n\
         {\"event_type\":\"node_started\",\"timestamp\":0.5,\"node_name\":\"a\"},\n\
         {\"event_type\":\"node_completed\",\"timestamp\":\"Infinity\",\"node_name\":\"a\",\"duration\":\"NaN\"},\n\
         {\"event_type\":\"node_skipped\",\"timestamp\":\"NaN\",\"duration\":\"-Infinity\"}\n\
         ]"
    );
    let back = ExecutionTrace::from_json(&json).expect("non-finite numbers read back");
    let bits = |t: &ExecutionTrace| -> Vec<(TraceEventType, u64, Option<u64>)> {
        t.events()
            .iter()
            .map(|e| {
                (
                    e.event_type,
                    e.timestamp.to_bits(),
                    e.duration.map(f64::to_bits),
                )
            })
            .collect()
    };
    assert_eq!(bits(&back), bits(&trace));
    assert_eq!(back.to_json(), json);
    // Other strings are still refused, with the accepted spellings named.
    let err = ExecutionTrace::from_json(r#"[{"event_type":"node_started","timestamp":"soon"}]"#)
        .expect_err("not a number");
    assert!(
        err.to_string()
            .contains("\"NaN\", \"Infinity\" or \"-Infinity\""),
        "{err}"
    );
    // The exports leave the non-finite timestamps out.
    let timeline = trace.summary().timeline;
    assert_eq!(timeline.len(), 1);
    assert_eq!(
        (timeline[0].node_name.as_str(), timeline[0].status.as_str()),
        ("a", "INCOMPLETE")
    );
    assert!(trace.to_chrome_trace().contains("\"traceEvents\""));
}
