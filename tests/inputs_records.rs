//! Profiling records say where an output the task did not compute came from
//! (`reused_from`: `provided` for a value given with `Dag::set`), and files written before
//! that field existed still read.

use apache_avro::types::Value as Avro;
use dag::Dag;
use dag::meta::{AVRO_SCHEMA, MetaDb, RUN_METADATA_KEY, read_run};
use std::path::PathBuf;

mod wc {
    use dag::task;
    use std::path::{Path, PathBuf};

    /// Directory to scan.
    #[task(input)]
    pub fn root() -> PathBuf;

    /// Its depth.
    #[task(final)]
    pub fn depth(root: &Path) -> usize {
        root.components().count()
    }
}

#[test]
fn a_provided_value_is_recorded_as_provided() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("wc")
        .profile(true)
        .meta_dir(dir.path())
        .set::<wc::root>(PathBuf::from("a/b"));
    let exec = dag.execute().expect("runs");
    assert!(exec.warnings().is_empty(), "{:?}", exec.warnings());
    let t = MetaDb::open(dir.path())
        .query("SELECT task_name, reused_from, attempt FROM profiling ORDER BY task_name")
        .expect("queries");
    assert_eq!(t.len(), 2);
    assert_eq!(t.get::<String>(0, "task_name").expect("a name"), "depth");
    assert_eq!(
        t.get::<Option<String>>(0, "reused_from").expect("a value"),
        None
    );
    assert_eq!(t.get::<i64>(0, "attempt").expect("a value"), 1);
    assert_eq!(t.get::<String>(1, "task_name").expect("a name"), "root");
    assert_eq!(
        t.get::<Option<String>>(1, "reused_from").expect("a value"),
        Some("provided".to_string())
    );
    assert_eq!(t.get::<i64>(1, "attempt").expect("a value"), 0);
}

#[test]
fn a_file_written_without_reused_from_still_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The schema as it was before `reused_from`.
    let cut = AVRO_SCHEMA
        .find(",\n    {\"name\": \"reused_from\"")
        .expect("the field");
    let old = format!("{}\n  ]\n}}", &AVRO_SCHEMA[..cut]);
    assert!(!old.contains("reused_from"), "{old}");
    let schema = apache_avro::Schema::parse_str(&old).expect("old schema");
    let mut w = apache_avro::Writer::new(&schema, Vec::new()).expect("writer");
    let meta = serde_json::json!({
        "format_version": 1, "dag_name": "old", "dag_description": "", "run_id": "r0",
        "started_at_micros": 0, "wall_clock": 1.0, "max_workers": 1,
        "parallelism_efficiency": 1.0, "task_count": 1
    });
    w.add_user_metadata(RUN_METADATA_KEY.to_string(), meta.to_string())
        .expect("metadata");
    let s = |v: &str| Avro::String(v.to_string());
    w.append_value(Avro::Record(vec![
        ("dag_name".into(), s("old")),
        ("dag_description".into(), s("")),
        ("run_id".into(), s("r0")),
        ("task_name".into(), s("t")),
        ("task_description".into(), s("")),
        ("task_runtime".into(), Avro::Double(1.0)),
        ("status".into(), s("completed")),
        ("error".into(), Avro::Union(0, Box::new(Avro::Null))),
        ("start_offset".into(), Avro::Double(0.0)),
        ("end_offset".into(), Avro::Double(1.0)),
        ("worker".into(), Avro::Union(0, Box::new(Avro::Null))),
        ("attempt".into(), Avro::Int(1)),
        ("run_started_at".into(), Avro::TimestampMicros(0)),
    ]))
    .expect("a row");
    let path = dir.path().join("profiling/old/r0.avro");
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("dirs");
    std::fs::write(&path, w.into_inner().expect("bytes")).expect("written");

    let run = read_run(&path).expect("reads");
    assert_eq!(run.tasks.len(), 1);
    assert_eq!(run.tasks[0].reused_from, None);
    let t = MetaDb::open(dir.path())
        .query("SELECT task_name, reused_from FROM profiling")
        .expect("queries");
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    assert_eq!(t.len(), 1);
    assert_eq!(
        t.get::<Option<String>>(0, "reused_from").expect("a value"),
        None
    );
}
