//! Run records: the Avro schema, durable writing of one file per run, and reading back.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use apache_avro::{Schema, Writer};
use serde::{Deserialize, Serialize};

use super::temp::clean_stale_temps_once;
use super::{MetaError, PROFILING_DIR};
use crate::NodeStatus;

/// The Avro schema of one row (one task of one run).
///
/// The first six fields name the run and the task; the rest describe the task's outcome
/// (`status` is [`NodeStatus::as_str`]). Run-level values (wall clock, workers, efficiency) are not repeated per row:
/// they live in the file's user metadata under [`RUN_METADATA_KEY`] as a JSON object,
/// so a run without tasks is still a run.
pub(crate) const AVRO_SCHEMA: &str = r#"{
  "type": "record",
  "name": "profiling",
  "namespace": "dag.meta",
  "doc": "One task of one DAG run",
  "fields": [
    {"name": "dag_name", "type": "string"},
    {"name": "dag_description", "type": "string"},
    {"name": "run_id", "type": "string"},
    {"name": "task_name", "type": "string"},
    {"name": "task_description", "type": "string"},
    {"name": "task_runtime", "type": "double", "doc": "seconds"},
    {"name": "status", "type": "string", "doc": "completed, failed, skipped or cancelled"},
    {"name": "error", "type": ["null", "string"], "default": null},
    {"name": "start_offset", "type": "double", "doc": "seconds after run start"},
    {"name": "end_offset", "type": "double", "doc": "seconds after run start"},
    {"name": "worker", "type": ["null", "long"], "default": null},
    {"name": "attempt", "type": "int"},
    {"name": "run_started_at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "reused_from", "type": ["null", "string"], "default": null,
     "doc": "where a reused output came from: cache, checkpoint, previous_run or provided (Dag::set)"},
    {"name": "element_index", "type": ["null", "long"], "default": null,
     "doc": "for one element of an #[each] task (task_name is task[i]): its index"}
  ]
}"#;

/// User-metadata key of the JSON object with the run-level values: `format_version`,
/// `dag_name`, `dag_description`, `run_id`, `started_at_micros`, `wall_clock`,
/// `max_workers`, `parallelism_efficiency`, `task_count` (rows in the file, checked on read).
pub(crate) const RUN_METADATA_KEY: &str = "dag.run";

/// One finished run of a DAG, as written by [`write_run`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Name of the DAG.
    pub dag_name: String,
    /// Human description of the DAG.
    pub dag_description: String,
    /// Identifier of this run, unique within the DAG.
    pub run_id: String,
    /// Start of the run, Unix time in microseconds.
    pub started_at_micros: i64,
    /// Wall-clock duration of the whole run, seconds.
    pub wall_clock: f64,
    /// Number of workers the executor used.
    pub max_workers: u32,
    /// Sum of task runtimes / (wall clock × workers), 0..=1.
    pub parallelism_efficiency: f64,
    /// Every task of the run, whatever its status.
    pub tasks: Vec<TaskRecord>,
}

/// One task of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Name of the task, unique within the DAG.
    pub task_name: String,
    /// Human description of the task.
    pub task_description: String,
    /// Time the task ran, seconds (0 for tasks that never started).
    pub task_runtime: f64,
    /// How the task ended; stored as [`NodeStatus::as_str`] (`"completed"`, `"failed"`,
    /// `"skipped"` or `"cancelled"`).
    pub status: NodeStatus,
    /// Error message of a failed task.
    pub error: Option<String>,
    /// Start, seconds after the run started.
    pub start: f64,
    /// End, seconds after the run started.
    pub end: f64,
    /// Index of the worker that ran the task, if any.
    pub worker: Option<i64>,
    /// Attempt number, starting at 1.
    pub attempt: i32,
    /// Where the output came from when the task did not compute it: `"cache"`,
    /// `"checkpoint"`, `"previous_run"` or `"provided"` (given with `Dag::set`); `None` when
    /// it ran (and in files written before this field existed).
    pub reused_from: Option<String>,
    /// For one element of an `#[each]` task (whose row is named `task[i]`): its index `i`;
    /// `None` for a task's own row (and in files written before this field existed).
    pub element_index: Option<i64>,
}

impl RunRecord {
    /// The record of the task called `name`, if the run has one.
    #[must_use]
    pub fn task(&self, name: &str) -> Option<&TaskRecord> {
        self.tasks.iter().find(|t| t.task_name == name)
    }
}

impl TaskRecord {
    /// A completed first attempt running from `start` to `end` (seconds after run start),
    /// with `task_runtime = end - start` and no worker.
    pub fn completed(name: &str, description: &str, start: f64, end: f64) -> Self {
        TaskRecord {
            task_name: name.to_owned(),
            task_description: description.to_owned(),
            task_runtime: end - start,
            status: NodeStatus::Completed,
            error: None,
            start,
            end,
            worker: None,
            attempt: 1,
            reused_from: None,
            element_index: None,
        }
    }
}

/// One Avro row, for writing (borrowed).
#[derive(Serialize)]
struct RowOut<'a> {
    dag_name: &'a str,
    dag_description: &'a str,
    run_id: &'a str,
    task_name: &'a str,
    task_description: &'a str,
    task_runtime: f64,
    status: &'a str,
    error: Option<&'a str>,
    start_offset: f64,
    end_offset: f64,
    worker: Option<i64>,
    attempt: i32,
    run_started_at: i64,
    reused_from: Option<&'a str>,
    element_index: Option<i64>,
}

/// The run-level values kept in the file's user metadata.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct RunMeta {
    pub format_version: u32,
    pub dag_name: String,
    pub dag_description: String,
    pub run_id: String,
    pub started_at_micros: i64,
    pub wall_clock: f64,
    pub max_workers: u32,
    pub parallelism_efficiency: f64,
    /// Number of rows in the file, so a file cut right after its header is detected.
    pub task_count: u64,
}

/// The parsed [`AVRO_SCHEMA`], parsed once.
pub(super) fn schema() -> Result<&'static Schema, String> {
    static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| Schema::parse_str(AVRO_SCHEMA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Longest file-name component, in bytes, that [`escape_path_component`] returns.
///
/// Leaves room under the usual 255-byte limit of file systems for the `.avro` extension
/// and for the hidden temporary name `write_run` writes first.
pub(crate) const MAX_NAME_BYTES: usize = 200;

/// Hex digits of the name's BLAKE3 hash that end a shortened component.
const HASH_HEX: usize = 32;

/// Marks a shortened component; `%` is otherwise always followed by two hex digits.
const SHORTENED: &str = "%~";

/// Escapes a `dag_name` or `run_id` into a single safe file-name component.
///
/// `%`, `/`, `\`, NUL and other control characters are percent-encoded (`/` → `%2F`), and so
/// is a leading `.` (so `.`, `..` and hidden names cannot occur). Everything else, including
/// non-ASCII text, is kept. A result longer than [`MAX_NAME_BYTES`] is shortened
/// deterministically: the escaped text is cut (between escaped characters) to leave room
/// for `%~` and 32 hex digits of the BLAKE3 hash of the whole name. Distinct names never
/// share a component (up to a 128-bit hash collision between two long names); the full
/// names are stored inside the records. An empty name is rejected with
/// [`MetaError::InvalidName`].
pub(crate) fn escape_path_component(field: &'static str, name: &str) -> Result<String, MetaError> {
    if name.is_empty() {
        return Err(MetaError::InvalidName {
            field,
            value: name.to_owned(),
            reason: "must not be empty",
        });
    }
    let budget = MAX_NAME_BYTES - SHORTENED.len() - HASH_HEX;
    let mut out = String::with_capacity(name.len().min(MAX_NAME_BYTES + 16));
    let mut cut = 0; // longest prefix of whole escaped characters within `budget`
    for (i, c) in name.char_indices() {
        if c == '%' || c == '/' || c == '\\' || c.is_control() || (i == 0 && c == '.') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
        if out.len() <= budget {
            cut = out.len();
        } else if out.len() > MAX_NAME_BYTES {
            break; // shortened anyway: the rest only goes into the hash
        }
    }
    if out.len() <= MAX_NAME_BYTES {
        return Ok(out);
    }
    out.truncate(cut);
    out.push_str(SHORTENED);
    out.push_str(&blake3::hash(name.as_bytes()).to_hex()[..HASH_HEX]);
    Ok(out)
}

/// The path [`write_run`] uses for a run: `{meta_dir}/profiling/{dag}/{run}.avro`, where
/// each name becomes one safe file-name component.
///
/// `%`, `/`, `\`, NUL and other control characters are percent-encoded (`/` → `%2F`), and so
/// is a leading `.` (so `.`, `..` and hidden names cannot occur). Everything else, including
/// non-ASCII text, is kept. A component longer than 200 bytes is shortened
/// deterministically: cut (between escaped characters) to leave room for `%~` and 32 hex
/// digits of the BLAKE3 hash of the whole name. Distinct names never share a component (up
/// to a 128-bit hash collision between two long names); the full names are stored inside
/// the records.
///
/// # Errors
/// [`MetaError::InvalidName`] for an empty name.
pub fn run_path(meta_dir: &Path, dag_name: &str, run_id: &str) -> Result<PathBuf, MetaError> {
    let dag = escape_path_component("dag_name", dag_name)?;
    let run = escape_path_component("run_id", run_id)?;
    Ok(meta_dir
        .join(PROFILING_DIR)
        .join(dag)
        .join(format!("{run}.avro")))
}

/// Encodes a run as a complete Avro object container file (null codec).
pub(super) fn encode_run(run: &RunRecord) -> Result<Vec<u8>, String> {
    let schema = schema()?;
    let meta = RunMeta {
        format_version: 1,
        dag_name: run.dag_name.clone(),
        dag_description: run.dag_description.clone(),
        run_id: run.run_id.clone(),
        started_at_micros: run.started_at_micros,
        wall_clock: run.wall_clock,
        max_workers: run.max_workers,
        parallelism_efficiency: run.parallelism_efficiency,
        task_count: run.tasks.len() as u64,
    };
    let meta_json = serde_json::to_vec(&meta).map_err(|e| e.to_string())?;
    let mut writer = Writer::new(schema, Vec::with_capacity(512 + 160 * run.tasks.len()))
        .map_err(|e| e.to_string())?;
    writer
        .add_user_metadata(RUN_METADATA_KEY.to_owned(), meta_json)
        .map_err(|e| e.to_string())?;
    for t in &run.tasks {
        let row = RowOut {
            dag_name: &run.dag_name,
            dag_description: &run.dag_description,
            run_id: &run.run_id,
            task_name: &t.task_name,
            task_description: &t.task_description,
            task_runtime: t.task_runtime,
            status: t.status.as_str(),
            error: t.error.as_deref(),
            start_offset: t.start,
            end_offset: t.end,
            worker: t.worker,
            attempt: t.attempt,
            run_started_at: run.started_at_micros,
            reused_from: t.reused_from.as_deref(),
            element_index: t.element_index,
        };
        writer.append_ser(row).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// How often [`write_run`] starts over when a concurrent [`MetaDb::drop`] removed its
/// directory under it (each drop costs a writer at most one or two attempts).
///
/// [`MetaDb::drop`]: super::MetaDb::drop
const WRITE_ATTEMPTS: usize = 1_000;

/// Writes `run` durably to `{meta_dir}/profiling/{dag_name}/{run_id}.avro` and returns that
/// path. Directories are created as needed.
///
/// Names are escaped for the file system (see [`run_path`]): `/`, `\`, `%`, NUL
/// and control characters are percent-encoded, a leading `.` too, names longer than
/// 200 bytes are shortened with a hash, and an empty name is an
/// [`MetaError::InvalidName`]. The exact names are stored inside the file.
///
/// The file appears whole or not at all: the bytes go to a hidden temporary file
/// `.{run_id}.avro.tmp-{pid}-{n}` in the same directory (ignored by queries; once older
/// than [`STALE_TEMP_AGE`](super::STALE_TEMP_AGE), deleted by them and by the first `write_run` of each process
/// into that directory), which is fsynced, renamed over the final name,
/// and then the directory is fsynced. A crash leaves at most that temporary file; earlier
/// runs are never touched. Any number of threads and processes may write concurrently.
/// Writing the same run twice replaces the earlier file. A concurrent
/// [`MetaDb::drop`](super::MetaDb::drop) never makes a write fail: the write either lands
/// before the drop (and is removed by it) or after it.
pub fn write_run(meta_dir: &Path, run: &RunRecord) -> Result<PathBuf, MetaError> {
    let path = run_path(meta_dir, &run.dag_name, &run.run_id)?;
    let (Some(dir), Some(file_name)) = (path.parent(), path.file_name()) else {
        return Err(MetaError::InvalidName {
            field: "run_id",
            value: run.run_id.clone(),
            reason: "does not make a file name",
        });
    };
    let bytes = encode_run(run).map_err(|message| MetaError::Encode {
        path: path.clone(),
        message,
    })?;
    let mut attempt = 0;
    loop {
        match try_write(dir, &path, &file_name.to_string_lossy(), &bytes) {
            // The directory vanished under us: a concurrent drop. Start over.
            Err(e) if vanished(&e) && attempt + 1 < WRITE_ATTEMPTS => attempt += 1,
            Ok(()) => {
                clean_stale_temps_once(dir);
                return Ok(path);
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_not_found(e: &MetaError) -> bool {
    matches!(e, MetaError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
}

/// Whether `e` is what a write meets when a concurrent drop moves the directory away: a
/// missing path, or `create_dir_all` seeing the directory exist (`mkdir` fails with
/// `AlreadyExists`) and then vanish before it could confirm it is a directory.
fn vanished(e: &MetaError) -> bool {
    is_not_found(e)
        || matches!(e, MetaError::Io { action: "create directory", source, .. }
            if source.kind() == io::ErrorKind::AlreadyExists)
}

/// One attempt of [`write_run`]: temporary file, rename, directory fsyncs.
pub(super) fn try_write(
    dir: &Path,
    path: &Path,
    file_name: &str,
    bytes: &[u8],
) -> Result<(), MetaError> {
    let dir_existed = dir.is_dir();
    fs::create_dir_all(dir).map_err(|e| MetaError::io("create directory", dir, e))?;

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{file_name}.tmp-{}-{n}", std::process::id()));
    let result = write_synced(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| MetaError::io("rename into", path, e)));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // From here the record is written; a directory that vanished since was dropped with it.
    let synced = sync_dir(dir).and_then(|()| {
        if !dir_existed {
            // The new per-DAG directory's own entry must be durable too.
            for parent in dir.ancestors().skip(1).take(2) {
                sync_dir(parent)?;
            }
        }
        Ok(())
    });
    match synced {
        Err(e) if is_not_found(&e) => Ok(()),
        other => other,
    }
}
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), MetaError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| MetaError::io("create", path, e))?;
    file.write_all(bytes)
        .map_err(|e| MetaError::io("write", path, e))?;
    file.sync_all().map_err(|e| MetaError::io("fsync", path, e))
}

fn sync_dir(dir: &Path) -> Result<(), MetaError> {
    // Opening a directory read-only and fsyncing it is how POSIX makes a rename durable.
    #[cfg(unix)]
    {
        let d = File::open(dir).map_err(|e| MetaError::io("open directory", dir, e))?;
        d.sync_all()
            .map_err(|e| MetaError::io("fsync directory", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
