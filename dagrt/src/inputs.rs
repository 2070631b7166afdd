//! Inputs: the values a task body receives from its dependencies.

use crate::exec::slot::Slot;
use crate::graph::{Graph, NodeId};
use std::any::{Any, type_name};
use std::fmt;

/// The values a task receives from its dependencies, in the order of its edges (for a
/// `#[task]`, its parameters).
pub struct Inputs<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) node: NodeId,
    pub(crate) slots: &'a [Slot],
    /// Where an `#[each]` task logs its elements' runs.
    pub(crate) elements: &'a std::sync::Mutex<Vec<crate::exec::ElementRun>>,
    /// The node's resolved retries and first backoff, which an `#[each]` task applies per
    /// element.
    pub(crate) retry: (u32, std::time::Duration),
}

/// Why an input could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The node reading its inputs.
    pub node: String,
    /// What went wrong, naming the input.
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node `{}`: {}", self.node, self.reason)
    }
}

impl std::error::Error for InputError {}

impl<'a> Inputs<'a> {
    /// Number of inputs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.graph.predecessors(self.node).len()
    }

    /// Whether the node has no input.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name of the node producing input `i`.
    #[must_use]
    pub fn name(&self, i: usize) -> Option<&'a str> {
        self.graph
            .predecessors(self.node)
            .get(i)
            .map(|&p| self.graph.name(p))
    }

    /// Input `i` as a `T`.
    ///
    /// # Errors
    /// If there is no input `i`, or it is not a `T` (the error names both types).
    pub fn get<T: Any>(&self, i: usize) -> Result<&'a T, InputError> {
        let preds = self.graph.predecessors(self.node);
        let Some(&p) = preds.get(i) else {
            return Err(self.error(format!("has {} inputs, asked for input {i}", preds.len())));
        };
        self.value_of(p)
    }

    /// The input produced by the node called `name`, as a `T`.
    ///
    /// # Errors
    /// If `name` is not an input of this node or its value is not a `T`.
    pub fn by_name<T: Any>(&self, name: &str) -> Result<&'a T, InputError> {
        let preds = self.graph.predecessors(self.node);
        match preds.iter().find(|&&p| self.graph.name(p) == name) {
            Some(&p) => self.value_of(p),
            None => Err(self.error(format!("`{name}` is not one of its inputs"))),
        }
    }

    fn value_of<T: Any>(&self, p: NodeId) -> Result<&'a T, InputError> {
        // SAFETY: the executor hands `Inputs` to a node only after every predecessor stored its
        // output and published it through the node's dependency counter (release/acquire), and
        // frees an output only after all its consumers finished.
        let value = unsafe { self.slots[p.index()].get() };
        match value {
            Some(v) => v.downcast_ref::<T>().ok_or_else(|| {
                self.error(format!(
                    "input `{}` is not a `{}`",
                    self.graph.name(p),
                    type_name::<T>()
                ))
            }),
            None => Err(self.error(format!("input `{}` has no value", self.graph.name(p)))),
        }
    }

    fn error(&self, reason: String) -> InputError {
        InputError {
            node: self.graph.name(self.node).to_string(),
            reason,
        }
    }
}

impl fmt::Debug for Inputs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inputs")
            .field("node", &self.graph.name(self.node))
            .field("len", &self.len())
            .finish()
    }
}
