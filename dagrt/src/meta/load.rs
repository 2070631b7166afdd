//! Loaded: one run file read and decoded for the index, off the index's thread.

use std::fs::File;
use std::io::{self, Read};

use super::MAX_RECORD_BYTES;
use super::read::{Row, decode, too_large};
use super::record::RunMeta;
use super::scan::{DiskFile, Identity};

/// A file read and decoded, ready to be stored.
pub(super) enum Loaded {
    /// The file vanished since the scan.
    Missing,
    /// It could not be read (not recorded: retried next time).
    Unreadable(String),
    /// Its identity as read, the BLAKE3 hash of its bytes (none if too large to read), and
    /// its decoded content or why it cannot be used.
    Read(
        Identity,
        Option<[u8; 32]>,
        Result<(RunMeta, Vec<Row>), String>,
    ),
}

/// Reads and decodes one file (runs on the reading thread).
pub(super) fn load(f: &DiskFile) -> Loaded {
    let read = File::open(&f.abs).and_then(|file| {
        // Identity of the very file we read (it may have been replaced since the scan).
        let md = file.metadata()?;
        if !md.is_file() {
            return Ok((md, Err("not a regular file".to_owned())));
        }
        if md.len() > MAX_RECORD_BYTES {
            let size = md.len();
            return Ok((md, Err(too_large(size))));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(md.len()).unwrap_or(0));
        file.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_RECORD_BYTES {
            return Ok((md, Err(too_large(bytes.len() as u64))));
        }
        Ok((md, Ok(bytes)))
    });
    match read {
        Ok((md, Ok(bytes))) => Loaded::Read(
            Identity::of(&md),
            Some(*blake3::hash(&bytes).as_bytes()),
            decode(&bytes),
        ),
        Ok((md, Err(message))) => Loaded::Read(Identity::of(&md), None, Err(message)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Loaded::Missing,
        Err(e) => Loaded::Unreadable(format!("cannot read: {e}")),
    }
}
