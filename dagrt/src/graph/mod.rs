//! Graph: dense node ids, edges, topological order, levels and cycle paths (pure data, no I/O).
//!
//! # Exports
//!
//! [`Graph::to_dot`] and [`Graph::to_mermaid`] accept every node name. Both name nodes by id
//! (`n0`, `n1`, ...) and put the name in a label, so no name can merge two nodes or break the
//! syntax. Labels (and the DOT graph's name) are escaped for each language:
//!
//! | in a name                      | DOT label                    | Mermaid label        |
//! |--------------------------------|------------------------------|----------------------|
//! | `"`                            | `\"`                         | `#quot;`             |
//! | `\`                            | `\\`                         | `\`                  |
//! | `&`                            | `&amp;`                      | `#amp;`              |
//! | `<`, `>`                       | `<`, `>`                     | `#lt;`, `#gt;`       |
//! | `#`, `%`, `` ` ``              | `#`, `%`, `` ` ``            | `#35;`, `#37;`, `#96;` |
//! | newline                        | `\n` (a line break)          | `<br>` (a line break) |
//! | other control characters, NUL, U+FFFE, U+FFFF | their Rust escape: `\0`, `\t`, `\r`, `\u{1b}` | the same |
//! | the empty name                 | `""`                         | `" "`                |
//!
//! Why: DOT cannot hold a NUL at all and SVG (Graphviz's usual output) cannot hold the other
//! control characters or U+FFFE/U+FFFF; Graphviz reads `\x` sequences and HTML entities in
//! labels; Mermaid reads `#...;` as an entity code, `%%` as the start of a directive, a label
//! in backquotes as Markdown and `<...>` as HTML, and rejects an empty label (`[""]`).
//! Everything else (unicode, `;`, brackets, very long names) is written as it is. CI checks
//! both exports of such names with Graphviz's `dot` and Mermaid's own parser
//! (`ci/check_exports.mjs`).

mod builder;
mod export;
mod key;
mod names;

pub use builder::{GraphBuilder, GraphError};
pub use key::{IntoNodeKey, NodeKey};

use names::NameIndex;
pub(crate) use names::Names;
use std::fmt;

/// A node's dense index in its [`Graph`], assigned in insertion order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The id as an index into per-node arrays.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// An immutable, validated directed acyclic graph of named nodes.
///
/// Edges are stored twice in compressed sparse rows (predecessors and successors), so every
/// neighbour query is a slice. A node's predecessors keep the order in which their edges were
/// added: for a `#[task]` that is the order of its parameters.
///
/// ```
/// use dag::graph::Graph;
///
/// let mut b = Graph::builder();
/// b.add_nodes(["extract", "transform", "load"]);
/// b.add_edges([("extract", "transform"), ("transform", "load")]);
/// let g = b.build()?;
/// let names: Vec<&str> = g.topological_order().iter().map(|&n| g.name(n)).collect();
/// assert_eq!(names, ["extract", "transform", "load"]);
/// # Ok::<(), dag::graph::GraphError>(())
/// ```
#[derive(Clone)]
pub struct Graph {
    names: Names,
    index: NameIndex,
    pred_start: Vec<u32>,
    preds: Vec<NodeId>,
    succ_start: Vec<u32>,
    succs: Vec<NodeId>,
    topo: Vec<NodeId>,
    level: Vec<u32>,
    levels: usize,
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("nodes", &self.len())
            .field("edges", &self.edge_count())
            .field("levels", &self.levels)
            .finish()
    }
}

impl Graph {
    /// Starts a graph built at run time (see [`GraphBuilder`]).
    pub fn builder() -> GraphBuilder {
        GraphBuilder::new()
    }

    /// Number of nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the graph has no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Number of edges.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.preds.len()
    }

    /// Every node id, in insertion order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeId> + '_ {
        (0..self.names.len() as u32).map(NodeId)
    }

    /// The node's name.
    ///
    /// # Panics
    /// If `node` does not belong to this graph.
    #[must_use]
    pub fn name(&self, node: NodeId) -> &str {
        &self.names[node.index()]
    }

    /// The node called `name`, if any.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.index.get(&self.names, name)
    }

    /// The node's direct dependencies, in the order their edges were added.
    #[must_use]
    pub fn predecessors(&self, node: NodeId) -> &[NodeId] {
        let i = node.index();
        &self.preds[self.pred_start[i] as usize..self.pred_start[i + 1] as usize]
    }

    /// The nodes that depend directly on `node`.
    #[must_use]
    pub fn successors(&self, node: NodeId) -> &[NodeId] {
        let i = node.index();
        &self.succs[self.succ_start[i] as usize..self.succ_start[i + 1] as usize]
    }

    /// [`Graph::successors`] without bounds checks, for the scheduler's hot path.
    ///
    /// # Safety
    /// `node` must be a node of this graph (`node.index() < self.len()`).
    #[inline]
    pub(crate) unsafe fn successors_unchecked(&self, node: NodeId) -> &[NodeId] {
        let i = node.index();
        // SAFETY: `i < len` per the contract and the offsets have `len + 1` entries; the
        // builder (the only constructor) makes them monotone and at most `succs.len()`.
        unsafe {
            let a = *self.succ_start.get_unchecked(i) as usize;
            let b = *self.succ_start.get_unchecked(i + 1) as usize;
            self.succs.get_unchecked(a..b)
        }
    }

    /// [`Graph::predecessors`] without bounds checks, for the scheduler's hot path.
    ///
    /// # Safety
    /// `node` must be a node of this graph (`node.index() < self.len()`).
    #[inline]
    pub(crate) unsafe fn predecessors_unchecked(&self, node: NodeId) -> &[NodeId] {
        let i = node.index();
        // SAFETY: as in `successors_unchecked`.
        unsafe {
            let a = *self.pred_start.get_unchecked(i) as usize;
            let b = *self.pred_start.get_unchecked(i + 1) as usize;
            self.preds.get_unchecked(a..b)
        }
    }

    /// Nodes in a topological order: every node after all its dependencies. Deterministic:
    /// roots in insertion order, then nodes in the order they become ready (Kahn's algorithm,
    /// successors in edge order).
    #[must_use]
    pub fn topological_order(&self) -> &[NodeId] {
        &self.topo
    }

    /// The node's topological level: 0 for a node without dependencies, else one more than the
    /// deepest dependency.
    #[must_use]
    pub fn level(&self, node: NodeId) -> usize {
        self.level[node.index()] as usize
    }

    /// Number of topological levels (0 for an empty graph).
    #[must_use]
    pub fn level_count(&self) -> usize {
        self.levels
    }

    /// Nodes without dependencies, in insertion order.
    pub fn roots(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.root_slice().iter().copied()
    }

    /// The roots as a slice: the topological order starts with them, in insertion order
    /// (Kahn's algorithm seeds its queue with every root, by id).
    pub(crate) fn root_slice(&self) -> &[NodeId] {
        let k = self
            .topo
            .iter()
            .take_while(|&&n| self.predecessors(n).is_empty())
            .count();
        &self.topo[..k]
    }

    /// Node `i`'s `(predecessors, successors)` counts (`i` must be a node index).
    pub(crate) fn degrees_of(&self, i: usize) -> (u32, u32) {
        (
            self.pred_start[i + 1] - self.pred_start[i],
            self.succ_start[i + 1] - self.succ_start[i],
        )
    }

    /// Every node's `(predecessors, successors)` counts, in id order.
    pub(crate) fn degrees(&self) -> impl ExactSizeIterator<Item = (u32, u32)> + '_ {
        self.pred_start
            .windows(2)
            .zip(self.succ_start.windows(2))
            .map(|(p, s)| (p[1] - p[0], s[1] - s[0]))
    }

    /// Nodes nothing depends on, in insertion order.
    pub fn sinks(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes().filter(|&n| self.successors(n).is_empty())
    }
}

#[cfg(test)]
mod tests;
