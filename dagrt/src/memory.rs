//! Runs that remember, before a run starts: checkpoint manifests and the outputs a run reuses.

use crate::checkpoint::{CheckpointStore, Manifest, ManifestNode};
use crate::error::Error;
use crate::exec::Execution;
use crate::exec::extras::{self, Extras, Incremental, NodePolicy, Preset};
use crate::graph::{Graph, NodeId};

/// The checkpoint manifest of a graph: task names, code hashes and inputs.
pub(crate) fn manifest_of(name: &str, graph: &Graph, policies: &[NodePolicy]) -> Manifest {
    Manifest {
        dag: name.to_string(),
        nodes: graph
            .nodes()
            .map(|n| ManifestNode {
                name: graph.name(n).to_string(),
                code_hash: policies[n.index()].code_hash.to_string(),
                preds: graph
                    .predecessors(n)
                    .iter()
                    .map(|&p| graph.name(p).to_string())
                    .collect(),
            })
            .collect(),
    }
}

/// Starts a new checkpoint in `dir`, replacing one left by an earlier run (only the files the
/// checkpoint store owns are removed).
pub(crate) fn fresh_checkpoint(
    dir: &std::path::Path,
    manifest: &Manifest,
) -> Result<CheckpointStore, Error> {
    let err = |e: crate::checkpoint::CheckpointError| Error::Checkpoint(e.to_string());
    match CheckpointStore::open(dir, manifest) {
        Ok(store) => {
            store.clear().map_err(err)?;
            CheckpointStore::open(dir, manifest).map_err(err)
        }
        Err(_) => {
            let _ = std::fs::remove_file(dir.join("manifest.json"));
            let _ = std::fs::remove_dir_all(dir.join("outputs"));
            CheckpointStore::open(dir, manifest).map_err(err)
        }
    }
}

/// Resume: reuse every checkpointed output, loading only those that a task that runs (or the
/// caller) will read. An output that cannot be loaded is recomputed instead.
pub(crate) fn preset_from_checkpoint(
    x: &mut Extras<'_>,
    store: &CheckpointStore,
    graph: &Graph,
    final_node: Option<NodeId>,
    keep_all: bool,
) {
    let done: std::collections::HashSet<String> = store.completed().into_iter().collect();
    let mut reused: Vec<bool> = graph
        .nodes()
        .map(|n| done.contains(graph.name(n)) && x.policies[n.index()].codec.is_some())
        .collect();
    let mut values: Vec<Option<crate::task::Value>> = (0..graph.len()).map(|_| None).collect();
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
            let codec = x.policies[i].codec;
            let loaded = store
                .load(graph.name(n))
                .ok()
                .flatten()
                .and_then(|bytes| codec.and_then(|c| (c.decode)(&bytes).ok()));
            match loaded {
                Some(v) => values[i] = Some(v),
                None => {
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
    x.preset_flag = extras::HIT_CHECKPOINT;
}

/// Rerun: reuse the previous outputs; the changed tasks run, and so does every task an output
/// that really changed reaches.
pub(crate) fn preset_from_previous(
    x: &mut Extras<'_>,
    mut previous: Box<Execution>,
    changed: &[&str],
    graph: &Graph,
) -> Result<(), Error> {
    let same_graph = previous.graph().len() == graph.len()
        && graph
            .nodes()
            .all(|n| previous.graph().find(graph.name(n)) == Some(n));
    if !same_graph {
        return Err(Error::Rerun(format!(
            "the previous execution ran DAG `{}` with other tasks; rerun needs an execution of this DAG",
            previous.dag_name()
        )));
    }
    let mut forced = vec![false; graph.len()];
    for name in changed {
        let n = graph.find(name).ok_or_else(|| Error::UnknownTask {
            name: (*name).to_string(),
        })?;
        forced[n.index()] = true;
    }
    let mut prev_hash = Vec::with_capacity(graph.len());
    for n in graph.nodes() {
        let i = n.index();
        let value = previous.take_output(n);
        let hash = match (&value, x.policies[i].codec) {
            (Some(v), Some(codec)) => (codec.encode)(v.as_ref())
                .ok()
                .map(|b| crate::cache::Key::of_bytes(&b)),
            _ => None,
        };
        prev_hash.push(hash);
        if let Some(v) = value {
            *x.preset[i].get_mut_owned() = Preset::Reuse(Some(v));
        }
    }
    x.incremental = Some(Incremental { forced, prev_hash });
    x.preset_flag = extras::HIT_PREVIOUS;
    Ok(())
}
