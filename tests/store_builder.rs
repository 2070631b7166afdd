//! No silent no-ops: graphs built at run time are cached, checkpointed, resumed and rerun
//! when their tasks are added with `Tasks::add_persistent`, and every task a cache or a
//! checkpoint cannot hold is named in a warning (static and run-time DAGs alike).

use dag::graph::Graph;
use dag::{Dag, Error, InputError, NodeStatus, ReuseSource, Tasks};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};

fn chain(names: [&str; 3]) -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(names)
        .add_edges([(names[0], names[1]), (names[1], names[2])]);
    b.build().expect("graph")
}

#[derive(Default)]
struct Counters([AtomicUsize; 3]);

impl Counters {
    fn get(&self) -> [usize; 3] {
        [0, 1, 2].map(|i| self.0[i].load(SeqCst))
    }
}

/// `rows → sum → label`, every task persistent; `sum` fails while `broken` is set.
fn persistent_tasks(runs: &Arc<Counters>, broken: &Arc<AtomicBool>) -> Tasks<'static> {
    let mut tasks = Tasks::new();
    let (r0, r1, r2) = (runs.clone(), runs.clone(), runs.clone());
    let broken = broken.clone();
    tasks
        .add_persistent("rows", "v1", move || {
            r0.0[0].fetch_add(1, SeqCst);
            vec![1u64, 2, 3]
        })
        .add_persistent_with_inputs("sum", "v1", move |inputs| {
            r1.0[1].fetch_add(1, SeqCst);
            if broken.load(SeqCst) {
                return Err("the service is down".to_string());
            }
            let rows = inputs.get::<Vec<u64>>(0).map_err(|e| e.to_string())?;
            Ok(rows.iter().sum::<u64>())
        })
        .add_persistent_with_inputs("label", "v1", move |inputs| {
            r2.0[2].fetch_add(1, SeqCst);
            Ok::<_, InputError>(format!("sum {}", inputs.get::<u64>(0)?))
        });
    tasks
}

#[test]
fn a_builder_graph_hits_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runs = Arc::new(Counters::default());
    let tasks = persistent_tasks(&runs, &Arc::new(AtomicBool::new(false)));
    let dag = Dag::from_graph("built", chain(["rows", "sum", "label"]))
        .cache(true)
        .cache_dir(dir.path());
    let first = dag.execute_with(&tasks).expect("runs");
    assert_eq!((first.cache_stats().stores, first.warnings().len()), (3, 0));
    let second = dag.execute_with(&tasks).expect("runs");
    assert_eq!(second.cache_stats().hits, 3);
    assert_eq!(runs.get(), [1, 1, 1]);
    assert_eq!(
        dag.run_with::<String>(&tasks).expect("runs"),
        "sum 6",
        "served from the cache"
    );
}

#[test]
fn a_builder_graph_resumes_from_its_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runs = Arc::new(Counters::default());
    let broken = Arc::new(AtomicBool::new(true));
    let dag = Dag::from_graph("resumed", chain(["rows", "sum", "label"]))
        .checkpoint_dir(dir.path())
        .with_tasks(persistent_tasks(&runs, &broken))
        .expect("bound");
    let first = dag.execute().expect("runs");
    assert_eq!(first.status("sum"), Some(NodeStatus::Failed));
    broken.store(false, SeqCst);
    let resumed = dag.resume().expect("resumes");
    assert_eq!(resumed.reused(), 1, "{:?}", resumed.warnings());
    assert_eq!(runs.get(), [1, 2, 1], "rows came from the checkpoint");
    assert_eq!(
        resumed.node("rows").expect("node").reused_from,
        Some(ReuseSource::Checkpoint)
    );
    assert_eq!(
        resumed.output_as::<String>("label").map(String::as_str),
        Some("sum 6")
    );
}

#[test]
fn a_builder_rerun_stops_at_an_unchanged_persistent_output() {
    let reading = Arc::new(AtomicU64::new(3));
    let runs = Arc::new(Counters::default());
    let mut tasks = Tasks::new();
    let (r0, r1, r2, input) = (runs.clone(), runs.clone(), runs.clone(), reading.clone());
    tasks
        .add_persistent("reading", "v1", move || {
            r0.0[0].fetch_add(1, SeqCst);
            input.load(SeqCst)
        })
        .add_persistent_with_inputs("bucket", "v1", move |inputs| {
            r1.0[1].fetch_add(1, SeqCst);
            Ok::<_, InputError>(inputs.get::<u64>(0)? / 10)
        })
        .add_with_inputs("report", move |inputs| {
            r2.0[2].fetch_add(1, SeqCst);
            Ok::<_, InputError>(format!("bucket {}", inputs.get::<u64>(0)?))
        });
    let dag = Dag::from_graph("rerun", chain(["reading", "bucket", "report"]))
        .keep_outputs(true)
        .with_tasks(tasks)
        .expect("bound");
    let first = dag.execute().expect("runs");
    reading.store(4, SeqCst);
    let second = dag.rerun(first, &["reading"]).expect("reruns");
    assert_eq!(runs.get(), [2, 2, 1], "bucket is still 0: report is reused");
    assert_eq!(
        second.node("report").expect("node").reused_from,
        Some(ReuseSource::PreviousRun)
    );
    assert!(second.warnings().is_empty(), "{:?}", second.warnings());
}

#[test]
fn a_rerun_of_an_execution_that_kept_no_outputs_says_so() {
    let mut tasks = Tasks::new();
    tasks
        .add_persistent("a", "v1", || 1u32)
        .add_persistent_with_inputs("b", "v1", |i| Ok::<_, InputError>(*i.get::<u32>(0)?))
        .add_persistent_with_inputs("c", "v1", |i| Ok::<_, InputError>(*i.get::<u32>(0)?));
    let dag = Dag::from_graph("forgetful", chain(["a", "b", "c"]))
        .with_tasks(tasks)
        .expect("bound");
    let first = dag.execute().expect("runs without keep_outputs");
    let second = dag.rerun(first, &["a"]).expect("reruns");
    assert_eq!(
        second.warnings(),
        [
            "rerun: the previous execution kept no output of 1 task(s), which run again: `b` \
          (run it with .keep_outputs(true))"
        ]
    );
}

#[test]
fn builder_tasks_that_cannot_be_persisted_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut tasks = Tasks::new();
    tasks
        .add_persistent("a", "v1", || 1u32)
        .add("b", || 2u32)
        .add_persistent_with_inputs("c", "v1", |i| Ok::<_, InputError>(*i.get::<u32>(0)?));
    let dag = Dag::from_graph("plain", chain(["a", "b", "c"]))
        .cache(true)
        .cache_dir(dir.path().join("cache"))
        .checkpoint_dir(dir.path().join("run"));
    let exec = dag.execute_with(&tasks).expect("runs");
    assert_eq!(
        exec.warnings(),
        [
            "cache: 2 task(s) cannot be cached and run every time: `b` (added without \
             `Tasks::add_persistent`), `c` (input `b` has no content hash)",
            "checkpoint: 1 task(s) cannot be checkpointed and run again on resume: `b` (added \
             without `Tasks::add_persistent`)"
        ]
    );
    assert_eq!(exec.cache_stats().stores, 1);
}

mod opaque_static {
    use dag::task;

    /// A handle serde cannot persist.
    pub struct Handle(pub u32);

    #[task]
    pub fn handle() -> Handle {
        Handle(9)
    }

    #[task(final)]
    pub fn value(handle: &Handle) -> u32 {
        handle.0
    }
}

#[test]
fn static_tasks_that_cannot_be_persisted_are_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let exec = Dag::new("opaque_static")
        .cache(true)
        .cache_dir(dir.path().join("cache"))
        .checkpoint_dir(dir.path().join("run"))
        .execute()
        .expect("runs");
    assert_eq!(
        exec.warnings(),
        [
            "cache: 2 task(s) cannot be cached and run every time: `handle` (output \
             `store_builder::opaque_static::Handle` is not serde-capable), `value` (input \
             `handle` has no content hash)",
            "checkpoint: 1 task(s) cannot be checkpointed and run again on resume: `handle` \
             (output `store_builder::opaque_static::Handle` is not serde-capable)"
        ]
    );
}

#[test]
fn resume_without_a_checkpoint_dir_is_an_error_for_builder_dags_too() {
    let mut tasks = Tasks::new();
    tasks.add("a", || 1u8).add("b", || 2u8).add("c", || 3u8);
    let dag = Dag::from_graph("nowhere", chain(["a", "b", "c"]))
        .with_tasks(tasks)
        .expect("bound");
    assert!(matches!(dag.resume(), Err(Error::NoCheckpointDir { .. })));
}
