//! With the `tracing` feature, each task runs inside a `dag.task` span carrying the DAG name,
//! the task name and the run id (own test binary: it installs a global subscriber).
#![cfg(feature = "tracing")]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber, field::Field, field::Visit};

mod pipeline {
    use dag::task;

    #[task]
    pub fn read() -> u8 {
        1
    }

    #[task(final)]
    pub fn write(read: &u8) -> u8 {
        *read
    }
}

type Spans = Arc<Mutex<Vec<(String, BTreeMap<String, String>)>>>;

struct Recorder {
    spans: Spans,
    next: AtomicU64,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        span.record(&mut Fields(&mut fields));
        self.spans
            .lock()
            .expect("not poisoned")
            .push((span.metadata().name().to_string(), fields));
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn each_task_runs_in_a_span() {
    let spans_handle: Spans = Arc::default();
    let spans = spans_handle.clone();
    tracing::subscriber::set_global_default(Recorder {
        spans: spans.clone(),
        next: AtomicU64::new(0),
    })
    .expect("first subscriber of this test binary");
    let exec = dag::Dag::new("pipeline")
        .max_workers(2)
        .execute()
        .expect("resolves");
    let spans = spans.lock().expect("not poisoned");
    let mut tasks: Vec<&str> = spans
        .iter()
        .filter(|(n, _)| n == "dag.task")
        .map(|(_, f)| f["task"].as_str())
        .collect();
    tasks.sort_unstable();
    assert_eq!(tasks, ["read", "write"]);
    for (_, fields) in spans.iter() {
        assert_eq!(fields["dag"], "pipeline");
        assert_eq!(fields["run_id"], exec.run_id());
    }
    drop(spans);
    // Runs with retries (or cache, checkpoints) take another path: the spans are there too.
    let retried = dag::Dag::new("pipeline")
        .retries(1)
        .execute()
        .expect("resolves");
    let spans = spans_handle.lock().expect("not poisoned");
    let of_run = spans
        .iter()
        .filter(|(n, f)| n == "dag.task" && f["run_id"] == retried.run_id())
        .count();
    assert_eq!(of_run, 2);
}
