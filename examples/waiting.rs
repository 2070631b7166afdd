//! Tasks that wait: async tasks (tokio sleeps stand in for network I/O), two trainers sharing
//! the only GPU of a resource pool, and a deploy gate that a handler approves.
//!
//! Run with `cargo run --example waiting` (about 0.3 s); it prints the gate request, the trace
//! summary and the final value, and fails if the two trainers ever held the GPU at once.

use dag::{Dag, GateDecision, task};
use std::time::Duration;
use tokio::time::sleep;

/// Downloads the rows (async: no worker is held while it waits).
#[task(timeout = "2s")]
async fn fetch_rows() -> Vec<u32> {
    sleep(Duration::from_millis(100)).await;
    (1..=8).collect()
}

/// Downloads the model's name, at the same time as the rows.
#[task(timeout = "2s")]
async fn fetch_name() -> String {
    sleep(Duration::from_millis(80)).await;
    "ranker".to_string()
}

/// Trains the small model on the GPU.
#[task(resources(gpu = 1))]
async fn train_small(fetch_rows: &[u32]) -> u32 {
    sleep(Duration::from_millis(100)).await;
    fetch_rows.iter().sum()
}

/// Trains the large model on the GPU: it waits until `train_small` gives the GPU back.
#[task(resources(gpu = 1))]
async fn train_large(fetch_rows: &[u32]) -> u32 {
    sleep(Duration::from_millis(100)).await;
    fetch_rows.iter().map(|x| x * 2).sum()
}

/// Picks the better score (a plain sync task between async ones).
#[task]
fn pick(train_small: &u32, train_large: &u32) -> u32 {
    *train_small.max(train_large)
}

/// Deploys the picked model, once the gate is approved.
#[task(final, gate)]
async fn deploy(pick: &u32, fetch_name: &str) -> String {
    sleep(Duration::from_millis(20)).await;
    format!("deployed {fetch_name} (score {pick})")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dag = Dag::new("waiting")
        .max_workers(2)
        .resource("gpu", 1)
        .gate_handler(|request| {
            println!(
                "gate: approving `{}` of DAG `{}`",
                request.task, request.dag
            );
            GateDecision::Approve
        })
        .tracing(true);
    let execution = dag.execute()?;
    let trace = execution
        .trace
        .as_ref()
        .ok_or("tracing was on, so the execution has a trace")?;
    println!("{}", trace.summary());

    // One GPU: the trainers ran one after the other, whichever went first.
    let small = execution.node("train_small").ok_or("no train_small")?;
    let large = execution.node("train_large").ok_or("no train_large")?;
    if small.start < large.end && large.start < small.end {
        return Err(format!(
            "the trainers overlapped on one GPU: [{:.3}, {:.3}] and [{:.3}, {:.3}]",
            small.start, small.end, large.start, large.end
        )
        .into());
    }
    let out = execution
        .output::<deploy>()
        .ok_or("the final task produced no output")?;
    println!("{out}");
    Ok(())
}
