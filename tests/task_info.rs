//! A task's info by name, with the options written in `#[task(...)]`.

use dag::{Dag, TaskOptions};
use std::time::Duration;

mod pipeline {
    use dag::task;

    /// Reads the rows.
    #[task(cache, version = "2")]
    pub fn rows() -> Vec<u32> {
        vec![1, 2]
    }

    /// Sums them, patiently.
    #[task(final, retries = 3, backoff = "20ms")]
    pub fn total(rows: &[u32]) -> u32 {
        rows.iter().sum()
    }
}

#[test]
fn a_task_is_found_by_name_with_its_options() {
    let dag = Dag::new("pipeline");
    let total = dag.task("total").expect("resolves").expect("a task");
    assert_eq!(total.name, "total");
    assert_eq!(total.description, "Sums them, patiently.");
    assert_eq!(total.dependencies, ["rows"]);
    assert_eq!(total.output_type, "u32");
    assert!(total.is_final);
    assert_eq!(
        total.options,
        TaskOptions::NONE
            .retries(3)
            .backoff(Duration::from_millis(20))
    );
    let rows = dag.task("rows").expect("resolves").expect("a task");
    assert_eq!(rows.options, TaskOptions::NONE.cache(true).version("2"));
    assert_eq!(rows.options.retries, None, "the DAG's default applies");
    assert!(dag.task("nope").expect("resolves").is_none());
    assert_eq!(
        dag.tasks().expect("resolves"),
        [rows, total],
        "tasks() lists the same infos"
    );
}
