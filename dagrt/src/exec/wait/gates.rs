//! Approval gates: the decisions a `#[task(gate)]` waits for, from a handler or a [`GateHandle`].

use super::Msg;
use std::collections::HashMap;
use std::fmt;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};

/// What a gate is told: go on, or fail with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateDecision {
    /// The task runs.
    Approve,
    /// The task fails with this reason; its dependents are skipped.
    Reject(String),
    /// (From a handler only) no decision yet: a [`GateHandle`] gives it later, or the gate's
    /// `gate_timeout` ends the task `TimedOut`.
    Defer,
}

/// What a gate handler is asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRequest {
    /// The gate task's name.
    pub task: String,
    /// The DAG's name.
    pub dag: String,
    /// The run's id (as in its trace and profiling records).
    pub run_id: String,
}

/// Decides the gates of a DAG's runs (see [`Dag::gate_handler`](crate::Dag::gate_handler)).
pub type GateHandler = dyn Fn(&GateRequest) -> GateDecision + Send + Sync;

/// Decides the gates of one DAG from any thread; get it with
/// [`Dag::gate_handle`](crate::Dag::gate_handle). Clones share one state.
///
/// A decision for a gate that is waiting resolves it at once; a decision given before the gate
/// is reached waits for it (and is used up by the first run that reaches it).
///
/// ```standalone_crate
/// use dag::{task, Dag, NodeStatus};
///
/// #[task]
/// fn build() -> u32 { 7 }
///
/// /// Waits for a human's yes.
/// #[task(gate, final)]
/// fn deploy(build: &u32) -> String { format!("deployed build {build}") }
///
/// let dag = Dag::new("gates_doc");
/// let gates = dag.gate_handle();
/// let approver = std::thread::spawn(move || {
///     while gates.waiting().is_empty() {
///         std::thread::sleep(std::time::Duration::from_millis(1));
///     }
///     assert!(gates.approve("deploy"));
/// });
/// assert_eq!(dag.run::<String>()?, "deployed build 7");
/// approver.join().unwrap();
/// # Ok::<(), dag::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct GateHandle {
    book: Arc<Mutex<Book>>,
    /// The handler the runs of this DAG ask first, when one is set.
    pub(crate) handler: Option<Arc<GateHandler>>,
}

#[derive(Default)]
struct Book {
    /// Gates waiting now: task name → (the run's driver, the node).
    waiting: HashMap<String, Vec<(Sender<Msg>, u32, u64)>>,
    /// Decisions given before their gate was reached.
    early: HashMap<String, GateDecision>,
}

impl GateHandle {
    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Approves the gate `task`: returns true when a waiting gate took the decision, false when
    /// none was waiting (the decision then waits for the next run to reach that gate).
    pub fn approve(&self, task: &str) -> bool {
        self.decide(task, GateDecision::Approve)
    }

    /// Rejects the gate `task` with `reason` (see [`GateHandle::approve`] for the result).
    pub fn reject(&self, task: &str, reason: impl Into<String>) -> bool {
        self.decide(task, GateDecision::Reject(reason.into()))
    }

    /// The gates waiting for a decision now, by task name (sorted).
    #[must_use]
    pub fn waiting(&self) -> Vec<String> {
        let book = self.lock();
        let mut names: Vec<String> = book
            .waiting
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        names.sort();
        names
    }

    fn decide(&self, task: &str, decision: GateDecision) -> bool {
        if decision == GateDecision::Defer {
            return false;
        }
        let mut book = self.lock();
        let waiting = book.waiting.remove(task).unwrap_or_default();
        let mut taken = false;
        for (tx, node, _) in waiting {
            // A run that ended meanwhile has dropped its receiver: nothing to tell.
            taken |= tx.send(Msg::Gate(node, decision.clone())).is_ok();
        }
        if !taken {
            book.early.insert(task.to_string(), decision);
        }
        taken
    }

    /// A run reached the gate `task` (node `node`): the decision given early, if any; else the
    /// gate is registered as waiting.
    pub(super) fn arrive(
        &self,
        task: &str,
        node: u32,
        run: u64,
        tx: &Sender<Msg>,
    ) -> Option<GateDecision> {
        let mut book = self.lock();
        if let Some(d) = book.early.remove(task) {
            return Some(d);
        }
        book.waiting
            .entry(task.to_string())
            .or_default()
            .push((tx.clone(), node, run));
        None
    }

    /// The gate `task` of run `run` no longer waits (decided, timed out, cancelled).
    pub(super) fn leave(&self, task: &str, run: u64) {
        let mut book = self.lock();
        if let Some(list) = book.waiting.get_mut(task) {
            list.retain(|&(_, _, r)| r != run);
            if list.is_empty() {
                book.waiting.remove(task);
            }
        }
    }
}

impl fmt::Debug for GateHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GateHandle")
            .field("waiting", &self.waiting())
            .field("handler", &self.handler.is_some())
            .finish()
    }
}
