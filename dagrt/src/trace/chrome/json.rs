//! The JSON shape of one Chrome trace event, written with borrowed fields (no `Value` per event).

use serde::Serialize;
use serde_json::{Map, Value};

/// The Chrome process id of every event.
pub(super) const PID: u32 = 1;

/// One event as written.
#[derive(Serialize)]
pub(super) struct Out<'a> {
    pub(super) name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cat: Option<&'a str>,
    pub(super) ph: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) s: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<usize>,
    pub(super) pid: u32,
    pub(super) tid: usize,
    pub(super) ts: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dur: Option<f64>,
    #[serde(skip_serializing_if = "Args::is_empty")]
    pub(super) args: Args<'a>,
}

#[derive(Serialize, Default)]
pub(super) struct Args<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) sort_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) dag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) event: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) worker: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) attempt: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) duration_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) metadata: Option<&'a Map<String, Value>>,
}

impl Args<'_> {
    /// Whether no field is set (the `args` key is then left out).
    pub(super) fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.sort_index.is_none()
            && self.dag.is_none()
            && self.event.is_none()
            && self.node.is_none()
            && self.status.is_none()
            && self.step.is_none()
            && self.worker.is_none()
            && self.attempt.is_none()
            && self.error.is_none()
            && self.duration_s.is_none()
            && self.metadata.is_none()
    }
}

/// A metadata (`M`) event.
pub(super) fn meta<'a>(name: &'a str, tid: usize, args: Args<'a>) -> Out<'a> {
    Out {
        name,
        cat: None,
        ph: "M",
        s: None,
        id: None,
        pid: PID,
        tid,
        ts: 0.0,
        dur: None,
        args,
    }
}
