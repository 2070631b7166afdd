//! Golden-value tests on the two seed graphs, plus tie-breaking and summary/JSON output.

use super::*;
use crate::profile::ProfileOptions;

#[test]
fn seed1_critical_path_slack_and_bottlenecks() {
    for workers in [2, 4] {
        let r = ProfileReport::from_input(&seed1(workers));
        assert_eq!(r.critical_path, ["extract", "transform_a", "merge", "load"]);
        close(r.critical_path_duration, 0.55);
        close(of(&r, "transform_b").slack.unwrap_or(-1.0), 0.1);
        close(of(&r, "transform_b").earliest_start.unwrap_or(-1.0), 0.1);
        close(of(&r, "transform_b").latest_start.unwrap_or(-1.0), 0.2);
        for name in ["extract", "transform_a", "merge", "load"] {
            close(of(&r, name).slack.unwrap_or(-1.0), 0.0);
            assert!(of(&r, name).on_critical_path);
            close(of(&r, name).queue_wait, 0.0);
        }
        assert!(!of(&r, "transform_b").on_critical_path);
        let b: Vec<&str> = r.bottlenecks.iter().map(|b| b.node.as_str()).collect();
        assert_eq!(b, ["transform_a", "transform_b"]);
        close(r.bottlenecks[0].percentage, 0.3 / 0.55 * 100.0);
        close(r.bottlenecks[1].percentage, 0.2 / 0.55 * 100.0);
        assert!((r.bottlenecks[0].percentage - 54.5).abs() < 0.05);
        assert!((r.bottlenecks[1].percentage - 36.4).abs() < 0.05);
        assert!(r.bottlenecks[0].on_critical_path && !r.bottlenecks[1].on_critical_path);
        close(r.sequential_sum, 0.75);
        close(r.speedup, 0.75 / 0.55);
        close(r.parallelism_efficiency, 0.75 / (0.55 * workers as f64));
        assert_eq!(r.peak_parallelism, 2);
        assert!(r.stragglers.is_empty() && r.failed.is_empty());
    }
    let two = ProfileReport::from_input(&seed1(2));
    same_gaps(&gaps(&two), &[(0.0, 0.1, 1), (0.3, 0.55, 1)]);
    let four = ProfileReport::from_input(&seed1(4));
    same_gaps(
        &gaps(&four),
        &[(0.0, 0.1, 3), (0.1, 0.3, 2), (0.3, 0.55, 3)],
    );
}

#[test]
fn seed1_threshold_option() {
    let opts = ProfileOptions {
        bottleneck_threshold: 0.5,
        ..ProfileOptions::default()
    };
    let r = ProfileReport::from_input_with(&seed1(2), &opts);
    assert_eq!(r.bottlenecks.len(), 1);
    assert_eq!(r.bottlenecks[0].node, "transform_a");
    close(r.bottlenecks[0].duration_seconds, 0.3);
}

#[test]
fn seed2_critical_path_slack_bottleneck_gaps() {
    let r = ProfileReport::from_input(&seed2(4.3));
    let path = [
        "fetch",
        "validate",
        "feature_a",
        "train",
        "evaluate",
        "deploy",
    ];
    assert_eq!(r.critical_path, path);
    close(r.critical_path_duration, 4.3);
    close(of(&r, "feature_b").slack.unwrap_or(-1.0), 0.2);
    close(of(&r, "feature_c").slack.unwrap_or(-1.0), 0.7);
    close(of(&r, "feature_c").latest_start.unwrap_or(-1.0), 1.3);
    assert_eq!(r.bottlenecks[0].node, "train");
    assert_eq!(r.bottlenecks[1].node, "feature_a");
    assert_eq!(r.bottlenecks.len(), 2);
    close(r.sequential_sum, 5.4);
    assert_eq!(r.peak_parallelism, 3);
    // The seed docs: feature_a (1.0 s) is a straggler against feature_c (0.3 s).
    assert_eq!(r.stragglers.len(), 1);
    let s = &r.stragglers[0];
    assert_eq!(
        (s.join.as_str(), s.straggler.as_str(), s.fastest.as_str()),
        ("train", "feature_a", "feature_c")
    );
    close(s.ratio, 1.0 / 0.3);
    same_gaps(
        &gaps(&r),
        &[(0.0, 0.6, 3), (0.6, 0.9, 1), (0.9, 1.4, 2), (1.4, 4.3, 3)],
    );
    assert!((0.0..=1.0).contains(&r.parallelism_efficiency));
}

#[test]
fn seed2_summary_layout() {
    let s = ProfileReport::from_input(&seed2(4.312)).summary();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[0], "Profile Report");
    assert_eq!(lines[1], "==============");
    assert_eq!(
        lines[2],
        "Wall clock: 4.312s | Sequential sum: 5.400s | Speedup: 1.25x"
    );
    assert_eq!(
        lines[3],
        "Parallelism efficiency: 31.3% (4 workers, peak 3 running)"
    );
    assert_eq!(lines[4], "Critical path (4.300s):");
    assert_eq!(
        lines[5],
        "  fetch (0.500s) -> validate (0.100s) -> feature_a (1.000s) -> train (2.000s) -> evaluate (0.500s) -> deploy (0.200s)"
    );
    assert_eq!(lines[6], "Top bottlenecks:");
    assert_eq!(
        lines[7],
        "  1. train: 2.000s (46.4% of wall clock) [critical path]"
    );
    assert_eq!(lines[9], "Stragglers:");
    assert_eq!(
        lines[10],
        "  train waited on feature_a: 3.33x its fastest input feature_c"
    );
    assert!(s.contains("Idle gaps: "));
    assert!(s.ends_with("Failed: none\n"));
}

#[test]
fn json_round_trip() {
    let r = ProfileReport::from_input(&seed2(4.3));
    let json = r.to_json();
    assert!(json.contains("\"critical_path_duration\""));
    let back: Result<ProfileReport, _> = serde_json::from_str(&json);
    assert_eq!(back.ok(), Some(r));
}

/// Diamond s -> {x, y} -> t with equal branches; `names` are the names of indices 1 and 2.
fn diamond(names: [&str; 2]) -> ProfileInput {
    input(
        vec![
            node("s", &[], 0.0, 1.0),
            node(names[0], &[0], 1.0, 2.0),
            node(names[1], &[0], 1.0, 2.0),
            node("t", &[2, 1], 2.0, 3.0),
        ],
        3.0,
        2,
    )
}

#[test]
fn tie_prefers_topologically_earlier_and_is_stable() {
    let first = ProfileReport::from_input(&diamond(["x", "y"]));
    assert_eq!(first.critical_path, ["s", "x", "t"]);
    for _ in 0..10 {
        assert_eq!(
            ProfileReport::from_input(&diamond(["x", "y"])).critical_path,
            first.critical_path
        );
    }
    // Shuffle the names but not the order: the branch at index 1 still wins.
    let shuffled = ProfileReport::from_input(&diamond(["zeta", "alpha"]));
    assert_eq!(shuffled.critical_path, ["s", "zeta", "t"]);
}

#[test]
fn tie_between_sinks_prefers_earlier() {
    let r = ProfileReport::from_input(&input(
        vec![node("late", &[], 0.0, 1.0), node("early", &[], 0.0, 1.0)],
        1.0,
        2,
    ));
    assert_eq!(r.critical_path, ["late"]);
}

#[test]
fn float_noise_is_a_tie() {
    // s -> c (0.3) -> t and s -> a (0.1) -> b (0.2) -> t: 0.1 + 0.2 != 0.3 in f64.
    let r = ProfileReport::from_input(&input(
        vec![
            node("s", &[], 0.0, 1.0),
            node("c", &[0], 1.0, 1.3),
            node("a", &[0], 1.0, 1.1),
            node("b", &[2], 1.1, 1.3),
            node("t", &[3, 1], 1.3, 2.0),
        ],
        2.0,
        2,
    ));
    assert_eq!(r.critical_path, ["s", "c", "t"]);
    close(of(&r, "a").slack.unwrap_or(-1.0), 0.0);
}

#[test]
fn bottleneck_tie_decided_by_name() {
    let r = ProfileReport::from_input(&input(
        vec![
            node("zulu", &[], 0.0, 0.5),
            node("alpha", &[], 0.0, 0.5),
            node("mike", &[], 0.5, 0.8),
        ],
        1.0,
        2,
    ));
    let b: Vec<&str> = r.bottlenecks.iter().map(|b| b.node.as_str()).collect();
    assert_eq!(b, ["alpha", "zulu", "mike"]);
}

/// Seed 2 as a real run records it: each start a few microseconds after the end it waited for,
/// the three features starting 4 µs apart.
fn seed2_jittered() -> ProfileInput {
    let us = 1e-6;
    input(
        vec![
            node("fetch", &[], 3.0 * us, 0.5),
            node("validate", &[0], 0.5 + 5.0 * us, 0.6),
            node("feature_a", &[1], 0.6 + 2.0 * us, 1.6),
            node("feature_b", &[1], 0.6 + 6.0 * us, 1.4),
            node("feature_c", &[1], 0.6 + 10.0 * us, 0.9),
            node("train", &[2, 3, 4], 1.6 + 3.0 * us, 3.6),
            node("evaluate", &[5], 3.6 + 4.0 * us, 4.1),
            node("deploy", &[6], 4.1 + 2.0 * us, 4.3),
        ],
        4.3 + 5.0 * us,
        4,
    )
}

#[test]
fn gaps_of_scheduling_noise_are_dropped_and_their_neighbours_merged() {
    let r = ProfileReport::from_input(&seed2_jittered());
    let got = gaps(&r);
    let want = [(0.0, 0.6, 3), (0.6, 0.9, 1), (0.9, 1.4, 2), (1.4, 4.3, 3)];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g.0 - w.0).abs() < 2e-5 && (g.1 - w.1).abs() < 2e-5 && g.2 == w.2,
            "{got:?}"
        );
    }
    let summary = r.summary();
    assert!(summary.contains("Idle gaps: 4 intervals"), "{summary}");
    for line in summary.lines().filter(|l| l.ends_with(" idle")) {
        let (from, to) = line.trim().split_once(": ").map_or(("", ""), |(span, _)| {
            span.split_once('-').unwrap_or((span, ""))
        });
        assert_ne!(from, to, "zero-length gap printed: {line}");
    }
    // Every gap kept when asked to.
    let all = ProfileReport::from_input_with(
        &seed2_jittered(),
        &ProfileOptions {
            min_gap: 0.0,
            ..ProfileOptions::default()
        },
    );
    assert!(all.gaps.len() > 4, "{:?}", gaps(&all));
    assert!(all.gaps.iter().any(|g| g.end - g.start < 1e-3));
}
