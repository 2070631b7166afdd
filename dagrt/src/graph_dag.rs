//! GraphDag: a DAG over a graph built at run time, whose task bodies are [`Tasks`].

use crate::config::{RunConfig, config_methods, debug_config};
use crate::error::Error;
use crate::exec::policy::NodeSpec;
use crate::exec::{Bodies, Execution};
use crate::graph::{Graph, NodeId};
use crate::launch::{Launch, Memory, check_output, take_final};
use crate::tasks::{Bound, Tasks};
use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A DAG over a [`Graph`] built at run time (see [`Dag::from_graph`](crate::Dag::from_graph)):
/// its nodes run the bodies of a [`Tasks`], given per run ([`GraphDag::execute_with`],
/// [`GraphDag::run_with`]) or bound once ([`GraphDag::with_tasks`], then
/// [`GraphDag::execute`], [`GraphDag::run`], [`GraphDag::resume`], [`GraphDag::rerun`]).
///
/// It is configured like a static [`Dag`](crate::Dag) (`max_workers`, `tracing`, `cache`...).
#[must_use]
pub struct GraphDag {
    config: RunConfig,
    graph: Arc<Graph>,
    /// The node whose output `run` returns, when chosen with `final_node`.
    final_node: Option<NodeId>,
    /// The graph's only sink, if it has exactly one (found once: a run must not scan nodes).
    only_sink: Option<NodeId>,
    bound: Option<Bound>,
}

impl GraphDag {
    /// A DAG called `name` over `graph`.
    pub fn new(name: impl Into<String>, graph: Graph) -> Self {
        let only_sink = {
            let mut sinks = graph.sinks();
            match (sinks.next(), sinks.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        };
        GraphDag {
            config: RunConfig::new(name.into()),
            graph: Arc::new(graph),
            final_node: None,
            only_sink,
            bound: None,
        }
    }

    config_methods!();

    /// Binds task bodies to this DAG once, so that [`GraphDag::execute`] and
    /// [`GraphDag::run`] run it without looking anything up by name (the fastest way to run
    /// a builder graph repeatedly). Bodies given by [`NodeId`] are bound without hashing a
    /// name (see [`Tasks`]).
    ///
    /// # Errors
    /// [`Error::MissingTask`] naming the first node without a body; [`Error::UnknownTask`]
    /// naming a body or options given for no node (a name, or `#id` for an id past the
    /// graph's last node).
    pub fn with_tasks(mut self, tasks: Tasks<'static>) -> Result<Self, Error> {
        self.bound = Some(tasks.bind(&self.graph)?);
        Ok(self)
    }

    /// The node whose output [`GraphDag::run`] and [`GraphDag::run_with`] return (default:
    /// the only sink).
    ///
    /// # Errors
    /// [`Error::UnknownNode`] if the graph has no node called `name` (the message lists a few
    /// of its nodes).
    pub fn final_node(mut self, name: &str) -> Result<Self, Error> {
        let graph = &self.graph;
        let found = graph.find(name).ok_or_else(|| Error::UnknownNode {
            dag: self.config.name.clone(),
            name: name.to_string(),
            nodes: graph
                .nodes()
                .take(crate::error::LISTED)
                .map(|n| graph.name(n).to_string())
                .collect(),
            total: graph.len(),
        })?;
        self.final_node = Some(found);
        Ok(self)
    }

    /// The graph this DAG runs.
    #[must_use]
    pub fn graph(&self) -> &Arc<Graph> {
        &self.graph
    }

    /// The DAG in Graphviz DOT syntax.
    #[must_use]
    pub fn to_dot(&self) -> String {
        self.graph.to_dot(&self.config.name)
    }

    /// The DAG as a Mermaid flowchart.
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        self.graph.to_mermaid()
    }

    /// Predicts the critical path and makespan of this DAG on `workers` workers from per-task
    /// durations in seconds (see [`Dag::estimate`](crate::Dag::estimate)).
    #[must_use]
    pub fn estimate(
        &self,
        durations: &HashMap<String, f64>,
        workers: usize,
    ) -> crate::profile::Estimate {
        estimate(&self.graph, durations, workers)
    }

    /// Runs the bound tasks (see [`GraphDag::with_tasks`]) and returns what happened.
    ///
    /// # Errors
    /// [`Error::NoTaskBodies`] when no tasks were bound; the pool cannot start.
    pub fn execute(&self) -> Result<Execution, Error> {
        self.execute_memory(Memory::Fresh)
    }

    /// Runs the bound tasks and returns the final node's output (the node set with
    /// [`GraphDag::final_node`], else the graph's only sink).
    ///
    /// # Errors
    /// [`Error::NoTaskBodies`] when no tasks were bound; [`Error::NoFinalNode`] and
    /// [`Error::OutputType`] before anything runs; [`Error::TaskFailed`].
    pub fn run<T: Any>(&self) -> Result<T, Error> {
        let bound = self.bound()?;
        let fin = self.final_of()?;
        let found = (bound.outputs[fin.index()])();
        check_output::<T>(&self.graph, fin, found)?;
        take_final(self.execute()?, fin, found.name)
    }

    /// Finishes the run saved in the checkpoint dir (see [`Dag::resume`](crate::Dag::resume));
    /// only tasks added with [`Tasks::add_persistent`] are checkpointed.
    ///
    /// # Errors
    /// [`Error::NoCheckpointDir`], [`Error::Checkpoint`], and those of [`GraphDag::execute`].
    pub fn resume(&self) -> Result<Execution, Error> {
        self.config.check_resumable()?;
        self.execute_memory(Memory::Resume)
    }

    /// Runs again after the tasks named in `changed` saw new inputs, reusing the other
    /// outputs of `previous` (see [`Dag::rerun`](crate::Dag::rerun)).
    ///
    /// # Errors
    /// [`Error::UnknownTask`], [`Error::RerunOtherDag`], and those of [`GraphDag::execute`].
    pub fn rerun(&self, previous: Execution, changed: &[&str]) -> Result<Execution, Error> {
        self.execute_memory(Memory::Rerun {
            previous: Box::new(previous),
            changed,
        })
    }

    /// Runs the graph with the given task bodies.
    ///
    /// # Errors
    /// [`Error::MissingTask`] / [`Error::UnknownTask`] when `tasks` does not match the graph's
    /// nodes; the pool cannot start.
    pub fn execute_with(&self, tasks: &Tasks<'_>) -> Result<Execution, Error> {
        let r = tasks.resolve(&self.graph)?;
        let mut launch = self.launch(
            Bodies::Refs(&r.bodies),
            &r.frees,
            &r.specs,
            self.final_or_sink(),
        );
        launch.asyncs = r.asyncs;
        launch.launch(&self.config, Memory::Fresh)
    }

    /// Runs the graph with the given task bodies and returns the final node's output (the
    /// node set with [`GraphDag::final_node`], else the graph's only sink).
    ///
    /// # Errors
    /// As [`GraphDag::execute_with`], plus [`Error::TaskFailed`], [`Error::NoFinalNode`] and
    /// [`Error::OutputType`] (these two before anything runs).
    pub fn run_with<T: Any>(&self, tasks: &Tasks<'_>) -> Result<T, Error> {
        let r = tasks.resolve(&self.graph)?;
        let fin = self.final_of()?;
        let found = tasks.output_type(&self.graph, fin)?;
        check_output::<T>(&self.graph, fin, found)?;
        let mut launch = self.launch(Bodies::Refs(&r.bodies), &r.frees, &r.specs, Some(fin));
        launch.asyncs = r.asyncs;
        let exec = launch.launch(&self.config, Memory::Fresh)?;
        take_final(exec, fin, found.name)
    }

    fn execute_memory(&self, memory: Memory<'_>) -> Result<Execution, Error> {
        let bound = self.bound()?;
        let mut launch = self.launch(
            Bodies::Boxed(&bound.bodies),
            &bound.frees,
            &bound.specs,
            self.final_or_sink(),
        );
        launch.asyncs = bound
            .asyncs
            .iter()
            .map(|b| b.as_deref().map(crate::exec::wait::AsyncBody::Dyn))
            .collect();
        launch.launch(&self.config, memory)
    }

    fn launch<'a>(
        &'a self,
        bodies: Bodies<'a>,
        frees: &'a [bool],
        specs: &'a [NodeSpec],
        final_node: Option<NodeId>,
    ) -> Launch<'a> {
        Launch {
            graph: &self.graph,
            bodies,
            frees,
            final_node,
            tasks: Arc::from(Vec::new()),
            specs,
            provided: Vec::new(),
            asyncs: Vec::new(),
        }
    }

    /// The bodies bound with `with_tasks`; the error says how to give them.
    fn bound(&self) -> Result<&Bound, Error> {
        self.bound.as_ref().ok_or_else(|| Error::NoTaskBodies {
            dag: self.config.name.clone(),
        })
    }

    /// The node whose output `run` returns: the one set with `final_node`, else the only sink.
    fn final_or_sink(&self) -> Option<NodeId> {
        self.final_node.or(self.only_sink)
    }

    /// As [`GraphDag::final_or_sink`]; the error tells how to choose one.
    fn final_of(&self) -> Result<NodeId, Error> {
        self.final_or_sink().ok_or_else(|| {
            let mut sinks = self.graph.sinks();
            let listed: Vec<String> = sinks
                .by_ref()
                .take(crate::error::LISTED)
                .map(|n| self.graph.name(n).to_string())
                .collect();
            Error::NoFinalNode {
                dag: self.config.name.clone(),
                count: listed.len() + sinks.count(),
                sinks: listed,
            }
        })
    }
}

impl fmt::Debug for GraphDag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_config(f.debug_struct("GraphDag"), &self.config)
            .field("nodes", &self.graph.len())
            .field("bound", &self.bound.is_some())
            .finish_non_exhaustive()
    }
}

/// The critical path and makespan of `g` on `workers` workers (see [`Dag::estimate`](crate::Dag::estimate)).
pub(crate) fn estimate(
    g: &Graph,
    durations: &HashMap<String, f64>,
    workers: usize,
) -> crate::profile::Estimate {
    let order = g.topological_order();
    let mut position = vec![0usize; g.len()];
    for (i, id) in order.iter().enumerate() {
        position[id.index()] = i;
    }
    let names: Vec<String> = order.iter().map(|&id| g.name(id).to_string()).collect();
    let preds: Vec<Vec<usize>> = order
        .iter()
        .map(|&id| {
            g.predecessors(id)
                .iter()
                .map(|p| position[p.index()])
                .collect()
        })
        .collect();
    crate::profile::estimate_from_history(&names, &preds, durations, workers)
}
