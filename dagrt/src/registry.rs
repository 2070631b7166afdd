//! Registry: the `#[task]` descriptors of this binary, grouped into static DAGs once per process.

use crate::__private::Registration;
use crate::error::Error;
use crate::exec::Body;
use crate::exec::policy::NodeSpec;
use crate::graph::{Graph, GraphError, NodeId};
use crate::task::TaskDescriptor;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// One module's DAG: its tasks, their dependencies (from any module) and the graph.
pub(crate) struct Registered {
    pub module: &'static str,
    pub graph: Arc<Graph>,
    /// Descriptor of each node, by node id.
    pub tasks: Arc<[&'static TaskDescriptor]>,
    /// Body of each node, by node id (resolved once, not per run).
    pub bodies: Vec<Body<'static>>,
    /// Whether each node's output owns memory.
    pub frees: Vec<bool>,
    /// Each node's codec, code hash and `#[task(...)]` options.
    pub specs: Vec<NodeSpec>,
    pub final_node: Option<NodeId>,
}

struct Registry {
    /// Module path -> its DAG (or why it is invalid), sorted by module path.
    dags: Vec<(&'static str, Result<Arc<Registered>, Invalid>)>,
}

/// Why a module's tasks form no valid DAG; kept by the registry and reported as an [`Error`]
/// by every lookup of that DAG.
#[derive(Clone)]
enum Invalid {
    Duplicate {
        dag: String,
        name: String,
        locations: Vec<String>,
    },
    Cycle {
        dag: String,
        path: Vec<String>,
    },
    Graph(GraphError),
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        match e {
            Invalid::Duplicate {
                dag,
                name,
                locations,
            } => Error::DuplicateTask {
                dag,
                name,
                locations,
            },
            Invalid::Cycle { dag, path } => Error::Cycle { dag, path },
            Invalid::Graph(e) => Error::Graph(e),
        }
    }
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut by_module: HashMap<&'static str, Vec<&'static TaskDescriptor>> = HashMap::new();
        for r in inventory::iter::<Registration> {
            by_module.entry(r.0.module_path).or_default().push(r.0);
        }
        let mut dags: Vec<_> = by_module
            .into_iter()
            .map(|(module, own)| (module, assemble(module, own).map(Arc::new)))
            .collect();
        dags.sort_by_key(|(m, _)| *m);
        Registry { dags }
    })
}

fn key(d: &'static TaskDescriptor) -> usize {
    std::ptr::from_ref(d) as usize
}

/// Builds the DAG of `module`: its own tasks in source order, then every upstream task they
/// reach, with edges in parameter order.
fn assemble(
    module: &'static str,
    mut own: Vec<&'static TaskDescriptor>,
) -> Result<Registered, Invalid> {
    own.sort_by_key(|d| (d.file, d.line, d.name));
    let mut tasks: Vec<&'static TaskDescriptor> = Vec::new();
    let mut ids: HashMap<usize, u32> = HashMap::new();
    let mut stack: Vec<&'static TaskDescriptor> = own.iter().rev().copied().collect();
    while let Some(d) = stack.pop() {
        if ids.contains_key(&key(d)) {
            continue;
        }
        ids.insert(key(d), tasks.len() as u32);
        tasks.push(d);
        stack.extend(d.after.iter().rev().map(|f| f()));
        stack.extend(d.deps.iter().rev().map(|f| f()));
    }
    let dag = module.to_string();
    // Node names: a task's own name, qualified with its module when an imported task has the
    // same name as another task of the DAG (`etl::extract` next to the DAG's own `extract`).
    let mut count: HashMap<&str, usize> = HashMap::new();
    for d in &tasks {
        *count.entry(d.name).or_default() += 1;
    }
    let names: Vec<String> = tasks
        .iter()
        .map(|d| {
            if count[d.name] > 1 && d.module_path != module {
                let path = d
                    .module_path
                    .split_once("::")
                    .map_or(d.module_path, |(_, rest)| rest);
                format!("{path}::{}", d.name)
            } else {
                d.name.to_string()
            }
        })
        .collect();
    let mut by_name: HashMap<&str, &'static TaskDescriptor> = HashMap::new();
    for (d, n) in tasks.iter().zip(&names) {
        if let Some(other) = by_name.insert(n.as_str(), d) {
            return Err(Invalid::Duplicate {
                dag,
                name: n.clone(),
                locations: [other, *d]
                    .iter()
                    .map(|t| format!("{}::{} ({})", t.module_path, t.name, t.location()))
                    .collect(),
            });
        }
    }
    // Data edges first, in parameter order (a body reads input `i` from predecessor `i`),
    // then the ordering-only edges of `after = [..]` that are not data edges already.
    let mut edges = Vec::new();
    for (i, d) in tasks.iter().enumerate() {
        let first = edges.len();
        for f in d.deps.iter().chain(d.after) {
            let edge = (ids[&key(f())], i as u32);
            if !edges[first..].contains(&edge) {
                edges.push(edge);
            }
        }
    }
    let graph = Graph::from_parts(names.iter().collect(), &edges).map_err(|e| match e {
        GraphError::Cycle { path } => Invalid::Cycle {
            dag: dag.clone(),
            path: path
                .iter()
                .map(|n| match by_name.get(n.as_str()) {
                    Some(d) => format!("{n} ({})", d.location()),
                    None => n.clone(),
                })
                .collect(),
        },
        other => Invalid::Graph(other),
    })?;
    let finals: Vec<usize> = (0..tasks.len())
        .filter(|&i| tasks[i].is_final && tasks[i].module_path == module)
        .collect();
    let final_node = match finals[..] {
        [] => None,
        [f] => Some(NodeId(f as u32)),
        _ => {
            // rustc rejects two finals in one module; only reachable through odd macro use.
            return Err(Invalid::Duplicate {
                dag,
                name: "#[task(final)]".to_string(),
                locations: finals
                    .iter()
                    .map(|&i| format!("{} ({})", tasks[i].name, tasks[i].location()))
                    .collect(),
            });
        }
    };
    let bodies = tasks.iter().map(|d| &d.run as Body<'static>).collect();
    let frees = tasks.iter().map(|d| d.output_frees).collect();
    let specs = tasks
        .iter()
        .map(|d| NodeSpec {
            codec: (d.codec)(),
            code_hash: d.code_hash,
            options: d.options,
            mapped: d.mapped,
        })
        .collect();
    Ok(Registered {
        module,
        graph: Arc::new(graph),
        tasks: tasks.into(),
        bodies,
        frees,
        specs,
        final_node,
    })
}

/// The DAG `Dag::new(name)` refers to.
///
/// A DAG is named after the module holding its tasks: `name` may be the full module path or
/// its last segment. When nothing matches and the binary has exactly one DAG with a final task,
/// that DAG is used whatever its name (a one-DAG program needs no naming convention).
pub(crate) fn lookup(name: &str) -> Result<Arc<Registered>, Error> {
    let reg = registry();
    let matches: Vec<_> = reg
        .dags
        .iter()
        .filter(|(m, _)| *m == name || m.rsplit("::").next() == Some(name))
        .collect();
    let chosen = match matches[..] {
        [one] => one,
        [] => {
            let with_final: Vec<_> = reg
                .dags
                .iter()
                .filter(|(_, d)| d.as_ref().map_or(true, |d| d.final_node.is_some()))
                .collect();
            match with_final[..] {
                [one] => one,
                _ => {
                    return Err(Error::UnknownDag {
                        name: name.to_string(),
                        available: reg.dags.iter().map(|(m, _)| m.to_string()).collect(),
                    });
                }
            }
        }
        _ => {
            return Err(Error::AmbiguousDag {
                name: name.to_string(),
                candidates: matches.iter().map(|(m, _)| m.to_string()).collect(),
            });
        }
    };
    chosen.1.clone().map_err(Error::from)
}

/// Every DAG of this binary, by module path.
pub(crate) fn dag_names() -> Vec<&'static str> {
    registry().dags.iter().map(|(m, _)| *m).collect()
}
