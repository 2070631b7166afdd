//! Export to the Chrome Trace Event Format (chrome://tracing, Perfetto, DevTools).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::analysis::{NodeRun, RunStatus, analyze};
use super::event::{TraceEvent, TraceEventType};

/// How node runs are spread over lanes (Chrome "threads") in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lanes {
    /// One lane per node, named after the node.
    #[default]
    Node,
    /// One lane per worker, named `worker N`: shows the real parallelism.
    Worker,
}

/// Options of [`ExecutionTrace::to_chrome_trace_with`](crate::trace::ExecutionTrace::to_chrome_trace_with).
///
/// The export is a JSON object `{"traceEvents": [...], "displayTimeUnit": "ms"}`
/// with times in microseconds (trace time 0 at [`TS_ORIGIN_US`]) and a single
/// process (pid 1) named after the DAG:
///
/// * a lane `execution` with one slice for the whole run;
/// * one lane per node or per worker (see [`Lanes`]) with one slice per node
///   run, `args` holding `status`, `step`, `worker`, `attempt` and `error`.
///   Slices on one lane never overlap: a run that would overlap the previous
///   one on its lane goes to an extra lane `<lane> (overflow)`;
/// * instant events (`ph: "I"`, `s: "t"`) for failures, skips, cancellations,
///   timeouts, cache hits/misses, gates and resources, error text in `args`;
/// * steps as async events (`ph: "b"`/`"e"`, `cat: "step"`, `id` = step index)
///   on a lane `steps`;
/// * `M` events naming the process and every lane, lanes sorted by first use.
///
/// By default slices are complete events (`ph: "X"`, `dur` = the run's duration
/// in µs); [`Slices::BeginEnd`] writes each as a `B`/`E` pair instead. Perfetto
/// and `chrome://tracing` treat both alike, but the DevTools trace engine
/// matches `B`/`E` with one stack shared by all threads and so mispairs runs
/// that overlap on different lanes: keep the default for DevTools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChromeOptions {
    /// Which lanes node runs are drawn on.
    pub lanes: Lanes,
    /// How a slice is written.
    pub slices: Slices,
}

impl ChromeOptions {
    /// Default options with node runs drawn on `lanes`.
    #[must_use]
    pub fn lanes(lanes: Lanes) -> Self {
        ChromeOptions {
            lanes,
            ..Self::default()
        }
    }

    /// These options with slices written as `slices`.
    #[must_use]
    pub fn with_slices(mut self, slices: Slices) -> Self {
        self.slices = slices;
        self
    }
}

/// How a slice (a node run, the whole execution) is written in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Slices {
    /// One complete event (`ph: "X"`) with its duration: read by every consumer, including
    /// the DevTools trace engine.
    #[default]
    Complete,
    /// A `B` event at the start and an `E` event at the end, balanced and nested per lane.
    BeginEnd,
}

const PID: u32 = 1;
const MICROS: f64 = 1e6;

/// Where trace time 0 lands in the export, in µs. Not 0 because the DevTools
/// trace engine reads `ts: 0` as "no timestamp" and leaves such events out of
/// the trace bounds (the first node would be cut off); viewers show times
/// relative to the first event, so the offset is invisible there.
pub const TS_ORIGIN_US: f64 = 1.0;

/// Trace seconds to export microseconds.
fn us(seconds: f64) -> f64 {
    seconds * MICROS + TS_ORIGIN_US
}

/// Lane groups, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Group {
    Execution,
    Steps,
    Work,
}

struct Lane {
    name: String,
    group: Group,
    first_ts: f64,
    /// End (µs) of the last slice placed on this lane.
    last_end: Option<f64>,
}

/// One output event before lanes get their final tids.
struct Item {
    lane: usize,
    ts: f64,
    rank: u8,
    seq: usize,
    event: Map<String, Value>,
}

// Order of events sharing a timestamp: async ends, instants, slices, async
// begins, then zero-length spans (a zero-length async begin right before its
// end; a zero-length slice after the slice that starts with it, as its child).
const RANK_ASYNC_END: u8 = 0;
const RANK_INSTANT: u8 = 1;
const RANK_SLICE: u8 = 2;
const RANK_ASYNC_BEGIN: u8 = 3;
const RANK_ZERO: u8 = 4;

#[derive(Default)]
struct Builder {
    slices: Slices,
    lanes: Vec<Lane>,
    by_key: HashMap<(Group, String), usize>,
    items: Vec<Item>,
}

impl Builder {
    fn lane(&mut self, group: Group, name: &str, ts: f64) -> usize {
        let key = (group, name.to_owned());
        if let Some(&i) = self.by_key.get(&key) {
            let lane = &mut self.lanes[i];
            lane.first_ts = lane.first_ts.min(ts);
            return i;
        }
        self.lanes.push(Lane {
            name: name.to_owned(),
            group,
            first_ts: ts,
            last_end: None,
        });
        self.by_key.insert(key, self.lanes.len() - 1);
        self.lanes.len() - 1
    }

    /// The first lane of the chain `base`, `base (overflow)`, `base (overflow 2)`, ...
    /// whose last slice ends at or before `start`.
    fn free_lane(&mut self, base: &str, start: f64) -> usize {
        for k in 0.. {
            let name = match k {
                0 => base.to_owned(),
                1 => format!("{base} (overflow)"),
                _ => format!("{base} (overflow {k})"),
            };
            let i = self.lane(Group::Work, &name, start);
            if self.lanes[i].last_end.is_none_or(|end| end <= start) {
                return i;
            }
        }
        unreachable!("the lane chain is unbounded")
    }

    fn push(&mut self, lane: usize, ts: f64, rank: u8, event: Map<String, Value>) {
        let seq = self.items.len();
        self.items.push(Item {
            lane,
            ts,
            rank,
            seq,
            event,
        });
    }

    /// A slice of `dur` µs from `begin` µs on `lane`: one `X` event, or a `B`/`E` pair whose
    /// `E` sorts before other events at its timestamp (a zero-length pair stays in order).
    fn slice(&mut self, lane: usize, begin: f64, dur: f64, mut head: Map<String, Value>) {
        let rank = if dur > 0.0 { RANK_SLICE } else { RANK_ZERO };
        match self.slices {
            Slices::Complete => {
                head.insert("ph".into(), "X".into());
                head.insert("dur".into(), json_number(dur));
                self.push(lane, begin, rank, head);
            }
            Slices::BeginEnd => {
                let mut end = Map::new();
                end.insert("ph".into(), "E".into());
                end.insert(
                    "name".into(),
                    head.get("name").cloned().unwrap_or(Value::Null),
                );
                end.insert(
                    "cat".into(),
                    head.get("cat").cloned().unwrap_or(Value::Null),
                );
                head.insert("ph".into(), "B".into());
                self.push(lane, begin, rank, head);
                let end_rank = if dur > 0.0 { RANK_ASYNC_END } else { RANK_ZERO };
                self.push(lane, begin + dur, end_rank, end);
            }
        }
        self.lanes[lane].last_end = Some(begin + dur);
    }

    /// An async `b`/`e` pair from `begin` to `end` µs on `lane`.
    fn async_span(&mut self, lane: usize, begin: f64, end: f64, head: Map<String, Value>) {
        let (rb, re) = if end > begin {
            (RANK_ASYNC_BEGIN, RANK_ASYNC_END)
        } else {
            (RANK_ZERO, RANK_ZERO)
        };
        let mut b = head.clone();
        b.insert("ph".into(), "b".into());
        let mut e = head;
        e.insert("ph".into(), "e".into());
        e.remove("args");
        self.push(lane, begin, rb, b);
        self.push(lane, end, re, e);
    }
}

fn head(name: &str, cat: &str, args: Map<String, Value>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), name.into());
    m.insert("cat".into(), cat.into());
    if !args.is_empty() {
        m.insert("args".into(), Value::Object(args));
    }
    m
}

fn worker_lane(worker: Option<usize>) -> String {
    match worker {
        Some(w) => format!("worker {w}"),
        None => "unassigned".to_owned(),
    }
}

fn run_args(run: &NodeRun) -> Map<String, Value> {
    let mut args = Map::new();
    args.insert("status".into(), run.status.as_str().into());
    if let Some(s) = run.step {
        args.insert("step".into(), s.into());
    }
    if let Some(w) = run.worker {
        args.insert("worker".into(), w.into());
    }
    if let Some(a) = run.attempt {
        args.insert("attempt".into(), a.into());
    }
    if let Some(e) = &run.error
        && run.status != RunStatus::Completed
    {
        args.insert("error".into(), e.as_str().into());
    }
    args
}

/// Whether `kind` is drawn as an instant event.
fn is_instant(kind: TraceEventType) -> bool {
    use TraceEventType as T;
    matches!(
        kind,
        T::NodeFailed
            | T::NodeSkipped
            | T::NodeTimedOut
            | T::NodeCancelled
            | T::NodeCacheHit
            | T::NodeCacheMiss
            | T::NodeGateWaiting
            | T::NodeGateResolved
            | T::ResourceAcquired
            | T::ResourceReleased
    )
}

fn instant_args(ev: &TraceEvent) -> Map<String, Value> {
    let mut args = Map::new();
    args.insert("event".into(), ev.event_type.as_str().into());
    if let Some(n) = &ev.node_name {
        args.insert("node".into(), n.as_str().into());
    }
    if let Some(e) = &ev.error {
        args.insert("error".into(), e.as_str().into());
    }
    if let Some(s) = ev.step_index {
        args.insert("step".into(), s.into());
    }
    if let Some(w) = ev.worker {
        args.insert("worker".into(), w.into());
    }
    if let Some(d) = ev.duration.filter(|d| d.is_finite()) {
        args.insert("duration_s".into(), d.into());
    }
    if let Some(m) = &ev.metadata {
        args.insert("metadata".into(), Value::Object(m.clone()));
    }
    args
}

/// Builds the Chrome Trace Event Format JSON for `events`.
pub(crate) fn export(dag_name: &str, events: &[TraceEvent], options: ChromeOptions) -> String {
    let analysis = analyze(events);
    let mut b = Builder {
        slices: options.slices,
        ..Builder::default()
    };

    if let Some((start, end)) = analysis.execution {
        let (s, e) = (us(start), us(end));
        let lane = b.lane(Group::Execution, "execution", s);
        let mut args = Map::new();
        args.insert("dag".into(), dag_name.into());
        b.slice(lane, s, e - s, head(dag_name, "execution", args));
    }

    for step in &analysis.steps {
        let (s, e) = (us(step.start), us(step.end));
        let lane = b.lane(Group::Steps, "steps", s);
        let mut args = Map::new();
        args.insert("step".into(), step.index.into());
        let mut h = head(&format!("step {}", step.index), "step", args);
        h.insert("id".into(), step.index.into());
        b.async_span(lane, s, e, h);
    }

    // Node runs, in start order; remember where each node was drawn.
    let mut node_worker: HashMap<&str, Option<usize>> = HashMap::new();
    for run in &analysis.runs {
        let (s, dur) = (us(run.start), run.duration * MICROS);
        let base = match options.lanes {
            Lanes::Node => run.node.clone(),
            Lanes::Worker => worker_lane(run.worker),
        };
        let lane = b.free_lane(&base, s);
        b.slice(lane, s, dur, head(&run.node, "node", run_args(run)));
        node_worker.entry(&run.node).or_insert(run.worker);
    }

    for ev in analysis.events.iter().filter(|e| is_instant(e.event_type)) {
        let ts = us(ev.timestamp);
        let lane = match (&ev.node_name, options.lanes) {
            (Some(node), Lanes::Node) => b.lane(Group::Work, node, ts),
            (Some(node), Lanes::Worker) => {
                match ev
                    .worker
                    .or(node_worker.get(node.as_str()).copied().flatten())
                {
                    Some(w) => b.lane(Group::Work, &worker_lane(Some(w)), ts),
                    None => b.lane(Group::Execution, "execution", ts),
                }
            }
            (None, _) => b.lane(Group::Execution, "execution", ts),
        };
        let name = match &ev.node_name {
            Some(node) => format!("{node} ({})", ev.event_type),
            None => ev.event_type.to_string(),
        };
        let mut h = head(&name, "node", instant_args(ev));
        // "I" (Chromium's own instant phase) rather than the newer alias "i":
        // Perfetto and chrome://tracing read both, the DevTools engine only "I".
        h.insert("ph".into(), "I".into());
        h.insert("s".into(), "t".into());
        b.push(lane, ts, RANK_INSTANT, h);
    }

    finish(dag_name, b)
}

/// Assigns tids in display order, sorts the events and renders the JSON.
fn finish(dag_name: &str, b: Builder) -> String {
    let mut order: Vec<usize> = (0..b.lanes.len()).collect();
    order.sort_by(|&x, &y| {
        let (lx, ly) = (&b.lanes[x], &b.lanes[y]);
        lx.group
            .cmp(&ly.group)
            .then(lx.first_ts.total_cmp(&ly.first_ts))
            .then(x.cmp(&y))
    });
    let mut tid = vec![0_usize; b.lanes.len()];
    let mut out: Vec<Value> = vec![json!({
        "ph": "M", "pid": PID, "tid": 0, "ts": 0, "name": "process_name",
        "args": {"name": dag_name},
    })];
    for (pos, &lane) in order.iter().enumerate() {
        tid[lane] = pos + 1;
        out.push(json!({
            "ph": "M", "pid": PID, "tid": pos + 1, "ts": 0, "name": "thread_name",
            "args": {"name": b.lanes[lane].name},
        }));
        out.push(json!({
            "ph": "M", "pid": PID, "tid": pos + 1, "ts": 0, "name": "thread_sort_index",
            "args": {"sort_index": pos},
        }));
    }

    let mut items = b.items;
    items.sort_by(|x, y| {
        x.ts.total_cmp(&y.ts)
            .then(x.rank.cmp(&y.rank))
            .then(x.seq.cmp(&y.seq))
    });
    for item in items {
        let mut ev = item.event;
        ev.insert("pid".into(), PID.into());
        ev.insert("tid".into(), tid[item.lane].into());
        ev.insert("ts".into(), json_number(item.ts));
        out.push(Value::Object(ev));
    }

    let doc = json!({
        "traceEvents": out,
        "displayTimeUnit": "ms",
        "otherData": {"dag": dag_name},
    });
    // Serializing a `Value` to a string cannot fail.
    serde_json::to_string(&doc).unwrap_or_default()
}

/// A finite JSON number (non-finite input was filtered out upstream).
fn json_number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::from(0), Value::Number)
}
