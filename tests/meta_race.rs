//! `write_run` racing `MetaDb::drop` (issue 10, point 6): writers never fail because of a
//! concurrent drop, every drop succeeds and says what it removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Barrier;

use common::sample_run;
use dag::meta::{MetaDb, write_run};

const WRITERS: usize = 4;
const WRITES: usize = 60;
const DROPS: usize = 30;

#[test]
fn writers_and_drops_race_without_failing_and_every_run_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path();
    let barrier = Barrier::new(WRITERS + 1);
    let (writes, drops) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    (0..WRITES)
                        .map(|i| {
                            let dag = if i % 2 == 0 { "race_a" } else { "race_b" };
                            write_run(meta, &sample_run(dag, &format!("w{w}-{i}"), 2))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let dropper = s.spawn(|| {
            let db = MetaDb::open(meta);
            barrier.wait();
            (0..DROPS)
                .map(|i| {
                    if i % 3 == 0 {
                        // Queries interleave too.
                        db.query("SELECT COUNT(*) FROM runs").unwrap();
                    }
                    db.drop()
                })
                .collect::<Vec<_>>()
        });
        let writes: Vec<_> = writers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        (writes, dropper.join().unwrap())
    });
    let failed_writes: Vec<_> = writes.iter().filter_map(|w| w.as_ref().err()).collect();
    assert!(failed_writes.is_empty(), "{failed_writes:?}");
    let mut removed = 0;
    for d in &drops {
        match d {
            Ok(d) => removed += d.run_files,
            Err(e) => panic!("drop failed: {e}"),
        }
    }
    let db = MetaDb::open(meta);
    let left = db.query("SELECT COUNT(*) AS n FROM runs").unwrap();
    assert!(left.warnings().is_empty(), "{:?}", left.warnings());
    let left: i64 = left.get(0, "n").unwrap();
    // Every run written was either removed by exactly one drop or is still there.
    assert_eq!(removed + left as usize, WRITERS * WRITES);
    let last = db.drop().unwrap();
    assert_eq!(last.run_files, left as usize);
    assert!(last.index_removed);
    let again = db.drop().unwrap();
    assert_eq!(again.run_files, 0);
    assert_eq!(again.other_files, 0);
    assert!(!again.index_removed);
}
