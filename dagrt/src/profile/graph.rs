//! Compact adjacency (CSR) built from predecessor lists, plus float sanitising helpers.

/// Tolerance under which two path lengths are considered equal (relative to
/// the larger of the two, with an absolute floor of this value).
pub(super) const TIE_EPS: f64 = 1e-9;

/// Replaces non-finite values by `0`.
pub(super) fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// Replaces non-finite and negative values by `0`.
pub(super) fn non_negative(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// `a` and `b` are equal up to [`TIE_EPS`].
pub(super) fn approx_eq(a: f64, b: f64) -> bool {
    (a - b).abs() <= TIE_EPS * a.abs().max(b.abs()).max(1.0)
}

/// Predecessor lists in compressed sparse row form.
///
/// Each node's list is deduplicated and keeps only indices smaller than the
/// node's own index (which also rules out cycles); order within a list is
/// the input order and must not matter to callers.
#[derive(Debug, Clone, Default)]
pub(super) struct Graph {
    pred_off: Vec<usize>,
    pred: Vec<usize>,
}

impl Graph {
    /// Builds the graph from `preds(v)`, the predecessor list of node `v`, in `O(V + E)`.
    pub(super) fn from_preds<'a, F>(n: usize, preds: F) -> Self
    where
        F: Fn(usize) -> &'a [usize],
    {
        let edges: usize = (0..n).map(|v| preds(v).len()).sum();
        let mut pred_off = Vec::with_capacity(n + 1);
        let mut pred = Vec::with_capacity(edges);
        // stamp[p] == v + 1 means p was already recorded as a predecessor of v.
        let mut stamp = vec![0usize; n];
        pred_off.push(0);
        for v in 0..n {
            for &p in preds(v) {
                if p < v && stamp[p] != v + 1 {
                    stamp[p] = v + 1;
                    pred.push(p);
                }
            }
            pred_off.push(pred.len());
        }
        Self { pred_off, pred }
    }

    /// Number of nodes.
    pub(super) fn len(&self) -> usize {
        self.pred_off.len().saturating_sub(1)
    }

    /// Direct predecessors of `v`.
    pub(super) fn preds(&self, v: usize) -> &[usize] {
        &self.pred[self.pred_off[v]..self.pred_off[v + 1]]
    }

    /// Successor lists (ascending) in CSR form: `(offsets, successors)`, where
    /// the successors of `v` are `succ[off[v]..off[v + 1]]`.
    pub(super) fn successors(&self) -> (Vec<usize>, Vec<usize>) {
        let n = self.len();
        let mut off = vec![0usize; n + 1];
        for &p in &self.pred {
            off[p + 1] += 1;
        }
        for v in 0..n {
            off[v + 1] += off[v];
        }
        let mut fill = off.clone();
        let mut succ = vec![0usize; self.pred.len()];
        for v in 0..n {
            for &p in self.preds(v) {
                succ[fill[p]] = v;
                fill[p] += 1;
            }
        }
        (off, succ)
    }
}
