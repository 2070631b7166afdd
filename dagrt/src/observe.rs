//! Observers: callbacks on a run as it happens — its start and end, each task's start, end and
//! retries, and the cache, resource and gate events — for progress displays and live logs.
//!
//! A run without observers never reaches this module (one branch per task). The callbacks run
//! on the thread that did the work, often a worker: keep them short and never block.

use crate::exec::{Execution, NodeStatus};
use crate::graph::Graph;
use crate::trace::TraceEventType;
use std::sync::Arc;
use std::time::Duration;

/// One task of one run, as an observer is told about it.
#[derive(Debug, Clone, Copy)]
pub struct TaskRef<'a> {
    /// The DAG's name.
    pub dag: &'a str,
    /// The run's id.
    pub run_id: &'a str,
    /// The task's name.
    pub task: &'a str,
    /// The worker it runs on (`None` off the pool).
    pub worker: Option<usize>,
    /// Its attempt (1 for the first; 0 when it did not run).
    pub attempt: u32,
}

/// Callbacks on a run as it happens; every method does nothing by default. Install with
/// [`Dag::observe`](crate::Dag::observe).
///
/// ```standalone_crate
/// use dag::{task, Dag, NodeStatus, Observer, TaskRef};
/// use std::sync::Mutex;
///
/// #[task]
/// fn one() -> u32 { 1 }
///
/// #[task(final)]
/// fn two(one: &u32) -> u32 { one + 1 }
///
/// #[derive(Default)]
/// struct Log(Mutex<Vec<String>>);
///
/// impl Observer for Log {
///     fn task_finished(&self, t: &TaskRef<'_>, status: NodeStatus, _error: Option<&str>) {
///         self.0.lock().unwrap().push(format!("{} {status}", t.task));
///     }
/// }
///
/// let log = std::sync::Arc::new(Log::default());
/// let out: u32 = Dag::new("observed").observe(log.clone()).run()?;
/// assert_eq!(out, 2);
/// assert_eq!(*log.0.lock().unwrap(), ["one completed", "two completed"]);
/// # Ok::<(), dag::Error>(())
/// ```
pub trait Observer: Send + Sync {
    /// A run starts (before any task).
    fn run_started(&self, dag: &str, run_id: &str, graph: &Graph) {
        let _ = (dag, run_id, graph);
    }

    /// An attempt of a task's body starts.
    fn task_started(&self, task: &TaskRef<'_>) {
        let _ = task;
    }

    /// A task ended, in `status`; `error` for a failed or timed-out task.
    fn task_finished(&self, task: &TaskRef<'_>, status: NodeStatus, error: Option<&str>) {
        let _ = (task, status, error);
    }

    /// An attempt failed with `error` and the task runs again after `delay`.
    fn task_retrying(&self, task: &TaskRef<'_>, error: &str, delay: Duration) {
        let _ = (task, error, delay);
    }

    /// Something else happened to a task: [`TraceEventType::NodeCacheHit`],
    /// `ResourceAcquired` / `ResourceReleased` (`detail`: the pool), `NodeGateWaiting`,
    /// `NodeGateResolved` (`detail`: the decision).
    fn task_event(&self, task: &TaskRef<'_>, kind: TraceEventType, detail: &str) {
        let _ = (task, kind, detail);
    }

    /// The run ended; its execution is complete (records written, when profiling).
    fn run_finished(&self, execution: &Execution) {
        let _ = execution;
    }
}

impl<T: Observer + ?Sized> Observer for Arc<T> {
    fn run_started(&self, dag: &str, run_id: &str, graph: &Graph) {
        (**self).run_started(dag, run_id, graph);
    }
    fn task_started(&self, task: &TaskRef<'_>) {
        (**self).task_started(task);
    }
    fn task_finished(&self, task: &TaskRef<'_>, status: NodeStatus, error: Option<&str>) {
        (**self).task_finished(task, status, error);
    }
    fn task_retrying(&self, task: &TaskRef<'_>, error: &str, delay: Duration) {
        (**self).task_retrying(task, error, delay);
    }
    fn task_event(&self, task: &TaskRef<'_>, kind: TraceEventType, detail: &str) {
        (**self).task_event(task, kind, detail);
    }
    fn run_finished(&self, execution: &Execution) {
        (**self).run_finished(execution);
    }
}

/// The observers of one DAG, told in the order they were installed.
#[derive(Clone, Default)]
pub(crate) struct Observers(pub(crate) Vec<Arc<dyn Observer>>);

impl Observer for Observers {
    fn run_started(&self, dag: &str, run_id: &str, graph: &Graph) {
        self.0
            .iter()
            .for_each(|o| o.run_started(dag, run_id, graph));
    }
    fn task_started(&self, task: &TaskRef<'_>) {
        self.0.iter().for_each(|o| o.task_started(task));
    }
    fn task_finished(&self, task: &TaskRef<'_>, status: NodeStatus, error: Option<&str>) {
        self.0
            .iter()
            .for_each(|o| o.task_finished(task, status, error));
    }
    fn task_retrying(&self, task: &TaskRef<'_>, error: &str, delay: Duration) {
        self.0
            .iter()
            .for_each(|o| o.task_retrying(task, error, delay));
    }
    fn task_event(&self, task: &TaskRef<'_>, kind: TraceEventType, detail: &str) {
        self.0.iter().for_each(|o| o.task_event(task, kind, detail));
    }
    fn run_finished(&self, execution: &Execution) {
        self.0.iter().for_each(|o| o.run_finished(execution));
    }
}
