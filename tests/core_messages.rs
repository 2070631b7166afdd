//! Messages that say what to do: builder DAGs without a single final node, `final_node` with
//! an unknown name, and a wrong output type asked from `run`/`run_with` (both types named).

use dag::graph::Graph;
use dag::{Dag, Error, Tasks};
use std::sync::atomic::{AtomicUsize, Ordering};

fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied())
        .add_edges(edges.iter().copied());
    b.build().expect("valid graph")
}

fn tasks_for(nodes: &[&str]) -> Tasks<'static> {
    let mut tasks = Tasks::new();
    for &n in nodes {
        tasks.add(n, || 1i32);
    }
    tasks
}

#[test]
fn two_sinks_point_to_final_node() {
    let nodes = ["a", "b", "c"];
    let dag = Dag::from_graph("two_sinks", graph(&nodes, &[("a", "b"), ("a", "c")]));
    let err = dag.run_with::<i32>(&tasks_for(&nodes)).unwrap_err();
    assert_eq!(
        format!("{:?}", err),
        format!(
            "{:?}",
            Error::NoFinalNode {
                dag: "two_sinks".into(),
                sinks: vec!["b".into(), "c".into()],
                count: 2,
            }
        )
    );
    assert_eq!(
        err.to_string(),
        "DAG `two_sinks` has 2 sinks (`b`, `c`) and run() / run_with() return one node's \
         output: choose it with .final_node(\"b\"), or call execute() / execute_with() to get \
         every output"
    );
    let bound = Dag::from_graph("two_sinks", graph(&nodes, &[("a", "b"), ("a", "c")]))
        .with_tasks(tasks_for(&nodes))
        .expect("binds");
    assert_eq!(bound.run::<i32>().unwrap_err().to_string(), err.to_string());
    // With the final node chosen, both work.
    let chosen = dag.final_node("c").expect("c is a node");
    assert_eq!(
        chosen
            .run_with::<i32>(&tasks_for(&nodes))
            .map_err(|e| e.to_string()),
        Ok(1)
    );
}

#[test]
fn many_sinks_are_listed_up_to_five() {
    let nodes: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
    let names: Vec<&str> = nodes.iter().map(String::as_str).collect();
    let dag = Dag::from_graph("wide", graph(&names, &[]));
    assert_eq!(
        dag.run_with::<i32>(&tasks_for(&names))
            .unwrap_err()
            .to_string(),
        "DAG `wide` has 8 sinks (`s0`, `s1`, `s2`, `s3`, `s4` and 3 more) and run() / \
         run_with() return one node's output: choose it with .final_node(\"s0\"), or call \
         execute() / execute_with() to get every output"
    );
}

#[test]
fn an_empty_graph_says_it_has_no_nodes() {
    let dag = Dag::from_graph("empty", graph(&[], &[]));
    let err = dag.run_with::<i32>(&Tasks::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "DAG `empty` has no nodes, so run() / run_with() have no output to return: add nodes \
         to its graph (the output returned is that of its only sink, or of the node chosen \
         with .final_node(name))"
    );
    let bound = Dag::from_graph("empty", graph(&[], &[]))
        .with_tasks(Tasks::new())
        .expect("binds");
    assert_eq!(bound.run::<i32>().unwrap_err().to_string(), err.to_string());
    assert_eq!(
        dag.execute_with(&Tasks::new()).expect("runs").succeeded(),
        0
    );
}

#[test]
fn final_node_with_an_unknown_name_names_the_dag_and_its_nodes() {
    let dag = Dag::from_graph("abc", graph(&["a", "b", "c"], &[("a", "b")]));
    let err = dag.final_node("nope").unwrap_err();
    assert_eq!(
        format!("{:?}", err),
        format!(
            "{:?}",
            Error::UnknownNode {
                dag: "abc".into(),
                name: "nope".into(),
                nodes: vec!["a".into(), "b".into(), "c".into()],
                total: 3,
            }
        )
    );
    assert_eq!(
        err.to_string(),
        "DAG `abc` has no node named `nope`; final_node() takes one of its nodes: `a`, `b`, `c`"
    );
    let names: Vec<String> = (0..100).map(|i| format!("n{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let err = Dag::from_graph("big", graph(&refs, &[]))
        .final_node("n100")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "DAG `big` has no node named `n100`; final_node() takes one of its nodes: `n0`, `n1`, \
         `n2`, `n3`, `n4` and 95 more"
    );
}

mod statics {
    use dag::task;

    #[task(final)]
    pub fn answer() -> i64 {
        42
    }
}

// Builder-only methods on a static DAG (`Dag::new("statics").execute_with(..)`) no longer
// compile: see ui-tests/fail/builder_method_on_static_dag.rs.
#[test]
fn a_static_dag_runs_with_run() {
    assert_eq!(
        Dag::new("statics").run::<i64>().map_err(|e| e.to_string()),
        Ok(42)
    );
}

#[test]
fn a_builder_dag_without_bodies_says_how_to_give_them() {
    let dag = Dag::from_graph("unbound", graph(&["a", "b"], &[("a", "b")]));
    let expected = "DAG `unbound` was built with Dag::from_graph and has no task bodies yet: \
                    bind them with .with_tasks(tasks), or run it with execute_with(&tasks) / \
                    run_with(&tasks)";
    assert_eq!(dag.run::<i32>().unwrap_err().to_string(), expected);
    assert_eq!(dag.execute().unwrap_err().to_string(), expected);
    assert!(matches!(
        dag.execute(),
        Err(Error::NoTaskBodies { dag }) if dag == "unbound"
    ));
}

#[test]
fn a_wrong_output_type_names_both_types_before_running() {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dag = Dag::from_graph("typed", graph(&["a", "b"], &[("a", "b")]));
    let mut tasks = Tasks::new();
    tasks
        .add("a", || {
            RUNS.fetch_add(1, Ordering::SeqCst);
            20i32
        })
        .add_with_inputs("b", |i| i.get::<i32>(0).map(|v| vec![*v]));
    let err = dag.run_with::<String>(&tasks).unwrap_err();
    assert_eq!(
        format!("{:?}", err),
        format!(
            "{:?}",
            Error::OutputType {
                task: "b".into(),
                expected: "alloc::string::String",
                found: "alloc::vec::Vec<i32>".into(),
            }
        )
    );
    assert_eq!(
        err.to_string(),
        "run() asked for a `alloc::string::String`, but the final task `b` returns \
         `alloc::vec::Vec<i32>`"
    );
    assert_eq!(RUNS.load(Ordering::SeqCst), 0, "nothing ran");
    let mut fallible = Tasks::new();
    fallible
        .add("a", || 1i32)
        .add_fallible("b", || "21".parse::<u64>());
    assert_eq!(
        dag.run_with::<i32>(&fallible).unwrap_err().to_string(),
        "run() asked for a `i32`, but the final task `b` returns `u64`"
    );
    let bound = Dag::from_graph("typed", graph(&["a", "b"], &[("a", "b")]))
        .with_tasks({
            let mut t = Tasks::new();
            t.add("a", || 1i32).add("b", || 2u8);
            t
        })
        .expect("binds");
    assert_eq!(
        bound.run::<i32>().unwrap_err().to_string(),
        "run() asked for a `i32`, but the final task `b` returns `u8`"
    );
    assert_eq!(bound.run::<u8>().map_err(|e| e.to_string()), Ok(2));
    assert_eq!(
        dag.run_with::<Vec<i32>>(&tasks).map_err(|e| e.to_string()),
        Ok(vec![20])
    );
}
