//! Shared stores: the outputs of one DAG's tasks run as separate processes (`run-task`),
//! one checkpoint-format file per task, checked per file rather than per manifest.
//!
//! Layout: `{root}/{escaped DAG name}/outputs/{escaped task name}.bin`, each file exactly as
//! a checkpoint writes it (checksummed entry, `(task, code hash)` label, type stamp, postcard
//! bytes) and written atomically. Unlike a checkpoint directory, a shared store has no
//! `manifest.json`: processes of different versions of the binary may share it, and each
//! output is refused on its own when the task that wrote it had another code hash.

use super::{CheckpointError, CheckpointStore, Manifest, escape, manifest};
use crate::cache::entry::{Found, decode_entry, read_entry_file};
use std::path::{Path, PathBuf};

/// Why a shared store has no usable output for a task.
#[derive(Debug)]
pub(crate) enum Unusable {
    /// No file.
    Missing(PathBuf),
    /// The file was written by another version of the task (its code hash differs).
    OtherVersion {
        path: PathBuf,
        stored: String,
        current: String,
    },
    /// Unreadable, damaged, or holding another task's output.
    Broken(CheckpointError),
}

impl CheckpointStore {
    /// The shared store of DAG `dag` under `root` (nothing is read or written yet); `manifest`
    /// gives each task's code hash.
    pub(crate) fn shared(root: &Path, dag: &str, manifest: &Manifest) -> CheckpointStore {
        CheckpointStore {
            dir: shared_dir(root, dag),
            manifest: manifest.clone(),
            codes: manifest
                .nodes
                .iter()
                .map(|n| (n.name.clone(), n.code_hash.clone()))
                .collect(),
            writes_manifest: false,
        }
    }

    /// Where `node`'s output is (or will be) stored.
    pub(crate) fn output_file(&self, node: &str) -> PathBuf {
        self.output_path(node)
    }

    /// `node`'s stored output (stamp and postcard bytes), refused when missing, damaged, or
    /// written by another version of the task. Nothing is removed: the file belongs to the
    /// process that runs `node`.
    pub(crate) fn load_shared(&self, node: &str) -> Result<Vec<u8>, Unusable> {
        let path = self.output_path(node);
        let file = match read_entry_file(&path) {
            Ok(Found::File(file)) => file,
            Ok(Found::Missing) => return Err(Unusable::Missing(path)),
            Ok(Found::Other(kind)) => {
                return Err(Unusable::Broken(CheckpointError::Corrupt {
                    path,
                    reason: format!("{kind} is where the output should be"),
                }));
            }
            Err(e) => return Err(Unusable::Broken(CheckpointError::io("read", path, e))),
        };
        let expected = self.label(node).map_err(Unusable::Broken)?;
        let payload = decode_entry(file).map_err(|reason| {
            Unusable::Broken(CheckpointError::Corrupt {
                path: path.clone(),
                reason,
            })
        })?;
        if let Some(rest) = payload.strip_prefix(expected.as_slice()) {
            return Ok(rest.to_vec());
        }
        let current = self.codes.get(node).cloned().unwrap_or_default();
        Err(match postcard::take_from_bytes::<(&str, &str)>(&payload) {
            Ok(((owner, code), _)) if owner == node => Unusable::OtherVersion {
                path,
                stored: manifest::short(code),
                current: manifest::short(&current),
            },
            Ok(((owner, _), _)) => Unusable::Broken(CheckpointError::Corrupt {
                path,
                reason: format!(
                    "the file holds the output of task `{owner}`, not of `{node}`: copied or renamed"
                ),
            }),
            Err(_) => Unusable::Broken(CheckpointError::Corrupt {
                path,
                reason: "the output records no task".to_owned(),
            }),
        })
    }
}

/// The directory of DAG `dag`'s shared store under `root`.
pub(crate) fn shared_dir(root: &Path, dag: &str) -> PathBuf {
    root.join(escape::escape(dag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::ManifestNode;

    fn manifest(code: &str) -> Manifest {
        Manifest {
            dag: "etl".into(),
            nodes: vec![ManifestNode {
                name: "load".into(),
                code_hash: code.into(),
                output_type: "u32".into(),
                preds: vec![],
            }],
        }
    }

    #[test]
    fn a_shared_output_is_refused_when_another_version_wrote_it() {
        let root = tempfile::tempdir().unwrap();
        let old = CheckpointStore::shared(root.path(), "a::etl", &manifest("aaaa"));
        assert_eq!(
            old.output_file("load"),
            root.path().join("a%3A%3Aetl/outputs/load.bin")
        );
        assert!(matches!(old.load_shared("load"), Err(Unusable::Missing(_))));
        old.save_parts("load", &[b"xy", b"z"]).unwrap();
        assert_eq!(old.load_shared("load").unwrap(), b"xyz");
        // No manifest: versions share the store.
        assert!(!root.path().join("a%3A%3Aetl/manifest.json").exists());
        let new = CheckpointStore::shared(root.path(), "a::etl", &manifest("bbbb"));
        match new.load_shared("load") {
            Err(Unusable::OtherVersion {
                stored, current, ..
            }) => assert_eq!((stored.as_str(), current.as_str()), ("aaaa", "bbbb")),
            other => panic!("{other:?}"),
        }
        // The file is kept for the process that runs `load`.
        assert_eq!(old.load_shared("load").unwrap(), b"xyz");
    }

    #[test]
    fn a_shared_output_of_another_type_is_refused_by_its_stamp() {
        use crate::persist::Codec;
        let root = tempfile::tempdir().unwrap();
        let store = CheckpointStore::shared(root.path(), "etl", &manifest("aaaa"));
        let wide = Codec::of::<i64>();
        let (stamp, bytes) = (wide.stamp(&5i64).unwrap(), wide.encode(&5i64).unwrap());
        store.save_parts("load", &[&stamp, &bytes]).unwrap();
        let stored = store.load_shared("load").unwrap();
        let opened = crate::preset::open_output(wide, &stored, "load", "stored").unwrap();
        assert_eq!(opened.downcast_ref::<i64>(), Some(&5));
        let refused = crate::preset::open_output(Codec::of::<u32>(), &stored, "load", "stored");
        assert_eq!(
            refused.err().as_deref(),
            Some(
                "the stored output of task `load` was refused (it holds a `i64`, and the task's \
                 output is a `u32`)"
            )
        );
    }
}
