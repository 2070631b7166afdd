//! One test per `dag::Error` variant: the whole message, and the layer error behind it
//! (`source()`) where there is one.

use dag::graph::{Graph, GraphError};
use dag::{Dag, Error, Tasks};
use std::error::Error as _;

mod answer {
    use dag::task;

    /// The answer.
    #[task(final)]
    pub fn answer() -> i64 {
        42
    }
}

mod other {
    use dag::task;

    /// Another DAG.
    #[task(final)]
    pub fn other() -> i64 {
        7
    }
}

mod twin_a {
    pub mod twin {
        use dag::task;

        /// One of two DAGs named `twin`.
        #[task(final)]
        pub fn a() -> u8 {
            1
        }
    }
}

mod twin_b {
    pub mod twin {
        use dag::task;

        /// The other DAG named `twin`.
        #[task(final)]
        pub fn b() -> u8 {
            2
        }
    }
}

mod no_final {
    use dag::task;

    /// A DAG without `#[task(final)]`.
    #[task]
    pub fn lonely() -> u8 {
        0
    }
}

mod broken {
    use dag::task;

    /// Always fails.
    #[task(final)]
    pub fn broken() -> Result<u8, String> {
        Err("no luck".to_string())
    }
}

fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied())
        .add_edges(edges.iter().copied());
    b.build().expect("valid graph")
}

#[test]
fn graph_carries_the_graph_error() {
    let mut b = Graph::builder();
    b.add_nodes(["a", "b"]).add_edges([("a", "b"), ("b", "a")]);
    let err = Error::from(b.build().expect_err("a cycle"));
    assert_eq!(
        err.to_string(),
        "invalid graph: dependency cycle: a -> b -> a"
    );
    let source = err.source().expect("the graph error");
    assert_eq!(source.to_string(), "dependency cycle: a -> b -> a");
    assert!(source.downcast_ref::<GraphError>().is_some());
}

#[test]
fn unknown_dag_lists_the_dags() {
    let err = Dag::new("nope").execute().expect_err("no such DAG");
    assert_eq!(
        err.to_string(),
        "no DAG named `nope`; this binary's DAGs are: errors::answer, errors::broken, \
         errors::no_final, errors::other, errors::twin_a::twin, errors::twin_b::twin (a DAG is \
         named after the module holding its tasks)"
    );
}

#[test]
fn ambiguous_dag_lists_the_candidates() {
    let err = Dag::new("twin").execute().expect_err("two DAGs");
    assert_eq!(
        err.to_string(),
        "DAG name `twin` is ambiguous: it matches errors::twin_a::twin, errors::twin_b::twin; \
         use the full module path"
    );
}

#[test]
fn no_final_task_says_how_to_mark_one() {
    let err = Dag::new("no_final").run::<u8>().expect_err("no final");
    assert_eq!(
        err.to_string(),
        "DAG `errors::no_final` has no final task: mark the task whose output run() returns \
         with #[task(final)], or call execute()"
    );
}

#[test]
fn task_failed_names_the_task_and_its_error() {
    let err = Dag::new("broken").run::<u8>().expect_err("fails");
    assert_eq!(err.to_string(), "task `broken` failed: no luck");
}

#[test]
fn output_type_names_both_types() {
    let err = Dag::new("answer").run::<u8>().expect_err("an i64");
    assert_eq!(
        err.to_string(),
        "run() asked for a `u8`, but the final task `answer` returns `i64`"
    );
}

#[test]
fn duplicate_task_and_cycle_name_the_locations() {
    // Both need tasks rustc could not check; their messages, built from their fields:
    let err = Error::DuplicateTask {
        dag: "etl".into(),
        name: "load".into(),
        locations: vec!["a::load (a.rs:1)".into(), "b::load (b.rs:2)".into()],
    };
    assert_eq!(
        err.to_string(),
        "DAG `etl` has two tasks named `load`: a::load (a.rs:1) and b::load (b.rs:2); rename one"
    );
    let err = Error::Cycle {
        dag: "etl".into(),
        path: vec![
            "a (a.rs:1)".into(),
            "b (b.rs:2)".into(),
            "a (a.rs:1)".into(),
        ],
    };
    assert_eq!(
        err.to_string(),
        "DAG `etl` has a dependency cycle: a (a.rs:1) -> b (b.rs:2) -> a (a.rs:1)"
    );
}

#[test]
fn no_final_node_lists_the_sinks() {
    let dag = Dag::from_graph("forked", graph(&["a", "b", "c"], &[("a", "b"), ("a", "c")]));
    let mut tasks = Tasks::new();
    tasks.add("a", || 1).add("b", || 2).add("c", || 3);
    let err = dag.run_with::<i32>(&tasks).expect_err("two sinks");
    assert_eq!(
        err.to_string(),
        "DAG `forked` has 2 sinks (`b`, `c`) and run() / run_with() return one node's output: \
         choose it with .final_node(\"b\"), or call execute() / execute_with() to get every \
         output"
    );
}

#[test]
fn unknown_node_lists_the_nodes() {
    let err = Dag::from_graph("abc", graph(&["a", "b"], &[]))
        .final_node("z")
        .expect_err("no z");
    assert_eq!(
        err.to_string(),
        "DAG `abc` has no node named `z`; final_node() takes one of its nodes: `a`, `b`"
    );
}

#[test]
fn missing_and_unknown_task_name_the_node() {
    let dag = Dag::from_graph("ab", graph(&["a", "b"], &[("a", "b")]));
    let mut tasks = Tasks::new();
    tasks.add("a", || 1);
    let err = dag.execute_with(&tasks).expect_err("b has no task");
    assert_eq!(
        err.to_string(),
        "node `b` has no task: give it one before running"
    );
    tasks.add("b", || 2).add("c", || 3);
    let err = dag.execute_with(&tasks).expect_err("c is no node");
    assert_eq!(
        err.to_string(),
        "a task was given for `c`, which is not a node of the graph"
    );
}

#[test]
fn pool_carries_the_pool_error() {
    // The global pool can be built once: the second build fails, and so would dag's.
    let _ = rayon::ThreadPoolBuilder::new().build_global();
    let build = rayon::ThreadPoolBuilder::new()
        .build_global()
        .expect_err("already built");
    let text = build.to_string();
    let err = Error::Pool(build);
    assert_eq!(
        err.to_string(),
        format!("could not start the worker pool: {text}")
    );
    assert_eq!(err.source().map(ToString::to_string), Some(text));
}

#[test]
fn no_checkpoint_dir_names_the_dag() {
    let err = Dag::new("answer").resume().expect_err("no dir");
    assert_eq!(
        err.to_string(),
        "checkpoint: DAG `answer` has no checkpoint to resume: resume() needs \
         .checkpoint_dir(path)"
    );
}

#[test]
fn checkpoint_carries_the_store_error_with_one_prefix() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").expect("write");
    let err = Dag::new("answer")
        .checkpoint_dir(&file)
        .resume()
        .expect_err("a file is no checkpoint");
    assert_eq!(
        err.to_string(),
        format!(
            "checkpoint: cannot resume: cannot create directory {}: File exists (os error 17) \
             (execute() starts a new checkpoint there)",
            file.display()
        )
    );
    let source = err.source().expect("the checkpoint error");
    assert_eq!(
        source.to_string(),
        format!(
            "checkpoint: cannot create directory {}: File exists (os error 17)",
            file.display()
        )
    );
    assert!(source.source().is_some(), "the io::Error");
}

#[test]
fn rerun_other_dag_names_both_dags() {
    let previous = Dag::new("other")
        .keep_outputs(true)
        .execute()
        .expect("runs");
    let err = Dag::new("answer")
        .rerun(previous, &[])
        .expect_err("another DAG");
    assert_eq!(
        err.to_string(),
        "cannot rerun DAG `answer`: the previous execution ran DAG `other` with other \
         tasks; rerun needs an execution of this DAG"
    );
}

#[test]
fn no_task_bodies_says_how_to_give_them() {
    let dag = Dag::from_graph("unbound", graph(&["a"], &[]));
    let err = dag.run::<i32>().expect_err("no bodies");
    assert_eq!(
        err.to_string(),
        "DAG `unbound` was built with Dag::from_graph and has no task bodies yet: bind them \
         with .with_tasks(tasks), or run it with execute_with(&tasks) / run_with(&tasks)"
    );
}
