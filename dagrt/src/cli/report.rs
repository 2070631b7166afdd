//! Report: the `report` command — the HTML run report of a recorded run, made in this process
//! or gathered from a cluster's `run-task` processes.

use super::dags::{choose, emit};
use super::{Context, Exit, Outcome};
use std::io::Write;

/// The flags of `report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// The DAG.
    pub dag: String,
    /// The recorded run (see `history DAG`): one made with `run --profile`, or gathered.
    #[arg(long, value_name = "ID")]
    pub run_id: String,
    /// Where to write the HTML report.
    #[arg(short, long, value_name = "FILE")]
    pub output: std::path::PathBuf,
}

/// `report DAG --run-id ID -o FILE`: the HTML run report of a recorded run, in this process or
/// on a cluster (from its gathered record).
pub(super) fn report(ctx: &mut Context, args: &ReportArgs, err: &mut dyn Write) -> Outcome {
    let chosen = choose(ctx, &args.dag)?;
    let dir = ctx.meta_dir();
    let path =
        crate::meta::run_path(&dir, &chosen.name, &args.run_id).map_err(|e| e.to_string())?;
    let run = crate::meta::read_run(&path).map_err(|e| {
        format!(
            "no readable record of run `{}` of DAG `{}` ({}): {e} (see `history {}`)",
            args.run_id,
            chosen.name,
            path.display(),
            args.dag
        )
    })?;
    let execution = crate::Execution::from_record(chosen.spec.graph.clone(), &run);
    crate::report::HtmlReport::from_execution(&execution)
        .write(&args.output)
        .map_err(|e| {
            format!(
                "cannot write the HTML report to {}: {e}",
                args.output.display()
            )
        })?;
    emit(
        err,
        &format!(
            "wrote the report of run `{}` ({} tasks recorded) to {}\n",
            args.run_id,
            run.tasks
                .iter()
                .filter(|t| t.element_index.is_none())
                .count(),
            args.output.display()
        ),
    )?;
    Ok(Exit::Success)
}
