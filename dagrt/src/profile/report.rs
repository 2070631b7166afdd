//! ProfileReport: the report's data types and the analysis that builds it from a layout.

use serde::{Deserialize, Serialize};

use super::efficiency::{occupied_worker, parallelism_efficiency};
use super::float::{finite, non_negative};
use super::layout::Layout;
use super::straggler::{self, Straggler};
use super::timeline::{self, Gap};
use super::{ProfileInput, ProfileOptions, critical, status_name};
use crate::NodeStatus;

/// Slack below this (float noise) is reported as `0`.
const SLACK_NOISE: f64 = 1e-9;

/// Result of profiling one execution. Build it with [`ProfileReport::from_input`].
///
/// All times are in seconds. Non-finite input times are read as `0`, and a
/// node's duration is `max(end - start, 0)`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProfileReport {
    /// Names of the nodes on the critical path, source first. The critical path
    /// is the longest path through the executed DAG by measured durations,
    /// considering only Completed nodes (and the edges between them); ties are
    /// broken deterministically: among equal-length predecessors (and among
    /// equal-length sinks) the one earlier in topological (input) order wins,
    /// then by name (never reached, indices being unique). Lengths equal up to
    /// a relative 1e-9 are ties. Zero-duration nodes stay in the analysis. The
    /// path always runs from a source to a sink of the completed subgraph.
    /// Empty when no node completed.
    pub critical_path: Vec<String>,
    /// Sum of the durations of the nodes on `critical_path`.
    pub critical_path_duration: f64,
    /// Completed nodes whose duration ≥ `bottleneck_threshold` × `wall_clock`,
    /// sorted longest first, ties by name (then input order). Empty when
    /// `wall_clock` is 0.
    pub bottlenecks: Vec<Bottleneck>,
    /// sequential_sum / (wall_clock × max_workers), clamped to [0, 1]; 0 if
    /// wall_clock is 0 (or max_workers is 0).
    pub parallelism_efficiency: f64,
    /// Sum of the durations of the Completed and Failed nodes (a failed node
    /// occupied a worker too). Skipped and Cancelled nodes count as not run.
    pub sequential_sum: f64,
    /// Total duration of the run in seconds, as given in the input (0 if not
    /// finite or negative).
    pub wall_clock: f64,
    /// sequential_sum / wall_clock (0 if wall_clock is 0).
    pub speedup: f64,
    /// Number of workers available to the run, as given in the input.
    pub max_workers: usize,
    /// Most Completed or Failed nodes observed running at once, from their
    /// `[start, end)` intervals: an end at t and a start at t do not overlap,
    /// and zero-length intervals never count as running.
    pub peak_parallelism: usize,
    /// One entry per input node, in input order.
    pub nodes: Vec<NodeProfile>,
    /// Names of the Failed nodes, in input order.
    pub failed: Vec<String>,
    /// Intervals within [0, wall_clock] where fewer than max_workers Completed
    /// or Failed nodes were running, in time order. Intervals shorter than
    /// `min_gap` (1 ms by default: scheduling noise, e.g. the microseconds
    /// between one task's end and the next one's start, which the summary
    /// would print as `0.601s-0.601s`) are dropped, and the intervals around
    /// them merge when they have the same idle count and lie less than
    /// `min_gap` apart. Empty when max_workers or wall_clock is 0.
    pub gaps: Vec<Gap>,
    /// For each node with ≥ 2 Completed inputs (a join, whatever its own
    /// status), in input order: its slowest Completed input (ties: earliest in
    /// input order) when that input's duration is ≥ `straggler_ratio` × the
    /// duration of the join's fastest Completed input (ties: earliest), i.e.
    /// when the join waited on one input at least that many times longer than
    /// on its quickest. When `train` waits on `feature_a` (1.0 s) and its
    /// fastest input `feature_c` took 0.3 s, `feature_a` is a straggler at
    /// the default ratio 2 (3.3×). A fastest duration of 0 never yields
    /// a straggler (the ratio would be infinite).
    /// For an `#[each]` task, its slowest element (`words[3]`) against its fastest, the task
    /// as the join (profiles of an [`Execution`](crate::Execution) only).
    pub stragglers: Vec<Straggler>,
    /// Time spent waiting for each resource pool (`Dag::resource`), by pool in first-use
    /// order: from each task's `resource_acquired` event (its wait from the moment its inputs
    /// were all there). Empty when no task used a pool.
    #[serde(default)]
    pub resource_waits: Vec<PoolWait>,
}

/// How long tasks waited for one resource pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolWait {
    /// The pool's name.
    pub pool: String,
    /// Tasks that took from the pool.
    pub tasks: usize,
    /// Their waits, summed (seconds).
    pub total_seconds: f64,
    /// The longest wait (seconds).
    pub max_seconds: f64,
}

/// Sums `(pool, seconds waited)` pairs per pool, pools in first-seen order.
pub(crate) fn pool_waits<'a>(waits: impl Iterator<Item = (&'a str, f64)>) -> Vec<PoolWait> {
    let mut out: Vec<PoolWait> = Vec::new();
    for (pool, waited) in waits {
        let waited = non_negative(waited);
        match out.iter_mut().find(|p| p.pool == pool) {
            Some(p) => {
                p.tasks += 1;
                p.total_seconds += waited;
                p.max_seconds = p.max_seconds.max(waited);
            }
            None => out.push(PoolWait {
                pool: pool.to_string(),
                tasks: 1,
                total_seconds: waited,
                max_seconds: waited,
            }),
        }
    }
    out
}

/// A completed node that took a large share of the wall clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    /// The node's name.
    pub node: String,
    /// The node's duration (end − start).
    pub duration_seconds: f64,
    /// percentage = duration / wall_clock × 100.
    pub percentage: f64,
    /// Whether the node is on the reported critical path.
    pub on_critical_path: bool,
}

/// Per-node timing and schedule analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeProfile {
    /// The node's name.
    pub name: String,
    /// max(end − start, 0).
    pub duration: f64,
    /// Start time, seconds since the run started.
    pub start: f64,
    /// End time, seconds since the run started.
    pub end: f64,
    /// Completed nodes only (None otherwise): the longest path of durations
    /// ending just before the node, over its Completed predecessors.
    pub earliest_start: Option<f64>,
    /// Completed nodes only (None otherwise): critical_path_duration − (the
    /// longest path of durations from the node to any sink, the node itself
    /// included, over Completed successors).
    pub latest_start: Option<f64>,
    /// Completed nodes only (None otherwise): latest_start − earliest_start,
    /// clamped to ≥ 0 (float noise below 1e-9 is reported as 0).
    pub slack: Option<f64>,
    /// start − max(end of its inputs), or start − 0 for a source, clamped to
    /// ≥ 0; inputs of any status count. 0 for nodes that did not run (Skipped,
    /// Cancelled).
    pub queue_wait: f64,
    /// The worker that ran the node, if any.
    pub worker: Option<usize>,
    /// Whether the node is on the reported critical path.
    pub on_critical_path: bool,
    /// How the node ended (in JSON: `"Completed"`, `"Failed"`, ...).
    #[serde(with = "status_name")]
    pub status: NodeStatus,
}

impl ProfileReport {
    /// Profiles an execution with the default [`ProfileOptions`].
    ///
    /// Runs in `O(V log V + E)`. Never panics: an input with no Completed node
    /// gives an empty critical path, a zero critical-path duration and no
    /// bottlenecks or stragglers (Failed nodes are still listed in `failed` and
    /// their time still counts in `sequential_sum`).
    #[must_use]
    pub fn from_input(input: &ProfileInput) -> ProfileReport {
        Self::from_input_with(input, &ProfileOptions::default())
    }

    /// Profiles an execution with explicit options; see [`ProfileReport::from_input`].
    #[must_use]
    pub fn from_input_with(input: &ProfileInput, options: &ProfileOptions) -> ProfileReport {
        let nodes = &input.nodes;
        let names = nodes.iter().map(|t| t.name.as_str());
        let Some(layout) = Layout::from_lists(names, |v| nodes[v].preds.as_slice()) else {
            // Only a graph of 2^32 nodes or more cannot be laid out.
            return ProfileReport::default();
        };
        let run = |v: usize| {
            let t = &nodes[v];
            Run {
                status: t.status,
                start: t.start,
                end: t.end,
                worker: t.worker,
            }
        };
        analyse(&layout, run, input.wall_clock, input.max_workers, options)
    }

    /// The profile of the node called `name` (the first one, should names repeat).
    #[must_use]
    pub fn node(&self, name: &str) -> Option<&NodeProfile> {
        self.nodes.iter().find(|n| n.name == name)
    }
}

/// What the analysis reads of one node.
#[derive(Clone, Copy)]
pub(super) struct Run {
    pub status: NodeStatus,
    /// Seconds since the run started (any float: sanitised here).
    pub start: f64,
    pub end: f64,
    pub worker: Option<usize>,
}

/// Profiles the nodes of `layout`, reading node `v`'s run from `run(v)`; see
/// [`ProfileReport`] for the definitions. `O(V log V + E)`.
pub(super) fn analyse(
    layout: &Layout<'_>,
    run: impl Fn(usize) -> Run,
    wall_clock: f64,
    max_workers: usize,
    options: &ProfileOptions,
) -> ProfileReport {
    let n = layout.len();
    let wall_clock = non_negative(wall_clock);

    // One pass over the input for the per-node scalars.
    let mut start = Vec::with_capacity(n);
    let mut end = Vec::with_capacity(n);
    let mut dur = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut worker = Vec::with_capacity(n);
    let mut sequential_sum = 0.0;
    for v in 0..n {
        let r = run(v);
        let (s, e) = (finite(r.start), finite(r.end));
        let d = non_negative(e - s);
        start.push(s);
        end.push(e);
        dur.push(d);
        status.push(r.status);
        worker.push(r.worker);
        if occupied_worker(r.status) {
            sequential_sum += d;
        }
    }
    let completed: Vec<bool> = status.iter().map(|&s| s == NodeStatus::Completed).collect();
    let ran: Vec<bool> = status.iter().map(|&s| occupied_worker(s)).collect();

    let lp = critical::longest_paths(layout, &dur, &completed);
    let mut on_path = vec![false; n];
    for &v in &lp.path {
        on_path[v] = true;
    }
    let cpd = lp.duration;

    let speedup = if wall_clock > 0.0 {
        sequential_sum / wall_clock
    } else {
        0.0
    };

    let tl = timeline::sweep(
        (0..n).filter(|&v| ran[v]).map(|v| (start[v], end[v])),
        wall_clock,
        max_workers,
        non_negative(options.min_gap),
    );

    let mut bottleneck_ids: Vec<usize> = if wall_clock > 0.0 {
        let limit = options.bottleneck_threshold * wall_clock;
        (0..n)
            .filter(|&v| completed[v] && dur[v] >= limit)
            .collect()
    } else {
        Vec::new()
    };
    bottleneck_ids.sort_by(|&a, &b| {
        dur[b]
            .total_cmp(&dur[a])
            .then_with(|| layout.name(a).cmp(layout.name(b)))
            .then(a.cmp(&b))
    });
    let bottlenecks = bottleneck_ids
        .into_iter()
        .map(|v| Bottleneck {
            node: layout.name(v).to_string(),
            duration_seconds: dur[v],
            percentage: dur[v] / wall_clock * 100.0,
            on_critical_path: on_path[v],
        })
        .collect();

    let profiles = (0..n)
        .map(|v| {
            let (earliest_start, latest_start, slack) = if completed[v] {
                let es = lp.earliest[v];
                let ls = cpd - lp.tail[v];
                let slack = ls - es;
                let slack = if slack > SLACK_NOISE { slack } else { 0.0 };
                (Some(es), Some(ls), Some(slack))
            } else {
                (None, None, None)
            };
            let queue_wait = if ran[v] {
                let ready = layout.preds(v).map(|p| end[p]).fold(0.0, f64::max);
                non_negative(start[v] - ready)
            } else {
                0.0
            };
            NodeProfile {
                name: layout.name(v).to_string(),
                duration: dur[v],
                start: start[v],
                end: end[v],
                earliest_start,
                latest_start,
                slack,
                queue_wait,
                worker: worker[v],
                on_critical_path: on_path[v],
                status: status[v],
            }
        })
        .collect();

    ProfileReport {
        critical_path: lp
            .path
            .iter()
            .map(|&v| layout.name(v).to_string())
            .collect(),
        critical_path_duration: cpd,
        bottlenecks,
        parallelism_efficiency: parallelism_efficiency(sequential_sum, wall_clock, max_workers),
        sequential_sum,
        wall_clock,
        speedup,
        max_workers,
        peak_parallelism: tl.peak,
        nodes: profiles,
        failed: (0..n)
            .filter(|&v| matches!(status[v], NodeStatus::Failed | NodeStatus::TimedOut))
            .map(|v| layout.name(v).to_string())
            .collect(),
        gaps: tl.gaps,
        stragglers: straggler::find(layout, &dur, &completed, options.straggler_ratio),
        resource_waits: Vec::new(),
    }
}
