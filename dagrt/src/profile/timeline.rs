//! Timeline: the sweep over start/end events that gives peak parallelism and idle-worker
//! gaps, in `O(V log V)`.

use serde::{Deserialize, Serialize};

/// An interval during which some workers were idle although the run was not finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// Start of the interval, seconds since the run started.
    pub start: f64,
    /// End of the interval, seconds since the run started.
    pub end: f64,
    /// max_workers minus the number of nodes running during the interval.
    pub idle_workers: usize,
}

/// Intervals shorter than this (seconds) are ignored when building gaps.
pub(super) const MIN_GAP: f64 = 1e-9;

/// Peak parallelism and idle gaps of a set of `[start, end)` intervals.
#[derive(Debug, Clone, Default)]
pub(super) struct Timeline {
    /// Most intervals open at once.
    pub peak: usize,
    /// Maximal intervals within `[0, wall_clock]` with fewer than
    /// `max_workers` intervals open.
    pub gaps: Vec<Gap>,
}

/// Sweeps the intervals. Intervals with `end <= start` are ignored (they
/// occupy a worker for no time); an end and a start at the same instant do not
/// overlap. Times must be finite. Gaps shorter than `min_gap` are dropped, and
/// the gaps around them merged when they have the same idle count and lie less
/// than `min_gap` apart.
pub(super) fn sweep<I>(intervals: I, wall_clock: f64, max_workers: usize, min_gap: f64) -> Timeline
where
    I: IntoIterator<Item = (f64, f64)>,
{
    let mut starts: Vec<u64> = Vec::new();
    let mut ends: Vec<u64> = Vec::new();
    for (s, e) in intervals {
        if e > s {
            starts.push(sort_key(s));
            ends.push(sort_key(e));
        }
    }
    starts.sort_unstable();
    ends.sort_unstable();

    let track_gaps = wall_clock > 0.0 && max_workers > 0;
    let mut gaps = GapBuilder {
        wall_clock,
        max_workers,
        gaps: Vec::new(),
    };
    let (mut running, mut peak) = (0usize, 0usize);
    let mut last_t = 0.0_f64;
    let (mut i, mut j) = (0, 0);
    // Merge the two sorted lists; at equal times ends are applied before starts.
    while i < starts.len() || j < ends.len() {
        let key = match (starts.get(i), ends.get(j)) {
            (Some(&s), Some(&e)) => s.min(e),
            (Some(&s), None) => s,
            (None, Some(&e)) => e,
            (None, None) => break,
        };
        let t = from_key(key);
        if track_gaps {
            gaps.segment(last_t, t, running);
        }
        while ends.get(j) == Some(&key) {
            running = running.saturating_sub(1);
            j += 1;
        }
        while starts.get(i) == Some(&key) {
            running += 1;
            i += 1;
        }
        peak = peak.max(running);
        last_t = t;
    }
    if track_gaps {
        gaps.segment(last_t, wall_clock, running);
    }
    Timeline {
        peak,
        gaps: drop_short(gaps.gaps, min_gap),
    }
}

/// Drops the gaps shorter than `min_gap`, then merges neighbours with the same idle count
/// less than `min_gap` apart.
fn drop_short(gaps: Vec<Gap>, min_gap: f64) -> Vec<Gap> {
    let mut out: Vec<Gap> = Vec::with_capacity(gaps.len());
    for g in gaps.into_iter().filter(|g| g.end - g.start >= min_gap) {
        if let Some(last) = out.last_mut()
            && last.idle_workers == g.idle_workers
            && g.start - last.end < min_gap.max(MIN_GAP)
        {
            last.end = last.end.max(g.end);
            continue;
        }
        out.push(g);
    }
    out
}

/// Maps a finite `f64` to a `u64` with the same order (`-0.0` is read as `0.0`).
fn sort_key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Inverse of [`sort_key`].
fn from_key(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

/// Accumulates idle segments, clipping to `[0, wall_clock]` and merging
/// adjacent segments with the same idle count.
struct GapBuilder {
    wall_clock: f64,
    max_workers: usize,
    gaps: Vec<Gap>,
}

impl GapBuilder {
    fn segment(&mut self, from: f64, to: f64, running: usize) {
        let start = from.max(0.0);
        let end = to.min(self.wall_clock);
        if running >= self.max_workers || end - start < MIN_GAP {
            return;
        }
        let idle_workers = self.max_workers - running;
        if let Some(last) = self.gaps.last_mut()
            && last.idle_workers == idle_workers
            && start - last.end <= MIN_GAP
        {
            last.end = last.end.max(end);
            return;
        }
        self.gaps.push(Gap {
            start,
            end,
            idle_workers,
        });
    }
}
