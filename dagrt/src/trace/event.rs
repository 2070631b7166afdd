//! The trace event vocabulary: [`TraceEventType`] and [`TraceEvent`].

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The kind of a [`TraceEvent`].
///
/// Serialized (and displayed) as its snake_case name, e.g. `node_started`.
///
/// ```
/// use dag::trace::TraceEventType;
///
/// assert_eq!(TraceEventType::NodeTimedOut.to_string(), "node_timed_out");
/// assert_eq!(TraceEventType::NodeTimedOut.as_str(), "node_timed_out");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceEventType {
    /// The execution of the whole DAG began (timestamp 0).
    ExecutionStarted,
    /// A topological step (level) began: its first node started.
    StepStarted,
    /// A node began running (one per attempt).
    NodeStarted,
    /// A node finished successfully.
    NodeCompleted,
    /// A node returned an error or panicked.
    NodeFailed,
    /// A node never ran, typically because an upstream node failed.
    NodeSkipped,
    /// A node exceeded its time budget.
    NodeTimedOut,
    /// A node never ran (or was abandoned) because the execution was cancelled.
    NodeCancelled,
    /// A topological step ended: its last node ended.
    StepCompleted,
    /// The execution of the whole DAG ended; `duration` is the total.
    ExecutionCompleted,
    /// A node is waiting on a gate (e.g. a manual approval or a condition).
    NodeGateWaiting,
    /// A gate a node was waiting on was resolved.
    NodeGateResolved,
    /// A node acquired a resource (e.g. a concurrency slot).
    ResourceAcquired,
    /// A node released a resource.
    ResourceReleased,
    /// A node's result was served from the cache.
    NodeCacheHit,
    /// A node's result was not in the cache and will be computed.
    NodeCacheMiss,
}

impl TraceEventType {
    /// Every event kind, in declaration order.
    pub const ALL: [TraceEventType; 16] = [
        Self::ExecutionStarted,
        Self::StepStarted,
        Self::NodeStarted,
        Self::NodeCompleted,
        Self::NodeFailed,
        Self::NodeSkipped,
        Self::NodeTimedOut,
        Self::NodeCancelled,
        Self::StepCompleted,
        Self::ExecutionCompleted,
        Self::NodeGateWaiting,
        Self::NodeGateResolved,
        Self::ResourceAcquired,
        Self::ResourceReleased,
        Self::NodeCacheHit,
        Self::NodeCacheMiss,
    ];

    /// The snake_case name, identical to the serialized form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ExecutionStarted => "execution_started",
            Self::StepStarted => "step_started",
            Self::NodeStarted => "node_started",
            Self::NodeCompleted => "node_completed",
            Self::NodeFailed => "node_failed",
            Self::NodeSkipped => "node_skipped",
            Self::NodeTimedOut => "node_timed_out",
            Self::NodeCancelled => "node_cancelled",
            Self::StepCompleted => "step_completed",
            Self::ExecutionCompleted => "execution_completed",
            Self::NodeGateWaiting => "node_gate_waiting",
            Self::NodeGateResolved => "node_gate_resolved",
            Self::ResourceAcquired => "resource_acquired",
            Self::ResourceReleased => "resource_released",
            Self::NodeCacheHit => "node_cache_hit",
            Self::NodeCacheMiss => "node_cache_miss",
        }
    }
}

impl fmt::Display for TraceEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event of an execution trace.
///
/// Absent (`None`) fields are omitted from the JSON form and accepted as
/// missing when reading it back.
///
/// ```
/// use dag::trace::{TraceEvent, TraceEventType};
///
/// let ev = TraceEvent::new(TraceEventType::NodeFailed, 0.4)
///     .with_node("transform_a")
///     .with_duration(0.3)
///     .with_worker(1)
///     .with_error("boom")
///     .with_metadata("attempt", 2);
/// assert_eq!(ev.node_name.as_deref(), Some("transform_a"));
/// assert_eq!(ev.attempt(), Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// What happened.
    pub event_type: TraceEventType,
    /// Seconds since the first event of the execution (monotonic clock). In JSON a number,
    /// or `"NaN"`, `"Infinity"` or `"-Infinity"` when not finite.
    #[serde(with = "super::number")]
    pub timestamp: f64,
    /// The node concerned, for node events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    /// The topological step (level) concerned, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_index: Option<usize>,
    /// Duration in seconds, on events that end something (in JSON like `timestamp`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::number::option"
    )]
    pub duration: Option<f64>,
    /// Error text, on failures, skips, cancellations and timeouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Free-form extra data (e.g. `{"attempt": 2}` or cache keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Index of the worker thread that ran the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<usize>,
}

impl TraceEvent {
    /// An event of kind `event_type` at `timestamp` seconds, with no other field set.
    pub fn new(event_type: TraceEventType, timestamp: f64) -> Self {
        Self {
            event_type,
            timestamp,
            node_name: None,
            step_index: None,
            duration: None,
            error: None,
            metadata: None,
            worker: None,
        }
    }

    /// Sets the node name.
    #[must_use]
    pub fn with_node(mut self, name: impl Into<String>) -> Self {
        self.node_name = Some(name.into());
        self
    }

    /// Sets the step index.
    #[must_use]
    pub fn with_step(mut self, index: usize) -> Self {
        self.step_index = Some(index);
        self
    }

    /// Sets the duration, in seconds.
    #[must_use]
    pub fn with_duration(mut self, seconds: f64) -> Self {
        self.duration = Some(seconds);
        self
    }

    /// Sets the error text.
    #[must_use]
    pub fn with_error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }

    /// Sets the worker index.
    #[must_use]
    pub fn with_worker(mut self, worker: usize) -> Self {
        self.worker = Some(worker);
        self
    }

    /// Adds (or replaces) one metadata entry.
    #[must_use]
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// The `attempt` metadata entry, if present and a non-negative integer.
    pub fn attempt(&self) -> Option<u64> {
        self.metadata.as_ref()?.get("attempt")?.as_u64()
    }

    /// Whether this event concerns the node `name`.
    pub fn is_for_node(&self, name: &str) -> bool {
        self.node_name.as_deref() == Some(name)
    }
}
