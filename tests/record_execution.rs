//! `Execution::from_record`: a run read back from its profiling record tells the same story as
//! the run itself (statuses, times, workers, errors, elements), so its profile and report can be
//! made where the run did not happen.

use dag::graph::Graph;
use dag::meta::RunRecord;
use dag::{Dag, Execution, NodeStatus, ReuseSource, Tasks};

#[test]
fn a_record_gives_back_the_execution_it_was_made_from() {
    let mut b = Graph::builder();
    b.add_nodes(["a", "words", "bad", "after"])
        .add_edges([("a", "words"), ("bad", "after")]);
    let dag = Dag::from_graph("from_record", b.build().expect("a graph")).max_workers(2);
    let mut tasks = Tasks::new();
    tasks
        .add("a", || vec!["x".to_string(), "yy".to_string()])
        .add_each("words", |w: &String| Ok::<_, String>(w.len()))
        .add_fallible("bad", || Err::<u8, _>("broken"))
        .add("after", || ());
    let ex = dag.execute_with(&tasks).expect("runs");
    let record = RunRecord::from_execution(&ex);
    let back = Execution::from_record(ex.graph().clone().into(), &record);
    assert_eq!(back.run_id(), ex.run_id());
    assert_eq!(back.dag_name(), "from_record");
    for (a, b) in ex.nodes().zip(back.nodes()) {
        assert_eq!((a.name, a.status, a.worker), (b.name, b.status, b.worker));
        assert_eq!(a.error, b.error);
        assert!((a.start - b.start).abs() < 1e-6 && (a.end - b.end).abs() < 1e-6);
    }
    assert_eq!(back.status("bad"), Some(NodeStatus::Failed));
    assert_eq!(back.status("after"), Some(NodeStatus::Skipped));
    assert_eq!(back.elements("words").len(), 2);
    assert!((back.total_duration_seconds() - ex.total_duration_seconds()).abs() < 1e-6);
    // The profile of the record is the profile of the run.
    let p1 = dag::profile::ProfileReport::from_execution(&ex);
    let p2 = dag::profile::ProfileReport::from_execution(&back);
    assert_eq!(p1.critical_path, p2.critical_path);
    assert_eq!(p1.failed, p2.failed);
}

#[test]
fn a_task_without_a_row_did_not_run_in_that_run() {
    let mut b = Graph::builder();
    b.add_nodes(["a", "b"]).add_edges([("a", "b")]);
    let graph = std::sync::Arc::new(b.build().expect("a graph"));
    let record = RunRecord {
        dag_name: "partial".into(),
        dag_description: String::new(),
        run_id: "r1".into(),
        started_at_micros: 0,
        wall_clock: 0.5,
        max_workers: 2,
        parallelism_efficiency: 0.0,
        tasks: vec![dag::meta::TaskRecord::completed("b", "", 0.1, 0.4)],
    };
    let ex = Execution::from_record(graph, &record);
    let a = ex.node("a").expect("a node");
    assert_eq!(
        (a.status, a.reused_from),
        (NodeStatus::Completed, Some(ReuseSource::PreviousRun))
    );
    let b = ex.node("b").expect("a node");
    assert_eq!((b.status, b.reused_from), (NodeStatus::Completed, None));
    assert!((b.start - 0.1).abs() < 1e-9 && (b.end - 0.4).abs() < 1e-9);
    assert!((ex.total_duration_seconds() - 0.5).abs() < 1e-9);
}
