//! Shared helpers of the report tests: a run with a failure, a skip and an `#[each]` task, and
//! reading the data blob back out of a page.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use dag::graph::Graph;
use dag::{Dag, Execution, GraphDag, InputError, Tasks};
use serde_json::Value;

/// The error of the failing task `parse`: it tries to close the data element.
pub const PARSE_ERROR: &str = "bad row </script><script>alert(1)</script> & \"quotes\" <!--";

/// `load → parse (fails) → publish (skipped)` and `load → square (#[each], 3 elements) → sum`.
pub fn failing_run() -> (GraphDag, Execution) {
    let mut b = Graph::builder();
    b.add_nodes(["load", "parse", "publish", "square", "sum"])
        .add_edges([
            ("load", "parse"),
            ("parse", "publish"),
            ("load", "square"),
            ("square", "sum"),
        ]);
    let dag = Dag::from_graph("failing", b.build().unwrap()).max_workers(2);
    let mut tasks = Tasks::new();
    tasks
        .add("load", || vec![1u32, 2, 3])
        .add_with_inputs("parse", |_| Err::<u32, String>(PARSE_ERROR.to_string()))
        .add_with_inputs("publish", |inputs| inputs.get::<u32>(0).copied())
        .add_each("square", |x: &u32| Ok::<u32, String>(x * x))
        .add_with_inputs("sum", |inputs| {
            Ok::<u32, InputError>(inputs.get::<Vec<u32>>(0)?.iter().sum())
        });
    let exec = dag.execute_with(&tasks).unwrap();
    (dag, exec)
}

/// The JSON of the page's `dag-report-data` element.
pub fn embedded_json(html: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"dag-report-data\">";
    let start = html.find(open).expect("the data element") + open.len();
    let len = html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..start + len]).expect("valid JSON")
}

/// The task entry called `name`.
pub fn task<'a>(data: &'a Value, name: &str) -> &'a Value {
    data["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no task {name}"))
}
