//! Cost of serving a task from the content-addressed cache, for 1 KiB outputs.
//!
//! `cargo bench -p dagrt --bench remember`. The DAG: 8 independent tasks each returning 1 KiB,
//! and a final task reading them. Variants, all on 2 workers with the `Dag` built once:
//! - `computed`: no cache; the tasks run (their bodies only fill 1 KiB, so this is the
//!   executor's own cost);
//! - `cache_hit`: `.cache(true)` after a warm-up run, so all 9 tasks are cache hits (key
//!   computation, file read, checksum, decode);
//! - `cache_miss_store`: `.cache(true)` on an empty cache each time (key, encode, write,
//!   rename).
//!
//! Hit overhead per task = (cache_hit − computed) / 9.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use dag::{Dag, task};
use divan::Bencher;

fn main() {
    divan::main();
}

macro_rules! blobs {
    ($($name:ident = $byte:expr),*) => {$(
        /// A 1 KiB output.
        #[task]
        fn $name() -> Vec<u8> {
            vec![$byte; 1024]
        }
    )*};
}

blobs!(
    b0 = 0,
    b1 = 1,
    b2 = 2,
    b3 = 3,
    b4 = 4,
    b5 = 5,
    b6 = 6,
    b7 = 7
);

/// Reads every blob.
#[task(final)]
#[allow(clippy::too_many_arguments)]
fn total(
    b0: &[u8],
    b1: &[u8],
    b2: &[u8],
    b3: &[u8],
    b4: &[u8],
    b5: &[u8],
    b6: &[u8],
    b7: &[u8],
) -> usize {
    [b0, b1, b2, b3, b4, b5, b6, b7]
        .iter()
        .map(|b| b.len())
        .sum()
}

const TASKS: usize = 9;

#[divan::bench(sample_count = 100, sample_size = 5)]
fn computed(bencher: Bencher) {
    let dag = Dag::new("blobs").max_workers(2);
    assert_eq!(dag.run::<usize>().unwrap(), 8192);
    bencher
        .counter(divan::counter::ItemsCount::new(TASKS))
        .bench(|| dag.run::<usize>().unwrap());
}

#[divan::bench(sample_count = 100, sample_size = 5)]
fn cache_hit(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let dag = Dag::new("blobs")
        .max_workers(2)
        .cache(true)
        .cache_dir(dir.path());
    assert_eq!(dag.run::<usize>().unwrap(), 8192);
    let warm = dag.execute().unwrap();
    assert_eq!(
        warm.cache_stats().hits,
        TASKS,
        "every task is served from the cache"
    );
    bencher
        .counter(divan::counter::ItemsCount::new(TASKS))
        .bench(|| dag.run::<usize>().unwrap());
}

#[divan::bench(sample_count = 30, sample_size = 1)]
fn cache_miss_store(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let dag = Dag::new("blobs")
        .max_workers(2)
        .cache(true)
        .cache_dir(dir.path());
    bencher
        .counter(divan::counter::ItemsCount::new(TASKS))
        .with_inputs(|| {
            let _ = std::fs::remove_dir_all(dir.path().join("objects"));
        })
        .bench_values(|()| dag.run::<usize>().unwrap());
}
