//! Runs that remember: retries, the content-addressed cache, checkpoint/resume and
//! incremental reruns with early cutoff. Each test uses its own module (= its own DAG) and
//! its own counters, since tests run in parallel.

use dag::trace::TraceEventType as T;
use dag::{Dag, Error, NodeStatus, ReuseSource};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};

mod resumable {
    use super::*;
    use dag::task;

    pub static RUNS: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];
    pub static BROKEN: AtomicBool = AtomicBool::new(true);

    #[task]
    pub fn extract() -> Vec<u64> {
        RUNS[0].fetch_add(1, SeqCst);
        vec![1, 2, 3]
    }

    #[task]
    pub fn transform(extract: &[u64]) -> Vec<u64> {
        RUNS[1].fetch_add(1, SeqCst);
        extract.iter().map(|x| x * 10).collect()
    }

    #[task]
    pub fn flaky(extract: &[u64]) -> Result<u64, String> {
        RUNS[2].fetch_add(1, SeqCst);
        if BROKEN.load(SeqCst) {
            Err("the service is down".to_string())
        } else {
            Ok(extract.len() as u64)
        }
    }

    #[task(final)]
    pub fn load(transform: &[u64], flaky: &u64) -> u64 {
        RUNS[3].fetch_add(1, SeqCst);
        transform.iter().sum::<u64>() + flaky
    }
}

fn runs(counters: &[AtomicUsize]) -> Vec<usize> {
    counters.iter().map(|c| c.load(SeqCst)).collect()
}

#[test]
fn resume_after_a_failure_runs_only_the_unfinished_tasks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("resumable")
        .checkpoint_dir(dir.path())
        .tracing(true);
    let first = dag.execute().expect("runs");
    assert_eq!(first.status("flaky"), Some(NodeStatus::Failed));
    assert_eq!(first.status("load"), Some(NodeStatus::Skipped));
    assert_eq!(runs(&resumable::RUNS), [1, 1, 1, 0]);

    resumable::BROKEN.store(false, SeqCst);
    let resumed = dag
        .resume()
        .expect("same DAG, so the checkpoint is accepted");
    assert!(resumed.is_success(), "{resumed:?}");
    // extract and transform come from the checkpoint; flaky and load run.
    assert_eq!(runs(&resumable::RUNS), [1, 1, 2, 1]);
    assert_eq!(resumed.output::<resumable::load>(), Some(&63));
    assert_eq!(
        resumed.node("transform").expect("node").reused_from,
        Some(ReuseSource::Checkpoint)
    );
    assert_eq!(resumed.reused(), 2);
    let trace = resumed.trace.as_ref().expect("tracing on");
    let hits = trace.events_for_node("transform");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].event_type, T::NodeCacheHit);
    assert_eq!(
        hits[0]
            .metadata
            .as_ref()
            .and_then(|m| m.get("source"))
            .and_then(|v| v.as_str()),
        Some("checkpoint")
    );

    // A checkpoint written by another version of the DAG is refused, naming the task.
    let manifest = dir.path().join("manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest written");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON manifest");
    let nodes = json["nodes"].as_array_mut().expect("nodes");
    let transform = nodes
        .iter_mut()
        .find(|n| n["name"] == "transform")
        .expect("transform listed");
    transform["code_hash"] = serde_json::Value::from("0123456789abcdef");
    std::fs::write(&manifest, json.to_string()).expect("write");
    let err = dag.resume().unwrap_err();
    assert!(matches!(err, Error::Checkpoint(_)), "{err}");
    assert!(
        err.to_string().contains("task `transform` changed"),
        "{err}"
    );
    assert_eq!(runs(&resumable::RUNS), [1, 1, 2, 1], "nothing ran");
    assert!(
        Dag::new("resumable").resume().is_err(),
        "resume needs a checkpoint dir"
    );
}

mod cached_v1 {
    use super::*;
    use dag::task;

    pub static INPUT: AtomicU64 = AtomicU64::new(5);
    pub static RUNS: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

    /// Not cached: reads the outside world every time.
    #[task]
    pub fn input() -> u64 {
        INPUT.load(SeqCst)
    }

    #[task(cache)]
    pub fn square(input: &u64) -> u64 {
        RUNS[0].fetch_add(1, SeqCst);
        input * input
    }

    #[task(cache, version = "1")]
    pub fn rates() -> Vec<f64> {
        RUNS[1].fetch_add(1, SeqCst);
        vec![1.5, 2.5]
    }

    #[task(final, cache)]
    pub fn total(square: &u64, rates: &[f64]) -> f64 {
        RUNS[2].fetch_add(1, SeqCst);
        *square as f64 * rates.iter().sum::<f64>()
    }
}

/// The same tasks; `square`'s code changed and `rates` has a new version.
mod cached_v2 {
    use super::*;
    use dag::task;

    pub static RUNS: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

    #[task]
    pub fn input() -> u64 {
        cached_v1::INPUT.load(SeqCst)
    }

    #[task(cache)]
    pub fn square(input: &u64) -> u64 {
        RUNS[0].fetch_add(1, SeqCst);
        input.pow(2)
    }

    #[task(cache, version = "2")]
    pub fn rates() -> Vec<f64> {
        RUNS[1].fetch_add(1, SeqCst);
        vec![1.5, 2.5]
    }

    #[task(final, cache)]
    pub fn total(square: &u64, rates: &[f64]) -> f64 {
        RUNS[2].fetch_add(1, SeqCst);
        *square as f64 * rates.iter().sum::<f64>()
    }
}

#[test]
fn the_cache_hits_and_is_invalidated_by_code_inputs_and_versions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let v1 = Dag::new("cached_v1").cache_dir(dir.path()).tracing(true);
    let first = v1.execute().expect("runs");
    assert_eq!(first.output::<cached_v1::total>(), Some(&100.0));
    assert_eq!(
        first.cache_stats(),
        dag::CacheStats {
            hits: 0,
            misses: 3,
            stores: 3
        }
    );
    let second = v1.execute().expect("runs");
    assert_eq!(second.output::<cached_v1::total>(), Some(&100.0));
    assert_eq!(second.cache_stats().hits, 3);
    assert_eq!(
        runs(&cached_v1::RUNS),
        [1, 1, 1],
        "second run served from the cache"
    );
    let trace = second.trace.as_ref().expect("tracing on");
    assert_eq!(
        trace
            .events()
            .iter()
            .filter(|e| e.event_type == T::NodeCacheHit)
            .count(),
        3
    );

    // An input changed: square and total miss, rates still hits.
    cached_v1::INPUT.store(6, SeqCst);
    let third = v1.execute().expect("runs");
    assert_eq!(third.output::<cached_v1::total>(), Some(&144.0));
    assert_eq!(runs(&cached_v1::RUNS), [2, 1, 2]);
    assert_eq!(
        third.node("rates").expect("node").reused_from,
        Some(ReuseSource::Cache)
    );

    // v2: square's code changed and rates' version changed: both miss, and so does total,
    // whose key is made of its inputs' keys.
    let v2 = Dag::new("cached_v2").cache_dir(dir.path());
    let other = v2.execute().expect("runs");
    assert_eq!(other.output::<cached_v2::total>(), Some(&144.0));
    assert_eq!(runs(&cached_v2::RUNS), [1, 1, 1]);
    assert_eq!(other.cache_stats().misses, 3);
    // Back to v1: its entries are still there.
    let again = v1.execute().expect("runs");
    assert_eq!(again.cache_stats().hits, 3);
    assert_eq!(runs(&cached_v1::RUNS), [2, 1, 2]);
}

mod corrupt {
    use super::*;
    use dag::task;

    pub static RUNS: AtomicUsize = AtomicUsize::new(0);

    #[task(final, cache)]
    pub fn answer() -> Vec<u32> {
        RUNS.fetch_add(1, SeqCst);
        vec![4, 2]
    }
}

#[test]
fn a_corrupt_cache_entry_is_a_miss_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("corrupt").cache_dir(dir.path());
    assert_eq!(dag.run::<Vec<u32>>().expect("runs"), [4, 2]);
    let objects = dir.path().join("objects");
    let entry = walk(&objects).into_iter().next().expect("one cache entry");
    let mut bytes = std::fs::read(&entry).expect("read entry");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&entry, bytes).expect("corrupt it");
    let exec = dag.execute().expect("runs");
    assert_eq!(
        exec.output::<corrupt::answer>(),
        Some(&vec![4, 2]),
        "never a wrong value"
    );
    assert_eq!(corrupt::RUNS.load(SeqCst), 2, "recomputed");
    assert_eq!(exec.warnings().len(), 1, "{:?}", exec.warnings());
    assert!(
        exec.warnings()[0].contains("answer"),
        "{:?}",
        exec.warnings()
    );
    assert_eq!(dag.run::<Vec<u32>>().expect("runs"), [4, 2]);
    assert_eq!(corrupt::RUNS.load(SeqCst), 2, "the entry was rewritten");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

mod incremental {
    use super::*;
    use dag::task;

    pub static INPUT: AtomicU64 = AtomicU64::new(3);
    pub static RUNS: [AtomicUsize; 3] = [const { AtomicUsize::new(0) }; 3];

    #[task]
    pub fn reading() -> u64 {
        RUNS[0].fetch_add(1, SeqCst);
        INPUT.load(SeqCst)
    }

    /// Buckets of ten: small changes of the reading do not change it.
    #[task]
    pub fn bucket(reading: &u64) -> u64 {
        RUNS[1].fetch_add(1, SeqCst);
        reading / 10
    }

    #[task(final)]
    pub fn report(bucket: &u64) -> String {
        RUNS[2].fetch_add(1, SeqCst);
        format!("bucket {bucket}")
    }
}

#[test]
fn rerun_recomputes_what_changed_and_stops_at_equal_outputs() {
    let dag = Dag::new("incremental").keep_outputs(true).tracing(true);
    let first = dag.execute().expect("runs");
    assert_eq!(runs(&incremental::RUNS), [1, 1, 1]);

    incremental::INPUT.store(4, SeqCst);
    let second = dag.rerun(first, &["reading"]).expect("reruns");
    // reading and bucket run; bucket's output is unchanged (0), so report is reused.
    assert_eq!(runs(&incremental::RUNS), [2, 2, 1]);
    assert_eq!(
        second.output::<incremental::report>().map(String::as_str),
        Some("bucket 0")
    );
    assert_eq!(
        second.node("report").expect("node").reused_from,
        Some(ReuseSource::PreviousRun)
    );
    let trace = second.trace.as_ref().expect("tracing on");
    assert_eq!(
        trace.events_for_node("report")[0].event_type,
        T::NodeCacheHit
    );

    incremental::INPUT.store(42, SeqCst);
    let third = dag.rerun(second, &["reading"]).expect("reruns");
    assert_eq!(runs(&incremental::RUNS), [3, 3, 2]);
    assert_eq!(
        third.output::<incremental::report>().map(String::as_str),
        Some("bucket 4")
    );

    let err = dag.rerun(third, &["nope"]).unwrap_err();
    assert_eq!(
        format!("{:?}", err),
        format!(
            "{:?}",
            Error::UnknownTask {
                name: "nope".into()
            }
        )
    );
}

mod retrying {
    use super::*;
    use dag::task;

    pub static CALLS: [AtomicUsize; 2] = [const { AtomicUsize::new(0) }; 2];

    #[task(retries = 3, backoff = "1ms")]
    pub fn third_time_lucky() -> Result<u32, String> {
        let n = CALLS[0].fetch_add(1, SeqCst) + 1;
        if n < 3 {
            Err(format!("attempt {n} failed"))
        } else {
            Ok(7)
        }
    }

    #[task(retries = 2, backoff = "1ms")]
    pub fn hopeless() -> Result<u32, String> {
        CALLS[1].fetch_add(1, SeqCst);
        Err("still broken".to_string())
    }

    #[task(final)]
    pub fn both(third_time_lucky: &u32, hopeless: &u32) -> u32 {
        third_time_lucky + hopeless
    }
}

#[test]
fn retries_succeed_on_the_third_attempt_and_give_up_after_the_limit() {
    let exec = Dag::new("retrying").tracing(true).execute().expect("runs");
    let lucky = exec.node("third_time_lucky").expect("node");
    assert_eq!((lucky.status, lucky.attempts), (NodeStatus::Completed, 3));
    let hopeless = exec.node("hopeless").expect("node");
    assert_eq!(
        (hopeless.status, hopeless.attempts),
        (NodeStatus::Failed, 3)
    );
    assert_eq!(
        hopeless.error.as_deref(),
        Some("still broken (after 3 attempts)")
    );
    assert_eq!(retrying::CALLS[1].load(SeqCst), 3);
    let trace = exec.trace.as_ref().expect("tracing on");
    let events = trace.events_for_node("third_time_lucky");
    let attempts: Vec<(T, Option<u64>)> = events
        .iter()
        .map(|e| {
            (
                e.event_type,
                e.metadata
                    .as_ref()
                    .and_then(|m| m.get("attempt"))
                    .and_then(serde_json::Value::as_u64),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (T::NodeStarted, Some(1)),
            (T::NodeFailed, Some(1)),
            (T::NodeStarted, Some(2)),
            (T::NodeFailed, Some(2)),
            (T::NodeStarted, Some(3)),
            (T::NodeCompleted, Some(3)),
        ]
    );
}

mod default_retries {
    use super::*;
    use dag::task;

    pub static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[task(final)]
    pub fn second_time() -> Result<u32, String> {
        if CALLS.fetch_add(1, SeqCst) == 0 {
            Err("first call fails".into())
        } else {
            Ok(1)
        }
    }
}

#[test]
fn a_dag_wide_retry_default_applies_to_every_task() {
    let dag = Dag::new("default_retries")
        .retries(1)
        .backoff(std::time::Duration::from_millis(1));
    assert_eq!(dag.run::<u32>().expect("the retry succeeds"), 1);
    assert_eq!(default_retries::CALLS.load(SeqCst), 2);
}

#[test]
fn profiling_records_carry_the_attempt_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    mod_reset();
    let dag = Dag::new("records_retry").profile(true).meta_dir(dir.path());
    assert_eq!(dag.run::<u32>().expect("succeeds on the second attempt"), 5);
    let db = dag::meta::MetaDb::open(dir.path());
    let table = db
        .query("SELECT attempt FROM profiling WHERE task_name = 'wobbly'")
        .expect("query");
    assert_eq!(table.get::<i64>(0, "attempt").expect("column"), 2);
}

fn mod_reset() {
    records_retry::CALLS.store(0, SeqCst);
}

mod records_retry {
    use super::*;
    use dag::task;

    pub static CALLS: AtomicUsize = AtomicUsize::new(0);

    #[task(final, retries = 1, backoff = "1ms")]
    pub fn wobbly() -> Result<u32, String> {
        if CALLS.fetch_add(1, SeqCst) == 0 {
            Err("wobble".into())
        } else {
            Ok(5)
        }
    }
}

mod opaque {
    use super::*;
    use dag::task;
    use std::sync::Arc;

    pub static RUNS: [AtomicUsize; 2] = [const { AtomicUsize::new(0) }; 2];

    /// A handle serde cannot persist.
    pub struct Handle(pub Arc<u32>);

    #[task]
    pub fn handle() -> Handle {
        RUNS[0].fetch_add(1, SeqCst);
        Handle(Arc::new(9))
    }

    #[task(final)]
    pub fn value(handle: &Handle) -> u32 {
        RUNS[1].fetch_add(1, SeqCst);
        *handle.0
    }
}

#[test]
fn outputs_serde_cannot_persist_still_run_and_are_never_cached() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("opaque").cache(true).cache_dir(dir.path());
    for _ in 0..2 {
        assert_eq!(dag.run::<u32>().expect("runs"), 9);
    }
    // `handle` runs every time; `value` (a u32) is cached after the first run, but its key
    // needs its input's content hash, which an opaque handle does not have: it runs too.
    assert_eq!(runs(&opaque::RUNS), [2, 2]);
    // And the run says so, naming both.
    assert_eq!(
        dag.execute().expect("runs").warnings(),
        [
            "cache: 2 task(s) cannot be cached and run every time: `handle` (output \
          `remember::opaque::Handle` is not serde-capable), `value` (input `handle` has no \
          content hash)"
        ]
    );
}
