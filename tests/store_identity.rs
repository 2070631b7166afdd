//! Type identity of stored values: a task whose tokens did not change but whose output type
//! did never gets the old bytes decoded into the new type, from the cache or a checkpoint; a
//! copied or swapped file is a miss with a warning, never a value.

use dag::graph::Graph;
use dag::{Dag, NodeStatus, Tasks};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

/// The first version of a program: three cached tasks.
mod shapes_v1 {
    use super::*;
    use dag::task;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct P {
        pub x: f64,
        pub y: f64,
    }

    pub type Ids = Vec<u32>;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct S {
        pub n: u32,
    }

    #[task(cache)]
    pub fn point() -> P {
        P { x: 2.0, y: 1.0 }
    }

    #[task(cache)]
    pub fn ids() -> Ids {
        vec![10, 20, 30]
    }

    #[task(cache)]
    pub fn sized() -> S {
        S { n: 7 }
    }

    #[task(final)]
    pub fn done(point: &P, ids: &Ids, sized: &S) -> usize {
        let _ = (point, sized);
        ids.len()
    }
}

/// The same tasks, token for token; only the types changed: `P`'s fields reordered, the
/// alias switched to `Vec<i32>`, `S::n` now an `i64`.
mod shapes_v2 {
    use super::*;
    use dag::task;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct P {
        pub y: f64,
        pub x: f64,
    }

    pub type Ids = Vec<i32>;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct S {
        pub n: i64,
    }

    #[task(cache)]
    pub fn point() -> P {
        P { x: 2.0, y: 1.0 }
    }

    #[task(cache)]
    pub fn ids() -> Ids {
        vec![10, 20, 30]
    }

    #[task(cache)]
    pub fn sized() -> S {
        S { n: 7 }
    }

    #[task(final)]
    pub fn done(point: &P, ids: &Ids, sized: &S) -> usize {
        let _ = (point, sized);
        ids.len()
    }
}

#[test]
fn a_changed_output_type_misses_the_cache_of_the_old_type() {
    let dir = tempfile::tempdir().expect("temp dir");
    let v1 = Dag::new("shapes_v1")
        .cache_dir(dir.path())
        .execute()
        .expect("runs");
    assert_eq!(v1.cache_stats().stores, 3);
    let v2 = Dag::new("shapes_v2")
        .cache_dir(dir.path())
        .keep_outputs(true)
        .execute()
        .expect("runs");
    assert_eq!(v2.cache_stats().hits, 0, "{:?}", v2.warnings());
    assert_eq!(
        v2.output::<shapes_v2::point>(),
        Some(&shapes_v2::P { x: 2.0, y: 1.0 }),
        "not swapped"
    );
    assert_eq!(
        v2.output::<shapes_v2::ids>(),
        Some(&vec![10, 20, 30]),
        "not [5, 10, 15]"
    );
    assert_eq!(
        v2.output::<shapes_v2::sized>(),
        Some(&shapes_v2::S { n: 7 }),
        "not -4"
    );
    // Each version keeps hitting its own entries.
    let again = Dag::new("shapes_v1")
        .cache_dir(dir.path())
        .keep_outputs(true)
        .execute()
        .expect("runs");
    assert_eq!(again.cache_stats().hits, 3);
    assert_eq!(
        again.output::<shapes_v1::point>(),
        Some(&shapes_v1::P { x: 2.0, y: 1.0 })
    );
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

mod copied {
    use super::*;
    use dag::task;

    pub static RUNS: [AtomicUsize; 2] = [const { AtomicUsize::new(0) }; 2];

    #[task(cache)]
    pub fn one() -> u64 {
        RUNS[0].fetch_add(1, SeqCst);
        1
    }

    #[task(cache)]
    pub fn two() -> u64 {
        RUNS[1].fetch_add(1, SeqCst);
        2
    }

    #[task(final)]
    pub fn pair(one: &u64, two: &u64) -> (u64, u64) {
        (*one, *two)
    }
}

#[test]
fn a_cache_entry_copied_over_another_is_a_miss_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("copied").cache_dir(dir.path());
    assert_eq!(dag.run::<(u64, u64)>().expect("runs"), (1, 2));
    // An entry ends with its value's postcard bytes: 1 for `one`, 2 for `two`.
    let entries = files(&dir.path().join("objects"));
    let by_value = |v: u8| {
        entries
            .iter()
            .find(|p| std::fs::read(p).expect("read").last() == Some(&v))
            .expect("entry")
            .clone()
    };
    std::fs::copy(by_value(1), by_value(2)).expect("copy");
    let exec = dag.execute().expect("runs");
    assert_eq!(
        exec.output::<copied::pair>(),
        Some(&(1, 2)),
        "never `one`'s value"
    );
    assert_eq!(exec.warnings().len(), 1, "{:?}", exec.warnings());
    let warning = &exec.warnings()[0];
    assert!(warning.contains("task `two`"), "{warning}");
    assert!(warning.contains("copied or renamed"), "{warning}");
    assert_eq!(copied::RUNS[1].load(SeqCst), 2, "two ran again");
    assert_eq!(
        dag.execute().expect("runs").cache_stats().hits,
        2,
        "rewritten"
    );
}

mod swapped {
    use super::*;
    use dag::task;

    pub static BROKEN: AtomicBool = AtomicBool::new(true);
    pub static RUNS: [AtomicUsize; 2] = [const { AtomicUsize::new(0) }; 2];

    #[task]
    pub fn tens() -> u64 {
        RUNS[0].fetch_add(1, SeqCst);
        3
    }

    #[task]
    pub fn units() -> u64 {
        RUNS[1].fetch_add(1, SeqCst);
        4
    }

    #[task(final)]
    pub fn number(tens: &u64, units: &u64) -> Result<u64, String> {
        if BROKEN.load(SeqCst) {
            return Err("not yet".into());
        }
        Ok(tens * 10 + units)
    }
}

#[test]
fn swapped_checkpoint_outputs_are_recomputed_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("swapped").checkpoint_dir(dir.path());
    let first = dag.execute().expect("runs");
    assert_eq!(first.status("number"), Some(NodeStatus::Failed));
    let outputs = dir.path().join("outputs");
    let (tens, units) = (outputs.join("tens.bin"), outputs.join("units.bin"));
    let tmp = outputs.join("swap");
    std::fs::rename(&tens, &tmp).expect("swap");
    std::fs::rename(&units, &tens).expect("swap");
    std::fs::rename(&tmp, &units).expect("swap");
    swapped::BROKEN.store(false, SeqCst);
    let resumed = dag.resume().expect("resumes");
    assert_eq!(resumed.output::<swapped::number>(), Some(&34), "not 43");
    assert_eq!(resumed.reused(), 0);
    assert_eq!(swapped::RUNS[0].load(SeqCst), 2);
    assert_eq!(resumed.warnings().len(), 2, "{:?}", resumed.warnings());
    for (w, node) in resumed.warnings().iter().zip(["tens", "units"]) {
        assert!(w.contains(&format!("not of `{node}`")), "{w}");
        assert!(w.contains("the task runs again"), "{w}");
    }
}

mod builder_v1 {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct P {
        pub x: f64,
        pub y: f64,
    }
}

mod builder_v2 {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct P {
        pub y: f64,
        pub x: f64,
    }
}

fn point_graph() -> Graph {
    let mut b = Graph::builder();
    b.add_nodes(["point", "fails"])
        .add_edges([("point", "fails")]);
    b.build().expect("graph")
}

#[test]
fn a_checkpoint_of_another_output_type_is_refused_by_resume() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut v1 = Tasks::new();
    v1.add_persistent("point", "1", || builder_v1::P { x: 2.0, y: 1.0 })
        .add_fallible("fails", || Err::<u8, _>("down"));
    let dag = Dag::from_graph("shapes", point_graph()).checkpoint_dir(dir.path());
    let first = dag.with_tasks(v1).expect("bound").execute().expect("runs");
    assert_eq!(first.status("fails"), Some(NodeStatus::Failed));

    let mut v2 = Tasks::new();
    v2.add_persistent("point", "1", || builder_v2::P { x: 2.0, y: 1.0 })
        .add_fallible("fails", || Ok::<u8, String>(1));
    let dag = Dag::from_graph("shapes", point_graph())
        .checkpoint_dir(dir.path())
        .with_tasks(v2)
        .expect("bound");
    let err = dag.resume().expect_err("another output type");
    assert_eq!(
        err.to_string(),
        format!(
            "checkpoint: cannot resume: checkpoint {} does not match this DAG: the output type \
             of `point` changed (`store_identity::builder_v1::P` → \
             `store_identity::builder_v2::P`) (execute() starts a new checkpoint there)",
            dir.path().display()
        )
    );
    assert!(dag.execute().expect("a fresh run").is_success());
}
