//! Seed pipeline 1 with tracing: extract → transform_a, transform_b → merge → load.
//!
//! `cargo run --example etl -- OUT_DIR` prints the trace summary and the profile, and writes
//! `OUT_DIR/trace.json` (Chrome Trace Event Format: open it in chrome://tracing, Perfetto or the
//! DevTools performance panel) and `OUT_DIR/events.json` (the raw events). OUT_DIR defaults to
//! the current directory.

use dag::trace::{ChromeOptions, Lanes};
use dag::{Dag, profile_execution, task};
use std::thread::sleep;
use std::time::Duration;

/// Reads the source rows.
#[task]
fn extract() -> Vec<u32> {
    sleep(Duration::from_millis(100));
    (1..=10).collect()
}

/// The slow transformation.
#[task]
fn transform_a(extract: &[u32]) -> Vec<u32> {
    sleep(Duration::from_millis(300));
    extract.iter().map(|x| x * 2).collect()
}

/// The faster transformation.
#[task]
fn transform_b(extract: &[u32]) -> Vec<u32> {
    sleep(Duration::from_millis(200));
    extract.iter().map(|x| x + 100).collect()
}

/// Joins both transformations.
#[task]
fn merge(transform_a: &[u32], transform_b: &[u32]) -> Vec<u32> {
    sleep(Duration::from_millis(50));
    transform_a.iter().chain(transform_b).copied().collect()
}

/// Writes the result.
#[task(final)]
fn load(merge: &[u32]) -> usize {
    sleep(Duration::from_millis(100));
    merge.len()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_string());
    std::fs::create_dir_all(&out_dir)?;
    let dag = Dag::new("etl")
        .description("Seed pipeline 1")
        .max_workers(4)
        .tracing(true);
    let execution = dag.execute()?;
    let trace = execution
        .trace
        .as_ref()
        .ok_or("tracing was on, so the execution has a trace")?;
    println!("{}", trace.summary());
    println!("{}", profile_execution(&dag, &execution).summary());
    let chrome = std::path::Path::new(&out_dir).join("trace.json");
    // Streamed to the file: memory does not grow with the export.
    trace.write_chrome_trace(std::fs::File::create(&chrome)?)?;
    let by_worker = std::path::Path::new(&out_dir).join("trace_by_worker.json");
    trace.write_chrome_trace_with(
        std::fs::File::create(&by_worker)?,
        ChromeOptions::lanes(Lanes::Worker),
    )?;
    let events = std::path::Path::new(&out_dir).join("events.json");
    std::fs::write(&events, trace.to_json())?;
    println!(
        "wrote {}, {} and {}",
        chrome.display(),
        by_worker.display(),
        events.display()
    );
    Ok(())
}
