//! The waiting events of a trace: resources taken and given back, gates waiting and decided,
//! merged into a read by their tick (events before a node's start come before it at equal
//! ticks, a release after its end).

use crate::exec::execution::RunView;
use crate::exec::wait::{WaitEvent, WaitKind};
use crate::graph::{Graph, NodeId};
use crate::trace::{ErrorRef, EventRef, MetaRef, TraceEventType as T};
use serde_json::{Map, Value, json};

/// One waiting event, ready to be read (built once per run).
#[derive(Debug, Clone)]
pub(crate) struct WaitTrace {
    pub t: u64,
    /// 0: before a main event of the same tick; 1: after.
    order: u8,
    node: NodeId,
    kind: T,
    /// Seconds waited (an acquisition's or a gate's wait).
    waited: Option<f64>,
    reason: Option<String>,
    meta: Map<String, Value>,
    /// For an acquisition: the pool and the seconds waited for it.
    pub(crate) pool_wait: Option<(String, f64)>,
}

/// The waiting events of a run, in tick order; `seconds` converts a raw tick span.
pub(crate) fn build(
    events: Vec<WaitEvent>,
    pools: &[String],
    seconds: impl Fn(u64, u64) -> f64,
) -> Vec<WaitTrace> {
    let pool = |p: u16| pools.get(usize::from(p)).cloned().unwrap_or_default();
    let mut gate_since = std::collections::HashMap::new();
    let mut events = events;
    events.sort_by_key(|e| e.t);
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let node = NodeId(e.node);
        let (order, kind, waited, reason, meta, pool_wait) = match e.kind {
            WaitKind::Acquired {
                pool: p,
                amount,
                since,
            } => {
                let waited = seconds(since, e.t);
                let meta = json!({"pool": pool(p), "amount": amount, "waited": waited});
                let pw = Some((pool(p), waited));
                (0, T::ResourceAcquired, Some(waited), None, meta, pw)
            }
            WaitKind::Released { pool: p, amount } => {
                let meta = json!({"pool": pool(p), "amount": amount});
                (1, T::ResourceReleased, None, None, meta, None)
            }
            WaitKind::GateWaiting => {
                gate_since.insert(e.node, e.t);
                (0, T::NodeGateWaiting, None, None, json!({}), None)
            }
            WaitKind::GateResolved { approved, reason } => {
                let waited = gate_since.get(&e.node).map(|&s| seconds(s, e.t));
                let decision = match (&reason, approved) {
                    (_, true) => "approved",
                    (Some(r), false) if r == "timed out" => "timed_out",
                    _ => "rejected",
                };
                let mut meta = json!({"decision": decision});
                if let (Some(r), Value::Object(m)) = (&reason, &mut meta) {
                    m.insert("reason".into(), Value::String(r.clone()));
                }
                (0, T::NodeGateResolved, waited, reason, meta, None)
            }
        };
        let Value::Object(meta) = meta else {
            continue;
        };
        out.push(WaitTrace {
            t: e.t,
            order,
            node,
            kind,
            waited,
            reason,
            meta,
            pool_wait,
        });
    }
    out
}

impl WaitTrace {
    /// Whether this event comes before a main event at `tick`.
    #[inline]
    pub(super) fn before(&self, tick: u64) -> bool {
        self.t < tick || (self.t == tick && self.order == 0)
    }

    /// The event as a trace reads it.
    pub(super) fn event<'a>(&'a self, view: &RunView, graph: &'a Graph) -> EventRef<'a> {
        let mut e = EventRef::new(self.kind, view.seconds(self.t));
        e.node_name = Some(graph.name(self.node));
        e.step_index = Some(graph.level(self.node));
        e.duration = self.waited;
        e.meta = MetaRef::Map(&self.meta);
        if let Some(r) = &self.reason {
            e.error = ErrorRef::Text(r);
        }
        e
    }
}
