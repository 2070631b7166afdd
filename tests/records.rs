//! `.profile(true)`: every run writes its records (all statuses) where MetaDb finds them.

use dag::Dag;
use dag::meta::MetaDb;

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
fn an_unwritable_meta_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not_a_dir");
    std::fs::write(&file, b"x").expect("write");
    let err = Dag::new("flaky")
        .profile(true)
        .meta_dir(&file)
        .execute()
        .unwrap_err();
    assert!(err.to_string().contains("not_a_dir"), "{err}");
}
