//! The static DSL at run time: DAG selection, introspection, typed outputs, errors.

use dag::{Dag, Error};

mod etl {
    use dag::task;

    /// Reads the rows.
    #[task]
    pub fn extract() -> Vec<i32> {
        vec![1, 2, 3]
    }

    /// Keeps the odd rows.
    #[task]
    pub fn transform(extract: &[i32]) -> Vec<i32> {
        extract.iter().copied().filter(|x| x % 2 == 1).collect()
    }

    /// Sums them.
    #[task(final)]
    pub fn load(transform: &[i32], extract: &Vec<i32>) -> i64 {
        transform.iter().chain(extract).map(|&x| i64::from(x)).sum()
    }
}

mod nested {
    pub mod etl {
        use dag::task;

        /// Another DAG whose module is also called `etl`.
        #[task(final)]
        pub fn only() -> u8 {
            1
        }
    }
}

mod no_final {
    use dag::task;

    /// A DAG without a final task.
    #[task]
    pub fn lonely() -> u8 {
        1
    }
}

#[test]
fn tasks_stay_plain_functions() {
    assert_eq!(
        etl::load(&etl::transform(&etl::extract()), &etl::extract()),
        10
    );
}

#[test]
fn dags_are_selected_by_module_path() {
    assert_eq!(Dag::new("dsl::etl").run::<i64>().expect("runs"), 10);
    assert_eq!(Dag::new("dsl::nested::etl").run::<u8>().expect("runs"), 1);
    let err = Dag::new("etl").run::<i64>().unwrap_err();
    assert_eq!(
        format!("{:?}", err),
        format!(
            "{:?}",
            Error::AmbiguousDag {
                name: "etl".into(),
                candidates: vec!["dsl::etl".into(), "dsl::nested::etl".into()]
            }
        )
    );
    let err = Dag::new("nope").run::<i64>().unwrap_err();
    assert!(
        matches!(&err, Error::UnknownDag { available, .. } if available.len() == 3),
        "{err}"
    );
    assert!(err.to_string().contains("dsl::no_final"), "{err}");
    let err = Dag::new("no_final").run::<u8>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "DAG `dsl::no_final` has no final task: mark the task whose output run() returns with #[task(final)], or call execute()"
    );
    assert_eq!(
        Dag::new("no_final")
            .execute()
            .expect("runs without a final")
            .succeeded(),
        1
    );
}

#[test]
fn run_checks_the_output_type_before_running() {
    let err = Dag::new("dsl::etl").run::<String>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "run() asked for a `alloc::string::String`, but the final task `load` returns `i64`"
    );
}

#[test]
fn introspection_lists_tasks_edges_and_sources() {
    let dag = Dag::new("dsl::etl");
    let tasks = dag.tasks().expect("resolves");
    let names: Vec<_> = tasks.iter().map(|t| t.name).collect();
    assert_eq!(names, ["extract", "transform", "load"]);
    let load = &tasks[2];
    assert_eq!(load.dependencies, ["transform", "extract"]);
    assert_eq!(load.description, "Sums them.");
    assert_eq!(load.output_type, "i64");
    assert!(load.is_final && !tasks[0].is_final);
    assert!(
        load.location.starts_with("dagrt/../tests/dsl.rs:")
            || load.location.contains("tests/dsl.rs:"),
        "{}",
        load.location
    );
    let dot = dag.to_dot().expect("resolves");
    assert_eq!(
        dot,
        "digraph \"dsl::etl\" {\n    rankdir=LR;\n    n0 [label=\"extract\"];\n    \
         n1 [label=\"transform\"];\n    n2 [label=\"load\"];\n    n0 -> n1;\n    n0 -> n2;\n    \
         n1 -> n2;\n}\n"
    );
    let mermaid = dag.to_mermaid().expect("resolves");
    assert!(
        mermaid.starts_with("flowchart LR") && mermaid.contains("n0 --> n1"),
        "{mermaid}"
    );
}
