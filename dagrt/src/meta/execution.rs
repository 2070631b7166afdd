//! Records of an [`Execution`](crate::Execution): one [`RunRecord`] per run, written with `.profile(true)`.

use super::{MetaError, RunRecord, TaskRecord, write_run};
use crate::profile::efficiency::{occupied_worker, parallelism_efficiency};
use crate::{Execution, NodeStatus};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

impl RunRecord {
    /// The profiling records of one execution: one task record per node, whatever its status.
    #[must_use]
    pub fn from_execution(execution: &Execution) -> RunRecord {
        let wall_clock = execution.total_duration_seconds();
        let workers = execution.max_workers().max(1);
        let mut busy = 0.0;
        let mut tasks: Vec<TaskRecord> = execution
            .nodes()
            .map(|r| {
                if occupied_worker(r.status) {
                    busy += r.duration;
                }
                TaskRecord {
                    task_name: r.name.to_string(),
                    task_description: execution.description(r.id).to_string(),
                    task_runtime: r.duration,
                    status: r.status,
                    error: r.error.clone(),
                    start: r.start,
                    end: r.end,
                    worker: r.worker.and_then(|w| i64::try_from(w).ok()),
                    attempt: i32::try_from(r.attempts).unwrap_or(i32::MAX),
                    reused_from: r.reused_from.map(|s| s.as_str().to_string()),
                    element_index: None,
                }
            })
            .collect();
        // `#[each]`: one row per element, `task[i]`, after the tasks' own rows.
        let view = &execution.view;
        let mut elements: Vec<_> = view.elements.iter().collect();
        elements.sort_by_key(|e| (e.node, e.index));
        for e in elements {
            let (start, end) = (view.seconds(e.start), view.seconds(e.end));
            let node = crate::graph::NodeId(e.node);
            let name = view.graph.name(node);
            tasks.push(TaskRecord {
                task_name: format!("{name}[{}]", e.index),
                task_description: execution.description(node).to_string(),
                task_runtime: (end - start).max(0.0),
                status: if e.error.is_some() {
                    NodeStatus::Failed
                } else {
                    NodeStatus::Completed
                },
                error: e.error.clone(),
                start,
                end,
                worker: (e.worker != u32::MAX).then_some(i64::from(e.worker)),
                attempt: i32::try_from(e.attempts).unwrap_or(i32::MAX),
                reused_from: None,
                element_index: Some(i64::from(e.index)),
            });
        }
        RunRecord {
            dag_name: execution.dag_name().to_string(),
            dag_description: execution.dag_description().to_string(),
            run_id: execution.run_id().to_string(),
            started_at_micros: execution
                .started_at()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
            wall_clock,
            max_workers: u32::try_from(workers).unwrap_or(u32::MAX),
            parallelism_efficiency: parallelism_efficiency(busy, wall_clock, workers),
            tasks,
        }
    }
}

/// Writes the profiling records of `execution` to
/// `{meta_dir}/profiling/{dag_name}/{run_id}.avro` (atomically) and returns the file's path.
///
/// # Errors
/// When the directory cannot be created or the file cannot be written.
pub(crate) fn record_execution(
    meta_dir: &Path,
    execution: &Execution,
) -> Result<PathBuf, MetaError> {
    write_run(meta_dir, &RunRecord::from_execution(execution))
}
