//! GraphBuilder: graphs assembled at run time, validated in O(V+E) by `build()`.

use super::names::{NameIndex, Names};
use super::{Graph, NodeId};

/// From this many nodes on, `build()` computes the names' index and the topology of a graph
/// whose edges are all given by id on two threads.
const PAR_BUILD: usize = 1 << 15;
use std::fmt;

/// Why a graph could not be built. Every variant names the nodes at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// Two nodes have the same name.
    DuplicateNode {
        /// The repeated name.
        name: String,
    },
    /// An edge names a node that was never added.
    UnknownNode {
        /// The missing name.
        name: String,
        /// The edge that names it, as `(from, to)`.
        edge: (String, String),
    },
    /// An edge from a node to itself.
    SelfLoop {
        /// The node.
        name: String,
    },
    /// The same edge was added twice.
    DuplicateEdge {
        /// The edge, as `(from, to)`.
        edge: (String, String),
    },
    /// The edges form a cycle; `path` starts and ends at the same node.
    Cycle {
        /// The nodes on the cycle, e.g. `["a", "b", "c", "a"]`.
        path: Vec<String>,
    },
    /// More nodes than a graph can index (2^32 - 1).
    TooLarge,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::DuplicateNode { name } => {
                write!(f, "node `{name}` is added twice; node names must be unique")
            }
            GraphError::UnknownNode { name, edge } => write!(
                f,
                "edge `{}` -> `{}` names `{name}`, which is not a node; add it with add_node first",
                edge.0, edge.1
            ),
            GraphError::SelfLoop { name } => write!(f, "node `{name}` depends on itself"),
            GraphError::DuplicateEdge { edge } => {
                write!(f, "edge `{}` -> `{}` is added twice", edge.0, edge.1)
            }
            GraphError::Cycle { path } => write!(f, "dependency cycle: {}", path.join(" -> ")),
            GraphError::TooLarge => write!(f, "a graph holds at most 4294967295 nodes"),
        }
    }
}

impl std::error::Error for GraphError {}

/// Collects nodes and edges by name; [`GraphBuilder::build`] validates them all at once.
///
/// Insertion order does not matter: building is O(V+E) however the nodes were added
/// (dependencies first or last).
///
/// ```
/// use dag::graph::{Graph, GraphError};
///
/// let mut b = Graph::builder();
/// b.add_nodes(["a", "b", "c"]).add_edges([("a", "b"), ("b", "c"), ("c", "a")]);
/// let err = b.build().unwrap_err();
/// assert_eq!(err.to_string(), "dependency cycle: a -> b -> c -> a");
/// ```
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct GraphBuilder {
    names: Names,
    edges: Vec<(String, String)>,
    /// Edges given by node id ([`GraphBuilder::node`] / [`GraphBuilder::edge`]).
    id_edges: Vec<(u32, u32)>,
}

impl GraphBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder with room for `nodes` nodes and `edges` edges given by id
    /// ([`GraphBuilder::node`], [`GraphBuilder::edge`]) before it reallocates.
    pub fn with_capacity(nodes: usize, edges: usize) -> Self {
        GraphBuilder {
            names: Names::with_capacity(nodes),
            edges: Vec::new(),
            id_edges: Vec::with_capacity(edges),
        }
    }

    /// Adds a node (its name is copied once, into the graph's own storage).
    pub fn add_node(&mut self, name: impl AsRef<str>) -> &mut Self {
        self.names.push(name.as_ref());
        self
    }

    /// Adds a node and returns its id, for [`GraphBuilder::edge`]: the fastest way to build
    /// large graphs (no name lookup per edge).
    pub fn node(&mut self, name: impl AsRef<str>) -> NodeId {
        let id = NodeId(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.as_ref());
        id
    }

    /// Adds an edge between nodes returned by [`GraphBuilder::node`]: `to` depends on `from`.
    /// An id this builder did not return is reported by [`GraphBuilder::build`].
    pub fn edge(&mut self, from: NodeId, to: NodeId) -> &mut Self {
        self.id_edges.push((from.0, to.0));
        self
    }

    /// Adds several nodes.
    pub fn add_nodes<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for n in names {
            self.names.push(n.as_ref());
        }
        self
    }

    /// Adds an edge: `to` depends on `from`.
    pub fn add_edge(&mut self, from: impl Into<String>, to: impl Into<String>) -> &mut Self {
        self.edges.push((from.into(), to.into()));
        self
    }

    /// Adds several edges `(from, to)`.
    pub fn add_edges<I, A, B>(&mut self, edges: I) -> &mut Self
    where
        I: IntoIterator<Item = (A, B)>,
        A: Into<String>,
        B: Into<String>,
    {
        self.edges
            .extend(edges.into_iter().map(|(a, b)| (a.into(), b.into())));
        self
    }

    /// The graph's names (a copy of the builder's) and their index; an error for a name given
    /// twice.
    fn named(&self) -> Result<(Names, NameIndex), GraphError> {
        let index = NameIndex::over(&self.names)?;
        Ok((self.names.clone(), index))
    }

    /// [`GraphBuilder::build`], consuming the builder: the graph takes the builder's names
    /// over instead of copying them. The checks and errors are `build()`'s.
    ///
    /// ```
    /// use dag::graph::Graph;
    ///
    /// let mut b = Graph::builder();
    /// let (a, z) = (b.node("a"), b.node("z"));
    /// b.edge(a, z);
    /// let g = b.into_graph()?;
    /// assert_eq!(g.successors(a), [z]);
    /// # Ok::<(), dag::graph::GraphError>(())
    /// ```
    ///
    /// # Errors
    /// As [`GraphBuilder::build`].
    pub fn into_graph(self) -> Result<Graph, GraphError> {
        if !self.edges.is_empty() {
            // Edges by name need the index first: `build()`'s one-thread path.
            return self.build();
        }
        let GraphBuilder {
            names, id_edges, ..
        } = self;
        let index = || NameIndex::over(&names);
        let topology = || {
            check_id_edges(names.len(), &id_edges)?;
            Topology::of(&names, &id_edges)
        };
        let (index, topology) = if names.len() >= PAR_BUILD {
            rayon::join(index, topology)
        } else {
            (index(), topology())
        };
        let index = index?;
        Ok(Graph::assemble(names, index, topology?))
    }

    /// Validates and builds the graph.
    ///
    /// # Errors
    /// [`GraphError`] for a duplicate node, an edge naming an unknown node, a self-loop, a
    /// repeated edge or a cycle (with its path).
    pub fn build(&self) -> Result<Graph, GraphError> {
        if self.edges.is_empty() {
            // Every edge by id: the names and the topology do not depend on each other, so a
            // large graph computes them on two threads (rayon's global pool). The errors keep
            // their order: a name given twice, then an edge to no node, then the topology's.
            let topology = || {
                check_id_edges(self.names.len(), &self.id_edges)?;
                Topology::of(&self.names, &self.id_edges)
            };
            let (named, topology) = if self.names.len() >= PAR_BUILD {
                rayon::join(|| self.named(), topology)
            } else {
                (self.named(), topology())
            };
            let (names, index) = named?;
            return Ok(Graph::assemble(names, index, topology?));
        }
        let (names, index) = self.named()?;
        check_id_edges(self.names.len(), &self.id_edges)?;
        let mut edges = Vec::with_capacity(self.edges.len() + self.id_edges.len());
        edges.extend_from_slice(&self.id_edges);
        for (from, to) in &self.edges {
            let look = |name: &String| {
                index
                    .get(&names, name.as_str())
                    .map(|id| id.0)
                    .ok_or_else(|| GraphError::UnknownNode {
                        name: name.clone(),
                        edge: (from.clone(), to.clone()),
                    })
            };
            edges.push((look(from)?, look(to)?));
        }
        Graph::from_parts_indexed(names, &edges, index)
    }
}

impl Graph {
    /// Builds a graph from names and `(from, to)` index pairs, checking self-loops, repeated
    /// edges and cycles. Names must already be unique.
    pub(crate) fn from_parts(names: Names, edges: &[(u32, u32)]) -> Result<Graph, GraphError> {
        if u32::try_from(names.len()).is_err() {
            return Err(GraphError::TooLarge);
        }
        let index = NameIndex::over(&names)?;
        Self::from_parts_indexed(names, edges, index)
    }

    /// [`Graph::from_parts`] with the name index already built.
    fn from_parts_indexed(
        names: Names,
        edges: &[(u32, u32)],
        index: NameIndex,
    ) -> Result<Graph, GraphError> {
        let t = Topology::of(&names, edges)?;
        Ok(Graph::assemble(names, index, t))
    }

    /// A graph from its names, their index and its validated topology.
    fn assemble(names: Names, index: NameIndex, t: Topology) -> Graph {
        Graph {
            names,
            index,
            pred_start: t.pred_start,
            preds: t.preds,
            succ_start: t.succ_start,
            succs: t.succs,
            topo: t.topo,
            level: t.level,
            levels: t.levels,
        }
    }
}

/// An error for the first of `id_edges` whose end is not one of the `n` nodes.
fn check_id_edges(n: usize, id_edges: &[(u32, u32)]) -> Result<(), GraphError> {
    match id_edges
        .iter()
        .find(|&&(from, to)| from as usize >= n || to as usize >= n)
    {
        Some(&(from, to)) => {
            let bad = if from as usize >= n { from } else { to };
            Err(GraphError::UnknownNode {
                name: format!("#{bad}"),
                edge: (format!("#{from}"), format!("#{to}")),
            })
        }
        None => Ok(()),
    }
}

/// A graph's edges in both directions (CSR), its topological order and levels: everything
/// but the names, computed from edges between node indexes.
struct Topology {
    pred_start: Vec<u32>,
    preds: Vec<NodeId>,
    succ_start: Vec<u32>,
    succs: Vec<NodeId>,
    topo: Vec<NodeId>,
    level: Vec<u32>,
    levels: usize,
}

impl Topology {
    /// Checks self-loops, repeated edges and cycles of `edges` over the nodes `names` (read
    /// for error messages only).
    fn of(names: &Names, edges: &[(u32, u32)]) -> Result<Topology, GraphError> {
        let n = names.len();
        if u32::try_from(n).is_err() {
            return Err(GraphError::TooLarge);
        }
        let name_of = |i: u32| names[i as usize].to_string();
        let mut indeg = vec![0u32; n];
        let mut outdeg = vec![0u32; n];
        for &(a, b) in edges {
            if a == b {
                return Err(GraphError::SelfLoop { name: name_of(a) });
            }
            outdeg[a as usize] += 1;
            indeg[b as usize] += 1;
        }
        let pred_start = prefix_sums(&indeg);
        let succ_start = prefix_sums(&outdeg);
        let mut preds = vec![NodeId(0); edges.len()];
        let mut succs = vec![NodeId(0); edges.len()];
        // The degrees count again as each row fills (no copy of the row starts): `indeg` is
        // whole again afterwards, for Kahn's algorithm below.
        indeg.fill(0);
        outdeg.fill(0);
        for &(a, b) in edges {
            let (a, b) = (a as usize, b as usize);
            preds[(pred_start[b] + indeg[b]) as usize] = NodeId(a as u32);
            indeg[b] += 1;
            succs[(succ_start[a] + outdeg[a]) as usize] = NodeId(b as u32);
            outdeg[a] += 1;
        }
        // Repeated edges: a node's successor list holding the same target twice. Checked with a
        // stamp array (`outdeg`'s memory), O(V+E).
        let mut stamp = outdeg;
        stamp.fill(u32::MAX);
        for a in 0..n {
            for s in &succs[succ_start[a] as usize..succ_start[a + 1] as usize] {
                if stamp[s.index()] == a as u32 {
                    return Err(GraphError::DuplicateEdge {
                        edge: (names[a].to_string(), name_of(s.0)),
                    });
                }
                stamp[s.index()] = a as u32;
            }
        }
        // Kahn's algorithm; ready nodes in insertion order (a FIFO seeded in id order).
        let mut remaining = indeg;
        let mut topo: Vec<NodeId> = Vec::with_capacity(n);
        let mut level = vec![0u32; n];
        topo.extend(
            (0..n as u32)
                .filter(|&i| remaining[i as usize] == 0)
                .map(NodeId),
        );
        let mut head = 0;
        while head < topo.len() {
            let u = topo[head];
            head += 1;
            let lu = level[u.index()];
            for &s in &succs[succ_start[u.index()] as usize..succ_start[u.index() + 1] as usize] {
                let si = s.index();
                level[si] = level[si].max(lu + 1);
                remaining[si] -= 1;
                if remaining[si] == 0 {
                    topo.push(s);
                }
            }
        }
        if topo.len() < n {
            return Err(GraphError::Cycle {
                path: cycle_path(&remaining, &preds, &pred_start, names),
            });
        }
        let levels = level.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
        Ok(Topology {
            pred_start,
            preds,
            succ_start,
            succs,
            topo,
            level,
            levels,
        })
    }
}

fn prefix_sums(counts: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(counts.len() + 1);
    let mut acc = 0u32;
    out.push(0);
    for &c in counts {
        acc += c;
        out.push(acc);
    }
    out
}

/// Finds one cycle among the nodes Kahn's algorithm could not order. Every such node has a
/// predecessor that is also unordered, so walking predecessors must revisit a node.
fn cycle_path(
    remaining: &[u32],
    preds: &[NodeId],
    pred_start: &[u32],
    names: &Names,
) -> Vec<String> {
    let Some(start) = remaining.iter().position(|&r| r > 0) else {
        return Vec::new();
    };
    let mut seen_at = vec![usize::MAX; remaining.len()];
    let mut walk: Vec<usize> = Vec::new();
    let mut cur = start;
    while seen_at[cur] == usize::MAX {
        seen_at[cur] = walk.len();
        walk.push(cur);
        let ps = &preds[pred_start[cur] as usize..pred_start[cur + 1] as usize];
        match ps.iter().find(|p| remaining[p.index()] > 0) {
            Some(p) => cur = p.index(),
            None => break,
        }
    }
    // walk[seen_at[cur]..] is the cycle traversed against the edges; reverse it.
    let mut cycle: Vec<usize> = walk[seen_at[cur].min(walk.len())..].to_vec();
    cycle.reverse();
    // Start the path at the cycle's smallest id so the message is stable.
    if let Some(min_pos) = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, v)| **v)
        .map(|(i, _)| i)
    {
        cycle.rotate_left(min_pos);
    }
    let mut path: Vec<String> = cycle.iter().map(|&i| names[i].to_string()).collect();
    if let Some(first) = path.first().cloned() {
        path.push(first);
    }
    path
}
