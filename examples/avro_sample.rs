//! Writes one sample run (with a failed and a skipped task) into the meta dir given as the
//! first argument, plus `expected.json` beside it describing the records field by field,
//! for `ci/check_avro.py` to compare against an independent Avro reader.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::ExitCode;

use dag::NodeStatus;
use dag::meta::{RunRecord, TaskRecord, write_run};
use serde_json::json;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: avro_sample DIR");
        return ExitCode::from(2);
    };
    let mut failed = TaskRecord::completed("transform", "clean rows ✓", 0.25, 0.75);
    failed.status = NodeStatus::Failed;
    failed.error = Some("ValueError: bad row 17\nsecond line".into());
    failed.worker = Some(1);
    failed.attempt = 2;
    let mut skipped = TaskRecord::completed("load", "write to warehouse", 0.75, 0.75);
    skipped.status = NodeStatus::Skipped;
    skipped.task_runtime = 0.0;
    let mut extract = TaskRecord::completed("extract", "read the input", 0.0, 0.25);
    extract.worker = Some(0);
    let run = RunRecord {
        dag_name: "sample".into(),
        dag_description: "CI interoperability sample".into(),
        run_id: "run-0001".into(),
        started_at_micros: 1_750_000_123_456_789,
        wall_clock: 0.7512345678901234,
        max_workers: 2,
        parallelism_efficiency: 0.6666666666666666,
        tasks: vec![extract, failed, skipped],
    };
    let path = match write_run(&dir, &run) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("avro_sample: {e}");
            return ExitCode::FAILURE;
        }
    };
    let records: Vec<_> = run
        .tasks
        .iter()
        .map(|t| {
            json!({
                "dag_name": run.dag_name,
                "dag_description": run.dag_description,
                "run_id": run.run_id,
                "task_name": t.task_name,
                "task_description": t.task_description,
                "task_runtime": t.task_runtime,
                "status": t.status,
                "error": t.error,
                "start_offset": t.start,
                "end_offset": t.end,
                "worker": t.worker,
                "attempt": t.attempt,
                "run_started_at": run.started_at_micros,
            })
        })
        .collect();
    let expected = json!({
        "avro_file": path.strip_prefix(&dir).unwrap_or(&path),
        "field_order": ["dag_name", "dag_description", "run_id", "task_name",
            "task_description", "task_runtime", "status", "error", "start_offset",
            "end_offset", "worker", "attempt", "run_started_at"],
        "run_metadata": {
            "dag_name": run.dag_name,
            "dag_description": run.dag_description,
            "run_id": run.run_id,
            "started_at_micros": run.started_at_micros,
            "wall_clock": run.wall_clock,
            "max_workers": run.max_workers,
            "parallelism_efficiency": run.parallelism_efficiency,
            "task_count": run.tasks.len(),
        },
        "records": records,
    });
    let out = dir.join("expected.json");
    let text = match serde_json::to_string_pretty(&expected) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("avro_sample: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("avro_sample: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!("{}", path.display());
    ExitCode::SUCCESS
}
