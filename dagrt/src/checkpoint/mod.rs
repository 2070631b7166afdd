//! Persisted outputs of one DAG run, so an interrupted run can resume.
//!
//! A checkpoint directory holds `manifest.json` (the [`Manifest`] of the DAG
//! that wrote it) and `outputs/{escaped node name}.bin`, one file per finished
//! node in the cache's checksummed entry format, whose payload opens with the
//! postcard-encoded `(node name, code hash)` it belongs to. Every file is
//! written atomically (temporary file, fsync, rename). Opening a directory
//! written for a different or changed DAG fails with
//! [`CheckpointError::Mismatch`]; an output file recording another node or
//! another code hash (copied or renamed by hand) is refused by
//! [`load`](CheckpointStore::load), and so is anything that is not a regular
//! file (never opened: a FIFO would block the reader).
//! (See `examples.rs` for the store in use.)

mod error;
mod escape;
#[cfg(test)]
mod examples;
mod manifest;
#[cfg(feature = "cli")]
mod shared;
#[cfg(test)]
mod tests;

pub use error::CheckpointError;
pub use manifest::{Manifest, ManifestNode};
#[cfg(feature = "cli")]
pub(crate) use shared::{Unusable, shared_dir};

use crate::cache::entry::{
    Found, decode_entry, encode_header, is_temp_name, read_entry_file, remove_any, replace_atomic,
    write_atomic,
};
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

const MANIFEST_FILE: &str = "manifest.json";
const OUTPUTS_DIR: &str = "outputs";
const OUTPUT_SUFFIX: &str = crate::cache::entry::ENTRY_SUFFIX;

/// The checkpoint directory of one DAG run.
#[derive(Debug)]
pub struct CheckpointStore {
    dir: PathBuf,
    manifest: Manifest,
    /// Code hash of each node of the manifest, recorded in and checked against its outputs.
    codes: HashMap<String, String>,
    /// Whether `manifest.json` is kept (not in a shared store, see `shared.rs`).
    writes_manifest: bool,
}

impl CheckpointStore {
    /// Opens the checkpoint in `dir` for a DAG described by `manifest`.
    ///
    /// Creates `dir` and writes `manifest.json` if absent. If a manifest is
    /// present it must have the same [fingerprint](Manifest::fingerprint), else
    /// [`CheckpointError::Mismatch`] says what differs; an unreadable manifest
    /// (or not a regular file) is [`CheckpointError::Corrupt`].
    pub fn open(
        dir: impl Into<PathBuf>,
        manifest: &Manifest,
    ) -> Result<CheckpointStore, CheckpointError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| CheckpointError::io("create directory", &dir, e))?;
        let store = CheckpointStore {
            dir,
            manifest: manifest.clone(),
            codes: manifest
                .nodes
                .iter()
                .map(|n| (n.name.clone(), n.code_hash.clone()))
                .collect(),
            writes_manifest: true,
        };
        let path = store.manifest_path();
        match read_entry_file(&path) {
            Ok(Found::Other(kind)) => {
                return Err(CheckpointError::Corrupt {
                    path,
                    reason: format!("{kind} is where the manifest should be"),
                });
            }
            Ok(Found::File(bytes)) => {
                let stored: Manifest =
                    serde_json::from_slice(&bytes).map_err(|e| CheckpointError::Corrupt {
                        path: path.clone(),
                        reason: format!("invalid manifest: {e}"),
                    })?;
                if let Some(reason) = manifest::diff(&stored, manifest) {
                    return Err(CheckpointError::Mismatch {
                        dir: store.dir,
                        reason,
                    });
                }
            }
            Ok(Found::Missing) => store.write_manifest()?,
            Err(e) => return Err(CheckpointError::io("read", path, e)),
        }
        Ok(store)
    }

    /// The checkpoint directory.
    #[cfg(test)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest this store was opened with.
    #[cfg(test)]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Saves `node`'s output atomically, replacing any earlier one. Also
    /// rewrites `manifest.json` if it is missing (after [`clear`](Self::clear)).
    /// `node` must be a node of the manifest ([`CheckpointError::Mismatch`] otherwise).
    #[cfg(test)]
    pub fn save(&self, node: &str, bytes: &[u8]) -> Result<(), CheckpointError> {
        self.save_parts(node, &[bytes])
    }

    /// [`save`](Self::save) of the concatenation of `payload`.
    pub(crate) fn save_parts(&self, node: &str, payload: &[&[u8]]) -> Result<(), CheckpointError> {
        let label = self.label(node)?;
        if self.writes_manifest && !self.manifest_path().exists() {
            fs::create_dir_all(&self.dir)
                .map_err(|e| CheckpointError::io("create directory", &self.dir, e))?;
            self.write_manifest()?;
        }
        let outputs = self.outputs_dir();
        fs::create_dir_all(&outputs)
            .map_err(|e| CheckpointError::io("create directory", &outputs, e))?;
        let path = self.output_path(node);
        let mut parts: Vec<&[u8]> = Vec::with_capacity(payload.len() + 2);
        parts.push(&label);
        parts.extend_from_slice(payload);
        let header = encode_header(&parts);
        parts.insert(0, &header);
        replace_atomic(&path, &parts).map_err(|e| CheckpointError::io("write", path, e))
    }

    /// The label opening `node`'s output file: postcard `(node, code hash)`.
    fn label(&self, node: &str) -> Result<Vec<u8>, CheckpointError> {
        let code = self
            .codes
            .get(node)
            .ok_or_else(|| CheckpointError::Mismatch {
                dir: self.dir.clone(),
                reason: format!("task `{node}` is not in its manifest"),
            })?;
        postcard::to_stdvec(&(node, code.as_str()))
            .map_err(|e| CheckpointError::io("encode", self.output_path(node), io::Error::other(e)))
    }

    /// Loads `node`'s saved output: `Ok(None)` if it has none. A corrupt output
    /// file, one recording another node or code hash, and anything that is not a
    /// regular file are removed and reported as [`CheckpointError::Corrupt`]; the
    /// caller should re-run the node.
    pub fn load(&self, node: &str) -> Result<Option<Vec<u8>>, CheckpointError> {
        let path = self.output_path(node);
        let file = match read_entry_file(&path) {
            Ok(Found::File(file)) => file,
            Ok(Found::Missing) => return Ok(None),
            Ok(Found::Other(kind)) => {
                remove_any(&path);
                return Err(CheckpointError::Corrupt {
                    path,
                    reason: format!("{kind} is where the output should be (removed)"),
                });
            }
            Err(e) => return Err(CheckpointError::io("read", path, e)),
        };
        let expected = self.label(node)?;
        let payload = decode_entry(file).and_then(|payload| {
            if payload.starts_with(&expected) {
                return Ok(payload[expected.len()..].to_vec());
            }
            Err(match postcard::take_from_bytes::<(&str, &str)>(&payload) {
                Ok(((owner, code), _)) => format!(
                    "the file holds the output of task `{owner}` (code hash {}), not of `{node}` \
                     (code hash {}): copied or renamed",
                    manifest::short(code),
                    manifest::short(&self.codes[node]),
                ),
                Err(_) => "the output records no task".to_owned(),
            })
        });
        match payload {
            Ok(payload) => Ok(Some(payload)),
            Err(reason) => {
                let _ = fs::remove_file(&path);
                Err(CheckpointError::Corrupt { path, reason })
            }
        }
    }

    /// Names of the nodes with a saved output, sorted. Files are listed, not
    /// verified ([`load`](Self::load) checks them); if the directory cannot be
    /// read, no node counts as completed, so everything is re-run.
    pub fn completed(&self) -> Vec<String> {
        let Ok(files) = fs::read_dir(self.outputs_dir()) else {
            return Vec::new();
        };
        let mut names: Vec<String> = files
            .filter_map(Result::ok)
            .filter(|f| f.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|f| {
                let file_name = f.file_name();
                let file_name = file_name.to_str()?;
                if is_temp_name(file_name) {
                    return None;
                }
                escape::unescape(file_name.strip_suffix(OUTPUT_SUFFIX)?)
            })
            .collect();
        names.sort();
        names
    }

    /// Removes all saved outputs and the manifest. Idempotent; the directory
    /// itself is kept, and a later [`save`](Self::save) starts a fresh checkpoint.
    /// Whatever stands where the outputs directory or the manifest should be (a file,
    /// a directory) is removed too.
    #[cfg(test)]
    pub fn clear(&self) -> Result<(), CheckpointError> {
        clear_dir(&self.dir)
    }

    fn manifest_path(&self) -> PathBuf {
        manifest_path(&self.dir)
    }

    fn outputs_dir(&self) -> PathBuf {
        outputs_dir(&self.dir)
    }

    fn output_path(&self, node: &str) -> PathBuf {
        self.outputs_dir()
            .join(format!("{}{OUTPUT_SUFFIX}", escape::escape(node)))
    }

    fn write_manifest(&self) -> Result<(), CheckpointError> {
        let path = self.manifest_path();
        let json = serde_json::to_vec_pretty(&self.manifest)
            .map_err(|e| CheckpointError::io("serialize", &path, e.into()))?;
        write_atomic(&path, &[&json, b"\n"]).map_err(|e| CheckpointError::io("write", path, e))
    }
}

fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(MANIFEST_FILE)
}

fn outputs_dir(dir: &Path) -> PathBuf {
    dir.join(OUTPUTS_DIR)
}

/// Removes the manifest and the outputs of the checkpoint in `dir`, and whatever stands where
/// they should be (a file where the outputs directory should be, a directory named like the
/// manifest), leaving every other file of `dir` alone. Idempotent.
pub(crate) fn clear_dir(dir: &Path) -> Result<(), CheckpointError> {
    for path in [outputs_dir(dir), manifest_path(dir)] {
        remove_any(&path);
        if fs::symlink_metadata(&path).is_ok() {
            let e = io::Error::other("it is still there after removal");
            return Err(CheckpointError::io("remove", path, e));
        }
    }
    Ok(())
}
