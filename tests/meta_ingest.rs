//! Ingest survives hostile files (issue 10, points 4 and 13): huge sparse files, FIFOs,
//! dangling symlinks, symlink loops, directories named `*.avro`, duplicated runs, rewrites
//! that keep size and mtime, a foreign `index.sqlite`, and old temp files of killed writers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::sample_run;
use dag::meta::{MetaDb, MetaError, STALE_TEMP_AGE, Table, run_path, write_run};

fn runs(db: &MetaDb) -> Table {
    db.query("SELECT run_id FROM runs ORDER BY run_id").unwrap()
}

/// The one warning about `path`, checked to mention `needle`.
fn warning_for(table: &Table, path: &Path, needle: &str) {
    let found: Vec<_> = table.warnings().iter().filter(|w| w.path == path).collect();
    assert_eq!(found.len(), 1, "{path:?} in {:?}", table.warnings());
    assert!(found[0].message.contains(needle), "{}", found[0]);
}

fn dag_dir(meta: &Path) -> PathBuf {
    let p = run_path(meta, "hostile", "x").unwrap();
    p.parent().unwrap().to_owned()
}

#[test]
fn a_huge_sparse_file_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    let huge = dag_dir(dir.path()).join("huge.avro");
    File::create(&huge).unwrap().set_len(64 << 30).unwrap();
    let db = MetaDb::open(dir.path());
    let t = runs(&db);
    assert_eq!(t.len(), 1);
    warning_for(&t, &huge, "too large");
    warning_for(&t, &huge, "68719476736 bytes");
    // Still reported on the next query (not re-read).
    warning_for(&runs(&db), &huge, "too large");
}

#[cfg(unix)]
#[test]
fn special_files_are_skipped_with_a_warning_naming_them() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    let d = dag_dir(dir.path());
    let fifo = d.join("pipe.avro");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let dangling = d.join("dangling.avro");
    symlink(d.join("nowhere.avro"), &dangling).unwrap();
    let looping = d.join("loop.avro");
    symlink(&looping, &looping).unwrap();
    let subdir = d.join("dir.avro");
    fs::create_dir(&subdir).unwrap();
    let dag_loop = dir.path().join("profiling").join("dagloop");
    symlink(&dag_loop, &dag_loop).unwrap();

    let t = runs(&MetaDb::open(dir.path()));
    assert_eq!(t.len(), 1);
    warning_for(&t, &fifo, "not a regular file");
    warning_for(&t, &dangling, "dangling symbolic link");
    warning_for(&t, &looping, "cannot follow symbolic link");
    warning_for(&t, &subdir, "is a directory");
    warning_for(&t, &dag_loop, "cannot follow symbolic link");
    assert_eq!(t.warnings().len(), 5, "{:?}", t.warnings());
}

#[test]
fn a_backup_copy_counts_once_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let original = write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    write_run(dir.path(), &sample_run("hostile", "r2", 3)).unwrap();
    // "r1-backup.avro" sorts before "r1.avro": the run file's own name still wins.
    let backup = dag_dir(dir.path()).join("r1-backup.avro");
    fs::copy(&original, &backup).unwrap();
    let db = MetaDb::open(dir.path());
    let t = runs(&db);
    assert_eq!(t.len(), 2, "{t}");
    warning_for(&t, &backup, "counted once");
    warning_for(&t, &backup, "profiling/hostile/r1.avro");
    let rows = db.query("SELECT COUNT(*) AS n FROM profiling").unwrap();
    assert_eq!(rows.get::<i64>(0, "n").unwrap(), 6);

    // The original goes: the copy now counts, without a warning.
    fs::remove_file(&original).unwrap();
    let t = runs(&db);
    assert_eq!(t.len(), 2, "{t}");
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    // It comes back: the copy is the duplicate again.
    write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    let t = runs(&db);
    assert_eq!(t.len(), 2, "{t}");
    warning_for(&t, &backup, "counted once");
    // The counted file is rewritten: the copy stays a duplicate.
    let mut again = sample_run("hostile", "r1", 3);
    again.wall_clock = 9.0;
    write_run(dir.path(), &again).unwrap();
    let t = db
        .query("SELECT wall_clock FROM runs WHERE run_id = 'r1'")
        .unwrap();
    assert_eq!(t.len(), 1, "{t}");
    assert_eq!(t.get::<f64>(0, "wall_clock").unwrap(), 9.0);
    warning_for(&t, &backup, "counted once");
    // A fresh index agrees.
    let t = runs(&MetaDb::open(dir.path()));
    assert_eq!(t.len(), 2, "{t}");
    fs::remove_file(dir.path().join("index.sqlite")).unwrap();
    let t = runs(&MetaDb::open(dir.path()));
    assert_eq!(t.len(), 2, "{t}");
    warning_for(&t, &backup, "counted once");
}

#[cfg(unix)]
#[test]
fn a_symlinked_dag_dir_counts_once_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for r in ["r1", "r2", "r3"] {
        write_run(dir.path(), &sample_run("hostile", r, 3)).unwrap();
    }
    let link = dir.path().join("profiling").join("a-link");
    std::os::unix::fs::symlink(dag_dir(dir.path()), &link).unwrap();
    let t = runs(&MetaDb::open(dir.path()));
    assert_eq!(t.len(), 3, "{t}");
    assert_eq!(t.warnings().len(), 3, "{:?}", t.warnings());
    warning_for(&t, &link.join("r2.avro"), "counted once");
}

#[test]
fn a_rewrite_keeping_size_and_mtime_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = sample_run("hostile", "r1", 3);
    let path = write_run(dir.path(), &run).unwrap();
    let db = MetaDb::open(dir.path());
    let runtime = |db: &MetaDb| {
        db.query("SELECT task_runtime FROM profiling WHERE task_name = 'task_0'")
            .unwrap()
            .get::<f64>(0, "task_runtime")
            .unwrap()
    };
    assert_eq!(runtime(&db), 0.01);
    let before = fs::metadata(&path).unwrap();
    let other = tempfile::tempdir().unwrap();
    run.tasks[0].task_runtime = 0.75;
    let bytes = fs::read(write_run(other.path(), &run).unwrap()).unwrap();
    assert_eq!(bytes.len() as u64, before.len());
    fs::write(&path, &bytes).unwrap(); // in place: same inode
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(before.modified().unwrap())
        .unwrap();
    let after = fs::metadata(&path).unwrap();
    assert_eq!(after.len(), before.len());
    assert_eq!(after.modified().unwrap(), before.modified().unwrap());
    assert_eq!(runtime(&db), 0.75);
}

#[test]
fn a_foreign_sqlite_index_is_refused_with_advice_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    let index = dir.path().join("index.sqlite");
    for version in [0, 3] {
        let _ = fs::remove_file(&index);
        let conn = rusqlite::Connection::open(&index).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE customers (name); INSERT INTO customers VALUES ('ada');
             PRAGMA user_version = {version};"
        ))
        .unwrap();
        drop(conn);
        let err = MetaDb::open(dir.path())
            .query("SELECT * FROM runs")
            .unwrap_err();
        assert!(matches!(err, MetaError::ForeignIndex { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("index.sqlite"), "{text}");
        assert!(text.contains("customers"), "{text}");
        assert!(text.contains("delete it"), "{text}");
        let conn = rusqlite::Connection::open(&index).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "the foreign database was modified");
        drop(conn);
        // Dropping the records leaves it alone too.
        let dropped = MetaDb::open(dir.path()).drop().unwrap();
        assert_eq!(dropped.run_files, 1);
        assert!(!dropped.index_removed);
        assert!(index.is_file());
        write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    }
    // Garbage is not a database: it is rebuilt.
    fs::write(&index, vec![b'x'; 10_000]).unwrap();
    assert_eq!(runs(&MetaDb::open(dir.path())).len(), 1);
    // After deleting it, as the error says, everything works.
    fs::remove_file(&index).unwrap();
    assert_eq!(runs(&MetaDb::open(dir.path())).len(), 1);
}

#[test]
fn old_temp_files_of_killed_writers_are_cleaned_by_a_query() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    let d = dag_dir(dir.path());
    let old = d.join(".r9.avro.tmp-4242-0");
    let fresh = d.join(".r8.avro.tmp-4242-1");
    let unrelated = d.join(".keep");
    for p in [&old, &fresh, &unrelated] {
        fs::write(p, b"half a record").unwrap();
    }
    let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
    for p in [&old, &unrelated] {
        File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    let t = runs(&MetaDb::open(dir.path()));
    assert_eq!(t.len(), 1);
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    assert!(!old.exists(), "an old temp file survived");
    assert!(
        fresh.exists(),
        "a fresh temp file (a live writer's) was removed"
    );
    assert!(
        unrelated.exists(),
        "a hidden file that is no temp file was removed"
    );
}

#[test]
fn old_temp_files_of_killed_writers_are_cleaned_by_the_next_writer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dag_dir(dir.path());
    fs::create_dir_all(&d).unwrap();
    let old = d.join(".r9.avro.tmp-4242-0");
    let fresh = d.join(".r8.avro.tmp-4242-1");
    let unrelated = d.join(".keep");
    for p in [&old, &fresh, &unrelated] {
        fs::write(p, b"half a record").unwrap();
    }
    let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_secs(60);
    for p in [&old, &unrelated] {
        File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    // No query runs: the writer itself cleans up.
    write_run(dir.path(), &sample_run("hostile", "r1", 3)).unwrap();
    assert!(!old.exists(), "an old temp file survived the writer");
    assert!(
        fresh.exists(),
        "a fresh temp file (a live writer's) was removed"
    );
    assert!(
        unrelated.exists(),
        "a hidden file that is no temp file was removed"
    );
    assert!(d.join("r1.avro").is_file());
}
