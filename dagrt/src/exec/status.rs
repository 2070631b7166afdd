//! NodeStatus: how a node's run ended.

use std::fmt;

/// How a node's run ended. Every node of an execution ends in exactly one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum NodeStatus {
    /// The task ran and returned its output.
    Completed = 0,
    /// The task returned an error or panicked.
    Failed,
    /// The task did not run because an upstream task failed.
    Skipped,
    /// The task did not run because the run was cancelled (`fail_fast`, or a
    /// [`CancelHandle`](crate::CancelHandle)).
    Cancelled,
    /// The task ran past its deadline (`#[task(timeout = "..")]`, `Dag::timeout`) or its gate
    /// got no decision in time (`gate_timeout`): it ended at the deadline, its output (if it
    /// ever returns one) is dropped, and its dependents are `Skipped`.
    TimedOut,
}

impl NodeStatus {
    /// Whether the task's body started: it completed, failed or timed out (skipped and
    /// cancelled tasks never ran).
    #[must_use]
    pub fn ran(self) -> bool {
        matches!(
            self,
            NodeStatus::Completed | NodeStatus::Failed | NodeStatus::TimedOut
        )
    }

    /// The status in upper case, as trace summaries print it (`COMPLETED`, ...).
    #[must_use]
    pub fn as_upper(self) -> &'static str {
        match self {
            NodeStatus::Completed => "COMPLETED",
            NodeStatus::Failed => "FAILED",
            NodeStatus::Skipped => "SKIPPED",
            NodeStatus::Cancelled => "CANCELLED",
            NodeStatus::TimedOut => "TIMED_OUT",
        }
    }

    /// The status in snake case (`completed`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Completed => "completed",
            NodeStatus::Failed => "failed",
            NodeStatus::Skipped => "skipped",
            NodeStatus::Cancelled => "cancelled",
            NodeStatus::TimedOut => "timed_out",
        }
    }
}

impl fmt::Display for NodeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a reused output came from (see [`NodeResult::reused_from`](crate::NodeResult)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReuseSource {
    /// The content-addressed cache.
    Cache,
    /// The checkpoint a `resume()` finishes.
    Checkpoint,
    /// The previous execution given to `rerun()`.
    PreviousRun,
    /// The value given with [`Dag::set`](crate::Dag::set) (an input's value, or an override of
    /// a task, whose body did not run).
    Provided,
}

impl ReuseSource {
    /// The source in snake case, as traces and profiling records store it (`cache`,
    /// `checkpoint`, `previous_run`, `provided`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ReuseSource::Cache => "cache",
            ReuseSource::Checkpoint => "checkpoint",
            ReuseSource::PreviousRun => "previous_run",
            ReuseSource::Provided => "provided",
        }
    }
}

impl fmt::Display for ReuseSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
