//! The content-addressed cache: the second run is served from the cache; a new `version` of
//! one task invalidates its branch only.
//!
//! `cargo run --example cache -- DIR` (default: a temporary directory).

use dag::Dag;
use std::thread::sleep;
use std::time::Duration;

mod v1 {
    use super::*;
    use dag::task;

    /// Prices from an external feed, version 1 of the data.
    #[task(cache, version = "2024-01")]
    pub fn prices() -> Vec<f64> {
        sleep(Duration::from_millis(150));
        vec![10.0, 20.0, 30.0]
    }

    /// Quantities from the warehouse.
    #[task(cache)]
    pub fn quantities() -> Vec<f64> {
        sleep(Duration::from_millis(150));
        vec![1.0, 2.0, 3.0]
    }

    /// Stock value.
    #[task(final, cache)]
    pub fn value(prices: &[f64], quantities: &[f64]) -> f64 {
        sleep(Duration::from_millis(50));
        prices.iter().zip(quantities).map(|(p, q)| p * q).sum()
    }
}

/// The same pipeline after the price feed was refreshed: only `version` changed.
mod v2 {
    use super::*;
    use dag::task;

    /// Prices from an external feed, version 2 of the data.
    #[task(cache, version = "2024-02")]
    pub fn prices() -> Vec<f64> {
        sleep(Duration::from_millis(150));
        vec![10.0, 20.0, 30.0]
    }

    /// Quantities from the warehouse.
    #[task(cache)]
    pub fn quantities() -> Vec<f64> {
        sleep(Duration::from_millis(150));
        vec![1.0, 2.0, 3.0]
    }

    /// Stock value.
    #[task(final, cache)]
    pub fn value(prices: &[f64], quantities: &[f64]) -> f64 {
        sleep(Duration::from_millis(50));
        prices.iter().zip(quantities).map(|(p, q)| p * q).sum()
    }
}

fn show(label: &str, execution: &dag::Execution) {
    let stats = execution.cache_stats();
    println!(
        "{label}: {:.3}s, {} hits, {} misses",
        execution.total_duration_seconds(),
        stats.hits,
        stats.misses
    );
    for r in execution.nodes() {
        println!(
            "  {:<10} {}",
            r.name,
            r.reused_from.map_or("computed", |_| "from cache")
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join(format!("dag-cache-{}", std::process::id())),
        Into::into,
    );
    let first = Dag::new("v1").cache_dir(&dir).execute()?;
    show("first run", &first);
    let second = Dag::new("v1").cache_dir(&dir).tracing(true).execute()?;
    show("second run", &second);
    if let Some(trace) = &second.trace {
        println!("{}", trace.summary());
    }
    let third = Dag::new("v2").cache_dir(&dir).execute()?;
    show("new price version", &third);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
