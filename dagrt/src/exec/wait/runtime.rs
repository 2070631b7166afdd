//! The tokio runtime that async task bodies are polled in: the caller's, or one that dag starts
//! once per process.
//!
//! dag polls the futures itself, on its workers; tokio supplies what they wait on (timers,
//! sockets, `tokio::spawn`). The runtime dag starts has one thread, which only drives the
//! reactor and the timers (and whatever the tasks `tokio::spawn`).

use crate::error::Error;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

/// The handle async bodies are polled with: `given` (`Dag::tokio_runtime`), else the runtime
/// the run was started from (`run_async`, or a thread of `spawn_blocking`), else the
/// process-wide runtime, started on first use.
pub(crate) fn handle(given: Option<&Handle>) -> Result<Handle, Error> {
    if let Some(h) = given {
        return Ok(h.clone());
    }
    if let Ok(h) = Handle::try_current() {
        return Ok(h);
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

/// Runs `run` (a whole DAG run) from async code: on a multi-thread runtime, in
/// `block_in_place`, so the runtime moves its other tasks off this thread meanwhile; outside
/// any runtime, directly. A current-thread runtime has no other thread to move them to, and
/// the run's async tasks would need this very thread: that is an error saying what to do.
pub(crate) fn off_the_runtime<R>(run: impl FnOnce() -> Result<R, Error>) -> Result<R, Error> {
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(run)
        }
        Ok(_) => Err(Error::AsyncRuntime {
            reason: "run_async/execute_async need a multi-thread tokio runtime (the default \
                     of #[tokio::main]); on a current-thread runtime, call run() inside \
                     tokio::task::spawn_blocking"
                .to_string(),
        }),
        Err(_) => run(),
    }
}
