//! Idle gaps per worker: the stretches of `[0, wall_clock]` in which one Gantt lane ran nothing.

use serde::Serialize;

/// The idle time of one lane (a pool worker, or the lane of tasks that ran on none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct WorkerIdle {
    pub lane: usize,
    /// Time with at least one task or element running on the lane (overlaps counted once).
    pub busy: f64,
    /// The idle intervals `[start, end]`, in time order, each at least `min_gap` long.
    pub gaps: Vec<[f64; 2]>,
}

/// The idle gaps of `lanes` lanes, given every `(lane, start, end)` run on them (any order;
/// lanes out of range, non-finite times and `end < start` are ignored), within
/// `[0, wall_clock]`. Gaps shorter than `min_gap` are dropped. `O(n log n)`.
pub(super) fn per_lane(
    intervals: impl Iterator<Item = (usize, f64, f64)>,
    lanes: usize,
    wall_clock: f64,
    min_gap: f64,
) -> Vec<WorkerIdle> {
    let mut by_lane: Vec<Vec<(f64, f64)>> = vec![Vec::new(); lanes];
    for (lane, start, end) in intervals {
        if let Some(runs) = by_lane.get_mut(lane)
            && start.is_finite()
            && end.is_finite()
            && end >= start
        {
            runs.push((start, end));
        }
    }
    by_lane
        .into_iter()
        .enumerate()
        .map(|(lane, mut runs)| {
            runs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut gaps = Vec::new();
            let mut busy = 0.0;
            // The end of the merged busy stretch so far.
            let mut cursor = 0.0f64;
            let mut open: Option<(f64, f64)> = None;
            for (start, end) in runs {
                match open {
                    Some((s, e)) if start <= e => open = Some((s, e.max(end))),
                    _ => {
                        if let Some((s, e)) = open {
                            busy += e - s;
                        }
                        push_gap(&mut gaps, cursor, start.min(wall_clock), min_gap);
                        open = Some((start, end));
                    }
                }
                if let Some((_, e)) = open {
                    cursor = cursor.max(e);
                }
            }
            if let Some((s, e)) = open {
                busy += e - s;
            }
            push_gap(&mut gaps, cursor, wall_clock, min_gap);
            WorkerIdle { lane, busy, gaps }
        })
        .collect()
}

fn push_gap(gaps: &mut Vec<[f64; 2]>, start: f64, end: f64, min_gap: f64) {
    if end - start >= min_gap && end > start {
        gaps.push([start, end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_the_complement_of_the_merged_runs() {
        let runs = [
            (0, 0.5, 1.0),
            (0, 0.6, 0.8), // inside the first: no gap, busy counted once
            (0, 2.0, 3.0),
            (1, 0.0, 4.0),
            (2, 1.0, 1.0005), // gaps around it: 1.0 and 2.9995 s
            (7, 0.0, 1.0),    // no such lane
            (0, f64::NAN, 1.0),
        ];
        let idle = per_lane(runs.into_iter(), 3, 4.0, 1e-3);
        assert_eq!(idle.len(), 3);
        assert_eq!(idle[0].gaps, [[0.0, 0.5], [1.0, 2.0], [3.0, 4.0]]);
        assert!((idle[0].busy - 1.5).abs() < 1e-12);
        assert_eq!(idle[1].gaps, Vec::<[f64; 2]>::new());
        assert_eq!(idle[1].busy, 4.0);
        assert_eq!(idle[2].gaps, [[0.0, 1.0], [1.0005, 4.0]]);
    }

    #[test]
    fn short_gaps_are_dropped_and_an_empty_lane_is_one_gap() {
        let runs = [(0, 0.0, 1.0), (0, 1.0005, 2.0)];
        let idle = per_lane(runs.into_iter(), 2, 2.0, 1e-3);
        assert_eq!(idle[0].gaps, Vec::<[f64; 2]>::new());
        assert_eq!(idle[1].gaps, [[0.0, 2.0]]);
        assert_eq!(idle[1].busy, 0.0);
    }
}
