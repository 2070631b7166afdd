//! The ways to give a task body: plain, fallible, with inputs, mapped, persistent, async.

#[cfg(feature = "tokio")]
use super::DynAsyncBody;
use super::Tasks;
use crate::exec::DynBody;
use crate::exec::policy::NodeSpec;
use crate::graph::IntoNodeKey;
#[cfg(feature = "tokio")]
use crate::graph::NodeKey;
use crate::inputs::Inputs;
use crate::persist::Codec;
use crate::task::Fallible;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `node` names the node whose body this is: its name, or the [`NodeId`](crate::graph::NodeId)
/// [`GraphBuilder::node`](crate::graph::GraphBuilder::node) returned (see [`Tasks`]).
impl<'a> Tasks<'a> {
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
    pub fn add_async<T, F, Fut>(&mut self, node: impl IntoNodeKey, f: F) -> &mut Self
    where
        T: Send + Sync + 'static,
        F: Fn() -> Fut + Send + Sync + 'a,
        Fut: std::future::Future<Output = T> + Send + 'static,
    {
        let body: DynAsyncBody<'a> = Box::new(move |_: &Inputs<'_>| {
            let future = f();
            Box::pin(async move { Ok(Box::new(future.await) as _) })
        });
        self.insert_async::<T>(node.into_node_key(), body)
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
    pub fn add_async_with_inputs<R, F>(&mut self, node: impl IntoNodeKey, f: F) -> &mut Self
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
        self.insert_async::<R::Ok>(node.into_node_key(), body)
    }

    #[cfg(feature = "tokio")]
    fn insert_async<T: 'static>(&mut self, node: NodeKey, body: DynAsyncBody<'a>) -> &mut Self {
        let sync: DynBody<'a> = Box::new(|inputs: &Inputs<'_>| {
            Err(format!(
                "task `{}` is async: it runs on the async scheduler",
                inputs.graph.name(inputs.node)
            ))
        });
        let place = self.insert::<T>(node, sync, None);
        self.columns_mut(place).set_async(place.slot, body);
        self.any_async = true;
        self
    }

    /// A zero-argument task: its output is kept for dependents.
    pub fn add<T, F>(&mut self, node: impl IntoNodeKey, f: F) -> &mut Self
    where
        T: Send + Sync + 'static,
        F: Fn() -> T + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |_: &Inputs<'_>| Ok(Box::new(f()) as _));
        self.insert::<T>(node.into_node_key(), body, None);
        self
    }

    /// A zero-argument task that may fail.
    pub fn add_fallible<R, F>(&mut self, node: impl IntoNodeKey, f: F) -> &mut Self
    where
        R: Fallible,
        F: Fn() -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> =
            Box::new(move |_: &Inputs<'_>| f().into_body_result().map(|v| Box::new(v) as _));
        self.insert::<R::Ok>(node.into_node_key(), body, None);
        self
    }

    /// A task that reads its inputs (in the order of its edges, or by name).
    pub fn add_with_inputs<R, F>(&mut self, node: impl IntoNodeKey, f: F) -> &mut Self
    where
        R: Fallible,
        F: Fn(&Inputs<'_>) -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |inputs: &Inputs<'_>| {
            f(inputs).into_body_result().map(|v| Box::new(v) as _)
        });
        self.insert::<R::Ok>(node.into_node_key(), body, None);
        self
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
    pub fn add_each<E, R, F>(&mut self, node: impl IntoNodeKey, f: F) -> &mut Self
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
        let place = self.insert::<Vec<R::Ok>>(node.into_node_key(), body, None);
        self.columns_mut(place).spec_mut(place.slot).mapped = true;
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
        node: impl IntoNodeKey,
        code_version: &'static str,
        f: F,
    ) -> &mut Self
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        F: Fn() -> T + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |_: &Inputs<'_>| Ok(Box::new(f()) as _));
        let spec = persistent(Codec::of::<T>(), code_version);
        self.insert::<T>(node.into_node_key(), body, Some(spec));
        self
    }

    /// A task that reads its inputs and may fail, whose output serde can persist (see
    /// [`add_persistent`](Tasks::add_persistent) for `code_version`).
    pub fn add_persistent_with_inputs<R, F>(
        &mut self,
        node: impl IntoNodeKey,
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
        let spec = persistent(Codec::of::<R::Ok>(), code_version);
        self.insert::<R::Ok>(node.into_node_key(), body, Some(spec));
        self
    }
}

/// The spec of a persistent task.
fn persistent(codec: Codec, code_version: &'static str) -> NodeSpec {
    NodeSpec {
        codec: Some(codec),
        code_hash: code_version,
        ..NodeSpec::default()
    }
}
