//! Launch: one run of a DAG, static or built at run time — its policies set up from the
//! DAG's configuration, the executor started, the execution dressed up and recorded.

use crate::cache::CacheStore;
use crate::config::RunConfig;
use crate::error::Error;
use crate::exec::policy::{NodeSpec, Policies, Preset};
use crate::exec::{self, Bodies, Execution, NodeStatus};
use crate::graph::{Graph, NodeId};
use crate::preset::{
    fresh_checkpoint, manifest_of, preset_from_checkpoint, preset_from_previous, resume_checkpoint,
};
use crate::task::TaskDescriptor;
use crate::tasks::OutputType;
use crate::unpersisted::{Persisting, unpersisted};
use std::any::{Any, TypeId, type_name};
use std::sync::Arc;
use std::time::SystemTime;

/// What a run remembers from before.
pub(crate) enum Memory<'p> {
    /// Nothing: every task runs (or is served from the cache).
    Fresh,
    /// The outputs saved in the checkpoint dir.
    Resume,
    /// The outputs of a previous execution; `changed` tasks and what their changes reach run.
    Rerun {
        previous: Box<Execution>,
        changed: &'p [&'p str],
    },
}

/// What one run runs: a graph, its bodies and what is known of each node, by node id.
pub(crate) struct Launch<'a> {
    pub graph: &'a Arc<Graph>,
    pub bodies: Bodies<'a>,
    pub frees: &'a [bool],
    pub final_node: Option<NodeId>,
    /// The `#[task]` descriptors (empty for a builder graph).
    pub tasks: Arc<[&'static TaskDescriptor]>,
    /// Each node's spec, by node id; empty when every node has the default spec.
    pub specs: &'a [NodeSpec],
    /// Values given with `Dag::set`: these nodes run no code.
    pub provided: Vec<(NodeId, crate::value::Value)>,
    /// A builder graph's async closures, by node id (empty when it has none).
    pub asyncs: Vec<Option<exec::wait::AsyncBody<'a>>>,
}

impl Launch<'_> {
    /// Runs the plan with `config`, remembering what `memory` says; the only place where a
    /// run's policies (options merged with the DAG's defaults, stores, presets) are set up.
    pub(crate) fn launch(self, config: &RunConfig, memory: Memory<'_>) -> Result<Execution, Error> {
        let Launch {
            graph,
            bodies,
            frees,
            final_node,
            tasks,
            specs,
            provided,
            asyncs,
        } = self;
        let pool = config.worker_pool()?;
        let waits = crate::waits::waits_of(config, graph, specs, &tasks, asyncs)?;
        let cache_store;
        let checkpoint_store;
        let mut policies = None;
        // Problems found before the run starts; they go first on the execution's warnings.
        let mut early_warnings = Vec::new();
        let rerun = matches!(memory, Memory::Rerun { .. });
        let defaults = &config.defaults;
        // No specs for a non-empty graph: every node has the default spec (builder tasks none
        // of which is persistent), so a plain run copies nothing per node.
        let uniform = specs.is_empty() && !graph.is_empty();
        let needs_policies = config.checkpoint_dir.is_some()
            || !provided.is_empty()
            || !matches!(memory, Memory::Fresh)
            || if uniform {
                NodeSpec::default().options.resolve(defaults).beyond_plain()
            } else {
                specs
                    .iter()
                    .any(|s| s.options.resolve(defaults).beyond_plain())
            };
        let default_specs;
        let specs = if uniform && needs_policies {
            default_specs = vec![NodeSpec::default(); graph.len()];
            &default_specs[..]
        } else {
            specs
        };
        if needs_policies {
            let options = specs.iter().map(|s| s.options.resolve(defaults)).collect();
            let mut x = Policies::new(specs, options);
            if x.options.iter().any(|o| o.cache) {
                let dir = config
                    .cache_dir
                    .clone()
                    .unwrap_or_else(CacheStore::default_dir);
                match CacheStore::open(dir) {
                    Ok(store) => {
                        cache_store = store.max_bytes(config.cache_max_bytes);
                        x.cache = Some(&cache_store);
                    }
                    Err(e) => early_warnings.push(format!("{e}; this run is not cached")),
                }
            }
            if let Some(dir) = &config.checkpoint_dir {
                let manifest = manifest_of(&config.name, graph, specs);
                let opened = match memory {
                    Memory::Resume => Some(resume_checkpoint(dir, &manifest)?),
                    _ => fresh_checkpoint(dir, &manifest)
                        .map_err(|e| {
                            early_warnings.push(format!("{e}; this run is not checkpointed"));
                        })
                        .ok(),
                };
                if let Some(store) = opened {
                    checkpoint_store = store;
                    x.checkpoint = Some(&checkpoint_store);
                }
            }
            let on = Persisting {
                cache: x.cache.is_some(),
                checkpoint: x.checkpoint.is_some(),
            };
            early_warnings.extend(unpersisted(graph, (specs, &x.options), &tasks, on));
            match memory {
                Memory::Fresh => {}
                Memory::Resume => {
                    if let Some(store) = x.checkpoint {
                        preset_from_checkpoint(
                            &mut x,
                            store,
                            graph,
                            final_node,
                            config.keep_outputs,
                            &mut early_warnings,
                        );
                    }
                }
                Memory::Rerun { previous, changed } => preset_from_previous(
                    &mut x,
                    previous,
                    changed,
                    (&config.name, graph),
                    &mut early_warnings,
                )?,
            }
            // A given value wins over any reuse.
            for (n, value) in provided {
                *x.preset[n.index()].get_mut_owned() = Preset::Provided(value);
            }
            policies = Some(x);
        }
        let started_at = SystemTime::now();
        let run_id = exec::new_run_id(started_at);
        // Registered last, so that a cancel during the setup above cancels this run.
        let cancel = config.cancel.begin();
        let plan = exec::Plan {
            graph,
            bodies,
            frees,
            keep_all: config.keep_outputs || rerun,
            final_node,
            fail_fast: config.fail_fast,
            cancel: cancel.flag(),
            labels: (&config.name, &run_id),
            policies: policies.as_ref(),
            waits: waits.as_ref(),
            observer: (!config.observers.0.is_empty()).then_some(&config.observers as _),
        };
        if let Some(o) = plan.observer {
            o.run_started(&config.name, &run_id, graph);
        }
        let raw = exec::run(&plan, pool);
        drop(cancel);
        // Outputs loaded for reuse that the run did not take (their tasks were skipped or
        // cancelled) are user values: their `Drop` may panic.
        let leftover = policies.and_then(exec::drop_quietly);
        let (dag_name, dag_description) = config.labels();
        let mut execution = Execution::from_raw(
            raw,
            run_id,
            dag_name,
            dag_description,
            graph.clone(),
            tasks,
            started_at,
            pool.current_num_threads(),
            final_node,
        );
        if !early_warnings.is_empty() {
            execution.warnings.splice(0..0, early_warnings);
        }
        if let Some(text) = leftover {
            execution.warnings.push(format!(
                "dropping an output loaded for reuse panicked (the panic was caught): {text}"
            ));
        }
        let (tracing, warning) = config.tracing_on();
        execution.warnings.extend(warning);
        if tracing {
            execution.trace = Some(execution.deferred_trace());
        }
        if config.profile {
            let dir = config
                .meta_dir
                .clone()
                .unwrap_or_else(crate::meta::default_meta_dir);
            // The run's work is done: a record that cannot be written is a warning, not a
            // reason to throw the outputs away.
            if let Err(e) = crate::meta::record_execution(&dir, &execution) {
                execution
                    .warnings
                    .push(format!("profiling record not written: {e}"));
            }
        }
        if !config.observers.0.is_empty() {
            crate::Observer::run_finished(&config.observers, &execution);
        }
        Ok(execution)
    }
}

/// Whether `T` is the output type `found` of the final node `fin`.
pub(crate) fn check_output<T: Any>(
    graph: &Graph,
    fin: NodeId,
    found: OutputType,
) -> Result<(), Error> {
    if found.id == TypeId::of::<T>() {
        return Ok(());
    }
    Err(Error::OutputType {
        task: graph.name(fin).to_string(),
        expected: type_name::<T>(),
        found: found.name.to_string(),
    })
}

/// Takes the final node's output out of `exec`, as a `T`; `found` names its actual type.
pub(crate) fn take_final<T: Any>(
    mut exec: Execution,
    fin: NodeId,
    found: &str,
) -> Result<T, Error> {
    if let Some(f) = exec.first_failure() {
        return Err(Error::TaskFailed {
            task: f.name.to_string(),
            error: f.error.unwrap_or_default(),
        });
    }
    let name = |exec: &Execution| exec.graph().name(fin).to_string();
    if exec.status_at(fin) != NodeStatus::Completed {
        // A cancelled run says so (with no failure to report first).
        let error = exec
            .node_result(fin)
            .error
            .unwrap_or_else(|| "did not complete".to_string());
        return Err(Error::TaskFailed {
            task: name(&exec),
            error,
        });
    }
    let Some(value) = exec.take_output(fin) else {
        return Err(Error::TaskFailed {
            task: name(&exec),
            error: "produced no output".to_string(),
        });
    };
    match value.downcast::<T>() {
        Ok(v) => Ok(*v),
        Err(value) => {
            let _ = exec::drop_quietly(value);
            Err(Error::OutputType {
                task: name(&exec),
                expected: type_name::<T>(),
                found: found.to_string(),
            })
        }
    }
}
