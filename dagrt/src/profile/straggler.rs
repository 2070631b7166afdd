//! Straggler detection: joins whose slowest completed input is much slower than their fastest.

use super::graph::Graph;
use super::report::Straggler;

/// Finds stragglers in `O(V + E)`.
///
/// For each node with at least two completed inputs (a join), in index order,
/// the slowest completed input (ties: smallest index) is a straggler when its
/// duration is at least `min_ratio` times the duration of the join's fastest
/// completed input (ties: smallest index): the join could have started that
/// much sooner had the slowest input been as quick. A zero fastest duration
/// never yields a straggler (the ratio would be infinite). `dur` must be
/// finite and non-negative.
pub(super) fn find(
    g: &Graph,
    names: &[&str],
    dur: &[f64],
    completed: &[bool],
    min_ratio: f64,
) -> Vec<Straggler> {
    let n = g.len().min(names.len()).min(dur.len()).min(completed.len());
    let mut out = Vec::new();
    for v in 0..n {
        let mut slowest = None::<usize>;
        let mut fastest = None::<usize>;
        let mut count = 0usize;
        for &p in g.preds(v) {
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
                join: names[v].to_string(),
                straggler: names[slow].to_string(),
                fastest: names[fast].to_string(),
                ratio,
            });
        }
    }
    out
}
