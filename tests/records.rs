//! `.profile(true)`: every run writes its records (all statuses) where MetaDb finds them.

use dag::graph::Graph;
use dag::meta::MetaDb;
use dag::{Dag, GraphDag, Tasks};

mod flaky {
    use dag::task;

    /// Loads the input.
    #[task]
    pub fn load() -> u32 {
        7
    }

    /// Always fails.
    #[task]
    pub fn parse(load: &u32) -> Result<u32, String> {
        Err(format!("cannot parse {load}"))
    }

    /// Never runs.
    #[task(final)]
    pub fn report(parse: &u32) -> u32 {
        *parse
    }
}

#[test]
fn every_run_is_recorded_with_every_task_and_a_fresh_run_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("flaky")
        .description("a flaky DAG")
        .profile(true)
        .meta_dir(dir.path());
    let first = dag.execute().expect("resolves");
    let second = dag.execute().expect("resolves");
    assert_ne!(first.run_id(), second.run_id());
    let file = dir
        .path()
        .join("profiling")
        .join("flaky")
        .join(format!("{}.avro", first.run_id()));
    assert!(file.is_file(), "daglib's layout: {}", file.display());

    let db = MetaDb::open(dir.path());
    let rows = db
        .query("SELECT run_id, task_name, task_description, status, error, dag_description FROM profiling ORDER BY run_id, task_name")
        .expect("query");
    assert_eq!(rows.len(), 6, "3 tasks x 2 runs:\n{rows}");
    let at = |r, c| rows.get::<Option<String>>(r, c).expect("column");
    assert_eq!(at(0, "run_id").as_deref(), Some(first.run_id()));
    assert_eq!(at(0, "task_name").as_deref(), Some("load"));
    assert_eq!(
        at(0, "task_description").as_deref(),
        Some("Loads the input.")
    );
    assert_eq!(at(0, "dag_description").as_deref(), Some("a flaky DAG"));
    assert_eq!(at(1, "status").as_deref(), Some("failed"));
    assert_eq!(at(1, "error").as_deref(), Some("cannot parse 7"));
    assert_eq!(at(2, "status").as_deref(), Some("skipped"));
    assert_eq!(
        at(2, "error").as_deref(),
        Some("upstream task `parse` failed")
    );

    let runs = db
        .query("SELECT completed, failed, skipped, max_workers FROM runs")
        .expect("query");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs.get::<i64>(0, "failed").expect("column"), 1);
    assert_eq!(runs.get::<i64>(0, "skipped").expect("column"), 1);

    // A later run is visible to the same MetaDb (no snapshot).
    dag.execute().expect("resolves");
    assert_eq!(db.query("SELECT * FROM runs").expect("query").len(), 3);
    db.drop().expect("drop");
    assert_eq!(db.query("SELECT * FROM runs").expect("query").len(), 0);
}

#[test]
fn an_unwritable_meta_dir_keeps_the_work_and_warns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not_a_dir");
    std::fs::write(&file, b"x").expect("write");
    let dag = Dag::new("flaky")
        .profile(true)
        .keep_outputs(true)
        .meta_dir(&file);
    let execution = dag.execute().expect("the run's work is returned");
    assert_eq!(execution.output_as::<u32>("load"), Some(&7));
    let warnings = execution.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("profiling record not written: "),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("not_a_dir"), "{}", warnings[0]);
}

fn one_node_dag(name: &str, meta: &std::path::Path) -> (GraphDag, Tasks<'static>) {
    let mut b = Graph::builder();
    b.add_node("answer");
    let dag = Dag::from_graph(name, b.build().expect("graph"))
        .profile(true)
        .meta_dir(meta);
    let mut tasks = Tasks::new();
    tasks.add("answer", || 42u32);
    (dag, tasks)
}

#[test]
fn run_returns_its_value_when_the_record_cannot_be_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not_a_dir");
    std::fs::write(&file, b"x").expect("write");
    let (dag, tasks) = one_node_dag("blocked", &file);
    assert_eq!(dag.run_with::<u32>(&tasks).expect("value"), 42);
}

#[test]
fn names_too_long_for_a_file_name_are_profiled_under_a_short_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let names = [
        "x".repeat(10_000),
        "é".repeat(150),
        format!("{}a", "é".repeat(150)),
        "/".repeat(100),
    ];
    for name in &names {
        let (dag, tasks) = one_node_dag(name, dir.path());
        let execution = dag.execute_with(&tasks).expect("runs");
        assert!(
            execution.warnings().is_empty(),
            "{:?}",
            execution.warnings()
        );
        assert_eq!(dag.run_with::<u32>(&tasks).expect("value"), 42);
    }
    let db = MetaDb::open(dir.path());
    let t = db
        .query("SELECT dag_name, COUNT(*) AS n FROM runs GROUP BY dag_name ORDER BY dag_name")
        .expect("query");
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    let mut expected: Vec<&String> = names.iter().collect();
    expected.sort();
    assert_eq!(t.len(), names.len());
    for (i, name) in expected.iter().enumerate() {
        assert_eq!(&&t.get::<String>(i, "dag_name").expect("name"), name);
        assert_eq!(t.get::<i64>(i, "n").expect("n"), 2);
    }
    // The shortened names are deterministic, distinct and fit a file name.
    let mut dirs = std::collections::HashSet::new();
    for name in &names {
        let a = dag::meta::run_path(dir.path(), name, "r").expect("path");
        let b = dag::meta::run_path(dir.path(), name, "r").expect("path");
        assert_eq!(a, b);
        let component = a.parent().and_then(|p| p.file_name()).expect("dag dir");
        assert!(component.len() <= 200, "{}", component.len());
        assert!(dirs.insert(component.to_owned()));
    }
}

#[test]
fn a_run_record_and_the_profile_report_compute_one_efficiency() {
    let dag = Dag::new("flaky");
    let execution = dag.execute().expect("resolves");
    let record = dag::meta::RunRecord::from_execution(&execution);
    let report = dag::ProfileReport::from_execution(&execution);
    // The same formula over the same busy time (summed in another order).
    assert!(
        (record.parallelism_efficiency - report.parallelism_efficiency).abs() < 1e-12,
        "{} vs {}",
        record.parallelism_efficiency,
        report.parallelism_efficiency
    );
}
