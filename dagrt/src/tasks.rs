//! Tasks: closures keyed by node name, the bodies of graphs built at run time.

use crate::error::Error;
use crate::exec::policy::NodeSpec;
use crate::exec::wait::AsyncBody;
use crate::exec::{Body, DynBody};
use crate::graph::Graph;
use crate::inputs::Inputs;
use crate::options::TaskOptions;
use crate::persist::Codec;
use crate::task::Fallible;
use crate::value::AsyncBodyResult;
use foldhash::HashMap as FxHashMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::{TypeId, type_name};
use std::fmt;

/// An async builder task's body: builds the future of one attempt.
pub(crate) type DynAsyncBody<'a> =
    Box<dyn for<'i> Fn(&Inputs<'i>) -> AsyncBodyResult<'i> + Send + Sync + 'a>;

/// One task body and what the executor needs to know about its output.
pub(crate) struct Entry<'a> {
    pub body: DynBody<'a>,
    /// An async task's body (`body` is then never called).
    pub async_body: Option<DynAsyncBody<'a>>,
    /// Whether its output owns memory.
    pub frees: bool,
    /// Codec and code version of persistent tasks (for the cache, checkpoints and reruns).
    pub spec: NodeSpec,
    /// Its output type.
    pub output: OutputType,
}

/// Task bodies for a builder graph, keyed by node name.
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
    /// Node name -> position in `entries` (small values keep the table dense: resolving a
    /// 100k-node graph by name is a lookup per node).
    index: FxHashMap<String, usize>,
    /// The bodies, in the order their names were first given (`None` once taken).
    entries: Vec<Option<Entry<'a>>>,
    /// Whether a task with a spec other than the default was added (a persistent or mapped
    /// one); otherwise no spec is passed to a run.
    special_specs: bool,
    /// Options given with [`Tasks::options`] for tasks not added yet.
    pending_options: FxHashMap<String, TaskOptions>,
    /// Whether an async task was added.
    any_async: bool,
}

/// A task's output type, for `run_with` to check before running and to name in messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OutputType {
    pub id: TypeId,
    pub name: &'static str,
}

impl OutputType {
    fn of<T: 'static>() -> Self {
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
        Tasks {
            index: FxHashMap::default(),
            entries: Vec::new(),
            special_specs: false,
            pending_options: FxHashMap::default(),
            any_async: false,
        }
    }

    /// Sets the options of task `name` (before or after it is added): what `#[task(...)]`
    /// says for a static task — retries, backoff, `timeout`, `resources`, `gate`.
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
    pub fn options(&mut self, name: impl Into<String>, options: TaskOptions) -> &mut Self {
        let name = name.into();
        self.special_specs = true;
        match self.entry_mut(&name) {
            Some(entry) => entry.spec.options = options,
            None => {
                self.pending_options.insert(name, options);
            }
        }
        self
    }

    /// An async task without inputs: `f` makes the future of each attempt, which dag polls
    /// on its workers inside a tokio runtime (timers and I/O of tokio work in it).
    ///
    /// ```
    /// use dag::{Dag, Tasks, graph::Graph};
    ///
    /// let mut b = Graph::builder();
    /// b.add_nodes(["wait", "double"]).add_edges([("wait", "double")]);
    /// let dag = Dag::from_graph("async_builder", b.build()?);
    ///
    /// let mut tasks = Tasks::new();
    /// tasks
    ///     .add_async("wait", || async {
    ///         tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    ///         21
    ///     })
    ///     .add_with_inputs("double", |i| Ok::<_, dag::InputError>(i.get::<i32>(0)? * 2));
    /// assert_eq!(dag.run_with::<i32>(&tasks)?, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub fn add_async<T, F, Fut>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        T: Send + Sync + 'static,
        F: Fn() -> Fut + Send + Sync + 'a,
        Fut: std::future::Future<Output = T> + Send + 'static,
    {
        let body: DynAsyncBody<'a> = Box::new(move |_: &Inputs<'_>| {
            let future = f();
            Box::pin(async move { Ok(Box::new(future.await) as _) })
        });
        self.insert_async::<T>(name.into(), body)
    }

    /// An async task that reads its inputs: `f` returns the boxed future of one attempt,
    /// which may borrow the inputs (`Box::pin(async move { .. })`).
    ///
    /// ```
    /// use dag::{Dag, Tasks, graph::Graph};
    ///
    /// let mut b = Graph::builder();
    /// b.add_nodes(["n", "plus_one"]).add_edges([("n", "plus_one")]);
    /// let dag = Dag::from_graph("async_inputs", b.build()?);
    ///
    /// let mut tasks = Tasks::new();
    /// tasks.add("n", || 41u64).add_async_with_inputs("plus_one", |inputs| {
    ///     let n = inputs.get::<u64>(0);
    ///     Box::pin(async move { Ok::<_, dag::InputError>(*n? + 1) })
    /// });
    /// assert_eq!(dag.run_with::<u64>(&tasks)?, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "tokio")]
    pub fn add_async_with_inputs<R, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        R: Fallible + 'static,
        F: for<'i> Fn(
                &Inputs<'i>,
            )
                -> std::pin::Pin<Box<dyn std::future::Future<Output = R> + Send + 'i>>
            + Send
            + Sync
            + 'a,
    {
        let body: DynAsyncBody<'a> = Box::new(move |inputs: &Inputs<'_>| {
            let future = f(inputs);
            Box::pin(async move { future.await.into_body_result().map(|v| Box::new(v) as _) })
        });
        self.insert_async::<R::Ok>(name.into(), body)
    }

    #[cfg(feature = "tokio")]
    fn insert_async<T: 'static>(&mut self, name: String, body: DynAsyncBody<'a>) -> &mut Self {
        let task = name.clone();
        let sync: DynBody<'a> = Box::new(move |_: &Inputs<'_>| {
            Err(format!(
                "task `{task}` is async: it runs on the async scheduler"
            ))
        });
        self.insert::<T>(name.clone(), sync, None);
        if let Some(entry) = self.entry_mut(&name) {
            entry.async_body = Some(body);
        }
        self.any_async = true;
        self
    }

    /// A zero-argument task: its output is kept for dependents.
    pub fn add<T, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        T: Send + Sync + 'static,
        F: Fn() -> T + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |_: &Inputs<'_>| Ok(Box::new(f()) as _));
        self.insert::<T>(name.into(), body, None)
    }

    /// A zero-argument task that may fail.
    pub fn add_fallible<R, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        R: Fallible,
        F: Fn() -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> =
            Box::new(move |_: &Inputs<'_>| f().into_body_result().map(|v| Box::new(v) as _));
        self.insert::<R::Ok>(name.into(), body, None)
    }

    /// A task that reads its inputs (in the order of its edges, or by name).
    pub fn add_with_inputs<R, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        R: Fallible,
        F: Fn(&Inputs<'_>) -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |inputs: &Inputs<'_>| {
            f(inputs).into_body_result().map(|v| Box::new(v) as _)
        });
        self.insert::<R::Ok>(name.into(), body, None)
    }

    /// A task mapped over the elements of its one input, a `Vec<E>` (what `#[each]` does for
    /// a `#[task]`): `f` runs once per element, in parallel on the DAG's pool, and the task's
    /// output is the `Vec` of `f`'s outputs in element order. Each element is traced as
    /// `name[i]` and recorded with its index; retries apply per element; the first failing
    /// element fails the task, naming its index.
    ///
    /// ```
    /// use dag::{Dag, Tasks, graph::Graph};
    ///
    /// let mut b = Graph::builder();
    /// b.add_nodes(["words", "lengths"]).add_edges([("words", "lengths")]);
    /// let dag = Dag::from_graph("lengths", b.build()?);
    ///
    /// let mut tasks = Tasks::new();
    /// tasks
    ///     .add("words", || vec!["a".to_string(), "bcd".to_string()])
    ///     .add_each("lengths", |w: &String| Ok::<_, String>(w.len()));
    /// assert_eq!(dag.run_with::<Vec<usize>>(&tasks)?, [1, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_each<E, R, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        E: Send + Sync + 'static,
        R: Fallible,
        F: Fn(&E) -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |inputs: &Inputs<'_>| {
            let elems = inputs.get::<Vec<E>>(0).map_err(|e| e.to_string())?;
            let node = inputs.graph.name(inputs.node);
            crate::each::map_elements(inputs, node, elems, |e| f(e).into_body_result())
        });
        let name = name.into();
        self.insert::<Vec<R::Ok>>(name.clone(), body, None);
        if let Some(entry) = self.entry_mut(&name) {
            entry.spec.mapped = true;
        }
        self.special_specs = true;
        self
    }

    /// A zero-argument task whose output serde can persist (with postcard): it can be cached,
    /// checkpointed and resumed like a `#[task]` with a serde output.
    ///
    /// `code_version` stands for the task's code in cache keys and checkpoint manifests (the
    /// code of a closure cannot be hashed): change it whenever the closure changes, or cached
    /// outputs of the old code are served. The output type's name is part of the key too.
    pub fn add_persistent<T, F>(
        &mut self,
        name: impl Into<String>,
        code_version: &'static str,
        f: F,
    ) -> &mut Self
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Fn() -> T + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |_: &Inputs<'_>| Ok(Box::new(f()) as _));
        self.insert::<T>(name.into(), body, Some((Codec::of::<T>(), code_version)))
    }

    /// A task that reads its inputs and may fail, whose output serde can persist (see
    /// [`add_persistent`](Tasks::add_persistent) for `code_version`).
    pub fn add_persistent_with_inputs<R, F>(
        &mut self,
        name: impl Into<String>,
        code_version: &'static str,
        f: F,
    ) -> &mut Self
    where
        R: Fallible,
        R::Ok: Serialize + DeserializeOwned,
        F: Fn(&Inputs<'_>) -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |inputs: &Inputs<'_>| {
            f(inputs).into_body_result().map(|v| Box::new(v) as _)
        });
        let persist = Some((Codec::of::<R::Ok>(), code_version));
        self.insert::<R::Ok>(name.into(), body, persist)
    }

    fn insert<T: 'static>(
        &mut self,
        name: String,
        body: DynBody<'a>,
        persist: Option<(Codec, &'static str)>,
    ) -> &mut Self {
        let spec = match persist {
            Some((codec, code_version)) => NodeSpec {
                codec: Some(codec),
                code_hash: code_version,
                ..NodeSpec::default()
            },
            None => NodeSpec::default(),
        };
        let mut spec = spec;
        // (Most `Tasks` have no pending options: no hashing of the name then.)
        if !self.pending_options.is_empty()
            && let Some(options) = self.pending_options.remove(&name)
        {
            spec.options = options;
        }
        let entry = Entry {
            body,
            async_body: None,
            frees: crate::task::frees::<T>(),
            spec,
            output: OutputType::of::<T>(),
        };
        self.special_specs |= entry.spec.codec.is_some() || entry.spec.options != TaskOptions::NONE;
        match self.index.get(&name) {
            Some(&i) => self.entries[i] = Some(entry),
            None => {
                self.index.insert(name, self.entries.len());
                self.entries.push(Some(entry));
            }
        }
        self
    }
}

impl<'a> Tasks<'a> {
    /// Number of task bodies.
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there is no task body.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The output type of the task for node `name`.
    pub(crate) fn output_type(&self, name: &str) -> Option<OutputType> {
        self.entry(name).map(|e| e.output)
    }

    /// The body given for node `name`.
    fn entry(&self, name: &str) -> Option<&Entry<'a>> {
        self.index.get(name).and_then(|&i| self.entries[i].as_ref())
    }

    /// The body given for node `name`, to adjust its spec.
    fn entry_mut(&mut self, name: &str) -> Option<&mut Entry<'a>> {
        let &i = self.index.get(name)?;
        self.entries[i].as_mut()
    }

    /// Takes the body given for node `name` out (binding bodies to a graph once).
    pub(crate) fn take(&mut self, name: &str) -> Option<Entry<'a>> {
        let &i = self.index.get(name)?;
        self.entries[i].take()
    }

    /// Checks that every body names a node and every node has a body.
    pub(crate) fn check(&self, graph: &Graph) -> Result<(), Error> {
        if let Some(n) = graph
            .nodes()
            .find(|&n| !self.index.contains_key(graph.name(n)))
        {
            return Err(Error::MissingTask {
                node: graph.name(n).to_string(),
            });
        }
        // Every node has a body and names are unique, so equal counts mean no extra body.
        if self.index.len() != graph.len() {
            let mut extra: Vec<&String> = self
                .index
                .keys()
                .filter(|k| graph.find(k).is_none())
                .collect();
            extra.sort();
            if let Some(name) = extra.first() {
                return Err(Error::UnknownTask {
                    name: (*name).clone(),
                });
            }
        }
        Ok(())
    }

    /// Whether some task's spec is not the default one (persistent, mapped or with options).
    pub(crate) fn special_specs(&self) -> bool {
        self.special_specs
    }

    /// Options given with [`Tasks::options`] for a task never added are an error naming it
    /// (they would otherwise do nothing).
    pub(crate) fn check_pending_options(&self) -> Result<(), Error> {
        match self.pending_options.keys().min() {
            Some(name) => Err(Error::UnknownTask { name: name.clone() }),
            None => Ok(()),
        }
    }

    /// The bodies in node order, which outputs own memory, and the nodes' specs.
    pub(crate) fn resolve(&self, graph: &Graph) -> Result<Resolved<'_>, Error> {
        self.check_pending_options()?;
        let mut asyncs = Vec::with_capacity(if self.any_async { graph.len() } else { 0 });
        let mut bodies: Vec<Body<'_>> = Vec::with_capacity(graph.len());
        let mut frees = Vec::with_capacity(graph.len());
        // Without a persistent or mapped task every spec is the default one: none is passed
        // (see `Launch::specs`).
        let persistent = self.special_specs;
        let mut specs = Vec::with_capacity(if persistent { graph.len() } else { 0 });
        for n in graph.nodes() {
            match self.entry(graph.name(n)) {
                Some(entry) => {
                    bodies.push(&*entry.body);
                    frees.push(entry.frees);
                    if self.any_async {
                        asyncs.push(entry.async_body.as_deref().map(AsyncBody::Dyn));
                    }
                    if persistent {
                        specs.push(entry.spec);
                    }
                }
                None => {
                    return Err(Error::MissingTask {
                        node: graph.name(n).to_string(),
                    });
                }
            }
        }
        if self.index.len() != graph.len() {
            self.check(graph)?;
        }
        Ok(Resolved {
            bodies,
            frees,
            specs,
            asyncs,
        })
    }
}

/// Bodies, output-frees flags, specs and async bodies of a graph's nodes, in node order.
pub(crate) struct Resolved<'t> {
    pub bodies: Vec<Body<'t>>,
    pub frees: Vec<bool>,
    pub specs: Vec<NodeSpec>,
    /// Empty when no task is async.
    pub asyncs: Vec<Option<AsyncBody<'t>>>,
}

impl fmt::Debug for Tasks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.index.keys().collect();
        names.sort();
        f.debug_struct("Tasks").field("names", &names).finish()
    }
}
