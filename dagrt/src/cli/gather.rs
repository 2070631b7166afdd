//! Gather: the `gather` command — the record parts that the `run-task` processes of one run
//! wrote, merged into the run's profiling record (for `history`, `estimate`, `sql`).

use super::dags::{choose, emit};
use super::{Context, Exit, Outcome};
use std::io::Write;

/// The flags of `gather`.
#[derive(Debug, clap::Args)]
pub(crate) struct GatherArgs {
    /// The DAG.
    pub dag: String,
    /// The run whose parts to merge (the `--run-id` its `run-task` processes were given).
    #[arg(long, value_name = "ID")]
    pub run_id: String,
}

/// `gather DAG --run-id ID`.
pub(super) fn gather(
    ctx: &mut Context,
    args: &GatherArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let chosen = choose(ctx, &args.dag)?;
    let dir = ctx.meta_dir();
    let run_id = &args.run_id;
    let found = crate::meta::part::gather(&dir, &chosen.name, run_id).map_err(|e| e.to_string())?;
    let gathered = match found {
        Some(gathered) => gathered,
        None => {
            // Nothing ran under this id (every output was up to date): still a run.
            emit(
                err,
                &format!(
                    "warning: no record part of run `{run_id}` of DAG `{}` in {}: no task ran \
                     under this run id; the run is recorded without tasks\n",
                    chosen.name,
                    dir.display()
                ),
            )?;
            let run = empty_run(&chosen, run_id);
            let path = crate::meta::write_run(&dir, &run).map_err(|e| e.to_string())?;
            crate::meta::part::Gathered {
                path,
                run,
                warnings: Vec::new(),
            }
        }
    };
    for w in &gathered.warnings {
        emit(err, &format!("warning: skipped {w}\n"))?;
    }
    let graph = &chosen.spec.graph;
    let absent: Vec<&str> = graph
        .nodes()
        .map(|n| graph.name(n))
        .filter(|name| gathered.run.task(name).is_none())
        .collect();
    let tasks = graph.len() - absent.len();
    let mut text = format!(
        "DAG `{}`, run {run_id}: {tasks} of {} tasks recorded in {}\n",
        chosen.name,
        graph.len(),
        gathered.path.display()
    );
    if !absent.is_empty() {
        text.push_str(&format!(
            "not run under this run id (their stored outputs were up to date, or they did not \
             run): {}\n",
            absent.join(", ")
        ));
    }
    emit(out, &text)?;
    Ok(Exit::Success)
}

/// The record of a run in which no task ran.
fn empty_run(chosen: &super::dags::Chosen, run_id: &str) -> crate::meta::RunRecord {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    crate::meta::RunRecord {
        dag_name: chosen.name.clone(),
        dag_description: chosen.dag.config.description.clone(),
        run_id: run_id.to_string(),
        started_at_micros: now,
        wall_clock: 0.0,
        max_workers: 0,
        parallelism_efficiency: 0.0,
        tasks: Vec::new(),
    }
}
