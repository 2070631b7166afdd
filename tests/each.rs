//! `#[each]`: a task mapped over the elements of an upstream `Vec<T>`.

use dag::{Dag, Error, NodeStatus};

mod wc {
    use dag::task;

    /// The texts.
    #[task(input)]
    pub fn texts() -> Vec<String>;

    /// Shortest word that counts.
    #[task(input)]
    pub fn min_len() -> usize {
        3
    }

    /// Words in one text.
    #[task]
    pub fn words(#[each] texts: &String, min_len: &usize) -> Result<usize, String> {
        if texts.contains('!') {
            return Err(format!("no shouting: {texts:?}"));
        }
        Ok(texts
            .split_whitespace()
            .filter(|w| w.len() >= *min_len)
            .count())
    }

    /// The sum.
    #[task(final)]
    pub fn total(words: &[usize]) -> usize {
        words.iter().sum()
    }
}

fn texts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn dependents_get_the_outputs_in_element_order() {
    let many: Vec<String> = (0..200).map(|i| "word ".repeat(i % 7)).collect();
    let dag = Dag::new("wc").max_workers(2).set::<wc::texts>(many.clone());
    let counts: Vec<usize> = dag.run_to::<wc::words>().expect("runs");
    assert_eq!(counts, (0..200).map(|i| i % 7).collect::<Vec<_>>());
    assert_eq!(
        dag.run::<usize>().expect("runs"),
        counts.iter().sum::<usize>()
    );
    // The function stays callable as written.
    assert_eq!(wc::words(&"a bcd efgh".to_string(), &3), Ok(2));
}

#[test]
fn a_failing_element_fails_the_task_naming_its_index() {
    let dag = Dag::new("wc").set::<wc::texts>(texts(&["one two", "fine", "stop!", "bad!"]));
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.status("words"), Some(NodeStatus::Failed));
    assert_eq!(exec.status("total"), Some(NodeStatus::Skipped));
    // Every element's outcome is kept, not only the first failure's.
    let elements = exec.elements("words");
    let errors: Vec<(usize, Option<&str>)> = elements
        .iter()
        .map(|e| (e.index, e.error.as_deref()))
        .collect();
    assert_eq!(
        errors,
        [
            (0, None),
            (1, None),
            (2, Some("no shouting: \"stop!\"")),
            (3, Some("no shouting: \"bad!\"")),
        ]
    );
    assert!(elements.iter().all(|e| e.attempts == 1 && e.end >= e.start));
    assert!(exec.elements("total").is_empty());
    let err = dag.run::<usize>().expect_err("an element fails");
    let Error::TaskFailed { task, error } = &err else {
        panic!("{err}");
    };
    assert_eq!(task, "words");
    assert_eq!(error, "`words[2]` failed: no shouting: \"stop!\"");
}

#[test]
fn an_empty_upstream_gives_an_empty_vec() {
    let dag = Dag::new("wc").set::<wc::texts>(Vec::new());
    assert_eq!(
        dag.run_to::<wc::words>().expect("runs"),
        Vec::<usize>::new()
    );
}

#[test]
fn every_element_is_traced_as_task_index() {
    let dag = Dag::new("wc").tracing(true).set::<wc::texts>(texts(&[
        "one two three",
        "four",
        "no!",
        "five six",
    ]));
    let exec = dag.execute().expect("runs");
    let trace = exec.trace.as_ref().expect("traced");
    for i in 0..4 {
        let events = trace.events_for_node(&format!("words[{i}]"));
        let kinds: Vec<String> = events
            .iter()
            .map(|e| serde_json::to_value(e).expect("json")["event_type"].to_string())
            .collect();
        let last = if i == 2 {
            "\"node_failed\""
        } else {
            "\"node_completed\""
        };
        assert_eq!(kinds, ["\"node_started\"", last], "element {i}");
        let meta = serde_json::to_value(&events[1]).expect("json")["metadata"].clone();
        assert_eq!(meta, serde_json::json!({"task": "words", "element": i}));
    }
    let failed = serde_json::to_value(&trace.events_for_node("words[2]")[1]).expect("json");
    assert_eq!(failed["error"], "no shouting: \"no!\"");
    let chrome = trace.to_chrome_trace();
    assert!(chrome.contains("words[3]"), "{chrome}");
}

#[test]
fn every_element_is_recorded_with_its_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("wc")
        .profile(true)
        .meta_dir(dir.path())
        .set::<wc::texts>(texts(&["one two three", "four"]));
    let exec = dag.execute().expect("runs");
    assert!(exec.warnings().is_empty(), "{:?}", exec.warnings());
    let db = dag::meta::MetaDb::open(dir.path());
    let t = db
        .query(
            "SELECT task_name, element_index FROM profiling WHERE element_index IS NOT NULL \
             ORDER BY element_index",
        )
        .expect("queries");
    assert_eq!(t.len(), 2);
    assert_eq!(t.get::<String>(0, "task_name").expect("a name"), "words[0]");
    assert_eq!(t.get::<i64>(1, "element_index").expect("an index"), 1);
    let runs = db.query("SELECT completed FROM runs").expect("queries");
    assert_eq!(
        runs.get::<i64>(0, "completed").expect("a count"),
        4,
        "tasks, not elements"
    );
    let means = db.mean_runtimes("wc").expect("means");
    assert!(!means.contains_key("words[0]"), "{means:?}");
}

mod flaky {
    use dag::task;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Runs of each element's body.
    pub static RUNS: [AtomicU32; 3] = [AtomicU32::new(0), AtomicU32::new(0), AtomicU32::new(0)];

    /// Indices.
    #[task]
    pub fn items() -> Vec<usize> {
        vec![0, 1, 2]
    }

    /// Element 1 fails on its first attempt only.
    #[task(final, retries = 2, backoff = "1ms")]
    pub fn tens(#[each] items: &usize) -> Result<usize, String> {
        if RUNS[*items].fetch_add(1, Ordering::SeqCst) == 0 && *items == 1 {
            return Err("flaked".to_string());
        }
        Ok(items * 10)
    }
}

#[test]
fn retries_apply_per_element() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("flaky").profile(true).meta_dir(dir.path());
    let out: Vec<usize> = dag.run().expect("element 1 succeeds on its second attempt");
    assert_eq!(out, [0, 10, 20]);
    let runs: Vec<u32> = flaky::RUNS
        .iter()
        .map(|r| r.load(Ordering::SeqCst))
        .collect();
    assert_eq!(runs, [1, 2, 1], "only the failing element ran again");
    let t = dag::meta::MetaDb::open(dir.path())
        .query("SELECT task_name, attempt FROM profiling ORDER BY task_name")
        .expect("queries");
    let rows: Vec<(String, i64)> = (0..t.len())
        .map(|i| {
            (
                t.get::<String>(i, "task_name").expect("a name"),
                t.get::<i64>(i, "attempt").expect("an attempt"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("items".to_string(), 1),
            ("tens".to_string(), 1),
            ("tens[0]".to_string(), 1),
            ("tens[1]".to_string(), 2),
            ("tens[2]".to_string(), 1),
        ]
    );
}

#[test]
fn a_builder_task_maps_over_its_input_with_add_each() {
    use dag::Tasks;
    use dag::graph::Graph;
    let mut b = Graph::builder();
    b.add_nodes(["texts", "lens"])
        .add_edges([("texts", "lens")]);
    let dag = Dag::from_graph("builder_each", b.build().expect("a DAG"))
        .retries(1)
        .backoff(std::time::Duration::from_millis(1));
    let mut tasks = Tasks::new();
    tasks
        .add("texts", || texts(&["ab", "", "abc"]))
        .add_each("lens", |t: &String| {
            if t.is_empty() {
                Err("empty".to_string())
            } else {
                Ok(t.len())
            }
        });
    let exec = dag.execute_with(&tasks).expect("runs");
    assert_eq!(exec.status("lens"), Some(NodeStatus::Failed));
    let failure = exec.first_failure().expect("a failure");
    assert_eq!(
        failure.error.as_deref(),
        Some("`lens[1]` failed: empty (after 2 attempts)")
    );
    let attempts: Vec<u32> = exec.elements("lens").iter().map(|e| e.attempts).collect();
    assert_eq!(attempts, [1, 2, 1], "retries act per element");
    assert_eq!(exec.node("lens").expect("a node").attempts, 1);

    let mut ok = Tasks::new();
    ok.add("texts", || texts(&["ab", "abc"]))
        .add_each("lens", |t: &String| Ok::<_, String>(t.len()));
    assert_eq!(dag.run_with::<Vec<usize>>(&ok).expect("runs"), [2, 3]);
}

mod slow {
    use dag::task;

    /// Milliseconds per element.
    #[task]
    pub fn delays() -> Vec<u64> {
        vec![2, 2, 100, 2, 2]
    }

    /// Sleeps that long.
    #[task(final)]
    pub fn naps(#[each] delays: &u64) -> u64 {
        std::thread::sleep(std::time::Duration::from_millis(*delays));
        *delays
    }
}

#[test]
fn the_profile_names_a_straggling_element() {
    let dag = Dag::new("slow").max_workers(2);
    let exec = dag.execute().expect("runs");
    let report = dag::profile_execution(&dag, &exec);
    let found: Vec<(&str, &str)> = report
        .stragglers
        .iter()
        .map(|s| (s.join.as_str(), s.straggler.as_str()))
        .collect();
    assert_eq!(found, [("naps", "naps[2]")], "{:?}", report.stragglers);
}
