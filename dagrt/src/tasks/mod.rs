//! Tasks: closures keyed by node name or [`NodeId`], the bodies of graphs built at run time.

mod add;
mod bind;
mod columns;

pub(crate) use bind::Bound;

use columns::{Columns, Part};

use crate::exec::DynBody;
use crate::exec::policy::NodeSpec;
use crate::graph::{IntoNodeKey, NodeId, NodeKey};
use crate::inputs::Inputs;
use crate::options::TaskOptions;
use crate::value::AsyncBodyResult;
use foldhash::HashMap as FxHashMap;
use std::any::{TypeId, type_name};
use std::fmt;

/// An async builder task's body: builds the future of one attempt.
pub(crate) type DynAsyncBody<'a> =
    Box<dyn for<'i> Fn(&Inputs<'i>) -> AsyncBodyResult<'i> + Send + Sync + 'a>;

/// Where a body is kept: in the columns of names or of ids, at `slot`.
#[derive(Clone, Copy)]
pub(crate) struct Place {
    named: bool,
    slot: usize,
}

/// Task bodies for a builder graph, keyed by node name or by [`NodeId`].
///
/// ```
/// use dag::{Dag, Tasks, graph::Graph};
///
/// let mut b = Graph::builder();
/// b.add_nodes(["a", "b", "sum"]).add_edges([("a", "sum"), ("b", "sum")]);
/// let dag = Dag::from_graph("sums", b.build()?);
///
/// let mut tasks = Tasks::new();
/// tasks.add("a", || 1).add("b", || 2).add_with_inputs("sum", |inputs| {
///     Ok::<_, dag::InputError>(inputs.get::<i32>(0)? + inputs.by_name::<i32>("b")?)
/// });
/// assert_eq!(dag.run_with::<i32>(&tasks)?, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Every method that takes a node also takes the [`NodeId`] that
/// [`GraphBuilder::node`](crate::graph::GraphBuilder::node) returned: binding bodies given by
/// id hashes no name (the fastest way to bind large graphs). An id stands for a node of the
/// graph it was made for; the bodies are checked against the graph they are bound to (a node
/// without a body, an id past its last node). Giving a node's body again (by name or by id)
/// replaces the earlier one.
///
/// ```
/// use dag::{Dag, Tasks, graph::Graph};
///
/// let mut b = Graph::builder();
/// let ids: Vec<_> = (0..1000).map(|i| b.node(format!("n{i}"))).collect();
/// for w in ids.windows(2) {
///     b.edge(w[0], w[1]);
/// }
/// let mut tasks = Tasks::with_capacity(ids.len());
/// tasks.add(ids[0], || 0u64);
/// for &id in &ids[1..] {
///     tasks.add_with_inputs(id, |i| Ok::<_, dag::InputError>(i.get::<u64>(0)? + 1));
/// }
/// let dag = Dag::from_graph("count", b.build()?).with_tasks(tasks)?;
/// assert_eq!(dag.run::<u64>()?, 999);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Only tasks added with [`add_persistent`](Tasks::add_persistent) or
/// [`add_persistent_with_inputs`](Tasks::add_persistent_with_inputs) can be cached
/// (`.cache(true)`), checkpointed and resumed, or cut off early by a rerun; a run that asks for
/// these names every other task in a warning on its [`Execution`](crate::Execution).
///
/// ```
/// use dag::{Dag, Tasks, graph::Graph};
///
/// let mut b = Graph::builder();
/// b.add_nodes(["rows", "total"]).add_edges([("rows", "total")]);
/// # let tmp = tempfile::tempdir()?;
/// let dag = Dag::from_graph("persisted", b.build()?).cache(true).cache_dir(tmp.path());
///
/// let mut tasks = Tasks::new();
/// tasks
///     .add_persistent("rows", "v1", || vec![1u64, 2, 3])
///     .add_persistent_with_inputs("total", "v1", |inputs| {
///         Ok::<_, dag::InputError>(inputs.get::<Vec<u64>>(0)?.iter().sum::<u64>())
///     });
/// assert_eq!(dag.execute_with(&tasks)?.cache_stats().stores, 2);
/// assert_eq!(dag.execute_with(&tasks)?.cache_stats().hits, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct Tasks<'a> {
    /// Node name -> its slot in `named` (small values keep the table dense: resolving a
    /// 100k-node graph by name is a lookup per node).
    index: FxHashMap<String, usize>,
    /// The bodies given by name, in the order their names were first given (`None` once
    /// taken).
    named: Columns<'a>,
    /// The bodies given by [`NodeId`], at the id's index.
    by_id: Columns<'a>,
    /// How many slots of `by_id` hold a body.
    id_count: usize,
    /// Whether a task with a spec other than the default was added (a persistent or mapped
    /// one); otherwise no spec is passed to a run.
    special_specs: bool,
    /// Options given with [`Tasks::options`] by name for tasks not added by name yet.
    pending_options: FxHashMap<String, TaskOptions>,
    /// Options given with [`Tasks::options`] by id for tasks not added by id yet.
    pending_id_options: FxHashMap<NodeId, TaskOptions>,
    /// Whether an async task was added.
    any_async: bool,
    /// Bodies given while some were given the other way (orders a body given by name
    /// against one given by id for the same node).
    seq: u32,
}

/// A task's output type, for `run_with` to check before running and to name in messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutputType {
    pub id: TypeId,
    pub name: &'static str,
}

impl OutputType {
    pub(crate) fn of<T: 'static>() -> Self {
        OutputType {
            id: TypeId::of::<T>(),
            name: type_name::<T>(),
        }
    }
}

impl<'a> Tasks<'a> {
    /// No task yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// No task yet, with room for `nodes` bodies (given by name or by id) before it
    /// reallocates.
    #[must_use]
    pub fn with_capacity(nodes: usize) -> Self {
        Tasks {
            // Bodies are usually given one way: the other side grows on demand.
            named: Columns::with_capacity(nodes),
            by_id: Columns::with_capacity(nodes),
            ..Self::default()
        }
        .with_index_capacity(nodes)
    }

    fn with_index_capacity(mut self, nodes: usize) -> Self {
        self.index.reserve(nodes);
        self
    }

    /// Sets the options of the task for `node` (its name or [`NodeId`], before or after it
    /// is added): what `#[task(...)]` says for a static task — retries, backoff, `timeout`,
    /// `resources`, `gate`.
    ///
    /// ```
    /// use dag::{Dag, NodeStatus, TaskOptions, Tasks, graph::Graph};
    /// use std::time::Duration;
    ///
    /// let mut b = Graph::builder();
    /// b.add_nodes(["slow", "after"]).add_edges([("slow", "after")]);
    /// let dag = Dag::from_graph("deadline", b.build()?);
    ///
    /// let mut tasks = Tasks::new();
    /// tasks
    ///     .add("slow", || std::thread::sleep(Duration::from_millis(200)))
    ///     .options("slow", TaskOptions::NONE.timeout(Duration::from_millis(20)))
    ///     .add("after", || 1);
    /// let ex = dag.execute_with(&tasks)?;
    /// assert_eq!(ex.status("slow"), Some(NodeStatus::TimedOut));
    /// assert_eq!(ex.status("after"), Some(NodeStatus::Skipped));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn options(&mut self, node: impl IntoNodeKey, options: TaskOptions) -> &mut Self {
        self.special_specs = true;
        match node.into_node_key() {
            NodeKey::Name(name) => match self.index.get(&name) {
                Some(&slot) if self.named.has(slot) => self.named.spec_mut(slot).options = options,
                _ => {
                    self.pending_options.insert(name, options);
                }
            },
            NodeKey::Id(id) if self.by_id.has(id.index()) => {
                self.by_id.spec_mut(id.index()).options = options;
            }
            NodeKey::Id(id) => {
                self.pending_id_options.insert(id, options);
            }
        }
        self
    }

    /// Stores the body for `node`; returns where, to adjust it.
    fn insert<T: 'static>(
        &mut self,
        node: NodeKey,
        body: DynBody<'a>,
        spec: Option<NodeSpec>,
    ) -> Place {
        // Only bodies given while the other kind has some need an order.
        let other = match node {
            NodeKey::Name(_) => self.id_count,
            NodeKey::Id(_) => self.index.len(),
        };
        if other > 0 {
            self.seq = self.seq.saturating_add(1);
        }
        let mut part = Part {
            body,
            frees: crate::task::frees::<T>(),
            output: OutputType::of::<T>,
            spec: spec.map(Box::new),
            seq: if other > 0 { self.seq } else { 0 },
        };
        let options = |pending: Option<TaskOptions>, part: &mut Part<'_>| {
            if let Some(options) = pending {
                part.spec.get_or_insert_with(Box::default).options = options;
            }
        };
        let place = match node {
            NodeKey::Name(name) => {
                // (Most `Tasks` have no pending options: no hashing of the name then.)
                if !self.pending_options.is_empty() {
                    options(self.pending_options.remove(&name), &mut part);
                }
                let next = self.named.len();
                let slot = *self.index.entry(name).or_insert(next);
                Place { named: true, slot }
            }
            NodeKey::Id(id) => {
                if !self.pending_id_options.is_empty() {
                    options(self.pending_id_options.remove(&id), &mut part);
                }
                Place {
                    named: false,
                    slot: id.index(),
                }
            }
        };
        if let Some(spec) = &part.spec {
            self.special_specs |= spec.codec.is_some() || spec.options != TaskOptions::NONE;
        }
        if self.columns_mut(place).set(place.slot, part) && !place.named {
            self.id_count += 1;
        }
        place
    }

    fn columns_mut(&mut self, place: Place) -> &mut Columns<'a> {
        if place.named {
            &mut self.named
        } else {
            &mut self.by_id
        }
    }

    /// Number of task bodies (a node's body given both by name and by id counts twice).
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.len() + self.id_count
    }

    /// Whether there is no task body.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Tasks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.index.keys().collect();
        names.sort();
        let ids: Vec<usize> = (0..self.by_id.len())
            .filter(|&i| self.by_id.has(i))
            .collect();
        f.debug_struct("Tasks")
            .field("names", &names)
            .field("ids", &ids)
            .finish()
    }
}

#[cfg(test)]
mod tests;
