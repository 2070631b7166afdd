//! Pre-run makespan estimation by simulating list scheduling on known or historical durations.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::critical;
use super::float::non_negative;
use super::layout::Layout;

/// A graph with one expected duration per node, for [`estimate`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EstimateInput {
    /// Node names; the index is the node id. The order must be a topological
    /// order (every predecessor index is smaller than the node's index).
    pub names: Vec<String>,
    /// Direct dependencies of each node, as indices into `names`. Indices not
    /// smaller than the node's own are ignored; a missing entry means none.
    pub preds: Vec<Vec<usize>>,
    /// Expected duration of each node in seconds. Missing, negative or
    /// non-finite entries are read as `0`.
    pub durations: Vec<f64>,
}

/// One task of the simulated schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledTask {
    /// The node's name.
    pub name: String,
    /// Predicted start, seconds after the run starts.
    pub start: f64,
    /// Predicted end, seconds after the run starts.
    pub end: f64,
    /// The simulated worker (`0..workers`) that runs the node.
    pub worker: usize,
}

/// A predicted execution: critical path and simulated schedule.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Estimate {
    /// Names on the longest path by expected durations (same tie rules as
    /// [`ProfileReport::critical_path`](super::ProfileReport::critical_path),
    /// every node counting as completed).
    pub critical_path: Vec<String>,
    /// Sum of the expected durations on `critical_path`: a lower bound on the makespan.
    pub critical_path_duration: f64,
    /// Predicted wall clock: the latest end in `schedule` (0 for an empty graph).
    pub makespan: f64,
    /// One entry per node, in input (node id) order.
    pub schedule: Vec<ScheduledTask>,
    /// Names with no duration in the history given to
    /// [`estimate_from_history`] (their duration was taken as 0), in input
    /// order, each once. Always empty from [`estimate`].
    pub missing: Vec<String>,
}

/// Predicts the execution of `input` on `workers` workers (0 is treated as 1).
///
/// Simulates dependency-driven list scheduling: whenever a worker is free
/// (lowest worker number first), it takes the ready task with the longest
/// remaining path (its duration plus the longest path to a sink), compared at
/// nanosecond resolution; ties go to the smallest index (earliest in
/// topological order; a further tie by name is never reached since indices are
/// unique). Deterministic, `O((V + E) log V)`.
///
/// ```
/// use dag::profile::{EstimateInput, estimate};
///
/// let input = EstimateInput {
///     names: vec!["a".into(), "b".into(), "c".into()],
///     preds: vec![vec![], vec![], vec![0, 1]],
///     durations: vec![1.0, 2.0, 0.5],
/// };
/// let e = estimate(&input, 2);
/// assert_eq!(e.critical_path, ["b", "c"]);
/// assert!((e.makespan - 2.5).abs() < 1e-12);
/// ```
#[must_use]
pub fn estimate(input: &EstimateInput, workers: usize) -> Estimate {
    let n = input.names.len();
    let dur: Vec<f64> = (0..n)
        .map(|v| non_negative(input.durations.get(v).copied().unwrap_or(0.0)))
        .collect();
    let names = input.names.iter().map(String::as_str);
    let preds = |v: usize| input.preds.get(v).map_or(&[][..], Vec::as_slice);
    let Some(graph) = Layout::from_lists(names, preds) else {
        // Only a graph of 2^32 nodes or more cannot be laid out.
        return Estimate::default();
    };
    let lp = critical::longest_paths(&graph, &dur, &vec![true; n]);

    let (succ_off, succ) = graph.successors();
    let workers = workers.max(1);
    // Priority: remaining path at nanosecond resolution (saturating cast), then smallest index.
    let priority = |v: usize| ((lp.tail[v] * 1e9).round() as i64, Reverse(v));
    let mut indegree: Vec<usize> = (0..n).map(|v| graph.preds(v).len()).collect();
    let mut ready: BinaryHeap<(i64, Reverse<usize>)> =
        (0..n).filter(|&v| indegree[v] == 0).map(priority).collect();
    let mut free: BinaryHeap<Reverse<usize>> = (0..workers.min(n.max(1))).map(Reverse).collect();
    // Times are sums of non-negative finite numbers, so their bit patterns sort like their values.
    let mut running: BinaryHeap<Reverse<(u64, usize)>> = BinaryHeap::new();
    let mut slot = vec![(0.0_f64, 0.0_f64, 0usize); n];
    let mut time = 0.0_f64;
    let mut done: Vec<usize> = Vec::new();

    loop {
        while !ready.is_empty() && !free.is_empty() {
            let (Some((_, Reverse(v))), Some(Reverse(w))) = (ready.pop(), free.pop()) else {
                break;
            };
            let end = time + dur[v];
            slot[v] = (time, end, w);
            running.push(Reverse((end.to_bits(), v)));
        }
        let Some(Reverse((bits, first))) = running.pop() else {
            break;
        };
        time = f64::from_bits(bits);
        done.clear();
        done.push(first);
        while let Some(&Reverse((b, v))) = running.peek() {
            if b != bits {
                break;
            }
            running.pop();
            done.push(v);
        }
        for &v in &done {
            free.push(Reverse(slot[v].2));
            for &s in &succ[succ_off[v]..succ_off[v + 1]] {
                indegree[s] = indegree[s].saturating_sub(1);
                if indegree[s] == 0 {
                    ready.push(priority(s));
                }
            }
        }
    }

    Estimate {
        critical_path: lp.path.iter().map(|&v| input.names[v].clone()).collect(),
        critical_path_duration: lp.duration,
        makespan: time,
        schedule: (0..n)
            .map(|v| ScheduledTask {
                name: input.names[v].clone(),
                start: slot[v].0,
                end: slot[v].1,
                worker: slot[v].2,
            })
            .collect(),
        missing: Vec::new(),
    }
}

impl Estimate {
    /// The simulated run of the node called `name` (the first one, should names repeat).
    #[must_use]
    pub fn node(&self, name: &str) -> Option<&ScheduledTask> {
        self.schedule.iter().find(|t| t.name == name)
    }
}

/// [`estimate`] with durations looked up by name in `history` (e.g. measured
/// in earlier runs). Names absent from `history` get duration 0 and are listed
/// in [`Estimate::missing`].
#[must_use]
pub fn estimate_from_history(
    names: &[String],
    preds: &[Vec<usize>],
    history: &HashMap<String, f64>,
    workers: usize,
) -> Estimate {
    let mut missing = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut durations = Vec::with_capacity(names.len());
    for name in names {
        match history.get(name) {
            Some(&d) => durations.push(d),
            None => {
                if seen.insert(name.as_str()) {
                    missing.push(name.clone());
                }
                durations.push(0.0);
            }
        }
    }
    let input = EstimateInput {
        names: names.to_vec(),
        preds: preds.to_vec(),
        durations,
    };
    let mut result = estimate(&input, workers);
    result.missing = missing;
    result
}
