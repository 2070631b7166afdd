//! The elements of `#[each]` tasks in an [`Execution`]: one result per element.

use super::{Execution, NONE};

/// How one element of an `#[each]` task went (see [`Execution::elements`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ElementResult {
    /// The element's index in the upstream output.
    pub index: usize,
    /// When it started, seconds after the run started.
    pub start: f64,
    /// When it ended.
    pub end: f64,
    /// The pool worker that ran it.
    pub worker: Option<usize>,
    /// How many times it ran (more than 1 after retries).
    pub attempts: u32,
    /// Its error, if it failed (every failed element keeps its own, not only the first).
    pub error: Option<String>,
}

impl Execution {
    /// The elements of the `#[each]` task `name`, by index; empty for a task that is not
    /// mapped or did not run its elements (skipped, reused, provided).
    #[must_use]
    pub fn elements(&self, name: &str) -> Vec<ElementResult> {
        let Some(node) = self.view.graph.find(name) else {
            return Vec::new();
        };
        let mut out: Vec<ElementResult> = self
            .view
            .elements
            .iter()
            .filter(|e| e.node == node.0)
            .map(|e| ElementResult {
                index: e.index as usize,
                start: self.view.seconds(e.start),
                end: self.view.seconds(e.end),
                worker: (e.worker != NONE).then_some(e.worker as usize),
                attempts: e.attempts,
                error: e.error.clone(),
            })
            .collect();
        out.sort_by_key(|e| e.index);
        out
    }
}
