//! Run metadata: per-task profiling records stored as Avro files and queried with SQL.
//!
//! Every finished DAG run is written by [`write_run`] as one Avro object container file,
//! `{meta_dir}/profiling/{dag_name}/{run_id}.avro`, holding one row per task (completed,
//! failed, skipped and cancelled tasks alike). The files are the only source of truth.
//!
//! [`MetaDb`] answers SQL over them: before each query it brings an SQLite index at
//! `{meta_dir}/index.sqlite` up to date with the files (new and changed files are ingested,
//! vanished files are dropped) and then runs the query against two read-only views:
//!
//! * `profiling`: one row per task per run: `dag_name, dag_description, run_id, task_name,
//!   task_description, task_runtime, status, error, start_offset, end_offset, worker,
//!   attempt, run_started_at, reused_from` (`cache`, `checkpoint`, `previous_run` or
//!   `provided` for an output the task did not compute; NULL when it ran);
//! * `runs`: one row per run: `dag_name, run_id, started_at, wall_clock, completed, failed,
//!   skipped, cancelled, max_workers, parallelism_efficiency`.
//!
//! Files that cannot be read (truncated, not Avro, a foreign schema, over
//! [`MAX_RECORD_BYTES`], a FIFO or directory named `*.avro`, a dangling symbolic link) are
//! skipped and reported as [`MetaWarning`]s on the result ([`Table::warnings`]) instead of
//! failing the query; so is a second copy of a run already counted (a backup copy, a
//! symlinked DAG directory): each run counts once. The index can always be deleted and is
//! rebuilt from the files. User SQL only reads (see [`MetaDb::query`]).
//!
//! A DAG name or run id too long for a file name gets a shortened, deterministic file name
//! (see [`run_path`]); the records keep the full names.
//!
//! ```
//! use dag::meta::{MetaDb, RunRecord, TaskRecord, write_run};
//!
//! # fn main() -> Result<(), dag::meta::MetaError> {
//! let dir = std::env::temp_dir().join(format!("dag-meta-doc-{}", std::process::id()));
//! let run = RunRecord {
//!     dag_name: "etl".into(),
//!     dag_description: "nightly load".into(),
//!     run_id: "run-1".into(),
//!     started_at_micros: 1_700_000_000_000_000,
//!     wall_clock: 0.5,
//!     max_workers: 2,
//!     parallelism_efficiency: 0.9,
//!     tasks: vec![TaskRecord::completed("extract", "read input", 0.0, 0.25)],
//! };
//! write_run(&dir, &run)?;
//! let db = MetaDb::open(&dir);
//! let table = db.query("SELECT task_name, task_runtime FROM profiling")?;
//! assert_eq!(table.get::<String>(0, "task_name")?, "extract");
//! assert_eq!(table.get::<f64>(0, "task_runtime")?, 0.25);
//! db.drop()?;
//! # Ok(())
//! # }
//! ```

mod db;
mod error;
mod execution;
mod guard;
mod ingest;
mod load;
#[cfg(feature = "cli")]
pub(crate) mod part;
mod read;
mod record;
mod removal;
mod scan;
mod schema;
mod table;
mod temp;

pub use db::{MetaDb, default_meta_dir};
pub use error::{MetaError, MetaWarning};
pub(crate) use execution::record_execution;
pub use read::read_run;
pub use record::{RunRecord, TaskRecord, run_path, write_run};
pub use removal::Dropped;
pub use table::{FromValue, Row, Table, Value};
pub use temp::STALE_TEMP_AGE;

/// Name of the sub-directory of the meta dir that holds the Avro files.
pub(crate) const PROFILING_DIR: &str = "profiling";

/// File name of the SQLite index inside the meta dir.
pub(crate) const INDEX_FILE: &str = "index.sqlite";

/// Largest run file, in bytes, that is read (1 GiB: some 6 million tasks). Larger files
/// are skipped by queries with a [`MetaWarning`] and refused by [`read_run`].
pub const MAX_RECORD_BYTES: u64 = 1 << 30;

/// Environment variable that overrides the default meta dir (see [`default_meta_dir`]).
pub const META_DIR_ENV: &str = "DAG_META_DIR";
