//! Execution traces: recording events, JSON round trip, Chrome/Perfetto export and summaries.
//!
//! An [`ExecutionTrace`] is a list of [`TraceEvent`]s describing one run of a
//! DAG. It can be written as a plain JSON array ([`ExecutionTrace::to_json`]),
//! read back ([`ExecutionTrace::from_json`]), exported to the Chrome Trace
//! Event Format for `chrome://tracing`, Perfetto or the DevTools performance
//! panel ([`ExecutionTrace::to_chrome_trace`]), or summarized
//! ([`ExecutionTrace::summary`]).
//!
//! ```
//! use dag::trace::{ExecutionTrace, TraceEvent, TraceEventType as T};
//!
//! let trace = ExecutionTrace::named("etl");
//! trace.record(TraceEvent::new(T::ExecutionStarted, 0.0));
//! trace.record(TraceEvent::new(T::NodeStarted, 0.0).with_node("extract").with_worker(0));
//! trace.record(
//!     TraceEvent::new(T::NodeCompleted, 0.1)
//!         .with_node("extract")
//!         .with_worker(0)
//!         .with_duration(0.1),
//! );
//! trace.record(TraceEvent::new(T::ExecutionCompleted, 0.1).with_duration(0.1));
//!
//! let back = ExecutionTrace::from_json(&trace.to_json()).expect("valid JSON");
//! assert_eq!(back.events(), trace.events());
//! assert_eq!(trace.summary().completed, 1);
//! assert!(trace.to_chrome_trace().contains("\"traceEvents\""));
//! ```

mod analysis;
mod chrome;
#[cfg(test)]
mod chrome_tests;
mod event;
mod summary;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Mutex, PoisonError};

pub use chrome::{ChromeOptions, Lanes, Slices, TS_ORIGIN_US};
pub use event::{TraceEvent, TraceEventType};
pub use summary::{TimelineEntry, TraceSummary};

/// The name used when none is given: the Chrome process name of the export.
pub const DEFAULT_DAG_NAME: &str = "dag";

/// Error returned when reading a trace fails.
#[derive(Debug)]
#[non_exhaustive]
pub enum TraceError {
    /// The text is not a JSON array of trace events; the serde_json error
    /// tells what was wrong and where (line and column).
    Json(serde_json::Error),
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => write!(f, "invalid trace JSON (expected an array of events): {e}"),
        }
    }
}

impl std::error::Error for TraceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(e) => Some(e),
        }
    }
}

impl From<serde_json::Error> for TraceError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e)
    }
}

/// The events of one DAG execution.
///
/// Recording is thread-safe ([`record`](Self::record) takes `&self`). Every
/// reader returns events in timestamp order; events with equal timestamps
/// keep their recording order.
pub struct ExecutionTrace {
    name: String,
    events: Mutex<Vec<TraceEvent>>,
    /// Events not built yet: an executor's trace is derived from its run records the first time
    /// it is read, so a traced run pays nothing until then.
    deferred: Mutex<Option<Deferred>>,
}

type Deferred = Box<dyn FnOnce() -> Vec<TraceEvent> + Send>;

impl ExecutionTrace {
    /// An empty trace for a DAG named [`DEFAULT_DAG_NAME`].
    pub fn new() -> Self {
        Self::named(DEFAULT_DAG_NAME)
    }

    /// An empty trace for the DAG `dag_name` (used as the Chrome process name).
    pub fn named(dag_name: impl Into<String>) -> Self {
        Self::from_events(dag_name, Vec::new())
    }

    /// A trace made of finished events, e.g. merged from per-worker buffers.
    ///
    /// The events are sorted by timestamp (stable).
    pub fn from_events(dag_name: impl Into<String>, mut events: Vec<TraceEvent>) -> Self {
        sort_events(&mut events);
        Self {
            name: dag_name.into(),
            events: Mutex::new(events),
            deferred: Mutex::new(None),
        }
    }

    /// A trace whose events `build` produces the first time the trace is read.
    pub(crate) fn deferred(
        dag_name: impl Into<String>,
        build: impl FnOnce() -> Vec<TraceEvent> + Send + 'static,
    ) -> Self {
        let trace = Self::named(dag_name);
        *trace
            .deferred
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(build));
        trace
    }

    /// Appends one event. Safe to call from several threads.
    pub fn record(&self, event: TraceEvent) {
        self.lock().push(event);
    }

    /// The DAG name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A snapshot of the events, in timestamp order.
    pub fn events(&self) -> Vec<TraceEvent> {
        let mut events = self.lock().clone();
        sort_events(&mut events);
        events
    }

    /// Number of events recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no event was recorded.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The events whose `node_name` is `name`, in timestamp order.
    pub fn events_for_node(&self, name: &str) -> Vec<TraceEvent> {
        let mut events: Vec<TraceEvent> = self
            .lock()
            .iter()
            .filter(|e| e.is_for_node(name))
            .cloned()
            .collect();
        sort_events(&mut events);
        events
    }

    /// The events as a JSON array, one object per event (one per line), in
    /// timestamp order, absent fields omitted, e.g.
    /// `{"event_type":"node_started","timestamp":0.1021,"node_name":"transform_a"}`.
    ///
    /// Non-finite numbers cannot be represented in JSON and are written as `null`.
    pub fn to_json(&self) -> String {
        let events = self.events();
        let mut out = String::from("[");
        for (i, ev) in events.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            // Serializing these plain structs to a string cannot fail.
            out.push_str(&serde_json::to_string(ev).unwrap_or_else(|_| "null".into()));
        }
        out.push_str(if events.is_empty() { "]" } else { "\n]" });
        out
    }

    /// Reads a trace written by [`to_json`](Self::to_json), named [`DEFAULT_DAG_NAME`].
    ///
    /// ```
    /// use dag::trace::ExecutionTrace;
    ///
    /// let t = ExecutionTrace::from_json(r#"[{"event_type":"execution_started","timestamp":0.0}]"#)
    ///     .expect("valid");
    /// assert_eq!(t.len(), 1);
    /// assert!(ExecutionTrace::from_json("not json").is_err());
    /// ```
    pub fn from_json(json: &str) -> Result<ExecutionTrace, TraceError> {
        let events: Vec<TraceEvent> = serde_json::from_str(json)?;
        Ok(Self::from_events(DEFAULT_DAG_NAME, events))
    }

    /// The trace in Chrome Trace Event Format with default options (one lane per node).
    pub fn to_chrome_trace(&self) -> String {
        self.to_chrome_trace_with(ChromeOptions::default())
    }

    /// The trace in Chrome Trace Event Format; see [`ChromeOptions`].
    ///
    /// ```
    /// use dag::trace::{ChromeOptions, ExecutionTrace, Lanes, Slices};
    ///
    /// let by_worker = ChromeOptions::lanes(Lanes::Worker);
    /// let json = ExecutionTrace::named("etl").to_chrome_trace_with(by_worker);
    /// assert!(json.contains("\"process_name\""));
    /// let pairs = by_worker.with_slices(Slices::BeginEnd); // B/E pairs instead of X events
    /// assert!(ExecutionTrace::named("etl").to_chrome_trace_with(pairs).contains("\"traceEvents\""));
    /// ```
    pub fn to_chrome_trace_with(&self, options: ChromeOptions) -> String {
        chrome::export(&self.name, &self.lock(), options)
    }

    /// Totals, per-status counts and a timeline of the node runs.
    pub fn summary(&self) -> TraceSummary {
        summary::summarize(&self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<TraceEvent>> {
        // A panic while holding the lock cannot leave a Vec half-pushed.
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        let build = self
            .deferred
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(build) = build {
            let mut built = build();
            built.append(&mut events);
            sort_events(&mut built);
            *events = built;
        }
        events
    }
}

fn sort_events(events: &mut [TraceEvent]) {
    events.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
}

impl Default for ExecutionTrace {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for ExecutionTrace {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            events: Mutex::new(self.lock().clone()),
            deferred: Mutex::new(None),
        }
    }
}

impl fmt::Debug for ExecutionTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutionTrace")
            .field("name", &self.name)
            .field("events", &*self.lock())
            .finish()
    }
}
