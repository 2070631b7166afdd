//! Traces at scale: the Chrome export of a 1M-node chain streamed to a file, and reading the
//! trace's events.
//!
//! Run with `cargo bench -p dagrt --bench trace`. divan's allocation profiler shows the export's
//! peak heap use (`max alloc`), which does not grow with the ~0.5 GB it writes; run the binary
//! under `/usr/bin/time -v` for the process's peak RSS (graph, run records and export).

use dag::graph::Graph;
use dag::{Dag, Execution, Tasks};
use divan::counter::{BytesCount, ItemsCount};
use divan::{AllocProfiler, Bencher, black_box};
use std::io::{Seek, Write};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

const N: usize = 1_000_000;

fn main() {
    divan::main();
}

/// A traced run of the chain n0 -> n1 -> ... -> n{N-1} of empty tasks on 2 workers.
fn traced_chain() -> Execution {
    let mut b = Graph::builder();
    let ids: Vec<_> = (0..N).map(|i| b.node(format!("n{i}"))).collect();
    for w in ids.windows(2) {
        b.edge(w[0], w[1]);
    }
    let graph = b.build().expect("a chain is a DAG");
    let mut tasks = Tasks::new();
    for v in graph.nodes() {
        tasks.add(graph.name(v), || ());
    }
    let dag = Dag::from_graph("chain_1m", graph)
        .max_workers(2)
        .tracing(true);
    let exec = dag.execute_with(&tasks).expect("runs");
    assert_eq!(exec.succeeded(), N);
    exec
}

/// `write_chrome_trace` of the 1M-node chain's trace into a file (truncated before each sample).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn chrome_export_1m_chain_to_file(bencher: Bencher) {
    let exec = traced_chain();
    let trace = exec.trace.as_ref().expect("tracing on");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut file = std::fs::File::create(dir.path().join("chain.json")).expect("file");
    trace.write_chrome_trace(&mut file).expect("written");
    let bytes = file.stream_position().expect("position");
    println!("chrome_export_1m_chain_to_file: {bytes} bytes per export");
    bencher
        .counter(ItemsCount::new(N))
        .counter(BytesCount::new(bytes))
        .bench_local(|| {
            file.set_len(0).expect("truncate");
            file.rewind().expect("rewind");
            trace.write_chrome_trace(&mut file).expect("written");
            file.flush().expect("flushed");
        });
}

/// Every event of the 1M-node chain's trace read with `for_each_event` (borrowed).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn for_each_event_1m_chain(bencher: Bencher) {
    let exec = traced_chain();
    let trace = exec.trace.as_ref().expect("tracing on");
    bencher.counter(ItemsCount::new(N)).bench_local(|| {
        let mut n = 0usize;
        trace.for_each_event(|e| n += usize::from(black_box(e).timestamp >= 0.0));
        n
    });
}
