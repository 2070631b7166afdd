//! Edge cases: empty and failed runs, zero durations, odd input, parallelism, gaps, stragglers, queue wait.

use super::*;
use crate::NodeStatus::{Cancelled, Failed, Skipped};

#[test]
fn empty_graph() {
    let r = ProfileReport::from_input(&ProfileInput::default());
    assert!(r.critical_path.is_empty() && r.nodes.is_empty() && r.gaps.is_empty());
    assert_eq!(r.critical_path_duration, 0.0);
    assert_eq!(r.parallelism_efficiency, 0.0);
    assert_eq!(r.speedup, 0.0);
    assert_eq!(r.peak_parallelism, 0);
    assert!(r.summary().contains("Critical path: none"));
    let back: Result<ProfileReport, _> = serde_json::from_str(&r.to_json());
    assert_eq!(back.ok(), Some(r));
}

#[test]
fn zero_duration_nodes_stay_in_the_analysis() {
    let r = ProfileReport::from_input(&input(
        vec![
            node("begin", &[], 0.0, 0.0),
            node("work", &[0], 0.0, 1.0),
            node("end", &[1], 1.0, 1.0),
        ],
        1.0,
        1,
    ));
    assert_eq!(r.critical_path, ["begin", "work", "end"]);
    close(r.critical_path_duration, 1.0);
    assert_eq!(r.peak_parallelism, 1);
    assert!(r.gaps.is_empty());

    let all_zero = ProfileReport::from_input(&input(
        vec![node("a", &[], 0.0, 0.0), node("b", &[0], 0.0, 0.0)],
        0.0,
        2,
    ));
    assert_eq!(all_zero.critical_path, ["a", "b"]);
    assert_eq!(all_zero.peak_parallelism, 0);
    assert!(all_zero.bottlenecks.is_empty() && all_zero.gaps.is_empty());
    assert_eq!(all_zero.parallelism_efficiency, 0.0);
}

#[test]
fn failed_node_excluded_and_listed() {
    let r = ProfileReport::from_input(&input(
        vec![
            node("a", &[], 0.0, 1.0),
            with(Failed, node("b", &[0], 1.0, 4.0)),
            node("c", &[0], 1.0, 2.0),
            with(Skipped, node("d", &[1, 2], 0.0, 0.0)),
        ],
        4.0,
        2,
    ));
    assert_eq!(r.critical_path, ["a", "c"]);
    close(r.critical_path_duration, 2.0);
    assert_eq!(r.failed, ["b"]);
    assert_eq!(of(&r, "b").slack, None);
    assert_eq!(of(&r, "d").earliest_start, None);
    assert!(r.bottlenecks.iter().all(|b| b.node != "b"));
    // A failed node occupied a worker: it counts in the sequential sum.
    close(r.sequential_sum, 5.0);
    assert!(r.summary().contains("Failed (1): b"));
}

#[test]
fn all_failed_gives_empty_report() {
    let r = ProfileReport::from_input(&input(
        vec![
            with(Failed, node("a", &[], 0.0, 1.0)),
            with(Cancelled, node("b", &[0], 0.0, 0.0)),
        ],
        1.0,
        1,
    ));
    assert!(r.critical_path.is_empty());
    assert_eq!(r.critical_path_duration, 0.0);
    assert!(r.bottlenecks.is_empty() && r.stragglers.is_empty());
    assert_eq!(r.failed, ["a"]);
    assert!(r.summary().contains("Critical path: none"));
}

#[test]
fn efficiency_is_clamped() {
    // Inconsistent input: more work than 1 worker could do in the wall clock.
    let r = ProfileReport::from_input(&input(
        vec![node("a", &[], 0.0, 2.0), node("b", &[], 0.0, 2.0)],
        1.0,
        1,
    ));
    assert_eq!(r.parallelism_efficiency, 1.0);
    close(r.speedup, 4.0);
    let none = ProfileReport::from_input(&input(vec![node("a", &[], 0.0, 1.0)], 0.0, 4));
    assert_eq!(none.parallelism_efficiency, 0.0);
    assert_eq!(none.speedup, 0.0);
}

#[test]
fn peak_parallelism_from_intervals() {
    let touching = ProfileReport::from_input(&input(
        vec![node("a", &[], 0.0, 1.0), node("b", &[], 1.0, 2.0)],
        2.0,
        2,
    ));
    assert_eq!(touching.peak_parallelism, 1);
    let nested = ProfileReport::from_input(&input(
        vec![
            node("a", &[], 0.0, 2.0),
            node("b", &[], 1.0, 3.0),
            node("c", &[], 1.5, 1.6),
            node("d", &[], 2.0, 2.5),
        ],
        3.0,
        4,
    ));
    assert_eq!(nested.peak_parallelism, 3);
}

#[test]
fn gap_while_long_task_runs_alone() {
    let r = ProfileReport::from_input(&input(
        vec![node("long", &[], 0.0, 1.0), node("short", &[], 0.0, 0.2)],
        1.0,
        2,
    ));
    same_gaps(&gaps(&r), &[(0.2, 1.0, 1)]);
    assert!(
        r.summary()
            .contains("Idle gaps: 1 interval, 0.800 worker-seconds idle")
    );
    // Time after the last task but before the end of the run is idle too.
    let tail = ProfileReport::from_input(&input(vec![node("a", &[], 0.0, 1.0)], 1.5, 1));
    same_gaps(&gaps(&tail), &[(1.0, 1.5, 1)]);
}

#[test]
fn straggler_ratio() {
    let r = ProfileReport::from_input(&input(
        vec![
            node("a", &[], 0.0, 0.1),
            node("b", &[], 0.0, 0.1),
            node("slow", &[], 0.0, 0.5),
            node("join", &[0, 1, 2], 0.5, 0.6),
        ],
        0.6,
        3,
    ));
    assert_eq!(r.stragglers.len(), 1);
    assert_eq!(r.stragglers[0].join, "join");
    assert_eq!(r.stragglers[0].straggler, "slow");
    close(r.stragglers[0].ratio, 5.0);
    assert!(r.summary().contains("join waited on slow: 5.00x"));
}

#[test]
fn straggler_zero_median_and_single_input() {
    let r = ProfileReport::from_input(&input(
        vec![
            node("a", &[], 0.0, 0.0),
            node("b", &[], 0.0, 0.0),
            node("slow", &[], 0.0, 0.5),
            node("join", &[0, 1, 2], 0.5, 0.6),
            node("chain", &[3], 0.6, 0.7),
        ],
        0.7,
        3,
    ));
    assert!(r.stragglers.is_empty());
}

#[test]
fn queue_wait() {
    let r = ProfileReport::from_input(&input(
        vec![
            node("src", &[], 0.2, 1.0),
            node("other", &[], 0.0, 1.5),
            node("next", &[0, 1], 2.0, 3.0),
            with(Skipped, node("never", &[2], 0.0, 0.0)),
        ],
        3.0,
        2,
    ));
    close(of(&r, "src").queue_wait, 0.2);
    close(of(&r, "other").queue_wait, 0.0);
    close(of(&r, "next").queue_wait, 0.5);
    close(of(&r, "never").queue_wait, 0.0);
}

#[test]
fn odd_input_never_panics() {
    let mut nodes = vec![
        node("nan", &[], f64::NAN, f64::INFINITY),
        node("backwards", &[0, 0, 7, 1, usize::MAX], 2.0, 1.0),
        node("ok", &[1, 0, 1], 0.0, f64::NAN),
    ];
    nodes.push(with(Failed, node("f", &[2], -5.0, -1.0)));
    let r = ProfileReport::from_input(&input(nodes, f64::NAN, 0));
    assert_eq!(r.nodes.len(), 4);
    assert_eq!(r.wall_clock, 0.0);
    assert!(r.gaps.is_empty());
    let _ = r.summary();
    let back: Result<ProfileReport, _> = serde_json::from_str(&r.to_json());
    assert_eq!(back.ok(), Some(r));
    // Non-finite options neither.
    let opts = crate::profile::ProfileOptions {
        bottleneck_threshold: f64::NAN,
        straggler_ratio: f64::NAN,
        min_gap: f64::NAN,
    };
    let r = ProfileReport::from_input_with(&seed2(4.3), &opts);
    assert!(r.bottlenecks.is_empty() && r.stragglers.is_empty());
    assert_eq!(r.gaps.len(), 4, "a NaN min_gap drops nothing");
}

#[test]
fn long_critical_path_is_elided_in_summary() {
    let nodes = (0..30)
        .map(|i| {
            let preds: Vec<usize> = if i == 0 { vec![] } else { vec![i - 1] };
            node(&format!("n{i}"), &preds, i as f64, i as f64 + 1.0)
        })
        .collect();
    let r = ProfileReport::from_input(&input(nodes, 30.0, 1));
    assert_eq!(r.critical_path.len(), 30);
    assert!(r.summary().contains("... (19 more)"));
}
