//! Select: the values a static DAG is given ([`Dag::set`](crate::Dag::set)) and the part of
//! it one run runs (everything, or the ancestors of `run_to` / `execute_to` targets).
//!
//! A node whose value is given runs no code and waits for nothing: its incoming edges are
//! cut, so tasks needed only by it do not run (and a required input needed only by an
//! overridden task needs no value). A required input that the run reaches without a value
//! is an error before any task runs.

use crate::error::Error;
use crate::exec::policy::NodeSpec;
use crate::exec::{Bodies, Body};
use crate::graph::{Graph, NodeId};
use crate::launch::Launch;
use crate::registry::Registered;
use crate::task::{InputKind, TaskDescriptor};
use crate::value::Value;
use std::sync::Arc;

/// Makes a fresh copy of a value given with `Dag::set`, for one run.
pub(crate) type Make = Box<dyn Fn() -> Value + Send + Sync>;

/// The values given with `Dag::set`, by task descriptor.
#[derive(Default)]
pub(crate) struct Provided(Vec<(&'static TaskDescriptor, Make)>);

impl Provided {
    /// Gives `task` the value `value` (replacing an earlier one).
    pub(crate) fn set<T: Clone + Send + Sync + 'static>(
        &mut self,
        task: &'static TaskDescriptor,
        value: T,
    ) {
        self.set_made(task, Box::new(move || Box::new(value.clone())));
    }

    /// Gives `task` the values `make` makes, one per run (replacing an earlier one); the
    /// caller checked that they are of `task`'s output type.
    pub(crate) fn set_made(&mut self, task: &'static TaskDescriptor, make: Make) {
        self.0.retain(|(d, _)| !std::ptr::eq(*d, task));
        self.0.push((task, make));
    }

    fn get(&self, task: &'static TaskDescriptor) -> Option<&Make> {
        self.0
            .iter()
            .find(|(d, _)| std::ptr::eq(*d, task))
            .map(|(_, m)| m)
    }

    /// The tasks given a value that are not tasks of `spec`'s DAG.
    fn foreign(&self, spec: &Registered) -> Vec<String> {
        self.0
            .iter()
            .filter(|(d, _)| !spec.tasks.iter().any(|t| std::ptr::eq(*t, *d)))
            .map(|(d, _)| d.name.to_string())
            .collect()
    }

    /// Whether no value was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names of the tasks given a value, in the order they were set.
    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|(d, _)| d.name).collect()
    }
}

/// The part of a static DAG one run runs, with the values given to its nodes.
pub(crate) struct Selected {
    graph: Arc<Graph>,
    bodies: Vec<Body<'static>>,
    frees: Vec<bool>,
    tasks: Arc<[&'static TaskDescriptor]>,
    specs: Vec<NodeSpec>,
    final_node: Option<NodeId>,
    provided: Vec<(NodeId, Value)>,
}

/// What a run of a static DAG runs: with `targets` `None`, what the DAG's sinks need (the
/// whole DAG but the tasks only overridden tasks need); else the targets and what they need.
///
/// # Errors
/// [`Error::NotInDag`] for a value given to a task of another DAG (it would do nothing);
/// [`Error::MissingInput`] for required inputs the selection holds without a value.
pub(crate) fn select(
    spec: &Registered,
    provided: &Provided,
    targets: Option<&[NodeId]>,
) -> Result<Selected, Error> {
    let foreign = provided.foreign(spec);
    if !foreign.is_empty() {
        return Err(Error::NotInDag {
            dag: spec.module.to_string(),
            names: foreign,
        });
    }
    let g = &spec.graph;
    let given: Vec<Option<&Make>> = spec.tasks.iter().map(|d| provided.get(d)).collect();
    let mut keep = vec![false; g.len()];
    let mut stack: Vec<NodeId> = match targets {
        Some(t) => t.to_vec(),
        None => g.sinks().chain(spec.final_node).collect(),
    };
    // Upward from the targets, stopping at given nodes: what only they need does not run.
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut keep[n.index()], true) {
            continue;
        }
        if given[n.index()].is_none() {
            stack.extend(g.predecessors(n).iter().copied());
        }
    }
    let missing: Vec<(String, String)> = g
        .nodes()
        .filter(|n| keep[n.index()] && given[n.index()].is_none())
        .map(|n| spec.tasks[n.index()])
        .filter(|d| d.input == InputKind::Required)
        .map(|d| (d.name.to_string(), d.location()))
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingInput {
            dag: spec.module.to_string(),
            inputs: missing,
        });
    }
    let from: Vec<NodeId> = g.nodes().filter(|n| keep[n.index()]).collect();
    let mut to = vec![u32::MAX; g.len()];
    for (i, n) in from.iter().enumerate() {
        to[n.index()] = i as u32;
    }
    let mut edges = Vec::new();
    for (i, &n) in from.iter().enumerate() {
        if given[n.index()].is_some() {
            continue;
        }
        for &p in g.predecessors(n) {
            edges.push((to[p.index()], i as u32));
        }
    }
    let names = from.iter().map(|&n| g.name(n)).collect();
    let graph = Graph::from_parts(names, &edges)?;
    let pick = |n: &NodeId| n.index();
    let final_node = match targets {
        Some([one]) => Some(NodeId(to[one.index()])),
        _ => spec
            .final_node
            .filter(|f| keep[f.index()])
            .map(|f| NodeId(to[f.index()])),
    };
    let provided = from
        .iter()
        .enumerate()
        .filter_map(|(i, n)| given[n.index()].map(|make| (NodeId(i as u32), make())))
        .collect();
    Ok(Selected {
        graph: Arc::new(graph),
        bodies: from.iter().map(|n| spec.bodies[pick(n)]).collect(),
        frees: from.iter().map(|n| spec.frees[pick(n)]).collect(),
        tasks: from.iter().map(|n| spec.tasks[pick(n)]).collect(),
        specs: from.iter().map(|n| spec.specs[pick(n)]).collect(),
        final_node,
        provided,
    })
}

impl Selected {
    /// The run of this selection (its given values move into the run).
    pub(crate) fn launch(&mut self) -> Launch<'_> {
        Launch {
            graph: &self.graph,
            bodies: Bodies::Refs(&self.bodies),
            frees: &self.frees,
            final_node: self.final_node,
            tasks: self.tasks.clone(),
            specs: &self.specs,
            provided: std::mem::take(&mut self.provided),
            asyncs: Vec::new(),
        }
    }
}
