//! Straggler detection: joins whose slowest completed input is much slower than its siblings.

use super::graph::Graph;
use super::report::Straggler;

/// Finds stragglers in `O(V + E)` (median by selection).
///
/// For each node with at least two completed inputs (a join), in index order,
/// the slowest completed input (ties: smallest index) is a straggler when its
/// duration is at least `min_ratio` times the median duration of the join's
/// other completed inputs. A zero median never yields a straggler (the ratio
/// would be infinite). `dur` must be finite and non-negative.
pub(super) fn find(
    g: &Graph,
    names: &[&str],
    dur: &[f64],
    completed: &[bool],
    min_ratio: f64,
) -> Vec<Straggler> {
    let n = g.len().min(names.len()).min(dur.len()).min(completed.len());
    // (join, straggler, ratio), turned into named entries at the end.
    let mut found: Vec<(usize, usize, f64)> = Vec::new();
    let mut others: Vec<f64> = Vec::new();
    for v in 0..n {
        let inputs = g.preds(v);
        let mut slowest = None::<usize>;
        let mut count = 0usize;
        for &p in inputs {
            if completed[p] {
                count += 1;
                if slowest.is_none_or(|s| dur[p] > dur[s] || (dur[p] == dur[s] && p < s)) {
                    slowest = Some(p);
                }
            }
        }
        let Some(slow) = slowest else { continue };
        if count < 2 {
            continue;
        }
        others.clear();
        others.extend(
            inputs
                .iter()
                .filter(|&&p| completed[p] && p != slow)
                .map(|&p| dur[p]),
        );
        let median = median(&mut others);
        if median > 0.0 {
            let ratio = dur[slow] / median;
            if ratio >= min_ratio {
                found.push((v, slow, ratio));
            }
        }
    }
    let mut out = Vec::with_capacity(found.len());
    out.extend(found.into_iter().map(|(join, slow, ratio)| Straggler {
        join: names[join].to_string(),
        straggler: names[slow].to_string(),
        ratio,
    }));
    out
}

/// Median of a non-empty slice (mean of the two middle values for even
/// lengths); `0` for an empty slice. Reorders the slice.
fn median(xs: &mut [f64]) -> f64 {
    let len = xs.len();
    if len == 0 {
        return 0.0;
    }
    let k = len / 2;
    let (lower, mid, _) = xs.select_nth_unstable_by(k, f64::total_cmp);
    let upper = *mid;
    if len % 2 == 1 {
        upper
    } else {
        let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (below + upper) / 2.0
    }
}
