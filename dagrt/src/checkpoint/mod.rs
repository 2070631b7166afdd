//! Persisted outputs of one DAG run, so an interrupted run can resume.
//!
//! A checkpoint directory holds `manifest.json` (the [`Manifest`] of the DAG
//! that wrote it) and `outputs/{escaped node name}.bin`, one file per finished
//! node in the cache's checksummed entry format. Every file is written
//! atomically (temporary file, fsync, rename). Opening a directory written for
//! a different or changed DAG fails with [`CheckpointError::Mismatch`].
//!
//! ```
//! use dag::checkpoint::{CheckpointStore, Manifest, ManifestNode};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let tmp = tempfile::tempdir()?;
//! let manifest = Manifest {
//!     dag: "etl".into(),
//!     nodes: vec![ManifestNode { name: "etl::load".into(), code_hash: "abc".into(), preds: vec![] }],
//! };
//! let store = CheckpointStore::open(tmp.path().join("run"), &manifest)?;
//! store.save("etl::load", b"rows")?;
//! assert_eq!(store.completed(), ["etl::load"]);
//! assert_eq!(store.load("etl::load")?.as_deref(), Some(&b"rows"[..]));
//! store.clear()?;
//! # Ok(()) }
//! ```

mod error;
mod escape;
mod manifest;
#[cfg(test)]
mod tests;

pub use error::CheckpointError;
pub use manifest::{Manifest, ManifestNode};

use crate::cache::entry::{decode_entry, encode_header, is_temp_name, write_atomic};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

const MANIFEST_FILE: &str = "manifest.json";
const OUTPUTS_DIR: &str = "outputs";
const OUTPUT_SUFFIX: &str = ".bin";

/// The checkpoint directory of one DAG run.
#[derive(Debug)]
pub struct CheckpointStore {
    dir: PathBuf,
    manifest: Manifest,
}

impl CheckpointStore {
    /// Opens the checkpoint in `dir` for a DAG described by `manifest`.
    ///
    /// Creates `dir` and writes `manifest.json` if absent. If a manifest is
    /// present it must have the same [fingerprint](Manifest::fingerprint), else
    /// [`CheckpointError::Mismatch`] says what differs; an unreadable manifest
    /// is [`CheckpointError::Corrupt`].
    pub fn open(
        dir: impl Into<PathBuf>,
        manifest: &Manifest,
    ) -> Result<CheckpointStore, CheckpointError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(|e| CheckpointError::io("create directory", &dir, e))?;
        let store = CheckpointStore {
            dir,
            manifest: manifest.clone(),
        };
        let path = store.manifest_path();
        match fs::read(&path) {
            Ok(bytes) => {
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
            Err(e) if e.kind() == io::ErrorKind::NotFound => store.write_manifest()?,
            Err(e) => return Err(CheckpointError::io("read", path, e)),
        }
        Ok(store)
    }

    /// The checkpoint directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest this store was opened with.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Saves `node`'s output atomically, replacing any earlier one. Also
    /// rewrites `manifest.json` if it is missing (after [`clear`](Self::clear)).
    pub fn save(&self, node: &str, bytes: &[u8]) -> Result<(), CheckpointError> {
        if !self.manifest_path().exists() {
            fs::create_dir_all(&self.dir)
                .map_err(|e| CheckpointError::io("create directory", &self.dir, e))?;
            self.write_manifest()?;
        }
        let outputs = self.outputs_dir();
        fs::create_dir_all(&outputs)
            .map_err(|e| CheckpointError::io("create directory", &outputs, e))?;
        let path = self.output_path(node);
        write_atomic(&path, &[&encode_header(bytes), bytes])
            .map_err(|e| CheckpointError::io("write", path, e))
    }

    /// Loads `node`'s saved output: `Ok(None)` if it has none. A corrupt output
    /// file is removed and reported as [`CheckpointError::Corrupt`]; the caller
    /// should re-run the node.
    pub fn load(&self, node: &str) -> Result<Option<Vec<u8>>, CheckpointError> {
        let path = self.output_path(node);
        let file = match fs::read(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CheckpointError::io("read", path, e)),
        };
        match decode_entry(file) {
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
    pub fn clear(&self) -> Result<(), CheckpointError> {
        let outputs = self.outputs_dir();
        match fs::remove_dir_all(&outputs) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(CheckpointError::io("remove", outputs, e)),
        }
        let manifest = self.manifest_path();
        match fs::remove_file(&manifest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CheckpointError::io("remove", manifest, e)),
        }
    }

    fn manifest_path(&self) -> PathBuf {
        self.dir.join(MANIFEST_FILE)
    }

    fn outputs_dir(&self) -> PathBuf {
        self.dir.join(OUTPUTS_DIR)
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
