//! Straggler: a join input much slower than the join's fastest, and how to find them.

use serde::{Deserialize, Serialize};

use super::layout::Layout;

/// A join input that finished much later than its siblings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Straggler {
    /// Name of the join (the node waiting on its inputs).
    pub join: String,
    /// Name of the join's slowest Completed input.
    pub straggler: String,
    /// Name of the join's fastest Completed input, the one it is compared with.
    #[serde(default)]
    pub fastest: String,
    /// ratio = slowest input's duration / fastest input's duration.
    pub ratio: f64,
}

/// Finds stragglers in `O(V + E)`.
///
/// For each node with at least two completed inputs (a join), in position order,
/// the slowest completed input (ties: smallest position) is a straggler when its
/// duration is at least `min_ratio` times the duration of the join's fastest
/// completed input (ties: smallest position): the join could have started that
/// much sooner had the slowest input been as quick. A zero fastest duration
/// never yields a straggler (the ratio would be infinite). `dur` must be
/// finite and non-negative.
pub(super) fn find(
    g: &Layout<'_>,
    dur: &[f64],
    completed: &[bool],
    min_ratio: f64,
) -> Vec<Straggler> {
    let n = g.len().min(dur.len()).min(completed.len());
    let mut out = Vec::new();
    for v in 0..n {
        let mut slowest = None::<usize>;
        let mut fastest = None::<usize>;
        let mut count = 0usize;
        for p in g.preds(v) {
            if !completed[p] {
                continue;
            }
            count += 1;
            if slowest.is_none_or(|s| dur[p] > dur[s] || (dur[p] == dur[s] && p < s)) {
                slowest = Some(p);
            }
            if fastest.is_none_or(|f| dur[p] < dur[f] || (dur[p] == dur[f] && p < f)) {
                fastest = Some(p);
            }
        }
        let (Some(slow), Some(fast)) = (slowest, fastest) else {
            continue;
        };
        if count < 2 || slow == fast || dur[fast] <= 0.0 {
            continue;
        }
        let ratio = dur[slow] / dur[fast];
        if ratio >= min_ratio {
            out.push(Straggler {
                join: g.name(v).to_string(),
                straggler: g.name(slow).to_string(),
                fastest: g.name(fast).to_string(),
                ratio,
            });
        }
    }
    out
}
