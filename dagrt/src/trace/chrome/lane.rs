//! Lane: one Chrome thread of the export, and the groups lanes are shown in.

/// Lane groups, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Group {
    Execution,
    Steps,
    Work,
}

/// One lane (a Chrome thread).
pub(super) struct Lane {
    pub(super) name: String,
    pub(super) group: Group,
    pub(super) first_ts: f64,
    /// End (µs) of the last slice placed on this lane.
    pub(super) last_end: Option<f64>,
}

pub(super) fn worker_lane(worker: Option<usize>) -> String {
    match worker {
        Some(w) => format!("worker {w}"),
        None => "unassigned".to_owned(),
    }
}
