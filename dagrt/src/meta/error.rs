//! Error and warning types of the meta module.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while writing, indexing or querying run metadata.
///
/// Every variant names the file, directory or query it is about; the type is
/// `Send + Sync + 'static` so it can cross threads and be boxed into `anyhow`-style errors.
#[derive(Debug)]
#[non_exhaustive]
pub enum MetaError {
    /// A filesystem operation failed; `action` says what was attempted on `path`.
    Io {
        /// What was being done, e.g. `"create directory"`.
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying OS error.
        source: io::Error,
    },
    /// A `dag_name` or `run_id` cannot be used as a file name (it is empty).
    InvalidName {
        /// Which field was rejected (`"dag_name"` or `"run_id"`).
        field: &'static str,
        /// The rejected value.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Encoding a run as Avro failed (should not happen for well-formed records).
    Encode {
        /// The file that was being written.
        path: PathBuf,
        /// The encoder's message.
        message: String,
    },
    /// A file is not a readable run record (truncated, not Avro, foreign schema...).
    ///
    /// Only [`read_run`](super::read_run) returns this; queries skip such files with a
    /// [`MetaWarning`] instead.
    Decode {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The SQLite index database could not be opened, created or updated.
    Index {
        /// Path of the index database (or `:memory:` for a missing meta dir).
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// `index.sqlite` in the meta dir is an SQLite database that dag did not create; it is
    /// left alone. Deleting it is safe for dag (the index is rebuilt from the run files).
    ForeignIndex {
        /// Path of the database.
        path: PathBuf,
        /// What it holds instead, e.g. `tables customers`.
        found: String,
    },
    /// A user query failed to prepare or run (syntax error, unknown column, write attempt...).
    Sql {
        /// The query text as given.
        query: String,
        /// SQLite's message.
        message: String,
    },
    /// Typed access to a [`Table`](super::Table) cell failed.
    Column {
        /// The column asked for.
        column: String,
        /// The row asked for.
        row: usize,
        /// Why: unknown column, row out of range, or a value of another type.
        message: String,
    },
}

impl MetaError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        MetaError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn index(path: impl Into<PathBuf>, source: rusqlite::Error) -> Self {
        MetaError::Index {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for MetaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetaError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            MetaError::InvalidName {
                field,
                value,
                reason,
            } => write!(f, "invalid {field} {value:?}: {reason}"),
            MetaError::Encode { path, message } => {
                write!(f, "cannot encode run record {}: {message}", path.display())
            }
            MetaError::Decode { path, message } => {
                write!(f, "cannot read run record {}: {message}", path.display())
            }
            MetaError::Index { path, source } => {
                write!(f, "metadata index {}: {source}", path.display())
            }
            MetaError::ForeignIndex { path, found } => write!(
                f,
                "{} is not a dag metadata index (it holds {found}); dag leaves it alone: \
                 move or delete it and the index is rebuilt from the run files",
                path.display()
            ),
            MetaError::Sql { query, message } => {
                write!(f, "SQL error: {message}\n  in query: {query}")
            }
            MetaError::Column {
                column,
                row,
                message,
            } => write!(f, "table cell (row {row}, column {column:?}): {message}"),
        }
    }
}

impl std::error::Error for MetaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MetaError::Io { source, .. } => Some(source),
            MetaError::Index { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A file that was skipped while bringing the index up to date.
///
/// Bad files never fail a query: they are left out of `profiling`/`runs` and reported
/// here until they are fixed or removed (a file is retried whenever it changes). Skipped
/// are: unreadable or undecodable files, files over
/// [`MAX_RECORD_BYTES`](super::MAX_RECORD_BYTES), directories, FIFOs and other special files
/// named `*.avro`, symbolic links that cannot be followed, and second copies of a run
/// already counted (a backup copy, a symlinked DAG directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaWarning {
    /// The skipped file.
    pub path: PathBuf,
    /// Why it was skipped.
    pub message: String,
}

impl fmt::Display for MetaWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skipped {}: {}", self.path.display(), self.message)
    }
}
