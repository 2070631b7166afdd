//! Errors of the cache store.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// An error from a [`CacheStore`](super::CacheStore) operation.
///
/// Callers usually treat any cache error as a miss and log it as a warning.
#[derive(Debug)]
#[non_exhaustive]
pub enum CacheError {
    /// A file-system operation failed.
    Io {
        /// What was being done, e.g. `"read"` or `"create directory"`.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An entry file failed validation (it has been removed).
    Corrupt {
        /// The entry file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

impl CacheError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        CacheError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::Io {
                action,
                path,
                source,
            } => write!(f, "cache: cannot {action} {}: {source}", path.display()),
            CacheError::Corrupt { path, reason } => {
                write!(f, "cache: corrupt entry {}: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for CacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CacheError::Io { source, .. } => Some(source),
            CacheError::Corrupt { .. } => None,
        }
    }
}
