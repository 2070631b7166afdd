//! Unpersisted: the warnings naming every task a run's cache or checkpoint cannot hold.

use crate::exec::policy::NodeSpec;
use crate::graph::Graph;
use crate::options::Resolved;
use crate::task::TaskDescriptor;

/// At most this many task names are spelled out in one warning.
const MAX_NAMES: usize = 10;

/// `a, b, c and 4 more`: at most [`MAX_NAMES`] items.
fn bounded(list: &[String]) -> String {
    let mut out = list
        .iter()
        .take(MAX_NAMES)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > MAX_NAMES {
        out.push_str(&format!(" and {} more", list.len() - MAX_NAMES));
    }
    out
}

/// `` `a`, `b` ``: task names, at most [`MAX_NAMES`] of them.
pub(crate) fn names(list: &[String]) -> String {
    bounded(&list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>())
}

/// Why node `i` has no codec, for warnings.
fn no_codec(tasks: &[&'static TaskDescriptor], i: usize) -> String {
    match tasks.get(i) {
        Some(d) => format!("output `{}` is not serde-capable", (d.output_type)()),
        None => "added without `Tasks::add_persistent`".to_string(),
    }
}

/// What a run persists: whether a cache and a checkpoint are open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Persisting {
    pub cache: bool,
    pub checkpoint: bool,
}

/// The warnings naming every task a run persisting as `on` says cannot persist (a task is
/// cached when its resolved `options` say so).
pub(crate) fn unpersisted(
    graph: &Graph,
    (specs, options): (&[NodeSpec], &[Resolved]),
    tasks: &[&'static TaskDescriptor],
    on: Persisting,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut uncached = Vec::new();
    let mut uncheckpointed = Vec::new();
    for n in graph.nodes() {
        let i = n.index();
        let name = graph.name(n);
        let cached = on.cache && options[i].cache;
        if specs[i].codec.is_none() {
            if cached {
                uncached.push(format!("`{name}` ({})", no_codec(tasks, i)));
            }
            if on.checkpoint {
                uncheckpointed.push(format!("`{name}` ({})", no_codec(tasks, i)));
            }
        } else if cached {
            let opaque = graph
                .predecessors(n)
                .iter()
                .find(|p| specs[p.index()].codec.is_none());
            if let Some(&p) = opaque {
                let input = graph.name(p);
                uncached.push(format!("`{name}` (input `{input}` has no content hash)"));
            }
        }
    }
    if !uncached.is_empty() {
        warnings.push(format!(
            "cache: {} task(s) cannot be cached and run every time: {}",
            uncached.len(),
            bounded(&uncached)
        ));
    }
    if !uncheckpointed.is_empty() {
        warnings.push(format!(
            "checkpoint: {} task(s) cannot be checkpointed and run again on resume: {}",
            uncheckpointed.len(),
            bounded(&uncheckpointed)
        ));
    }
    warnings
}
