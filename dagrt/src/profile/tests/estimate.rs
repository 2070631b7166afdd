//! Tests of pre-run estimation by simulated list scheduling.

use std::collections::HashMap;

use super::close;
use crate::profile::{EstimateInput, estimate, estimate_from_history};

fn seed2() -> EstimateInput {
    let names = [
        "fetch",
        "validate",
        "feature_a",
        "feature_b",
        "feature_c",
        "train",
        "evaluate",
        "deploy",
    ];
    EstimateInput {
        names: names.iter().map(|s| s.to_string()).collect(),
        preds: vec![
            vec![],
            vec![0],
            vec![1],
            vec![1],
            vec![1],
            vec![2, 3, 4],
            vec![5],
            vec![6],
        ],
        durations: vec![0.5, 0.1, 1.0, 0.8, 0.3, 2.0, 0.5, 0.2],
    }
}

#[test]
fn seed2_on_four_workers() {
    let e = estimate(&seed2(), 4);
    close(e.makespan, 4.3);
    close(e.critical_path_duration, 4.3);
    assert_eq!(
        e.critical_path,
        [
            "fetch",
            "validate",
            "feature_a",
            "train",
            "evaluate",
            "deploy"
        ]
    );
    close(e.schedule[5].start, 1.6);
    assert_eq!(e.schedule[5].name, "train");
    // The three features start together, longest remaining path first on the lowest worker.
    let workers: Vec<usize> = e.schedule[2..5].iter().map(|t| t.worker).collect();
    assert_eq!(workers, [0, 1, 2]);
    assert!(e.missing.is_empty());
    assert_eq!(estimate(&seed2(), 4), e, "deterministic");
}

#[test]
fn one_worker_is_the_sum() {
    let e = estimate(&seed2(), 1);
    close(e.makespan, 5.4);
    assert!(e.schedule.iter().all(|t| t.worker == 0));
    // Zero workers is treated as one.
    assert_eq!(estimate(&seed2(), 0), e);
}

#[test]
fn longest_remaining_path_first_matters() {
    // b1, b2 come first in topological order, but a leads to the long c.
    let input = EstimateInput {
        names: ["b1", "b2", "a", "c"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        preds: vec![vec![], vec![], vec![], vec![2]],
        durations: vec![1.0, 1.0, 1.0, 3.0],
    };
    let e = estimate(&input, 2);
    close(e.makespan, 4.0); // index-first would give 5.0
    close(e.schedule[2].start, 0.0);
    close(e.schedule[0].start, 0.0);
    close(e.schedule[1].start, 1.0);
    assert_eq!(e.critical_path, ["a", "c"]);
}

#[test]
fn history_with_missing_names() {
    let input = seed2();
    let mut history: HashMap<String, f64> = input
        .names
        .iter()
        .cloned()
        .zip(input.durations.iter().copied())
        .collect();
    history.remove("feature_c");
    history.remove("deploy");
    let e = estimate_from_history(&input.names, &input.preds, &history, 4);
    assert_eq!(e.missing, ["feature_c", "deploy"]);
    close(e.makespan, 4.1);
    close(e.schedule[7].end - e.schedule[7].start, 0.0);
}

#[test]
fn empty_and_ragged_input() {
    let e = estimate(&EstimateInput::default(), 3);
    assert_eq!(e.makespan, 0.0);
    assert!(e.schedule.is_empty() && e.critical_path.is_empty());
    let ragged = EstimateInput {
        names: vec!["a".into(), "b".into(), "c".into()],
        preds: vec![vec![], vec![0, 9, 1]],
        durations: vec![1.0, f64::NAN],
    };
    let e = estimate(&ragged, usize::MAX);
    close(e.makespan, 1.0);
    assert_eq!(e.critical_path, ["a", "b"]);
}
