//! NodeRun: one attempt of one node as a trace tells it, how it ended, and the nodes and
//! steps around it.

use super::event::TraceEventType;
use crate::NodeStatus;

/// How one node run (one attempt) ended: an exec [`NodeStatus`], or one of the two endings
/// only a trace can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunStatus {
    /// Ended as exec reports it: `Completed`, `Failed` or `Cancelled`.
    Ended(NodeStatus),
    /// Failed by a `node_timed_out` event.
    TimedOut,
    /// Started but never ended within the trace.
    Incomplete,
}

impl RunStatus {
    /// Whether the run completed.
    pub(crate) fn completed(self) -> bool {
        self == Self::Ended(NodeStatus::Completed)
    }

    /// Whether the run failed (other than by a timeout).
    pub(crate) fn failed(self) -> bool {
        self == Self::Ended(NodeStatus::Failed)
    }

    /// Snake case, as the Chrome export writes it (`completed`, `timed_out`, ...).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Ended(status) => status.as_str(),
            Self::TimedOut => "timed_out",
            Self::Incomplete => "incomplete",
        }
    }

    /// Upper case, as the summary prints it (`COMPLETED`, `TIMED_OUT`, ...).
    pub(crate) fn as_upper(self) -> &'static str {
        match self {
            Self::Ended(status) => status.as_upper(),
            Self::TimedOut => "TIMED_OUT",
            Self::Incomplete => "INCOMPLETE",
        }
    }
}

/// One attempt of one node: a `node_started` paired with its end event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeRun {
    pub node: String,
    /// Seconds.
    pub start: f64,
    /// Seconds, never negative.
    pub duration: f64,
    pub status: RunStatus,
    pub worker: Option<usize>,
    pub step: Option<usize>,
    pub error: Option<String>,
    pub attempt: Option<u64>,
}

impl NodeRun {
    pub(crate) fn end(&self) -> f64 {
        self.start + self.duration
    }
}

/// A node that never ran: `node_skipped`, or `node_cancelled` without a start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotRun {
    pub node: String,
    pub timestamp: f64,
    /// `NodeSkipped` or `NodeCancelled`.
    pub kind: TraceEventType,
    pub error: Option<String>,
    pub step: Option<usize>,
}

/// A topological step, from its `step_started` to its `step_completed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StepSpan {
    pub index: usize,
    pub start: f64,
    pub end: f64,
}

#[cfg(test)]
mod tests {
    use super::RunStatus;
    use crate::NodeStatus;

    #[test]
    fn a_run_ending_as_exec_reports_it_is_spelled_by_exec() {
        for status in [
            NodeStatus::Completed,
            NodeStatus::Failed,
            NodeStatus::Skipped,
            NodeStatus::Cancelled,
        ] {
            let run = RunStatus::Ended(status);
            assert_eq!(run.as_str(), status.as_str());
            assert_eq!(run.as_upper(), status.as_upper());
            assert_eq!(run.completed(), status == NodeStatus::Completed);
            assert_eq!(run.failed(), status == NodeStatus::Failed);
        }
        assert_eq!(
            (RunStatus::TimedOut.as_str(), RunStatus::TimedOut.as_upper()),
            ("timed_out", "TIMED_OUT")
        );
        assert_eq!(
            (
                RunStatus::Incomplete.as_str(),
                RunStatus::Incomplete.as_upper()
            ),
            ("incomplete", "INCOMPLETE")
        );
    }
}
