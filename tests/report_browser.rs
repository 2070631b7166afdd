//! The HTML run report drawn by a real headless Chromium: the DOM after the page's script ran
//! says what it drew (`document.body.dataset`), for a small run with a failure and for a
//! 10,000-task run.
//!
//! Needs Debian's `chromium` (or the binary named by `DAG_CHROMIUM`). Without one the tests
//! print why they skip, and fail when `DAG_REQUIRE_BROWSER=1` (CI sets it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod report_support;

use dag::graph::Graph;
use dag::report::HtmlReport;
use dag::{Dag, Tasks};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary, or `None` (after saying why) when there is none and none is required.
fn chromium() -> Option<String> {
    let bin = std::env::var("DAG_CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    let found = Command::new(&bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(bin);
    }
    let why =
        format!("no headless browser: `{bin} --version` did not run (apt-get install -y chromium)");
    assert!(
        std::env::var("DAG_REQUIRE_BROWSER").as_deref() != Ok("1"),
        "{why}, and DAG_REQUIRE_BROWSER=1"
    );
    eprintln!("skipped: {why}");
    None
}

/// Runs `chromium --dump-dom` on `page` and returns the `<body>` attributes of the DOM it
/// printed (after the page's scripts ran), and that DOM.
fn body_after_scripts(bin: &str, page: &Path, dir: &Path) -> (HashMap<String, String>, String) {
    let profile = dir.join("chromium-profile");
    let out_path = dir.join("dom.html");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Chromium has no timeout of its own for --dump-dom: poll the process, give up after 120 s.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium failed: {status}");
    let dom = std::fs::read_to_string(&out_path).unwrap();
    let start = dom.find("<body").expect("a <body> in the dumped DOM");
    let end = start + dom[start..].find('>').expect("the end of <body>");
    (attributes(&dom[start + "<body".len()..end]), dom)
}

/// `key="value"` pairs of a start tag (values as serialised by Chromium: `&quot;` and `&amp;`
/// escaped).
fn attributes(tag: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 2..];
        let close = after.find('"').expect("a closing quote");
        let value = after[..close].replace("&quot;", "\"").replace("&amp;", "&");
        out.insert(key, value);
        rest = &after[close + 1..];
    }
    out
}

fn write_page(dir: &Path, name: &str, html: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    path
}

fn assert_drawn(body: &HashMap<String, String>, expected: &[(&str, usize)]) {
    assert_eq!(
        body.get("data-rendered").map(String::as_str),
        Some("ok"),
        "the script failed: {:?}",
        body.get("data-error")
    );
    for &(key, value) in expected {
        assert_eq!(
            body.get(key).map(String::as_str),
            Some(value.to_string().as_str()),
            "{key}"
        );
    }
}

#[test]
fn a_small_run_with_a_failure_is_drawn_in_full() {
    let Some(bin) = chromium() else { return };
    let (dag, exec) = report_support::failing_run();
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(
        dir.path(),
        "small.html",
        &HtmlReport::new(&dag, &exec).render(),
    );
    let (body, dom) = body_after_scripts(&bin, &page, dir.path());
    // load, parse, square, sum ran (publish was skipped: no bar); square has 3 elements;
    // the critical path is load → square → sum; parse failed.
    assert_drawn(
        &body,
        &[
            ("data-tasks", 5),
            ("data-bars", 4),
            ("data-element-bars", 3),
            ("data-critical", 3),
            ("data-graph-nodes", 5),
            ("data-graph-edges", 4),
            ("data-graph-critical", 3),
            ("data-failures", 1),
        ],
    );
    // The whole DAG is drawn: no note about left-out nodes.
    assert!(dom.contains(r#"<p id="graph-note" class="note" hidden="">"#));
}

/// 100 levels of 100 nodes; node `c` of a level depends on nodes `c` and `c + 1 (mod 100)` of
/// the level above.
fn layered(levels: usize, width: usize) -> (dag::GraphDag, dag::Execution) {
    let name = |l: usize, c: usize| format!("l{l}_c{c}");
    let mut b = Graph::builder();
    for l in 0..levels {
        for c in 0..width {
            b.add_node(name(l, c));
            if l > 0 {
                b.add_edge(name(l - 1, c), name(l, c));
                b.add_edge(name(l - 1, (c + 1) % width), name(l, c));
            }
        }
    }
    let dag = Dag::from_graph("layered", b.build().unwrap()).max_workers(4);
    let mut tasks = Tasks::new();
    for l in 0..levels {
        for c in 0..width {
            tasks.add(name(l, c), move || l * c);
        }
    }
    let exec = dag.execute_with(&tasks).unwrap();
    (dag, exec)
}

#[test]
fn ten_thousand_tasks_are_drawn_one_bar_each() {
    let Some(bin) = chromium() else { return };
    let (dag, exec) = layered(100, 100);
    assert!(exec.is_success());
    let report = HtmlReport::new(&dag, &exec);
    let critical = report.profile().critical_path;
    // Every root-to-sink path crosses all 100 levels, one node each.
    assert_eq!(critical.len(), 100);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let html = report.render();
    let render = started.elapsed();
    let page = write_page(dir.path(), "big.html", &html);
    let (body, dom) = body_after_scripts(&bin, &page, dir.path());
    // The default budget (400 nodes) draws levels 0-3; their 300 non-root nodes have 2 edges
    // each; the critical path has one node per level.
    assert_eq!(dag::report::DEFAULT_MAX_GRAPH_NODES, 400);
    assert_drawn(
        &body,
        &[
            ("data-tasks", 10_000),
            ("data-bars", 10_000),
            ("data-element-bars", 0),
            ("data-critical", 100),
            ("data-graph-nodes", 400),
            ("data-graph-edges", 600),
            ("data-graph-critical", 4),
            ("data-failures", 0),
        ],
    );
    assert!(dom.contains(
        "Drawn: 400 of 10000 tasks (levels 0–3 of 100; at most 400 are drawn); the Gantt chart \
         and the tables cover every task. Edges drawn: 600 of 19800."
    ));
    let ms: f64 = body["data-render-ms"].parse().unwrap();
    println!(
        "10,000 tasks: page of {} KB rendered by HtmlReport::render in {} ms (this build), \
         drawn by Chromium {ms:.0} ms after navigation start (performance.now())",
        html.len() / 1024,
        render.as_millis()
    );
}

#[test]
fn an_empty_run_is_drawn_without_error() {
    let Some(bin) = chromium() else { return };
    let dag = Dag::from_graph("empty", Graph::builder().build().unwrap());
    let exec = dag.execute_with(&Tasks::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(
        dir.path(),
        "empty.html",
        &HtmlReport::new(&dag, &exec).render(),
    );
    let (body, _) = body_after_scripts(&bin, &page, dir.path());
    assert_drawn(
        &body,
        &[
            ("data-tasks", 0),
            ("data-bars", 0),
            ("data-critical", 0),
            ("data-graph-nodes", 0),
            ("data-failures", 0),
        ],
    );
}

#[test]
fn a_cut_drawing_says_what_it_left_out() {
    let Some(bin) = chromium() else { return };
    let mut b = Graph::builder();
    b.add_nodes(["a", "b", "c", "join"])
        .add_edges([("a", "join"), ("b", "join"), ("c", "join")]);
    let dag = Dag::from_graph("cut", b.build().unwrap());
    let mut tasks = Tasks::new();
    for name in ["a", "b", "c", "join"] {
        tasks.add(name, || ());
    }
    let exec = dag.execute_with(&tasks).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let html = HtmlReport::new(&dag, &exec).max_graph_nodes(2).render();
    let page = write_page(dir.path(), "cut.html", &html);
    let (body, dom) = body_after_scripts(&bin, &page, dir.path());
    assert_drawn(
        &body,
        &[
            ("data-tasks", 4),
            ("data-bars", 4),
            ("data-graph-nodes", 2),
            ("data-graph-edges", 0),
        ],
    );
    assert!(dom.contains(
        "Drawn: 2 of 4 tasks (the first 2 of level 0's 3 nodes; at most 2 are drawn); the Gantt \
         chart and the tables cover every task. Edges drawn: 0 of 3."
    ));
}

#[test]
fn a_script_error_is_reported_on_the_body() {
    let Some(bin) = chromium() else { return };
    let (dag, exec) = report_support::failing_run();
    // A page whose data the script cannot read: `tasks` is not a list.
    let html = HtmlReport::new(&dag, &exec).render();
    let broken = html.replacen("\"tasks\":[", "\"tasks\":{\"x\":[", 1);
    assert_ne!(broken, html);
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path(), "broken.html", &broken);
    let (body, _) = body_after_scripts(&bin, &page, dir.path());
    assert_eq!(body.get("data-rendered").map(String::as_str), Some("error"));
    assert!(body.get("data-error").is_some_and(|e| !e.is_empty()));
    assert!(!body.contains_key("data-bars"));
}
