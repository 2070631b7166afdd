//! Ingest and query speed of `dag::meta` on 10,000 runs × 20 tasks (200,000 rows).
//!
//! `cargo bench --bench meta`. The runs are generated once before timing starts, and
//! left to settle (see `SETTLE`) (`META_BENCH_RUNS` overrides the run count). Benchmarks:
//! * `ingest_all`: first query on a fresh index (scan + decode + insert of every file);
//! * `decode_all`: baseline, `read_run` on every file (the decoder ingest uses), no SQLite;
//! * `decode_all_generic_reader`: baseline, apache-avro's `Reader` on every file (it parses
//!   each file's schema), no SQLite;
//! * `up_to_date_check`: a trivial query on an up-to-date index (directory scan + compare);
//! * `repeated_group_by`: `SELECT task_name, AVG(task_runtime) FROM profiling GROUP BY
//!   task_name` on an up-to-date index.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use dag::meta::{MetaDb, RunRecord, TaskRecord, read_run, write_run};
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

const TASKS: usize = 20;

fn runs() -> usize {
    std::env::var("META_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

struct Fixture {
    _dir: tempfile::TempDir,
    meta: PathBuf,
    files: Vec<PathBuf>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("tempdir");
    let meta = dir.path().join("meta");
    let start = std::time::Instant::now();
    let files = (0..runs())
        .map(|r| {
            let tasks = (0..TASKS)
                .map(|t| {
                    let mut task = TaskRecord::completed(
                        &format!("task_{t:02}"),
                        "a benchmark task with a description",
                        t as f64,
                        t as f64 + 0.01 + (r % 7) as f64 * 0.001,
                    );
                    task.worker = Some((t % 8) as i64);
                    if t == 7 && r % 10 == 0 {
                        task.status = dag::NodeStatus::Failed;
                        task.error = Some("RuntimeError: simulated".into());
                    }
                    task
                })
                .collect();
            let run = RunRecord {
                dag_name: format!("dag_{}", r % 5),
                dag_description: "benchmark dag".into(),
                run_id: format!("run-{r:06}"),
                started_at_micros: 1_750_000_000_000_000 + r as i64 * 1_000_000,
                wall_clock: 3.0,
                max_workers: 8,
                parallelism_efficiency: 0.8,
                tasks,
            };
            write_run(&meta, &run).expect("write_run")
        })
        .collect();
    eprintln!(
        "generated {} runs x {TASKS} tasks in {:.1?}",
        runs(),
        start.elapsed()
    );
    Fixture {
        _dir: dir,
        meta,
        files,
    }
});

fn remove_index(meta: &Path) {
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(meta.join(format!("index.sqlite{s}")));
    }
}

/// How long after the last write the timed queries start. The index re-reads files whose
/// timestamps are under 2 s old on every query (they could change without a visible
/// timestamp change); records are normally older than that when they are queried again.
const SETTLE: Duration = Duration::from_millis(2_500);

fn main() {
    LazyLock::force(&FIXTURE);
    std::thread::sleep(SETTLE);
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn ingest_all(bencher: Bencher) {
    let f = &*FIXTURE;
    bencher
        .counter(ItemsCount::new(f.files.len() * TASKS))
        .with_inputs(|| {
            remove_index(&f.meta);
            MetaDb::open(&f.meta)
        })
        .bench_local_values(|db| {
            let t = db
                .query("SELECT COUNT(*) AS n FROM profiling")
                .expect("query");
            assert_eq!(
                t.get::<i64>(0, "n").expect("n"),
                (f.files.len() * TASKS) as i64
            );
            db
        });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn decode_all(bencher: Bencher) {
    let f = &*FIXTURE;
    bencher
        .counter(ItemsCount::new(f.files.len() * TASKS))
        .bench_local(|| {
            let mut n = 0;
            for p in &f.files {
                n += read_run(p).expect("read_run").tasks.len();
            }
            black_box(n)
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn decode_all_generic_reader(bencher: Bencher) {
    // apache-avro's own Reader (parses the schema of every file), values as avro Values.
    let f = &*FIXTURE;
    bencher
        .counter(ItemsCount::new(f.files.len() * TASKS))
        .bench_local(|| {
            let mut n = 0;
            for p in &f.files {
                let bytes = std::fs::read(p).expect("read");
                let reader = apache_avro::Reader::new(bytes.as_slice()).expect("reader");
                for v in reader {
                    black_box(v.expect("value"));
                    n += 1;
                }
            }
            n
        });
}

fn ingested_db() -> MetaDb {
    let db = MetaDb::open(&FIXTURE.meta);
    db.refresh().expect("refresh");
    db
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn up_to_date_check(bencher: Bencher) {
    let db = ingested_db();
    bencher.bench_local(|| db.query("SELECT 1").expect("query"));
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn repeated_group_by(bencher: Bencher) {
    let db = ingested_db();
    bencher.bench_local(|| {
        let t = db
            .query("SELECT task_name, AVG(task_runtime) FROM profiling GROUP BY task_name")
            .expect("query");
        assert_eq!(t.len(), TASKS);
        t
    });
}
