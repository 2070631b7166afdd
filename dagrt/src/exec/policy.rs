//! Policies: how each node of a run that does more than run its body is treated — retries,
//! the content-addressed cache, checkpoints, and outputs reused from before.
//!
//! A plain run never comes here (its `Plan::policies` is `None`); the scheduler calls
//! [`Ctx::settle_with`] for each ready node of a run that has any of these features on.

use super::retry::{Attempt, backoff_delay};
use super::slot::Cell;
use super::{Ctx, NONE, NodeStatus, Record, ReuseSource};
use crate::cache::{CacheStore, Key, KeyBuilder};
use crate::checkpoint::CheckpointStore;
use crate::graph::NodeId;
use crate::options::{Resolved, TaskOptions};
use crate::persist::Codec;
use crate::value::{BodyResult, Value};
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};

/// Record flag: the output came from the content-addressed cache.
pub(crate) const HIT_CACHE: u8 = 1;
/// Record flag: the output came from a checkpoint (`resume`).
pub(crate) const HIT_CHECKPOINT: u8 = 2;
/// Record flag: the output was reused from the previous execution (`rerun`).
pub(crate) const HIT_PREVIOUS: u8 = 4;
/// Record flag: the cache was asked and had no usable entry.
pub(crate) const CACHE_MISS: u8 = 8;
/// Record flag: the output was stored in the cache.
pub(crate) const CACHE_STORED: u8 = 16;
/// Record flag: the value was given with `Dag::set` (the body did not run).
pub(crate) const PROVIDED: u8 = 32;

impl ReuseSource {
    /// The record flag of an output reused from this source.
    pub(crate) fn flag(self) -> u8 {
        match self {
            ReuseSource::Cache => HIT_CACHE,
            ReuseSource::Checkpoint => HIT_CHECKPOINT,
            ReuseSource::PreviousRun => HIT_PREVIOUS,
            ReuseSource::Provided => PROVIDED,
        }
    }

    /// The source of a record's reused output, if it has one.
    pub(crate) fn of_flags(flags: u8) -> Option<ReuseSource> {
        if flags & PROVIDED != 0 {
            Some(ReuseSource::Provided)
        } else if flags & HIT_CACHE != 0 {
            Some(ReuseSource::Cache)
        } else if flags & HIT_CHECKPOINT != 0 {
            Some(ReuseSource::Checkpoint)
        } else if flags & HIT_PREVIOUS != 0 {
            Some(ReuseSource::PreviousRun)
        } else {
            None
        }
    }
}

/// What the runtime knows of a node before a run: its output's codec, its code's identity
/// (for cache keys and checkpoint manifests) and the options it was declared with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NodeSpec {
    pub codec: Option<Codec>,
    pub code_hash: &'static str,
    pub options: TaskOptions,
    /// An `#[each]` task: its retries act per element (in the body), not on the whole task.
    pub mapped: bool,
}

/// A node's output given before the run starts.
pub(crate) enum Preset {
    /// Run the node.
    Run,
    /// Reuse an output (`None`: nothing downstream needs the value, only the status).
    Reuse(Option<Value>),
    /// The value given with `Dag::set`: the body does not run, whatever else the run reuses.
    Provided(Value),
}

/// Incremental re-runs: which nodes must run whatever their inputs, and the content hashes of
/// the previous outputs (for early cutoff).
pub(crate) struct Incremental {
    pub forced: Vec<bool>,
    pub prev_hash: Vec<Option<Key>>,
}

/// Everything a run with retries, cache, checkpoints or reuse needs.
pub(crate) struct Policies<'a> {
    pub specs: &'a [NodeSpec],
    /// Each node's options merged with the DAG's defaults, by node id.
    pub options: Vec<Resolved>,
    pub cache: Option<&'a CacheStore>,
    pub checkpoint: Option<&'a CheckpointStore>,
    pub preset: Vec<Cell<Preset>>,
    /// Where the preset outputs come from.
    pub preset_source: ReuseSource,
    pub incremental: Option<Incremental>,
    /// Cache key of each cached node's output, for its dependents' keys.
    pub keys: Vec<Cell<Option<Key>>>,
    /// Incremental mode: an input of the node was recomputed with a different value.
    pub input_changed: Vec<AtomicBool>,
}

impl<'a> Policies<'a> {
    /// Policies for the nodes of `specs` with their merged `options`, and nothing preset.
    pub(crate) fn new(specs: &'a [NodeSpec], options: Vec<Resolved>) -> Self {
        let n = specs.len();
        Policies {
            specs,
            options,
            cache: None,
            checkpoint: None,
            preset: (0..n).map(|_| Cell::new(Preset::Run)).collect(),
            preset_source: ReuseSource::Checkpoint,
            incremental: None,
            keys: (0..n).map(|_| Cell::new(None)).collect(),
            input_changed: (0..n).map(|_| AtomicBool::new(false)).collect(),
        }
    }
}

impl Ctx<'_> {
    fn warn(&self, message: String) {
        self.warnings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }

    /// The key of input `p` as its dependents see it: its cache key if it was cached, else
    /// the hash of its encoded output (`None` when it has no codec).
    fn input_key(&self, x: &Policies<'_>, p: NodeId) -> Option<Key> {
        // SAFETY: `p` finished before its dependent became ready (acquire on the counter).
        if let Some(k) = unsafe { x.keys[p.index()].get() } {
            return Some(*k);
        }
        let codec = x.specs[p.index()].codec?;
        // SAFETY: as above; the slot is not freed before this consumer finishes.
        let value = unsafe { self.slots[p.index()].get() }?;
        codec
            .encode(value.as_ref())
            .ok()
            .map(|bytes| Key::of_bytes(&bytes))
    }

    fn cache_key(&self, x: &Policies<'_>, n: NodeId, codec: Codec) -> Option<Key> {
        let i = n.index();
        let mut key = KeyBuilder::new(self.graph.name(n))
            .code(x.specs[i].code_hash)
            .version(x.options[i].version)
            .output_type(codec.type_name());
        for &p in self.graph.predecessors(n) {
            key = key.input(self.graph.name(p), &self.input_key(x, p)?);
        }
        Some(key.finish())
    }

    /// Settles a node of a run with policies; returns the node to blame for skips (`NONE`
    /// when it did not fail).
    pub(super) fn settle_with(
        &self,
        x: &Policies<'_>,
        n: NodeId,
        rec: &mut Record,
        start: Option<u64>,
    ) -> u32 {
        let picked = start.unwrap_or_else(|| self.clock.raw());
        rec.start = picked;
        let cache = match self.reuse(x, n, rec) {
            Reuse::Done(poison) => return poison,
            Reuse::Run(cache) => cache,
        };
        let (retries, backoff) = retries_of(x, n);
        let mut attempt: u32 = 0;
        let result = loop {
            attempt = attempt.saturating_add(1);
            let begin = if attempt == 1 {
                picked
            } else {
                self.clock.raw()
            };
            self.observe_start(n, attempt);
            let result = self.call(n);
            if retries > 0 {
                let log = Attempt {
                    node: n.0,
                    attempt,
                    start: begin,
                    end: self.clock.raw(),
                    error: result.as_ref().err().cloned(),
                    timed_out: false,
                };
                self.log_attempt(log);
            }
            match result {
                Err(e) if attempt <= retries => {
                    let delay = backoff_delay(backoff, attempt, n.0);
                    if let Some(o) = self.observer {
                        o.task_retrying(&self.task_ref(n, attempt), &e, delay);
                    }
                    std::thread::sleep(delay)
                }
                other => break other,
            }
        };
        rec.end = self.clock.raw();
        self.keep(x, n, rec, result, attempt, cache)
    }

    /// Records one attempt of a task that may run several times.
    pub(super) fn log_attempt(&self, log: Attempt) {
        self.attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(log);
    }

    /// What a node of a run with policies reuses before its body runs: a value given with
    /// `Dag::set`, a checkpointed or previous output, a cache entry (`Done`: the node is
    /// settled, `rec.end` and `rec.status` set); else `Run`, with the cache entry to fill.
    /// `rec.start` is set by the caller.
    pub(super) fn reuse<'x>(&self, x: &'x Policies<'_>, n: NodeId, rec: &mut Record) -> Reuse<'x> {
        let i = n.index();
        let name = self.graph.name(n);
        let options = &x.options[i];
        // SAFETY: the settling worker is the only one touching this node's cells.
        let preset = std::mem::replace(unsafe { x.preset[i].get_mut() }, Preset::Run);
        if let Preset::Provided(value) = preset {
            if x.incremental.is_some() {
                // A rerun cannot tell whether the value differs from last time: what it
                // reaches is recomputed.
                for &s in self.graph.successors(n) {
                    x.input_changed[s.index()].store(true, Ordering::Relaxed);
                }
            }
            self.store(n, value);
            (rec.end, rec.status) = (self.clock.raw(), NodeStatus::Completed);
            rec.flags |= PROVIDED;
            return Reuse::Done(NONE);
        }
        let may_reuse = x
            .incremental
            .as_ref()
            .is_none_or(|inc| !inc.forced[i] && !x.input_changed[i].load(Ordering::Relaxed));
        if let (Preset::Reuse(value), true) = (preset, may_reuse) {
            if let Some(value) = value {
                self.store(n, value);
            }
            (rec.end, rec.status) = (self.clock.raw(), NodeStatus::Completed);
            rec.flags |= x.preset_source.flag();
            return Reuse::Done(NONE);
        }
        let codec = x.specs[i].codec;
        let cache = match (x.cache, codec) {
            (Some(store), Some(codec)) if options.cache => {
                self.cache_key(x, n, codec).map(|key| (store, codec, key))
            }
            _ => None,
        };
        if let Some((store, codec, key)) = cache {
            match store.get(&key) {
                Ok(Some(bytes)) => match codec.open(&bytes) {
                    Ok(value) => {
                        self.store(n, value);
                        // SAFETY: as above.
                        unsafe { *x.keys[i].get_mut() = Some(key) };
                        (rec.end, rec.status) = (self.clock.raw(), NodeStatus::Completed);
                        rec.flags |= HIT_CACHE;
                        if let Some(o) = self.observer {
                            let t = self.task_ref(n, 0);
                            o.task_event(&t, crate::trace::TraceEventType::NodeCacheHit, "cache");
                        }
                        return Reuse::Done(NONE);
                    }
                    Err(e) => self.warn(format!(
                        "cache entry {key} of task `{name}` was refused ({e}); the task runs instead"
                    )),
                },
                Ok(None) => {}
                Err(e) => self.warn(format!("{e}; task `{name}` runs instead")),
            }
            rec.flags |= CACHE_MISS;
        }
        Reuse::Run(cache)
    }

    /// Settles a node whose body ran `attempt` times and last gave `result` (`rec.end` set by
    /// the caller): fails it, or caches, checkpoints and stores its output. Returns the node to
    /// blame for skips (`NONE` when it did not fail).
    pub(super) fn keep(
        &self,
        x: &Policies<'_>,
        n: NodeId,
        rec: &mut Record,
        result: BodyResult,
        attempt: u32,
        cache: Option<CacheSlot<'_>>,
    ) -> u32 {
        let i = n.index();
        let name = self.graph.name(n);
        let codec = x.specs[i].codec;
        rec.attempts = attempt;
        let value = match result {
            Ok(value) => value,
            Err(e) => {
                rec.status = NodeStatus::Failed;
                let message = if attempt > 1 {
                    format!("{e} (after {attempt} attempts)")
                } else {
                    e
                };
                self.fail(n, message);
                return n.0;
            }
        };
        rec.status = NodeStatus::Completed;
        let stores = cache.is_some() || x.checkpoint.is_some();
        let wants_bytes = stores || x.incremental.is_some();
        let encoded = match codec.filter(|_| wants_bytes) {
            Some(codec) => match encode_output(codec, value.as_ref(), stores) {
                Ok(encoded) => Some(encoded),
                Err(e) => {
                    self.warn(format!(
                        "the output of task `{name}` cannot be encoded: {e}"
                    ));
                    None
                }
            },
            None => None,
        };
        let bytes = encoded.as_ref().map(|(b, _)| b);
        let sealed = encoded
            .as_ref()
            .and_then(|(b, s)| Some([s.as_deref()?, b.as_slice()]));
        if let (Some((store, _, key)), Some(sealed)) = (cache, &sealed) {
            match store.put_parts(&key, sealed) {
                Ok(()) => rec.flags |= CACHE_STORED,
                Err(e) => self.warn(format!("the output of task `{name}` was not cached: {e}")),
            }
            // SAFETY: as above.
            unsafe { *x.keys[i].get_mut() = Some(key) };
        }
        if let (Some(checkpoint), Some(sealed)) = (x.checkpoint, &sealed)
            && let Err(e) = checkpoint.save_parts(name, sealed)
        {
            self.warn(format!(
                "the output of task `{name}` was not checkpointed: {e}"
            ));
        }
        if let Some(inc) = &x.incremental {
            let same = match (bytes, inc.prev_hash[i]) {
                (Some(bytes), Some(prev)) => Key::of_bytes(bytes) == prev,
                _ => false,
            };
            if !same {
                for &s in self.graph.successors(n) {
                    // Published by the release decrement of `s`'s pending counter that follows.
                    x.input_changed[s.index()].store(true, Ordering::Relaxed);
                }
            }
        }
        self.store(n, value);
        NONE
    }
}

/// The cache entry a node fills when it runs: the store, the output's codec and the key.
pub(super) type CacheSlot<'x> = (&'x CacheStore, Codec, Key);

/// What a node reuses before its body runs (see [`Ctx::reuse`]).
pub(super) enum Reuse<'x> {
    /// Settled without running; the node to blame for skips (`NONE`).
    Done(u32),
    /// The body runs; its output fills this cache entry.
    Run(Option<CacheSlot<'x>>),
}

/// A node's retries and first backoff (an `#[each]` task retries per element, not as a whole).
pub(super) fn retries_of(x: &Policies<'_>, n: NodeId) -> (u32, std::time::Duration) {
    let options = &x.options[n.index()];
    let retries = if x.specs[n.index()].mapped {
        0
    } else {
        options.retries
    };
    (retries, options.backoff)
}

/// The postcard bytes of `value` and, when it is stored (`stamped`), its stamp.
fn encode_output(
    codec: Codec,
    value: &(dyn std::any::Any + Send + Sync),
    stamped: bool,
) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let bytes = codec.encode(value)?;
    let stamp = if stamped {
        Some(codec.stamp(value)?)
    } else {
        None
    };
    Ok((bytes, stamp))
}
