//! Tasks: closures keyed by node name, the bodies of graphs built at run time.

use crate::error::Error;
use crate::exec::{Body, DynBody};
use crate::graph::Graph;
use crate::task::{Fallible, Inputs};
use std::any::{TypeId, type_name};
use std::collections::HashMap;
use std::fmt;

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
#[derive(Default)]
pub struct Tasks<'a> {
    /// Body of each node, whether its output owns memory, and its output type.
    pub(crate) bodies: HashMap<String, (DynBody<'a>, bool, OutputType)>,
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
            bodies: HashMap::new(),
        }
    }

    /// A zero-argument task (as in dagron): its output is kept for dependents.
    pub fn add<T, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        T: Send + Sync + 'static,
        F: Fn() -> T + Send + Sync + 'a,
    {
        let body: DynBody<'a> = Box::new(move |_: &Inputs<'_>| Ok(Box::new(f()) as _));
        let output = OutputType::of::<T>();
        self.bodies
            .insert(name.into(), (body, crate::task::frees::<T>(), output));
        self
    }

    /// A zero-argument task that may fail.
    pub fn add_fallible<R, F>(&mut self, name: impl Into<String>, f: F) -> &mut Self
    where
        R: Fallible,
        F: Fn() -> R + Send + Sync + 'a,
    {
        let body: DynBody<'a> =
            Box::new(move |_: &Inputs<'_>| f().into_body_result().map(|v| Box::new(v) as _));
        let output = OutputType::of::<R::Ok>();
        self.bodies
            .insert(name.into(), (body, crate::task::frees::<R::Ok>(), output));
        self
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
        let output = OutputType::of::<R::Ok>();
        self.bodies
            .insert(name.into(), (body, crate::task::frees::<R::Ok>(), output));
        self
    }
}

impl<'a> Tasks<'a> {
    /// Number of task bodies.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    /// Whether there is no task body.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// The output type of the task for node `name`.
    pub(crate) fn output_type(&self, name: &str) -> Option<OutputType> {
        self.bodies.get(name).map(|b| b.2)
    }

    /// Checks that every body names a node and every node has a body.
    pub(crate) fn check(&self, graph: &Graph) -> Result<(), Error> {
        if let Some(n) = graph
            .nodes()
            .find(|&n| !self.bodies.contains_key(graph.name(n)))
        {
            return Err(Error::MissingTask {
                node: graph.name(n).to_string(),
            });
        }
        // Every node has a body and names are unique, so equal counts mean no extra body.
        if self.bodies.len() != graph.len() {
            let mut extra: Vec<&String> = self
                .bodies
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

    /// The bodies in node order, and which outputs own memory.
    pub(crate) fn resolve(&self, graph: &Graph) -> Result<(Vec<Body<'_>>, Vec<bool>), Error> {
        let mut bodies: Vec<Body<'_>> = Vec::with_capacity(graph.len());
        let mut frees = Vec::with_capacity(graph.len());
        for n in graph.nodes() {
            match self.bodies.get(graph.name(n)) {
                Some((body, free, _)) => {
                    bodies.push(&**body);
                    frees.push(*free);
                }
                None => {
                    return Err(Error::MissingTask {
                        node: graph.name(n).to_string(),
                    });
                }
            }
        }
        if self.bodies.len() != graph.len() {
            self.check(graph)?;
        }
        Ok((bodies, frees))
    }
}

impl fmt::Debug for Tasks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.bodies.keys().collect();
        names.sort();
        f.debug_struct("Tasks").field("names", &names).finish()
    }
}
