//! Directory scans and least-recently-used eviction for the cache store.

use super::CacheError;
use super::entry::is_temp_name;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Temporary files older than this are assumed abandoned by a crashed writer.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60 * 60);

/// One entry file found by a scan.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) path: PathBuf,
    pub(super) len: u64,
    pub(super) mtime: SystemTime,
}

/// The entry files under `objects` and their total size.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub(super) entries: Vec<Entry>,
    pub(super) total: u64,
}

/// Lists the entries under `objects/*/`. Files vanishing mid-scan (a
/// concurrent eviction) are skipped; unknown files are ignored. With
/// `remove_stale_temps`, temporary files older than an hour are removed
/// (younger ones may belong to a live writer and are never touched).
pub(super) fn scan(objects: &Path, remove_stale_temps: bool) -> Result<Scan, CacheError> {
    let mut scan = Scan::default();
    let shards = match fs::read_dir(objects) {
        Ok(shards) => shards,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(scan),
        Err(e) => return Err(CacheError::io("list", objects, e)),
    };
    let now = SystemTime::now();
    for shard in shards {
        let shard = shard.map_err(|e| CacheError::io("list", objects, e))?;
        if !shard.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let shard_path = shard.path();
        let files = match fs::read_dir(&shard_path) {
            Ok(files) => files,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CacheError::io("list", shard_path, e)),
        };
        for file in files {
            let file = file.map_err(|e| CacheError::io("list", &shard_path, e))?;
            let name = file.file_name();
            let Some(name) = name.to_str() else { continue };
            let meta = match file.metadata() {
                Ok(meta) if meta.is_file() => meta,
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(CacheError::io("stat", file.path(), e)),
            };
            let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if is_temp_name(name) {
                let stale = now
                    .duration_since(mtime)
                    .is_ok_and(|age| age > STALE_TEMP_AGE);
                if remove_stale_temps && stale {
                    let _ = fs::remove_file(file.path());
                }
            } else if name.ends_with(super::entry::ENTRY_SUFFIX) {
                scan.total += meta.len();
                scan.entries.push(Entry {
                    path: file.path(),
                    len: meta.len(),
                    mtime,
                });
            }
        }
    }
    Ok(scan)
}

/// Scans `objects` and, if its entries exceed `max_bytes`, removes the least
/// recently used ones (oldest mtime first, ties broken by path) until the total
/// is at most 90% of `max_bytes`. `keep` is never removed. Returns the total
/// size left.
pub(super) fn evict(objects: &Path, max_bytes: u64, keep: &Path) -> Result<u64, CacheError> {
    let Scan {
        mut entries,
        mut total,
    } = scan(objects, true)?;
    if total <= max_bytes {
        return Ok(total);
    }
    let target = (u128::from(max_bytes) * 9 / 10) as u64;
    entries.sort_unstable_by(|a, b| a.mtime.cmp(&b.mtime).then_with(|| a.path.cmp(&b.path)));
    for entry in entries {
        if total <= target {
            break;
        }
        if entry.path == keep {
            continue;
        }
        match fs::remove_file(&entry.path) {
            Ok(()) => total -= entry.len,
            Err(e) if e.kind() == io::ErrorKind::NotFound => total -= entry.len,
            Err(e) => return Err(CacheError::io("evict", entry.path, e)),
        }
    }
    Ok(total)
}
