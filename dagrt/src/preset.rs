//! Presets: before a run starts, the checkpoint it writes or finishes, and the outputs it
//! reuses from that checkpoint or from a previous execution.

use crate::cache::Key;
use crate::checkpoint::{CheckpointError, CheckpointStore, Manifest, ManifestNode};
use crate::error::Error;
use crate::exec::policy::{Incremental, NodeSpec, Policies, Preset};
use crate::exec::{Execution, ReuseSource};
use crate::exec::{caught_text, drop_quietly};
use crate::graph::{Graph, NodeId};
use crate::unpersisted::names;

/// Runs user `Serialize`/`Deserialize` code: a panic there is caught and becomes its text.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(caught_text)
}

/// The checkpoint manifest of a graph: task names, code hashes and inputs.
pub(crate) fn manifest_of(name: &str, graph: &Graph, specs: &[NodeSpec]) -> Manifest {
    Manifest {
        dag: name.to_string(),
        nodes: graph
            .nodes()
            .map(|n| ManifestNode {
                name: graph.name(n).to_string(),
                code_hash: specs[n.index()].code_hash.to_string(),
                output_type: specs[n.index()]
                    .codec
                    .map_or_else(String::new, |c| c.type_name().to_string()),
                preds: graph
                    .predecessors(n)
                    .iter()
                    .map(|&p| graph.name(p).to_string())
                    .collect(),
            })
            .collect(),
    }
}

/// Starts a new checkpoint in `dir`, replacing one left by an earlier run, damaged or not
/// (only the files the checkpoint store owns are removed).
pub(crate) fn fresh_checkpoint(
    dir: &std::path::Path,
    manifest: &Manifest,
) -> Result<CheckpointStore, CheckpointError> {
    crate::checkpoint::clear_dir(dir)?;
    CheckpointStore::open(dir, manifest)
}

/// Opens the checkpoint `resume` finishes; the error says what to do next.
pub(crate) fn resume_checkpoint(
    dir: &std::path::Path,
    manifest: &Manifest,
) -> Result<CheckpointStore, Error> {
    CheckpointStore::open(dir, manifest).map_err(Error::Checkpoint)
}

/// Decodes the `what` (`checkpointed`, `stored`) output of task `name`, stamp first, with its
/// codec; the error says why it was refused (a panic in the user's `Deserialize` is caught).
pub(crate) fn open_output(
    codec: crate::persist::Codec,
    bytes: &[u8],
    name: &str,
    what: &str,
) -> Result<crate::value::Value, String> {
    match guarded(|| codec.open(bytes)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!(
            "the {what} output of task `{name}` was refused ({e})"
        )),
        Err(text) => Err(format!(
            "decoding the {what} output of task `{name}` panicked (the panic was caught): {text}"
        )),
    }
}

/// Resume: reuse every checkpointed output, loading only those that a task that runs (or the
/// caller) will read. An output that cannot be loaded is recomputed instead, with a warning.
pub(crate) fn preset_from_checkpoint(
    x: &mut Policies<'_>,
    store: &CheckpointStore,
    graph: &Graph,
    final_node: Option<NodeId>,
    keep_all: bool,
    warnings: &mut Vec<String>,
) {
    let done: std::collections::HashSet<String> = store.completed().into_iter().collect();
    let mut reused: Vec<bool> = graph
        .nodes()
        .map(|n| done.contains(graph.name(n)) && x.specs[n.index()].codec.is_some())
        .collect();
    let mut values: Vec<Option<crate::value::Value>> = (0..graph.len()).map(|_| None).collect();
    loop {
        let mut retry = false;
        for n in graph.nodes() {
            let i = n.index();
            let needed = reused[i]
                && (keep_all
                    || final_node == Some(n)
                    || graph.successors(n).iter().any(|s| !reused[s.index()]));
            if !needed || values[i].is_some() {
                continue;
            }
            let name = graph.name(n);
            let loaded = match (store.load(name), x.specs[i].codec) {
                (Ok(Some(bytes)), Some(codec)) => open_output(codec, &bytes, name, "checkpointed"),
                (Ok(_), _) => Err(format!(
                    "the checkpointed output of task `{name}` disappeared"
                )),
                (Err(e), _) => Err(e.to_string()),
            };
            match loaded {
                Ok(v) => values[i] = Some(v),
                Err(e) => {
                    warnings.push(format!("{e}; the task runs again"));
                    reused[i] = false;
                    retry = true;
                }
            }
        }
        if !retry {
            break;
        }
    }
    for n in graph.nodes() {
        let i = n.index();
        if reused[i] {
            *x.preset[i].get_mut_owned() = Preset::Reuse(values[i].take());
        }
    }
    x.preset_source = ReuseSource::Checkpoint;
}

/// Rerun: reuse the previous outputs; the changed tasks run, and so does every task an output
/// that really changed reaches. Completed tasks whose output `previous` did not keep are
/// named in a warning: they run again.
pub(crate) fn preset_from_previous(
    x: &mut Policies<'_>,
    mut previous: Box<Execution>,
    changed: &[&str],
    (dag, graph): (&str, &Graph),
    warnings: &mut Vec<String>,
) -> Result<(), Error> {
    let same_graph = previous.graph().len() == graph.len()
        && graph
            .nodes()
            .all(|n| previous.graph().find(graph.name(n)) == Some(n));
    if !same_graph {
        return Err(Error::RerunOtherDag {
            dag: dag.to_string(),
            previous: previous.dag_name().to_string(),
        });
    }
    let mut forced = vec![false; graph.len()];
    for name in changed {
        let n = graph.find(name).ok_or_else(|| Error::UnknownTask {
            name: (*name).to_string(),
        })?;
        forced[n.index()] = true;
    }
    let mut prev_hash = Vec::with_capacity(graph.len());
    let mut lost = Vec::new();
    for n in graph.nodes() {
        let i = n.index();
        let value = previous.take_output(n);
        if value.is_none()
            && !forced[i]
            && previous.node_result(n).status == crate::exec::NodeStatus::Completed
        {
            lost.push(graph.name(n).to_string());
        }
        let (hash, value) = match (value, x.specs[i].codec) {
            (Some(v), Some(codec)) => match guarded(|| codec.encode(v.as_ref())) {
                Ok(bytes) => (bytes.ok().map(|b| Key::of_bytes(&b)), Some(v)),
                Err(text) => {
                    let mut warning = format!(
                        "encoding the previous output of task `{}` panicked (the panic was \
                         caught): {text}; the task runs again",
                        graph.name(n)
                    );
                    if let Some(again) = drop_quietly(v) {
                        warning.push_str(&format!(" (dropping that output panicked too: {again})"));
                    }
                    warnings.push(warning);
                    (None, None)
                }
            },
            (value, _) => (None, value),
        };
        prev_hash.push(hash);
        if let Some(v) = value {
            *x.preset[i].get_mut_owned() = Preset::Reuse(Some(v));
        }
    }
    if !lost.is_empty() {
        warnings.push(format!(
            "rerun: the previous execution kept no output of {} task(s), which run again: {} \
             (run it with .keep_outputs(true))",
            lost.len(),
            names(&lost)
        ));
    }
    x.incremental = Some(Incremental { forced, prev_hash });
    x.preset_source = ReuseSource::PreviousRun;
    Ok(())
}
