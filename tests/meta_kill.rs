//! kill -9 during writes and during ingest (issue 10: "what held keeps holding").
//!
//! Each test re-runs its own binary as the process to kill (`--exact <this test>` with
//! `DAG_META_KILL_CHILD` set and `DAG_META_DIR=<dir>`), kills it with `Child::kill`
//! (SIGKILL on unix) at a point it has observably reached, several rounds, and then checks
//! that only whole records are visible and that queries count exactly those.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::sample_run;
use dag::meta::{MetaDb, read_run, write_run};
use rusqlite::{Connection, ErrorCode, OpenFlags};

const CHILD_ENV: &str = "DAG_META_KILL_CHILD";

/// Bound of every wait for a child to reach a point (it normally takes milliseconds).
const PATIENCE: Duration = Duration::from_secs(120);

/// This test binary running only `test`, in child `mode`, on the meta dir `meta`.
fn child_command(test: &str, mode: &str, meta: &Path) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .env("DAG_META_DIR", meta)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    c
}

// ---------------------------------------------------------------------------------------
// kill -9 during writes

const WRITE_TEST: &str = "kill_9_during_writes_leaves_only_whole_records";
const WRITE_DAG: &str = "killed_writer";
const WRITE_ROUNDS: usize = 6;
/// Writer threads in the child: at any moment one of them is likely mid-write.
const WRITERS: usize = 3;
/// Records the child must have acknowledged in a round before it is killed.
const WRITES_BEFORE_KILL: usize = 6;
const WRITE_TASKS: usize = 40;
/// Tells the writer child its round, for unique run ids.
const ROUND_ENV: &str = "DAG_META_KILL_ROUND";

/// The child: every thread writes new runs and rewrites its own `shared-{w}` run, forever,
/// and prints `wrote {run_id}` after each `write_run` returned.
fn writer_child() {
    let meta = dag::meta::default_meta_dir();
    let round = std::env::var(ROUND_ENV).unwrap();
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (meta, round) = (&meta, &round);
            s.spawn(move || {
                for i in 0.. {
                    let id = if i % 2 == 0 {
                        format!("r{round}-w{w}-{i}")
                    } else {
                        format!("shared-{w}")
                    };
                    let mut run = sample_run(WRITE_DAG, &id, WRITE_TASKS);
                    run.wall_clock = f64::from(i); // each rewrite differs
                    write_run(meta, &run).unwrap();
                    println!("wrote {id}");
                }
            });
        }
    });
}

#[test]
fn kill_9_during_writes_leaves_only_whole_records() {
    if std::env::var(CHILD_ENV).is_ok_and(|m| m == "write") {
        writer_child();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = MetaDb::open(dir.path());
    let mut acknowledged = BTreeSet::new();
    let mut leftovers = 0;
    for round in 0..WRITE_ROUNDS {
        let mut child = child_command(WRITE_TEST, "write", dir.path())
            .env(ROUND_ENV, round.to_string())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Wait (on the child's own word) until it has written some records this round...
        let mut written = 0;
        while written < WRITES_BEFORE_KILL {
            let line = lines.next().expect("the writer ended before it was killed");
            if let Some(id) = line.unwrap().strip_prefix("wrote ") {
                acknowledged.insert(id.to_owned());
                written += 1;
            }
        }
        // Then until one of its writes is in progress (its temporary file exists), and
        // kill it there.
        let dag_dir = dir.path().join("profiling").join(WRITE_DAG);
        let mark = format!(".avro.tmp-{}-", child.id());
        let deadline = Instant::now() + PATIENCE;
        while !std::fs::read_dir(&dag_dir)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().contains(&mark))
        {
            assert!(Instant::now() < deadline, "no write of the child was seen");
            std::thread::yield_now();
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "the writer was not killed: {status}");
        // What it acknowledged before it died was written too.
        for line in lines {
            if let Some(id) = line.unwrap().strip_prefix("wrote ") {
                acknowledged.insert(id.to_owned());
            }
        }
        let visible = whole_records(dir.path());
        let missing: Vec<_> = acknowledged.difference(&visible).collect();
        assert!(missing.is_empty(), "acknowledged runs lost: {missing:?}");
        // Runs renamed into place just before the kill, not yet acknowledged: at most one
        // per writer thread per round.
        let unacknowledged = visible.difference(&acknowledged).count();
        assert!(unacknowledged <= WRITERS * (round + 1), "{unacknowledged}");
        leftovers = assert_counts(&db, dir.path(), &visible);
    }
    // Leftover temp files (killed mid-write) depend on where the kills landed; report them.
    eprintln!("{WRITE_ROUNDS} kills left {leftovers} hidden temporary files");
}

/// Reads every visible `*.avro` file of the DAG (each must be whole) and returns their run
/// ids; checks that every hidden file is a temporary file of a writer.
fn whole_records(meta: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for e in std::fs::read_dir(meta.join("profiling").join(WRITE_DAG)).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        if name.starts_with('.') {
            assert!(name.contains(".avro.tmp-"), "unexpected hidden file {name}");
            continue;
        }
        let run = read_run(&e.path()).unwrap_or_else(|err| panic!("{name} is not whole: {err}"));
        assert_eq!(format!("{}.avro", run.run_id), name);
        assert_eq!(run.tasks.len(), WRITE_TASKS, "{name}");
        ids.insert(run.run_id);
    }
    ids
}

/// A query counts exactly the visible runs, without warnings (temporary files are neither
/// counted nor reported); returns the number of hidden temporary files.
fn assert_counts(db: &MetaDb, meta: &Path, visible: &BTreeSet<String>) -> usize {
    let t = db.query("SELECT run_id FROM runs ORDER BY run_id").unwrap();
    assert!(t.warnings().is_empty(), "{:?}", t.warnings());
    let indexed: BTreeSet<String> = (0..t.len())
        .map(|i| t.get::<String>(i, "run_id").unwrap())
        .collect();
    assert_eq!(t.len(), indexed.len(), "a run was counted twice");
    assert_eq!(&indexed, visible);
    let rows = db.query("SELECT COUNT(*) AS n FROM profiling").unwrap();
    let n: i64 = rows.get(0, "n").unwrap();
    assert_eq!(n, (visible.len() * WRITE_TASKS) as i64);
    std::fs::read_dir(meta.join("profiling").join(WRITE_DAG))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count()
}

// ---------------------------------------------------------------------------------------
// kill -9 during ingest

const INGEST_TEST: &str = "kill_9_during_ingest_leaves_an_index_that_recovers";
const INGEST_ROUNDS: usize = 9;
/// Runs written up front, and added per incremental round.
const INITIAL_RUNS: usize = 40;
const ADDED_RUNS: usize = 10;
/// Existing runs rewritten (with another task count) per incremental round.
const REWRITTEN_RUNS: usize = 5;
const INGEST_TASKS: usize = 300;

/// The child: one query on the meta dir (which ingests whatever is new), then its count.
fn ingest_child() {
    let db = MetaDb::new();
    let t = db.query("SELECT COUNT(*) AS n FROM runs").unwrap();
    println!("counted {}", t.get::<i64>(0, "n").unwrap());
}

/// Committed (runs, rows) of the index, read without recovering or checkpointing it (a
/// read-only connection leaves a killed writer's WAL for `MetaDb` to deal with).
fn committed(index: &Path) -> (i64, i64) {
    let Ok(conn) = Connection::open_with_flags(index, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return (0, 0);
    };
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let count = |sql| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    match (
        count("SELECT COUNT(*) FROM runs"),
        count("SELECT COUNT(*) FROM profiling"),
    ) {
        (Ok(runs), Ok(rows)) => (runs, rows),
        // Killed before the layout was committed: an empty index.
        (Err(e), _) | (_, Err(e)) => {
            assert!(e.to_string().contains("no such table"), "{e}");
            (0, 0)
        }
    }
}

/// Whether another process holds the index's write lock right now (the ingest
/// transaction, or the layout's set-up on a fresh index).
fn writer_busy(index: &Path) -> bool {
    let wal = index.with_extension("sqlite-wal");
    if !wal.exists() {
        return false; // not in WAL mode yet: the child has not got that far
    }
    let Ok(conn) = Connection::open_with_flags(index, OpenFlags::SQLITE_OPEN_READ_WRITE) else {
        return false;
    };
    conn.busy_timeout(Duration::ZERO).unwrap();
    match conn.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            conn.execute_batch("ROLLBACK").unwrap();
            false
        }
        Err(e) => e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy),
    }
}

fn remove_index(meta: &Path) {
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(meta.join(format!("index.sqlite{s}")));
    }
}

#[test]
fn kill_9_during_ingest_leaves_an_index_that_recovers() {
    if std::env::var(CHILD_ENV).is_ok_and(|m| m == "ingest") {
        ingest_child();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path();
    let index = meta.join("index.sqlite");
    // run id -> task count of its file on disk.
    let mut on_disk = BTreeMap::new();
    let write = |on_disk: &mut BTreeMap<String, usize>, id: String, tasks: usize| {
        write_run(meta, &sample_run("ingested", &id, tasks)).unwrap();
        on_disk.insert(id, tasks);
    };
    for r in 0..INITIAL_RUNS {
        write(&mut on_disk, format!("run-{r:04}"), INGEST_TASKS);
    }
    let mut killed = 0;
    for round in 0..INGEST_ROUNDS {
        // In turn: a fresh index, killed mid-ingest; changed files, ingested to the end
        // (a committed state for the next round to fall back to); more changes, killed.
        let kill = round % 3 != 1;
        if round % 3 == 0 {
            remove_index(meta);
        } else {
            let next = on_disk.len();
            for r in next..next + ADDED_RUNS {
                write(&mut on_disk, format!("run-{r:04}"), INGEST_TASKS);
            }
            for r in 0..REWRITTEN_RUNS {
                let id = format!("run-{:04}", r * 7 + round);
                write(&mut on_disk, id, INGEST_TASKS / 2 + round);
            }
        }
        let expected = (on_disk.len() as i64, on_disk.values().sum::<usize>() as i64);
        let before = committed(&index);
        let mut child = child_command(INGEST_TEST, "ingest", meta).spawn().unwrap();
        let deadline = Instant::now() + PATIENCE;
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "round {round}: the ingest failed: {status}"
                );
                break true; // done before it was caught mid-way: also fine
            }
            if kill && writer_busy(&index) {
                child.kill().unwrap();
                child.wait().unwrap();
                killed += 1;
                break false;
            }
            assert!(Instant::now() < deadline, "the ingest never started");
            std::thread::sleep(Duration::from_millis(1));
        };
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
        let after = committed(&index);
        if finished {
            assert!(out.contains(&format!("counted {}\n", expected.0)), "{out}");
            assert_eq!(after, expected, "round {round}");
        } else {
            // The killed ingest committed all of its work or none of it.
            assert!(
                after == before || after == expected,
                "round {round}: index holds {after:?}, neither {before:?} nor {expected:?}"
            );
        }
    }
    assert!(killed > 0, "no ingest was caught mid-way");
    let db = MetaDb::open(meta);
    let runs = db
        .query("SELECT COUNT(*) AS n, COUNT(DISTINCT run_id) AS d FROM runs")
        .unwrap();
    assert!(runs.warnings().is_empty(), "{:?}", runs.warnings());
    assert_eq!(runs.get::<i64>(0, "n").unwrap(), on_disk.len() as i64);
    assert_eq!(runs.get::<i64>(0, "d").unwrap(), on_disk.len() as i64);
    let per_run = db
        .query("SELECT run_id, COUNT(*) AS n FROM profiling GROUP BY run_id ORDER BY run_id")
        .unwrap();
    let counted: BTreeMap<String, usize> = (0..per_run.len())
        .map(|i| {
            let n: i64 = per_run.get(i, "n").unwrap();
            (per_run.get(i, "run_id").unwrap(), n as usize)
        })
        .collect();
    assert_eq!(counted, on_disk);
    let kill_rounds = (0..INGEST_ROUNDS).filter(|r| r % 3 != 1).count();
    eprintln!("{killed} of {kill_rounds} ingests meant to be killed were killed mid-way");
}
