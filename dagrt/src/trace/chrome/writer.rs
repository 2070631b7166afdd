//! The streaming Chrome export: events are paired into runs as they come (only open runs are
//! held), each output event waits in a small reorder heap until nothing earlier can follow,
//! then is written. Two passes over the trace's events; memory is one entry per lane plus the
//! items overlapping the oldest open run.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::io::{self, Write};

use super::json::{Args, meta};
use super::lane::Lane;
use super::{ChromeOptions, Slices, TS_ORIGIN_US};
use crate::trace::ExecutionTrace;
use crate::trace::analysis::{Paired, Pairer};
use crate::trace::run::NodeRun;
use crate::trace::{TraceEvent, TraceEventType};

pub(super) const MICROS: f64 = 1e6;

// Order of events sharing a timestamp: async ends, instants, slices, async
// begins, then zero-length spans (a zero-length async begin right before its
// end; a zero-length slice after the slice that starts with it, as its child).
pub(super) const RANK_ASYNC_END: u8 = 0;
pub(super) const RANK_INSTANT: u8 = 1;
pub(super) const RANK_SLICE: u8 = 2;
pub(super) const RANK_ASYNC_BEGIN: u8 = 3;
pub(super) const RANK_ZERO: u8 = 4;

/// Trace seconds to export microseconds (finite).
pub(super) fn us(seconds: f64) -> f64 {
    fin(seconds * MICROS + TS_ORIGIN_US)
}

pub(super) fn fin(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// What an item draws.
pub(super) enum Body {
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
pub(super) struct Item {
    pub(super) ts: f64,
    pub(super) rank: u8,
    pub(super) seq: u64,
    pub(super) dur: f64,
    pub(super) body: Body,
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

/// Whether `kind` is drawn as an instant event.
pub(super) fn is_instant(kind: TraceEventType) -> bool {
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

/// The export in progress: lanes, the reorder heap and the runs still open.
pub(super) struct Writer<'a, W: Write> {
    pub(super) out: &'a mut W,
    /// The first write error; nothing is written after it.
    pub(super) error: Option<io::Error>,
    pub(super) first: bool,
    pub(super) dag_name: &'a str,
    pub(super) options: ChromeOptions,
    /// Items earlier than the current time by more than this (µs) can be written.
    pub(super) lookback_us: f64,
    pub(super) lanes: Vec<Lane>,
    pub(super) work: HashMap<String, usize>,
    pub(super) exec_lane: Option<usize>,
    pub(super) steps_lane: Option<usize>,
    pub(super) heap: BinaryHeap<Reverse<Item>>,
    /// `seq → start (µs)` of the runs started and not ended: their slices come later.
    pub(super) reserved: BTreeMap<u64, f64>,
    /// `seq → lane` of `B` events written whose `E` is not.
    pub(super) begin_lanes: HashMap<u64, usize>,
    /// Where each node's first run was drawn (worker lanes only).
    pub(super) node_worker: HashMap<String, Option<usize>>,
    /// Nodes whose last run failed (a later `node_timed_out` marks it, not a new run).
    pub(super) failed: HashSet<String>,
}

impl<W: Write> Writer<'_, W> {
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
        if run.status.failed() {
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
}
