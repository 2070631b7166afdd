//! Record parts: the profiling record of one task of a run whose tasks ran as separate
//! processes (`run-task`), and the merge of a run's parts into its record (`gather`).
//!
//! A part is a run record file (the format of [`write_run`](super::write_run)) holding the
//! rows of one task, at `{meta_dir}/parts/{dag}/{run_id}/{task}.avro` (each name escaped as
//! in [`run_path`](super::run_path)). Parts are not records: queries never read them.
//! [`gather`] merges the parts of a run into `{meta_dir}/profiling/{dag}/{run_id}.avro`:
//! times are re-based on the earliest part's start, each process gets a worker lane (the
//! lowest lane free when it started), and `max_workers` is the number of lanes used.

use super::record::{escape_path_component, try_write};
use super::{MetaError, MetaWarning, RunRecord, read_run, write_run};
use crate::profile::efficiency::{occupied_worker, parallelism_efficiency};
use std::path::{Path, PathBuf};

/// Name of the sub-directory of the meta dir that holds the parts.
const PARTS_DIR: &str = "parts";

/// The directory of the parts of run `run_id` of DAG `dag`.
fn parts_dir(meta_dir: &Path, dag: &str, run_id: &str) -> Result<PathBuf, MetaError> {
    Ok(meta_dir
        .join(PARTS_DIR)
        .join(escape_path_component("dag_name", dag)?)
        .join(escape_path_component("run_id", run_id)?))
}

/// Writes `part` (the rows of task `task`) durably as its run's part for that task, replacing
/// an earlier one; returns its path.
pub(crate) fn write_part(
    meta_dir: &Path,
    part: &RunRecord,
    task: &str,
) -> Result<PathBuf, MetaError> {
    let dir = parts_dir(meta_dir, &part.dag_name, &part.run_id)?;
    let file_name = format!("{}.avro", escape_path_component("task_name", task)?);
    let path = dir.join(&file_name);
    let bytes = super::record::encode_run(part).map_err(|message| MetaError::Encode {
        path: path.clone(),
        message,
    })?;
    try_write(&dir, &path, &file_name, &bytes)?;
    Ok(path)
}

/// What [`gather`] did.
#[derive(Debug)]
pub(crate) struct Gathered {
    /// The run's record file.
    pub path: PathBuf,
    /// The merged record.
    pub run: RunRecord,
    /// Parts that were skipped (unreadable, or of another run).
    pub warnings: Vec<MetaWarning>,
}

/// Merges the parts of run `run_id` of DAG `dag` into the run's record (replacing an earlier
/// one). `Ok(None)` when the run has no part.
pub(crate) fn gather(
    meta_dir: &Path,
    dag: &str,
    run_id: &str,
) -> Result<Option<Gathered>, MetaError> {
    let dir = parts_dir(meta_dir, dag, run_id)?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(MetaError::io("read directory", &dir, e)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "avro")
                && p.file_name()
                    .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    let mut parts = Vec::new();
    let mut warnings = Vec::new();
    for path in paths {
        match read_run(&path) {
            Ok(part) if part.dag_name == dag && part.run_id == run_id => parts.push(part),
            Ok(part) => warnings.push(MetaWarning {
                path,
                message: format!(
                    "it is a part of run `{}` of DAG `{}`, not of run `{run_id}` of `{dag}`",
                    part.run_id, part.dag_name
                ),
            }),
            Err(e) => warnings.push(MetaWarning {
                path,
                message: e.to_string(),
            }),
        }
    }
    let Some(run) = merge(parts) else {
        return Ok(None);
    };
    let path = write_run(meta_dir, &run)?;
    Ok(Some(Gathered {
        path,
        run,
        warnings,
    }))
}

/// One record of the parts of a run (`None` for none): rows re-based on the earliest start,
/// one worker lane per process.
pub(crate) fn merge(mut parts: Vec<RunRecord>) -> Option<RunRecord> {
    parts.sort_by(|a, b| {
        (a.started_at_micros, &a.tasks.first().map(|t| &t.task_name))
            .cmp(&(b.started_at_micros, &b.tasks.first().map(|t| &t.task_name)))
    });
    let first = parts.first()?;
    let started = first.started_at_micros;
    let mut run = RunRecord {
        dag_name: first.dag_name.clone(),
        dag_description: first.dag_description.clone(),
        run_id: first.run_id.clone(),
        started_at_micros: started,
        wall_clock: 0.0,
        max_workers: 0,
        parallelism_efficiency: 0.0,
        tasks: Vec::new(),
    };
    // The end of each lane's last process, in seconds after `started`.
    let mut lanes: Vec<f64> = Vec::new();
    let mut busy = 0.0;
    for part in parts {
        let shift = (part.started_at_micros - started) as f64 / 1e6;
        let end = shift + part.wall_clock;
        let lane = match lanes.iter().position(|&free| free <= shift) {
            Some(lane) => lane,
            None => {
                lanes.push(0.0);
                lanes.len() - 1
            }
        };
        lanes[lane] = end;
        run.wall_clock = run.wall_clock.max(end);
        for mut t in part.tasks {
            t.start += shift;
            t.end += shift;
            if t.worker.is_some() {
                t.worker = Some(lane as i64);
            }
            if t.element_index.is_none() && occupied_worker(t.status) {
                busy += t.task_runtime;
            }
            run.tasks.push(t);
        }
    }
    run.max_workers = u32::try_from(lanes.len()).unwrap_or(u32::MAX);
    run.parallelism_efficiency = parallelism_efficiency(busy, run.wall_clock, lanes.len());
    Some(run)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::TaskRecord;

    fn part(task: &str, started_at_micros: i64, runtime: f64) -> RunRecord {
        let mut row = TaskRecord::completed(task, "", 0.0, runtime);
        row.worker = Some(0);
        RunRecord {
            dag_name: "wc".into(),
            dag_description: "counts".into(),
            run_id: "r1".into(),
            started_at_micros,
            wall_clock: runtime,
            max_workers: 1,
            parallelism_efficiency: 1.0,
            tasks: vec![row],
        }
    }

    #[test]
    fn parts_merge_on_the_earliest_start_with_a_lane_per_process() {
        // a: 0..1 s, b: 0.5..1.5 s (overlaps a: second lane), c: 2..2.5 s (first lane again).
        let run = merge(vec![
            part("c", 2_000_000, 0.5),
            part("a", 0, 1.0),
            part("b", 500_000, 1.0),
        ])
        .unwrap();
        let rows: Vec<(&str, f64, f64, Option<i64>)> = run
            .tasks
            .iter()
            .map(|t| (t.task_name.as_str(), t.start, t.end, t.worker))
            .collect();
        assert_eq!(
            rows,
            [
                ("a", 0.0, 1.0, Some(0)),
                ("b", 0.5, 1.5, Some(1)),
                ("c", 2.0, 2.5, Some(0))
            ]
        );
        assert_eq!((run.started_at_micros, run.wall_clock), (0, 2.5));
        assert_eq!(run.max_workers, 2);
        assert_eq!(run.parallelism_efficiency, 2.5 / 5.0);
        assert!(merge(Vec::new()).is_none());
    }

    #[test]
    fn gather_writes_the_run_record_and_skips_parts_of_other_runs() {
        let meta = tempfile::tempdir().unwrap();
        write_part(meta.path(), &part("a", 0, 1.0), "a").unwrap();
        write_part(meta.path(), &part("b", 1_000_000, 1.0), "b").unwrap();
        let mut stray = part("x", 0, 1.0);
        stray.run_id = "r2".into();
        let stray_path = write_part(meta.path(), &stray, "x").unwrap();
        let into = parts_dir(meta.path(), "wc", "r1").unwrap().join("x.avro");
        std::fs::rename(&stray_path, &into).unwrap();
        let gathered = gather(meta.path(), "wc", "r1").unwrap().unwrap();
        assert_eq!(gathered.path, meta.path().join("profiling/wc/r1.avro"));
        assert_eq!(read_run(&gathered.path).unwrap(), gathered.run);
        let names: Vec<&str> = gathered
            .run
            .tasks
            .iter()
            .map(|t| t.task_name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(gathered.warnings.len(), 1);
        assert_eq!(gathered.warnings[0].path, into);
        assert_eq!(
            gathered.warnings[0].message,
            "it is a part of run `r2` of DAG `wc`, not of run `r1` of `wc`"
        );
        assert!(gather(meta.path(), "wc", "none").unwrap().is_none());
    }
}
