//! The HTML run report (`dag::report::HtmlReport`): the page is self-contained and its embedded
//! data says what each task did. The drawing itself is checked in a browser by
//! tests/report_browser.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod report_support;

use dag::graph::Graph;
use dag::profile::ProfileOptions;
use dag::report::HtmlReport;
use dag::{Dag, NodeStatus};
use report_support::{PARSE_ERROR, embedded_json, failing_run, task};
use serde_json::Value;

#[test]
fn the_page_needs_no_network() {
    let (dag, exec) = failing_run();
    let html = HtmlReport::new(&dag, &exec).render();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for remote in ["http://", "https://", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(remote), "the page references {remote}");
    }
}

#[test]
fn every_task_has_its_status_times_error_and_critical_flag() {
    let (dag, exec) = failing_run();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).render());
    let tasks = data["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 5);
    let expected = [
        ("load", "completed", true),
        ("parse", "failed", false),
        ("publish", "skipped", false),
        ("square", "completed", true),
        ("sum", "completed", true),
    ];
    for (name, status, critical) in expected {
        let t = task(&data, name);
        let r = exec.node(name).unwrap();
        assert_eq!(t["status"], status, "{name}");
        assert_eq!(t["critical"], critical, "{name}");
        assert_eq!(t["duration"].as_f64(), Some(r.duration), "{name}");
        assert_eq!(t["start"].as_f64(), Some(r.start), "{name}");
        assert_eq!(t["end"].as_f64(), Some(r.end), "{name}");
        assert_eq!(t["worker"].as_u64().map(|w| w as usize), r.worker, "{name}");
        // A bar for each task that ran, on its worker's lane.
        let ran = matches!(r.status, NodeStatus::Completed | NodeStatus::Failed);
        assert_eq!(t["lane"].as_u64().is_some(), ran, "{name}");
        assert_eq!(
            t["attempts"].as_u64(),
            Some(u64::from(r.attempts)),
            "{name}"
        );
    }
    assert_eq!(task(&data, "parse")["error"], PARSE_ERROR);
    assert_eq!(
        task(&data, "publish")["error"],
        "upstream task `parse` failed"
    );
    assert_eq!(task(&data, "sum")["error"], Value::Null);
    assert_eq!(
        data["profile"]["critical_path"],
        serde_json::json!(["load", "square", "sum"])
    );
    assert_eq!(data["run"]["failed"], 1);
    assert_eq!(data["run"]["skipped"], 1);
    assert_eq!(data["run"]["completed"], 3);
    assert_eq!(data["run"]["success"], false);
    // Slack only for completed tasks; on a single completed chain it is 0.
    assert_eq!(task(&data, "square")["slack"], 0.0);
    assert_eq!(task(&data, "parse")["slack"], Value::Null);
}

#[test]
fn each_elements_are_listed_with_their_task() {
    let (dag, exec) = failing_run();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).render());
    let square = exec.graph().find("square").unwrap().index() as u64;
    let elements = data["elements"].as_array().unwrap();
    let got: Vec<(u64, u64)> = elements
        .iter()
        .map(|e| (e["task"].as_u64().unwrap(), e["index"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, [(square, 0), (square, 1), (square, 2)]);
    for (e, r) in elements.iter().zip(exec.elements("square")) {
        assert_eq!(e["start"].as_f64(), Some(r.start));
        assert_eq!(e["end"].as_f64(), Some(r.end));
        assert_eq!(e["worker"].as_u64().map(|w| w as usize), r.worker);
    }
}

#[test]
fn a_script_end_in_an_error_cannot_close_the_data_element() {
    let (dag, exec) = failing_run();
    let html = HtmlReport::new(&dag, &exec).render();
    // The data element's and the script's own ends only.
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(html.contains(r"bad row \u003c/script>\u003cscript>alert(1)\u003c/script>"));
    assert!(!html.contains("<!--"));
    // ...and the text reads back exactly (checked above: `parse`'s error).
    assert_eq!(task(&embedded_json(&html), "parse")["error"], PARSE_ERROR);
}

#[test]
fn the_title_escapes_the_dag_name() {
    let mut b = Graph::builder();
    b.add_node("x");
    let dag = Dag::from_graph("a</title>&<b>", b.build().unwrap());
    let mut tasks = dag::Tasks::new();
    tasks.add("x", || 1);
    let exec = dag.execute_with(&tasks).unwrap();
    let html = HtmlReport::new(&dag, &exec).render();
    assert!(html.contains("<title>a&lt;/title&gt;&amp;&lt;b&gt; — dag run report</title>"));
    assert_eq!(embedded_json(&html)["run"]["dag"], "a</title>&<b>");
}

mod pipeline {
    use dag::task;

    /// Reads the numbers.
    #[task]
    pub fn numbers() -> Vec<u32> {
        vec![1, 2, 3]
    }

    /// Adds them up.
    #[task(final)]
    fn total(numbers: &[u32]) -> u32 {
        numbers.iter().sum()
    }
}

#[test]
fn a_static_dag_reports_its_task_descriptions() {
    let dag = Dag::new("pipeline");
    let exec = dag.execute().unwrap();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).render());
    assert_eq!(data["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(task(&data, "numbers")["description"], "Reads the numbers.");
    assert_eq!(task(&data, "total")["description"], "Adds them up.");
    assert_eq!(task(&data, "total")["status"], "completed");
    assert_eq!(
        data["profile"]["critical_path"],
        serde_json::json!(["numbers", "total"])
    );
    assert_eq!(data["run"]["dag"], "pipeline");
}

#[test]
fn profile_options_reach_the_tables() {
    let (dag, exec) = failing_run();
    let options = ProfileOptions {
        bottleneck_threshold: 0.0,
        ..ProfileOptions::default()
    };
    let data = embedded_json(
        &HtmlReport::new(&dag, &exec)
            .profile_options(options)
            .render(),
    );
    // Threshold 0: every completed task is a bottleneck.
    let mut names: Vec<&str> = data["profile"]["bottlenecks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["node"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["load", "square", "sum"]);
    assert_eq!(data["profile"]["bottleneck_threshold"], 0.0);
}

#[test]
fn idle_gaps_per_worker_complement_the_bars() {
    let (dag, exec) = failing_run();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).render());
    let wall = data["run"]["wall_clock"].as_f64().unwrap();
    let idle = data["idle"].as_array().unwrap();
    assert_eq!(idle.len() as u64, data["lanes"].as_u64().unwrap());
    for lane in idle {
        let gaps: f64 = lane["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g[1].as_f64().unwrap() - g[0].as_f64().unwrap())
            .sum();
        let busy = lane["busy"].as_f64().unwrap();
        // Gaps under 1 ms are dropped, so busy + gaps falls short of the wall clock by less
        // than 1 ms per bar on the lane (at most 5 tasks + 3 elements).
        assert!(busy + gaps <= wall + 1e-9, "{lane}");
        assert!(busy + gaps >= wall - 8.0 * 1e-3 - 1e-9, "{lane}");
    }
}

#[test]
fn write_saves_the_rendered_page() {
    let (dag, exec) = failing_run();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    let report = HtmlReport::new(&dag, &exec);
    report.write(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), report.render());
    let missing = dir.path().join("no/such/dir/report.html");
    assert_eq!(
        report.write(&missing).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
}

/// Three levels of four nodes, each node depending on the node of the same column above.
fn grid() -> (dag::GraphDag, dag::Execution) {
    let mut b = Graph::builder();
    for level in 0..3 {
        for col in 0..4 {
            b.add_node(format!("n{level}_{col}"));
            if level > 0 {
                b.add_edge(format!("n{}_{col}", level - 1), format!("n{level}_{col}"));
            }
        }
    }
    let dag = Dag::from_graph("grid", b.build().unwrap());
    let mut tasks = dag::Tasks::new();
    for level in 0..3 {
        for col in 0..4 {
            tasks.add(format!("n{level}_{col}"), || ());
        }
    }
    let exec = dag.execute_with(&tasks).unwrap();
    (dag, exec)
}

#[test]
fn the_dag_drawing_keeps_whole_levels_within_the_budget() {
    let (dag, exec) = grid();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).max_graph_nodes(9).render());
    let g = &data["graph"];
    assert_eq!(g["nodes_total"], 12);
    assert_eq!(g["levels_total"], 3);
    assert_eq!(g["levels_shown"], 2);
    assert_eq!(g["edges_total"], 8);
    assert_eq!(g["rows"], 4);
    assert_eq!(g["max_nodes"], 9);
    let drawn: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            data["tasks"][n[0].as_u64().unwrap() as usize]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(drawn.len(), 8);
    assert!(
        drawn
            .iter()
            .all(|n| n.starts_with("n0_") || n.starts_with("n1_"))
    );
    // Each level-1 node sits in the row of its parent (barycenter ordering).
    for n in g["nodes"].as_array().unwrap() {
        let name = data["tasks"][n[0].as_u64().unwrap() as usize]["name"]
            .as_str()
            .unwrap();
        if let Some(col) = name.strip_prefix("n1_") {
            let parent = g["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| {
                    data["tasks"][p[0].as_u64().unwrap() as usize]["name"] == format!("n0_{col}")
                })
                .unwrap();
            assert_eq!(n[2], parent[2], "{name}");
        }
    }
    assert_eq!(g["edges"].as_array().unwrap().len(), 4);
}

#[test]
fn a_first_level_over_the_budget_is_cut_to_its_first_nodes() {
    let (dag, exec) = grid();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).max_graph_nodes(3).render());
    let g = &data["graph"];
    assert_eq!(g["levels_shown"], 1);
    let graph = exec.graph();
    let first: Vec<u64> = graph
        .topological_order()
        .iter()
        .filter(|&&id| graph.level(id) == 0)
        .take(3)
        .map(|id| id.index() as u64)
        .collect();
    let drawn: Vec<u64> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n[0].as_u64().unwrap())
        .collect();
    assert_eq!(drawn, first);
    assert_eq!(g["edges"].as_array().unwrap().len(), 0);

    let none = embedded_json(&HtmlReport::new(&dag, &exec).max_graph_nodes(0).render());
    assert_eq!(none["graph"]["nodes"].as_array().unwrap().len(), 0);
    assert_eq!(none["graph"]["levels_shown"], 0);
}

#[test]
fn an_empty_graph_gives_an_empty_report() {
    let dag = Dag::from_graph("empty", Graph::builder().build().unwrap());
    let exec = dag.execute_with(&dag::Tasks::new()).unwrap();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).render());
    assert_eq!(data["tasks"], serde_json::json!([]));
    assert_eq!(data["graph"]["nodes"], serde_json::json!([]));
    assert_eq!(data["profile"]["critical_path"], serde_json::json!([]));
    assert_eq!(data["run"]["success"], true);
}

#[test]
fn a_provided_value_shows_its_reuse_source() {
    let dag = Dag::new("pipeline").set::<pipeline::numbers>(vec![4, 5]);
    let exec = dag.execute().unwrap();
    let data = embedded_json(&HtmlReport::new(&dag, &exec).render());
    let numbers = task(&data, "numbers");
    assert_eq!(numbers["reused_from"], "provided");
    assert_eq!(numbers["attempts"], 0);
    assert_eq!(task(&data, "total")["reused_from"], Value::Null);
    assert_eq!(task(&data, "total")["attempts"], 1);
    assert_eq!(data["run"]["reused"], 1);
}
