//! The tokio runtime that async task bodies are polled in: the caller's, or one that dag starts
//! once per process.
//!
//! dag polls the futures itself, on its workers; tokio supplies what they wait on (timers,
//! sockets, `tokio::spawn`). The runtime dag starts has one thread, which only drives the
//! reactor and the timers (and whatever the tasks `tokio::spawn`).

use crate::error::Error;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

/// The handle async bodies are polled with: `given` (`Dag::tokio_runtime`), else the
/// process-wide runtime, started on first use.
pub(crate) fn handle(given: Option<&Handle>) -> Result<Handle, Error> {
    if let Some(h) = given {
        return Ok(h.clone());
    }
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("dag-tokio")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    match runtime {
        Ok(rt) => Ok(rt.handle().clone()),
        Err(reason) => Err(Error::AsyncRuntime {
            reason: reason.clone(),
        }),
    }
}
