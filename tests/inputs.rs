//! Inputs (`#[task(input)]`), values given with `Dag::set` (inputs and overrides),
//! ordering-only dependencies (`after = [..]`) and partial runs (`run_to`, `execute_to`).

use dag::{Dag, Error, InputKind, NodeStatus, ReuseSource};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Times the `words` body of `wc` ran.
static WORDS_RAN: AtomicUsize = AtomicUsize::new(0);
/// Times the `count` body of `wc` ran.
static COUNT_RAN: AtomicUsize = AtomicUsize::new(0);

mod wc {
    use super::{COUNT_RAN, WORDS_RAN};
    use dag::task;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::Ordering;

    /// Directory to scan.
    #[task(input)]
    pub fn root() -> PathBuf;

    /// Shortest word that counts.
    #[task(input)]
    pub fn min_len() -> usize {
        3
    }

    /// The path's components that are long enough.
    #[task]
    pub fn words(root: &Path, min_len: &usize) -> Vec<String> {
        WORDS_RAN.fetch_add(1, Ordering::SeqCst);
        root.iter()
            .map(|c| c.to_string_lossy().into_owned())
            .filter(|w| w.len() >= *min_len)
            .collect()
    }

    /// How many.
    #[task(final)]
    pub fn count(words: &[String]) -> usize {
        COUNT_RAN.fetch_add(1, Ordering::SeqCst);
        words.len()
    }
}

/// The DAG's name as errors give it (its module path).
const WC: &str = "inputs::wc";

fn location(dag: &Dag, task: &str) -> String {
    dag.task(task).expect("resolves").expect("a task").location
}

#[test]
fn a_required_input_without_a_value_stops_the_run_before_any_task_runs() {
    let dag = Dag::new("wc");
    let before = (
        WORDS_RAN.load(Ordering::SeqCst),
        COUNT_RAN.load(Ordering::SeqCst),
    );
    let err = dag.run::<usize>().expect_err("root has no value");
    let at = location(&dag, "root");
    assert!(at.starts_with("tests/inputs.rs:"), "{at}");
    assert!(
        matches!(&err, Error::MissingInput { inputs, .. } if inputs == &[("root".to_string(), at.clone())])
    );
    assert_eq!(
        err.to_string(),
        format!(
            "DAG `{WC}` cannot run: input `root` ({at}) has no value: set it with \
             `.set::<root>(value)`"
        )
    );
    assert!(matches!(dag.execute(), Err(Error::MissingInput { .. })));
    assert!(matches!(
        dag.run_to::<wc::words>(),
        Err(Error::MissingInput { .. })
    ));
    // `min_len` has a default: `run_to` it needs no root.
    assert_eq!(dag.run_to::<wc::min_len>().expect("a default"), 3);
    let after = (
        WORDS_RAN.load(Ordering::SeqCst),
        COUNT_RAN.load(Ordering::SeqCst),
    );
    assert_eq!(before, after, "no task ran");
}

#[test]
fn an_input_takes_its_default_or_the_value_set() {
    let root = PathBuf::from("ab/abc/abcdef/x");
    let dag = Dag::new("wc").set::<wc::root>(root.clone());
    assert_eq!(
        dag.run::<usize>().expect("runs"),
        2,
        "min_len defaults to 3"
    );
    let exec = dag.execute().expect("runs");
    let min_len = exec.node("min_len").expect("a node");
    assert_eq!(
        (min_len.status, min_len.reused_from),
        (NodeStatus::Completed, None)
    );
    assert_eq!(min_len.attempts, 1, "the default's body ran");
    let root_node = exec.node("root").expect("a node");
    assert_eq!(root_node.reused_from, Some(ReuseSource::Provided));
    assert_eq!(root_node.attempts, 0);

    let dag = Dag::new("wc").set::<wc::root>(root).set::<wc::min_len>(1);
    assert_eq!(dag.run::<usize>().expect("runs"), 4);
    // A second run of the same DAG gets the values again.
    assert_eq!(dag.run::<usize>().expect("runs"), 4);
    assert_eq!(
        dag.execute()
            .expect("runs")
            .node("min_len")
            .expect("a node")
            .reused_from,
        Some(ReuseSource::Provided)
    );
}

#[test]
fn an_override_replaces_a_task_and_shows_as_provided() {
    let before = WORDS_RAN.load(Ordering::SeqCst);
    // `root` has no value, but only the overridden `words` needs it: it does not run.
    let words = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let dag = Dag::new("wc").tracing(true).set::<wc::words>(words);
    assert_eq!(dag.run::<usize>().expect("runs"), 3);
    let exec = dag.execute().expect("runs");
    assert_eq!(WORDS_RAN.load(Ordering::SeqCst), before, "words never ran");
    let node = exec.node("words").expect("a node");
    assert_eq!(
        (node.status, node.reused_from, node.attempts),
        (NodeStatus::Completed, Some(ReuseSource::Provided), 0)
    );
    assert!(
        exec.node("root").is_none(),
        "only the overridden task needed it"
    );
    let trace = exec.trace.as_ref().expect("traced");
    let events = trace.events_for_node("words");
    assert_eq!(events.len(), 1, "{events:?}");
    let json = serde_json::to_value(&events[0]).expect("serializes");
    assert_eq!(json["event_type"], "node_cache_hit");
    assert_eq!(json["metadata"], serde_json::json!({"source": "provided"}));
}

#[test]
fn inputs_are_listed_and_drawn_as_inputs() {
    let dag = Dag::new("wc");
    let tasks = dag.tasks().expect("resolves");
    let kinds: Vec<(&str, InputKind)> = tasks.iter().map(|t| (t.name, t.input)).collect();
    assert_eq!(
        kinds,
        [
            ("root", InputKind::Required),
            ("min_len", InputKind::Default),
            ("words", InputKind::Task),
            ("count", InputKind::Task),
        ]
    );
    let root = dag.task("root").expect("resolves").expect("a task");
    assert_eq!(root.description, "Directory to scan.");
    assert_eq!(root.output_type, "std::path::PathBuf");
    let dot = dag.to_dot().expect("resolves");
    assert!(
        dot.contains("n0 [label=\"root\", shape=parallelogram];"),
        "{dot}"
    );
    assert!(dot.contains("n2 [label=\"words\"];"), "{dot}");
    let mermaid = dag.to_mermaid().expect("resolves");
    assert!(mermaid.contains("n1[/\"min_len\"/]"), "{mermaid}");
    assert!(mermaid.contains("n3[\"count\"]"), "{mermaid}");
}

#[test]
fn run_to_runs_a_task_and_its_ancestors_only() {
    let dag = Dag::new("wc").set::<wc::root>(PathBuf::from("abc/de/fghi"));
    let before = COUNT_RAN.load(Ordering::SeqCst);
    let words: Vec<String> = dag.run_to::<wc::words>().expect("runs");
    assert_eq!(words, ["abc", "fghi"]);
    assert_eq!(
        COUNT_RAN.load(Ordering::SeqCst),
        before,
        "count is not an ancestor"
    );

    let exec = dag.execute_to(&["words"]).expect("runs");
    let mut names: Vec<&str> = exec.nodes().map(|r| r.name).collect();
    names.sort_unstable();
    assert_eq!(names, ["min_len", "root", "words"]);
    assert!(exec.nodes().all(|r| r.status == NodeStatus::Completed));
    assert_eq!(exec.output::<wc::words>().map(Vec::len), Some(2));
    assert_eq!(COUNT_RAN.load(Ordering::SeqCst), before);

    let exec = dag.execute_to(&["min_len", "count"]).expect("runs");
    assert_eq!(exec.nodes().len(), 4);
}

#[test]
fn execute_to_names_every_unknown_task() {
    let dag = Dag::new("wc");
    let err = dag
        .execute_to(&["words", "nope", "zip"])
        .expect_err("unknown names");
    assert_eq!(
        err.to_string(),
        format!("DAG `{WC}` has no task `nope`, `zip`")
    );
}

mod ordered {
    use dag::task;

    /// Creates the table; no data flows from it.
    #[task]
    pub fn schema() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }

    /// Rows to write.
    #[task]
    pub fn rows() -> Vec<u32> {
        vec![1, 2, 3]
    }

    /// Writes the rows once the table exists.
    #[task(final, after = [schema])]
    pub fn total(rows: &[u32]) -> u32 {
        rows.iter().sum()
    }
}

#[test]
fn after_orders_without_passing_data() {
    let dag = Dag::new("ordered").max_workers(2);
    let total = dag.task("total").expect("resolves").expect("a task");
    assert_eq!(total.dependencies, ["rows"]);
    assert_eq!(total.after, ["schema"]);
    for _ in 0..20 {
        let exec = dag.execute().expect("runs");
        let (schema, total) = (
            exec.node("schema").expect("a node"),
            exec.node("total").expect("a node"),
        );
        assert!(
            schema.end <= total.start,
            "{} > {}",
            schema.end,
            total.start
        );
    }
    assert_eq!(dag.run::<u32>().expect("runs"), 6);
    // `run_to` includes what `after` names.
    let exec = dag.execute_to(&["total"]).expect("runs");
    assert_eq!(exec.nodes().len(), 3);
}

#[test]
fn a_value_for_a_task_of_another_dag_is_an_error() {
    let dag = Dag::new("ordered").set::<wc::min_len>(2);
    let err = dag.execute().expect_err("min_len is not in `ordered`");
    assert_eq!(
        err.to_string(),
        "DAG `inputs::ordered` has no task `min_len`"
    );
}
