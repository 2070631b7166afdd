//! The command line (`dag::cli`) driven as a user would, part 2: `run` and its flags
//! (`--set`, `--task`, `--fail-fast`, `--trace`, `--chrome`, `--profile`, `--resume`,
//! `--cache`), exit codes for failed tasks, and the commands over the records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli_common;

use cli_common::dags::words::{Report, min_len, text};
use cli_common::{demo, location, pairs, statuses};
use dag::Dag;
use serde_json::Value;
use std::collections::BTreeSet;

#[test]
fn run_prints_the_final_output_as_json_with_the_values_set() {
    let r = demo(&[
        "run",
        "words",
        "--set",
        "text=a bb ccc dddd",
        "--set",
        "min_len=2",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: Report = serde_json::from_str(&r.stdout).expect("the final output, as JSON");
    let expected = Report {
        day: "2024-01-01".into(),
        count: 3,
        words: vec!["bb".into(), "ccc".into(), "dddd".into()],
    };
    assert_eq!(out, expected);
    // The same as the library gives.
    let lib: Report = Dag::new("words")
        .set::<text>("a bb ccc dddd".into())
        .set::<min_len>(2)
        .run()
        .unwrap();
    assert_eq!(lib, expected);
    assert!(r.stderr.starts_with("DAG `words`, run "), "{}", r.stderr);
    let first = r.stderr.lines().next().unwrap();
    assert!(
        first.contains(": 6 tasks in ") && first.ends_with(" s: 6 completed"),
        "{first}"
    );
    assert_eq!(
        statuses(&r.stderr),
        pairs(&[
            ("completed", "text"),
            ("completed", "min_len"),
            ("completed", "day"),
            ("completed", "split"),
            ("completed", "long_words"),
            ("completed", "report"),
        ])
    );
    // The values given with --set are shown as such.
    let text_line = r.stderr.lines().find(|l| l.contains(" text ")).unwrap();
    assert!(text_line.ends_with("reused: provided"), "{text_line}");
    // Without --set, the default of `min_len` (3) applies.
    let r = demo(&["run", "words", "--set", "text=a bb ccc dddd"]);
    let out: Report = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out.words, ["ccc", "dddd"]);
}

#[test]
fn bad_values_for_set_exit_3_naming_the_input() {
    let cases = [
        (
            vec!["--set", "txt=hello"],
            "error: `--set txt=hello`: the DAG `words` has no input `txt`; its inputs are: \
             text, min_len, day\n",
        ),
        (
            vec!["--set", "text=a", "--set", "split=a"],
            "error: `--set split=a`: the DAG `words` has no input `split`; its inputs are: \
             text, min_len, day\n",
        ),
        (
            vec!["--set", "text=a", "--set", "day=2024-05-01"],
            "error: `--set day=2024-05-01`: input `day` has type `dag_demo::dags::words::Day`, \
             which is not `FromStr + Clone`, so it cannot be set from the command line (give it \
             a value in code: `Cli::new().dag(Dag::new(..).set::<day>(value))`)\n",
        ),
        (
            vec!["--set", "text=a", "--set", "min_len=three"],
            "error: `--set min_len=three`: input `min_len` takes a `usize`, and `three` is not \
             one: invalid digit found in string\n",
        ),
        (
            vec!["--set", "text=a", "--set", "text=b"],
            "error: `--set text=...` is given twice; give each input one value\n",
        ),
        (
            vec![],
            "error: DAG `words` cannot run: input `text` (src/bin/dag-demo/dags.rs:LINE) has \
             no value: give it one with `--set text=VALUE`\n",
        ),
    ];
    let text_line = location("words", "text");
    let text_line = text_line.rsplit(':').next().unwrap();
    for (set, expected) in cases {
        let mut args = vec!["run", "words"];
        args.extend(set);
        let r = demo(&args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr, expected.replace("LINE", text_line), "{args:?}");
        assert_eq!(r.stdout, "");
    }
}

#[test]
fn a_failing_task_exits_1_and_is_named_with_its_error() {
    let r = demo(&["run", "flaky"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        statuses(&r.stderr),
        pairs(&[
            ("completed", "fetch"),
            ("failed", "store"),
            ("completed", "slow"),
            ("completed", "audit"),
            ("skipped", "publish"),
        ])
    );
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(
        errors,
        ["error: task `store` failed: disk full while storing 7"]
    );
    assert!(
        r.stderr
            .lines()
            .next()
            .unwrap()
            .ends_with(": 3 completed, 1 failed, 1 skipped"),
        "{}",
        r.stderr
    );
}

#[test]
fn fail_fast_cancels_what_has_not_started() {
    // `store` fails at once; `audit` waits for `slow` (500 ms) and is cancelled (without
    // --fail-fast it completes: see the test above). `slow` may not have started either.
    let r = demo(&["run", "flaky", "--fail-fast", "--workers", "2"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let mut got = statuses(&r.stderr);
    if got[2] == ("cancelled".to_string(), "slow".to_string()) {
        got[2].0 = "completed".into();
    }
    assert_eq!(
        got,
        pairs(&[
            ("completed", "fetch"),
            ("failed", "store"),
            ("completed", "slow"),
            ("cancelled", "audit"),
            ("skipped", "publish"),
        ]),
        "{}",
        r.stderr
    );
}

/// `(event_type, node_name)` of the node events of a JSON trace.
fn node_events(json: &str) -> Vec<(String, String)> {
    let events: Vec<Value> = serde_json::from_str(json).expect("a JSON array of events");
    events
        .iter()
        .filter_map(|e| {
            let node = e.get("node_name")?.as_str()?;
            Some((e["event_type"].as_str()?.to_string(), node.to_string()))
        })
        .collect()
}

#[test]
fn trace_and_chrome_files_hold_the_runs_events() {
    let dir = tempfile::tempdir().unwrap();
    let (trace, chrome) = (dir.path().join("t.json"), dir.path().join("c.json"));
    let r = demo(&[
        "run",
        "flaky",
        "--trace",
        trace.to_str().unwrap(),
        "--chrome",
        chrome.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let text = std::fs::read_to_string(&trace).unwrap();
    let events: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(events[0]["event_type"], "execution_started");
    assert_eq!(
        events[events.len() - 1]["event_type"],
        "execution_completed"
    );
    let got: BTreeSet<(String, String)> = node_events(&text).into_iter().collect();
    let expected: BTreeSet<(String, String)> = pairs(&[
        ("node_started", "fetch"),
        ("node_completed", "fetch"),
        ("node_started", "store"),
        ("node_failed", "store"),
        ("node_started", "slow"),
        ("node_completed", "slow"),
        ("node_started", "audit"),
        ("node_completed", "audit"),
        ("node_skipped", "publish"),
    ])
    .into_iter()
    .collect();
    assert_eq!(got, expected);
    let failed = events
        .iter()
        .find(|e| e["event_type"] == "node_failed")
        .unwrap();
    assert_eq!(failed["error"], "disk full while storing 7");
    let chrome: Value = serde_json::from_str(&std::fs::read_to_string(&chrome).unwrap()).unwrap();
    let slices: BTreeSet<&str> = chrome["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X" && e["cat"] == "node")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(slices, BTreeSet::from(["fetch", "store", "slow", "audit"]));
}

#[test]
fn a_target_task_runs_with_its_ancestors_only() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.json");
    let r = demo(&[
        "run",
        "words",
        "--set",
        "text=x yy",
        "--task",
        "split",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: Vec<String> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out, ["x", "yy"]);
    assert_eq!(
        statuses(&r.stderr),
        pairs(&[("completed", "text"), ("completed", "split")])
    );
    let nodes: BTreeSet<String> = node_events(&std::fs::read_to_string(&trace).unwrap())
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(nodes, BTreeSet::from(["text".into(), "split".into()]));
    // An output serde cannot write is not printed, and the run says so.
    let r = demo(&["run", "words", "--task", "day"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    assert_eq!(statuses(&r.stderr), pairs(&[("completed", "day")]));
    assert!(
        r.stderr.ends_with(
            "\nnote: the output of `day` is not printed: its type \
             `dag_demo::dags::words::Day` is not serde-serializable\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn profiled_runs_show_in_history_sql_and_estimate() {
    let meta = tempfile::tempdir().unwrap();
    let meta_dir = meta.path().to_str().unwrap();
    let r = demo(&["history", "words", "--meta-dir", meta_dir]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!(
            "no recorded runs of DAG `words` in {meta_dir} (record one with `dag-demo run words \
             --profile`)\n"
        )
    );
    let r = demo(&["estimate", "words", "--meta-dir", meta_dir]);
    assert_eq!(r.code, 3);
    let r = demo(&[
        "run",
        "words",
        "--set",
        "text=one two three",
        "--profile",
        "--workers",
        "1",
        "--meta-dir",
        meta_dir,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let run_id = r.stderr["DAG `words`, run ".len()..]
        .split(':')
        .next()
        .unwrap()
        .to_string();
    let r = demo(&["history", "words", "--meta-dir", meta_dir]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "run_id",
            "started_utc",
            "wall_clock",
            "completed",
            "failed",
            "skipped",
            "cancelled",
            "max_workers"
        ]
    );
    let row: Vec<&str> = lines[1].split_whitespace().collect();
    // Row number, run id, date and time, wall clock, then the counts and the workers.
    assert_eq!(row[1], run_id);
    assert_eq!(&row[5..], ["6", "0", "0", "0", "1"]);
    let r = demo(&[
        "sql",
        "SELECT task_name, status FROM profiling ORDER BY task_name",
        "--meta-dir",
        meta_dir,
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "    task_name     status\n\
         0         day  completed\n\
         1  long_words  completed\n\
         2     min_len  completed\n\
         3      report  completed\n\
         4       split  completed\n\
         5        text  completed\n"
    );
    let r = demo(&["sql", "DELETE FROM profiling", "--meta-dir", meta_dir]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    let r = demo(&[
        "estimate",
        "words",
        "--workers",
        "1",
        "--meta-dir",
        meta_dir,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(
        lines[0].starts_with("DAG `words` on 1 worker: estimated makespan "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("critical path (") && lines[1].ends_with(" -> report"),
        "{}",
        lines[1]
    );
}

#[test]
fn resume_finishes_from_the_checkpoint_and_cache_reuses_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("checkpoint");
    let checkpoint = checkpoint.to_str().unwrap();
    let r = demo(&["run", "flaky", "--checkpoint-dir", checkpoint]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = demo(&["run", "flaky", "--resume", "--checkpoint-dir", checkpoint]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = |stderr: &str, task: &str| -> String {
        stderr
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(task))
            .unwrap()
            .to_string()
    };
    assert!(
        line(&r.stderr, "fetch").ends_with("reused: checkpoint"),
        "{}",
        r.stderr
    );
    assert!(
        line(&r.stderr, "store").starts_with("  failed"),
        "{}",
        r.stderr
    );

    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let args = [
        "run",
        "words",
        "--set",
        "text=a bb ccc",
        "--cache",
        "--cache-dir",
        cache,
    ];
    let first = demo(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stderr.contains("reused: cache"), "{}", first.stderr);
    let second = demo(&args);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.stdout, first.stdout);
    // `report` reads `day`, whose type serde cannot store: it runs every time.
    for task in ["min_len", "split", "long_words"] {
        assert!(
            line(&second.stderr, task).ends_with("reused: cache"),
            "{task}: {}",
            second.stderr
        );
    }
    assert!(
        line(&second.stderr, "report").ends_with(" s"),
        "{}",
        second.stderr
    );
}

#[test]
fn report_writes_the_html_run_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.html");
    let r = demo(&["run", "flaky", "--report", path.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..40]);
    assert!(!html.contains("http://") && !html.contains("https://"));
    for task in ["fetch", "store", "slow", "audit", "publish"] {
        assert!(
            html.contains(&format!("\"{task}\"")),
            "{task} is in the report"
        );
    }
    assert!(html.contains("disk full while storing 7"));
    let bad = demo(&["run", "flaky", "--report", "/nonexistent-dir/run.html"]);
    assert!(
        bad.stderr
            .contains("error: cannot write the HTML report to /nonexistent-dir/run.html"),
        "{}",
        bad.stderr
    );
}
