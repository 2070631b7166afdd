//! The streaming Chrome export (issue 10, point 8): `write_chrome_trace` writes exactly what
//! `to_chrome_trace` returns, in small pieces while it goes (it never holds the output), and
//! hands back the writer's error. The 1M-node time and memory are measured in
//! `dagrt/benches/trace.rs`.

use std::io::{self, Write};

use dag::graph::Graph;
use dag::trace::{ChromeOptions, ExecutionTrace, Lanes, Slices, TraceEvent, TraceEventType as T};
use dag::{Dag, Tasks};
use serde_json::Value;

/// A traced run of `a0 -> ... -> a{n-1}`, with a fan-out at the start so that runs overlap.
fn traced_run(n: usize) -> dag::Execution {
    let mut b = Graph::builder();
    let ids: Vec<_> = (0..n).map(|i| b.node(format!("a{i}"))).collect();
    for w in ids.windows(2) {
        b.edge(w[0], w[1]);
    }
    let side: Vec<_> = (0..8).map(|i| b.node(format!("side{i}"))).collect();
    for &s in &side {
        b.edge(ids[0], s);
    }
    let graph = b.build().expect("valid");
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        tasks.add(graph.name(v), || ());
    }
    Dag::from_graph("export", graph)
        .max_workers(2)
        .tracing(true)
        .execute_with(&tasks)
        .expect("runs")
}

/// Records every write it is handed.
#[derive(Default)]
struct Recorder {
    bytes: Vec<u8>,
    writes: Vec<usize>,
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes.push(buf.len());
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn all_options() -> Vec<ChromeOptions> {
    let mut out = Vec::new();
    for lanes in [Lanes::Node, Lanes::Worker] {
        for slices in [Slices::Complete, Slices::BeginEnd] {
            out.push(ChromeOptions::lanes(lanes).with_slices(slices));
        }
    }
    out
}

#[test]
fn the_stream_is_the_string_written_in_pieces() {
    let exec = traced_run(10_000);
    let trace = exec.trace.as_ref().expect("tracing on");
    for options in all_options() {
        let mut rec = Recorder::default();
        trace
            .write_chrome_trace_with(&mut rec, options)
            .expect("written");
        let text = trace.to_chrome_trace_with(options);
        assert_eq!(rec.bytes, text.as_bytes(), "{options:?}");
        // Handed over in buffer-sized pieces as it goes, never as one block.
        assert!(rec.bytes.len() > 1 << 20, "{} bytes", rec.bytes.len());
        assert!(rec.writes.iter().all(|&w| w <= 1 << 16), "{options:?}");
        assert!(rec.writes.len() >= rec.bytes.len() >> 16, "{options:?}");
        let doc: Value = serde_json::from_str(&text).expect("valid JSON");
        let events = doc["traceEvents"].as_array().expect("events");
        let slices = events
            .iter()
            .filter(|e| e["ph"] == "X" || e["ph"] == "B")
            .filter(|e| e["cat"] == "node")
            .count();
        assert_eq!(slices, 10_008, "{options:?}");
    }
}

#[test]
fn events_come_in_timestamp_order_after_the_process_name() {
    let exec = traced_run(2_000);
    let trace = exec.trace.as_ref().expect("tracing on");
    let doc: Value = serde_json::from_str(&trace.to_chrome_trace()).expect("valid JSON");
    let events = doc["traceEvents"].as_array().expect("events");
    assert_eq!(events[0]["name"], "process_name");
    let ts: Vec<f64> = events
        .iter()
        .filter(|e| e["ph"] != "M")
        .map(|e| e["ts"].as_f64().expect("ts"))
        .collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "timestamps go back");
}

/// Fails once `left` bytes have been written.
struct FailAfter {
    left: usize,
}

impl Write for FailAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("disk full"));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_an_error_not_a_panic() {
    let exec = traced_run(5_000);
    let trace = exec.trace.as_ref().expect("tracing on");
    for left in [0, 10, 100_000] {
        let err = trace
            .write_chrome_trace(FailAfter { left })
            .expect_err("the writer fails");
        assert_eq!(err.to_string(), "disk full");
    }
}

#[test]
fn a_hand_recorded_trace_streams_too() {
    // An end without a start is drawn before its event: the stream waits for it.
    let trace = ExecutionTrace::named("hand");
    trace.record(TraceEvent::new(T::ExecutionStarted, 0.0));
    trace.record(TraceEvent::new(T::NodeStarted, 0.1).with_node("x"));
    trace.record(TraceEvent::new(T::NodeCompleted, 0.2).with_node("x"));
    trace.record(
        TraceEvent::new(T::NodeCompleted, 0.5)
            .with_node("lost_start")
            .with_duration(0.45),
    );
    trace.record(TraceEvent::new(T::ExecutionCompleted, 0.5).with_duration(0.5));
    let mut out = Vec::new();
    trace.write_chrome_trace(&mut out).expect("written");
    let doc: Value = serde_json::from_slice(&out).expect("valid JSON");
    let names: Vec<&str> = doc["traceEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["ph"] == "X")
        .map(|e| e["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["hand", "lost_start", "x"]);
}
