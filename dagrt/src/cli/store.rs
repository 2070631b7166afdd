//! Store: the shared store of a DAG chosen on the command line (`run-task`, `output`,
//! `export`), and reading one task's stored output from it.

use super::dags::Chosen;
use crate::checkpoint::{CheckpointStore, Unusable};
use crate::graph::NodeId;
use crate::persist::Codec;
use crate::value::Value;
use std::path::Path;

/// The shared store of `chosen`'s DAG under `root` (`root/<dag>/outputs/<task>.bin`).
pub(super) fn open(root: &Path, chosen: &Chosen) -> CheckpointStore {
    let spec = &chosen.spec;
    let manifest = crate::preset::manifest_of(&chosen.name, &spec.graph, &spec.specs);
    CheckpointStore::shared(root, &chosen.name, &manifest)
}

/// The codec of node `n`, or why its output cannot leave the process.
pub(super) fn codec_of(chosen: &Chosen, n: NodeId) -> Result<Codec, String> {
    let spec = &chosen.spec;
    spec.specs[n.index()].codec.ok_or_else(|| {
        format!(
            "the output of task `{}` (`{}`) is not serde-serializable, so it cannot leave the \
             process (derive `Serialize` and `Deserialize` for it, or run the DAG in one \
             process with `run`)",
            spec.graph.name(n),
            spec.tasks[n.index()].output_type()
        )
    })
}

/// The stored output of node `n`, decoded; `run_hint` is the command that (re)makes it. The
/// error says whether the file is missing, was written by another version of the task
/// (another code hash or type stamp), or is damaged.
pub(super) fn load(
    store: &CheckpointStore,
    chosen: &Chosen,
    n: NodeId,
    run_hint: &str,
) -> Result<Value, String> {
    let name = chosen.spec.graph.name(n);
    let codec = codec_of(chosen, n)?;
    let bytes = store.load_shared(name).map_err(|e| match e {
        Unusable::Missing(path) => format!(
            "the output of task `{name}` is missing from the store (no file {}): run it first \
             with `{run_hint}`",
            path.display()
        ),
        Unusable::OtherVersion {
            path,
            stored,
            current,
        } => format!(
            "the stored output of task `{name}` ({}) was written by another version of the \
             task (code hash {stored}; this program's is {current}): run it again with \
             `{run_hint}`",
            path.display()
        ),
        Unusable::Broken(e) => format!("the stored output of task `{name}` is unusable: {e}"),
    })?;
    crate::preset::open_output(codec, &bytes, name, "stored")
        .map_err(|e| format!("{e}: run it again with `{run_hint}`"))
}
