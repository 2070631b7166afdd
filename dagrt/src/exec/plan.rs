//! Plan: what one run of the executor runs, and the raw records it leaves behind.

use super::NodeStatus;
use super::policy::Policies;
use super::retry::Attempt;
use crate::graph::{Graph, NodeId};
use crate::inputs::Inputs;
use crate::value::BodyResult;

/// A node's body, borrowed for the duration of a run.
pub(crate) type Body<'a> = &'a (dyn Fn(&Inputs<'_>) -> BodyResult + Sync);

/// A node's body owned by a builder DAG.
pub(crate) type DynBody<'a> = Box<dyn Fn(&Inputs<'_>) -> BodyResult + Send + Sync + 'a>;

/// The bodies of a run, by node id: borrowed (static DAGs, `execute_with`) or boxed (bodies
/// bound to a builder DAG), so a run never copies them into a new vector.
#[derive(Clone, Copy)]
pub(crate) enum Bodies<'a> {
    Refs(&'a [Body<'a>]),
    Boxed(&'a [DynBody<'a>]),
}

impl<'a> Bodies<'a> {
    /// Node `i`'s body.
    ///
    /// # Panics
    /// If `i` is not a node of the run (the bodies cover every node).
    #[inline]
    pub(super) fn get(self, i: usize) -> Body<'a> {
        match self {
            Bodies::Refs(b) => b[i],
            Bodies::Boxed(b) => &*b[i],
        }
    }
}

/// What to run and how.
pub(crate) struct Plan<'a> {
    pub graph: &'a Graph,
    pub bodies: Bodies<'a>,
    /// Per node: whether its output owns memory (a zero-sized output without drop glue needs no
    /// freeing, so its consumers skip the bookkeeping).
    pub frees: &'a [bool],
    /// Keep every output after the run (otherwise only `final_node`'s).
    pub keep_all: bool,
    pub final_node: Option<NodeId>,
    pub fail_fast: bool,
    /// The run's cancellation flag (see [`super::cancel`]).
    pub cancel: &'a std::sync::atomic::AtomicU8,
    /// The DAG's name and the run's id, for `tracing` spans.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub labels: (&'a str, &'a str),
    /// Retries, cache, checkpoints, reuse: `None` for a plain run (the fast path).
    pub policies: Option<&'a Policies<'a>>,
    /// Told about the run as it happens: `None` without observers (the fast path).
    pub observer: Option<&'a dyn crate::Observer>,
    /// Async bodies, deadlines, resources, gates: `None` when no node waits (the fast path).
    pub waits: Option<&'a super::wait::Waits<'a>>,
}

/// One node's outcome as recorded by the worker that settled it (raw clock ticks). Error texts
/// live apart (failures are rare), which keeps a record at 32 bytes.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub start: u64,
    pub end: u64,
    pub worker: u32,
    /// For a skipped node: the failed upstream node.
    pub cause: u32,
    pub status: NodeStatus,
    /// How many times the body ran (0 for nodes that did not run or were reused).
    pub attempts: u32,
    /// [`policy::HIT_CACHE`] and friends.
    pub flags: u8,
}

/// One element of an `#[each]` task: when it ran, on which worker, and its error.
#[derive(Debug, Clone)]
pub(crate) struct ElementRun {
    pub node: u32,
    pub index: u32,
    pub start: u64,
    pub end: u64,
    pub worker: u32,
    /// How many times the element ran (more than 1 after retries).
    pub attempts: u32,
    pub error: Option<String>,
}

/// What a run leaves behind, before it is dressed up as an [`Execution`].
pub(crate) struct RawRun {
    pub records: Vec<Record>,
    /// Error text of each failed node, sorted by node id.
    pub errors: Vec<(u32, String)>,
    /// Every attempt of nodes that ran more than once, in no order.
    pub attempts: Vec<Attempt>,
    /// One entry per element of every `#[each]` task that ran, in no order.
    pub elements: Vec<ElementRun>,
    /// Problems that did not fail the run (a corrupt cache entry, a checkpoint not saved).
    pub warnings: Vec<String>,
    /// What the waiting nodes did (resources, gates), in no order.
    pub waits: Vec<super::wait::WaitEvent>,
    /// The names of the resource pools the waiting events refer to by index.
    pub pools: Vec<String>,
    pub outputs: super::slot::Kept,
    /// The cancellation flag's final value: why `Cancelled` nodes were cancelled.
    pub cancel_reason: u8,
    pub t0: u64,
    pub t_end: u64,
}

#[cfg(test)]
impl RawRun {
    /// A run of hand-made records (test fixtures): no errors, attempts, elements, warnings or
    /// outputs.
    pub(crate) fn of_records(records: Vec<Record>, t0: u64, t_end: u64) -> RawRun {
        let outputs = super::slot::Kept::Final(None);
        RawRun {
            records,
            errors: Vec::new(),
            attempts: Vec::new(),
            elements: Vec::new(),
            warnings: Vec::new(),
            waits: Vec::new(),
            pools: Vec::new(),
            outputs,
            cancel_reason: 0,
            t0,
            t_end,
        }
    }

    /// The execution of this run over `graph` (test fixtures), its last node final.
    pub(crate) fn into_execution(
        self,
        dag: &str,
        graph: std::sync::Arc<crate::graph::Graph>,
        workers: usize,
    ) -> super::Execution {
        let last = graph
            .len()
            .checked_sub(1)
            .map(|i| crate::graph::NodeId(i as u32));
        super::Execution::from_raw(
            self,
            "run".into(),
            dag.into(),
            "".into(),
            graph,
            std::sync::Arc::from(Vec::new()),
            std::time::SystemTime::now(),
            workers,
            last,
        )
    }
}

#[cfg(test)]
impl super::Execution {
    /// `kind(node or step)` of every event of this run's trace, in order, read through
    /// `for_each_event` (test fixtures).
    pub(crate) fn event_sequence(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.to_trace().for_each_event(|e| {
            out.push(match (e.node_name, e.step_index) {
                (Some(n), _) => format!("{}({n})", e.event_type),
                (None, Some(s)) => format!("{}({s})", e.event_type),
                (None, None) => e.event_type.to_string(),
            });
        });
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_record_stays_at_32_bytes() {
        assert_eq!(std::mem::size_of::<super::Record>(), 32);
    }
}
