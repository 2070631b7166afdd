//! GraphDrawing: a layered layout of the DAG (column = topological level, row order by barycenter), cut to a node budget.

use crate::graph::{Graph, NodeId};
use serde::Serialize;

/// At most this many edges per drawn node are drawn (a dense graph would otherwise draw
/// `n²` lines); the page says how many it left out.
const EDGES_PER_NODE: usize = 4;

/// Where the page draws each shown node, and which edges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct GraphDrawing {
    /// Nodes of the graph.
    pub nodes_total: usize,
    /// Topological levels of the graph.
    pub levels_total: usize,
    /// Levels drawn, all of them whole except when only part of the first fits.
    pub levels_shown: usize,
    /// Edges of the graph.
    pub edges_total: usize,
    /// The drawn nodes: `[task, level, row]` (`task` indexes the report's tasks).
    pub nodes: Vec<[usize; 3]>,
    /// The drawn edges: `[from task, to task]`.
    pub edges: Vec<[usize; 2]>,
    /// Rows of the tallest drawn level.
    pub rows: usize,
    /// The node budget the drawing was cut to.
    pub max_nodes: usize,
}

impl GraphDrawing {
    /// The layout of `graph` with at most `max_nodes` nodes: whole levels from level 0 while
    /// they fit, or the first `max_nodes` nodes (in topological order) of level 0 when it alone
    /// does not. Within a level, nodes are ordered by the mean row of their drawn predecessors
    /// (ties: topological order), which keeps most edges short. `O(V log V + E)`.
    pub(super) fn of(graph: &Graph, max_nodes: usize) -> Self {
        let levels_total = graph.level_count();
        let mut per_level = vec![0usize; levels_total];
        for id in graph.nodes() {
            per_level[graph.level(id)] += 1;
        }
        let mut levels_shown = 0;
        let mut count = 0;
        for &n in &per_level {
            if count + n > max_nodes {
                break;
            }
            count += n;
            levels_shown += 1;
        }
        let partial_first = levels_shown == 0 && levels_total > 0 && max_nodes > 0;
        if partial_first {
            levels_shown = 1;
        }

        // The shown nodes of each level, in topological order.
        let mut columns: Vec<Vec<NodeId>> = vec![Vec::new(); levels_shown];
        for &id in graph.topological_order() {
            let level = graph.level(id);
            if level < levels_shown && !(partial_first && columns[0].len() >= max_nodes) {
                columns[level].push(id);
            }
        }

        let mut row = vec![usize::MAX; graph.len()];
        let mut nodes = Vec::with_capacity(count);
        for (level, column) in columns.iter_mut().enumerate() {
            if level > 0 {
                // Barycenter of the drawn predecessors (all in earlier levels, so placed).
                let key = |v: NodeId| {
                    let rows: Vec<usize> = graph
                        .predecessors(v)
                        .iter()
                        .map(|p| row[p.index()])
                        .filter(|&r| r != usize::MAX)
                        .collect();
                    if rows.is_empty() {
                        f64::INFINITY
                    } else {
                        rows.iter().sum::<usize>() as f64 / rows.len() as f64
                    }
                };
                let mut keyed: Vec<(f64, usize, NodeId)> = column
                    .iter()
                    .enumerate()
                    .map(|(topo, &v)| (key(v), topo, v))
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                *column = keyed.into_iter().map(|(_, _, v)| v).collect();
            }
            for (r, &v) in column.iter().enumerate() {
                row[v.index()] = r;
                nodes.push([v.index(), level, r]);
            }
        }

        let mut edges = Vec::new();
        let budget = EDGES_PER_NODE.saturating_mul(nodes.len());
        'all: for column in &columns {
            for &v in column {
                for p in graph.predecessors(v) {
                    if row[p.index()] != usize::MAX {
                        if edges.len() >= budget {
                            break 'all;
                        }
                        edges.push([p.index(), v.index()]);
                    }
                }
            }
        }

        GraphDrawing {
            nodes_total: graph.len(),
            levels_total,
            levels_shown,
            edges_total: graph.edge_count(),
            rows: columns.iter().map(Vec::len).max().unwrap_or(0),
            nodes,
            edges,
            max_nodes,
        }
    }
}
