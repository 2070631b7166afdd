//! The daglib analytics seed: run the two-task DAG 5 times with profiling, then query every
//! recorded run with SQL, predict the next run from history, and drop the records.
//!
//! `cargo run --example analytics -- META_DIR` (default: `meta`).

use dag::meta::MetaDb;
use dag::{Dag, task};
use std::time::{Duration, SystemTime};

/// Do some stuff (sleeps a pseudo-random 10–30 ms).
#[task]
fn task_1() -> Vec<i32> {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::thread::sleep(Duration::from_millis(10 + u64::from(nanos % 21)));
    vec![1, 2, 3]
}

/// Do some other stuff
#[task(final)]
fn task_2(task_1: &[i32]) -> Vec<i32> {
    task_1.iter().map(|x| x * 2).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let meta_dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "meta".to_string());
    let dag = Dag::new("example")
        .description("This is an example DAG")
        .profile(true)
        .meta_dir(&meta_dir);
    for _ in 0..5 {
        let out: Vec<i32> = dag.run()?;
        assert_eq!(out, [2, 4, 6]);
    }
    let db = MetaDb::open(&meta_dir);
    println!(
        "{}",
        db.query("SELECT AVG(task_runtime) AS avg_task_runtime FROM profiling")?
    );
    println!(
        "{}",
        db.query(
            "SELECT task_name, COUNT(*) AS runs, AVG(task_runtime) AS mean_s, MAX(task_runtime) AS max_s \
             FROM profiling GROUP BY task_name ORDER BY task_name"
        )?
    );
    println!(
        "{}",
        db.query("SELECT run_id, wall_clock, completed, parallelism_efficiency FROM runs")?
    );
    let history = db.mean_runtimes("example")?;
    let estimate = dag.estimate(&history, 2)?;
    println!(
        "predicted makespan of the next run: {:.3}s",
        estimate.makespan
    );
    db.drop()?;
    Ok(())
}
