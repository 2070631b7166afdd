//! Avro → SQLite: keeps the index tables in step with the run files on disk.

use std::collections::HashMap;
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rusqlite::{Connection, TransactionBehavior, params};

use super::read::decode;
use super::{MetaError, MetaWarning, PROFILING_DIR};

/// Version of the index layout below; an index with another `user_version` is rebuilt.
const SCHEMA_VERSION: i64 = 3;

/// Index layout. `files` tracks every ingested file (relative path, size, mtime, and the
/// rowid range of its rows, or the reason it was skipped); `profiling` and `runs` are views
/// that hide the bookkeeping columns.
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
    first_row INTEGER,
    last_row INTEGER,
    error TEXT
);
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
    run_started_at INTEGER NOT NULL
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
    attempt, run_started_at FROM profiling_rows;
CREATE VIEW runs AS SELECT dag_name, run_id, started_at, wall_clock, completed, failed,
    skipped, cancelled, max_workers, parallelism_efficiency FROM run_rows;
";

/// Prepares a connection: busy timeout, WAL, and the current index layout.
///
/// Switching a fresh database to WAL needs an exclusive lock and SQLite reports
/// `SQLITE_BUSY` at once (without waiting) when another process holds one, so the whole
/// setup is retried for up to the busy timeout.
pub(super) fn init(conn: &mut Connection, wal: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
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

/// How long any index operation waits for another process's lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

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
            tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// A run file seen on disk.
struct DiskFile {
    rel: String,
    abs: PathBuf,
    size: i64,
    mtime_ns: i64,
}

fn mtime_ns(md: &Metadata) -> i64 {
    md.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Lists `{meta_dir}/profiling/*/*.avro`, skipping hidden names (temporary files).
fn scan(meta_dir: &Path, warnings: &mut Vec<MetaWarning>) -> Result<Vec<DiskFile>, MetaError> {
    let root = meta_dir.join(PROFILING_DIR);
    let dags = match fs::read_dir(&root) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(MetaError::io("list directory", root, e)),
    };
    let mut out = Vec::new();
    for dag in dags {
        let dag = dag.map_err(|e| MetaError::io("list directory", &root, e))?;
        let dag_name = dag.file_name();
        let Some(dag_str) = dag_name.to_str().filter(|s| !s.starts_with('.')) else {
            continue;
        };
        let dag_path = dag.path();
        if !dag_path.is_dir() {
            continue;
        }
        let entries = match fs::read_dir(&dag_path) {
            Ok(e) => e,
            Err(e) => {
                warnings.push(MetaWarning {
                    path: dag_path,
                    message: format!("cannot list directory: {e}"),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') || !name.ends_with(".avro") {
                continue;
            }
            let abs = entry.path();
            // DirEntry::metadata stats relative to the open directory (cheap); it does not
            // follow symlinks, so those take the full path.
            let md = match entry.metadata() {
                Ok(md) if md.file_type().is_symlink() => fs::metadata(&abs),
                other => other,
            };
            let Ok(md) = md else { continue };
            if md.is_file() {
                out.push(DiskFile {
                    rel: format!("{PROFILING_DIR}/{dag_str}/{name}"),
                    abs,
                    size: i64::try_from(md.len()).unwrap_or(i64::MAX),
                    mtime_ns: mtime_ns(&md),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// `path → (id, size, mtime_ns, first_row, last_row)` of every indexed file.
type Known = HashMap<String, (i64, i64, i64, Option<i64>, Option<i64>)>;

fn load_known(conn: &Connection) -> rusqlite::Result<Known> {
    let mut stmt =
        conn.prepare_cached("SELECT path, id, size, mtime_ns, first_row, last_row FROM files")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
        ))
    })?;
    rows.collect()
}

fn up_to_date(known: &Known, f: &DiskFile) -> bool {
    known
        .get(&f.rel)
        .is_some_and(|k| k.1 == f.size && k.2 == f.mtime_ns)
}

fn forget(
    conn: &Connection,
    k: &(i64, i64, i64, Option<i64>, Option<i64>),
) -> rusqlite::Result<()> {
    if let (Some(first), Some(last)) = (k.3, k.4) {
        conn.prepare_cached("DELETE FROM profiling_rows WHERE row_id BETWEEN ?1 AND ?2")?
            .execute(params![first, last])?;
    }
    conn.prepare_cached("DELETE FROM run_rows WHERE file_id = ?1")?
        .execute([k.0])?;
    conn.prepare_cached("DELETE FROM files WHERE id = ?1")?
        .execute([k.0])?;
    Ok(())
}

/// Brings the index at `db_path` (already opened as `conn`) up to date with the files
/// under `meta_dir` in one transaction, and returns the warnings for every file that is
/// currently skipped.
pub(super) fn update_index(
    conn: &mut Connection,
    db_path: &Path,
    meta_dir: &Path,
) -> Result<Vec<MetaWarning>, MetaError> {
    let db_err = |e| MetaError::index(db_path, e);
    let mut warnings = Vec::new();
    let disk = scan(meta_dir, &mut warnings)?;
    let known = load_known(conn).map_err(db_err)?;
    let stale = |known: &Known| {
        let on_disk: HashMap<&str, ()> = disk.iter().map(|f| (f.rel.as_str(), ())).collect();
        known
            .keys()
            .filter(|p| !on_disk.contains_key(p.as_str()))
            .cloned()
            .collect::<Vec<String>>()
    };
    let needs_work = !stale(&known).is_empty() || disk.iter().any(|f| !up_to_date(&known, f));
    if needs_work {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        // Another process may have ingested while we waited for the write lock.
        let known = load_known(&tx).map_err(db_err)?;
        for path in stale(&known) {
            // Our scan may predate files another process ingested meanwhile: only forget
            // files that are really gone now.
            let gone = matches!(fs::symlink_metadata(meta_dir.join(&path)),
                Err(e) if e.kind() == io::ErrorKind::NotFound);
            if let (true, Some(k)) = (gone, known.get(&path)) {
                forget(&tx, k).map_err(db_err)?;
            }
        }
        // Files are read and decoded on a second thread while this one inserts the rows of
        // the previous ones (decoding is ~15 % of ingest; SQLite the rest).
        let todo: Vec<&DiskFile> = disk.iter().filter(|f| !up_to_date(&known, f)).collect();
        let stored = std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel(64);
            scope.spawn(move || {
                for f in todo {
                    if send.send((f, load(f))).is_err() {
                        break; // the inserting side stopped on an error
                    }
                }
            });
            for (f, loaded) in receive {
                store(&tx, &known, f, loaded, &mut warnings)?;
            }
            Ok::<(), rusqlite::Error>(())
        });
        stored.map_err(db_err)?;
        tx.commit().map_err(db_err)?;
    }
    let mut stmt = conn
        .prepare_cached("SELECT path, error FROM files WHERE error IS NOT NULL ORDER BY path")
        .map_err(db_err)?;
    let bad = stmt
        .query_map([], |r| {
            Ok(MetaWarning {
                path: meta_dir.join(r.get::<_, String>(0)?),
                message: r.get(1)?,
            })
        })
        .map_err(db_err)?;
    for w in bad {
        warnings.push(w.map_err(db_err)?);
    }
    Ok(warnings)
}

/// A file read and decoded, ready to be stored.
enum Loaded {
    /// The file vanished since the scan.
    Missing,
    /// It could not be read (not recorded: retried next time).
    Unreadable(String),
    /// Its size and mtime as read, and its decoded content or why it cannot be decoded.
    Read(
        i64,
        i64,
        Result<(super::record::RunMeta, Vec<super::read::Row>), String>,
    ),
}

/// Reads and decodes one file (runs on the reading thread).
fn load(f: &DiskFile) -> Loaded {
    let read = File::open(&f.abs).and_then(|mut file| {
        // Size and mtime of the very file we read (it may have been replaced since the scan).
        let md = file.metadata()?;
        let mut bytes = Vec::with_capacity(usize::try_from(md.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok((md, bytes))
    });
    match read {
        Ok((md, bytes)) => {
            let size = i64::try_from(md.len()).unwrap_or(i64::MAX);
            Loaded::Read(size, mtime_ns(&md), decode(&bytes))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Loaded::Missing,
        Err(e) => Loaded::Unreadable(format!("cannot read: {e}")),
    }
}

/// Replaces the rows of one loaded file. Read problems become warnings (not recorded, so
/// the file is retried next time); undecodable files are recorded with their error.
fn store(
    tx: &Connection,
    known: &Known,
    f: &DiskFile,
    loaded: Loaded,
    warnings: &mut Vec<MetaWarning>,
) -> rusqlite::Result<()> {
    let (size, mtime, decoded) = match loaded {
        Loaded::Missing => return Ok(()),
        Loaded::Unreadable(message) => {
            warnings.push(MetaWarning {
                path: f.abs.clone(),
                message,
            });
            return Ok(());
        }
        Loaded::Read(size, mtime, decoded) => (size, mtime, decoded),
    };
    if let Some(k) = known.get(&f.rel) {
        if k.1 == size && k.2 == mtime {
            return Ok(());
        }
        forget(tx, k)?;
    }
    let (meta, rows) = match decoded {
        Ok(d) => d,
        Err(message) => {
            tx.prepare_cached(
                "INSERT INTO files (path, size, mtime_ns, error) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![f.rel, size, mtime, message])?;
            return Ok(());
        }
    };
    let mut insert = tx.prepare_cached(
        "INSERT INTO profiling_rows (dag_name, dag_description, run_id, task_name,
            task_description, task_runtime, status, error, start_offset, end_offset, worker,
            attempt, run_started_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let (mut first, mut last) = (None, None);
    let mut counts = [0i64; 4];
    for r in &rows {
        let id = insert.insert(params![
            r.dag_name,
            r.dag_description,
            r.run_id,
            r.task_name,
            r.task_description,
            r.task_runtime,
            r.status,
            r.error,
            r.start_offset,
            r.end_offset,
            r.worker,
            r.attempt,
            r.run_started_at
        ])?;
        first.get_or_insert(id);
        last = Some(id);
        match r.status.as_str() {
            "completed" => counts[0] += 1,
            "failed" => counts[1] += 1,
            "skipped" => counts[2] += 1,
            "cancelled" => counts[3] += 1,
            _ => {}
        }
    }
    let file_id = tx
        .prepare_cached(
            "INSERT INTO files (path, size, mtime_ns, first_row, last_row)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .insert(params![f.rel, size, mtime, first, last])?;
    tx.prepare_cached(
        "INSERT INTO run_rows (file_id, dag_name, run_id, started_at, wall_clock, completed,
            failed, skipped, cancelled, max_workers, parallelism_efficiency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        file_id,
        meta.dag_name,
        meta.run_id,
        meta.started_at_micros,
        meta.wall_clock,
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        meta.max_workers,
        meta.parallelism_efficiency
    ])?;
    Ok(())
}
