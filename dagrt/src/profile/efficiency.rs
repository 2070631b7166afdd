//! The parallelism efficiency of a run: the one formula profile reports and run records share.

use crate::NodeStatus;

/// Whether a node's time occupied a worker: [`NodeStatus::Completed`] and
/// [`NodeStatus::Failed`] nodes ran; skipped and cancelled ones did not. Only their time
/// counts towards the busy (sequential) sum, the peak parallelism and the idle gaps.
pub(crate) fn occupied_worker(status: NodeStatus) -> bool {
    status.ran()
}

/// `busy / (wall_clock × workers)`, clamped to `[0, 1]`; `0` when the capacity
/// (`wall_clock × workers`) is not positive. `busy` is the summed run time of the nodes that
/// [occupied a worker](occupied_worker).
pub(crate) fn parallelism_efficiency(busy: f64, wall_clock: f64, workers: usize) -> f64 {
    let capacity = wall_clock * workers as f64;
    if capacity > 0.0 {
        (busy / capacity).clamp(0.0, 1.0)
    } else {
        0.0
    }
}
