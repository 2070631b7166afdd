//! The keys of an executor trace's events: a key is `(raw clock tick, causal rank)`, and a read
//! visits the events in key order. The rank is (position in level order, attempt, kind), where
//! an `#[each]` element's "attempt" is its ordinal (1-based) among its task's elements and the
//! end of a task with elements has the largest attempt, after its elements' events; keys
//! pack into one u64 (tick offset above the rank) when they fit, so that ordering a run's keys
//! is a radix sort of u64s.

use super::radix::bit_width;

// Kinds, in causal order at one position, attempt and tick: a step's start (at its first node's
// position), a cache miss, a run's start, a run's or point event's end, a step's end (at its
// last node's position). An element's start and end come after its task's start (attempt 0)
// and before its task's end (attempt `ATTEMPT_MAX`) by their ordinal, whatever their kind.
// Kinds fit in 3 bits (see [`Packing`]).
pub(crate) const K_STEP_START: u64 = 0;
pub(crate) const K_MISS: u64 = 1;
pub(crate) const K_START: u64 = 2;
pub(crate) const K_END: u64 = 3;
pub(crate) const K_STEP_END: u64 = 4;
pub(crate) const K_ELEMENT_START: u64 = 5;
pub(crate) const K_ELEMENT_END: u64 = 6;
const ATTEMPT_BITS: u32 = 32;
/// Largest attempt a rank tells apart (and a step end's and an element task end's attempt:
/// after every attempt and element).
pub(crate) const ATTEMPT_MAX: u64 = (1 << ATTEMPT_BITS) - 1;
/// Where the position starts in a rank.
pub(crate) const POS_SHIFT: u32 = ATTEMPT_BITS + 4;

/// The rank of an event of kind `kind`, of attempt `attempt`, at position `pos` in level order.
pub(crate) fn rank(pos: usize, attempt: u64, kind: u64) -> u64 {
    ((pos as u64) << POS_SHIFT) | (attempt.min(ATTEMPT_MAX) << 4) | kind
}

/// How a key `(tick, rank)` packs in one u64: the tick's offset from `base` above
/// `rank_bits` bits of (position, attempt, kind).
pub(crate) struct Packing {
    pub(crate) base: u64,
    pub(crate) rank_bits: u32,
    pos_shift: u32,
    attempt_mask: u64,
}

impl Packing {
    /// The packing of the keys of `nodes` nodes run up to `max_attempt` times (or with up to
    /// `max_attempt - 1` elements), with ticks from `base`, if their ranks leave room for ticks.
    pub(crate) fn new(nodes: usize, max_attempt: u64, base: u64) -> Option<Self> {
        let attempt_bits = bit_width(max_attempt.min(ATTEMPT_MAX));
        let pos_shift = attempt_bits + 3;
        let rank_bits = bit_width(nodes as u64) + pos_shift;
        (rank_bits < 64).then_some(Packing {
            base,
            rank_bits,
            pos_shift,
            attempt_mask: (1 << attempt_bits) - 1,
        })
    }

    /// The packed key, if the tick is in range. Packed keys order as `(tick, rank)` do.
    pub(crate) fn pack(&self, tick: u64, rank: u64) -> Option<u64> {
        let offset = tick.checked_sub(self.base)?;
        if offset >> (64 - self.rank_bits) != 0 {
            return None;
        }
        let (pos, attempt) = (
            rank >> POS_SHIFT,
            ((rank >> 4) & ATTEMPT_MAX).min(self.attempt_mask),
        );
        Some((offset << self.rank_bits) | (pos << self.pos_shift) | (attempt << 3) | (rank & 15))
    }

    /// The `(tick, rank)` of a packed key (a step end's attempt comes back as the mask).
    pub(crate) fn unpack(&self, k: u64) -> (u64, u64) {
        let low = k & ((1 << self.rank_bits) - 1);
        let (pos, attempt) = (low >> self.pos_shift, (low >> 3) & self.attempt_mask);
        (
            self.base + (k >> self.rank_bits),
            rank(pos as usize, attempt, low & 7),
        )
    }
}

/// A run's keys packed by [`Packing`], in rank order until sorted.
pub(crate) struct Packed {
    pub(crate) keys: Vec<u64>,
    pub(crate) packing: Packing,
    /// Bits of the largest tick offset.
    pub(crate) tick_bits: u32,
}

/// [`Packed`] while being filled: collects nothing until activated, and no packing once a key
/// did not fit.
pub(crate) struct Sink {
    keys: Vec<u64>,
    packing: Option<Packing>,
    active: bool,
}

impl Sink {
    /// An inactive sink for keys packed by `packing`.
    pub(crate) fn new(packing: Option<Packing>) -> Self {
        Sink {
            keys: Vec::new(),
            packing,
            active: false,
        }
    }

    /// Whether keys are being collected.
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    /// Starts collecting, with room for `capacity` keys: whether the keys can still pack.
    pub(crate) fn activate(&mut self, capacity: usize) -> bool {
        self.active = self.packing.is_some();
        if self.active {
            self.keys.reserve_exact(capacity);
        }
        self.active
    }

    /// Adds a key.
    pub(crate) fn push(&mut self, tick: u64, rank: u64) {
        if !self.active {
            return;
        }
        match self.packing.as_ref().and_then(|p| p.pack(tick, rank)) {
            Some(k) => self.keys.push(k),
            None => (self.packing, self.active) = (None, false),
        }
    }

    /// Keeps room for a key known later (see [`Sink::set`]): its index.
    pub(crate) fn hold(&mut self) -> usize {
        if self.active {
            self.keys.push(0);
        }
        self.keys.len().wrapping_sub(1)
    }

    /// Sets the key held at `at`.
    pub(crate) fn set(&mut self, at: usize, tick: u64, rank: u64) {
        if !self.active {
            return;
        }
        match self.packing.as_ref().and_then(|p| p.pack(tick, rank)) {
            Some(k) => {
                if let Some(slot) = self.keys.get_mut(at) {
                    *slot = k;
                }
            }
            None => (self.packing, self.active) = (None, false),
        }
    }

    /// The keys, if collected and they all fit, with their tick width (ticks up to `top`).
    pub(crate) fn finish(self, top: u64) -> Option<Packed> {
        let packing = self.packing.filter(|_| self.active)?;
        let tick_bits = bit_width(top.saturating_sub(packing.base));
        Some(Packed {
            keys: self.keys,
            packing,
            tick_bits,
        })
    }
}
