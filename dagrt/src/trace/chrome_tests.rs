//! Unit tests of the Chrome export: lanes, durations, instants, overflow lanes.

use serde_json::Value;

use super::chrome::TS_ORIGIN_US;
use super::test_support::{Checked, assert_no_overlap, check_chrome, etl_failed, etl_ok};
use super::*;
use TraceEventType as T;

fn etl() -> ExecutionTrace {
    ExecutionTrace::from_events("etl", etl_ok())
}

#[test]
fn chrome_node_lanes_invariants() {
    let trace = etl();
    let c = check_chrome(&trace.to_chrome_trace(), "etl");
    // One lane per node, plus execution and steps, in first-start order.
    assert_eq!(
        c.lane_order,
        [
            "execution",
            "steps",
            "extract",
            "transform_a",
            "transform_b",
            "merge",
            "load"
        ]
    );
    for ev in trace
        .events()
        .iter()
        .filter(|e| e.event_type == T::NodeCompleted)
    {
        let node = ev.node_name.as_deref().expect("node");
        let slices = c.slices_named(node);
        assert_eq!(slices.len(), 1, "{node}");
        let s = slices[0];
        assert_eq!(s.lane, node);
        let want = ev.duration.expect("duration") * 1e6;
        assert!(
            ((s.end - s.begin) - want).abs() <= want * 1e-9,
            "{node}: {s:?}"
        );
        assert_eq!(s.args["status"], "completed");
        assert_eq!(s.args["step"], ev.step_index.expect("step"));
    }
    assert_eq!(c.asyncs.len(), 4, "one async pair per step");
    let exec = c.slices_named("etl");
    assert_eq!(exec.len(), 1);
    assert_eq!(exec[0].begin, TS_ORIGIN_US);
    assert!((exec[0].end - 551_000.0 - TS_ORIGIN_US).abs() < 1e-6);
    assert!(c.instants.is_empty());
    assert_no_overlap(&c);
}

#[test]
fn chrome_failures_skips_cancellations_are_instants() {
    let trace = ExecutionTrace::from_events("etl", etl_failed());
    for lanes in [Lanes::Node, Lanes::Worker] {
        let c = check_chrome(
            &trace.to_chrome_trace_with(ChromeOptions::lanes(lanes)),
            "etl",
        );
        let failed = c.slices_named("transform_a");
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].args["status"], "failed");
        assert_eq!(failed[0].args["error"], "division by zero");
        assert_eq!(failed[0].args["attempt"], 1);
        let want = (0.2 - 0.1021) * 1e6;
        assert_eq!(failed[0].dur, want);
        for (node, kind, error) in [
            ("transform_a", "node_failed", "division by zero"),
            (
                "merge",
                "node_skipped",
                "upstream task `transform_a` failed",
            ),
            ("load", "node_cancelled", "execution cancelled"),
        ] {
            let inst = c.instants_named(node);
            assert_eq!(inst.len(), 1, "{node} {lanes:?}");
            assert_eq!(inst[0]["args"]["event"], kind);
            assert_eq!(inst[0]["args"]["error"], error);
        }
        assert!(c.slices_named("merge").is_empty());
        assert_no_overlap(&c);
    }
}

#[test]
fn chrome_worker_lanes() {
    let c = check_chrome(
        &etl().to_chrome_trace_with(ChromeOptions::lanes(Lanes::Worker)),
        "etl",
    );
    assert_eq!(c.lane_order, ["execution", "steps", "worker 0", "worker 1"]);
    for (node, lane) in [
        ("extract", "worker 0"),
        ("transform_b", "worker 1"),
        ("load", "worker 0"),
    ] {
        assert_eq!(c.slices_named(node)[0].lane, lane);
    }
    assert_eq!(c.slices.len(), 6);
    assert_no_overlap(&c);
}

#[test]
fn chrome_overlapping_input_goes_to_overflow_lanes() {
    // Two runs on worker 0 that partially overlap, and one nested inside.
    let events = vec![
        TraceEvent::new(T::NodeStarted, 0.0)
            .with_node("a")
            .with_worker(0),
        TraceEvent::new(T::NodeStarted, 0.1)
            .with_node("b")
            .with_worker(0),
        TraceEvent::new(T::NodeStarted, 0.15)
            .with_node("c")
            .with_worker(0),
        TraceEvent::new(T::NodeCompleted, 0.2)
            .with_node("a")
            .with_worker(0)
            .with_duration(0.2),
        TraceEvent::new(T::NodeCompleted, 0.17)
            .with_node("c")
            .with_worker(0)
            .with_duration(0.02),
        TraceEvent::new(T::NodeCompleted, 0.3)
            .with_node("b")
            .with_worker(0)
            .with_duration(0.2),
        TraceEvent::new(T::NodeStarted, 0.3)
            .with_node("d")
            .with_worker(0),
        TraceEvent::new(T::NodeCompleted, 0.3)
            .with_node("d")
            .with_worker(0)
            .with_duration(0.0),
        TraceEvent::new(T::NodeStarted, 0.3)
            .with_node("e")
            .with_worker(0),
        TraceEvent::new(T::NodeCompleted, 0.3)
            .with_node("e")
            .with_worker(0)
            .with_duration(0.0),
    ];
    let trace = ExecutionTrace::from_events("x", events);
    let c = check_chrome(
        &trace.to_chrome_trace_with(ChromeOptions::lanes(Lanes::Worker)),
        "x",
    );
    assert_eq!(
        c.lane_order,
        [
            "execution",
            "worker 0",
            "worker 0 (overflow)",
            "worker 0 (overflow 2)"
        ]
    );
    assert_eq!(c.slices_named("b")[0].lane, "worker 0 (overflow)");
    assert_eq!(c.slices.len(), 6);
    assert_no_overlap(&c);
    // Node lanes: the same node started twice while running (retries gone wrong).
    let events = vec![
        TraceEvent::new(T::NodeStarted, 0.0)
            .with_node("a")
            .with_worker(0),
        TraceEvent::new(T::NodeStarted, 0.1)
            .with_node("a")
            .with_worker(1),
        TraceEvent::new(T::NodeFailed, 0.2)
            .with_node("a")
            .with_worker(0)
            .with_error("x"),
        TraceEvent::new(T::NodeCompleted, 0.3)
            .with_node("a")
            .with_worker(1),
    ];
    let c = check_chrome(
        &ExecutionTrace::from_events("y", events).to_chrome_trace(),
        "y",
    );
    assert_eq!(c.lane_order, ["execution", "a", "a (overflow)"]);
    assert_eq!(c.slices_named("a")[1].args["status"], "completed");
    assert_no_overlap(&c);
}

#[test]
fn chrome_retries_unfinished_runs_and_odd_input() {
    let events = vec![
        TraceEvent::new(T::ExecutionStarted, 0.0),
        TraceEvent::new(T::NodeStarted, 0.0)
            .with_node("a")
            .with_metadata("attempt", 1),
        TraceEvent::new(T::NodeFailed, 0.1)
            .with_node("a")
            .with_duration(0.1)
            .with_error("flaky")
            .with_metadata("attempt", 1),
        TraceEvent::new(T::NodeStarted, 0.1)
            .with_node("a")
            .with_metadata("attempt", 2),
        TraceEvent::new(T::NodeCompleted, 0.3)
            .with_node("a")
            .with_duration(0.2),
        TraceEvent::new(T::NodeStarted, 0.2).with_node("hang"),
        TraceEvent::new(T::NodeTimedOut, 0.4)
            .with_node("hang")
            .with_error("timed out after 0.2s"),
        TraceEvent::new(T::NodeStarted, 0.3).with_node("never_ends"),
        TraceEvent::new(T::NodeCompleted, 0.5)
            .with_node("lost_start")
            .with_duration(0.1),
        TraceEvent::new(T::StepStarted, 0.0).with_step(0),
        TraceEvent::new(T::NodeStarted, f64::NAN).with_node("nan"),
        TraceEvent::new(T::NodeCacheHit, 0.6)
            .with_node("c")
            .with_metadata("key", "k"),
        TraceEvent::new(T::ResourceAcquired, 0.6).with_metadata("resource", "db"),
    ];
    let trace = ExecutionTrace::from_events("odd", events);
    for lanes in [Lanes::Node, Lanes::Worker] {
        let c = check_chrome(
            &trace.to_chrome_trace_with(ChromeOptions::lanes(lanes)),
            "odd",
        );
        let a = c.slices_named("a");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].args["status"], "failed");
        assert_eq!(a[1].args["attempt"], 2);
        assert_eq!(c.slices_named("hang")[0].args["status"], "timed_out");
        assert_eq!(c.slices_named("never_ends")[0].args["status"], "incomplete");
        assert!((c.slices_named("lost_start")[0].begin - 400_000.0 - TS_ORIGIN_US).abs() < 1e-6);
        assert_eq!(c.asyncs.len(), 1);
        assert!(c.slices_named("nan").is_empty());
        assert_eq!(c.instants.len(), 4);
        assert_no_overlap(&c);
    }
    let s = trace.summary();
    assert_eq!(
        (s.completed, s.failed, s.timed_out, s.cache_hits),
        (2, 0, 1, 1)
    );
    assert!(s.to_string().contains("Cache hits: 1\n"));
    assert!(s.to_string().contains("| Timed out: 1\n"));
}

#[test]
fn chrome_empty_trace_is_valid() {
    let c = check_chrome(&ExecutionTrace::named("empty").to_chrome_trace(), "empty");
    assert!(c.lanes.is_empty() && c.slices.is_empty());
    let doc: Value = serde_json::from_str(&ExecutionTrace::new().to_chrome_trace()).expect("json");
    assert_eq!(doc["traceEvents"][0]["args"]["name"], "dag");
}

#[test]
fn chrome_begin_end_pairs_are_balanced_nested_and_match_the_complete_slices() {
    use super::Slices;
    for trace in [etl(), ExecutionTrace::from_events("etl", etl_failed())] {
        for lanes in [Lanes::Node, Lanes::Worker] {
            let complete = check_chrome(
                &trace.to_chrome_trace_with(ChromeOptions::lanes(lanes)),
                "etl",
            );
            let pairs = check_chrome(
                &trace.to_chrome_trace_with(
                    ChromeOptions::lanes(lanes).with_slices(Slices::BeginEnd),
                ),
                "etl",
            );
            let key = |c: &Checked| {
                let mut v: Vec<(String, String, i64, i64)> = c
                    .slices
                    .iter()
                    .map(|s| {
                        (
                            s.lane.clone(),
                            s.name.clone(),
                            (s.begin * 1e3).round() as i64,
                            (s.end * 1e3).round() as i64,
                        )
                    })
                    .collect();
                v.sort();
                v
            };
            assert_eq!(key(&complete), key(&pairs), "{lanes:?}");
            assert!(!pairs.slices.is_empty());
            assert_no_overlap(&pairs);
        }
    }
}
