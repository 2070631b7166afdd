//! Several processes write and query one meta dir at once; nothing is lost or doubled.
//!
//! The test re-runs its own binary as the writer processes (`--exact <this test>` with
//! `DAG_META_TEST_CHILD=<index>` and `DAG_META_DIR=<dir>` in the environment).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};

use common::sample_run;
use dag::meta::{MetaDb, default_meta_dir, write_run};

const CHILD_ENV: &str = "DAG_META_TEST_CHILD";
const TEST_NAME: &str = "eight_processes_write_and_query_concurrently";
const PROCESSES: usize = 8;
const RUNS_PER_PROCESS: usize = 25;
const TASKS: usize = 6;

#[test]
fn eight_processes_write_and_query_concurrently() {
    if let Ok(index) = std::env::var(CHILD_ENV) {
        child(&index);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            Command::new(&exe)
                .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, i.to_string())
                .env("DAG_META_DIR", dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "child {i} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The child really ran the writer (and not zero tests).
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
    }
    let db = MetaDb::open(dir.path());
    let runs = db
        .query("SELECT COUNT(*) AS n, COUNT(DISTINCT run_id) AS d FROM runs")
        .unwrap();
    assert!(runs.warnings().is_empty(), "{:?}", runs.warnings());
    let total = (PROCESSES * RUNS_PER_PROCESS) as i64;
    assert_eq!(runs.get::<i64>(0, "n").unwrap(), total);
    assert_eq!(runs.get::<i64>(0, "d").unwrap(), total);
    let rows = db.query("SELECT COUNT(*) AS n FROM profiling").unwrap();
    assert_eq!(rows.get::<i64>(0, "n").unwrap(), total * TASKS as i64);
    let per_run = db
        .query("SELECT run_id FROM profiling GROUP BY dag_name, run_id HAVING COUNT(*) != 6")
        .unwrap();
    assert!(per_run.is_empty(), "{per_run}");
    // No temporary files left behind by the writers.
    for dag in ["multi_even", "multi_odd"] {
        for e in std::fs::read_dir(dir.path().join("profiling").join(dag)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            assert!(!name.starts_with('.'), "leftover {name}");
        }
    }
}

fn child(index: &str) {
    let meta = default_meta_dir(); // from DAG_META_DIR
    let db = MetaDb::new();
    assert_eq!(db.dir(), meta);
    let i: usize = index.parse().unwrap();
    let dag = if i.is_multiple_of(2) {
        "multi_even"
    } else {
        "multi_odd"
    };
    let mut last = 0;
    for r in 0..RUNS_PER_PROCESS {
        write_run(&meta, &sample_run(dag, &format!("p{i}-r{r}"), TASKS)).unwrap();
        // Half the writers also query (and so ingest) while the others keep writing.
        if i.is_multiple_of(2) && r % 5 == 4 {
            let t = db.query("SELECT COUNT(*) AS n FROM profiling").unwrap();
            assert!(t.warnings().is_empty(), "{:?}", t.warnings());
            let n: i64 = t.get(0, "n").unwrap();
            assert_eq!(n % TASKS as i64, 0, "a run was seen half-ingested");
            assert!(n >= last && n >= ((r + 1) * TASKS) as i64, "{n} < {last}");
            last = n;
        }
    }
}
