//! Finding the run files under `{meta_dir}/profiling`: what is skipped (and said), what is
//! cleaned up, and the identity each file is tracked by.

use std::fs::{self, DirEntry, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::temp::{clean_stale_temp, is_temp_name};
use super::{MetaError, MetaWarning, PROFILING_DIR};

/// What a file is tracked by: any change of content changes one of these (the inode on a
/// replacing rename, size, mtime, and the ctime, which no program can set back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Identity {
    pub size: i64,
    pub mtime_ns: i64,
    pub ino: i64,
    pub ctime_ns: i64,
}

/// Timestamps newer than this before a scan may be shared by a later change (file systems
/// keep coarse clocks), so a file indexed with such timestamps is re-hashed next time.
const RACY_WINDOW_NS: i64 = 2_000_000_000;

fn nanos(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

impl Identity {
    pub(super) fn of(md: &Metadata) -> Self {
        let mtime_ns = md.modified().map_or(0, nanos);
        #[cfg(unix)]
        let (ino, ctime_ns) = {
            use std::os::unix::fs::MetadataExt;
            // Only compared for equality: a wrapped inode number is as good as any.
            #[allow(clippy::cast_possible_wrap)]
            let ino = md.ino() as i64;
            (
                ino,
                md.ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(md.ctime_nsec()),
            )
        };
        #[cfg(not(unix))]
        let (ino, ctime_ns) = (0, mtime_ns);
        Identity {
            size: i64::try_from(md.len()).unwrap_or(i64::MAX),
            mtime_ns,
            ino,
            ctime_ns,
        }
    }

    /// Whether a change right after `scan_start` could leave these timestamps unchanged.
    pub(super) fn is_racy(&self, scan_start: SystemTime) -> bool {
        self.mtime_ns.max(self.ctime_ns) >= nanos(scan_start).saturating_sub(RACY_WINDOW_NS)
    }
}

/// A run file seen on disk.
pub(super) struct DiskFile {
    /// Path relative to the meta dir, `profiling/{dag}/{file}`.
    pub rel: String,
    pub abs: PathBuf,
    pub id: Identity,
}

fn warn(warnings: &mut Vec<MetaWarning>, path: PathBuf, message: impl Into<String>) {
    warnings.push(MetaWarning {
        path,
        message: message.into(),
    });
}

/// The metadata of `entry`, following a symbolic link; `None` (with a warning) for a link
/// that cannot be followed.
fn follow(entry: &DirEntry, warnings: &mut Vec<MetaWarning>) -> Option<Metadata> {
    let path = entry.path();
    // DirEntry::metadata stats relative to the open directory (cheap); it does not follow
    // symlinks, so those take the full path.
    let md = match entry.metadata() {
        Ok(md) if md.file_type().is_symlink() => fs::metadata(&path),
        other => other,
    };
    match md {
        Ok(md) => Some(md),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let target =
                fs::read_link(&path).map_or_else(|_| "?".into(), |t| t.display().to_string());
            warn(
                warnings,
                path,
                format!("dangling symbolic link (to {target})"),
            );
            None
        }
        Err(e) => {
            warn(warnings, path, format!("cannot follow symbolic link: {e}"));
            None
        }
    }
}

/// Lists `{meta_dir}/profiling/*/*.avro`. Hidden names are skipped (temporary files of
/// writers; old ones are deleted); everything else that cannot be a run file — special
/// files, directories, symbolic links that cannot be followed — is skipped with a warning.
pub(super) fn scan(
    meta_dir: &Path,
    now: SystemTime,
    warnings: &mut Vec<MetaWarning>,
) -> Result<Vec<DiskFile>, MetaError> {
    let root = meta_dir.join(PROFILING_DIR);
    let dags = match fs::read_dir(&root) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(MetaError::io("list directory", root, e)),
    };
    let mut out = Vec::new();
    for dag in dags {
        let dag = dag.map_err(|e| MetaError::io("list directory", &root, e))?;
        let dag_name = dag.file_name();
        let Some(dag_str) = dag_name.to_str().filter(|s| !s.starts_with('.')) else {
            continue;
        };
        match follow(&dag, warnings) {
            Some(md) if md.is_dir() => {}
            _ => continue, // files next to the DAG directories are not ours
        }
        let dag_path = dag.path();
        let entries = match fs::read_dir(&dag_path) {
            Ok(e) => e,
            Err(e) => {
                warn(warnings, dag_path, format!("cannot list directory: {e}"));
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                if is_temp_name(name) {
                    clean_stale_temp(&entry, now);
                }
                continue;
            }
            if !name.ends_with(".avro") {
                continue;
            }
            let Some(md) = follow(&entry, warnings) else {
                continue;
            };
            let abs = entry.path();
            if md.is_dir() {
                warn(warnings, abs, "is a directory, not a run file");
            } else if !md.is_file() {
                warn(
                    warnings,
                    abs,
                    format!(
                        "not a regular file ({})",
                        crate::file_kind::describe(&md.file_type())
                    ),
                );
            } else {
                out.push(DiskFile {
                    rel: format!("{PROFILING_DIR}/{dag_str}/{name}"),
                    abs,
                    id: Identity::of(&md),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}
