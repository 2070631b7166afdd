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

impl Execution {
    /// The execution a profiling record tells of, over `graph` (the DAG the record is of), for
    /// the profile and the HTML report of a run that happened elsewhere — a run gathered from
    /// the `run-task` processes of a cluster, or one read back with
    /// [`read_run`](crate::meta::read_run). It has no outputs and no trace of its own (its
    /// [`to_trace`](Execution::to_trace) is derived from the record). A node without a row
    /// did not run in that run (its output was up to date): it is `Completed`, reused from a
    /// previous run. Rows naming no node of `graph` are left out.
    #[must_use]
    pub fn from_record(graph: std::sync::Arc<crate::graph::Graph>, run: &RunRecord) -> Execution {
        use crate::exec::policy::{HIT_CACHE, HIT_CHECKPOINT, HIT_PREVIOUS, PROVIDED};
        use crate::exec::{ElementRun, RawRun, Record};
        let nanos = |s: f64| {
            if s.is_finite() && s > 0.0 {
                (s * 1e9) as u64
            } else {
                0
            }
        };
        let worker = |w: Option<i64>| w.and_then(|w| u32::try_from(w).ok()).unwrap_or(u32::MAX);
        let mut records: Vec<Record> = graph
            .nodes()
            .map(|_| Record {
                start: 0,
                end: 0,
                worker: u32::MAX,
                cause: u32::MAX,
                status: NodeStatus::Completed,
                attempts: 0,
                flags: HIT_PREVIOUS,
            })
            .collect();
        let mut errors = Vec::new();
        let mut elements = Vec::new();
        for t in &run.tasks {
            if let Some(index) = t.element_index {
                let task = t.task_name.rsplit_once('[').map_or("", |(task, _)| task);
                if let (Some(node), Ok(index)) = (graph.find(task), u32::try_from(index)) {
                    elements.push(ElementRun {
                        node: node.0,
                        index,
                        start: nanos(t.start),
                        end: nanos(t.end),
                        worker: worker(t.worker),
                        attempts: u32::try_from(t.attempt).unwrap_or(0),
                        error: t.error.clone(),
                    });
                }
                continue;
            }
            let Some(node) = graph.find(&t.task_name) else {
                continue;
            };
            let flags = match t.reused_from.as_deref() {
                Some("cache") => HIT_CACHE,
                Some("checkpoint") => HIT_CHECKPOINT,
                Some("previous_run") => HIT_PREVIOUS,
                Some("provided") => PROVIDED,
                _ => 0,
            };
            records[node.index()] = Record {
                start: nanos(t.start),
                end: nanos(t.end.max(t.start)),
                worker: worker(t.worker),
                cause: u32::MAX,
                status: t.status,
                attempts: u32::try_from(t.attempt).unwrap_or(0),
                flags,
            };
            if let Some(e) = &t.error {
                errors.push((node.0, e.clone()));
            }
        }
        errors.sort_unstable_by_key(|e| e.0);
        let outputs = crate::exec::Kept::Final(None);
        let raw = RawRun {
            records,
            errors,
            attempts: Vec::new(),
            elements,
            warnings: Vec::new(),
            waits: Vec::new(),
            pools: Vec::new(),
            outputs,
            cancel_reason: crate::exec::cancel::RUNNING,
            t0: 0,
            t_end: nanos(run.wall_clock),
        };
        let started_at = u64::try_from(run.started_at_micros).map_or(UNIX_EPOCH, |us| {
            UNIX_EPOCH + std::time::Duration::from_micros(us)
        });
        let mut execution = Execution::from_raw(
            raw,
            run.run_id.clone(),
            std::sync::Arc::from(run.dag_name.as_str()),
            std::sync::Arc::from(run.dag_description.as_str()),
            graph,
            std::sync::Arc::from(Vec::new()),
            started_at,
            run.max_workers as usize,
            None,
        );
        execution.view.nanos = true;
        execution
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
