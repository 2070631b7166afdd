//! `#[each]` element events in an executor trace: named `task[i]`, inside their task's span in
//! causal order at equal ticks, the same whether the keys come in order, are packed and
//! sorted, or are sorted as pairs.

use std::sync::Arc;

use crate::Execution;
use crate::exec::{ElementRun, NodeStatus, RawRun, Record, clock};
use crate::graph::Graph;

/// A run of `n0 -> n1`: `n0` ran `0..3` as three elements (`elements[i]` from `.0` to `.1`,
/// element 2 failing after 2 attempts), `n1` ran `3..4`; ticks after `base`, the run
/// starting at `base + t0_offset`.
fn run(elements: [(u64, u64); 3], t0_offset: u64) -> Execution {
    let base = clock().raw();
    let record = |start, end| Record {
        start: base + start,
        end: base + end,
        worker: 0,
        cause: u32::MAX,
        status: NodeStatus::Completed,
        attempts: 1,
        flags: 0,
    };
    let element = |index: u32, (start, end): (u64, u64)| ElementRun {
        node: 0,
        index,
        start: base + start,
        end: base + end,
        worker: index % 2,
        attempts: if index == 2 { 2 } else { 1 },
        error: (index == 2).then(|| "boom".to_owned()),
    };
    let raw = RawRun {
        // Not in index order: a read orders them.
        elements: vec![
            element(2, elements[2]),
            element(0, elements[0]),
            element(1, elements[1]),
        ],
        ..RawRun::of_records(vec![record(0, 3), record(3, 4)], base + t0_offset, base + 4)
    };
    let mut b = Graph::builder();
    b.add_nodes(["n0".to_owned(), "n1".to_owned()]);
    b.add_edges([("n0".to_owned(), "n1".to_owned())]);
    let graph = Arc::new(b.build().expect("a chain is a DAG"));
    raw.into_execution("each", graph, 2)
}

#[test]
fn elements_are_inside_their_task_in_causal_order_on_every_read_path() {
    // In order: element 0 at the task's start tick, element 2 ending at its end tick.
    let in_order = [(0, 0), (1, 2), (2, 3)];
    // Out of order: element 2 starts before element 1 ends.
    let shuffled = [(0, 0), (1, 3), (2, 3)];
    let head = [
        "execution_started",
        "step_started(0)",
        "node_started(n0)",
        "node_started(n0[0])",
        "node_completed(n0[0])",
        "node_started(n0[1])",
    ];
    let tail = [
        "node_completed(n0)",
        "step_completed(0)",
        "step_started(1)",
        "node_started(n1)",
        "node_completed(n1)",
        "step_completed(1)",
        "execution_completed",
    ];
    let want = |middle: [&str; 3]| -> Vec<String> {
        head.iter()
            .chain(&middle)
            .chain(&tail)
            .map(|s| (*s).to_owned())
            .collect()
    };
    let sequential = want([
        "node_completed(n0[1])",
        "node_started(n0[2])",
        "node_failed(n0[2])",
    ]);
    let overlapping = want([
        "node_started(n0[2])",
        "node_completed(n0[1])",
        "node_failed(n0[2])",
    ]);
    for offset in [0, 1] {
        assert_eq!(
            run(in_order, offset).event_sequence(),
            sequential,
            "t0 + {offset}"
        );
        assert_eq!(
            run(shuffled, offset).event_sequence(),
            overlapping,
            "t0 + {offset}"
        );
    }
    assert_eq!(run(shuffled, 0).to_trace().len(), overlapping.len());
}

#[test]
fn an_element_event_names_its_task_index_worker_attempts_and_error() {
    let trace = run([(0, 0), (1, 3), (2, 3)], 0).to_trace();
    let failed = trace.events_for_node("n0[2]");
    assert_eq!(failed.len(), 2);
    let done = serde_json::to_value(&failed[1]).expect("json");
    assert_eq!(done["event_type"], "node_failed");
    assert_eq!(done["error"], "boom");
    assert_eq!(done["worker"], 0);
    assert_eq!(done["step_index"], 0);
    assert_eq!(
        done["metadata"],
        serde_json::json!({"task": "n0", "element": 2, "attempts": 2})
    );
    let ok = serde_json::to_value(&trace.events_for_node("n0[1]")[1]).expect("json");
    assert_eq!(ok["event_type"], "node_completed");
    assert_eq!(ok["worker"], 1);
    assert!(ok.get("error").is_none(), "{ok}");
    assert_eq!(
        ok["metadata"],
        serde_json::json!({"task": "n0", "element": 1})
    );
    let mut seen = None;
    trace.for_each_event(|e| {
        if e.node_name == Some("n0[2]") {
            seen = Some((e.metadata("task").map(|v| v.into_owned()), e.attempt()));
        }
    });
    assert_eq!(seen, Some((Some("n0".into()), None)));
}
