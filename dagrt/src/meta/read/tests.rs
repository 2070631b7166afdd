//! Unit tests of reading run files: both decoding paths, statuses, varints.

use super::*;
use crate::meta::TaskRecord;

#[test]
fn fast_and_generic_paths_agree() {
    let mut failed = TaskRecord::completed("b", "second", 1.0, 2.5);
    failed.status = NodeStatus::Failed;
    failed.error = Some("boom".into());
    failed.worker = Some(3);
    let run = crate::meta::RunRecord {
        dag_name: "d".into(),
        dag_description: "desc".into(),
        run_id: "r".into(),
        started_at_micros: -5,
        wall_clock: 2.5,
        max_workers: 2,
        parallelism_efficiency: 0.5,
        tasks: vec![TaskRecord::completed("a", "first", 0.0, 1.0), failed],
    };
    let bytes = encode_run(&run).unwrap();
    let fast = fast_path().unwrap().decode(&bytes).unwrap().unwrap();
    let generic = decode_generic(&bytes).unwrap();
    assert_eq!(format!("{:?}", fast.1), format!("{:?}", generic.1));
    assert_eq!(format!("{:?}", fast.0), format!("{:?}", generic.0));
    assert_eq!(fast.1[1].error.as_deref(), Some("boom"));
    assert_eq!(fast.1[1].worker, Some(3));
}

fn one_task_run() -> crate::meta::RunRecord {
    crate::meta::RunRecord {
        dag_name: "d".into(),
        dag_description: String::new(),
        run_id: "r".into(),
        started_at_micros: 0,
        wall_clock: 1.0,
        max_workers: 1,
        parallelism_efficiency: 1.0,
        tasks: vec![TaskRecord::completed("a", "first", 0.0, 1.0)],
    }
}

#[test]
fn statuses_are_written_and_read_as_exec_spells_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = one_task_run();
    run.tasks[0].status = NodeStatus::Cancelled;
    let path = crate::meta::write_run(dir.path(), &run).unwrap();
    let (_, rows) = decode(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(rows[0].status, "cancelled");
    assert_eq!(read_run(&path).unwrap(), run);
    assert_eq!(run.task("a").map(|t| t.status), Some(NodeStatus::Cancelled));
    assert!(run.task("b").is_none());
    let json = serde_json::to_value(&run.tasks[0]).unwrap();
    assert_eq!(json["status"], "cancelled");
}

#[test]
fn a_status_dag_never_writes_is_a_decode_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = encode_run(&one_task_run()).unwrap();
    // The row's status is the last `completed` in the file (the schema's doc comes first).
    let at = bytes.windows(9).rposition(|w| w == b"completed").unwrap();
    bytes[at..at + 9].copy_from_slice(b"completex");
    let path = dir.path().join("r.avro");
    std::fs::write(&path, &bytes).unwrap();
    let err = read_run(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read run record {}: task `a` has status `completex`, not completed, \
             failed, skipped or cancelled",
            path.display()
        )
    );
}

#[test]
fn zigzag() {
    for v in [0i64, -1, 1, 63, -64, 64, i64::MAX, i64::MIN] {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        let mut buf = Vec::new();
        while z >= 0x80 {
            buf.push((z as u8) | 0x80);
            z >>= 7;
        }
        buf.push(z as u8);
        let mut s = buf.as_slice();
        assert_eq!(read_long(&mut s), Some(v));
        assert!(s.is_empty());
    }
    assert_eq!(read_long(&mut &[0x80u8; 11][..]), None);
}

#[test]
fn a_file_written_without_reused_from_still_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The schema as it was before `reused_from`.
    let cut = crate::meta::record::AVRO_SCHEMA
        .find(",\n    {\"name\": \"reused_from\"")
        .expect("the field");
    let old = format!("{}\n  ]\n}}", &crate::meta::record::AVRO_SCHEMA[..cut]);
    assert!(!old.contains("reused_from"), "{old}");
    let schema = apache_avro::Schema::parse_str(&old).expect("old schema");
    let mut w = apache_avro::Writer::new(&schema, Vec::new()).expect("writer");
    let meta = serde_json::json!({
        "format_version": 1, "dag_name": "old", "dag_description": "", "run_id": "r0",
        "started_at_micros": 0, "wall_clock": 1.0, "max_workers": 1,
        "parallelism_efficiency": 1.0, "task_count": 1
    });
    w.add_user_metadata(
        crate::meta::record::RUN_METADATA_KEY.to_string(),
        meta.to_string(),
    )
    .expect("metadata");
    use apache_avro::types::Value as Avro;
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

    let run = crate::meta::read_run(&path).expect("reads");
    assert_eq!(run.tasks.len(), 1);
    assert_eq!(run.tasks[0].reused_from, None);
    let t = crate::meta::MetaDb::open(dir.path())
        .query("SELECT task_name, reused_from FROM profiling")
        .expect("queries");
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    assert_eq!(t.len(), 1);
    assert_eq!(
        t.get::<Option<String>>(0, "reused_from").expect("a value"),
        None
    );
}
