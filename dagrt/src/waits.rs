//! Waits: a run's waiting setup (async bodies, deadlines, resource pools, gates) from its DAG's
//! configuration and its tasks' options, checked before anything runs.

use crate::config::RunConfig;
use crate::error::Error;
use crate::exec::policy::NodeSpec;
use crate::exec::wait::{AsyncBody, WaitSpec, Waits};
use crate::graph::{Graph, NodeId};
use crate::task::TaskDescriptor;

/// The waiting part of a run of `graph`, or `None` when no node waits (the plain fast path).
///
/// `specs` is by node id (empty: every node has the default spec); `tasks` are the static
/// DAG's descriptors (empty for a builder graph), whose async bodies are taken; `dyn_asyncs`
/// are a builder graph's async closures by node id (empty when it has none).
///
/// # Errors
/// A task asking for an undeclared pool or for more than a pool holds.
pub(crate) fn waits_of<'a>(
    config: &RunConfig,
    graph: &Graph,
    specs: &[NodeSpec],
    tasks: &[&'static TaskDescriptor],
    dyn_asyncs: Vec<Option<AsyncBody<'a>>>,
) -> Result<Option<Waits<'a>>, Error> {
    let n = graph.len();
    let default = NodeSpec::default();
    let spec_of = |i: usize| specs.get(i).unwrap_or(&default);
    let mut asyncs = dyn_asyncs;
    if asyncs.is_empty() && tasks.iter().any(|d| d.run_async.is_some()) {
        asyncs = tasks
            .iter()
            .map(|d| d.run_async.map(AsyncBody::Fn))
            .collect();
    }
    // The common case, checked without building anything: no node waits.
    let any = asyncs.iter().any(Option::is_some)
        || config.defaults.waits()
        || specs.iter().any(|s| s.options.waits());
    if !any {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let o = spec_of(i).options.resolve(&config.defaults);
        if o.gate_timeout.is_some() && !o.gate {
            return Err(Error::InvalidOptions {
                task: graph.name(NodeId(i as u32)).to_string(),
                reason: "`gate_timeout` needs `gate` (it is how long the gate waits)",
            });
        }
        let mut needs = Vec::with_capacity(o.resources.len());
        for &(pool, amount) in o.resources {
            let task = graph.name(NodeId(i as u32)).to_string();
            let Some(k) = config.resources.iter().position(|(p, _)| p == pool) else {
                return Err(Error::UnknownResource {
                    task,
                    pool: pool.to_string(),
                    declared: config.resources.iter().map(|p| p.0.clone()).collect(),
                });
            };
            let capacity = config.resources[k].1;
            if amount > capacity {
                return Err(Error::ResourceTooLarge {
                    task,
                    pool: pool.to_string(),
                    amount,
                    capacity,
                });
            }
            // Fewer than 65,536 pools: a `Dag` declares them one call at a time.
            needs.push((u16::try_from(k).unwrap_or(u16::MAX), amount));
        }
        let spec = WaitSpec {
            timeout: o.timeout,
            needs,
            gate: o.gate,
            gate_timeout: o.gate_timeout,
        };
        out.push(spec);
    }
    Ok(Some(Waits {
        asyncs,
        specs: out,
        pools: config.resources.clone(),
        gates: config.gates.clone(),
        #[cfg(feature = "tokio")]
        runtime: crate::exec::wait::runtime::handle(config.tokio.as_ref())?,
    }))
}
