//! Lookups by name, the status vocabulary shared with exec, and the JSON spelling of statuses.

use super::{input, node, seed1, with};
use crate::NodeStatus;
use crate::profile::{EstimateInput, NodeTiming, ProfileReport, estimate};

#[test]
fn a_report_finds_its_nodes_by_name() {
    let r = ProfileReport::from_input(&seed1(2));
    let merge = r.node("merge").expect("merge is profiled");
    assert_eq!(merge.name, "merge");
    assert_eq!((merge.start, merge.end), (0.4, 0.45));
    assert!(r.node("missing").is_none());
}

#[test]
fn a_repeated_name_finds_the_first_node() {
    let r = ProfileReport::from_input(&input(
        vec![node("x", &[], 0.0, 1.0), node("x", &[0], 1.0, 3.0)],
        3.0,
        1,
    ));
    assert_eq!(r.node("x").map(|n| n.end), Some(1.0));
    assert_eq!(r.critical_path, ["x", "x"]);
}

#[test]
fn an_estimate_finds_its_nodes_by_name() {
    let e = estimate(
        &EstimateInput {
            names: vec!["a".into(), "b".into(), "c".into()],
            preds: vec![vec![], vec![], vec![0, 1]],
            durations: vec![1.0, 2.0, 0.5],
        },
        2,
    );
    let c = e.node("c").expect("c is scheduled");
    assert_eq!((c.start, c.end), (2.0, 2.5));
    assert!(e.node("d").is_none());
}

#[test]
fn statuses_are_execs_and_json_spells_them_capitalised() {
    let failed: NodeTiming = with(NodeStatus::Failed, node("b", &[0], 1.0, 2.0));
    let r = ProfileReport::from_input(&input(vec![node("a", &[], 0.0, 1.0), failed], 2.0, 1));
    assert_eq!(r.node("b").map(|n| n.status), Some(NodeStatus::Failed));
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).expect("JSON");
    assert_eq!(json["nodes"][0]["status"], "Completed");
    assert_eq!(json["nodes"][1]["status"], "Failed");
    let back: ProfileReport = serde_json::from_str(&r.to_json()).expect("reads back");
    assert_eq!(back, r);
    let timing = serde_json::to_value(with(NodeStatus::Cancelled, node("c", &[], 0.0, 0.0)));
    assert_eq!(timing.expect("JSON")["status"], "Cancelled");
    let skipped: NodeTiming = serde_json::from_value(serde_json::json!({
        "name": "s", "preds": [], "status": "Skipped", "start": 0.0, "end": 0.0, "worker": null
    }))
    .expect("a capitalised status reads");
    assert_eq!(skipped.status, NodeStatus::Skipped);
    let lower = serde_json::json!({
        "name": "s", "preds": [], "status": "skipped", "start": 0.0, "end": 0.0, "worker": null
    });
    let err = serde_json::from_value::<NodeTiming>(lower).expect_err("only the capitalised form");
    assert_eq!(
        err.to_string(),
        "unknown status `skipped`, expected `Skipped`"
    );
}
