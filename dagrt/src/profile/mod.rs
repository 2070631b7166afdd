//! Post-run profiling of a task-DAG execution: critical path, slack, bottlenecks, idle gaps, stragglers, and pre-run makespan estimation.
//!
//! [`ProfileReport::from_execution`] profiles an [`Execution`](crate::Execution) on the
//! execution's own [`Graph`](crate::graph::Graph), [`ProfileReport::from_trace`] a saved trace
//! of a run of a graph, and [`ProfileReport::from_input`] plain data: a [`ProfileInput`], one
//! [`NodeTiming`] per node, in a topological order. Statuses are exec's
//! [`NodeStatus`]. Before running, [`estimate`] predicts the makespan of a
//! graph from known or historical durations.
//!
//! Every algorithm here is `O(V + E)` or `O(V log V)` (sorting), so profiling a
//! 100k-node execution takes some 25 ms (BENCHMARKS.md).
//!
//! # Robustness
//! Nothing in this module panics on odd input: an empty graph, a run where
//! every node failed, zero durations, `NaN` or infinite times (treated as `0`),
//! `end < start` (duration `0`), out-of-range or non-topological predecessor
//! indices (ignored) and duplicate predecessor indices (counted once) are all
//! accepted.
//!
//! ```
//! use dag::NodeStatus;
//! use dag::profile::{NodeTiming, ProfileInput, ProfileReport};
//!
//! let node = |name: &str, preds: Vec<usize>, start: f64, end: f64| NodeTiming {
//!     name: name.to_string(),
//!     preds,
//!     status: NodeStatus::Completed,
//!     start,
//!     end,
//!     worker: Some(0),
//! };
//! let input = ProfileInput {
//!     nodes: vec![node("fetch", vec![], 0.0, 1.0), node("train", vec![0], 1.0, 3.0)],
//!     wall_clock: 3.0,
//!     max_workers: 1,
//! };
//! let report = ProfileReport::from_input(&input);
//! assert_eq!(report.critical_path, ["fetch", "train"]);
//! assert!((report.critical_path_duration - 3.0).abs() < 1e-12);
//! assert_eq!(report.node("train").map(|n| n.queue_wait), Some(0.0));
//! assert!(report.summary().starts_with("Profile Report"));
//! ```

mod critical;
pub(crate) mod efficiency;
mod estimate;
mod execution;
mod float;
mod layout;
mod report;
mod status_name;
mod straggler;
mod summary;
mod timeline;

#[cfg(test)]
mod tests;

pub use estimate::{Estimate, EstimateInput, ScheduledTask, estimate, estimate_from_history};
pub use execution::profile_execution;
pub use report::{Bottleneck, NodeProfile, PoolWait, ProfileReport};
pub use straggler::Straggler;
pub use timeline::Gap;

use crate::NodeStatus;
use serde::{Deserialize, Serialize};

/// What the profiler needs to know about one executed node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeTiming {
    /// The node's name (used in the report; need not be unique, but should be).
    pub name: String,
    /// Indices (into [`ProfileInput::nodes`]) of the node's direct dependencies.
    /// Each must be smaller than the node's own index; others are ignored.
    pub preds: Vec<usize>,
    /// How the node ended. Completed and Failed nodes ran (their time occupied a worker
    /// and counts towards the sequential sum, the peak parallelism and the idle gaps);
    /// Skipped and Cancelled ones did not. In JSON: `"Completed"`, `"Failed"`, ...
    #[serde(with = "status_name")]
    pub status: NodeStatus,
    /// Start time in seconds since the run started (`0` for never-run nodes).
    pub start: f64,
    /// End time in seconds since the run started (`0` for never-run nodes).
    pub end: f64,
    /// The worker that ran the node, if any.
    pub worker: Option<usize>,
}

/// Everything the profiler needs about one execution.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ProfileInput {
    /// One entry per node; the index is the node id. The order must be a
    /// topological order of the graph (every predecessor index is smaller than
    /// the node's index).
    pub nodes: Vec<NodeTiming>,
    /// Total duration of the run in seconds.
    pub wall_clock: f64,
    /// Number of workers available to the run.
    pub max_workers: usize,
}

/// Tuning knobs for [`ProfileReport::from_input_with`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProfileOptions {
    /// A completed node is a bottleneck when its duration is at least this
    /// fraction of the wall clock. Default `0.20`.
    pub bottleneck_threshold: f64,
    /// A join's slowest input is a straggler when its duration is at least this
    /// many times the duration of the join's fastest input. Default `2.0`.
    pub straggler_ratio: f64,
    /// Idle gaps shorter than this many seconds are dropped (and the gaps around them merged
    /// when they have the same idle count). Default `0.001`, the summary's resolution.
    #[serde(default = "default_min_gap")]
    pub min_gap: f64,
}

fn default_min_gap() -> f64 {
    1e-3
}

impl Default for ProfileOptions {
    fn default() -> Self {
        Self {
            bottleneck_threshold: 0.20,
            straggler_ratio: 2.0,
            min_gap: default_min_gap(),
        }
    }
}
