//! Layout: a [`Graph`] seen in one topological order, nodes numbered by their position in it.

use std::sync::Arc;

use crate::graph::{Graph, NodeId};

/// A graph's nodes numbered `0..len` by their position in a topological order: every
/// predecessor of position `v` is at a smaller position. The analyses index their per-node
/// arrays by position and break ties by it (earlier in the order wins).
pub(super) struct Layout<'g> {
    graph: &'g Graph,
    /// The order; `None` when it is the insertion order (ids are positions).
    order: Option<&'g [NodeId]>,
    /// `position[id]`; empty when `order` is `None`.
    position: Vec<u32>,
}

impl<'g> Layout<'g> {
    /// The graph in its own topological order ([`Graph::topological_order`]).
    pub(super) fn topological(graph: &'g Graph) -> Self {
        let order = graph.topological_order();
        let mut position = vec![0u32; graph.len()];
        for (i, id) in order.iter().enumerate() {
            // Positions fit: a graph holds fewer than 2^32 nodes.
            position[id.index()] = i as u32;
        }
        Self {
            graph,
            order: Some(order),
            position,
        }
    }

    /// A graph from [`graph_from_preds`], in insertion order (a topological order there).
    pub(super) fn inserted(graph: &'g Graph) -> Self {
        Self {
            graph,
            order: None,
            position: Vec::new(),
        }
    }

    /// Number of nodes.
    pub(super) fn len(&self) -> usize {
        self.graph.len()
    }

    /// The node at position `v`.
    pub(super) fn node(&self, v: usize) -> NodeId {
        match self.order {
            Some(order) => order[v],
            // In insertion order, positions are ids (and fit a u32, as ids do).
            None => NodeId(v as u32),
        }
    }

    /// The node's name at position `v`.
    pub(super) fn name(&self, v: usize) -> &'g str {
        self.graph.name(self.node(v))
    }

    fn position(&self, id: NodeId) -> usize {
        match self.order {
            Some(_) => self.position[id.index()] as usize,
            None => id.index(),
        }
    }

    /// Positions of the direct predecessors of position `v`, in edge order.
    pub(super) fn preds(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        let preds = self.graph.predecessors(self.node(v));
        preds.iter().map(move |&p| self.position(p))
    }

    /// Number of direct predecessors of position `v`.
    pub(super) fn pred_count(&self, v: usize) -> usize {
        self.graph.predecessors(self.node(v)).len()
    }

    /// Positions of the direct successors of position `v`, in edge order.
    pub(super) fn succs(&self, v: usize) -> impl Iterator<Item = usize> + '_ {
        let succs = self.graph.successors(self.node(v));
        succs.iter().map(move |&s| self.position(s))
    }
}

/// Builds a graph from predecessor lists given as indices, keeping for node `v` only the
/// indices smaller than `v`, each once (so the insertion order is topological and no input
/// can make a cycle). Names need not be unique: the analyses never look a node up by name.
/// `None` only for a graph too large to index (2^32 nodes or more).
pub(super) fn graph_from_preds<'a>(
    names: impl ExactSizeIterator<Item = &'a str>,
    preds: impl Fn(usize) -> &'a [usize],
) -> Option<Graph> {
    let n = names.len();
    let names: Vec<Arc<str>> = names.map(Arc::from).collect();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    // stamp[p] == v + 1 means p was already recorded as a predecessor of v.
    let mut stamp = vec![0usize; n];
    for v in 0..n {
        let to = u32::try_from(v).ok()?;
        for &p in preds(v) {
            if p < v && stamp[p] != v + 1 {
                stamp[p] = v + 1;
                edges.push((u32::try_from(p).ok()?, to));
            }
        }
    }
    Graph::from_parts(names, &edges).ok()
}
