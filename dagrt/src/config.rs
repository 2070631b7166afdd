//! RunConfig: how a DAG runs (workers, tracing, profiling, stores, the tasks' default options),
//! held once by both [`Dag`](crate::Dag) and [`GraphDag`](crate::GraphDag).

use crate::error::Error;
use crate::options::TaskOptions;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The settings of one DAG, whatever made it.
pub(crate) struct RunConfig {
    pub name: String,
    pub description: String,
    pub profile: bool,
    /// `None`: `DAG_TRACING` decides.
    pub tracing: Option<bool>,
    /// `DAG_TRACING`'s verdict, read at this DAG's first run that asks for it (see
    /// [`RunConfig::tracing_on`]).
    tracing_env: OnceLock<(bool, Option<String>)>,
    /// The name and description as the executions share them (made at the first run; a new
    /// description clears them).
    labels: OnceLock<(Arc<str>, Arc<str>)>,
    pub max_workers: Option<usize>,
    pub fail_fast: bool,
    pub keep_outputs: bool,
    /// `None`: `DAG_META_DIR`, else `meta`.
    pub meta_dir: Option<PathBuf>,
    pub pool: OnceLock<Arc<rayon::ThreadPool>>,
    /// The options of every task that does not set its own.
    pub defaults: TaskOptions,
    /// `None`: `DAG_CACHE_DIR`, else `.dag-cache`.
    pub cache_dir: Option<PathBuf>,
    pub cache_max_bytes: u64,
    pub checkpoint_dir: Option<PathBuf>,
    /// Cancels this DAG's runs from another thread.
    pub cancel: crate::CancelHandle,
    /// Told about each run as it happens.
    pub observers: crate::observe::Observers,
    /// The resource pools `(name, capacity)`, in declaration order.
    pub resources: Vec<(String, u32)>,
    /// Decides this DAG's gates (and holds the gate handler).
    pub gates: crate::GateHandle,
    /// The tokio runtime given with `tokio_runtime`.
    #[cfg(feature = "tokio")]
    pub tokio: Option<tokio::runtime::Handle>,
}

impl RunConfig {
    pub(crate) fn new(name: String) -> Self {
        RunConfig {
            name,
            description: String::new(),
            profile: false,
            tracing: None,
            tracing_env: OnceLock::new(),
            labels: OnceLock::new(),
            max_workers: None,
            fail_fast: false,
            keep_outputs: false,
            meta_dir: None,
            pool: OnceLock::new(),
            defaults: TaskOptions::NONE,
            cache_dir: None,
            cache_max_bytes: crate::cache::DEFAULT_MAX_BYTES,
            checkpoint_dir: None,
            cancel: crate::CancelHandle::default(),
            observers: crate::observe::Observers::default(),
            resources: Vec::new(),
            gates: crate::GateHandle::default(),
            #[cfg(feature = "tokio")]
            tokio: None,
        }
    }

    /// Whether this run is traced, and a warning when `DAG_TRACING` holds no known value.
    /// The variable is read once per DAG, at its first run without `.tracing(..)` (a run
    /// reads it in microseconds; the environment, under a lock, would be a tenth of that).
    pub(crate) fn tracing_on(&self) -> (bool, Option<String>) {
        match self.tracing {
            Some(on) => (on, None),
            None => {
                let (on, warning) = self
                    .tracing_env
                    .get_or_init(|| tracing_from_env(std::env::var_os("DAG_TRACING").as_deref()));
                (*on, warning.clone())
            }
        }
    }

    /// The DAG's name and description, shared by its executions (no allocation per run).
    pub(crate) fn labels(&self) -> (Arc<str>, Arc<str>) {
        let (name, description) = self.labels.get_or_init(|| {
            (
                Arc::from(self.name.as_str()),
                Arc::from(self.description.as_str()),
            )
        });
        (name.clone(), description.clone())
    }

    /// Sets the description (and forgets the labels made from the old one).
    pub(crate) fn set_description(&mut self, description: String) {
        self.description = description;
        self.labels = OnceLock::new();
    }

    /// The pool given with `thread_pool`, else one started on first use.
    pub(crate) fn worker_pool(&self) -> Result<&Arc<rayon::ThreadPool>, Error> {
        if let Some(pool) = self.pool.get() {
            return Ok(pool);
        }
        let n = self
            .max_workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("dag-worker-{i}"))
            .stack_size(16 << 20)
            .build()
            .map_err(Error::Pool)?;
        Ok(self.pool.get_or_init(|| Arc::new(pool)))
    }

    /// `resume()` needs a checkpoint dir.
    pub(crate) fn check_resumable(&self) -> Result<(), Error> {
        match self.checkpoint_dir {
            Some(_) => Ok(()),
            None => Err(Error::NoCheckpointDir {
                dag: self.name.clone(),
            }),
        }
    }
}

/// `DAG_TRACING`'s verdict: on for 1/true/yes/on, off for 0/false/no/off, empty or unset (any
/// case, surrounding spaces ignored); off with a warning naming the value for anything else.
fn tracing_from_env(value: Option<&std::ffi::OsStr>) -> (bool, Option<String>) {
    let Some(value) = value else {
        return (false, None);
    };
    let text = value.to_string_lossy();
    let word = text.trim();
    let is = |names: &[&str]| names.iter().any(|n| word.eq_ignore_ascii_case(n));
    if is(&["1", "true", "yes", "on"]) {
        (true, None)
    } else if word.is_empty() || is(&["0", "false", "no", "off"]) {
        (false, None)
    } else {
        let warning = format!(
            "DAG_TRACING={text:?} is not understood, so tracing stays off: use 1, true, yes or \
             on to switch it on (0, false, no, off or empty for off; any case)"
        );
        (false, Some(warning))
    }
}

/// The configuration fields a `Debug` of a DAG shows.
pub(crate) fn debug_config<'a, 'b>(
    mut d: std::fmt::DebugStruct<'a, 'b>,
    c: &RunConfig,
) -> std::fmt::DebugStruct<'a, 'b> {
    d.field("name", &c.name)
        .field("description", &c.description)
        .field("profile", &c.profile)
        .field("tracing", &c.tracing)
        .field("max_workers", &c.max_workers)
        .field("fail_fast", &c.fail_fast)
        .field("keep_outputs", &c.keep_outputs);
    d
}

/// The builder methods of [`RunConfig`], for a type with a `config: RunConfig` field.
///
/// [`Dag`](crate::Dag) and [`GraphDag`](crate::GraphDag) share them as inherent methods
/// (written once here) rather than through a trait, so that `Dag::new("etl").profile(true)`
/// needs no trait import.
macro_rules! config_methods {
    () => {
        /// Describes the DAG (recorded with profiling records).
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.config.set_description(description.into());
            self
        }

        /// Writes profiling records of every run (see the `meta` module).
        pub fn profile(mut self, on: bool) -> Self {
            self.config.profile = on;
            self
        }

        /// Records an execution trace. Without this call the environment decides:
        /// `DAG_TRACING` set to `1`, `true`, `yes` or `on` (any case) switches tracing on; `0`,
        /// `false`, `no`, `off`, empty or unset leave it off; any other value leaves it off
        /// with a warning on the [`Execution`](crate::Execution) naming the value. The
        /// variable is read once per DAG, at its first run: changing it later reaches the
        /// DAGs made after the change, not this one.
        pub fn tracing(mut self, on: bool) -> Self {
            self.config.tracing = Some(on);
            self
        }

        /// Number of worker threads (default: the available parallelism).
        pub fn max_workers(mut self, n: usize) -> Self {
            self.config.max_workers = Some(n.max(1));
            self
        }

        /// On the first failure, cancel every task that has not started yet.
        pub fn fail_fast(mut self, on: bool) -> Self {
            self.config.fail_fast = on;
            self
        }

        /// Keep every task's output in the [`Execution`](crate::Execution) (by default only
        /// the final task's output is kept; the others are freed as soon as their last
        /// dependent has finished).
        pub fn keep_outputs(mut self, on: bool) -> Self {
            self.config.keep_outputs = on;
            self
        }

        /// Where profiling records go (default: `DAG_META_DIR`, else `meta`).
        pub fn meta_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
            self.config.meta_dir = Some(dir.into());
            self
        }

        /// Runs on an existing pool (shared between DAGs); `max_workers` is then the pool's
        /// size.
        pub fn thread_pool(self, pool: std::sync::Arc<rayon::ThreadPool>) -> Self {
            let _ = self.config.pool.set(pool);
            self
        }

        /// Retries every failing task up to `n` more times (a task's `#[task(retries = ..)]`
        /// wins).
        pub fn retries(mut self, n: u32) -> Self {
            self.config.defaults.retries = Some(n);
            self
        }

        /// First delay between attempts (default 100 ms); it doubles after each failure, with
        /// a random jitter of ±50%, and never exceeds 10 minutes, whatever `delay` is (even
        /// `Duration::MAX`; a task's `#[task(backoff = ..)]` wins).
        pub fn backoff(mut self, delay: std::time::Duration) -> Self {
            self.config.defaults.backoff = Some(delay);
            self
        }

        /// Caches every task whose output is serde-capable, not only `#[task(cache)]` ones
        /// (for a builder graph: every task added with
        /// [`Tasks::add_persistent`](crate::Tasks::add_persistent)). Tasks that cannot be
        /// cached are named in a warning of the [`Execution`](crate::Execution); an unusable
        /// cache dir makes the run uncached, with a warning, never a failed run.
        pub fn cache(mut self, on: bool) -> Self {
            self.config.defaults.cache = Some(on);
            self
        }

        /// Where cached outputs go (default: `DAG_CACHE_DIR`, else `.dag-cache`).
        pub fn cache_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
            self.config.cache_dir = Some(dir.into());
            self
        }

        /// Size limit of the cache dir; least recently used entries are evicted beyond it
        /// (default 1 GiB).
        pub fn cache_max_bytes(mut self, bytes: u64) -> Self {
            self.config.cache_max_bytes = bytes;
            self
        }

        /// Saves each completed, serde-capable output to `dir` as soon as it is produced, so
        /// that `resume()` can finish a failed or killed run. A new run (`execute`/`run`)
        /// starts a fresh checkpoint (replacing a damaged one); if that cannot be written, the
        /// run goes on without a checkpoint and says so in a warning. Tasks that cannot be
        /// checkpointed are named in a warning.
        pub fn checkpoint_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
            self.config.checkpoint_dir = Some(dir.into());
            self
        }

        /// A handle that cancels this DAG's runs from another thread (clones share one
        /// state). [`cancel`](crate::CancelHandle::cancel) cancels the runs in progress, or the
        /// next run when none is; tasks not started yet end
        /// [`Cancelled`](crate::NodeStatus::Cancelled), finished outputs are kept, and a
        /// running task goes on until its body returns (it can poll
        /// [`dag::cancelled()`](crate::cancelled) to stop early).
        #[must_use]
        pub fn cancel_handle(&self) -> crate::CancelHandle {
            self.config.cancel.clone()
        }

        /// Ends every attempt of every task that runs longer than `limit`
        /// [`TimedOut`](crate::NodeStatus::TimedOut) (a task's `#[task(timeout = ..)]` wins).
        ///
        /// At the deadline the task's dependents are skipped and independent branches go on.
        /// An async task's future is dropped then. A sync task cannot be stopped from outside:
        /// it keeps its worker until its body returns, and [`dag::cancelled()`](crate::cancelled)
        /// turns true for it at the deadline, so a body that polls it can stop early; whatever
        /// it returns after the deadline is dropped (a warning says so). With retries, a
        /// timed-out attempt is retried like a failed one.
        pub fn timeout(mut self, limit: std::time::Duration) -> Self {
            self.config.defaults.timeout = Some(limit);
            self
        }

        /// Tells `observer` about each run as it happens: task starts, ends, retries, cache,
        /// resource and gate events (see [`Observer`](crate::Observer)). Observers add up;
        /// a DAG without one pays nothing for the feature.
        pub fn observe(mut self, observer: impl crate::Observer + 'static) -> Self {
            self.config.observers.0.push(std::sync::Arc::new(observer));
            self
        }

        /// Declares the resource pool `name` holding `capacity` units (a GPU count, a budget of
        /// database connections). A task with `#[task(resources(name = k))]` runs only when `k`
        /// units are free, and holds them while it runs; waiting takes no worker. A task that
        /// asks for an undeclared pool, or for more than its capacity, fails the run before
        /// anything starts. Declaring a name again sets its capacity.
        pub fn resource(mut self, name: impl Into<String>, capacity: u32) -> Self {
            let name = name.into();
            match self.config.resources.iter_mut().find(|(n, _)| *n == name) {
                Some(pool) => pool.1 = capacity,
                None => self.config.resources.push((name, capacity)),
            }
            self
        }

        /// Decides the DAG's gates (`#[task(gate)]`): called, on a thread of its own, when a
        /// gate is reached. It returns [`GateDecision::Approve`](crate::GateDecision),
        /// `Reject(reason)` (the task fails with the reason), or `Defer` (a
        /// [`GateHandle`](crate::GateHandle) decides, or the gate's `gate_timeout` ends it).
        pub fn gate_handler(
            mut self,
            handler: impl Fn(&crate::GateRequest) -> crate::GateDecision + Send + Sync + 'static,
        ) -> Self {
            self.config.gates.handler = Some(std::sync::Arc::new(handler));
            self
        }

        /// A handle that approves or rejects this DAG's gates from any thread (clones share one
        /// state); see [`GateHandle`](crate::GateHandle).
        #[must_use]
        pub fn gate_handle(&self) -> crate::GateHandle {
            self.config.gates.clone()
        }

        /// Polls the async tasks inside `runtime` (the caller's tokio runtime) instead of the
        /// one dag starts on first use (one thread per process, driving timers and I/O).
        #[cfg(feature = "tokio")]
        pub fn tokio_runtime(mut self, runtime: tokio::runtime::Handle) -> Self {
            self.config.tokio = Some(runtime);
            self
        }

        /// [`run`](Self::run) for callers inside a tokio runtime: the run does not block the
        /// runtime's other tasks (it runs in `tokio::task::block_in_place`), and its async
        /// tasks are polled in that runtime unless [`tokio_runtime`](Self::tokio_runtime)
        /// gave another.
        ///
        /// # Errors
        /// As `run`, and [`Error::AsyncRuntime`](crate::Error::AsyncRuntime) on a
        /// current-thread runtime (call `run` inside `tokio::task::spawn_blocking` there).
        #[cfg(feature = "tokio")]
        #[allow(clippy::unused_async)]
        pub async fn run_async<T: std::any::Any>(&self) -> Result<T, crate::Error> {
            crate::exec::wait::runtime::off_the_runtime(|| self.run::<T>())
        }

        /// [`execute`](Self::execute) for callers inside a tokio runtime (see
        /// [`run_async`](Self::run_async)).
        ///
        /// # Errors
        /// As `execute`, and [`Error::AsyncRuntime`](crate::Error::AsyncRuntime) on a
        /// current-thread runtime.
        #[cfg(feature = "tokio")]
        #[allow(clippy::unused_async)]
        pub async fn execute_async(&self) -> Result<crate::Execution, crate::Error> {
            crate::exec::wait::runtime::off_the_runtime(|| self.execute())
        }

        /// The DAG's name as given.
        #[must_use]
        pub fn name(&self) -> &str {
            &self.config.name
        }
    };
}

pub(crate) use config_methods;
