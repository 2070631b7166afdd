//! Unit tests of the profiling module: shared fixtures (the seed graphs) and helpers.

mod edge;
mod estimate;
mod lookup;
mod seeds;

use super::{NodeProfile, NodeTiming, ProfileInput, ProfileReport};
use crate::NodeStatus;

/// Golden-value tolerance.
const EPS: f64 = 1e-9;

/// Asserts `a` is within [`EPS`] of `b`.
#[track_caller]
fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= EPS, "{a} != {b}");
}

/// A completed node.
fn node(name: &str, preds: &[usize], start: f64, end: f64) -> NodeTiming {
    NodeTiming {
        name: name.to_string(),
        preds: preds.to_vec(),
        status: NodeStatus::Completed,
        start,
        end,
        worker: None,
    }
}

/// A node with the given outcome.
fn with(status: NodeStatus, t: NodeTiming) -> NodeTiming {
    NodeTiming { status, ..t }
}

fn input(nodes: Vec<NodeTiming>, wall_clock: f64, max_workers: usize) -> ProfileInput {
    ProfileInput {
        nodes,
        wall_clock,
        max_workers,
    }
}

/// Seed 1 as a perfect 2-worker schedule.
fn seed1(max_workers: usize) -> ProfileInput {
    input(
        vec![
            node("extract", &[], 0.0, 0.1),
            node("transform_a", &[0], 0.1, 0.4),
            node("transform_b", &[0], 0.1, 0.3),
            node("merge", &[1, 2], 0.4, 0.45),
            node("load", &[3], 0.45, 0.55),
        ],
        0.55,
        max_workers,
    )
}

/// Seed 2 on 4 workers, every task starting as soon as its inputs are done.
fn seed2(wall_clock: f64) -> ProfileInput {
    input(
        vec![
            node("fetch", &[], 0.0, 0.5),
            node("validate", &[0], 0.5, 0.6),
            node("feature_a", &[1], 0.6, 1.6),
            node("feature_b", &[1], 0.6, 1.4),
            node("feature_c", &[1], 0.6, 0.9),
            node("train", &[2, 3, 4], 1.6, 3.6),
            node("evaluate", &[5], 3.6, 4.1),
            node("deploy", &[6], 4.1, 4.3),
        ],
        wall_clock,
        4,
    )
}

/// The profile of the node called `name`.
#[track_caller]
fn of<'r>(report: &'r ProfileReport, name: &str) -> &'r NodeProfile {
    match report.node(name) {
        Some(n) => n,
        None => panic!("no node {name}"),
    }
}

/// The gaps as `(start, end, idle)` triples.
fn gaps(report: &ProfileReport) -> Vec<(f64, f64, usize)> {
    report
        .gaps
        .iter()
        .map(|g| (g.start, g.end, g.idle_workers))
        .collect()
}

/// Asserts two gap lists match within [`EPS`].
#[track_caller]
fn same_gaps(actual: &[(f64, f64, usize)], expected: &[(f64, f64, usize)]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        close(a.0, e.0);
        close(a.1, e.1);
        assert_eq!(a.2, e.2, "{actual:?} vs {expected:?}");
    }
}
