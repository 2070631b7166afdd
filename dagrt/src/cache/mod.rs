//! A content-addressed store for task outputs, safe to share between threads and processes.
//!
//! Entries live in `{dir}/objects/{first 2 hex}/{key hex}.bin`, each a small
//! checksummed header followed by the entry's own 32-byte key and the payload; a file whose
//! recorded key is not the one its name says (copied or renamed by hand) is refused. Writes go to a temporary file
//! that is fsynced and renamed into place, so readers never see a partial
//! entry; concurrent writers of one key write identical content, so the last
//! rename wins harmlessly. A hit refreshes the entry's mtime, and eviction
//! removes the entries with the oldest mtime first (least recently used).
//! (See `examples.rs` for the store in use.)

pub(crate) mod entry;
mod error;
mod evict;
#[cfg(test)]
mod examples;
mod key;
#[cfg(test)]
mod tests;

pub use error::CacheError;
pub use key::{Key, KeyBuilder};

use entry::Found;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

/// Length of the key recorded at the start of every entry's payload.
const KEY_LEN: usize = 32;
/// Default size budget: 1 GiB.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// After this many puts without a directory scan, the next put rescans, so
/// entries written by other processes are accounted for.
const RESCAN_EVERY: u32 = 256;

/// A directory of cached task outputs addressed by [`Key`].
///
/// Size accounting: the store keeps a running estimate of its size, seeded by
/// a directory scan and increased by each `put`. When the estimate would pass
/// the budget, or every 256 puts, the `put` rescans the directory (one
/// `read_dir` per shard plus one `stat` per entry) and, if the real size is
/// over [`max_bytes`](CacheStore::max_bytes), evicts least-recently-used
/// entries until the size is at most 90% of it (sorting the scan: O(n log n)).
/// Writes by other processes are therefore noticed late, so the directory can
/// temporarily exceed the budget by what they wrote since the last rescan.
#[derive(Debug)]
pub struct CacheStore {
    /// The directory given to `open` (read by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    dir: PathBuf,
    objects: PathBuf,
    max_bytes: u64,
    usage: Mutex<Usage>,
}

/// Running size estimate; `bytes` is `None` until the first scan.
#[derive(Debug, Default)]
struct Usage {
    bytes: Option<u64>,
    puts_since_scan: u32,
}

impl CacheStore {
    /// Opens (creating if needed) the store rooted at `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<CacheStore, CacheError> {
        let dir = dir.into();
        let objects = dir.join("objects");
        fs::create_dir_all(&objects)
            .map_err(|e| CacheError::io("create directory", &objects, e))?;
        Ok(CacheStore {
            dir,
            objects,
            max_bytes: DEFAULT_MAX_BYTES,
            usage: Mutex::new(Usage::default()),
        })
    }

    /// Sets the size budget in bytes (entry files including headers; default 1 GiB).
    #[must_use]
    pub fn max_bytes(mut self, max: u64) -> CacheStore {
        self.max_bytes = max;
        self
    }

    /// The cache directory to use by default: `$DAG_CACHE_DIR` if set and
    /// non-empty, else `.dag-cache` (relative to the working directory).
    pub fn default_dir() -> PathBuf {
        match std::env::var_os("DAG_CACHE_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(".dag-cache"),
        }
    }

    /// The store's root directory.
    #[cfg(test)]
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// The file holding `key`'s entry (which may not exist).
    pub fn entry_path(&self, key: &Key) -> PathBuf {
        let hex = key.to_string();
        self.objects
            .join(&hex[..2])
            .join(format!("{hex}{}", entry::ENTRY_SUFFIX))
    }

    /// Reads the entry for `key`: `Ok(None)` when absent.
    ///
    /// A truncated, garbled or otherwise invalid entry, an entry recording another key, and
    /// anything that is not a regular file (a directory, a FIFO: never opened) are removed and
    /// reported as [`CacheError::Corrupt`]; the next `get` of that key returns `Ok(None)`.
    /// A hit sets the entry's mtime to now (best effort: a read-only cache still
    /// serves hits), which is what eviction orders by.
    pub fn get(&self, key: &Key) -> Result<Option<Vec<u8>>, CacheError> {
        let path = self.entry_path(key);
        let file = match entry::read_entry_file(&path) {
            Ok(Found::File(file)) => file,
            Ok(Found::Missing) => return Ok(None),
            Ok(Found::Other(kind)) => {
                entry::remove_any(&path);
                return Err(CacheError::Corrupt {
                    path,
                    reason: format!("{kind} is where the entry should be (removed)"),
                });
            }
            Err(e) => return Err(CacheError::io("read", path, e)),
        };
        let payload =
            entry::decode_entry(file).and_then(|mut payload| match payload.get(..KEY_LEN) {
                Some(recorded) if recorded == key.as_bytes() => {
                    payload.drain(..KEY_LEN);
                    Ok(payload)
                }
                Some(recorded) => Err(format!(
                    "the file holds the entry of key {}, not of {key} (copied or renamed)",
                    hex(recorded)
                )),
                None => Err("the entry records no key".to_owned()),
            });
        match payload {
            Ok(payload) => {
                let _ = OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_modified(SystemTime::now()));
                Ok(Some(payload))
            }
            Err(reason) => {
                let _ = fs::remove_file(&path);
                Err(CacheError::Corrupt { path, reason })
            }
        }
    }

    /// Stores `bytes` under `key` atomically, then evicts least-recently-used
    /// entries if the store is over budget (never the entry just written). The
    /// entry is stored even when the eviction that follows returns an error.
    #[cfg(test)]
    pub fn put(&self, key: &Key, bytes: &[u8]) -> Result<(), CacheError> {
        self.put_parts(key, &[bytes])
    }

    /// [`put`](Self::put) of the concatenation of `payload`.
    pub(crate) fn put_parts(&self, key: &Key, payload: &[&[u8]]) -> Result<(), CacheError> {
        let path = self.entry_path(key);
        let mut parts: Vec<&[u8]> = Vec::with_capacity(payload.len() + 2);
        parts.push(key.as_bytes());
        parts.extend_from_slice(payload);
        let header = entry::encode_header(&parts);
        parts.insert(0, &header);
        let mut attempt = 0;
        loop {
            if let Some(shard) = path.parent()
                && let Err(e) = fs::create_dir_all(shard)
            {
                // A file where the shard directory should be: replace it, once.
                if attempt < 2 && fs::symlink_metadata(shard).is_ok_and(|m| !m.is_dir()) {
                    entry::remove_any(shard);
                    attempt += 1;
                    continue;
                }
                return Err(CacheError::io("create directory", shard, e));
            }
            match entry::replace_atomic(&path, &parts) {
                Ok(()) => break,
                // A concurrent `clear` may remove the shard between the two steps.
                Err(e) if e.kind() == io::ErrorKind::NotFound && attempt < 2 => attempt += 1,
                Err(e) => return Err(CacheError::io("write", path, e)),
            }
        }
        let size = parts.iter().map(|p| p.len() as u64).sum::<u64>();
        let mut usage = self.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let estimate = usage.bytes.map(|b| b.saturating_add(size));
        match estimate {
            Some(total) if total <= self.max_bytes && usage.puts_since_scan < RESCAN_EVERY => {
                usage.bytes = Some(total);
                usage.puts_since_scan += 1;
            }
            _ => {
                usage.bytes = None;
                let total = evict::evict(&self.objects, self.max_bytes, &path)?;
                usage.bytes = Some(total);
                usage.puts_since_scan = 0;
            }
        }
        Ok(())
    }

    /// Removes the entry for `key`; returns whether it existed.
    #[cfg(test)]
    pub fn remove(&self, key: &Key) -> Result<bool, CacheError> {
        let path = self.entry_path(key);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(CacheError::io("remove", path, e)),
        }
    }

    /// Number of entries (scans the directory).
    #[cfg(test)]
    pub fn len(&self) -> Result<usize, CacheError> {
        Ok(evict::scan(&self.objects, false)?.entries.len())
    }

    /// Whether the store holds no entries (scans the directory).
    #[cfg(test)]
    pub fn is_empty(&self) -> Result<bool, CacheError> {
        Ok(self.len()? == 0)
    }

    /// Total size of the entry files in bytes, headers included (scans the directory).
    #[cfg(test)]
    pub fn size_bytes(&self) -> Result<u64, CacheError> {
        Ok(evict::scan(&self.objects, false)?.total)
    }

    /// Removes every entry. Idempotent; the store stays usable.
    #[cfg(test)]
    pub fn clear(&self) -> Result<(), CacheError> {
        let mut usage = self.usage.lock().unwrap_or_else(PoisonError::into_inner);
        let mut attempt = 0;
        loop {
            match fs::remove_dir_all(&self.objects) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                // A concurrent writer may add a file while the tree is removed.
                Err(_) if attempt < 2 => attempt += 1,
                Err(e) => return Err(CacheError::io("remove", &self.objects, e)),
            }
        }
        *usage = Usage {
            bytes: Some(0),
            puts_since_scan: 0,
        };
        fs::create_dir_all(&self.objects)
            .map_err(|e| CacheError::io("create directory", &self.objects, e))
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
