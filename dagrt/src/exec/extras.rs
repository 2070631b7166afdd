//! Runs that remember: retries, the content-addressed cache, checkpoints and reuse of outputs.
//!
//! A plain run never comes here (its `Plan::extras` is `None`); the scheduler calls
//! [`Ctx::settle_extras`] for each ready node of a run that has any of these features on.

use super::slot::Cell;
use super::{Ctx, NONE, NodeStatus, Record};
use crate::cache::{CacheStore, Key, KeyBuilder};
use crate::checkpoint::CheckpointStore;
use crate::graph::NodeId;
use crate::persist::Codec;
use crate::task::Value;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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

/// The longest delay between two attempts of a task, whatever `backoff` and the attempt
/// number say (the delay doubles after each failure, then gets a ±50% jitter): 10 minutes.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// One attempt of a task that may run several times (retries).
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub node: u32,
    pub attempt: u32,
    pub start: u64,
    pub end: u64,
    pub error: Option<String>,
}

/// What a node may do beyond running: from its `#[task(...)]` options.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NodePolicy {
    pub codec: Option<Codec>,
    pub cache: bool,
    pub code_hash: &'static str,
    pub version: &'static str,
    pub retries: Option<u32>,
    pub backoff: Option<Duration>,
}

/// A node's output given before the run starts.
pub(crate) enum Preset {
    /// Run the node.
    Run,
    /// Reuse an output (`None`: nothing downstream needs the value, only the status).
    Reuse(Option<Value>),
}

/// Incremental re-runs: which nodes must run whatever their inputs, and the content hashes of
/// the previous outputs (for early cutoff).
pub(crate) struct Incremental {
    pub forced: Vec<bool>,
    pub prev_hash: Vec<Option<Key>>,
}

/// Everything a run with retries, cache, checkpoints or reuse needs.
pub(crate) struct Extras<'a> {
    pub policies: &'a [NodePolicy],
    pub retries: u32,
    pub backoff: Duration,
    pub cache: Option<&'a CacheStore>,
    pub cache_all: bool,
    pub checkpoint: Option<&'a CheckpointStore>,
    pub preset: Vec<Cell<Preset>>,
    pub preset_flag: u8,
    pub incremental: Option<Incremental>,
    /// Cache key of each cached node's output, for its dependents' keys.
    pub keys: Vec<Cell<Option<Key>>>,
    /// Incremental mode: an input of the node was recomputed with a different value.
    pub input_changed: Vec<AtomicBool>,
}

impl<'a> Extras<'a> {
    /// Extras for `n` nodes with the given policies and nothing preset.
    pub(crate) fn new(policies: &'a [NodePolicy]) -> Self {
        let n = policies.len();
        Extras {
            policies,
            retries: 0,
            backoff: Duration::from_millis(100),
            cache: None,
            cache_all: false,
            checkpoint: None,
            preset: (0..n).map(|_| Cell::new(Preset::Run)).collect(),
            preset_flag: HIT_CHECKPOINT,
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
    fn input_key(&self, x: &Extras<'_>, p: NodeId) -> Option<Key> {
        // SAFETY: `p` finished before its dependent became ready (acquire on the counter).
        if let Some(k) = unsafe { x.keys[p.index()].get() } {
            return Some(*k);
        }
        let codec = x.policies[p.index()].codec?;
        // SAFETY: as above; the slot is not freed before this consumer finishes.
        let value = unsafe { self.slots[p.index()].get() }?;
        codec
            .encode(value.as_ref())
            .ok()
            .map(|bytes| Key::of_bytes(&bytes))
    }

    fn cache_key(
        &self,
        x: &Extras<'_>,
        n: NodeId,
        policy: &NodePolicy,
        codec: Codec,
    ) -> Option<Key> {
        let mut key = KeyBuilder::new(self.graph.name(n))
            .code(policy.code_hash)
            .version(policy.version)
            .output_type(codec.type_name());
        for &p in self.graph.predecessors(n) {
            key = key.input(self.graph.name(p), &self.input_key(x, p)?);
        }
        Some(key.finish())
    }

    /// Settles a node of a run with extras; returns the node to blame for skips (`NONE` when
    /// it did not fail).
    pub(super) fn settle_extras(
        &self,
        x: &Extras<'_>,
        n: NodeId,
        rec: &mut Record,
        start: Option<u64>,
    ) -> u32 {
        let i = n.index();
        let name = self.graph.name(n);
        let policy = &x.policies[i];
        let picked = start.unwrap_or_else(|| self.clock.raw());
        rec.start = picked;
        // SAFETY: the settling worker is the only one touching this node's cells.
        let preset = std::mem::replace(unsafe { x.preset[i].get_mut() }, Preset::Run);
        let may_reuse = x
            .incremental
            .as_ref()
            .is_none_or(|inc| !inc.forced[i] && !x.input_changed[i].load(Ordering::Relaxed));
        if let (Preset::Reuse(value), true) = (preset, may_reuse) {
            if let Some(value) = value {
                self.store(n, value);
            }
            (rec.end, rec.status) = (self.clock.raw(), NodeStatus::Completed);
            rec.flags |= x.preset_flag;
            return NONE;
        }
        let codec = policy.codec;
        let cache = match (x.cache, codec) {
            (Some(store), Some(codec)) if policy.cache || x.cache_all => self
                .cache_key(x, n, policy, codec)
                .map(|key| (store, codec, key)),
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
                        return NONE;
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
        let retries = policy.retries.unwrap_or(x.retries);
        let backoff = policy.backoff.unwrap_or(x.backoff);
        let mut attempt: u32 = 0;
        let result = loop {
            attempt += 1;
            let begin = if attempt == 1 {
                picked
            } else {
                self.clock.raw()
            };
            let result = self.call(n);
            if retries > 0 {
                let log = Attempt {
                    node: n.0,
                    attempt,
                    start: begin,
                    end: self.clock.raw(),
                    error: result.as_ref().err().cloned(),
                };
                self.attempts
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(log);
            }
            match result {
                Err(_) if attempt <= retries => {
                    std::thread::sleep(backoff_delay(backoff, attempt, n.0))
                }
                other => break other,
            }
        };
        rec.end = self.clock.raw();
        rec.attempts = u8::try_from(attempt).unwrap_or(u8::MAX);
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

/// `base × 2^(attempt-1)`, times a jitter in [0.5, 1.5) so that retrying workers spread out,
/// never more than [`MAX_BACKOFF`].
fn backoff_delay(base: Duration, attempt: u32, node: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let seed = u64::from(nanos)
        ^ (u64::from(node) << 32)
        ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    jittered(base, attempt, seed)
}

/// The delay before attempt `attempt + 1` for a given random `seed`: saturating arithmetic
/// only, so no `base` (not even `Duration::MAX`) and no attempt number can overflow.
fn jittered(base: Duration, attempt: u32, seed: u64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let exp = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    let jitter =
        0.5 + (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
    // `exp` ≤ MAX_BACKOFF and `jitter` < 1.5: the product fits a `Duration` with room to spare.
    exp.mul_f64(jitter).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::{MAX_BACKOFF, jittered};
    use std::time::Duration;

    #[test]
    fn backoff_is_bounded_and_never_overflows() {
        let seeds = [0, 1, u64::MAX, 0x9E37_79B9_7F4A_7C15, 12_345];
        for base in [Duration::MAX, Duration::from_secs(u64::MAX), MAX_BACKOFF] {
            for attempt in [0, 1, 2, 3, 17, u32::MAX] {
                for seed in seeds {
                    let d = jittered(base, attempt, seed);
                    assert!(d <= MAX_BACKOFF, "{base:?} {attempt} {seed}: {d:?}");
                    assert!(d >= MAX_BACKOFF / 2, "{base:?} {attempt} {seed}: {d:?}");
                }
            }
        }
        // Small delays double, within the jitter.
        let ms = Duration::from_millis(10);
        for seed in seeds {
            let third = jittered(ms, 3, seed);
            assert!(third >= ms * 2 && third < ms * 6, "{third:?}");
        }
    }
}
