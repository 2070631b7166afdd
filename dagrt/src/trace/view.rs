//! Borrowed events: [`EventRef`], what [`ExecutionTrace::for_each_event`] hands out without
//! copying, and the source of an executor trace's events.
//!
//! [`ExecutionTrace::for_each_event`]: crate::trace::ExecutionTrace::for_each_event

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::event::{TraceEvent, TraceEventType};

/// One event of a trace, borrowed from it: the same fields as [`TraceEvent`], nothing copied.
///
/// ```
/// use dag::trace::{ExecutionTrace, TraceEvent, TraceEventType as T};
///
/// let trace = ExecutionTrace::from_events("etl", vec![
///     TraceEvent::new(T::NodeStarted, 0.0).with_node("extract").with_metadata("attempt", 2),
/// ]);
/// let mut seen = Vec::new();
/// trace.for_each_event(|e| seen.push((e.event_type, e.node_name.map(str::to_owned), e.attempt())));
/// assert_eq!(seen, [(T::NodeStarted, Some("extract".to_owned()), Some(2))]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EventRef<'a> {
    /// What happened.
    pub event_type: TraceEventType,
    /// Seconds since the first event of the execution.
    pub timestamp: f64,
    /// The node concerned, for node events.
    pub node_name: Option<&'a str>,
    /// The topological step (level) concerned, when known.
    pub step_index: Option<usize>,
    /// Duration in seconds, on events that end something.
    pub duration: Option<f64>,
    /// Index of the worker thread that ran the node.
    pub worker: Option<usize>,
    pub(crate) error: ErrorRef<'a>,
    pub(crate) meta: MetaRef<'a>,
}

/// The error text of an [`EventRef`], formatted only when asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ErrorRef<'a> {
    None,
    Text(&'a str),
    /// "upstream task `{0}` failed".
    Upstream(&'a str),
    Static(&'static str),
}

/// The metadata of an [`EventRef`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MetaRef<'a> {
    None,
    Map(&'a Map<String, Value>),
    /// `{"attempt": n}`.
    Attempt(u64),
    /// `{"source": s}`.
    Source(&'static str),
    /// An `#[each]` element's `{"task": .., "element": ..}` (see [`ElementMeta`]); a
    /// reference, so that events stay small.
    Element(&'a ElementMeta<'a>),
}

/// The metadata of an `#[each]` element's events: `{"task": task, "element": index}`, plus
/// `"attempts": attempts` when it ran more than once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ElementMeta<'a> {
    pub(crate) task: &'a str,
    pub(crate) index: u32,
    pub(crate) attempts: u32,
}

impl<'a> EventRef<'a> {
    /// An event with only a kind and a timestamp.
    pub(crate) fn new(event_type: TraceEventType, timestamp: f64) -> Self {
        EventRef {
            event_type,
            timestamp,
            node_name: None,
            step_index: None,
            duration: None,
            worker: None,
            error: ErrorRef::None,
            meta: MetaRef::None,
        }
    }

    /// A view of a stored event.
    pub(crate) fn of(e: &'a TraceEvent) -> Self {
        EventRef {
            event_type: e.event_type,
            timestamp: e.timestamp,
            node_name: e.node_name.as_deref(),
            step_index: e.step_index,
            duration: e.duration,
            worker: e.worker,
            error: e.error.as_deref().map_or(ErrorRef::None, ErrorRef::Text),
            meta: e.metadata.as_ref().map_or(MetaRef::None, MetaRef::Map),
        }
    }

    /// The error text, on failures, skips, cancellations and timeouts.
    #[must_use]
    pub fn error(&self) -> Option<Cow<'a, str>> {
        match self.error {
            ErrorRef::None => None,
            ErrorRef::Text(t) => Some(Cow::Borrowed(t)),
            ErrorRef::Static(t) => Some(Cow::Borrowed(t)),
            ErrorRef::Upstream(n) => Some(Cow::Owned(format!("upstream task `{n}` failed"))),
        }
    }

    /// The `attempt` metadata entry, if present and a non-negative integer.
    #[must_use]
    pub fn attempt(&self) -> Option<u64> {
        match self.meta {
            MetaRef::Attempt(a) => Some(a),
            MetaRef::Map(m) => m.get("attempt")?.as_u64(),
            MetaRef::None | MetaRef::Source(_) | MetaRef::Element(_) => None,
        }
    }

    /// The metadata entry `key`, if any.
    #[must_use]
    pub fn metadata(&self, key: &str) -> Option<Cow<'a, Value>> {
        match self.meta {
            MetaRef::None => None,
            MetaRef::Map(m) => m.get(key).map(Cow::Borrowed),
            MetaRef::Attempt(a) => (key == "attempt").then(|| Cow::Owned(a.into())),
            MetaRef::Source(s) => (key == "source").then(|| Cow::Owned(s.into())),
            MetaRef::Element(m) => match key {
                "task" => Some(Cow::Owned(m.task.into())),
                "element" => Some(Cow::Owned(m.index.into())),
                "attempts" if m.attempts > 1 => Some(Cow::Owned(m.attempts.into())),
                _ => None,
            },
        }
    }

    /// The metadata as a JSON object, if any.
    pub(crate) fn metadata_map(&self) -> Option<Cow<'a, Map<String, Value>>> {
        let one = |k: &str, v: Value| {
            let mut m = Map::new();
            m.insert(k.to_owned(), v);
            Some(Cow::Owned(m))
        };
        match self.meta {
            MetaRef::None => None,
            MetaRef::Map(m) => Some(Cow::Borrowed(m)),
            MetaRef::Attempt(a) => one("attempt", a.into()),
            MetaRef::Source(s) => one("source", s.into()),
            MetaRef::Element(e) => {
                let mut m = Map::new();
                m.insert("task".to_owned(), e.task.into());
                m.insert("element".to_owned(), e.index.into());
                if e.attempts > 1 {
                    m.insert("attempts".to_owned(), e.attempts.into());
                }
                Some(Cow::Owned(m))
            }
        }
    }

    /// Whether this event concerns the node `name`.
    #[must_use]
    pub fn is_for_node(&self, name: &str) -> bool {
        self.node_name == Some(name)
    }

    /// An owned copy.
    #[must_use]
    pub fn to_event(&self) -> TraceEvent {
        TraceEvent {
            event_type: self.event_type,
            timestamp: self.timestamp,
            node_name: self.node_name.map(str::to_owned),
            step_index: self.step_index,
            duration: self.duration,
            error: self.error().map(Cow::into_owned),
            metadata: self.metadata_map().map(Cow::into_owned),
            worker: self.worker,
        }
    }
}

/// Events not stored as [`TraceEvent`]s but derived on each read (an executor's run records).
pub(crate) trait EventSource: Send + Sync {
    /// Calls `f` on every event, in timestamp order (causal order at equal timestamps).
    fn for_each(&self, f: &mut dyn FnMut(&EventRef<'_>));
    /// Number of events `for_each` visits.
    fn len(&self) -> usize;
}
