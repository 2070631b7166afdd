//! The streaming Chrome export: events are paired into runs as they come (only open runs are
//! held), each output event waits in a small reorder heap until nothing earlier can follow,
//! then is written. Two passes over the trace's events; memory is one entry per lane plus the
//! items overlapping the oldest open run.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::ExecutionTrace;
use super::analysis::{NodeRun, Paired, Pairer, RunStatus};
use super::chrome::{ChromeOptions, Lanes, Slices, TS_ORIGIN_US};
use super::event::{TraceEvent, TraceEventType};

const PID: u32 = 1;
const MICROS: f64 = 1e6;

// Order of events sharing a timestamp: async ends, instants, slices, async
// begins, then zero-length spans (a zero-length async begin right before its
// end; a zero-length slice after the slice that starts with it, as its child).
const RANK_ASYNC_END: u8 = 0;
const RANK_INSTANT: u8 = 1;
const RANK_SLICE: u8 = 2;
const RANK_ASYNC_BEGIN: u8 = 3;
const RANK_ZERO: u8 = 4;

/// Trace seconds to export microseconds (finite).
fn us(seconds: f64) -> f64 {
    fin(seconds * MICROS + TS_ORIGIN_US)
}

fn fin(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
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

enum Body {
    Exec,
    Run(NodeRun),
    /// The `E` of a `B`/`E` pair: goes on the lane of the item numbered `begin`.
    End {
        name: String,
        cat: &'static str,
        begin: u64,
    },
    StepBegin(usize),
    StepEnd(usize),
    Instant(TraceEvent),
}

/// One output event, ordered by `(ts, rank, seq)`.
struct Item {
    ts: f64,
    rank: u8,
    seq: u64,
    dur: f64,
    body: Body,
}

impl Item {
    fn key(&self) -> (f64, u8, u64) {
        (self.ts, self.rank, self.seq)
    }
}

fn cmp_key(a: (f64, u8, u64), b: (f64, u8, u64)) -> Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_key(self.key(), other.key())
    }
}

/// One event as written.
#[derive(Serialize)]
struct Out<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'a str>,
    ph: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    pid: u32,
    tid: usize,
    ts: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    #[serde(skip_serializing_if = "Args::is_empty")]
    args: Args<'a>,
}

#[derive(Serialize, Default)]
struct Args<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dag: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    worker: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a Map<String, Value>>,
}

impl Args<'_> {
    fn is_empty(&self) -> bool {
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

fn worker_lane(worker: Option<usize>) -> String {
    match worker {
        Some(w) => format!("worker {w}"),
        None => "unassigned".to_owned(),
    }
}

/// Writes `trace` as Chrome Trace Event Format JSON to `out`.
pub(crate) fn write(
    dag_name: &str,
    trace: &ExecutionTrace,
    options: ChromeOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    // Pass 1: the execution span, and how far before its event an item may land (an end
    // without a start is drawn from `duration` before it; executor traces have none).
    let mut pre = Pairer::default();
    let mut lookback = 0.0_f64;
    let mut seq = 0;
    trace.visit(&mut |e| {
        if !e.timestamp.is_finite() {
            return;
        }
        seq += 1;
        let ts = e.timestamp;
        pre.event(e, seq, &mut |p| match p {
            Paired::Run { run, opened: None } | Paired::LateTimeout { run } => {
                lookback = lookback.max(ts - run.start);
            }
            Paired::Step {
                span,
                opened: false,
            } => lookback = lookback.max(ts - span.start),
            _ => {}
        });
    });
    let (execution, _) = pre.execution();

    let mut w = Writer {
        out,
        error: None,
        first: true,
        dag_name,
        options,
        lookback_us: 2.0 * lookback * MICROS,
        lanes: Vec::new(),
        work: HashMap::new(),
        exec_lane: None,
        steps_lane: None,
        heap: BinaryHeap::new(),
        reserved: BTreeMap::new(),
        begin_lanes: HashMap::new(),
        node_worker: HashMap::new(),
        failed: HashSet::new(),
    };
    w.raw(b"{\"traceEvents\":[");
    w.emit(&meta(
        "process_name",
        0,
        Args {
            name: Some(dag_name),
            ..Args::default()
        },
    ));
    if let Some((start, end)) = execution {
        let (s, e) = (us(start), us(end));
        w.slice(s, e - s, 0, 1, Body::Exec, dag_name, "execution");
    }

    // Pass 2: pair, reorder, write.
    let mut pairer = Pairer::default();
    let mut paired = Vec::new();
    let mut seq = 0;
    trace.visit(&mut |e| {
        if !e.timestamp.is_finite() || w.error.is_some() {
            return;
        }
        seq += 1;
        let ts = us(e.timestamp);
        pairer.event(e, seq, &mut |p| paired.push(p));
        if e.event_type == TraceEventType::StepStarted
            && let Some(i) = e.step_index
        {
            w.push(ts, RANK_ASYNC_BEGIN, 4 * seq + 2, 0.0, Body::StepBegin(i));
        }
        for p in paired.drain(..) {
            w.paired(p, ts, seq);
        }
        if is_instant(e.event_type) {
            w.push(
                ts,
                RANK_INSTANT,
                4 * seq + 1,
                0.0,
                Body::Instant(e.to_event()),
            );
        }
        w.release(ts);
    });
    seq += 1;
    pairer.finish(&mut |p| paired.push(p));
    for p in paired.drain(..) {
        w.paired(p, f64::INFINITY, seq);
    }
    w.release(f64::INFINITY);
    w.finish()
}

fn meta<'a>(name: &'a str, tid: usize, args: Args<'a>) -> Out<'a> {
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

struct Writer<'a, W: Write> {
    out: &'a mut W,
    /// The first write error; nothing is written after it.
    error: Option<io::Error>,
    first: bool,
    dag_name: &'a str,
    options: ChromeOptions,
    /// Items earlier than the current time by more than this (µs) can be written.
    lookback_us: f64,
    lanes: Vec<Lane>,
    work: HashMap<String, usize>,
    exec_lane: Option<usize>,
    steps_lane: Option<usize>,
    heap: BinaryHeap<Reverse<Item>>,
    /// `seq → start (µs)` of the runs started and not ended: their slices come later.
    reserved: BTreeMap<u64, f64>,
    /// `seq → lane` of `B` events written whose `E` is not.
    begin_lanes: HashMap<u64, usize>,
    /// Where each node's first run was drawn (worker lanes only).
    node_worker: HashMap<String, Option<usize>>,
    /// Nodes whose last run failed (a later `node_timed_out` marks it, not a new run).
    failed: HashSet<String>,
}

impl<W: Write> Writer<'_, W> {
    fn raw(&mut self, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(bytes)
        {
            self.error = Some(e);
        }
    }

    fn emit(&mut self, ev: &Out<'_>) {
        if self.error.is_some() {
            return;
        }
        if !std::mem::take(&mut self.first) {
            self.raw(b",");
        }
        if let Err(e) = serde_json::to_writer(&mut *self.out, ev) {
            self.error = Some(e.into());
        }
    }

    fn push(&mut self, ts: f64, rank: u8, seq: u64, dur: f64, body: Body) {
        self.heap.push(Reverse(Item {
            ts,
            rank,
            seq,
            dur,
            body,
        }));
    }

    /// A slice from `begin` µs lasting `dur` µs: one item, or a `B` item and an `E` item.
    #[allow(clippy::too_many_arguments)]
    fn slice(
        &mut self,
        begin: f64,
        dur: f64,
        seq: u64,
        end_seq: u64,
        body: Body,
        name: &str,
        cat: &'static str,
    ) {
        let dur = fin(dur).max(0.0);
        let rank = if dur > 0.0 { RANK_SLICE } else { RANK_ZERO };
        self.push(begin, rank, seq, dur, body);
        if self.options.slices == Slices::BeginEnd {
            let end_rank = if dur > 0.0 { RANK_ASYNC_END } else { RANK_ZERO };
            let end = Body::End {
                name: name.to_owned(),
                cat,
                begin: seq,
            };
            self.push(begin + dur, end_rank, end_seq, 0.0, end);
        }
    }

    fn paired(&mut self, p: Paired, now: f64, seq: u64) {
        match p {
            Paired::Opened { seq: s } => {
                self.reserved.insert(s, now);
            }
            Paired::Run { run, opened } => {
                let key_seq = match opened {
                    Some(s) => {
                        self.reserved.remove(&s);
                        4 * s
                    }
                    None => 4 * seq,
                };
                self.run(run, key_seq, 4 * seq + 3);
            }
            Paired::LateTimeout { run } => {
                if !self.failed.contains(&run.node) {
                    self.run(run, 4 * seq, 4 * seq + 3);
                }
            }
            Paired::Step { span, opened } => {
                let (s, e) = (us(span.start), us(span.end));
                if !opened {
                    self.push(
                        s,
                        RANK_ASYNC_BEGIN,
                        4 * seq + 2,
                        0.0,
                        Body::StepBegin(span.index),
                    );
                }
                let rank = if e > s { RANK_ASYNC_END } else { RANK_ZERO };
                self.push(e, rank, 4 * seq + 2, 0.0, Body::StepEnd(span.index));
            }
            Paired::NotRun(_) => {}
        }
    }

    fn run(&mut self, run: NodeRun, seq: u64, end_seq: u64) {
        if run.status == RunStatus::Failed {
            self.failed.insert(run.node.clone());
        } else if !self.failed.is_empty() {
            self.failed.remove(&run.node);
        }
        let (begin, dur) = (us(run.start), run.duration * MICROS);
        let name = run.node.clone();
        self.slice(begin, dur, seq, end_seq, Body::Run(run), &name, "node");
    }

    /// Writes every item that nothing still to come can precede.
    fn release(&mut self, now: f64) {
        let mut bound = (now - self.lookback_us, 0, 0);
        if let Some((&s, &ts)) = self.reserved.first_key_value() {
            let open = (ts, RANK_SLICE, 4 * s);
            if cmp_key(open, bound).is_lt() {
                bound = open;
            }
        }
        while let Some(Reverse(top)) = self.heap.peek() {
            if !cmp_key(top.key(), bound).is_lt() {
                break;
            }
            if let Some(Reverse(item)) = self.heap.pop() {
                self.write_item(item);
            }
        }
    }

    fn lane(&mut self, group: Group, name: &str, ts: f64) -> usize {
        let fixed = match group {
            Group::Execution => self.exec_lane,
            Group::Steps => self.steps_lane,
            Group::Work => self.work.get(name).copied(),
        };
        if let Some(i) = fixed {
            return i;
        }
        let i = self.lanes.len();
        self.lanes.push(Lane {
            name: name.to_owned(),
            group,
            first_ts: ts,
            last_end: None,
        });
        match group {
            Group::Execution => self.exec_lane = Some(i),
            Group::Steps => self.steps_lane = Some(i),
            Group::Work => {
                self.work.insert(name.to_owned(), i);
            }
        }
        i
    }

    /// The first lane of the chain `base`, `base (overflow)`, `base (overflow 2)`, ...
    /// whose last slice ends at or before `start`.
    fn free_lane(&mut self, base: &str, start: f64) -> usize {
        let mut k = 0;
        loop {
            let i = match k {
                0 => self.lane(Group::Work, base, start),
                1 => self.lane(Group::Work, &format!("{base} (overflow)"), start),
                _ => self.lane(Group::Work, &format!("{base} (overflow {k})"), start),
            };
            if self.lanes[i].last_end.is_none_or(|end| end <= start) {
                return i;
            }
            k += 1;
        }
    }

    fn write_item(&mut self, item: Item) {
        let ph_slice = match self.options.slices {
            Slices::Complete => "X",
            Slices::BeginEnd => "B",
        };
        let dur = (ph_slice == "X").then_some(item.dur);
        let mut out = Out {
            name: "",
            cat: None,
            ph: ph_slice,
            s: None,
            id: None,
            pid: PID,
            tid: 0,
            ts: item.ts,
            dur,
            args: Args::default(),
        };
        match &item.body {
            Body::Exec => {
                let lane = self.lane(Group::Execution, "execution", item.ts);
                self.lanes[lane].last_end = Some(item.ts + item.dur);
                self.begin_lanes.insert(item.seq, lane);
                out.tid = lane + 1;
                out.name = self.dag_name;
                out.cat = Some("execution");
                out.args.dag = Some(self.dag_name);
                self.emit(&out);
            }
            Body::Run(run) => {
                let base = match self.options.lanes {
                    Lanes::Node => run.node.clone(),
                    Lanes::Worker => {
                        if !self.node_worker.contains_key(&run.node) {
                            self.node_worker.insert(run.node.clone(), run.worker);
                        }
                        worker_lane(run.worker)
                    }
                };
                let lane = self.free_lane(&base, item.ts);
                self.lanes[lane].last_end = Some(item.ts + item.dur);
                if ph_slice == "B" {
                    self.begin_lanes.insert(item.seq, lane);
                }
                out.tid = lane + 1;
                out.name = &run.node;
                out.cat = Some("node");
                out.args = Args {
                    status: Some(run.status.as_str()),
                    step: run.step,
                    worker: run.worker,
                    attempt: run.attempt,
                    error: run
                        .error
                        .as_deref()
                        .filter(|_| run.status != RunStatus::Completed),
                    ..Args::default()
                };
                self.emit(&out);
            }
            Body::End { name, cat, begin } => {
                let lane = self.begin_lanes.remove(begin).unwrap_or(0);
                out.tid = lane + 1;
                out.ph = "E";
                out.dur = None;
                out.name = name;
                out.cat = Some(cat);
                self.emit(&out);
            }
            Body::StepBegin(i) | Body::StepEnd(i) => {
                let lane = self.lane(Group::Steps, "steps", item.ts);
                let name = format!("step {i}");
                out.tid = lane + 1;
                out.name = &name;
                out.cat = Some("step");
                out.id = Some(*i);
                out.dur = None;
                if matches!(item.body, Body::StepBegin(_)) {
                    out.ph = "b";
                    out.args.step = Some(*i);
                } else {
                    out.ph = "e";
                }
                self.emit(&out);
            }
            Body::Instant(ev) => {
                let lane = self.instant_lane(ev, item.ts);
                let name = match &ev.node_name {
                    Some(node) => format!("{node} ({})", ev.event_type),
                    None => ev.event_type.to_string(),
                };
                out.tid = lane + 1;
                out.name = &name;
                out.cat = Some("node");
                // "I" (Chromium's own instant phase) rather than the newer alias "i":
                // Perfetto and chrome://tracing read both, the DevTools engine only "I".
                out.ph = "I";
                out.s = Some("t");
                out.dur = None;
                out.args = Args {
                    event: Some(ev.event_type.as_str()),
                    node: ev.node_name.as_deref(),
                    error: ev.error.as_deref(),
                    step: ev.step_index,
                    worker: ev.worker,
                    duration_s: ev.duration.filter(|d| d.is_finite()),
                    metadata: ev.metadata.as_ref(),
                    ..Args::default()
                };
                self.emit(&out);
            }
        }
    }

    fn instant_lane(&mut self, ev: &TraceEvent, ts: f64) -> usize {
        match (&ev.node_name, self.options.lanes) {
            (Some(node), Lanes::Node) => self.lane(Group::Work, node, ts),
            (Some(node), Lanes::Worker) => {
                match ev.worker.or(self.node_worker.get(node).copied().flatten()) {
                    Some(w) => self.lane(Group::Work, &worker_lane(Some(w)), ts),
                    None => self.lane(Group::Execution, "execution", ts),
                }
            }
            (None, _) => self.lane(Group::Execution, "execution", ts),
        }
    }

    /// Names and orders the lanes, closes the document.
    fn finish(mut self) -> io::Result<()> {
        let mut order: Vec<usize> = (0..self.lanes.len()).collect();
        order.sort_by(|&x, &y| {
            let (lx, ly) = (&self.lanes[x], &self.lanes[y]);
            lx.group
                .cmp(&ly.group)
                .then(lx.first_ts.total_cmp(&ly.first_ts))
                .then(x.cmp(&y))
        });
        let lanes = std::mem::take(&mut self.lanes);
        for (pos, &lane) in order.iter().enumerate() {
            let name = lanes[lane].name.as_str();
            self.emit(&meta(
                "thread_name",
                lane + 1,
                Args {
                    name: Some(name),
                    ..Args::default()
                },
            ));
            self.emit(&meta(
                "thread_sort_index",
                lane + 1,
                Args {
                    sort_index: Some(pos),
                    ..Args::default()
                },
            ));
        }
        let tail = serde_json::json!({"dag": self.dag_name});
        self.raw(b"],\"displayTimeUnit\":\"ms\",\"otherData\":");
        if self.error.is_none()
            && let Err(e) = serde_json::to_writer(&mut *self.out, &tail)
        {
            self.error = Some(e.into());
        }
        self.raw(b"}");
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
