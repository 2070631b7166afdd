//! Damaged stores: what stands where a cache entry or a checkpoint should be never hangs a
//! run, never fails a fresh one, and never keeps a task from being cached again.

use dag::{Dag, Error, NodeStatus};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

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
    out
}

mod fifo {
    use dag::task;

    #[task(final, cache)]
    pub fn answer() -> u32 {
        42
    }
}

#[test]
fn a_fifo_where_a_cache_entry_should_be_is_a_miss_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("fifo").cache_dir(dir.path());
    assert_eq!(dag.execute().expect("runs").cache_stats().stores, 1);
    let entry = files(&dir.path().join("objects")).pop().expect("one entry");
    std::fs::remove_file(&entry).expect("remove");
    let made = std::process::Command::new("mkfifo")
        .arg(&entry)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // Reading a FIFO blocks until someone writes to it: this run must not open it.
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.output::<fifo::answer>(), Some(&42));
    assert_eq!(exec.warnings().len(), 1, "{:?}", exec.warnings());
    assert!(
        exec.warnings()[0].contains("a FIFO is where the entry should be"),
        "{:?}",
        exec.warnings()
    );
    assert_eq!(exec.cache_stats().stores, 1, "cached again");
    let hit = dag.execute().expect("runs");
    assert_eq!((hit.cache_stats().hits, hit.warnings().len()), (1, 0));
}

mod directory {
    use dag::task;

    #[task(final, cache)]
    pub fn answer() -> u32 {
        7
    }
}

#[test]
fn a_directory_where_a_cache_entry_should_be_does_not_stop_caching() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dag = Dag::new("directory").cache_dir(dir.path());
    dag.execute().expect("runs");
    let entry = files(&dir.path().join("objects")).pop().expect("one entry");
    std::fs::remove_file(&entry).expect("remove");
    std::fs::create_dir_all(entry.join("inside")).expect("a directory there");
    let exec = dag.execute().expect("runs");
    assert_eq!(exec.output::<directory::answer>(), Some(&7));
    assert!(
        exec.warnings()[0].contains("a directory is where the entry should be"),
        "{:?}",
        exec.warnings()
    );
    assert_eq!(exec.cache_stats().stores, 1);
    let hit = dag.execute().expect("runs");
    assert_eq!((hit.cache_stats().hits, hit.warnings().len()), (1, 0));
}

mod unusable {
    use dag::task;

    #[task(final, cache)]
    pub fn answer() -> u32 {
        3
    }
}

#[test]
fn an_unusable_cache_dir_runs_uncached_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("a file where the cache dir should be");
    let exec = Dag::new("unusable")
        .cache_dir(&file)
        .execute()
        .expect("runs");
    assert_eq!(exec.output::<unusable::answer>(), Some(&3));
    assert_eq!(exec.warnings().len(), 1, "{:?}", exec.warnings());
    let warning = &exec.warnings()[0];
    assert!(
        warning.starts_with("cache: cannot create directory"),
        "{warning}"
    );
    assert!(warning.ends_with("; this run is not cached"), "{warning}");
}

mod damaged {
    use super::*;
    use dag::task;

    pub static BROKEN: AtomicBool = AtomicBool::new(true);
    pub static RUNS: AtomicUsize = AtomicUsize::new(0);

    #[task]
    pub fn source() -> u32 {
        RUNS.fetch_add(1, SeqCst);
        5
    }

    #[task(final)]
    pub fn sink(source: &u32) -> Result<u32, String> {
        if BROKEN.load(SeqCst) {
            Err("down".into())
        } else {
            Ok(source + 1)
        }
    }
}

#[test]
fn a_damaged_checkpoint_dir_breaks_resume_never_a_fresh_run() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // A file where the checkpoint dir should be: the run goes on, unsaved.
    let file = tmp.path().join("file");
    std::fs::write(&file, b"x").expect("write");
    let dag = Dag::new("damaged").checkpoint_dir(&file);
    let exec = dag
        .execute()
        .expect("a fresh run never fails on its checkpoint");
    assert_eq!(exec.status("source"), Some(NodeStatus::Completed));
    assert_eq!(exec.warnings().len(), 1, "{:?}", exec.warnings());
    assert!(
        exec.warnings()[0].ends_with("; this run is not checkpointed"),
        "{:?}",
        exec.warnings()
    );
    let err = dag.resume().expect_err("nothing to resume");
    assert!(matches!(err, Error::Checkpoint(_)), "{err}");
    assert!(
        err.to_string().starts_with("checkpoint: cannot resume: "),
        "{err}"
    );

    // A directory where the manifest should be, a file where the outputs should be.
    let dir = tmp.path().join("run");
    std::fs::create_dir_all(dir.join("manifest.json").join("x")).expect("dir");
    std::fs::write(dir.join("outputs"), b"x").expect("file");
    let dag = Dag::new("damaged").checkpoint_dir(&dir);
    let err = dag.resume().expect_err("damaged");
    assert!(
        err.to_string()
            .contains("a directory is where the manifest should be"),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("(execute() starts a new checkpoint there)"),
        "{err}"
    );
    let exec = dag.execute().expect("a fresh run replaces it");
    assert!(exec.warnings().is_empty(), "{:?}", exec.warnings());
    assert!(dir.join("outputs").join("source.bin").is_file());

    // A garbled manifest.
    std::fs::write(dir.join("manifest.json"), b"{ not json").expect("write");
    let err = dag.resume().expect_err("garbled");
    assert!(err.to_string().contains("invalid manifest"), "{err}");
    dag.execute().expect("a fresh run replaces it");
    damaged::BROKEN.store(false, SeqCst);
    let runs = damaged::RUNS.load(SeqCst);
    let resumed = dag.resume().expect("resumes");
    assert_eq!(resumed.output::<damaged::sink>(), Some(&6));
    assert_eq!(
        damaged::RUNS.load(SeqCst),
        runs,
        "source came from the checkpoint"
    );
}
