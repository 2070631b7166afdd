//! Args: the command line's grammar (clap derive): commands, flags and their `--help` texts.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// What `--help` shows after the commands and flags: examples and the exit codes.
const AFTER_HELP: &str = r#"Examples:
  PROGRAM list                         # the DAGs of this program
  PROGRAM tasks etl                    # what each task of `etl` does, needs and returns
  PROGRAM graph etl --format mermaid   # draw `etl`
  PROGRAM run etl --set day=2024-05-01 --workers 4
  PROGRAM run etl --task load          # `load` and the tasks it needs, nothing else
  PROGRAM run etl --profile            # record the run, for `history` and `estimate`
  PROGRAM sql "SELECT task_name, AVG(task_runtime) FROM profiling GROUP BY task_name"

Exit codes:
  0  success
  1  a task failed (the failed tasks and their errors are printed on stderr)
  2  bad usage: an unknown command or flag, a missing or malformed argument
  3  any other error: an unknown DAG, task or input, a value that does not parse,
     a file that cannot be written, unreadable records"#;

/// [`AFTER_HELP`] with the program's name.
pub(crate) fn after_help(program: &str) -> String {
    AFTER_HELP.replace("PROGRAM", program)
}

/// The command line of a program whose `main` calls `dag::cli::main()`.
#[derive(Debug, Parser)]
#[command(
    about = "Inspect and run the task DAGs built into this program.",
    disable_version_flag = true
)]
pub(crate) struct Args {
    /// Where `run --profile` records runs [default: $DAG_META_DIR, else ./meta]
    #[arg(long, global = true, value_name = "DIR")]
    pub meta_dir: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// List the DAGs of this program, with their task counts and descriptions.
    List,
    /// Show the tasks of a DAG: what each does, needs and returns, and where it is defined.
    Tasks {
        /// The DAG (its module's name, as `list` shows it).
        dag: String,
    },
    /// Draw a DAG as Graphviz DOT or as a Mermaid flowchart (inputs are parallelograms).
    Graph {
        /// The DAG.
        dag: String,
        /// The drawing's language.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Run a DAG, or one task and the tasks it needs; print the final output as JSON.
    #[command(after_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// Predict a DAG's run time from the task durations recorded by `run --profile`.
    Estimate {
        /// The DAG.
        dag: String,
        /// Number of workers to plan for [default: the number of CPUs]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        workers: Option<u32>,
    },
    /// List the recorded runs of a DAG (those made with `run --profile`).
    History {
        /// The DAG.
        dag: String,
    },
    /// Query the recorded runs with SQL (read-only; tables `profiling` and `runs`).
    #[command(after_help = SQL_AFTER_HELP)]
    Sql {
        /// One SQL statement, e.g. "SELECT task_name, task_runtime FROM profiling".
        query: String,
    },
    /// Run one task in this process: its inputs read from a store, its output written there.
    RunTask(super::run_task::RunTaskArgs),
    /// Print a task's output stored by `run-task` as JSON.
    Output(super::run_task::OutputArgs),
    /// Write a DAG as a workflow of `run-task` processes for another engine.
    Export(super::export::ExportArgs),
    /// Merge the record parts of a run's `run-task` processes into the run's record.
    Gather(super::gather::GatherArgs),
    /// Write the HTML report of a recorded run (in-process with --profile, or gathered).
    Report(super::report::ReportArgs),
}

const RUN_AFTER_HELP: &str = "\
The run's summary (each task's status and duration) and its warnings go to stderr; the final
output (or the output of `--task`) goes to stdout as JSON when its type is serde-serializable.
Exit code 1 when a task failed, 3 when the run could not start (e.g. an input has no value).
On a terminal, a live progress bar on stderr shows the tasks done, those running, failures as
they happen and an ETA from the recorded runs (`no history` before any); --no-progress
turns it off, --progress writes it to a pipe or a file too, as plain lines.";

const SQL_AFTER_HELP: &str = "\
Tables:
  profiling  one row per task per run: dag_name, dag_description, run_id, task_name,
             task_description, task_runtime, status, error, start_offset, end_offset, worker,
             attempt, run_started_at, reused_from, element_index
  runs       one row per run: dag_name, run_id, started_at, wall_clock, completed, failed,
             skipped, cancelled, max_workers, parallelism_efficiency";

/// The flags of `run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// The DAG.
    pub dag: String,

    /// Run only this task and the tasks it needs; print its output
    #[arg(long, value_name = "TASK")]
    pub task: Option<String>,

    /// Give an input a value (parsed with its type's FromStr); repeatable
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = assignment)]
    pub set: Vec<(String, String)>,

    /// Number of worker threads [default: the number of CPUs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub workers: Option<u32>,

    /// Stop starting tasks after the first failure
    #[arg(long)]
    pub fail_fast: bool,

    /// Write the execution trace (JSON array of events) to FILE
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,

    /// Write the trace for chrome://tracing or Perfetto to FILE
    #[arg(long, value_name = "FILE")]
    pub chrome: Option<PathBuf>,

    /// Write the HTML run report (Gantt chart, critical path, DAG) to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Record the run under the meta dir (see --meta-dir)
    #[arg(long)]
    pub profile: bool,

    /// Finish the run saved in --checkpoint-dir: run only what is left
    #[arg(long, requires = "checkpoint_dir", conflicts_with = "task")]
    pub resume: bool,

    /// Save each completed output to DIR as it is made, for --resume
    #[arg(long, value_name = "DIR")]
    pub checkpoint_dir: Option<PathBuf>,

    /// Cache every task whose output is serde-serializable
    #[arg(long)]
    pub cache: bool,

    /// Where cached outputs go [default: $DAG_CACHE_DIR, else ./.dag-cache]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Show live progress even when stderr is not a terminal (as plain lines)
    #[arg(long, conflicts_with = "no_progress")]
    pub progress: bool,

    /// Show no live progress, not even on a terminal
    #[arg(long)]
    pub no_progress: bool,
}

/// `name=value` → `(name, value)`; the value may contain `=`.
pub(crate) fn assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "`{text}` is not NAME=VALUE (for example `--set count=3`)"
        )),
    }
}

/// The languages `graph` draws in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn an_assignment_splits_at_the_first_equals_sign() {
        assert_eq!(assignment("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(assignment("a="), Ok(("a".into(), String::new())));
        assert_eq!(
            assignment("=3"),
            Err("`=3` is not NAME=VALUE (for example `--set count=3`)".into())
        );
        assert!(assignment("count").is_err());
    }
}
