//! A command line for the binary's DAGs, one call from `main`: list, describe, draw, run,
//! estimate, and query their records.
//!
//! ```no_run
//! fn main() {
//!     dag::cli::main()
//! }
//! ```
//!
//! gives the program these commands (`PROGRAM --help` and `PROGRAM help run` say more):
//!
//! | command | does |
//! |---|---|
//! | `list` | the DAGs of the program, with task counts and descriptions |
//! | `tasks DAG` | each task: description, dependencies, output type, `file:line`, options |
//! | `graph DAG [--format dot\|mermaid]` | the DAG in Graphviz DOT or Mermaid |
//! | `run DAG [--task T] [--set name=value]... [--workers N] [--fail-fast] [--trace F] [--chrome F] [--profile] [--resume --checkpoint-dir D] [--cache] [--cache-dir D] [--progress\|--no-progress]` | runs it (or `T` and its ancestors) and prints the final output as JSON; live progress on a terminal ([`progress`](crate::progress)) |
//! | `estimate DAG [--workers N]` | the makespan predicted from the durations recorded by `run --profile` |
//! | `history DAG` | the recorded runs of the DAG |
//! | `sql QUERY` | SQL over the records (see [`meta`](crate::meta)) |
//! | `run-task DAG TASK --store DIR [--run-id ID] [--set TASK=VALUE]` | runs one task in this process: its inputs read from the store, its output written there |
//! | `output DAG TASK --store DIR` | a stored output as JSON |
//! | `export snakemake DAG --store DIR [-o FILE]` | a Snakefile with one `run-task` rule per task, and `gather` |
//! | `gather DAG --run-id ID` | merges the record parts of a run's `run-task` processes into the run's record |
//! | `report DAG --run-id ID -o FILE` | the HTML run report of a recorded run (in-process or gathered from a cluster) |
//!
//! `--set name=value` gives a value to an input (`#[task(input)]`) whose type implements
//! `FromStr` and `Clone` (numbers, `String`, `PathBuf`, `bool`, ...). Inputs of other types,
//! DAG descriptions, resources and handlers are set in code, on a [`Dag`] given to
//! [`Cli::dag`]; the flags then apply on top.
//!
//! Exit codes ([`Exit`]): 0 success; 1 a task failed (each failed task and its error are
//! printed on stderr); 2 bad usage (clap's own: an unknown flag, a missing argument); 3 any
//! other error (an unknown DAG, task or input, a value that does not parse, a file that cannot
//! be written).
//!
//! A DAG is named on the command line as [`Dag::new`] names it: by its module's name (`etl`)
//! or its module path. Unlike `Dag::new`, the command line never falls back to the binary's
//! only DAG: an unknown name is an error. Runs are recorded under the name `list` shows (the
//! name of the `Dag` given to [`Cli::dag`], else the module's name, or its full path when two
//! modules share a name): the name `history` and `estimate` look up, and the one a program's
//! own `Dag::new("etl").profile(true)` records under.

#![allow(clippy::needless_doctest_main)] // The example is the user's whole `main`.

mod args;
mod dags;
mod export;
mod gather;
mod records;
mod report;
mod run;
mod run_task;
mod set;
mod store;
mod tasks;

use crate::Dag;
use args::{Args, Command};
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::io::Write;

/// How a command ended: the process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exit {
    /// 0: the command did what it was asked.
    Success,
    /// 1: a task failed (or timed out); the run's other tasks went as far as they could.
    TaskFailed,
    /// 2: the command line is malformed (clap's usage errors: an unknown command or flag, a
    /// missing or malformed argument).
    Usage,
    /// 3: any other error: an unknown DAG, task or input, a value that does not parse, a run
    /// that cannot start, a file that cannot be written, unreadable records.
    Error,
}

impl Exit {
    /// The process exit code: 0, 1, 2 or 3.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::TaskFailed => 1,
            Exit::Usage => 2,
            Exit::Error => 3,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// The command line, with the DAGs configured in code. [`main`] is `Cli::new().main()`.
///
/// ```no_run
/// use dag::{Dag, cli::Cli};
///
/// fn main() {
///     Cli::new()
///         .dag(Dag::new("etl").description("Nightly load of the sales tables").retries(2))
///         .main()
/// }
/// ```
#[must_use]
#[derive(Debug, Default)]
pub struct Cli {
    dags: Vec<Dag>,
}

impl Cli {
    /// A command line over the binary's static DAGs, each run as `Dag::new(name)` would.
    pub fn new() -> Self {
        Cli::default()
    }

    /// Uses `dag` (as configured: description, values given with [`Dag::set`], retries,
    /// stores, ...) whenever the command line names its DAG; the command line's flags apply on
    /// top. Its description is what `list` shows.
    pub fn dag(mut self, dag: Dag) -> Self {
        self.dags.push(dag);
        self
    }

    /// Parses the process's arguments, runs the command, and exits the process with its
    /// [`Exit`] code.
    pub fn main(self) -> ! {
        let exit = self.run_from(std::env::args_os());
        let _ = std::io::stdout().flush();
        std::process::exit(i32::from(exit.code()))
    }

    /// Runs the command line `args` (the first item is the program's name, as in
    /// [`std::env::args_os`]), printing to stdout and stderr, and returns how it ended.
    pub fn run_from<I, T>(self, args: I) -> Exit
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut out = std::io::stdout().lock();
        // Not locked for the whole command: the progress display draws on stderr from the
        // workers while the run goes on.
        let mut err = std::io::stderr();
        self.run_with(args, &mut out, &mut err)
    }

    /// [`run_from`](Cli::run_from), printing to `out` and `err`.
    pub fn run_with<I, T>(self, args: I, out: &mut dyn Write, err: &mut dyn Write) -> Exit
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let program = program_name(&args);
        let mut command = Args::command()
            .bin_name(program.clone())
            .after_help(args::after_help(&program));
        let parsed = command
            .try_get_matches_from_mut(args)
            .and_then(|m| Args::from_arg_matches(&m));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(e) => {
                // `--help` is an "error" that exits 0 and prints on stdout.
                let code = e.exit_code();
                let text = e.render().to_string();
                let _ = if code == 0 {
                    out.write_all(text.as_bytes())
                } else {
                    err.write_all(text.as_bytes())
                };
                return if code == 0 {
                    Exit::Success
                } else {
                    Exit::Usage
                };
            }
        };
        let mut ctx = Context {
            dags: self.dags,
            meta_dir: parsed.meta_dir,
            program,
        };
        let result = match parsed.command {
            Command::List => dags::list(&ctx, out),
            Command::Tasks { dag } => tasks::tasks(&mut ctx, &dag, out),
            Command::Graph { dag, format } => tasks::graph(&mut ctx, &dag, format, out),
            Command::Run(run) => run::run(&mut ctx, run, out, err),
            Command::Estimate { dag, workers } => records::estimate(&mut ctx, &dag, workers, out),
            Command::History { dag } => records::history(&mut ctx, &dag, out, err),
            Command::Sql { query } => records::sql(&ctx, &query, out, err),
            Command::RunTask(a) => run_task::run_task(&mut ctx, a, err),
            Command::Output(a) => run_task::output(&mut ctx, a, out),
            Command::Export(a) => export::export(&mut ctx, &a, err),
            Command::Gather(a) => gather::gather(&mut ctx, &a, out, err),
            Command::Report(a) => report::report(&mut ctx, &a, err),
        };
        match result {
            Ok(exit) => exit,
            Err(message) => {
                let _ = writeln!(err, "error: {message}");
                Exit::Error
            }
        }
    }
}

/// What every command knows: the DAGs configured in code and the global flags.
struct Context {
    dags: Vec<Dag>,
    meta_dir: Option<std::path::PathBuf>,
    program: String,
}

impl Context {
    /// The meta dir: `--meta-dir`, else `$DAG_META_DIR`, else `meta`.
    fn meta_dir(&self) -> std::path::PathBuf {
        self.meta_dir
            .clone()
            .unwrap_or_else(crate::meta::default_meta_dir)
    }
}

/// The file name of the program, as the user typed it (`my-etl`), for help and messages.
fn program_name(args: &[OsString]) -> String {
    args.first()
        .map(std::path::Path::new)
        .and_then(std::path::Path::file_name)
        .map_or_else(|| "dag".to_string(), |n| n.to_string_lossy().into_owned())
}

/// A command's outcome: how the process ends, or the message of an [`Exit::Error`].
type Outcome = Result<Exit, String>;

/// Parses the process's arguments, runs the command, and exits the process with its exit
/// code (see [`Exit`]): `fn main() { dag::cli::main() }`.
pub fn main() -> ! {
    Cli::new().main()
}

/// Runs the command line `args` (program name first) over the binary's DAGs, printing to
/// stdout and stderr, and returns how it ended, without exiting the process.
pub fn run_from<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::new().run_from(args)
}
