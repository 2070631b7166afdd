//! Avro → SQLite: keeps the index tables in step with the run files on disk.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;
use std::time::SystemTime;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::load::{Loaded, load};
use super::read::{Row, parse_status};
use super::record::{RunMeta, run_path};
use super::scan::{DiskFile, Identity, scan};
use super::{MetaError, MetaWarning, PROFILING_DIR};
use crate::NodeStatus;

/// What the index knows of one file (its content hash is only looked up when needed, see
/// [`same_content`]: every query loads this for every file).
struct Known {
    id: i64,
    ident: Identity,
    racy: bool,
    rows: (Option<i64>, Option<i64>),
}

fn load_known(conn: &Connection) -> rusqlite::Result<HashMap<String, Known>> {
    let mut stmt = conn.prepare_cached(
        "SELECT path, id, size, mtime_ns, ino, ctime_ns, racy, first_row, last_row FROM files",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Known {
                id: r.get(1)?,
                ident: Identity {
                    size: r.get(2)?,
                    mtime_ns: r.get(3)?,
                    ino: r.get(4)?,
                    ctime_ns: r.get(5)?,
                },
                racy: r.get(6)?,
                rows: (r.get(7)?, r.get(8)?),
            },
        ))
    })?;
    rows.collect()
}

/// Whether the indexed file `k` has the content hash `hash`.
fn same_content(tx: &Connection, k: &Known, hash: Option<&[u8; 32]>) -> rusqlite::Result<bool> {
    let stored: Option<Vec<u8>> = tx
        .prepare_cached("SELECT hash FROM files WHERE id = ?1")?
        .query_row([k.id], |r| r.get(0))?;
    Ok(stored.as_deref() == hash.map(|h| &h[..]))
}

/// Whether the index holds `f` as it is on disk without reading it again: same identity,
/// and timestamps old enough to trust (else the content hash is compared).
fn fresh(known: &HashMap<String, Known>, f: &DiskFile) -> bool {
    known
        .get(&f.rel)
        .is_some_and(|k| k.ident == f.id && !k.racy)
}

/// Removes a file's rows and entry. Files recorded as its duplicates lose their entry too
/// (to be ingested again: one of them may count now); returns whether there were any.
fn forget(conn: &Connection, k: &Known) -> rusqlite::Result<bool> {
    if let (Some(first), Some(last)) = k.rows {
        conn.prepare_cached("DELETE FROM profiling_rows WHERE row_id BETWEEN ?1 AND ?2")?
            .execute(params![first, last])?;
    }
    conn.prepare_cached("DELETE FROM run_rows WHERE file_id = ?1")?
        .execute([k.id])?;
    conn.prepare_cached("DELETE FROM files WHERE id = ?1")?
        .execute([k.id])?;
    let released = conn
        .prepare_cached("DELETE FROM files WHERE dup_of = ?1")?
        .execute([k.id])?;
    Ok(released > 0)
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
    let now = SystemTime::now();
    let disk = scan(meta_dir, now, &mut warnings)?;
    let on_disk: HashSet<&str> = disk.iter().map(|f| f.rel.as_str()).collect();
    let stale = |known: &HashMap<String, Known>| {
        let mut gone: Vec<String> = known
            .keys()
            .filter(|p| !on_disk.contains(p.as_str()))
            .cloned()
            .collect();
        gone.sort();
        gone
    };
    let known = load_known(conn).map_err(db_err)?;
    let needs_work = !stale(&known).is_empty() || disk.iter().any(|f| !fresh(&known, f));
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
        let known = load_known(&tx).map_err(db_err)?;
        // Files are read and decoded on a second thread while this one inserts the rows of
        // the previous ones (decoding is ~15 % of ingest; SQLite the rest).
        let todo: Vec<&DiskFile> = disk.iter().filter(|f| !fresh(&known, f)).collect();
        let released = std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel(64);
            scope.spawn(move || {
                for f in todo {
                    if send.send((f, load(f))).is_err() {
                        break; // the inserting side stopped on an error
                    }
                }
            });
            let mut released = false;
            for (f, loaded) in receive {
                released |= store(&tx, &known, f, loaded, now, &mut warnings)?;
            }
            Ok::<bool, rusqlite::Error>(released)
        });
        if released.map_err(db_err)? {
            // Duplicates of files that changed lost their entries: take them in again.
            let known = load_known(&tx).map_err(db_err)?;
            for f in disk.iter().filter(|f| !known.contains_key(&f.rel)) {
                store(&tx, &known, f, load(f), now, &mut warnings).map_err(db_err)?;
            }
        }
        tx.commit().map_err(db_err)?;
    }
    skipped(conn, meta_dir, &mut warnings).map_err(db_err)?;
    Ok(warnings)
}

/// Appends a warning for every indexed file that is skipped: unreadable or a duplicate.
fn skipped(
    conn: &Connection,
    meta_dir: &Path,
    warnings: &mut Vec<MetaWarning>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.path, f.error, p.path, r.dag_name, r.run_id FROM files f
         LEFT JOIN files p ON p.id = f.dup_of LEFT JOIN run_rows r ON r.file_id = f.dup_of
         WHERE f.error IS NOT NULL OR f.dup_of IS NOT NULL ORDER BY f.path",
    )?;
    let rows = stmt.query_map([], |r| {
        let message = match r.get::<_, Option<String>>(1)? {
            Some(error) => error,
            None => format!(
                "the same run (DAG {:?}, run {:?}) as {}: counted once",
                r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                meta_dir
                    .join(r.get::<_, Option<String>>(2)?.unwrap_or_default())
                    .display()
            ),
        };
        Ok(MetaWarning {
            path: meta_dir.join(r.get::<_, String>(0)?),
            message,
        })
    })?;
    for w in rows {
        warnings.push(w?);
    }
    Ok(())
}

/// The path, relative to the meta dir, that `write_run` gives this run.
fn canonical_rel(meta: &RunMeta) -> Option<String> {
    let p = run_path(Path::new(""), &meta.dag_name, &meta.run_id).ok()?;
    let p = p.to_str()?;
    p.starts_with(PROFILING_DIR).then(|| p.replace('\\', "/"))
}

/// The file already counted for a run (`?1` DAG name, `?2` run id): its id and path.
pub(super) const PRIMARY_SQL: &str = "SELECT f.id, f.path FROM run_rows r
    JOIN files f ON f.id = r.file_id WHERE r.dag_name = ?1 AND r.run_id = ?2";

/// Stores one loaded file. Read problems become warnings (not recorded, so the file is
/// retried next time); undecodable files are recorded with their error; a second file of a
/// run already indexed is recorded as its duplicate (the run file's own name wins). Returns
/// whether entries of duplicates were released (see [`forget`]).
fn store(
    tx: &Connection,
    known: &HashMap<String, Known>,
    f: &DiskFile,
    loaded: Loaded,
    now: SystemTime,
    warnings: &mut Vec<MetaWarning>,
) -> rusqlite::Result<bool> {
    let (ident, hash, decoded) = match loaded {
        Loaded::Missing => return Ok(false),
        Loaded::Unreadable(message) => {
            warnings.push(MetaWarning {
                path: f.abs.clone(),
                message,
            });
            return Ok(false);
        }
        Loaded::Read(ident, hash, decoded) => (ident, hash, decoded),
    };
    let racy = ident.is_racy(now);
    let mut released = false;
    if let Some(k) = known.get(&f.rel) {
        if k.ident == ident && same_content(tx, k, hash.as_ref())? {
            // Same content: only whether its timestamps can be trusted from now on changes.
            tx.prepare_cached("UPDATE files SET racy = ?1 WHERE id = ?2")?
                .execute(params![racy, k.id])?;
            return Ok(false);
        }
        released = forget(tx, k)?;
    }
    let hash = hash.as_ref().map(|h| &h[..]);
    let insert_file = |first: Option<i64>, last: Option<i64>, error: Option<&str>, dup_of| {
        tx.prepare_cached(
            "INSERT INTO files (path, size, mtime_ns, ino, ctime_ns, hash, racy, first_row,
                last_row, error, dup_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .insert(params![
            f.rel,
            ident.size,
            ident.mtime_ns,
            ident.ino,
            ident.ctime_ns,
            hash,
            racy,
            first,
            last,
            error,
            dup_of
        ])
    };
    let (meta, rows) = match decoded {
        Ok(d) => d,
        Err(message) => {
            insert_file(None, None, Some(&message), None)?;
            return Ok(released);
        }
    };
    let primary: Option<(i64, String)> = tx
        .prepare_cached(PRIMARY_SQL)?
        .query_row(params![meta.dag_name, meta.run_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let canonical = canonical_rel(&meta);
    let demote = match primary {
        Some((id, ref path))
            if canonical.as_deref() == Some(f.rel.as_str()) && canonical.as_ref() != Some(path) =>
        {
            Some(id)
        }
        Some((id, _)) => {
            insert_file(None, None, None, Some(id))?;
            return Ok(released);
        }
        None => None,
    };
    let file_id = insert_rows(tx, &meta, &rows, |first, last| {
        insert_file(first, last, None, None)
    })?;
    if let Some(old) = demote {
        // This file has the run's own name: the copy counted so far becomes the duplicate.
        let (first, last): (Option<i64>, Option<i64>) = tx
            .prepare_cached("SELECT first_row, last_row FROM files WHERE id = ?1")?
            .query_row([old], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if let (Some(first), Some(last)) = (first, last) {
            tx.prepare_cached("DELETE FROM profiling_rows WHERE row_id BETWEEN ?1 AND ?2")?
                .execute(params![first, last])?;
        }
        tx.prepare_cached("DELETE FROM run_rows WHERE file_id = ?1")?
            .execute([old])?;
        tx.prepare_cached(
            "UPDATE files SET first_row = NULL, last_row = NULL, dup_of = ?1
             WHERE id = ?2 OR dup_of = ?2",
        )?
        .execute(params![file_id, old])?;
    }
    Ok(released)
}

/// Inserts a decoded run's rows, then its `files` entry (via `insert_file(first, last)`)
/// and its `run_rows` entry. Returns the file id.
fn insert_rows(
    tx: &Connection,
    meta: &RunMeta,
    rows: &[Row],
    insert_file: impl FnOnce(Option<i64>, Option<i64>) -> rusqlite::Result<i64>,
) -> rusqlite::Result<i64> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO profiling_rows (dag_name, dag_description, run_id, task_name,
            task_description, task_runtime, status, error, start_offset, end_offset, worker,
            attempt, run_started_at, reused_from, element_index)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    let (mut first, mut last) = (None, None);
    let mut counts = [0i64; 4];
    for r in rows {
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
            r.run_started_at,
            r.reused_from,
            r.element_index
        ])?;
        first.get_or_insert(id);
        last = Some(id);
        // A run's counts are of tasks: the rows of `#[each]` elements are left out.
        match parse_status(&r.status) {
            _ if r.element_index.is_some() => {}
            Some(NodeStatus::Completed) => counts[0] += 1,
            // A run's `failed` count includes its timed-out tasks (their rows say `timed_out`).
            Some(NodeStatus::Failed | NodeStatus::TimedOut) => counts[1] += 1,
            Some(NodeStatus::Skipped) => counts[2] += 1,
            Some(NodeStatus::Cancelled) => counts[3] += 1,
            None => {}
        }
    }
    let file_id = insert_file(first, last)?;
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
    Ok(file_id)
}
