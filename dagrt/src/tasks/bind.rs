//! Binding: the body of each node of a graph (by id, else by name), and the checks that every
//! node has one and every body and option names a node.

use super::columns::{Columns, OutputOf};
use super::{DynAsyncBody, OutputType, Place, Tasks};
use crate::error::Error;
use crate::exec::policy::NodeSpec;
use crate::exec::wait::AsyncBody;
use crate::exec::{Body, DynBody};
use crate::graph::{Graph, NodeId};
use crate::options::TaskOptions;

/// Bodies, output-frees flags, specs and async bodies of a graph's nodes, in node order.
pub(crate) struct Resolved<'t> {
    pub bodies: Vec<Body<'t>>,
    pub frees: Vec<bool>,
    pub specs: Vec<NodeSpec>,
    /// Empty when no task is async.
    pub asyncs: Vec<Option<AsyncBody<'t>>>,
}

/// Task bodies moved out of a [`Tasks`], in node order (what `GraphDag::with_tasks` keeps).
pub(crate) struct Bound {
    pub bodies: Vec<DynBody<'static>>,
    pub frees: Vec<bool>,
    /// What `run` checks the final node's output against.
    pub outputs: Vec<OutputOf>,
    /// Empty when every spec is the default one (a run then scans none).
    pub specs: Vec<NodeSpec>,
    /// Empty when no task is async.
    pub asyncs: Vec<Option<DynAsyncBody<'static>>>,
}

impl<'a> Tasks<'a> {
    /// Where the body of `node` is: given by id or by name (the later one if both).
    fn locate(&self, graph: &Graph, node: NodeId) -> Option<Place> {
        let i = node.index();
        let by_id = self.by_id.has(i).then(|| {
            let place = Place {
                named: false,
                slot: i,
            };
            (place, self.by_id.seq(i))
        });
        if self.index.is_empty() {
            return by_id.map(|(place, _)| place);
        }
        let by_name = self
            .index
            .get(graph.name(node))
            .filter(|&&slot| self.named.has(slot))
            .map(|&slot| (Place { named: true, slot }, self.named.seq(slot)));
        match (by_id, by_name) {
            (Some(a), Some(b)) => Some(if a.1 > b.1 { a.0 } else { b.0 }),
            (a, b) => a.or(b).map(|(place, _)| place),
        }
    }

    fn columns(&self, place: Place) -> &Columns<'a> {
        if place.named {
            &self.named
        } else {
            &self.by_id
        }
    }

    /// Where the body of `node` is; the error names the node.
    fn place_of(&self, graph: &Graph, node: NodeId) -> Result<Place, Error> {
        self.locate(graph, node).ok_or_else(|| missing(graph, node))
    }

    /// The output type of the task for `node`.
    pub(crate) fn output_type(&self, graph: &Graph, node: NodeId) -> Result<OutputType, Error> {
        let place = self.place_of(graph, node)?;
        Ok((self.columns(place).outputs[place.slot])())
    }

    /// Once every node has a body: a body for no node is an error naming it (the smallest
    /// name, else the smallest id).
    fn check_extra(&self, graph: &Graph) -> Result<(), Error> {
        // Every node has exactly one body, so equal counts mean no extra body.
        if self.len() == graph.len() {
            return Ok(());
        }
        let unknown_name = self.index.keys().filter(|k| graph.find(k).is_none()).min();
        if let Some(name) = unknown_name {
            return Err(Error::UnknownTask { name: name.clone() });
        }
        let unknown_id = (graph.len()..self.by_id.len()).find(|&i| self.by_id.has(i));
        match unknown_id {
            Some(i) => Err(Error::UnknownTask {
                name: format!("#{i}"),
            }),
            // The other bodies were replaced by one given later for the same node.
            None => Ok(()),
        }
    }

    /// Options given with [`Tasks::options`] that no body took when it was added: those for
    /// a node whose body was given the other way (by id for a name, by name for an id) apply
    /// to it; those for no node are an error naming it (they would otherwise do nothing).
    fn overrides(&self, graph: &Graph) -> Result<Vec<(NodeId, TaskOptions)>, Error> {
        if self.pending_options.is_empty() && self.pending_id_options.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(name) = self
            .pending_options
            .keys()
            .filter(|k| graph.find(k).is_none())
            .min()
        {
            return Err(Error::UnknownTask { name: name.clone() });
        }
        if let Some(id) = self
            .pending_id_options
            .keys()
            .filter(|id| id.index() >= graph.len())
            .min()
        {
            return Err(Error::UnknownTask {
                name: id.to_string(),
            });
        }
        let by_id = self.pending_id_options.iter().map(|(&id, &o)| (id, o));
        let by_name = self.pending_options.iter().filter_map(|(name, &o)| {
            // Every name was found just above.
            graph.find(name).map(|id| (id, o))
        });
        Ok(by_id.chain(by_name).collect())
    }

    /// The bodies in node order, which outputs own memory, and the nodes' specs.
    pub(crate) fn resolve(&self, graph: &Graph) -> Result<Resolved<'_>, Error> {
        let n = graph.len();
        let mut asyncs = Vec::with_capacity(if self.any_async { n } else { 0 });
        let mut bodies: Vec<Body<'_>> = Vec::with_capacity(n);
        let mut frees = Vec::with_capacity(n);
        // Without a persistent, mapped or optioned task every spec is the default one: none
        // is passed (see `Launch::specs`).
        let special = self.special_specs;
        let mut specs = Vec::with_capacity(if special { n } else { 0 });
        for node in graph.nodes() {
            let place = self.place_of(graph, node)?;
            let (columns, slot) = (self.columns(place), place.slot);
            match &columns.bodies[slot] {
                Some(body) => bodies.push(&**body),
                None => return Err(missing(graph, node)),
            }
            frees.push(columns.frees[slot]);
            if self.any_async {
                asyncs.push(columns.async_body(slot).map(|b| AsyncBody::Dyn(&**b)));
            }
            if special {
                specs.push(columns.spec(slot));
            }
        }
        self.check_extra(graph)?;
        apply(&mut specs, self.overrides(graph)?);
        Ok(Resolved {
            bodies,
            frees,
            specs,
            asyncs,
        })
    }
}

impl Tasks<'static> {
    /// Moves the bodies out in node order (no name is hashed when all were given by id).
    pub(crate) fn bind(mut self, graph: &Graph) -> Result<Bound, Error> {
        let mut bound = if self.index.is_empty() {
            self.bind_ids(graph)?
        } else {
            let bound = self.bind_each(graph)?;
            self.check_extra(graph)?;
            bound
        };
        apply(&mut bound.specs, self.overrides(graph)?);
        // (An async body replaced by a plain one.)
        if bound.asyncs.iter().all(Option::is_none) {
            bound.asyncs = Vec::new();
        }
        Ok(bound)
    }

    /// Every body given by id: the columns are moved whole.
    fn bind_ids(&mut self, graph: &Graph) -> Result<Bound, Error> {
        let n = graph.len();
        let c = &mut self.by_id;
        if let Some(node) = graph.nodes().find(|n| !c.has(n.index())) {
            return Err(missing(graph, node));
        }
        self.check_extra(graph)?;
        let c = &mut self.by_id;
        // (Slots past the last node are empty: `check_extra` said so.)
        let mut bodies = std::mem::take(&mut c.bodies);
        bodies.truncate(n);
        // Every slot holds a body: this keeps them all, in place (`filter_map` reuses the
        // allocation, `flatten` does not).
        #[allow(clippy::filter_map_identity)]
        let bodies: Vec<DynBody<'static>> = bodies.into_iter().filter_map(|b| b).collect();
        let mut frees = std::mem::take(&mut c.frees);
        frees.truncate(n);
        let mut outputs = std::mem::take(&mut c.outputs);
        outputs.truncate(n);
        let specs = if self.special_specs {
            (0..n).map(|i| c.spec(i)).collect()
        } else {
            Vec::new()
        };
        let mut asyncs = std::mem::take(&mut c.asyncs);
        asyncs.truncate(n);
        if self.any_async {
            asyncs.resize_with(n, || None);
        }
        Ok(Bound {
            bodies,
            frees,
            outputs,
            specs,
            asyncs,
        })
    }

    /// Bodies given by name (and maybe some by id): node by node.
    fn bind_each(&mut self, graph: &Graph) -> Result<Bound, Error> {
        let n = graph.len();
        let special = self.special_specs;
        let mut bound = Bound {
            bodies: Vec::with_capacity(n),
            frees: Vec::with_capacity(n),
            outputs: Vec::with_capacity(n),
            specs: Vec::with_capacity(if special { n } else { 0 }),
            asyncs: Vec::with_capacity(if self.any_async { n } else { 0 }),
        };
        for node in graph.nodes() {
            let place = self.place_of(graph, node)?;
            let slot = place.slot;
            let any_async = self.any_async;
            let c = self.columns_mut(place);
            let body = c.bodies[slot].take().ok_or_else(|| missing(graph, node))?;
            bound.bodies.push(body);
            bound.frees.push(c.frees[slot]);
            bound.outputs.push(c.outputs[slot]);
            if special {
                bound.specs.push(c.spec(slot));
            }
            if any_async {
                bound.asyncs.push(c.take_async(slot));
            }
        }
        Ok(bound)
    }
}

/// Sets the options of nodes (`specs` is per node whenever options were given).
fn apply(specs: &mut [NodeSpec], overrides: Vec<(NodeId, TaskOptions)>) {
    for (node, options) in overrides {
        if let Some(spec) = specs.get_mut(node.index()) {
            spec.options = options;
        }
    }
}

fn missing(graph: &Graph, node: NodeId) -> Error {
    Error::MissingTask {
        node: graph.name(node).to_string(),
    }
}
