//! The index database's layout, its set-up, and the check that it is ours.

use rusqlite::config::DbConfig;
use rusqlite::{Connection, TransactionBehavior};

/// Version of the index layout below; an index with another `user_version` is rebuilt.
const SCHEMA_VERSION: i64 = 6;

/// `PRAGMA application_id` of a dag index ("dagi"), so a foreign database is recognised.
const APPLICATION_ID: i64 = 0x6461_6769;

/// Tables and views of this and every earlier index layout (earlier ones carried no
/// application id).
const OUR_NAMES: &[&str] = &["files", "profiling_rows", "run_rows", "profiling", "runs"];

/// Index layout. `files` tracks every ingested file (relative path; size, mtime, inode and
/// ctime to notice changes, a BLAKE3 hash of the content to re-check files whose
/// timestamps were too recent to trust (`racy`); the rowid range of its rows, or the reason
/// it was skipped, or the file it duplicates); `profiling` and `runs` are views that hide
/// the bookkeeping columns.
const SCHEMA_SQL: &str = "
DROP VIEW IF EXISTS profiling;
DROP VIEW IF EXISTS runs;
DROP TABLE IF EXISTS profiling_rows;
DROP TABLE IF EXISTS run_rows;
DROP TABLE IF EXISTS files;
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    hash BLOB,
    racy INTEGER NOT NULL,
    first_row INTEGER,
    last_row INTEGER,
    error TEXT,
    dup_of INTEGER
);
CREATE INDEX files_dup_of ON files (dup_of) WHERE dup_of IS NOT NULL;
CREATE TABLE profiling_rows (
    row_id INTEGER PRIMARY KEY,
    dag_name TEXT NOT NULL,
    dag_description TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_name TEXT NOT NULL,
    task_description TEXT NOT NULL,
    task_runtime REAL NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    start_offset REAL NOT NULL,
    end_offset REAL NOT NULL,
    worker INTEGER,
    attempt INTEGER NOT NULL,
    run_started_at INTEGER NOT NULL,
    reused_from TEXT,
    element_index INTEGER
);
-- Covers the most common question, per-task runtimes, without touching the table.
CREATE INDEX profiling_task_runtime ON profiling_rows (task_name, task_runtime);
CREATE TABLE run_rows (
    file_id INTEGER PRIMARY KEY,
    dag_name TEXT NOT NULL,
    run_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    wall_clock REAL NOT NULL,
    completed INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    max_workers INTEGER NOT NULL,
    parallelism_efficiency REAL NOT NULL
);
CREATE INDEX runs_dag_run ON run_rows (dag_name, run_id);
CREATE VIEW profiling AS SELECT dag_name, dag_description, run_id, task_name,
    task_description, task_runtime, status, error, start_offset, end_offset, worker,
    attempt, run_started_at, reused_from, element_index FROM profiling_rows;
CREATE VIEW runs AS SELECT dag_name, run_id, started_at, wall_clock, completed, failed,
    skipped, cancelled, max_workers, parallelism_efficiency FROM run_rows;
";

/// How long any index operation waits for another process's lock.
pub(super) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// `None` if the database at `conn` is a dag index (or empty); else a description of what
/// it holds instead, e.g. `tables customers, orders`.
///
/// A dag index is never touched by anything but dag, so anything else is somebody's data:
/// it is refused, never rebuilt over.
pub(super) fn foreign_content(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app == APPLICATION_ID {
        return Ok(None);
    }
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let foreign: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !OUR_NAMES.contains(n))
        .collect();
    Ok(if app != 0 {
        Some(format!("application id {app:#x}"))
    } else if foreign.is_empty() {
        None
    } else {
        Some(format!("tables {}", foreign.join(", ")))
    })
}

/// Prepares a connection: busy timeout, WAL, and the current index layout.
///
/// Switching a fresh database to WAL needs an exclusive lock and SQLite reports
/// `SQLITE_BUSY` at once (without waiting) when another process holds one, so the whole
/// setup is retried for up to the busy timeout.
pub(super) fn init(conn: &mut Connection, wal: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Query-planner stability: without it SQLite re-prepares (re-parses and re-plans) the
    // per-file duplicate lookup of ingest on every new binding of its parameters, ~16 % of
    // ingest time (measured with perf). No query of ours needs plans chosen per value.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match try_init(conn, wal) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

fn try_init(conn: &mut Connection, wal: bool) -> rusqlite::Result<()> {
    // Larger pages: fewer B-tree splits while ingesting (only applies to a new index).
    conn.execute_batch("PRAGMA page_size = 8192")?;
    if wal {
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        }
        // No fsync: the index is a cache of the run files, rebuilt if a crash of the machine
        // damages it (`MetaDb` deletes an index SQLite reports as corrupt and ingests again).
        conn.execute_batch("PRAGMA synchronous = OFF")?;
    }
    // Big ingests touch tens of MB of pages; a larger cache avoids spilling them to the WAL
    // repeatedly mid-transaction (64 MB measured no better and slowed GROUP BY).
    conn.execute_batch("PRAGMA cache_size = -16384")?;
    let version = |c: &Connection| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0));
    if version(conn)? != SCHEMA_VERSION {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if version(&tx)? != SCHEMA_VERSION {
            tx.execute_batch(SCHEMA_SQL)?;
            tx.execute_batch(&format!(
                "PRAGMA user_version = {SCHEMA_VERSION}; PRAGMA application_id = {APPLICATION_ID}"
            ))?;
        }
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::meta::ingest::{PRIMARY_SQL, update_index};
    use crate::meta::{RunRecord, TaskRecord, write_run};

    #[test]
    fn ingest_prepares_its_duplicate_lookup_once_whatever_it_is_bound_to() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            let run = RunRecord {
                dag_name: "d".into(),
                dag_description: String::new(),
                run_id: format!("r{i}"),
                started_at_micros: 0,
                wall_clock: 1.0,
                max_workers: 1,
                parallelism_efficiency: 1.0,
                tasks: vec![TaskRecord::completed("t", "", 0.0, 1.0)],
            };
            write_run(dir.path(), &run).unwrap();
        }
        let path = dir.path().join("index.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        init(&mut conn, true).unwrap();
        assert!(
            update_index(&mut conn, &path, dir.path())
                .unwrap()
                .is_empty()
        );
        // The cached statement ingest used, with its counters: SQLite re-prepared it on
        // every new binding (10 times here) without the planner-stability setting.
        let stmt = conn.prepare_cached(PRIMARY_SQL).unwrap();
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}
