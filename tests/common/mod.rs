//! Shared helpers for the meta integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use dag::NodeStatus;
use dag::meta::{RunRecord, TaskRecord};

/// A run of `dag` with `n` tasks; task 1 failed, task 2 skipped, task 3 cancelled when `n`
/// is large enough, the rest completed with runtime `0.01 * (i + 1)`.
pub fn sample_run(dag: &str, run_id: &str, n: usize) -> RunRecord {
    let tasks = (0..n)
        .map(|i| {
            let mut t = TaskRecord::completed(
                &format!("task_{i}"),
                &format!("task number {i}"),
                i as f64 * 0.01,
                i as f64 * 0.01 + 0.01 * (i + 1) as f64,
            );
            t.worker = Some((i % 4) as i64);
            match i {
                1 => {
                    t.status = NodeStatus::Failed;
                    t.error = Some("boom: división por cero".into());
                    t.attempt = 3;
                }
                2 => {
                    t.status = NodeStatus::Skipped;
                    t.task_runtime = 0.0;
                    t.worker = None;
                }
                3 => {
                    t.status = NodeStatus::Cancelled;
                    t.worker = None;
                }
                _ => {}
            }
            t
        })
        .collect();
    RunRecord {
        dag_name: dag.into(),
        dag_description: format!("the {dag} pipeline"),
        run_id: run_id.into(),
        started_at_micros: 1_750_000_000_000_000,
        wall_clock: 1.5,
        max_workers: 4,
        parallelism_efficiency: 0.75,
        tasks,
    }
}
