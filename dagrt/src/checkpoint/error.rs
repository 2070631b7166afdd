//! Errors of the checkpoint store.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why the checkpoint a `resume()` finishes cannot be used (see [`Error::Checkpoint`](crate::Error::Checkpoint)).
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckpointError {
    /// A file-system operation failed.
    Io {
        /// What was being done, e.g. `"read"` or `"write"`.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A manifest or output file failed validation. A corrupt output has been
    /// removed; the caller should re-run its node.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The checkpoint directory was written for a different DAG (or a changed one).
    Mismatch {
        /// The checkpoint directory.
        dir: PathBuf,
        /// What differs, e.g. "task `transform` changed (code hash abc… → def…)".
        reason: String,
    },
}

impl CheckpointError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        CheckpointError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl CheckpointError {
    /// The message without the `checkpoint: ` prefix, for messages that already say it.
    pub(crate) fn detail(&self) -> String {
        match self {
            CheckpointError::Io {
                action,
                path,
                source,
            } => format!("cannot {action} {}: {source}", path.display()),
            CheckpointError::Corrupt { path, reason } => {
                format!("corrupt file {}: {reason}", path.display())
            }
            CheckpointError::Mismatch { dir, reason } => format!(
                "checkpoint {} does not match this DAG: {reason}",
                dir.display()
            ),
        }
    }
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Mismatch { .. } => f.write_str(&self.detail()),
            _ => write!(f, "checkpoint: {}", self.detail()),
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::Io { source, .. } => Some(source),
            CheckpointError::Corrupt { .. } | CheckpointError::Mismatch { .. } => None,
        }
    }
}
