//! Observers are told about a run as it happens: its start and end, each task's attempts and
//! end, retries, cache hits, resource and gate events.

use dag::graph::Graph;
use dag::trace::TraceEventType;
use dag::{Dag, GateDecision, NodeStatus, Observer, TaskOptions, TaskRef, Tasks};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What each task was told, in order, plus the run's start and end.
#[derive(Default)]
struct Log {
    tasks: Mutex<BTreeMap<String, Vec<String>>>,
    runs: Mutex<Vec<String>>,
}

impl Log {
    fn push(&self, t: &TaskRef<'_>, what: String) {
        let mut tasks = self.tasks.lock().expect("not poisoned");
        tasks.entry(t.task.to_string()).or_default().push(what);
    }

    fn of(&self, task: &str) -> Vec<String> {
        self.tasks.lock().expect("not poisoned")[task].clone()
    }
}

impl Observer for Log {
    fn run_started(&self, dag: &str, _run_id: &str, graph: &Graph) {
        let mut runs = self.runs.lock().expect("not poisoned");
        runs.push(format!("start {dag} ({} tasks)", graph.len()));
    }
    fn task_started(&self, t: &TaskRef<'_>) {
        self.push(t, format!("start #{}", t.attempt));
    }
    fn task_finished(&self, t: &TaskRef<'_>, status: NodeStatus, error: Option<&str>) {
        self.push(t, format!("end {status} {error:?} after {}", t.attempt));
    }
    fn task_retrying(&self, t: &TaskRef<'_>, error: &str, _delay: Duration) {
        self.push(t, format!("retry #{} {error}", t.attempt));
    }
    fn task_event(&self, t: &TaskRef<'_>, kind: TraceEventType, detail: &str) {
        self.push(t, format!("{kind} {detail}"));
    }
    fn run_finished(&self, execution: &dag::Execution) {
        let mut runs = self.runs.lock().expect("not poisoned");
        runs.push(format!(
            "end {} ok={}",
            execution.dag_name(),
            execution.is_success()
        ));
    }
}

fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied())
        .add_edges(edges.iter().copied());
    b.build().expect("a valid graph")
}

#[test]
fn each_task_is_told_its_attempts_retries_and_end() {
    let log = Arc::new(Log::default());
    let g = graph(
        &["flaky", "after", "broken", "skipped"],
        &[("flaky", "after"), ("broken", "skipped")],
    );
    let dag = Dag::from_graph("observed", g)
        .retries(1)
        .backoff(Duration::from_millis(1))
        .observe(log.clone());
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let mut tasks = Tasks::new();
    tasks
        .add_fallible("flaky", move || {
            let mut n = c.lock().expect("not poisoned");
            *n += 1;
            if *n == 1 { Err("first time") } else { Ok(5u8) }
        })
        .add("after", || ())
        .add_fallible("broken", || Err::<u8, _>("always"))
        .add("skipped", || ());
    let ex = dag.execute_with(&tasks).expect("runs");
    assert!(!ex.is_success());
    assert_eq!(
        log.of("flaky"),
        [
            "start #1",
            "retry #1 first time",
            "start #2",
            "end completed None after 2"
        ]
    );
    assert_eq!(log.of("after"), ["start #1", "end completed None after 1"]);
    assert_eq!(
        log.of("broken"),
        [
            "start #1",
            "retry #1 always",
            "start #2",
            "end failed Some(\"always (after 2 attempts)\") after 2"
        ]
    );
    assert_eq!(log.of("skipped"), ["end skipped None after 0"]);
    assert_eq!(
        *log.runs.lock().expect("not poisoned"),
        ["start observed (4 tasks)", "end observed ok=false"]
    );
}

#[test]
fn waiting_tasks_report_resources_gates_and_timeouts() {
    let log = Arc::new(Log::default());
    let g = graph(&["gpu_job", "deploy", "slow"], &[]);
    let dag = Dag::from_graph("observed_waits", g)
        .resource("gpu", 1)
        .gate_handler(|_| GateDecision::Approve)
        .observe(log.clone());
    let mut tasks = Tasks::new();
    tasks
        .add("gpu_job", || 1u8)
        .options("gpu_job", TaskOptions::NONE.resources(&[("gpu", 1)]))
        .add("deploy", || 2u8)
        .options("deploy", TaskOptions::NONE.gate(true))
        .add_async("slow", || tokio::time::sleep(Duration::from_secs(30)))
        .options("slow", TaskOptions::NONE.timeout(Duration::from_millis(10)));
    dag.execute_with(&tasks).expect("runs");
    assert_eq!(
        log.of("gpu_job"),
        [
            "resource_acquired gpu",
            "start #1",
            "resource_released gpu",
            "end completed None after 1"
        ]
    );
    assert_eq!(
        log.of("deploy"),
        [
            "node_gate_waiting ",
            "node_gate_resolved approved",
            "start #1",
            "end completed None after 1"
        ]
    );
    assert_eq!(
        log.of("slow"),
        [
            "start #1",
            "end timed_out Some(\"task `slow` timed out after 10ms\") after 1"
        ]
    );
}

#[test]
fn a_cache_hit_is_told_and_runs_no_attempt() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let log = Arc::new(Log::default());
    let dag = Dag::from_graph("observed_cache", graph(&["rows"], &[]))
        .cache(true)
        .cache_dir(tmp.path())
        .observe(log.clone());
    let mut tasks = Tasks::new();
    tasks.add_persistent("rows", "v1", || vec![1u32, 2]);
    dag.execute_with(&tasks).expect("runs");
    dag.execute_with(&tasks).expect("runs again");
    assert_eq!(
        log.of("rows"),
        [
            "start #1",
            "end completed None after 1",
            "node_cache_hit cache",
            "end completed None after 0"
        ]
    );
}
