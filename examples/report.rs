//! The HTML run report: a small pipeline (parallel fetches, an `#[each]` fan-out, one slow
//! training step beside a quick baseline, one failing upload and the task it skips), written
//! as one self-contained page.
//!
//! `cargo run --example report -- [OUT.html]` (default `target/report.html`); open the file
//! in a browser.

use dag::{Dag, task};
use std::thread::sleep;
use std::time::Duration;

fn work(ms: u64) {
    sleep(Duration::from_millis(ms));
}

/// Users from the accounts service.
#[task]
fn fetch_users() -> Vec<u32> {
    work(40);
    (0..100).collect()
}

/// Orders of the last week, in daily batches.
#[task]
fn fetch_orders() -> Vec<Vec<u32>> {
    work(60);
    (0..7).map(|d| (0..10 * (d + 1)).collect()).collect()
}

/// The product catalogue.
#[task]
fn fetch_products() -> Vec<u32> {
    work(25);
    (0..50).collect()
}

/// Totals of one day's orders: once per batch, in parallel.
#[task]
fn daily_totals(#[each] fetch_orders: &[u32]) -> u64 {
    work(10 + fetch_orders.len() as u64 / 2);
    fetch_orders.iter().map(|&o| u64::from(o)).sum()
}

/// Per-user features.
#[task]
fn features(fetch_users: &[u32], fetch_products: &[u32], daily_totals: &[u64]) -> usize {
    work(50);
    fetch_users.len() + fetch_products.len() + daily_totals.len()
}

/// The slow step: fits the model.
#[task]
fn train(features: &usize) -> f64 {
    work(220);
    *features as f64 / 100.0
}

/// A quick baseline model, trained alongside.
#[task]
fn baseline(features: &usize) -> f64 {
    work(90);
    *features as f64 / 200.0
}

/// Evaluation on held-out data, against the baseline.
#[task]
fn evaluate(train: &f64, baseline: &f64) -> f64 {
    work(30);
    train * 0.9 - baseline * 0.1
}

/// Sends the metrics to a dashboard that is down.
#[task]
fn upload_metrics(daily_totals: &[u64]) -> Result<(), String> {
    work(15);
    Err(format!(
        "metrics store unreachable: connection refused ({} rows not sent)",
        daily_totals.len()
    ))
}

/// Tells the team the metrics are up (skipped: the upload failed).
#[task]
fn notify(upload_metrics: &()) {
    let () = *upload_metrics;
}

/// The run's result.
#[task(final)]
fn summary(evaluate: &f64) -> String {
    work(5);
    format!("score {evaluate:.2}")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/report.html".to_string());
    let dag = Dag::new("training")
        .description("A small training pipeline")
        .max_workers(4);
    let execution = dag.execute()?;
    dag::report::HtmlReport::new(&dag, &execution).write(&out)?;
    println!(
        "{} completed, {} failed, {} skipped in {:.3}s; report written to {out}",
        execution.succeeded(),
        execution.failed(),
        execution.skipped(),
        execution.total_duration_seconds()
    );
    Ok(())
}
