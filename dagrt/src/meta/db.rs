//! `MetaDb`: the query entry point over a meta dir (index upkeep, SQL, estimates).

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use super::guard::query_read_only;
use super::ingest::update_index;
use super::removal::{Dropped, drop_records};
use super::schema::{foreign_content, init};
use super::{INDEX_FILE, META_DIR_ENV, MetaError, MetaWarning, Table};

/// The meta dir used when none is given: `$DAG_META_DIR` if set and non-empty, else
/// `meta` (relative to the current directory).
pub fn default_meta_dir() -> PathBuf {
    match std::env::var_os(META_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from("meta"),
    }
}

/// Whether SQLite says the index file is damaged or not a database.
fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Identity of the index file we have open, to notice it being dropped or replaced by
/// another process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

fn file_id(path: &Path) -> Option<FileId> {
    let md = fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId(md.dev(), md.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = md;
        Some(FileId(0, 0))
    }
}

#[derive(Default)]
struct State {
    conn: Option<(Connection, Option<FileId>)>,
    last_warnings: Vec<MetaWarning>,
}

/// SQL access to the run records of one meta dir.
///
/// Every query first ingests new and changed run files into the SQLite index at
/// `{dir}/index.sqlite` (one transaction; files are tracked by path, size, mtime, inode and
/// ctime, and files whose timestamps are too recent to trust by a content hash) and
/// forgets vanished ones, so it sees every run whose [`write_run`](super::write_run)
/// returned before the query started. Several threads (the type is `Sync`) and processes
/// may query and write the same dir at once: the index uses WAL mode and waits up to two
/// minutes for a busy lock.
///
/// If the meta dir does not exist, queries run against empty `profiling` and `runs` tables
/// and nothing is created on disk; the index is created by the first query on an existing
/// dir. An `index.sqlite` that dag did not create is left alone and reported as
/// [`MetaError::ForeignIndex`]; one SQLite cannot read is deleted and rebuilt.
///
/// User SQL can only read: see [`MetaDb::query`].
pub struct MetaDb {
    dir: PathBuf,
    state: Mutex<State>,
}

impl Default for MetaDb {
    fn default() -> Self {
        Self::new()
    }
}

impl MetaDb {
    /// A database over [`default_meta_dir`]. Touches nothing on disk.
    pub fn new() -> Self {
        Self::open(default_meta_dir())
    }

    /// A database over the meta dir `dir`. Touches nothing on disk: errors (e.g. an
    /// unwritable dir) surface on the first query.
    pub fn open(dir: impl Into<PathBuf>) -> Self {
        MetaDb {
            dir: dir.into(),
            state: Mutex::new(State::default()),
        }
    }

    /// The meta dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the SQLite index, `{dir}/index.sqlite`.
    pub fn index_path(&self) -> PathBuf {
        self.dir.join(INDEX_FILE)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves nothing half-done worth refusing.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Brings the index up to date and runs `f` on it; with a missing meta dir, runs `f`
    /// on an empty in-memory index instead.
    fn with_index<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, MetaError>,
    ) -> Result<(T, Vec<MetaWarning>), MetaError> {
        let mut state = self.lock();
        match fs::metadata(&self.dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                state.conn = None;
                let mem = PathBuf::from(":memory:");
                let mut conn =
                    Connection::open_in_memory().map_err(|e| MetaError::index(&mem, e))?;
                init(&mut conn, false).map_err(|e| MetaError::index(&mem, e))?;
                state.last_warnings.clear();
                return Ok((f(&mut conn)?, Vec::new()));
            }
            Err(e) => return Err(MetaError::io("access meta dir", &self.dir, e)),
            Ok(md) if !md.is_dir() => {
                let e = io::Error::other("not a directory");
                return Err(MetaError::io("use meta dir", &self.dir, e));
            }
            Ok(_) => {}
        }
        let path = self.index_path();
        // The index is only a cache of the run files (and written without fsync, see
        // `ingest::init`): one that SQLite finds damaged is deleted and rebuilt, once.
        let warnings = match self.open_and_update(&mut state, &path) {
            Err(MetaError::Index { source, .. }) if is_corrupt(&source) => {
                state.conn = None;
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = fs::remove_file(PathBuf::from(file));
                }
                self.open_and_update(&mut state, &path)?
            }
            other => other?,
        };
        let Some((conn, _)) = state.conn.as_mut() else {
            // open_and_update leaves an open connection whenever it succeeds.
            return Err(MetaError::io(
                "open the index",
                &path,
                io::Error::other("no connection"),
            ));
        };
        conn.execute_batch("PRAGMA query_only = ON")
            .map_err(|e| MetaError::index(&path, e))?;
        let result = f(conn);
        let reset = conn.execute_batch("PRAGMA query_only = OFF");
        let value = result?;
        reset.map_err(|e| MetaError::index(&path, e))?;
        state.last_warnings.clone_from(&warnings);
        Ok((value, warnings))
    }

    /// Opens the index (or reuses the open connection) and ingests new or changed files.
    fn open_and_update(
        &self,
        state: &mut State,
        path: &Path,
    ) -> Result<Vec<MetaWarning>, MetaError> {
        let current = file_id(path);
        if state
            .conn
            .as_ref()
            .is_some_and(|(_, id)| *id != current || current.is_none())
        {
            state.conn = None; // dropped or replaced by someone else: reopen
        }
        let (conn, _) = match &mut state.conn {
            Some(c) => c,
            slot @ None => {
                let mut conn = Connection::open(path).map_err(|e| MetaError::index(path, e))?;
                if let Some(found) =
                    foreign_content(&conn).map_err(|e| MetaError::index(path, e))?
                {
                    return Err(MetaError::ForeignIndex {
                        path: path.to_owned(),
                        found,
                    });
                }
                init(&mut conn, true).map_err(|e| MetaError::index(path, e))?;
                slot.insert((conn, file_id(path)))
            }
        };
        update_index(conn, path, &self.dir)
    }

    /// Runs one SQL statement against the `profiling` and `runs` views (see the
    /// [module docs](super)) after bringing the index up to date, and returns its rows.
    ///
    /// The statement may only read: `SELECT`, `WITH`, `EXPLAIN`, and the pragmas that
    /// describe the schema (`table_info`, `table_xinfo`, `table_list`, `index_list`,
    /// `index_info`, `index_xinfo`, `function_list`, `collation_list`, `pragma_list`,
    /// `compile_options`, also as table-valued functions). Everything else — writes,
    /// `BEGIN`/`COMMIT`/`SAVEPOINT`, `ATTACH`/`DETACH`, `VACUUM` (also `INTO`), other
    /// pragmas, `load_extension`, several statements at once — is refused by SQLite's
    /// authorizer before it runs, with [`MetaError::Sql`] saying what was refused; nothing
    /// of it stays on the connection, and the index keeps working for every process.
    ///
    /// Files that could not be ingested are skipped and listed in [`Table::warnings`] (and
    /// [`MetaDb::last_warnings`]). Errors: [`MetaError::Sql`] (with SQLite's message and the
    /// query) for a bad or refused statement; [`MetaError::Io`] / [`MetaError::Index`]
    /// naming the path when the meta dir or index cannot be used (e.g. not writable).
    pub fn query(&self, sql: &str) -> Result<Table, MetaError> {
        let (table, warnings) = self.with_index(|conn| query_read_only(conn, sql))?;
        Ok(table.with_warnings(warnings))
    }

    /// Brings the index up to date without querying; returns the warnings.
    pub fn refresh(&self) -> Result<Vec<MetaWarning>, MetaError> {
        Ok(self.with_index(|_| Ok(()))?.1)
    }

    /// The warnings of the latest query, refresh or estimate on this `MetaDb`.
    pub fn last_warnings(&self) -> Vec<MetaWarning> {
        self.lock().last_warnings.clone()
    }

    /// Each task's mean `task_runtime` (seconds) over the runs of `dag_name` in which that
    /// task completed (failed, skipped and cancelled attempts are left out). Tasks that
    /// never completed are absent (and so are the rows of `#[each]` elements). Meant to seed a
    /// duration estimator.
    pub fn mean_runtimes(&self, dag_name: &str) -> Result<HashMap<String, f64>, MetaError> {
        const SQL: &str = "SELECT task_name, AVG(task_runtime) FROM profiling
            WHERE dag_name = ?1 AND status = ?2 AND element_index IS NULL
            GROUP BY task_name";
        let (table, _) = self.with_index(|conn| {
            let mut stmt = conn.prepare_cached(SQL).map_err(|e| MetaError::Sql {
                query: SQL.to_owned(),
                message: e.to_string(),
            })?;
            let completed = crate::NodeStatus::Completed.as_str();
            Table::collect(&mut stmt, [dag_name, completed], SQL)
        })?;
        let mut out = HashMap::with_capacity(table.len());
        for i in 0..table.len() {
            out.insert(
                table.get(i, "task_name")?,
                table.get(i, "AVG(task_runtime)")?,
            );
        }
        Ok(out)
    }

    /// Deletes every record: the `profiling` directory with all run files (and leftover
    /// temporary files) and the index (not a foreign `index.sqlite`, see
    /// [`MetaError::ForeignIndex`]), and says what it removed. Idempotent; a missing meta
    /// dir is fine. The meta dir itself and unrelated files in it are kept.
    ///
    /// Safe while other threads and processes write and query: the `profiling` directory
    /// is first moved aside in one rename, so a concurrent [`write_run`](super::write_run)
    /// lands either before the drop (and is removed, and counted, by it) or after it (and
    /// is kept); neither the writer nor the drop fails because of the other.
    #[allow(clippy::should_implement_trait)]
    pub fn drop(&self) -> Result<Dropped, MetaError> {
        let mut state = self.lock();
        state.conn = None;
        state.last_warnings.clear();
        drop_records(&self.dir)
    }
}
