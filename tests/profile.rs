//! Profiling real executions and saved traces (the report maths is unit-tested in
//! `dagrt/src/profile/tests` on hand-built inputs).

use dag::graph::Graph;
use dag::profile::ProfileReport;
use dag::trace::{ExecutionTrace, TraceEvent, TraceEventType as T};
use dag::{Dag, Tasks};

fn seed1_graph() -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(["extract", "transform_a", "transform_b", "merge", "load"])
        .add_edges([
            ("extract", "transform_a"),
            ("extract", "transform_b"),
            ("transform_a", "merge"),
            ("transform_b", "merge"),
            ("merge", "load"),
        ]);
    b.build().expect("valid")
}

#[test]
fn a_saved_trace_gives_the_seed_golden_values() {
    let trace = ExecutionTrace::named("etl");
    trace.record(TraceEvent::new(T::ExecutionStarted, 0.0));
    for (name, start, end, worker) in [
        ("extract", 0.0, 0.1, 0),
        ("transform_a", 0.1, 0.4, 0),
        ("transform_b", 0.1, 0.3, 1),
        ("merge", 0.4, 0.45, 0),
        ("load", 0.45, 0.55, 0),
    ] {
        trace.record(
            TraceEvent::new(T::NodeStarted, start)
                .with_node(name)
                .with_worker(worker),
        );
        trace.record(
            TraceEvent::new(T::NodeCompleted, end)
                .with_node(name)
                .with_worker(worker)
                .with_duration(end - start),
        );
    }
    trace.record(TraceEvent::new(T::ExecutionCompleted, 0.55).with_duration(0.55));
    // Through JSON, as a trace saved by an earlier run would be.
    let saved = ExecutionTrace::from_json(&trace.to_json()).expect("round trip");
    let report = ProfileReport::from_trace(&saved, &seed1_graph(), 4);
    assert_eq!(
        report.critical_path,
        ["extract", "transform_a", "merge", "load"]
    );
    assert!((report.critical_path_duration - 0.55).abs() < 1e-9);
    let slack = |n: &str| {
        report
            .nodes
            .iter()
            .find(|p| p.name == n)
            .and_then(|p| p.slack)
            .expect("completed node")
    };
    assert!((slack("transform_b") - 0.1).abs() < 1e-9);
    assert!(slack("transform_a").abs() < 1e-9);
    let bottlenecks: Vec<_> = report.bottlenecks.iter().map(|b| b.node.as_str()).collect();
    assert_eq!(bottlenecks, ["transform_a", "transform_b"]);
    assert!((report.wall_clock - 0.55).abs() < 1e-9);
    assert!((report.parallelism_efficiency - 0.75 / (0.55 * 4.0)).abs() < 1e-9);
}

#[test]
fn an_execution_and_its_trace_give_the_same_report() {
    let dag = Dag::from_graph("etl", seed1_graph())
        .max_workers(2)
        .tracing(true);
    let mut tasks = Tasks::new();
    for name in ["extract", "transform_a", "transform_b", "merge", "load"] {
        tasks.add(name, || std::hint::black_box((0..1000u64).sum::<u64>()));
    }
    let exec = dag.execute_with(&tasks).expect("runs");
    let direct = dag::profile_execution(&dag, &exec);
    let trace = exec.trace.as_ref().expect("tracing on");
    let from_trace = ProfileReport::from_trace(trace, exec.graph(), exec.max_workers());
    assert_eq!(direct.critical_path, from_trace.critical_path);
    assert!((direct.critical_path_duration - from_trace.critical_path_duration).abs() < 1e-9);
    assert!((direct.sequential_sum - from_trace.sequential_sum).abs() < 1e-9);
    assert_eq!(direct.max_workers, 2);
    assert!((0.0..=1.0).contains(&direct.parallelism_efficiency));
    assert!(direct.summary().starts_with("Profile Report"));
    let json: serde_json::Value = serde_json::from_str(&direct.to_json()).expect("valid JSON");
    assert_eq!(
        json["critical_path"].as_array().map(Vec::len),
        Some(direct.critical_path.len())
    );
}

#[test]
fn a_failed_run_lists_the_failure_apart() {
    let dag = Dag::from_graph("etl", seed1_graph()).max_workers(2);
    let mut tasks = Tasks::new();
    for name in ["extract", "transform_a", "merge", "load"] {
        tasks.add(name, || ());
    }
    tasks.add_fallible("transform_b", || Err::<(), _>("no data"));
    let exec = dag.execute_with(&tasks).expect("runs");
    let report = dag::profile_execution(&dag, &exec);
    assert_eq!(report.failed, ["transform_b"]);
    assert!(
        !report
            .critical_path
            .iter()
            .any(|n| n == "transform_b" || n == "merge")
    );
}

/// examples/ml_pipeline.rs's graph.
fn ml_graph() -> Graph {
    let mut b = Graph::builder();
    b.add_nodes([
        "fetch",
        "validate",
        "feature_a",
        "feature_b",
        "feature_c",
        "train",
        "evaluate",
        "deploy",
    ])
    .add_edges([
        ("fetch", "validate"),
        ("validate", "feature_a"),
        ("validate", "feature_b"),
        ("validate", "feature_c"),
        ("feature_a", "train"),
        ("feature_b", "train"),
        ("feature_c", "train"),
        ("train", "evaluate"),
        ("evaluate", "deploy"),
    ]);
    b.build().expect("valid")
}

#[test]
fn the_ml_pipeline_profile_names_its_straggler_and_prints_no_zero_length_gap() {
    // The example's durations on 4 workers, each start a few µs after what it waited for, as
    // a real run records them (injected, not slept).
    let us = 1e-6;
    let trace = ExecutionTrace::named("ml_pipeline");
    trace.record(TraceEvent::new(T::ExecutionStarted, 0.0));
    for (name, start, end, worker) in [
        ("fetch", 3.0 * us, 0.5, 0),
        ("validate", 0.5 + 5.0 * us, 0.6, 0),
        ("feature_a", 0.6 + 2.0 * us, 1.6, 0),
        ("feature_b", 0.6 + 6.0 * us, 1.4, 1),
        ("feature_c", 0.6 + 10.0 * us, 0.9, 2),
        ("train", 1.6 + 3.0 * us, 3.6, 0),
        ("evaluate", 3.6 + 4.0 * us, 4.1, 0),
        ("deploy", 4.1 + 2.0 * us, 4.3, 0),
    ] {
        trace.record(
            TraceEvent::new(T::NodeStarted, start)
                .with_node(name)
                .with_worker(worker),
        );
        trace.record(
            TraceEvent::new(T::NodeCompleted, end)
                .with_node(name)
                .with_worker(worker)
                .with_duration(end - start),
        );
    }
    let total = 4.3 + 5.0 * us;
    trace.record(TraceEvent::new(T::ExecutionCompleted, total).with_duration(total));
    let report = ProfileReport::from_trace(&trace, &ml_graph(), 4);
    let summary = report.summary();
    assert!(
        summary.contains(
            "Stragglers:\n  train waited on feature_a: 3.33x its fastest input feature_c\n"
        ),
        "{summary}"
    );
    let gaps: Vec<&str> = summary.lines().filter(|l| l.contains(" idle")).collect();
    assert_eq!(
        gaps,
        [
            "Idle gaps: 4 intervals, 11.800 worker-seconds idle",
            "  0.000s-0.600s: 3 idle",
            "  0.600s-0.900s: 1 idle",
            "  0.900s-1.400s: 2 idle",
            "  1.400s-4.300s: 3 idle",
        ],
        "{summary}"
    );
}
