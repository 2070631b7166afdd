//! What a static DAG is given and what part of it runs: [`Dag::set`], [`Dag::run_to`] and
//! [`Dag::execute_to`].

use crate::error::Error;
use crate::exec::Execution;
use crate::graph::NodeId;
use crate::launch::{Memory, take_final};
use crate::registry::Registered;
use crate::static_dag::Dag;
use crate::task::Task;

impl Dag {
    /// Gives task `T` its value for every run of this DAG: the value of an input
    /// (`#[task(input)]`), or an override of any other task. Either way `T`'s body does not
    /// run; its dependents receive `value`; the trace shows a `node_cache_hit` event with
    /// `{"source": "provided"}` and [`NodeResult::reused_from`](crate::NodeResult) is
    /// [`ReuseSource::Provided`](crate::ReuseSource). The tasks that only an overridden task
    /// needs do not run (its inputs are cut).
    ///
    /// `value` is of `T`'s output type, checked by rustc. Each run takes a clone of it (a DAG
    /// can run many times), hence `Clone`.
    ///
    /// ```standalone_crate
    /// use dag::{task, Dag};
    ///
    /// /// How many.
    /// #[task(input)]
    /// fn count() -> usize;
    ///
    /// /// That many ones.
    /// #[task(final)]
    /// fn ones(count: &usize) -> Vec<u8> {
    ///     vec![1; *count]
    /// }
    ///
    /// let out: Vec<u8> = Dag::new("ones").set::<count>(3).run()?;
    /// assert_eq!(out, [1, 1, 1]);
    /// # Ok::<(), dag::Error>(())
    /// ```
    pub fn set<T: Task>(mut self, value: T::Output) -> Self
    where
        T::Output: Clone,
    {
        self.provided.set(T::descriptor(), value);
        self
    }

    /// Runs task `T` and its ancestors only, and returns `T`'s output (its type is checked by
    /// rustc through the marker).
    ///
    /// # Errors
    /// [`Error::NotInDag`] when `T` is not a task of this DAG; [`Error::MissingInput`] when
    /// an input `T` needs has no value; [`Error::TaskFailed`] naming the first failed task;
    /// and every error of [`Dag::execute`].
    pub fn run_to<T: Task>(&self) -> Result<T::Output, Error> {
        let spec = self.resolve()?;
        let target = node_of(&spec, T::descriptor()).ok_or_else(|| Error::NotInDag {
            dag: spec.module.to_string(),
            names: vec![T::NAME.to_string()],
        })?;
        let exec = self.launch_part(&spec, Some(&[target]), Memory::Fresh)?;
        let name = spec.graph.name(target);
        let at = exec.graph().find(name).ok_or_else(|| Error::NotInDag {
            dag: spec.module.to_string(),
            names: vec![name.to_string()],
        })?;
        take_final(exec, at, T::descriptor().output_type())
    }

    /// Runs the tasks called `names` (node names, as [`Dag::tasks`] lists them) and their
    /// ancestors only: the execution holds those nodes and no other. Outputs are kept as by
    /// [`Dag::execute`] (the final task's, if it ran; all with `.keep_outputs(true)`).
    ///
    /// # Errors
    /// [`Error::NotInDag`] naming every name that is not a task of this DAG;
    /// [`Error::MissingInput`]; and every error of [`Dag::execute`].
    pub fn execute_to(&self, names: &[&str]) -> Result<Execution, Error> {
        let spec = self.resolve()?;
        let mut targets = Vec::with_capacity(names.len());
        let mut unknown = Vec::new();
        for name in names {
            match spec.graph.find(name) {
                Some(n) => targets.push(n),
                None => unknown.push((*name).to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::NotInDag {
                dag: spec.module.to_string(),
                names: unknown,
            });
        }
        self.launch_part(&spec, Some(&targets), Memory::Fresh)
    }
}

/// The node of the DAG whose task is `d`.
fn node_of(spec: &Registered, d: &'static crate::task::TaskDescriptor) -> Option<NodeId> {
    spec.tasks
        .iter()
        .position(|t| std::ptr::eq(*t, d))
        .map(|i| NodeId(i as u32))
}
