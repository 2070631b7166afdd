//! Integration tests of `dag::meta`: writing, ingest, queries, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;
use std::path::Path;

use common::sample_run;
use dag::meta::{MetaDb, MetaError, Table, Value, read_run, run_path, write_run};

fn count(db: &MetaDb, table: &str) -> i64 {
    let t = db
        .query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .unwrap_or_else(|e| panic!("{e}"));
    t.get(0, "n").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn roundtrip_and_layout() {
    let dir = tempfile::tempdir().unwrap();
    let run = sample_run("etl", "r1", 6);
    let path = write_run(dir.path(), &run).unwrap();
    assert_eq!(path, dir.path().join("profiling/etl/r1.avro"));
    assert_eq!(read_run(&path).unwrap(), run);
    // A run without tasks is still a run.
    let empty = sample_run("etl", "r0", 0);
    let p0 = write_run(dir.path(), &empty).unwrap();
    assert_eq!(read_run(&p0).unwrap(), empty);
    let db = MetaDb::open(dir.path());
    assert_eq!(count(&db, "runs"), 2);
    assert_eq!(count(&db, "profiling"), 6);
    // No temporary files are left behind.
    let names: Vec<_> = fs::read_dir(dir.path().join("profiling/etl"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| n.ends_with(".avro")), "{names:?}");
}

#[test]
fn profiling_and_runs_columns() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("etl", "r1", 5)).unwrap();
    let db = MetaDb::open(dir.path());
    let p = db
        .query("SELECT * FROM profiling ORDER BY task_name")
        .unwrap();
    let cols: Vec<&str> = p.column_names().iter().map(String::as_str).collect();
    assert_eq!(
        cols,
        [
            "dag_name",
            "dag_description",
            "run_id",
            "task_name",
            "task_description",
            "task_runtime",
            "status",
            "error",
            "start_offset",
            "end_offset",
            "worker",
            "attempt",
            "run_started_at",
            "reused_from",
            "element_index"
        ]
    );
    assert_eq!(p.len(), 5);
    assert_eq!(p.get::<String>(1, "status").unwrap(), "failed");
    assert_eq!(
        p.get::<Option<String>>(1, "error").unwrap().as_deref(),
        Some("boom: división por cero")
    );
    assert_eq!(p.get::<i64>(1, "attempt").unwrap(), 3);
    assert_eq!(p.get::<Option<i64>>(2, "worker").unwrap(), None);
    assert_eq!(p.get::<Option<String>>(0, "error").unwrap(), None);
    assert_eq!(
        p.get::<i64>(0, "run_started_at").unwrap(),
        1_750_000_000_000_000
    );
    assert!(p.warnings().is_empty());

    let r = db.query("SELECT * FROM runs").unwrap();
    let cols: Vec<&str> = r.column_names().iter().map(String::as_str).collect();
    assert_eq!(
        cols,
        [
            "dag_name",
            "run_id",
            "started_at",
            "wall_clock",
            "completed",
            "failed",
            "skipped",
            "cancelled",
            "max_workers",
            "parallelism_efficiency"
        ]
    );
    let ints: Vec<i64> = ["completed", "failed", "skipped", "cancelled", "max_workers"]
        .iter()
        .map(|c| r.get(0, c).unwrap())
        .collect();
    assert_eq!(ints, [2, 1, 1, 1, 4]);
    assert_eq!(r.get::<f64>(0, "wall_clock").unwrap(), 1.5);
    assert_eq!(r.get::<f64>(0, "parallelism_efficiency").unwrap(), 0.75);
}

#[test]
fn names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("a/b", "../x"),
        ("..", "."),
        ("nul\0dag", "50%"),
        (".hidden", "r\\1"),
    ];
    for (dag, run) in cases {
        let p = write_run(dir.path(), &sample_run(dag, run, 1)).unwrap();
        assert_eq!(p, run_path(dir.path(), dag, run).unwrap());
        let rel = p.strip_prefix(dir.path().join("profiling")).unwrap();
        assert_eq!(rel.components().count(), 2, "{p:?}");
        let back = read_run(&p).unwrap();
        assert_eq!((back.dag_name.as_str(), back.run_id.as_str()), (dag, run));
    }
    let db = MetaDb::open(dir.path());
    assert_eq!(count(&db, "runs"), 4);
    let e = write_run(dir.path(), &sample_run("", "r", 1)).unwrap_err();
    assert!(
        matches!(
            e,
            MetaError::InvalidName {
                field: "dag_name",
                ..
            }
        ),
        "{e}"
    );
    let e = write_run(dir.path(), &sample_run("d", "", 1)).unwrap_err();
    assert!(
        matches!(
            e,
            MetaError::InvalidName {
                field: "run_id",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn changed_and_removed_files_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let db = MetaDb::open(dir.path());
    write_run(dir.path(), &sample_run("etl", "r1", 5)).unwrap();
    let p2 = write_run(dir.path(), &sample_run("etl", "r2", 5)).unwrap();
    assert_eq!(count(&db, "profiling"), 10);
    write_run(dir.path(), &sample_run("etl", "r1", 7)).unwrap();
    assert_eq!(count(&db, "profiling"), 12);
    assert_eq!(count(&db, "runs"), 2);
    fs::remove_file(&p2).unwrap();
    assert_eq!(count(&db, "profiling"), 7);
    assert_eq!(count(&db, "runs"), 1);
    // A second handle sees the same thing through the shared index.
    assert_eq!(count(&MetaDb::open(dir.path()), "profiling"), 7);
}

fn write_bad_files(meta: &Path) -> [std::path::PathBuf; 3] {
    let good = write_run(meta, &sample_run("etl", "good", 4)).unwrap();
    let bytes = fs::read(&good).unwrap();
    let d = meta.join("profiling/etl");
    let truncated = d.join("truncated.avro");
    fs::write(&truncated, &bytes[..bytes.len() - 30]).unwrap();
    let garbage = d.join("garbage.avro");
    fs::write(&garbage, b"this is not avro at all\n\x00\x01\x02").unwrap();
    let foreign = d.join("foreign.avro");
    let schema = apache_avro::Schema::parse_str(
        r#"{"type":"record","name":"other","fields":[{"name":"x","type":"long"}]}"#,
    )
    .unwrap();
    let mut w = apache_avro::Writer::new(&schema, Vec::new()).unwrap();
    w.append_value(apache_avro::types::Value::Record(vec![(
        "x".into(),
        apache_avro::types::Value::Long(1),
    )]))
    .unwrap();
    fs::write(&foreign, w.into_inner().unwrap()).unwrap();
    [truncated, garbage, foreign]
}

#[test]
fn bad_files_are_skipped_with_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_bad_files(dir.path());
    let db = MetaDb::open(dir.path());
    for _ in 0..2 {
        // The second query reports them again without re-reading them.
        let t = db
            .query("SELECT run_id, COUNT(*) AS n FROM profiling GROUP BY run_id")
            .unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!(t.get::<String>(0, "run_id").unwrap(), "good");
        assert_eq!(t.get::<i64>(0, "n").unwrap(), 4);
        let mut warned: Vec<_> = t.warnings().iter().map(|w| w.path.clone()).collect();
        warned.sort();
        let mut expected = bad.to_vec();
        expected.sort();
        assert_eq!(warned, expected, "{:?}", t.warnings());
        assert_eq!(db.last_warnings(), t.warnings());
        for w in t.warnings() {
            assert!(w.to_string().contains(&*w.path.to_string_lossy()), "{w}");
        }
    }
    let foreign = t_warning(&db, "foreign");
    assert!(foreign.contains("foreign schema"), "{foreign}");
    for p in &bad {
        assert!(matches!(read_run(p), Err(MetaError::Decode { .. })));
    }
    // Replacing a bad file with a good one (of another run) clears its warning.
    let other = tempfile::tempdir().unwrap();
    let good = fs::read(write_run(other.path(), &sample_run("etl", "other", 4)).unwrap()).unwrap();
    fs::write(&bad[1], good).unwrap();
    let t = db.query("SELECT * FROM runs").unwrap();
    assert_eq!(t.warnings().len(), 2);
    assert_eq!(t.len(), 2);
}

fn t_warning(db: &MetaDb, name: &str) -> String {
    db.last_warnings()
        .iter()
        .find(|w| w.path.to_string_lossy().contains(name))
        .map(|w| w.message.clone())
        .unwrap_or_default()
}

#[test]
fn corrupted_bytes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = write_run(dir.path(), &sample_run("etl", "good", 3)).unwrap();
    let bytes = fs::read(&good).unwrap();
    let probe = dir.path().join("probe.avro");
    for cut in 0..bytes.len() {
        fs::write(&probe, &bytes[..cut]).unwrap();
        assert!(read_run(&probe).is_err(), "prefix of {cut} bytes decoded");
    }
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0xA5;
        fs::write(&probe, &b).unwrap();
        let _ = read_run(&probe); // Ok or Err, but no panic and no huge allocation.
    }
}

#[test]
fn missing_meta_dir_gives_empty_tables_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("not-there");
    let db = MetaDb::open(&meta);
    let t = db.query("SELECT * FROM profiling").unwrap();
    assert!(t.is_empty());
    assert_eq!(t.column_names().len(), 15);
    assert_eq!(count(&db, "runs"), 0);
    assert!(db.mean_runtimes("etl").unwrap().is_empty());
    assert!(!meta.exists());
    db.drop().unwrap();
    assert!(!meta.exists());
}

#[test]
fn unusable_meta_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // Under a regular file: fails for everyone, root included.
    let file = dir.path().join("plain-file");
    fs::write(&file, b"x").unwrap();
    let meta = file.join("meta");
    let e = write_run(&meta, &sample_run("etl", "r", 1)).unwrap_err();
    assert!(matches!(e, MetaError::Io { .. }), "{e}");
    assert!(e.to_string().contains(&*file.to_string_lossy()), "{e}");
    let e = MetaDb::open(&meta).query("SELECT 1").unwrap_err();
    assert!(e.to_string().contains(&*meta.to_string_lossy()), "{e}");
    let e = MetaDb::open(&file).query("SELECT 1").unwrap_err();
    assert!(e.to_string().contains(&*file.to_string_lossy()), "{e}");

    // Read-only dir: only enforced for non-root users.
    use std::os::unix::fs::PermissionsExt;
    let ro = dir.path().join("ro");
    write_run(&ro, &sample_run("etl", "r", 2)).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
    let probe = ro.join("probe");
    let enforced = fs::write(&probe, b"x").is_err();
    let _ = fs::remove_file(&probe);
    let result = MetaDb::open(&ro).query("SELECT COUNT(*) FROM profiling");
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
    if enforced {
        let e = result.unwrap_err();
        assert!(e.to_string().contains(&*ro.to_string_lossy()), "{e}");
    } else {
        eprintln!("running as root: read-only permissions not enforced, skipping that check");
        assert_eq!(result.unwrap().len(), 1);
    }
}

#[test]
fn sql_errors_name_the_query() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("etl", "r", 2)).unwrap();
    let db = MetaDb::open(dir.path());
    let sql = "SELEC task_name FROM profiling";
    match db.query(sql) {
        Err(e @ MetaError::Sql { .. }) => {
            let MetaError::Sql { query, message } = &e else {
                unreachable!()
            };
            assert_eq!(query, sql);
            assert!(message.contains("syntax error"), "{message}");
            assert!(e.to_string().contains(sql));
        }
        other => panic!("expected Sql error, got {other:?}"),
    }
    assert!(matches!(
        db.query("SELECT nope FROM profiling"),
        Err(MetaError::Sql { .. })
    ));
    // Queries are read-only; the index stays intact.
    assert!(matches!(
        db.query("DELETE FROM profiling_rows"),
        Err(MetaError::Sql { .. })
    ));
    assert!(matches!(
        db.query("DROP TABLE files"),
        Err(MetaError::Sql { .. })
    ));
    assert_eq!(count(&db, "profiling"), 2);
}

#[test]
fn mean_runtimes_use_completed_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = sample_run("etl", "a", 5);
    a.tasks[0].task_runtime = 1.0;
    let mut b = sample_run("etl", "b", 5);
    b.tasks[0].task_runtime = 3.0;
    b.tasks[4].status = dag::NodeStatus::Failed;
    write_run(dir.path(), &a).unwrap();
    write_run(dir.path(), &b).unwrap();
    write_run(dir.path(), &sample_run("other", "c", 5)).unwrap();
    let m = MetaDb::open(dir.path()).mean_runtimes("etl").unwrap();
    assert_eq!(m.len(), 2, "{m:?}"); // task_0 and task_4; 1..=3 never completed
    assert_eq!(m["task_0"], 2.0);
    assert_eq!(m["task_4"], a.tasks[4].task_runtime);
}

#[test]
fn drop_removes_everything_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("etl", "r", 2)).unwrap();
    let db = MetaDb::open(dir.path());
    assert_eq!(count(&db, "profiling"), 2);
    assert!(db.index_path().exists());
    db.drop().unwrap();
    db.drop().unwrap();
    assert!(!dir.path().join("profiling").exists());
    assert!(!db.index_path().exists());
    assert_eq!(count(&db, "profiling"), 0);
    write_run(dir.path(), &sample_run("etl", "r2", 3)).unwrap();
    assert_eq!(count(&db, "profiling"), 3);
}

#[test]
fn leftover_temp_file_from_a_crash_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("etl", "r1", 3)).unwrap();
    // Simulate a writer that died mid-write: half a file under the temporary name.
    let good = fs::read(dir.path().join("profiling/etl/r1.avro")).unwrap();
    let tmp = dir.path().join("profiling/etl/.r2.avro.tmp-999999-0");
    fs::write(&tmp, &good[..good.len() / 2]).unwrap();
    let db = MetaDb::open(dir.path());
    let t = db.query("SELECT * FROM runs").unwrap();
    assert_eq!((t.len(), t.warnings().len()), (1, 0));
    write_run(dir.path(), &sample_run("etl", "r2", 3)).unwrap();
    assert_eq!(count(&db, "runs"), 2);
    assert_eq!(count(&db, "profiling"), 6);
    assert!(tmp.exists());
    db.drop().unwrap();
    assert!(!tmp.exists());
}

#[test]
fn index_can_be_deleted_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("etl", "r", 4)).unwrap();
    let db = MetaDb::open(dir.path());
    assert_eq!(count(&db, "profiling"), 4);
    for s in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(dir.path().join(format!("index.sqlite{s}")));
    }
    assert_eq!(count(&db, "profiling"), 4);
}

#[test]
fn a_damaged_index_is_rebuilt_from_the_run_files() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        write_run(dir.path(), &sample_run("etl", &format!("r{i}"), 4)).unwrap();
    }
    assert_eq!(count(&MetaDb::open(dir.path()), "profiling"), 12);
    // What a machine crash could leave behind: garbage where the index was.
    for s in ["-wal", "-shm"] {
        let _ = fs::remove_file(dir.path().join(format!("index.sqlite{s}")));
    }
    fs::write(dir.path().join("index.sqlite"), vec![0xA5u8; 8192]).unwrap();
    let fresh = MetaDb::open(dir.path());
    assert_eq!(count(&fresh, "profiling"), 12, "rebuilt, every record back");
    assert_eq!(count(&fresh, "runs"), 3);
}

#[test]
fn table_typed_access_and_display() {
    let dir = tempfile::tempdir().unwrap();
    let db = MetaDb::open(dir.path().join("none"));
    let t: Table = db
        .query("SELECT 0.020113 AS avg_task_runtime, 42 AS n, 'x' AS s, NULL AS z, x'0102' AS b")
        .unwrap();
    assert_eq!(t.get::<f64>(0, "avg_task_runtime").unwrap(), 0.020113);
    assert_eq!(t.get::<f64>(0, "n").unwrap(), 42.0);
    assert_eq!(t.get::<Option<i64>>(0, "z").unwrap(), None);
    assert_eq!(t.get::<Vec<u8>>(0, "b").unwrap(), [1, 2]);
    assert_eq!(t.column("s"), Some(&[Value::Text("x".into())][..]));
    assert!(t.column("nope").is_none());
    assert!(matches!(
        t.get::<i64>(0, "s"),
        Err(MetaError::Column { .. })
    ));
    assert!(matches!(
        t.get::<i64>(0, "z"),
        Err(MetaError::Column { .. })
    ));
    assert!(matches!(
        t.get::<i64>(1, "n"),
        Err(MetaError::Column { .. })
    ));
    let row = t.rows().next().unwrap();
    assert_eq!(row.by_name("n"), Some(&Value::Integer(42)));
    assert_eq!(row.values().count(), 5);
    let shown = t.to_string();
    assert_eq!(
        shown,
        "   avg_task_runtime   n  s     z          b\n\
         0          0.020113  42  x  NULL  <2 bytes>\n"
    );
    let one = db.query("SELECT 0.020113 AS avg_task_runtime").unwrap();
    assert_eq!(
        one.to_string(),
        "   avg_task_runtime\n0          0.020113\n"
    );
    let many = db
        .query("WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM c WHERE i < 99) SELECT i FROM c")
        .unwrap();
    let text = many.to_string();
    assert!(
        text.contains("...") && text.ends_with("[100 rows x 1 columns]\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + 5 + 1 + 5 + 1);
}

#[test]
fn errors_are_send_sync() {
    fn check<T: std::error::Error + Send + Sync + 'static>() {}
    check::<MetaError>();
    fn sync<T: Send + Sync>() {}
    sync::<MetaDb>();
}
