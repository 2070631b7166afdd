//! Tasks that wait, on builder graphs: async closures, timeouts, resource pools, gates and
//! cancellation of a run with tasks waiting.

use dag::graph::Graph;
use dag::{Dag, GateDecision, NodeStatus, TaskOptions, Tasks};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(nodes.iter().copied())
        .add_edges(edges.iter().copied());
    b.build().expect("a valid graph")
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn async_and_sync_tasks_mix_and_pass_values() {
    let dag = Dag::from_graph(
        "mix",
        graph(&["a", "b", "sum"], &[("a", "sum"), ("b", "sum")]),
    )
    .max_workers(2);
    let mut tasks = Tasks::new();
    tasks
        .add_async("a", || async {
            tokio::time::sleep(ms(5)).await;
            20u64
        })
        .add("b", || 2u64)
        .add_async_with_inputs("sum", |i| {
            let (a, b) = (i.get::<u64>(0), i.get::<u64>(1));
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok::<_, dag::InputError>(*a? + *b?)
            })
        });
    assert_eq!(dag.run_with::<u64>(&tasks).expect("runs"), 22);
}

/// Sets its flag when dropped: proves a future was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn an_async_task_past_its_deadline_is_dropped_and_its_dependents_skipped() {
    let g = graph(&["slow", "after", "other"], &[("slow", "after")]);
    let dag = Dag::from_graph("deadline", g).max_workers(2);
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = dropped.clone();
    let mut tasks = Tasks::new();
    tasks
        .add_async("slow", move || {
            let guard = DropFlag(flag.clone());
            async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                drop(guard);
                1u8
            }
        })
        .options("slow", TaskOptions::NONE.timeout(ms(30)))
        .add("after", || 2u8)
        .add("other", || 3u8);
    let ex = dag.execute_with(&tasks).expect("runs");
    assert!(dropped.load(Ordering::SeqCst), "the future was dropped");
    assert_eq!(ex.status("slow"), Some(NodeStatus::TimedOut));
    assert_eq!(ex.status("after"), Some(NodeStatus::Skipped));
    assert_eq!(ex.status("other"), Some(NodeStatus::Completed));
    let slow = ex.node("slow").expect("a node");
    assert_eq!(
        slow.error.as_deref(),
        Some("task `slow` timed out after 30ms")
    );
    assert_eq!(ex.timed_out(), 1);
    // Ended at the deadline, not after the 30 s sleep.
    assert!(slow.duration < 10.0, "{}", slow.duration);
}

#[test]
fn a_sync_task_sees_cancelled_at_its_deadline() {
    let dag = Dag::from_graph("sync_deadline", graph(&["poll"], &[])).max_workers(1);
    let saw = Arc::new(AtomicBool::new(false));
    let seen = saw.clone();
    let mut tasks = Tasks::new();
    tasks
        .add("poll", move || {
            while !dag::cancelled() {
                std::thread::sleep(ms(1));
            }
            seen.store(true, Ordering::SeqCst);
        })
        .options("poll", TaskOptions::NONE.timeout(ms(20)));
    let ex = dag.execute_with(&tasks).expect("runs");
    assert!(saw.load(Ordering::SeqCst));
    assert_eq!(ex.status("poll"), Some(NodeStatus::TimedOut));
}

#[test]
fn a_timed_out_attempt_is_retried() {
    let dag = Dag::from_graph("retry_deadline", graph(&["flaky"], &[])).max_workers(2);
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let mut tasks = Tasks::new();
    tasks
        .add_async("flaky", move || {
            let first = c.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
                7u32
            }
        })
        .options(
            "flaky",
            TaskOptions::NONE.timeout(ms(20)).retries(1).backoff(ms(1)),
        );
    let ex = dag.execute_with(&tasks).expect("runs");
    assert_eq!(ex.status("flaky"), Some(NodeStatus::Completed));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(ex.node("flaky").expect("a node").attempts, 2);
    let kinds: Vec<String> = ex
        .to_trace()
        .events_for_node("flaky")
        .iter()
        .map(|e| e.event_type.to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "node_started",
            "node_timed_out",
            "node_started",
            "node_completed"
        ]
    );
}

#[test]
fn a_pool_is_never_over_its_capacity() {
    let names: Vec<String> = (0..8).map(|i| format!("t{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let dag = Dag::from_graph("pool", graph(&refs, &[]))
        .max_workers(2)
        .resource("gpu", 3);
    let live = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut tasks = Tasks::new();
    for name in &names {
        let (live, peak) = (live.clone(), peak.clone());
        tasks
            .add_async(name.clone(), move || {
                let (live, peak) = (live.clone(), peak.clone());
                async move {
                    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(ms(10)).await;
                    live.fetch_sub(1, Ordering::SeqCst);
                }
            })
            .options(name.clone(), TaskOptions::NONE.resources(&[("gpu", 1)]));
    }
    let ex = dag.execute_with(&tasks).expect("runs");
    assert_eq!(ex.succeeded(), 8);
    // Async tasks wait without a worker: 3 ran at once on 2 workers, never more.
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[test]
fn an_unknown_pool_or_a_request_above_capacity_fails_before_the_run() {
    let dag = Dag::from_graph("pool_errors", graph(&["t"], &[])).resource("gpu", 2);
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let mut tasks = Tasks::new();
    tasks
        .add("t", move || r.store(true, Ordering::SeqCst))
        .options("t", TaskOptions::NONE.resources(&[("gpu", 3)]));
    let err = dag.execute_with(&tasks).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "task `t` asks for 3 of resource `gpu`, which holds 2: it could never run"
    );
    tasks.options("t", TaskOptions::NONE.resources(&[("db", 1)]));
    let err = dag.execute_with(&tasks).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "task `t` asks for resource `db`, which the DAG does not declare (it declares: gpu); \
         declare it with .resource(\"db\", capacity)"
    );
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn a_gate_runs_when_its_handler_approves_and_fails_when_it_rejects() {
    let g = || {
        graph(
            &["build", "deploy", "notify"],
            &[("build", "deploy"), ("deploy", "notify")],
        )
    };
    let tasks = || {
        let mut t = Tasks::new();
        t.add("build", || 1u8)
            .add_with_inputs("deploy", |i| Ok::<_, dag::InputError>(*i.get::<u8>(0)? + 1))
            .options("deploy", TaskOptions::NONE.gate(true))
            .add_with_inputs("notify", |i| Ok::<_, dag::InputError>(*i.get::<u8>(0)? + 1));
        t
    };
    let yes = Dag::from_graph("gate_yes", g()).gate_handler(|r| {
        assert_eq!((r.task.as_str(), r.dag.as_str()), ("deploy", "gate_yes"));
        GateDecision::Approve
    });
    assert_eq!(yes.run_with::<u8>(&tasks()).expect("approved"), 3);
    let no = Dag::from_graph("gate_no", g())
        .gate_handler(|_| GateDecision::Reject("frozen for the holidays".into()));
    let ex = no.execute_with(&tasks()).expect("runs");
    assert_eq!(ex.status("deploy"), Some(NodeStatus::Failed));
    assert_eq!(
        ex.node("deploy").expect("a node").error.as_deref(),
        Some("gate `deploy` rejected: frozen for the holidays")
    );
    assert_eq!(ex.status("notify"), Some(NodeStatus::Skipped));
}

#[test]
fn a_gate_is_decided_from_another_thread_or_times_out() {
    let dag = Dag::from_graph("gate_handle", graph(&["deploy"], &[]));
    let gates = dag.gate_handle();
    let mut tasks = Tasks::new();
    tasks
        .add("deploy", || 5u8)
        .options("deploy", TaskOptions::NONE.gate(true));
    let approver = std::thread::spawn(move || {
        while gates.waiting().is_empty() {
            std::thread::sleep(ms(1));
        }
        assert_eq!(gates.waiting(), ["deploy"]);
        assert!(
            gates.approve("deploy"),
            "the waiting gate took the decision"
        );
    });
    assert_eq!(dag.run_with::<u8>(&tasks).expect("approved"), 5);
    approver.join().expect("joins");

    tasks.options("deploy", TaskOptions::NONE.gate(true).gate_timeout(ms(20)));
    let ex = dag.execute_with(&tasks).expect("runs");
    assert_eq!(ex.status("deploy"), Some(NodeStatus::TimedOut));
    assert_eq!(
        ex.node("deploy").expect("a node").error.as_deref(),
        Some("gate `deploy` got no decision within 20ms")
    );
}

#[test]
fn cancelling_drops_a_waiting_future_and_keeps_finished_outputs() {
    let g = graph(&["done", "waits", "after"], &[("waits", "after")]);
    let dag = Dag::from_graph("cancel_async", g)
        .max_workers(2)
        .keep_outputs(true);
    let handle = dag.cancel_handle();
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = dropped.clone();
    let mut tasks = Tasks::new();
    tasks
        .add("done", || 9u8)
        .add_async("waits", move || {
            let guard = DropFlag(flag.clone());
            let handle = handle.clone();
            async move {
                handle.cancel();
                tokio::time::sleep(Duration::from_secs(30)).await;
                drop(guard);
            }
        })
        .add("after", || ());
    let ex = dag.execute_with(&tasks).expect("runs");
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(ex.status("waits"), Some(NodeStatus::Cancelled));
    assert_eq!(ex.status("after"), Some(NodeStatus::Cancelled));
    assert_eq!(ex.output_as::<u8>("done"), Some(&9));
}

/// `(event kind, node)` of every event of `ex`'s trace about waiting: resources and gates.
fn waiting_events(ex: &dag::Execution) -> Vec<dag::trace::TraceEvent> {
    use dag::trace::TraceEventType as T;
    ex.to_trace()
        .events()
        .into_iter()
        .filter(|e| {
            matches!(
                e.event_type,
                T::ResourceAcquired
                    | T::ResourceReleased
                    | T::NodeGateWaiting
                    | T::NodeGateResolved
            )
        })
        .collect()
}

#[test]
fn pool_events_show_the_capacity_is_never_exceeded() {
    use dag::trace::TraceEventType as T;
    let names: Vec<String> = (0..6).map(|i| format!("t{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let dag = Dag::from_graph("pool_trace", graph(&refs, &[]))
        .max_workers(2)
        .resource("gpu", 2)
        .resource("db", 4);
    let mut tasks = Tasks::new();
    for name in &names {
        tasks
            .add_async(name.clone(), || async {
                tokio::time::sleep(ms(5)).await;
            })
            .options(
                name.clone(),
                TaskOptions::NONE.resources(&[("gpu", 1), ("db", 2)]),
            );
    }
    let ex = dag.execute_with(&tasks).expect("runs");
    let events = waiting_events(&ex);
    // Each task takes both pools once and gives both back: 6 × 2 × 2 events.
    assert_eq!(events.len(), 24);
    let mut held = std::collections::HashMap::<String, i64>::new();
    let mut peak = std::collections::HashMap::<String, i64>::new();
    for e in &events {
        let meta = e.metadata.as_ref().expect("metadata");
        let pool = meta["pool"].as_str().expect("a pool").to_string();
        let amount = meta["amount"].as_i64().expect("an amount");
        let h = held.entry(pool.clone()).or_default();
        match e.event_type {
            T::ResourceAcquired => *h += amount,
            T::ResourceReleased => *h -= amount,
            _ => unreachable!("only resource events here"),
        }
        let p = peak.entry(pool).or_default();
        *p = (*p).max(*h);
    }
    // In trace order (by time), never more than the capacity is held: gpu 2 (= 2 tasks),
    // db 4 (= 2 tasks of 2).
    assert_eq!(peak["gpu"], 2);
    assert_eq!(peak["db"], 4);
    assert_eq!(held["gpu"], 0);
    // A task's acquisition precedes its start and its release follows its end.
    let t0: Vec<String> = ex
        .to_trace()
        .events_for_node("t0")
        .iter()
        .map(|e| e.event_type.to_string())
        .collect();
    assert_eq!(
        t0,
        [
            "resource_acquired",
            "resource_acquired",
            "node_started",
            "node_completed",
            "resource_released",
            "resource_released"
        ]
    );
    let report = dag::profile_execution(&dag, &ex);
    let pools: Vec<(&str, usize)> = report
        .resource_waits
        .iter()
        .map(|p| (p.pool.as_str(), p.tasks))
        .collect();
    assert_eq!(pools, [("gpu", 6), ("db", 6)]);
    // Four of the six tasks waited for a share (two at a time ran).
    assert!(report.resource_waits[0].max_seconds > 0.0);
    assert!(
        report
            .summary()
            .contains("Resource waits:\n  gpu: 6 tasks waited")
    );
    let chrome = ex.to_trace().to_chrome_trace();
    assert!(chrome.contains("\"resource_acquired\""), "{chrome}");
    let summary = ex.to_trace().summary();
    let taken: Vec<(&str, usize)> = summary
        .resource_waits
        .iter()
        .map(|(p, n, _)| (p.as_str(), *n))
        .collect();
    assert_eq!(taken, [("gpu", 6), ("db", 6)]);
    assert!(
        summary
            .to_string()
            .contains("\nResource gpu: taken 6 times, ")
    );
}

#[test]
fn gate_events_carry_the_decision() {
    let dag = Dag::from_graph("gate_trace", graph(&["deploy"], &[]))
        .gate_handler(|_| GateDecision::Reject("no".into()));
    let mut tasks = Tasks::new();
    tasks
        .add("deploy", || ())
        .options("deploy", TaskOptions::NONE.gate(true));
    let ex = dag.execute_with(&tasks).expect("runs");
    let events = waiting_events(&ex);
    let kinds: Vec<String> = events.iter().map(|e| e.event_type.to_string()).collect();
    assert_eq!(kinds, ["node_gate_waiting", "node_gate_resolved"]);
    let meta = events[1].metadata.as_ref().expect("metadata");
    assert_eq!(meta["decision"], "rejected");
    assert_eq!(meta["reason"], "no");
    assert_eq!(events[1].error.as_deref(), Some("no"));
    assert_eq!(events[1].node_name.as_deref(), Some("deploy"));
    let summary = ex.to_trace().summary();
    assert_eq!(summary.failed, 1);
    assert_eq!(summary.gates, (0, 1));
    assert!(
        summary
            .to_string()
            .contains("\nGates: 0 approved, 1 not approved\n")
    );
}

#[test]
fn a_timeout_shows_in_the_summary_and_the_records() {
    let tmp = tempfile::tempdir().expect("a temp dir");
    let dag = Dag::from_graph("timeout_records", graph(&["slow"], &[]))
        .profile(true)
        .meta_dir(tmp.path())
        .timeout(ms(10));
    let mut tasks = Tasks::new();
    tasks.add_async("slow", || tokio::time::sleep(Duration::from_secs(30)));
    let ex = dag.execute_with(&tasks).expect("runs");
    assert_eq!(ex.status("slow"), Some(NodeStatus::TimedOut));
    let summary = ex.to_trace().summary();
    assert_eq!((summary.timed_out, summary.failed), (1, 0));
    let t = dag::meta::MetaDb::open(tmp.path())
        .query("SELECT task_name, status FROM profiling")
        .expect("queries");
    assert_eq!(t.len(), 1);
    assert_eq!(t.get::<String>(0, "task_name").expect("a name"), "slow");
    assert_eq!(t.get::<String>(0, "status").expect("a status"), "timed_out");
}

#[test]
fn a_task_waiting_for_a_pool_holds_no_worker() {
    // Two workers, one GPU: while `g1` holds the GPU, `g2` and `g3` wait for it. If a waiting
    // task held a worker, `free` (which needs no GPU) could not start before `g1` ended.
    let g = graph(&["g1", "g2", "g3", "free"], &[]);
    let dag = Dag::from_graph("no_worker_held", g)
        .max_workers(2)
        .resource("gpu", 1);
    let mut tasks = Tasks::new();
    for name in ["g1", "g2", "g3"] {
        tasks
            .add(name, || std::thread::sleep(ms(40)))
            .options(name, TaskOptions::NONE.resources(&[("gpu", 1)]));
    }
    tasks.add("free", || std::thread::sleep(ms(1)));
    let ex = dag.execute_with(&tasks).expect("runs");
    assert_eq!(ex.succeeded(), 4);
    let node = |n: &str| ex.node(n).expect("a node");
    let mut gpu: Vec<(f64, f64)> = ["g1", "g2", "g3"]
        .iter()
        .map(|n| (node(n).start, node(n).end))
        .collect();
    gpu.sort_by(|a, b| a.0.total_cmp(&b.0));
    // The GPU tasks ran one after the other, never two at once.
    assert!(gpu[0].1 <= gpu[1].0 && gpu[1].1 <= gpu[2].0, "{gpu:?}");
    // `free` ran while the first GPU task was still running.
    assert!(
        node("free").end < gpu[0].1,
        "{:?} vs {gpu:?}",
        node("free").end
    );
}

#[test]
fn a_gate_timeout_without_a_gate_is_refused_before_the_run() {
    let dag = Dag::from_graph("gate_timeout_alone", graph(&["t"], &[]));
    let mut tasks = Tasks::new();
    tasks
        .add("t", || ())
        .options("t", TaskOptions::NONE.gate_timeout(ms(10)));
    let err = dag.execute_with(&tasks).expect_err("refused");
    assert_eq!(
        err.to_string(),
        "task `t` has invalid options: `gate_timeout` needs `gate` (it is how long the gate waits)"
    );
}

#[test]
fn a_panicking_gate_handler_or_async_task_fails_its_task_with_the_panic() {
    let g = graph(&["gated", "boom"], &[]);
    let dag = Dag::from_graph("panics", g).gate_handler(|_| panic!("no approver today"));
    let mut tasks = Tasks::new();
    tasks
        .add("gated", || ())
        .options("gated", TaskOptions::NONE.gate(true))
        .add_async("boom", || async {
            tokio::task::yield_now().await;
            panic!("async body broke");
        });
    let ex = dag.execute_with(&tasks).expect("runs");
    assert_eq!(ex.status("gated"), Some(NodeStatus::Failed));
    assert_eq!(
        ex.node("gated").expect("a node").error.as_deref(),
        Some("gate `gated` rejected: the gate handler panicked: no approver today")
    );
    assert_eq!(ex.status("boom"), Some(NodeStatus::Failed));
    assert_eq!(
        ex.node("boom").expect("a node").error.as_deref(),
        Some("task panicked: async body broke")
    );
}

#[test]
fn options_bound_with_with_tasks_take_effect() {
    // `with_tasks` keeps the specs only when some task has options: they must reach the run.
    let mut tasks = Tasks::new();
    tasks
        .add("poll", || {
            while !dag::cancelled() {
                std::thread::sleep(ms(1));
            }
        })
        .options("poll", TaskOptions::NONE.timeout(ms(20)))
        .add("after", || 1u8);
    let dag = Dag::from_graph(
        "bound_options",
        graph(&["poll", "after"], &[("poll", "after")]),
    )
    .with_tasks(tasks)
    .expect("binds");
    let ex = dag.execute().expect("runs");
    assert_eq!(ex.status("poll"), Some(NodeStatus::TimedOut));
    assert_eq!(ex.status("after"), Some(NodeStatus::Skipped));
}

#[test]
fn options_for_a_task_never_added_are_an_error_when_binding() {
    let mut tasks = Tasks::new();
    tasks
        .add("a", || 1u8)
        .options("typo", TaskOptions::NONE.timeout(ms(20)));
    let err = Dag::from_graph("bind_typo", graph(&["a"], &[]))
        .with_tasks(tasks)
        .expect_err("an option for no task");
    assert!(err.to_string().contains("typo"), "{err}");
}
