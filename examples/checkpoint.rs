//! Checkpoint and resume: the first run fails at `publish`; `resume()` reloads the finished
//! outputs and runs only what is left.
//!
//! `cargo run --example checkpoint -- DIR` (default: a temporary directory).

use dag::{Dag, task};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::sleep;
use std::time::Duration;

static SERVICE_UP: AtomicBool = AtomicBool::new(false);

/// Downloads the data (slow).
#[task]
fn download() -> Vec<u32> {
    sleep(Duration::from_millis(200));
    (1..=100).collect()
}

/// Cleans it (slow).
#[task]
fn clean(download: &[u32]) -> Vec<u32> {
    sleep(Duration::from_millis(200));
    download.iter().copied().filter(|x| x % 3 != 0).collect()
}

/// Summarises it.
#[task]
fn stats(clean: &[u32]) -> (u32, u32) {
    (clean.len() as u32, clean.iter().sum())
}

/// Publishes the result; the service is down on the first run.
#[task(final)]
fn publish(stats: &(u32, u32)) -> Result<String, String> {
    if !SERVICE_UP.load(Ordering::SeqCst) {
        return Err("publishing service unavailable".to_string());
    }
    Ok(format!("published {} rows, total {}", stats.0, stats.1))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join(format!("dag-checkpoint-{}", std::process::id())),
        Into::into,
    );
    let dag = Dag::new("checkpoint").checkpoint_dir(&dir).tracing(true);

    let first = dag.execute()?;
    println!(
        "first run: {} completed, {} failed",
        first.succeeded(),
        first.failed()
    );
    if let Some(f) = first.first_failure() {
        println!("  `{}` failed: {}", f.name, f.error.unwrap_or_default());
    }

    SERVICE_UP.store(true, Ordering::SeqCst);
    let resumed = dag.resume()?;
    for r in resumed.nodes() {
        match r.reused_from {
            Some(source) => println!("  {} reused from the {source}", r.name),
            None => println!("  {} ran ({:.3}s)", r.name, r.duration),
        }
    }
    if let Some(trace) = &resumed.trace {
        println!("{}", trace.summary());
    }
    println!(
        "{}",
        resumed.output::<publish>().ok_or("publish completed")?
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
