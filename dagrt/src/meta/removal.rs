//! `MetaDb::drop`: removing every record safely while writers may be active.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::temp::is_temp_name;
use super::{INDEX_FILE, MetaError, PROFILING_DIR};

/// What [`MetaDb::drop`](super::MetaDb::drop) removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Run files (`*.avro`) removed.
    pub run_files: usize,
    /// Temporary files of writers removed (finished or killed ones).
    pub temp_files: usize,
    /// Other files and directories removed from the profiling tree (not counting the
    /// per-DAG directories themselves).
    pub other_files: usize,
    /// Whether an index database (`index.sqlite` and its `-wal`/`-shm`/`-journal` files)
    /// was removed.
    pub index_removed: bool,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "removed {} run files, {} temporary files, {} other files",
            self.run_files, self.temp_files, self.other_files
        )?;
        if self.index_removed {
            f.write_str(" and the index")?;
        }
        Ok(())
    }
}

/// Prefix of the hidden directory `drop` moves the profiling tree to before deleting it.
const DROPPED_PREFIX: &str = ".dag-dropped-";

/// Moves `{dir}/profiling` aside in one atomic rename (so writers that come later start a
/// fresh tree and never see a half-deleted one), then deletes it and any tree an earlier,
/// interrupted drop left aside, and finally the index files (unless `index.sqlite` is a
/// foreign database, which is left alone).
pub(super) fn drop_records(dir: &Path) -> Result<Dropped, MetaError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut dropped = Dropped::default();
    let profiling = dir.join(PROFILING_DIR);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let aside = dir.join(format!("{DROPPED_PREFIX}{}-{n}", std::process::id()));
    match fs::rename(&profiling, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(MetaError::io("move aside", profiling, e)),
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(dropped),
        Err(e) => return Err(MetaError::io("list directory", dir, e)),
    };
    let asides: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(DROPPED_PREFIX))
        .map(|e| e.path())
        .collect();
    for tree in asides {
        remove_tree(&tree, 0, &mut dropped)?;
    }
    if is_foreign(&dir.join(INDEX_FILE)) {
        return Ok(dropped); // somebody's database, not our index: left alone
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = dir.join(format!("{INDEX_FILE}{suffix}"));
        match fs::remove_file(&p) {
            Ok(()) => dropped.index_removed = true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(MetaError::io("remove", p, e)),
        }
    }
    Ok(dropped)
}

/// Whether `path` is an SQLite database dag did not create (see
/// [`foreign_content`](super::schema::foreign_content)). A missing, damaged or unreadable
/// file is not: it is only ever our index.
fn is_foreign(path: &Path) -> bool {
    if !path.is_file() {
        return false;
    }
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    rusqlite::Connection::open_with_flags(path, flags)
        .and_then(|conn| super::schema::foreign_content(&conn))
        .is_ok_and(|found| found.is_some())
}

/// Deletes the directory `tree`, counting what it held. A write in flight when the tree
/// was moved aside may still add a file to it; the directory is then listed again.
fn remove_tree(tree: &Path, depth: usize, dropped: &mut Dropped) -> Result<(), MetaError> {
    /// Rounds of listing a directory that keeps gaining entries (only writes that were in
    /// flight at the rename can add any, so two rounds are the most ever seen).
    const ROUNDS: usize = 1_000;
    for _ in 0..ROUNDS {
        let entries = match fs::read_dir(tree) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(MetaError::io("list directory", tree, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| MetaError::io("list directory", tree, e))?;
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                remove_tree(&path, depth + 1, dropped)?;
                if depth > 0 {
                    dropped.other_files += 1;
                }
                continue;
            }
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(MetaError::io("remove", path, e)),
            }
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if is_temp_name(&name) {
                dropped.temp_files += 1;
            } else if depth == 1 && name.ends_with(".avro") {
                dropped.run_files += 1;
            } else {
                dropped.other_files += 1;
            }
        }
        match fs::remove_dir(tree) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => {}
            Err(e) => return Err(MetaError::io("remove directory", tree, e)),
        }
    }
    Err(MetaError::io(
        "remove directory",
        tree,
        io::Error::other("it keeps gaining entries"),
    ))
}
