//! The profile report: its data types and its construction from a [`ProfileInput`].

use serde::{Deserialize, Serialize};

use super::graph::{Graph, finite, non_negative};
use super::{NodeOutcome, ProfileInput, ProfileOptions, critical, straggler, timeline};

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
    /// or Failed nodes were running, in time order; adjacent intervals with the
    /// same idle count are merged and intervals shorter than 1e-9 s are
    /// ignored. Empty when max_workers or wall_clock is 0.
    pub gaps: Vec<Gap>,
    /// For each node with ≥ 2 Completed inputs (a join, whatever its own
    /// status), in input order: its slowest Completed input (ties: earliest in
    /// input order) when that input's duration is ≥ `straggler_ratio` × the
    /// median duration of the join's other Completed inputs. A median of 0
    /// never yields a straggler (the ratio would be infinite). For an `#[each]` task, its
    /// slowest element (`words[3]`) against the median of its other elements, the task as
    /// the join (profiles of an [`Execution`](crate::Execution) only).
    pub stragglers: Vec<Straggler>,
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
    /// How the node ended.
    pub status: NodeOutcome,
}

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

/// A join input that finished much later than its siblings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Straggler {
    /// Name of the join (the node waiting on its inputs).
    pub join: String,
    /// Name of the join's slowest Completed input.
    pub straggler: String,
    /// ratio = slowest input's duration / median duration of the join's other Completed inputs.
    pub ratio: f64,
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
        let n = nodes.len();
        let wall_clock = non_negative(input.wall_clock);
        let max_workers = input.max_workers;

        // One pass over the input for the per-node scalars.
        let mut start = Vec::with_capacity(n);
        let mut end = Vec::with_capacity(n);
        let mut dur = Vec::with_capacity(n);
        let mut completed = Vec::with_capacity(n);
        let mut ran = Vec::with_capacity(n);
        let mut names = Vec::with_capacity(n);
        let mut sequential_sum = 0.0;
        for t in nodes {
            let (s, e) = (finite(t.start), finite(t.end));
            let d = non_negative(e - s);
            start.push(s);
            end.push(e);
            dur.push(d);
            completed.push(t.status == NodeOutcome::Completed);
            ran.push(t.status.ran());
            names.push(t.name.as_str());
            if t.status.ran() {
                sequential_sum += d;
            }
        }
        let graph = Graph::from_preds(n, |v| nodes[v].preds.as_slice());

        let lp = critical::longest_paths(&graph, &dur, &completed);
        let mut on_path = vec![false; n];
        for &v in &lp.path {
            on_path[v] = true;
        }
        let cpd = lp.duration;

        let capacity = wall_clock * max_workers as f64;
        let parallelism_efficiency = if capacity > 0.0 {
            (sequential_sum / capacity).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let speedup = if wall_clock > 0.0 {
            sequential_sum / wall_clock
        } else {
            0.0
        };

        let tl = timeline::sweep(
            (0..n).filter(|&v| ran[v]).map(|v| (start[v], end[v])),
            wall_clock,
            max_workers,
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
                .then_with(|| names[a].cmp(names[b]))
                .then(a.cmp(&b))
        });
        let bottlenecks = bottleneck_ids
            .into_iter()
            .map(|v| Bottleneck {
                node: names[v].to_string(),
                duration_seconds: dur[v],
                percentage: dur[v] / wall_clock * 100.0,
                on_critical_path: on_path[v],
            })
            .collect();

        let profiles = (0..n)
            .map(|v| {
                let t = &nodes[v];
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
                    let ready = graph.preds(v).iter().map(|&p| end[p]).fold(0.0, f64::max);
                    non_negative(start[v] - ready)
                } else {
                    0.0
                };
                NodeProfile {
                    name: t.name.clone(),
                    duration: dur[v],
                    start: start[v],
                    end: end[v],
                    earliest_start,
                    latest_start,
                    slack,
                    queue_wait,
                    worker: t.worker,
                    on_critical_path: on_path[v],
                    status: t.status,
                }
            })
            .collect();

        ProfileReport {
            critical_path: lp.path.iter().map(|&v| names[v].to_string()).collect(),
            critical_path_duration: cpd,
            bottlenecks,
            parallelism_efficiency,
            sequential_sum,
            wall_clock,
            speedup,
            max_workers,
            peak_parallelism: tl.peak,
            nodes: profiles,
            failed: nodes
                .iter()
                .filter(|t| t.status == NodeOutcome::Failed)
                .map(|t| t.name.clone())
                .collect(),
            gaps: tl.gaps,
            stragglers: straggler::find(&graph, &names, &dur, &completed, options.straggler_ratio),
        }
    }
}
