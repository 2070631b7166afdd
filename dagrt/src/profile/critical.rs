//! Longest-path analysis (critical path, earliest/latest start) over a subset of a DAG's nodes.

use super::float::{TIE_EPS, approx_eq};
use super::layout::Layout;

/// Sentinel for "no predecessor".
const NONE: usize = usize::MAX;

/// Result of [`longest_paths`]. Vectors are indexed by node; excluded nodes hold `0`.
#[derive(Debug, Clone, Default)]
pub(super) struct LongestPaths {
    /// Longest path (sum of durations) ending just before the node, over
    /// included predecessors.
    pub earliest: Vec<f64>,
    /// Longest path from the node (its own duration included) to any sink,
    /// over included successors.
    pub tail: Vec<f64>,
    /// The chosen critical path, as node indices from source to sink.
    pub path: Vec<usize>,
    /// Sum of the durations of the nodes on `path`.
    pub duration: f64,
}

/// Computes longest paths over the nodes with `include[v] == true` and the
/// edges between them, in `O(V + E)`.
///
/// Tie-breaking (deterministic): the path ends at the sink with the longest
/// path, and each step goes back to the predecessor with the longest path;
/// lengths equal up to [`TIE_EPS`] (relative) are ties, won by the smallest
/// index (earliest in the layout's topological order). Because indices are
/// unique, a further tie-break by name can never be reached.
///
/// `dur` must be finite and non-negative (see `float::non_negative`).
pub(super) fn longest_paths(g: &Layout<'_>, dur: &[f64], include: &[bool]) -> LongestPaths {
    let n = g.len().min(dur.len()).min(include.len());
    let mut earliest = vec![0.0; n];
    let mut head = vec![0.0; n];
    let mut best_pred = vec![NONE; n];

    for v in 0..n {
        if !include[v] {
            continue;
        }
        let mut m = 0.0_f64;
        for p in g.preds(v) {
            if include[p] && head[p] > m {
                m = head[p];
            }
        }
        // The smallest index among the predecessors within tolerance of the maximum.
        let floor = m - TIE_EPS * m.max(1.0);
        let mut best = NONE;
        for p in g.preds(v) {
            if include[p] && head[p] >= floor && p < best {
                best = p;
            }
        }
        best_pred[v] = best;
        earliest[v] = m;
        head[v] = m + dur[v];
    }

    // Backward pass, pushing each node's tail to its predecessors.
    let mut tail = vec![0.0; n];
    let mut succ_tail = vec![0.0_f64; n];
    let mut has_succ = vec![false; n];
    let mut max_head = 0.0_f64;
    for v in (0..n).rev() {
        if !include[v] {
            continue;
        }
        tail[v] = succ_tail[v] + dur[v];
        if !has_succ[v] {
            max_head = max_head.max(head[v]);
        }
        for p in g.preds(v) {
            if include[p] {
                has_succ[p] = true;
                if tail[v] > succ_tail[p] {
                    succ_tail[p] = tail[v];
                }
            }
        }
    }
    // The topologically earliest sink whose path length ties the maximum.
    let best_end = (0..n)
        .find(|&v| {
            include[v] && !has_succ[v] && (head[v] >= max_head || approx_eq(head[v], max_head))
        })
        .unwrap_or(NONE);

    let mut path = Vec::new();
    let mut v = best_end;
    while v != NONE {
        path.push(v);
        v = best_pred[v];
    }
    path.reverse();
    let duration = path.iter().map(|&v| dur[v]).sum();

    LongestPaths {
        earliest,
        tail,
        path,
        duration,
    }
}
