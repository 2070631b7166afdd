//! Test helpers: an invariant checker for Chrome exports and sample traces.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::event::{TraceEvent, TraceEventType as T};

/// A slice (`ph: "X"`) found in an export.
#[derive(Debug, Clone)]
pub(crate) struct Slice {
    pub lane: String,
    pub name: String,
    pub begin: f64,
    pub end: f64,
    /// The `dur` field as written (µs).
    pub dur: f64,
    pub args: Value,
}

/// What [`check_chrome`] found in a valid export.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    /// tid → lane name.
    pub lanes: BTreeMap<u64, String>,
    /// Lane names in `thread_sort_index` order.
    pub lane_order: Vec<String>,
    pub slices: Vec<Slice>,
    /// `(lane, event)` of every instant event.
    pub instants: Vec<(String, Value)>,
    /// `(id, begin, end)` of every async pair.
    pub asyncs: Vec<(u64, f64, f64)>,
}

impl Checked {
    pub(crate) fn slices_named(&self, name: &str) -> Vec<&Slice> {
        self.slices.iter().filter(|s| s.name == name).collect()
    }

    pub(crate) fn instants_named(&self, node: &str) -> Vec<&Value> {
        self.instants
            .iter()
            .filter(|(_, e)| e["args"]["node"] == node)
            .map(|(_, e)| e)
            .collect()
    }
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// Parses a Chrome export and panics unless every invariant holds: slices
/// (`X`) per lane properly nested (never partially overlapping), in an order
/// where parents come before children, non-decreasing `ts` per lane,
/// balanced async pairs, a `thread_name` for every lane and `process_name`
/// equal to `dag_name`.
pub(crate) fn check_chrome(json: &str, dag_name: &str) -> Checked {
    let doc: Value = serde_json::from_str(json).expect("export is valid JSON");
    assert_eq!(doc["displayTimeUnit"], "ms");
    let events = doc["traceEvents"].as_array().expect("traceEvents array");
    let mut out = Checked::default();
    let mut process_name = None;
    let mut sort_index: BTreeMap<u64, u64> = BTreeMap::new();
    for e in events.iter().filter(|e| e["ph"] == "M") {
        assert_eq!(e["pid"], 1, "pid 1: {e}");
        let tid = e["tid"].as_u64().expect("M tid");
        match e["name"].as_str() {
            Some("process_name") => process_name = e["args"]["name"].as_str(),
            Some("thread_name") => {
                let name = e["args"]["name"].as_str().expect("thread name");
                assert!(
                    out.lanes.insert(tid, name.to_owned()).is_none(),
                    "tid {tid} named twice"
                );
            }
            Some("thread_sort_index") => {
                sort_index.insert(tid, e["args"]["sort_index"].as_u64().expect("index"));
            }
            other => panic!("unexpected metadata event {other:?}"),
        }
    }
    assert_eq!(process_name, Some(dag_name), "process_name");
    let mut by_index: Vec<(u64, u64)> = sort_index.into_iter().map(|(t, i)| (i, t)).collect();
    by_index.sort();
    out.lane_order = by_index.iter().map(|(_, t)| out.lanes[t].clone()).collect();
    assert_eq!(
        out.lane_order.len(),
        out.lanes.len(),
        "a sort index per lane"
    );

    let mut last_ts: HashMap<u64, f64> = HashMap::new();
    // Per lane, the slices that contain the current timestamp: `(name, end)`.
    let mut stacks: HashMap<u64, Vec<(String, f64)>> = HashMap::new();
    let mut open_async: HashMap<u64, f64> = HashMap::new();
    // Per lane, the `B` events not yet closed: `(name, begin, args)`.
    let mut open_b: HashMap<u64, Vec<(String, f64, Value)>> = HashMap::new();
    for e in events.iter().filter(|e| e["ph"] != "M") {
        assert_eq!(e["pid"], 1, "pid 1: {e}");
        let tid = e["tid"].as_u64().expect("tid");
        let lane = out
            .lanes
            .get(&tid)
            .unwrap_or_else(|| panic!("tid {tid} has no thread_name"))
            .clone();
        let ts = num(&e["ts"], "ts");
        let prev = last_ts.insert(tid, ts).unwrap_or(f64::NEG_INFINITY);
        assert!(ts >= prev, "ts goes back on lane {lane}: {prev} then {ts}");
        let name = e["name"].as_str().expect("name").to_owned();
        match e["ph"].as_str().expect("ph") {
            "X" => {
                let dur = num(&e["dur"], "dur");
                assert!(dur >= 0.0, "negative dur: {e}");
                let end = ts + dur;
                let stack = stacks.entry(tid).or_default();
                while stack.last().is_some_and(|(_, top_end)| *top_end <= ts) {
                    stack.pop();
                }
                if let Some((parent, parent_end)) = stack.last() {
                    assert!(
                        end <= *parent_end,
                        "{name} partially overlaps {parent} on lane {lane}"
                    );
                }
                stack.push((name.clone(), end));
                out.slices.push(Slice {
                    lane,
                    name,
                    begin: ts,
                    end,
                    dur,
                    args: e["args"].clone(),
                });
            }
            "B" => {
                open_b
                    .entry(tid)
                    .or_default()
                    .push((name, ts, e["args"].clone()));
            }
            "E" => {
                let (begin_name, begin, args) = open_b
                    .get_mut(&tid)
                    .and_then(Vec::pop)
                    .unwrap_or_else(|| panic!("E without B on lane {lane}: {e}"));
                assert_eq!(begin_name, name, "E closes another slice on lane {lane}");
                out.slices.push(Slice {
                    lane,
                    name,
                    begin,
                    end: ts,
                    dur: ts - begin,
                    args,
                });
            }
            "I" => {
                assert_eq!(e["s"], "t", "thread-scoped instant");
                out.instants.push((lane, e.clone()));
            }
            "b" => {
                let id = e["id"].as_u64().expect("async id");
                assert!(
                    open_async.insert(id, ts).is_none(),
                    "async {id} opened twice"
                );
            }
            "e" => {
                let id = e["id"].as_u64().expect("async id");
                let begin = open_async.remove(&id).expect("async e without b");
                out.asyncs.push((id, begin, ts));
            }
            ph => panic!("unexpected phase {ph}"),
        }
    }
    assert!(open_async.is_empty(), "unclosed async events");
    assert!(
        open_b.values().all(Vec::is_empty),
        "B events without E: {open_b:?}"
    );
    out
}

/// Asserts that slices on each lane are pairwise disjoint (no nesting at all).
pub(crate) fn assert_no_overlap(c: &Checked) {
    let mut by_lane: HashMap<&str, Vec<&Slice>> = HashMap::new();
    for s in &c.slices {
        by_lane.entry(&s.lane).or_default().push(s);
    }
    for (lane, mut slices) in by_lane {
        slices.sort_by(|a, b| a.begin.total_cmp(&b.begin).then(a.end.total_cmp(&b.end)));
        for w in slices.windows(2) {
            assert!(
                w[1].begin >= w[0].end,
                "overlap on lane {lane}: {:?} / {:?}",
                w[0],
                w[1]
            );
        }
    }
}

fn run(node: &str, start: f64, dur: f64, worker: usize, step: usize) -> [TraceEvent; 2] {
    [
        TraceEvent::new(T::NodeStarted, start)
            .with_node(node)
            .with_worker(worker)
            .with_step(step),
        TraceEvent::new(T::NodeCompleted, start + dur)
            .with_node(node)
            .with_worker(worker)
            .with_step(step)
            .with_duration(dur),
    ]
}

/// The ETL example: extract → transform_a, transform_b → merge → load, on 2 workers.
pub(crate) fn etl_ok() -> Vec<TraceEvent> {
    let mut v = vec![TraceEvent::new(T::ExecutionStarted, 0.0)];
    v.push(TraceEvent::new(T::StepStarted, 0.0).with_step(0));
    v.extend(run("extract", 0.0, 0.1, 0, 0));
    v.push(
        TraceEvent::new(T::StepCompleted, 0.1)
            .with_step(0)
            .with_duration(0.1),
    );
    v.push(TraceEvent::new(T::StepStarted, 0.1021).with_step(1));
    v.extend(run("transform_a", 0.1021, 0.2991, 0, 1));
    v.extend(run("transform_b", 0.1023, 0.2, 1, 1));
    v.push(
        TraceEvent::new(T::StepCompleted, 0.4012)
            .with_step(1)
            .with_duration(0.2991),
    );
    v.push(TraceEvent::new(T::StepStarted, 0.4013).with_step(2));
    v.extend(run("merge", 0.4013, 0.05, 1, 2));
    v.push(
        TraceEvent::new(T::StepCompleted, 0.4513)
            .with_step(2)
            .with_duration(0.05),
    );
    v.push(TraceEvent::new(T::StepStarted, 0.4514).with_step(3));
    v.extend(run("load", 0.4514, 0.0996, 0, 3));
    v.push(
        TraceEvent::new(T::StepCompleted, 0.551)
            .with_step(3)
            .with_duration(0.0996),
    );
    v.push(TraceEvent::new(T::ExecutionCompleted, 0.551).with_duration(0.551));
    v
}

/// The ETL example where transform_a fails: merge is skipped, load cancelled.
pub(crate) fn etl_failed() -> Vec<TraceEvent> {
    let mut v = vec![TraceEvent::new(T::ExecutionStarted, 0.0)];
    v.push(TraceEvent::new(T::StepStarted, 0.0).with_step(0));
    v.extend(run("extract", 0.0, 0.1, 0, 0));
    v.push(TraceEvent::new(T::StepCompleted, 0.1).with_step(0));
    v.push(TraceEvent::new(T::StepStarted, 0.1021).with_step(1));
    v.push(
        TraceEvent::new(T::NodeStarted, 0.1021)
            .with_node("transform_a")
            .with_worker(0)
            .with_step(1)
            .with_metadata("attempt", 1),
    );
    v.push(
        TraceEvent::new(T::NodeFailed, 0.2)
            .with_node("transform_a")
            .with_worker(0)
            .with_step(1)
            .with_duration(0.2 - 0.1021)
            .with_error("division by zero")
            .with_metadata("attempt", 1),
    );
    v.extend(run("transform_b", 0.1023, 0.2, 1, 1));
    v.push(TraceEvent::new(T::StepCompleted, 0.3023).with_step(1));
    v.push(
        TraceEvent::new(T::NodeSkipped, 0.3024)
            .with_node("merge")
            .with_step(2)
            .with_error("upstream task `transform_a` failed"),
    );
    v.push(
        TraceEvent::new(T::NodeCancelled, 0.3024)
            .with_node("load")
            .with_step(3)
            .with_error("execution cancelled"),
    );
    v.push(TraceEvent::new(T::ExecutionCompleted, 0.3025).with_duration(0.3025));
    v
}
