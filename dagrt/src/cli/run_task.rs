//! Run-task: the `run-task` command — one task of a static DAG in this process, its inputs
//! read from a shared store and its output written there (for workflow engines that run each
//! task as its own job) — and `output`, which prints a stored output as JSON.

use super::dags::{Chosen, choose, emit};
use super::{Context, Exit, Outcome, set, store};
use crate::NodeStatus;
use crate::checkpoint::CheckpointStore;
use crate::graph::NodeId;
use crate::meta::RunRecord;
use crate::value::Value;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// The flags of `run-task`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunTaskArgs {
    /// The DAG.
    pub dag: String,

    /// The task to run (its name, as `tasks` lists it).
    pub task: String,

    /// The store: inputs are read from DIR/<dag>/outputs/, the output is written there
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,

    /// The run the task belongs to: its record part goes under the meta dir for `gather`
    /// [default: a new run id]
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,

    /// Give the task a value, when it is an input (parsed with its type's FromStr)
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = super::args::assignment)]
    pub set: Vec<(String, String)>,

    /// Number of worker threads (the elements of an #[each] task) [default: the CPUs]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub workers: Option<u32>,
}

/// The flags of `output`.
#[derive(Debug, clap::Args)]
pub(crate) struct OutputArgs {
    /// The DAG.
    pub dag: String,
    /// The task whose stored output to print.
    pub task: String,
    /// The store `run-task` wrote to.
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
}

/// The node called `task` in `chosen`, or an error naming the DAG.
fn node(ctx: &Context, chosen: &Chosen, dag: &str, task: &str) -> Result<NodeId, String> {
    chosen.spec.graph.find(task).ok_or_else(|| {
        format!(
            "the DAG `{}` has no task `{task}` (see `{} tasks {dag}`)",
            chosen.name, ctx.program
        )
    })
}

/// The command that runs `task` into `store`, for messages.
fn hint(ctx: &Context, dag: &str, task: &str, store: &std::path::Path) -> String {
    format!(
        "{} run-task {dag} {task} --store {}",
        ctx.program,
        store.display()
    )
}

/// `run-task DAG TASK --store DIR [--run-id ID] [--set TASK=VALUE]`.
pub(super) fn run_task(ctx: &mut Context, args: RunTaskArgs, err: &mut dyn Write) -> Outcome {
    let mut chosen = choose(ctx, &args.dag)?;
    let n = node(ctx, &chosen, &args.dag, &args.task)?;
    let name = chosen.spec.graph.name(n).to_string();
    if let Some((other, _)) = args.set.iter().find(|(s, _)| *s != name) {
        return Err(format!(
            "`--set {other}=...`: run-task runs `{name}` only, and takes the values of its \
             inputs from the store; give `{other}` its value where it runs: `{} run-task {} \
             {other} --set {other}=VALUE`",
            ctx.program, args.dag
        ));
    }
    set::apply(&mut chosen, &args.set)?;
    let codec = store::codec_of(&chosen, n)
        .map_err(|e| format!("task `{name}` cannot run as its own process: {e}"))?;
    let shared = store::open(&args.store, &chosen);
    // Its inputs, from the store: given values, so that nothing upstream runs.
    let spec = chosen.spec.clone();
    for &p in spec.graph.predecessors(n) {
        let input = spec.graph.name(p);
        let value = store::load(
            &shared,
            &chosen,
            p,
            &hint(ctx, &args.dag, input, &args.store),
        )
        .map_err(|e| format!("task `{name}` cannot run: {e}"))?;
        chosen
            .dag
            .provided
            .set_made(spec.tasks[p.index()], once(value, p, &name));
    }
    let mut dag = chosen.dag;
    // This process runs one task: records and checkpoints of its own would be partial runs.
    dag.config.profile = false;
    dag.config.checkpoint_dir = None;
    if let Some(w) = args.workers {
        dag = dag.max_workers(w as usize);
    }
    let exec = dag
        .execute_to(&[name.as_str()])
        .map_err(|e| e.to_string())?;
    let run_id = args
        .run_id
        .clone()
        .unwrap_or_else(|| exec.run_id().to_string());
    let Some(at) = exec.graph().find(&name) else {
        return Err(format!("task `{name}` did not run"));
    };
    let result = exec.node_result(at);
    let mut text = format!(
        "DAG `{}`, run {run_id}: task `{name}` {} in {:.3} s\n",
        chosen.name, result.status, result.duration
    );
    for w in exec.warnings() {
        text.push_str(&format!("warning: {w}\n"));
    }
    let part = part_of(RunRecord::from_execution(&exec), &name, &run_id);
    if let Err(e) = crate::meta::part::write_part(&ctx.meta_dir(), &part, &name) {
        text.push_str(&format!(
            "warning: the record part of `{name}` was not written: {e}\n"
        ));
    }
    if result.status != NodeStatus::Completed {
        let error = result.error.as_deref().unwrap_or("no error message");
        text.push_str(&format!(
            "error: task `{name}` {}: {error}\n",
            result.status
        ));
        emit(err, &text)?;
        return Ok(Exit::TaskFailed);
    }
    let value = exec.outputs.get(at.index());
    let Some(value) = value else {
        return Err(format!("task `{name}` completed without an output"));
    };
    let written = codec
        .stamp(value.as_ref())
        .and_then(|stamp| Ok((stamp, codec.encode(value.as_ref())?)))
        .map_err(|e| format!("the output of task `{name}` cannot be encoded: {e}"))?;
    save(&shared, &name, &written)?;
    text.push_str(&format!(
        "output: {}\n",
        shared.output_file(&name).display()
    ));
    emit(err, &text)?;
    Ok(Exit::Success)
}

/// Saves `(stamp, bytes)` as `name`'s output, atomically.
fn save(store: &CheckpointStore, name: &str, (stamp, bytes): &(Vec<u8>, Vec<u8>)) -> Outcome {
    store
        .save_parts(name, &[stamp, bytes])
        .map_err(|e| format!("the output of task `{name}` was not written: {e}"))?;
    Ok(Exit::Success)
}

/// A given value that moves into the one run it is made for. Were it asked for twice, the
/// second value is a note that the task reading it refuses with a type error naming `input`.
fn once(value: Value, input: NodeId, reader: &str) -> crate::select::Make {
    let slot = Mutex::new(Some(value));
    let note = format!("input {} of `{reader}` was already used", input.0);
    Box::new(move || {
        slot.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| Box::new(note.clone()))
    })
}

/// The rows of `task` (and of its elements) in `record`, under the run id `run_id`.
fn part_of(mut record: RunRecord, task: &str, run_id: &str) -> RunRecord {
    record.tasks.retain(|t| {
        t.task_name == task
            || (t.element_index.is_some()
                && t.task_name
                    .strip_prefix(task)
                    .is_some_and(|rest| rest.starts_with('[')))
    });
    record.run_id = run_id.to_string();
    record
}

/// `output DAG TASK --store DIR`: the stored output as JSON (as `run` prints a final
/// output).
pub(super) fn output(ctx: &mut Context, args: OutputArgs, out: &mut dyn Write) -> Outcome {
    let chosen = choose(ctx, &args.dag)?;
    let n = node(ctx, &chosen, &args.dag, &args.task)?;
    let shared = store::open(&args.store, &chosen);
    let name = chosen.spec.graph.name(n);
    let value = store::load(
        &shared,
        &chosen,
        n,
        &hint(ctx, &args.dag, name, &args.store),
    )?;
    let codec = store::codec_of(&chosen, n)?;
    let json = codec
        .to_json(value.as_ref())
        .map_err(|e| format!("the output of `{name}` cannot be printed as JSON: {e}"))?;
    emit(out, &format!("{json}\n"))?;
    Ok(Exit::Success)
}
