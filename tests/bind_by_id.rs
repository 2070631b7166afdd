//! Task bodies given by `NodeId` (`Tasks::add(id, ..)`): runs, values, options, async and
//! persistent bodies, mixing with names, and every binding error naming its node.

use dag::graph::{Graph, NodeId};
use dag::{Dag, Error, InputError, NodeStatus, TaskOptions, Tasks};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// `a` and `b` feed `sum`.
fn sums() -> (Graph, [NodeId; 3]) {
    let mut b = Graph::builder();
    let (x, y, s) = (b.node("a"), b.node("b"), b.node("sum"));
    b.edge(x, s).edge(y, s);
    (b.build().expect("valid"), [x, y, s])
}

fn sum_tasks(ids: [NodeId; 3]) -> Tasks<'static> {
    let mut tasks = Tasks::with_capacity(3);
    tasks
        .add(ids[0], || 20)
        .add(ids[1], || 22)
        .add_with_inputs(ids[2], |i| {
            Ok::<_, InputError>(i.get::<i32>(0)? + i.by_name::<i32>("b")?)
        });
    tasks
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    result.expect_err("an error").to_string()
}

#[test]
fn bodies_given_by_id_run_bound_and_per_run() {
    let (graph, ids) = sums();
    let tasks = sum_tasks(ids);
    assert_eq!(tasks.len(), 3);
    let dag = Dag::from_graph("sums", graph.clone());
    assert_eq!(dag.run_with::<i32>(&tasks).expect("runs"), 42);
    assert_eq!(
        dag.execute_with(&tasks).expect("runs").status("a"),
        Some(NodeStatus::Completed)
    );
    let bound = Dag::from_graph("sums", graph)
        .with_tasks(tasks)
        .expect("every node has a body");
    assert_eq!(bound.run::<i32>().expect("runs"), 42);
    // Twice: the bound bodies stay.
    assert_eq!(bound.run::<i32>().expect("runs"), 42);
}

#[test]
fn a_long_chain_by_id_passes_every_value_on() {
    const N: u64 = 5000;
    let mut b = Graph::builder();
    let ids: Vec<NodeId> = (0..N).map(|i| b.node(format!("n{i}"))).collect();
    for w in ids.windows(2) {
        b.edge(w[0], w[1]);
    }
    let mut tasks = Tasks::with_capacity(ids.len());
    tasks.add(ids[0], || 1u64);
    for (k, &id) in ids.iter().enumerate().skip(1) {
        let k = k as u64 + 1;
        tasks.add_with_inputs(id, move |i| Ok::<_, InputError>(i.get::<u64>(0)? + k));
    }
    let dag = Dag::from_graph("chain", b.build().expect("valid"))
        .with_tasks(tasks)
        .expect("bound");
    // 1 + 2 + ... + N.
    assert_eq!(dag.run::<u64>().expect("runs"), N * (N + 1) / 2);
}

#[test]
fn a_node_without_a_body_is_named() {
    let (graph, ids) = sums();
    let mut tasks = Tasks::new();
    tasks.add(ids[0], || 1).add(ids[2], || 3);
    let expected = "node `b` has no task: give it one before running";
    let dag = Dag::from_graph("sums", graph);
    assert_eq!(message(dag.execute_with(&tasks)), expected);
    assert_eq!(message(dag.run_with::<i32>(&tasks)), expected);
    assert_eq!(message(dag.with_tasks(tasks)), expected);
}

#[test]
fn a_body_for_an_id_past_the_graph_is_named() {
    let (graph, ids) = sums();
    // An id of a bigger graph's builder.
    let mut other = Graph::builder();
    let far: Vec<NodeId> = (0..5).map(|i| other.node(format!("x{i}"))).collect();
    let mut tasks = sum_tasks(ids);
    tasks.add(far[4], || 0);
    let expected = "a task was given for `#4`, which is not a node of the graph";
    let dag = Dag::from_graph("sums", graph);
    assert_eq!(message(dag.execute_with(&tasks)), expected);
    assert_eq!(message(dag.with_tasks(tasks)), expected);
}

#[test]
fn a_body_by_name_for_no_node_is_named_beside_bodies_by_id() {
    let (graph, ids) = sums();
    let mut tasks = sum_tasks(ids);
    tasks.add("ghost", || 0);
    let expected = "a task was given for `ghost`, which is not a node of the graph";
    let dag = Dag::from_graph("sums", graph);
    assert_eq!(message(dag.execute_with(&tasks)), expected);
    assert_eq!(message(dag.with_tasks(tasks)), expected);
}

#[test]
fn options_for_no_node_are_named() {
    let (graph, ids) = sums();
    let mut other = Graph::builder();
    let far: Vec<NodeId> = (0..8).map(|i| other.node(format!("x{i}"))).collect();
    let mut tasks = sum_tasks(ids);
    tasks.options(far[7], TaskOptions::NONE.retries(1));
    let dag = Dag::from_graph("sums", graph.clone());
    let expected = "a task was given for `#7`, which is not a node of the graph";
    assert_eq!(message(dag.execute_with(&tasks)), expected);
    assert_eq!(message(dag.with_tasks(tasks)), expected);

    let mut tasks = sum_tasks(ids);
    tasks.options("ghost", TaskOptions::NONE.retries(1));
    let expected = "a task was given for `ghost`, which is not a node of the graph";
    assert_eq!(
        message(Dag::from_graph("sums", graph).with_tasks(tasks)),
        expected
    );
}

/// A body for `sum` failing its first `fails` attempts; counts attempts in `calls`.
fn flaky(tasks: &mut Tasks<'static>, node: NodeId, fails: u32, calls: &Arc<AtomicU32>) {
    let calls = Arc::clone(calls);
    tasks.add_with_inputs(node, move |i| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        if n < fails {
            return Err(format!("attempt {n} fails"));
        }
        Ok(i.get::<i32>(0).map_err(|e| e.to_string())? * 10)
    });
}

#[test]
fn options_by_id_reach_the_run_given_before_or_after_the_body() {
    let (graph, [a, b, s]) = sums();
    for before in [true, false] {
        let calls = Arc::new(AtomicU32::new(0));
        let mut tasks = Tasks::new();
        tasks.add(a, || 4).add(b, || 0);
        if before {
            tasks.options(s, TaskOptions::NONE.retries(2));
        }
        flaky(&mut tasks, s, 2, &calls);
        if !before {
            tasks.options(s, TaskOptions::NONE.retries(2));
        }
        let dag = Dag::from_graph("retries", graph.clone())
            .with_tasks(tasks)
            .expect("bound");
        assert_eq!(dag.run::<i32>().expect("third attempt succeeds"), 40);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}

#[test]
fn options_by_name_apply_to_a_body_given_by_id() {
    let (graph, [a, b, s]) = sums();
    let calls = Arc::new(AtomicU32::new(0));
    let mut tasks = Tasks::new();
    tasks
        .options("sum", TaskOptions::NONE.retries(1))
        .add(a, || 3)
        .add(b, || 0);
    flaky(&mut tasks, s, 1, &calls);
    let dag = Dag::from_graph("retries", graph);
    assert_eq!(dag.run_with::<i32>(&tasks).expect("retried"), 30);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let dag = dag.with_tasks(tasks).expect("bound");
    calls.store(0, Ordering::SeqCst);
    assert_eq!(dag.run::<i32>().expect("retried"), 30);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn without_options_a_failing_body_by_id_fails_naming_its_node() {
    let (graph, [a, b, s]) = sums();
    let calls = Arc::new(AtomicU32::new(0));
    let mut tasks = Tasks::new();
    tasks.add(a, || 3).add(b, || 0);
    flaky(&mut tasks, s, 1, &calls);
    let dag = Dag::from_graph("fails", graph)
        .with_tasks(tasks)
        .expect("bound");
    match dag.run::<i32>() {
        Err(Error::TaskFailed { task, error }) => {
            assert_eq!((task.as_str(), error.as_str()), ("sum", "attempt 0 fails"));
        }
        other => panic!("expected TaskFailed, got {other:?}"),
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_body_given_last_wins_whether_by_name_or_by_id() {
    let (graph, ids) = sums();
    let mut tasks = sum_tasks(ids);
    tasks.add("a", || 100);
    assert_eq!(tasks.len(), 4);
    let dag = Dag::from_graph("sums", graph.clone());
    assert_eq!(dag.run_with::<i32>(&tasks).expect("runs"), 122);
    tasks.add(ids[0], || 1000);
    assert_eq!(dag.run_with::<i32>(&tasks).expect("runs"), 1022);
    let dag = dag
        .with_tasks(tasks)
        .expect("a replaced body is no extra body");
    assert_eq!(dag.run::<i32>().expect("runs"), 1022);
}

#[test]
fn the_output_type_of_a_body_by_id_is_checked_before_running() {
    let (graph, ids) = sums();
    let dag = Dag::from_graph("sums", graph)
        .with_tasks(sum_tasks(ids))
        .expect("bound");
    let err = dag.run::<String>().expect_err("wrong type");
    assert!(
        matches!(&err, Error::OutputType { task, found, .. } if task == "sum" && found == "i32"),
        "{err:?}"
    );
}

#[test]
fn mapped_bodies_by_id() {
    let mut b = Graph::builder();
    let (words, lengths) = (b.node("words"), b.node("lengths"));
    b.edge(words, lengths);
    let mut tasks = Tasks::new();
    tasks
        .add(words, || vec!["a".to_string(), "bcd".to_string()])
        .add_each(lengths, |w: &String| Ok::<_, String>(w.len()));
    let dag = Dag::from_graph("lengths", b.build().expect("valid"))
        .with_tasks(tasks)
        .expect("bound");
    assert_eq!(dag.run::<Vec<usize>>().expect("runs"), [1, 3]);
}

#[test]
fn async_bodies_by_id() {
    let mut b = Graph::builder();
    let (wait, double) = (b.node("wait"), b.node("double"));
    b.edge(wait, double);
    let mut tasks = Tasks::new();
    tasks
        .add_async(wait, || async { 21 })
        .add_async_with_inputs(double, |i| {
            let n = i.get::<i32>(0);
            Box::pin(async move { Ok::<_, InputError>(*n? * 2) })
        });
    let dag = Dag::from_graph("async_ids", b.build().expect("valid"));
    assert_eq!(dag.run_with::<i32>(&tasks).expect("runs"), 42);
    let dag = dag.with_tasks(tasks).expect("bound");
    assert_eq!(dag.run::<i32>().expect("runs"), 42);
}

#[test]
fn persistent_bodies_by_id_are_cached() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut b = Graph::builder();
    let (rows, total) = (b.node("rows"), b.node("total"));
    b.edge(rows, total);
    let mut tasks = Tasks::new();
    tasks
        .add_persistent(rows, "v1", || vec![1u64, 2, 3])
        .add_persistent_with_inputs(total, "v1", |i| {
            Ok::<_, InputError>(i.get::<Vec<u64>>(0)?.iter().sum::<u64>())
        });
    let dag = Dag::from_graph("persisted_ids", b.build().expect("valid"))
        .cache(true)
        .cache_dir(tmp.path())
        .with_tasks(tasks)
        .expect("bound");
    let first = dag.execute().expect("runs");
    assert_eq!(first.cache_stats().stores, 2);
    let second = dag.execute().expect("runs");
    assert_eq!(second.cache_stats().hits, 2);
    assert_eq!(dag.run::<u64>().expect("runs"), 6);
}

#[test]
fn the_readme_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    let mut b = Graph::builder();
    let ids: Vec<_> = (0..100_000).map(|i| b.node(format!("n{i}"))).collect();
    for w in ids.windows(2) {
        b.edge(w[0], w[1]);
    }
    let mut tasks = Tasks::with_capacity(ids.len());
    tasks.add(ids[0], || 0u64);
    for &id in &ids[1..] {
        tasks.add_with_inputs(id, |i| Ok::<_, dag::InputError>(i.get::<u64>(0)? + 1));
    }
    let dag = Dag::from_graph("count", b.into_graph()?).with_tasks(tasks)?;
    assert_eq!(dag.run::<u64>()?, 99_999);
    Ok(())
}
