//! Layout: the view of a DAG every analysis reads: nodes numbered `0..len` by their position
//! in a topological order, each with its predecessors' positions.
//!
//! Built from a [`Graph`] (executions and traces; the view follows
//! [`Graph::topological_order`]), or from the index lists of the plain-data inputs
//! ([`ProfileInput`](super::ProfileInput), [`EstimateInput`](super::EstimateInput)), whose
//! order is topological by contract. The analyses index their per-node arrays by position and
//! break ties by it (earlier in the order wins).

use crate::graph::{Graph, NodeId};

/// Positions are `u32`, as graph ids are.
pub(super) struct Layout<'a> {
    names: Vec<&'a str>,
    /// Predecessors of position `v`: `preds[pred_start[v]..pred_start[v + 1]]`.
    pred_start: Vec<usize>,
    preds: Vec<u32>,
}

impl<'a> Layout<'a> {
    /// `graph` in its topological order: position `v` is `graph.topological_order()[v]`.
    pub(super) fn of(graph: &'a Graph) -> Self {
        let order = graph.topological_order();
        let mut position = vec![0u32; graph.len()];
        for (i, id) in order.iter().enumerate() {
            // A graph holds fewer than 2^32 nodes.
            position[id.index()] = i as u32;
        }
        let mut pred_start = Vec::with_capacity(order.len() + 1);
        let mut preds = Vec::with_capacity(graph.edge_count());
        pred_start.push(0);
        for &id in order {
            preds.extend(graph.predecessors(id).iter().map(|p| position[p.index()]));
            pred_start.push(preds.len());
        }
        Self {
            names: order.iter().map(|&id| graph.name(id)).collect(),
            pred_start,
            preds,
        }
    }

    /// Nodes `names` (in a topological order) with `preds(v)`, the indices of `v`'s
    /// predecessors. Only indices smaller than `v` are kept, each once, so no input can make
    /// a cycle. Names need not be unique: the analyses never look a node up by name.
    /// `None` for 2^32 nodes or more.
    pub(super) fn from_lists<'p>(
        names: impl ExactSizeIterator<Item = &'a str>,
        preds: impl Fn(usize) -> &'p [usize],
    ) -> Option<Self> {
        let names: Vec<&'a str> = names.collect();
        let n = names.len();
        u32::try_from(n).ok()?;
        let mut pred_start = Vec::with_capacity(n + 1);
        let mut kept = Vec::new();
        // stamp[p] == v + 1 means p was already recorded as a predecessor of v.
        let mut stamp = vec![0usize; n];
        pred_start.push(0);
        for v in 0..n {
            for &p in preds(v) {
                if p < v && stamp[p] != v + 1 {
                    stamp[p] = v + 1;
                    kept.push(p as u32);
                }
            }
            pred_start.push(kept.len());
        }
        Some(Self {
            names,
            pred_start,
            preds: kept,
        })
    }

    /// Number of nodes.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    /// The name of the node at position `v`.
    pub(super) fn name(&self, v: usize) -> &'a str {
        self.names[v]
    }

    /// Positions of the direct predecessors of position `v` (all smaller than `v`), in edge
    /// order.
    pub(super) fn preds(&self, v: usize) -> impl ExactSizeIterator<Item = usize> + '_ {
        self.preds[self.pred_start[v]..self.pred_start[v + 1]]
            .iter()
            .map(|&p| p as usize)
    }

    /// Successor lists (ascending) by position: `(offsets, successors)`, where the
    /// successors of `v` are `succ[off[v]..off[v + 1]]`.
    pub(super) fn successors(&self) -> (Vec<usize>, Vec<usize>) {
        let n = self.len();
        let mut off = vec![0usize; n + 1];
        for &p in &self.preds {
            off[p as usize + 1] += 1;
        }
        for v in 0..n {
            off[v + 1] += off[v];
        }
        let mut fill = off.clone();
        let mut succ = vec![0usize; self.preds.len()];
        for v in 0..n {
            for p in self.preds(v) {
                succ[fill[p]] = v;
                fill[p] += 1;
            }
        }
        (off, succ)
    }
}

/// The node at each position of [`Layout::of`]`(graph)`.
pub(super) fn node_at(graph: &Graph, v: usize) -> NodeId {
    graph.topological_order()[v]
}
