//! An executor trace read in time order when level order is not time order: the packed keys'
//! radix sort, and the `(tick, rank)` pairs read when keys do not pack, give one order.

use std::sync::Arc;

use crate::Execution;
use crate::exec::{NodeStatus, RawRun, Record, clock};
use crate::graph::Graph;

/// A run of `graph` whose node `i` ran on worker `i % 2` from `ticks[i].0` to `ticks[i].1`
/// (raw ticks after `base`), the run starting at `base + t0_offset`.
fn run(graph: Graph, ticks: &[(u64, u64)], t0_offset: u64) -> Execution {
    let base = clock().raw();
    let records = (0..ticks.len())
        .map(|i| Record {
            start: base + ticks[i].0,
            end: base + ticks[i].1,
            worker: (i % 2) as u32,
            cause: u32::MAX,
            status: NodeStatus::Completed,
            attempts: 1,
            flags: 0,
        })
        .collect();
    let t_end = base + ticks.iter().map(|t| t.1).max().unwrap_or(0);
    RawRun::of_records(records, base + t0_offset, t_end).into_execution("tree", Arc::new(graph), 2)
}

/// A complete binary out-tree of `n` nodes named `n0..`: node k's children are 2k+1, 2k+2.
fn tree(n: usize) -> Graph {
    let names: Vec<String> = (0..n).map(|i| format!("n{i}")).collect();
    let mut b = Graph::builder();
    b.add_nodes(names.iter().cloned());
    b.add_edges((1..n).map(|k| (names[(k - 1) / 2].clone(), names[k].clone())));
    b.build().expect("a tree is a DAG")
}

#[test]
fn a_later_level_sibling_that_ran_first_comes_first() {
    // n0 -> {n1, n2}; n2 ran (2..3) before n1 (5..6): level order n1, n2; time order n2, n1.
    let ticks = [(0, 1), (5, 6), (2, 3)];
    let want = [
        "execution_started",
        "step_started(0)",
        "node_started(n0)",
        "node_completed(n0)",
        "step_completed(0)",
        "step_started(1)",
        "node_started(n2)",
        "node_completed(n2)",
        "node_started(n1)",
        "node_completed(n1)",
        "step_completed(1)",
        "execution_completed",
    ];
    assert_eq!(run(tree(3), &ticks, 0).event_sequence(), want);
    // A tick before the run's start does not pack: the pairs read gives the same order.
    assert_eq!(run(tree(3), &ticks, 1).event_sequence(), want);
}

#[test]
fn packed_and_unpacked_reads_agree_on_a_shuffled_tree() {
    // 127 nodes, each starting after its parent ends, in an order unlike level order, with
    // many equal ticks (ties are decided by the causal rank).
    let n = 127;
    let mut ticks = vec![(0u64, 0u64); n];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for k in 0..n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let after = if k == 0 { 0 } else { ticks[(k - 1) / 2].1 };
        let start = after + seed % 3;
        ticks[k] = (start, start + (seed >> 8) % 4);
    }
    let packed = run(tree(n), &ticks, 0).event_sequence();
    let unpacked = run(tree(n), &ticks, 1).event_sequence();
    assert_eq!(packed, unpacked);
    assert_eq!(packed.len(), 2 * n + 2 * 7 + 2);
    // Not level order (the keys were sorted), and in time order.
    let starts: Vec<&String> = packed
        .iter()
        .filter(|e| e.starts_with("node_started"))
        .collect();
    let level_order: Vec<String> = (0..n).map(|k| format!("node_started(n{k})")).collect();
    assert!(starts.iter().zip(&level_order).any(|(a, b)| *a != b));
    let mut last = 0.0;
    run(tree(n), &ticks, 0).to_trace().for_each_event(|e| {
        assert!(
            e.timestamp >= last,
            "{} at {} after {last}",
            e.event_type,
            e.timestamp
        );
        last = e.timestamp;
    });
}
