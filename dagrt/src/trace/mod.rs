//! Execution traces: recording events, JSON round trip, Chrome/Perfetto export and summaries.
//!
//! An [`ExecutionTrace`] is a list of [`TraceEvent`]s describing one run of a
//! DAG. It can be written as a plain JSON array ([`ExecutionTrace::to_json`]),
//! read back ([`ExecutionTrace::from_json`]), exported to the Chrome Trace
//! Event Format for `chrome://tracing`, Perfetto or the DevTools performance
//! panel ([`ExecutionTrace::to_chrome_trace`], or streamed to any writer with
//! [`ExecutionTrace::write_chrome_trace`]), read without copying
//! ([`ExecutionTrace::for_each_event`]), or summarized ([`ExecutionTrace::summary`]).
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
pub(crate) mod keys;
#[cfg(test)]
mod keys_tests;
mod number;
#[cfg(test)]
mod order_tests;
pub(crate) mod radix;
mod run;
mod summary;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
mod view;

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex, PoisonError};

pub use chrome::{ChromeOptions, Lanes, Slices};
pub use event::{TraceEvent, TraceEventType};
pub use summary::{TimelineEntry, TraceSummary};
pub use view::EventRef;
pub(crate) use view::{ElementMeta, ErrorRef, EventSource, MetaRef};

/// The name used when none is given: the Chrome process name of the export.
pub(crate) const DEFAULT_DAG_NAME: &str = "dag";

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
/// keep their recording order. An executor's trace stores no events: they are
/// derived from the run's records on each read, ordered causally at equal
/// timestamps (a node completes before its dependents start; a step starts
/// before its first node and completes after its last), and events recorded
/// by hand into it come after the run's own at equal timestamps.
///
/// Readers: [`for_each_event`](Self::for_each_event) (borrowed, nothing
/// copied), [`events`](Self::events) (an owned copy), the exports
/// ([`to_json`](Self::to_json), [`write_chrome_trace`](Self::write_chrome_trace))
/// and [`summary`](Self::summary).
pub struct ExecutionTrace {
    name: String,
    /// The executor's records, when this is the trace of a run.
    source: Option<Arc<dyn EventSource>>,
    recorded: Mutex<Recorded>,
}

/// Events recorded by hand, shared with running readers (a reader clones the `Arc`).
#[derive(Clone)]
struct Recorded {
    events: Arc<Vec<TraceEvent>>,
    /// Whether `events` is in timestamp order.
    sorted: bool,
}

impl ExecutionTrace {
    /// An empty trace for a DAG named `dag`.
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
            source: None,
            recorded: Mutex::new(Recorded {
                events: Arc::new(events),
                sorted: true,
            }),
        }
    }

    /// A trace whose events `source` derives on each read.
    pub(crate) fn from_source(dag_name: impl Into<String>, source: Arc<dyn EventSource>) -> Self {
        let trace = Self::named(dag_name);
        Self {
            source: Some(source),
            ..trace
        }
    }

    /// Appends one event. Safe to call from several threads.
    ///
    /// Any number is accepted: non-finite timestamps and durations (`NaN`, `±inf`) survive
    /// [`to_json`](Self::to_json) / [`from_json`](Self::from_json) as the JSON strings
    /// `"NaN"`, `"Infinity"` and `"-Infinity"`; the Chrome export and the summary leave events
    /// with a non-finite timestamp out and read a non-finite duration as absent.
    pub fn record(&self, event: TraceEvent) {
        let mut rec = self.lock();
        let in_order = rec
            .events
            .last()
            .is_none_or(|last| last.timestamp.total_cmp(&event.timestamp).is_le());
        rec.sorted &= in_order;
        Arc::make_mut(&mut rec.events).push(event);
    }

    /// The DAG name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls `f` on every event, in timestamp order, without copying any: the fast way to read
    /// a trace (an executor's trace costs about 35 to 110 ns per task to read this way,
    /// depending on the graph's shape; see `benches/executor.rs`).
    ///
    /// `f` may record into this trace; what it records is seen by later reads only.
    pub fn for_each_event(&self, mut f: impl FnMut(&EventRef<'_>)) {
        self.visit(&mut f);
    }

    pub(crate) fn visit(&self, f: &mut dyn FnMut(&EventRef<'_>)) {
        let recorded = self.snapshot();
        if let Some(source) = &self.source
            && recorded.is_empty()
        {
            return source.for_each(f);
        }
        let mut rest = recorded.iter().peekable();
        if let Some(source) = &self.source {
            source.for_each(&mut |e| {
                while let Some(r) = rest.next_if(|r| r.timestamp.total_cmp(&e.timestamp).is_lt()) {
                    f(&EventRef::of(r));
                }
                f(e);
            });
        }
        for r in rest {
            f(&EventRef::of(r));
        }
    }

    /// The recorded events, sorted.
    fn snapshot(&self) -> Arc<Vec<TraceEvent>> {
        let mut rec = self.lock();
        if !rec.sorted {
            sort_events(Arc::make_mut(&mut rec.events).as_mut_slice());
            rec.sorted = true;
        }
        Arc::clone(&rec.events)
    }

    /// A copy of the events, in timestamp order (see [`for_each_event`](Self::for_each_event)
    /// to read them without copying).
    pub fn events(&self) -> Vec<TraceEvent> {
        let mut events = Vec::with_capacity(self.len());
        self.visit(&mut |e| events.push(e.to_event()));
        events
    }

    /// Number of events recorded.
    pub fn len(&self) -> usize {
        self.lock().events.len() + self.source.as_ref().map_or(0, |s| s.len())
    }

    /// Whether no event was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The events whose `node_name` is `name`, in timestamp order.
    pub fn events_for_node(&self, name: &str) -> Vec<TraceEvent> {
        let mut events = Vec::new();
        self.visit(&mut |e| {
            if e.is_for_node(name) {
                events.push(e.to_event());
            }
        });
        events
    }

    /// The events as a JSON array, one object per event (one per line), in
    /// timestamp order, absent fields omitted, e.g.
    /// `{"event_type":"node_started","timestamp":0.1021,"node_name":"transform_a"}`.
    ///
    /// Non-finite timestamps and durations are written as the strings `"NaN"`, `"Infinity"`
    /// and `"-Infinity"`, which [`from_json`](Self::from_json) reads back.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        let mut first = true;
        self.visit(&mut |e| {
            out.push_str(if first { "\n" } else { ",\n" });
            first = false;
            // Serializing these plain structs to a string cannot fail.
            out.push_str(&serde_json::to_string(&e.to_event()).unwrap_or_else(|_| "null".into()));
        });
        out.push_str(if first { "]" } else { "\n]" });
        out
    }

    /// Reads a trace written by [`to_json`](Self::to_json), named `dag`.
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
        let mut out = Vec::new();
        // Writing to a Vec cannot fail, and serde_json writes UTF-8 only.
        let _ = chrome::write(&self.name, self, options, &mut out);
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Streams the trace in Chrome Trace Event Format with default options to `writer`
    /// (buffered internally, flushed before returning): the same text as
    /// [`to_chrome_trace`](Self::to_chrome_trace).
    ///
    /// Memory does not grow with the output: besides the trace itself, the export holds one
    /// entry per lane and the runs overlapping the longest run still open, never the events
    /// written so far (a million-node chain: about 3 s and 0.2 GB of heap, see
    /// `benches/trace.rs`).
    ///
    /// ```
    /// use dag::trace::ExecutionTrace;
    ///
    /// let mut file = Vec::new(); // or a std::fs::File
    /// ExecutionTrace::named("etl").write_chrome_trace(&mut file).expect("written");
    /// assert_eq!(file, ExecutionTrace::named("etl").to_chrome_trace().into_bytes());
    /// ```
    ///
    /// # Errors
    /// The first error `writer` returns.
    pub fn write_chrome_trace(&self, writer: impl Write) -> io::Result<()> {
        self.write_chrome_trace_with(writer, ChromeOptions::default())
    }

    /// [`write_chrome_trace`](Self::write_chrome_trace) with explicit [`ChromeOptions`].
    ///
    /// # Errors
    /// The first error `writer` returns.
    pub fn write_chrome_trace_with(
        &self,
        writer: impl Write,
        options: ChromeOptions,
    ) -> io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 16, writer);
        chrome::write(&self.name, self, options, &mut out)?;
        out.flush()
    }

    /// Totals, per-status counts and a timeline of the node runs.
    pub fn summary(&self) -> TraceSummary {
        summary::summarize(&self.events())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        // A panic while holding the lock cannot leave a Vec half-pushed.
        self.recorded.lock().unwrap_or_else(PoisonError::into_inner)
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
            source: self.source.clone(),
            recorded: Mutex::new(self.lock().clone()),
        }
    }
}

impl fmt::Debug for ExecutionTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutionTrace")
            .field("name", &self.name)
            .field("events", &self.events())
            .finish()
    }
}
