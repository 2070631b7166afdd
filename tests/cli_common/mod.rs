//! What the command-line tests share: the demo program run as a process, and readers of its
//! summary. The demo's DAGs are compiled in here too, so that answers can be compared with the
//! library's.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../src/bin/dag-demo/dags.rs"]
pub mod dags;

use dag::Dag;
use std::process::Command;

/// What one run of the program did.
pub struct Ran {
    /// Its exit code.
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

/// Runs `dag-demo args` (without the dag environment variables) to its end.
pub fn demo(args: &[&str]) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_dag-demo"))
        .args(args)
        .env_remove("DAG_TRACING")
        .env_remove("DAG_META_DIR")
        .env_remove("DAG_CACHE_DIR")
        .output()
        .expect("dag-demo starts");
    Ran {
        code: out.status.code().expect("dag-demo exits with a code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `(status, task)` of each task line of a run's summary (on stderr), in order.
pub fn statuses(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let mut words = l.split_whitespace();
            let status = words.next().unwrap_or_default().to_string();
            (status, words.next().unwrap_or_default().to_string())
        })
        .collect()
}

/// Owned pairs, to compare with [`statuses`].
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// `file:line` of a demo task as the demo binary records it.
pub fn location(dag: &str, task: &str) -> String {
    let info = Dag::new(dag).task(task).unwrap().unwrap();
    let line = info.location.rsplit(':').next().unwrap().to_string();
    format!("src/bin/dag-demo/dags.rs:{line}")
}
