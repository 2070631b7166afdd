//! The hidden temporary files of record writers: their names, and the clean-up of those
//! left behind by killed writers.

use std::collections::HashSet;
use std::fs::{self, DirEntry};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, SystemTime};

/// How old (by modification time) a hidden temporary file of [`write_run`](super::write_run) must be before
/// it is deleted as left behind by a killed writer: by every query, and by the first
/// [`write_run`](super::write_run) of a process into that DAG's directory. A live writer touches its
/// temporary file for well under a second before renaming it.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(10 * 60);

/// Marks the hidden temporary files of [`write_run`](super::write_run): `.{file}.avro.tmp-{pid}-{n}`.
const TEMP_MARK: &str = ".avro.tmp-";

/// Whether `name` is one of [`write_run`](super::write_run)'s hidden temporary file names.
pub(super) fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_MARK)
}

/// Deletes `entry` if it is a temporary file of a writer older than [`STALE_TEMP_AGE`]
/// (a killed writer's), judged by its own modification time.
pub(super) fn clean_stale_temp(entry: &DirEntry, now: SystemTime) {
    let old = entry
        .metadata()
        .ok()
        .filter(|md| md.is_file())
        .and_then(|md| md.modified().ok())
        .and_then(|m| now.duration_since(m).ok())
        .is_some_and(|age| age > STALE_TEMP_AGE);
    if old {
        // Another query may have removed it first; either way it is gone.
        let _ = fs::remove_file(entry.path());
    }
}

/// Deletes the old temporary files of killed writers in the DAG directory `dir` (see
/// [`STALE_TEMP_AGE`]), the first time this process calls it for `dir`: [`write_run`](super::write_run) calls
/// it after each write, so a directory is listed once per process, whatever the number of
/// runs it writes there, and stale files go even where nobody queries.
pub(super) fn clean_stale_temps_once(dir: &Path) {
    static CLEANED: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Mutex::default);
    // A panic while holding the lock leaves a set that is still right.
    let first = CLEANED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(dir.to_owned());
    if !first {
        return;
    }
    // Best effort: a directory that cannot be listed now is cleaned by a later query.
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(is_temp_name) {
            clean_stale_temp(&entry, now);
        }
    }
}
