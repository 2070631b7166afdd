//! Seed pipeline 2, the complete profiling workflow: run with tracing on 4 workers, profile,
//! print the report, save the trace.
//!
//! fetch → validate → feature_a, feature_b, feature_c → train → evaluate → deploy.
//! `cargo run --example ml_pipeline -- OUT_DIR` writes `OUT_DIR/pipeline_trace.json` (Chrome
//! format, streamed to the file). It runs for about 4.3 s. The profile names `feature_a`
//! (1.0 s) as the straggler `train` waited on, 3.3× its fastest input `feature_c` (0.3 s).

use dag::{Dag, profile_execution, task};
use std::thread::sleep;
use std::time::Duration;

fn work(seconds: f64) {
    sleep(Duration::from_secs_f64(seconds));
}

/// Downloads the raw data.
#[task]
fn fetch() -> Vec<f64> {
    work(0.5);
    (0..100).map(f64::from).collect()
}

/// Drops invalid rows.
#[task]
fn validate(fetch: &[f64]) -> Vec<f64> {
    work(0.1);
    fetch.iter().copied().filter(|x| x.is_finite()).collect()
}

/// The expensive feature.
#[task]
fn feature_a(validate: &[f64]) -> f64 {
    work(1.0);
    validate.iter().sum()
}

/// The medium feature.
#[task]
fn feature_b(validate: &[f64]) -> f64 {
    work(0.8);
    validate.iter().copied().fold(f64::MIN, f64::max)
}

/// The cheap feature.
#[task]
fn feature_c(validate: &[f64]) -> usize {
    work(0.3);
    validate.len()
}

/// Trains the model.
#[task]
fn train(feature_a: &f64, feature_b: &f64, feature_c: &usize) -> f64 {
    work(2.0);
    feature_a / (*feature_c as f64) + feature_b
}

/// Scores it.
#[task]
fn evaluate(train: &f64) -> f64 {
    work(0.5);
    train / 100.0
}

/// Ships it.
#[task(final)]
fn deploy(evaluate: &f64) -> String {
    work(0.2);
    format!("deployed model with score {evaluate:.3}")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_string());
    std::fs::create_dir_all(&out_dir)?;
    let dag = Dag::new("ml_pipeline").max_workers(4).tracing(true);
    let execution = dag.execute()?;
    let report = profile_execution(&dag, &execution);
    println!("{}", report.summary());
    let path = std::path::Path::new(&out_dir).join("pipeline_trace.json");
    let trace = execution
        .trace
        .as_ref()
        .ok_or("tracing was on, so the execution has a trace")?;
    trace.write_chrome_trace(std::fs::File::create(&path)?)?;
    println!("wrote {}", path.display());
    Ok(())
}
