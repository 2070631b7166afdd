//! User SQL can only read: no transaction, ATTACH, VACUUM INTO or PRAGMA setting survives a
//! query, and the index stays usable for this and every other `MetaDb` (issue 10, point 3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sample_run;
use dag::meta::{MetaDb, MetaError, write_run};

fn count(db: &MetaDb) -> i64 {
    db.query("SELECT COUNT(*) AS n FROM runs")
        .unwrap()
        .get(0, "n")
        .unwrap()
}

/// The refusal message of `sql`, checked to be a `MetaError::Sql` naming the query.
fn refused(db: &MetaDb, sql: &str) -> String {
    match db.query(sql) {
        Err(MetaError::Sql { query, message }) => {
            assert_eq!(query, sql);
            message
        }
        other => panic!("{sql:?} was not refused: {other:?}"),
    }
}

#[test]
fn transactions_and_savepoints_are_refused_and_leave_the_index_usable() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("sql", "r1", 3)).unwrap();
    let db = MetaDb::open(dir.path());
    let other = MetaDb::open(dir.path());
    assert_eq!(count(&db), 1);
    for sql in [
        "BEGIN",
        "BEGIN IMMEDIATE",
        "BEGIN EXCLUSIVE",
        "SAVEPOINT s",
        "COMMIT",
        "ROLLBACK",
        "RELEASE s",
    ] {
        let message = refused(&db, sql);
        assert!(message.contains("only read"), "{sql}: {message}");
        // Later ingest on the same connection and on another one still works.
        let n = count(&db);
        write_run(dir.path(), &sample_run("sql", &format!("after {sql}"), 3)).unwrap();
        assert_eq!(count(&db), n + 1, "{sql}");
        assert_eq!(count(&other), n + 1, "{sql}");
    }
}

#[test]
fn attach_is_refused_and_does_not_persist() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("foreign.db");
    foreign_db(&foreign);
    write_run(dir.path(), &sample_run("sql", "r1", 3)).unwrap();
    let db = MetaDb::open(dir.path());
    let sql = format!("ATTACH DATABASE '{}' AS x", foreign.display());
    let message = refused(&db, &sql);
    assert!(message.contains("ATTACH"), "{message}");
    let message = refused(&db, "SELECT * FROM x.secret");
    assert!(message.contains("no such table: x.secret"), "{message}");
    let created = dir.path().join("created.db");
    let sql = format!("ATTACH DATABASE '{}' AS y", created.display());
    refused(&db, &sql);
    assert!(!created.exists(), "ATTACH created {}", created.display());
    assert_eq!(count(&db), 1);
}

/// A small SQLite database with a table `secret`.
fn foreign_db(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE secret (x); INSERT INTO secret VALUES (42);")
        .unwrap();
}

#[test]
fn vacuum_into_and_writes_are_refused_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("sql", "r1", 3)).unwrap();
    let db = MetaDb::open(dir.path());
    let copy = dir.path().join("copy.db");
    let message = refused(&db, &format!("VACUUM INTO '{}'", copy.display()));
    assert!(message.contains("only read"), "{message}");
    assert!(!copy.exists());
    let nested = dir.path().join("no/such/dir/copy.db");
    refused(&db, &format!("VACUUM INTO '{}'", nested.display()));
    assert!(!dir.path().join("no").exists());
    for sql in [
        "VACUUM",
        "DELETE FROM profiling_rows",
        "INSERT INTO files (path, size, mtime_ns) VALUES ('x', 1, 1)",
        "UPDATE run_rows SET failed = 0",
        "DROP VIEW runs",
        "CREATE TEMP TABLE t (x)",
        "CREATE TABLE t (x)",
        "REINDEX",
        "ANALYZE",
        "DETACH DATABASE main",
        "SELECT load_extension('/nonexistent')",
    ] {
        refused(&db, sql);
    }
    assert_eq!(count(&db), 1);
    let rows = db.query("SELECT COUNT(*) AS n FROM profiling").unwrap();
    assert_eq!(rows.get::<i64>(0, "n").unwrap(), 3);
}

#[test]
fn setting_pragmas_is_refused_reading_schema_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("sql", "r1", 3)).unwrap();
    let db = MetaDb::open(dir.path());
    for sql in [
        "PRAGMA locking_mode = EXCLUSIVE",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA journal_mode",
        "PRAGMA query_only = OFF",
        "PRAGMA user_version = 7",
        "PRAGMA writable_schema = ON",
        "PRAGMA synchronous = FULL",
    ] {
        let message = refused(&db, sql);
        assert!(message.contains("PRAGMA"), "{sql}: {message}");
    }
    let cols = db.query("PRAGMA table_info(runs)").unwrap();
    assert_eq!(cols.get::<String>(0, "name").unwrap(), "dag_name");
    let cols = db
        .query("SELECT name FROM pragma_table_info('profiling') ORDER BY cid LIMIT 1")
        .unwrap();
    assert_eq!(cols.get::<String>(0, "name").unwrap(), "dag_name");
    // Read-only statements keep working, CTEs included.
    let t = db
        .query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT SUM(i) AS s FROM n")
        .unwrap();
    assert_eq!(t.get::<i64>(0, "s").unwrap(), 6);
    let explained = db.query("EXPLAIN QUERY PLAN SELECT * FROM runs").unwrap();
    assert!(!explained.is_empty());
    // The index is still in WAL mode: another MetaDb ingests while this one is open.
    write_run(dir.path(), &sample_run("sql", "r2", 3)).unwrap();
    assert_eq!(count(&MetaDb::open(dir.path())), 2);
    assert_eq!(count(&db), 2);
}

#[test]
fn several_statements_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &sample_run("sql", "r1", 3)).unwrap();
    let db = MetaDb::open(dir.path());
    refused(&db, "SELECT 1; DROP VIEW runs");
    refused(&db, "SELECT 1; SELECT 2");
    assert_eq!(count(&db), 1);
}

#[test]
fn refusals_say_what_was_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = MetaDb::open(dir.path());
    const ONLY_READ: &str = "queries may only read (SELECT, WITH, EXPLAIN, or a PRAGMA that \
        describes the schema such as table_info)";
    for (sql, what) in [
        ("BEGIN", "a transaction statement"),
        ("SAVEPOINT s", "a SAVEPOINT/RELEASE statement (s)"),
        ("ATTACH 'x.db' AS x", "ATTACH DATABASE \"x.db\""),
        (
            "PRAGMA journal_mode = DELETE",
            "PRAGMA journal_mode = DELETE",
        ),
        (
            "DROP VIEW runs",
            "a change of the schema (CREATE, DROP, ALTER)",
        ),
        ("VACUUM INTO 'x.db'", "a statement that writes"),
    ] {
        assert_eq!(refused(&db, sql), format!("refused {what}: {ONLY_READ}"));
    }
}
