//! Run: the `run` command — a DAG configured from the flags, run, summarised, its output
//! printed and its trace files written.

use super::args::RunArgs;
use super::dags::{Chosen, choose, emit};
use super::{Context, Exit, Outcome, set};
use crate::error::Error;
use crate::exec::{Execution, NodeStatus};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// `run DAG [flags]`.
pub(super) fn run(
    ctx: &mut Context,
    args: RunArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Outcome {
    let mut chosen = choose(ctx, &args.dag)?;
    set::apply(&mut chosen, &args.set)?;
    if let Some(task) = &args.task
        && chosen.spec.graph.find(task).is_none()
    {
        return Err(format!(
            "`--task {task}`: the DAG `{}` has no task `{task}` (see `{} tasks {}`)",
            chosen.name, ctx.program, args.dag
        ));
    }
    let dag = configure(chosen.dag, &args, ctx.meta_dir.as_deref());
    chosen.dag = dag;
    let started = match (&args.task, args.resume) {
        (Some(task), _) => chosen.dag.execute_to(&[task.as_str()]),
        (None, true) => chosen.dag.resume(),
        (None, false) => chosen.dag.execute(),
    };
    let exec = started.map_err(|e| cannot_start(&chosen, e))?;
    let mut problems = Vec::new();
    if let Some(trace) = &exec.trace {
        if let Some(path) = &args.trace {
            problems.extend(write_file(path, "trace", &trace.to_json()).err());
        }
        if let Some(path) = &args.chrome {
            problems.extend(write_file(path, "Chrome trace", &trace.to_chrome_trace()).err());
        }
    }
    if let Some(path) = &args.report {
        let html = crate::report::HtmlReport::from_execution(&exec).render();
        problems.extend(write_file(path, "HTML report", &html).err());
    }
    emit(err, &summary(&chosen.name, &exec))?;
    let failed = !exec.is_success();
    if !failed {
        match final_json(&chosen, &exec) {
            Ok(Some(json)) => emit(out, &format!("{json}\n"))?,
            Ok(None) => {}
            Err(note) => emit(err, &format!("note: {note}\n"))?,
        }
    }
    for problem in &problems {
        emit(err, &format!("error: {problem}\n"))?;
    }
    Ok(if failed {
        Exit::TaskFailed
    } else if problems.is_empty() {
        Exit::Success
    } else {
        Exit::Error
    })
}

/// The DAG with the flags applied on top of its configuration in code.
fn configure(mut dag: crate::Dag, args: &RunArgs, meta_dir: Option<&Path>) -> crate::Dag {
    if let Some(n) = args.workers {
        dag = dag.max_workers(n as usize);
    }
    if args.fail_fast {
        dag = dag.fail_fast(true);
    }
    if args.trace.is_some() || args.chrome.is_some() {
        dag = dag.tracing(true);
    }
    if args.profile {
        dag = dag.profile(true);
    }
    if let Some(dir) = meta_dir {
        dag = dag.meta_dir(dir);
    }
    if let Some(dir) = &args.checkpoint_dir {
        dag = dag.checkpoint_dir(dir);
    }
    if args.cache {
        dag = dag.cache(true);
    }
    if let Some(dir) = &args.cache_dir {
        dag = dag.cache_dir(dir);
    }
    if let Some(progress) = progress(&dag, args) {
        dag = dag.observe(progress);
    }
    dag
}

/// The live progress display of the run: on a terminal unless `--no-progress`, anywhere with
/// `--progress`; its ETA from the runs recorded where this run records, for as many workers
/// as it runs on.
fn progress(dag: &crate::Dag, args: &RunArgs) -> Option<crate::progress::Progress> {
    use crate::progress::Progress;
    let progress = match (args.progress, args.no_progress) {
        (true, _) => Progress::always(),
        (false, true) => return None,
        (false, false) => Progress::auto(),
    };
    if !progress.draws() {
        return None;
    }
    let config = &dag.config;
    let workers = config
        .pool
        .get()
        .map(|p| p.current_num_threads())
        .or(config.max_workers)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    let history = config
        .meta_dir
        .clone()
        .unwrap_or_else(crate::meta::default_meta_dir);
    Some(progress.with_history(history).workers(workers))
}

/// Why the run could not start, worded for the command line.
fn cannot_start(chosen: &Chosen, e: Error) -> String {
    match e {
        Error::MissingInput { inputs, .. } => {
            let each: Vec<String> = inputs
                .iter()
                .map(|(name, location)| {
                    format!("input `{name}` ({location}) has no value: give it one with `--set {name}=VALUE`")
                })
                .collect();
            format!("DAG `{}` cannot run: {}", chosen.name, each.join("; "))
        }
        other => other.to_string(),
    }
}

/// Writes `text` to `path`; the error names the file.
fn write_file(path: &Path, what: &str, text: &str) -> Result<(), String> {
    std::fs::write(path, text)
        .map_err(|e| format!("cannot write the {what} to {}: {e}", path.display()))
}

/// The run's summary: one line for the run, one per task, then the failed tasks' errors and
/// the run's warnings.
fn summary(name: &str, exec: &Execution) -> String {
    let nodes: Vec<_> = exec.nodes().collect();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for n in &nodes {
        match counts.iter_mut().find(|(s, _)| *s == n.status.as_str()) {
            Some((_, c)) => *c += 1,
            None => counts.push((n.status.as_str(), 1)),
        }
    }
    let counts: Vec<String> = counts.iter().map(|(s, c)| format!("{c} {s}")).collect();
    let mut text = format!(
        "DAG `{name}`, run {}: {} tasks in {:.3} s: {}\n",
        exec.run_id(),
        nodes.len(),
        exec.total_duration_seconds(),
        counts.join(", ")
    );
    let width = nodes
        .iter()
        .map(|n| n.name.chars().count())
        .max()
        .unwrap_or(0);
    for n in &nodes {
        let reused = n
            .reused_from
            .map_or(String::new(), |s| format!("  reused: {s}"));
        let line = format!(
            "  {:<9}  {:<width$}  {:>8.3} s{reused}",
            n.status.as_str(),
            n.name,
            n.duration
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    for n in &nodes {
        // Skipped and cancelled tasks say why in their `error`; the failure is named above.
        if matches!(
            n.status,
            NodeStatus::Completed | NodeStatus::Skipped | NodeStatus::Cancelled
        ) {
            continue;
        }
        let error = n.error.as_deref().unwrap_or("no error message");
        let _ = writeln!(text, "error: task `{}` {}: {error}", n.name, n.status);
    }
    for w in exec.warnings() {
        let _ = writeln!(text, "warning: {w}");
    }
    text
}

/// The output of the run's final node (the final task, or `--task`) as JSON: `Ok(None)`
/// when there is none; `Err` says why an output cannot be printed.
fn final_json(chosen: &Chosen, exec: &Execution) -> Result<Option<String>, String> {
    let Some(fin) = exec.final_node() else {
        return Ok(None);
    };
    let name = exec.graph().name(fin);
    let Some(value) = exec.outputs.get(fin.index()) else {
        return Ok(None);
    };
    let spec = &chosen.spec;
    let node = spec.graph.find(name);
    let codec = node.and_then(|n| spec.specs[n.index()].codec);
    let type_name = node.map_or("?", |n| spec.tasks[n.index()].output_type());
    match codec {
        Some(codec) => codec
            .to_json(value.as_ref())
            .map(Some)
            .map_err(|e| format!("the output of `{name}` cannot be printed as JSON: {e}")),
        None => Err(format!(
            "the output of `{name}` is not printed: its type `{type_name}` is not \
             serde-serializable"
        )),
    }
}
