//! On-disk entry format shared by the cache and checkpoints, plus atomic file writes.
//!
//! An entry is a 45-byte header followed by the payload (whose first bytes say whose value it
//! is: the cache key for the cache, the node and its code hash for checkpoints):
//!
//! | bytes  | field                                  |
//! |--------|----------------------------------------|
//! | 0..4   | magic `DAGC`                           |
//! | 4      | format version ([`FORMAT_VERSION`])    |
//! | 5..13  | payload length, `u64` little-endian    |
//! | 13..45 | blake3 hash of the payload             |

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Magic bytes opening every entry file.
pub(crate) const MAGIC: [u8; 4] = *b"DAGC";
/// Version of the entry format written by this code.
pub(crate) const FORMAT_VERSION: u8 = 2;
/// Length of the header that precedes the payload.
pub(crate) const HEADER_LEN: usize = 4 + 1 + 8 + 32;
/// Extension of temporary files (their names also start with a `.`).
pub(crate) const TEMP_SUFFIX: &str = ".tmp";
/// Suffix of an entry file (a cache entry, a checkpointed output).
pub(crate) const ENTRY_SUFFIX: &str = ".bin";

/// Builds the header for the payload made of `parts`, in order.
pub(crate) fn encode_header(parts: &[&[u8]]) -> [u8; HEADER_LEN] {
    let mut header = [0u8; HEADER_LEN];
    let mut hash = blake3::Hasher::new();
    let mut len = 0u64;
    for part in parts {
        hash.update(part);
        len += part.len() as u64;
    }
    header[0..4].copy_from_slice(&MAGIC);
    header[4] = FORMAT_VERSION;
    header[5..13].copy_from_slice(&len.to_le_bytes());
    header[13..45].copy_from_slice(hash.finalize().as_bytes());
    header
}

/// Header followed by `payload`, as one buffer (the writers use [`write_atomic`] with
/// [`encode_header`] instead, which avoids copying the payload).
#[cfg(test)]
pub(crate) fn encode_entry(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&encode_header(&[payload]));
    out.extend_from_slice(payload);
    out
}

/// Checks the header of a whole entry file and returns its payload, or a
/// human-readable reason why the file is not a valid entry.
pub(crate) fn decode_entry(mut file: Vec<u8>) -> Result<Vec<u8>, String> {
    if file.len() < HEADER_LEN {
        return Err(format!(
            "file is {} bytes, shorter than the {HEADER_LEN}-byte header",
            file.len()
        ));
    }
    if file[0..4] != MAGIC {
        return Err("bad magic (not a DAGC entry)".to_owned());
    }
    if file[4] != FORMAT_VERSION {
        return Err(format!(
            "unsupported format version {} (expected {FORMAT_VERSION})",
            file[4]
        ));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&file[5..13]);
    let declared = u64::from_le_bytes(len);
    let actual = (file.len() - HEADER_LEN) as u64;
    if declared != actual {
        return Err(format!(
            "header declares a {declared}-byte payload but the file holds {actual} bytes"
        ));
    }
    if blake3::hash(&file[HEADER_LEN..]).as_bytes()[..] != file[13..45] {
        return Err("payload checksum mismatch".to_owned());
    }
    file.drain(..HEADER_LEN);
    Ok(file)
}

/// What is found where an entry file should be.
#[derive(Debug)]
pub(crate) enum Found {
    /// Nothing.
    Missing,
    /// A regular file, with its content.
    File(Vec<u8>),
    /// Something that is not a regular file (a directory, a FIFO, a socket, a device), which is
    /// never opened: reading a FIFO would block until some process writes to it.
    Other(&'static str),
}

/// Reads the entry file at `path` (following symlinks) without ever opening anything but a
/// regular file.
pub(crate) fn read_entry_file(path: &Path) -> io::Result<Found> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(e),
    };
    if !meta.is_file() {
        return Ok(Found::Other(crate::file_kind::describe(&meta.file_type())));
    }
    let mut file = File::open(path)?;
    // The path may have been replaced since `metadata`: check what was opened.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Found::Other(crate::file_kind::describe(&meta.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(Found::File(bytes))
}

/// Removes whatever is at `path` (a directory with its content), so an entry can be written
/// there again. Best effort: errors are ignored, the next write reports its own.
pub(crate) fn remove_any(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// [`write_atomic`], replacing a directory found at `path` (a rename cannot replace one).
pub(crate) fn replace_atomic(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    match write_atomic(path, parts) {
        Err(_) if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) => {
            remove_any(path);
            write_atomic(path, parts)
        }
        other => other,
    }
}

/// A temporary file name that is unique across processes and threads: pid, a
/// per-process counter and the current time in nanoseconds.
pub(crate) fn temp_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(".{}-{n}-{nanos}{TEMP_SUFFIX}", std::process::id())
}

/// Whether `name` is a temporary file made by [`temp_name`].
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TEMP_SUFFIX)
}

/// Writes the concatenation of `parts` to `path` atomically: a temporary file in
/// the same directory is written, fsynced and renamed over `path`. Readers see
/// either the old file, no file, or the complete new one. The parent directory
/// must exist. On error the temporary file is removed.
pub(crate) fn write_atomic(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no parent"))?;
    let tmp = dir.join(temp_name());
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        for part in parts {
            file.write_all(part)?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    match result {
        Ok(()) => {
            sync_dir(dir);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Best-effort fsync of a directory so a rename survives a crash (Unix only;
/// errors are ignored because not every file system supports it).
fn sync_dir(dir: &Path) {
    if cfg!(unix)
        && let Ok(d) = File::open(dir)
    {
        let _ = d.sync_all();
    }
}
