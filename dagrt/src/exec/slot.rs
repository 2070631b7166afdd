//! Per-node cells written by exactly one worker and published through atomic counters.

use crate::value::Value;
use std::cell::UnsafeCell;
use std::mem::MaybeUninit;

/// Holds one node's output between the moment it is produced and the moment its last consumer
/// finishes.
///
/// Protocol (enforced by the scheduler, which is the only writer):
/// - the worker that runs node `n` writes the slot once ([`Slot::set`], [`Slot::put`] or
///   [`Slot::put_none`]), before it decrements the pending counters of `n`'s successors with
///   release ordering;
/// - a successor reads the slot only after its own pending counter reached zero (acquire);
/// - the slot is emptied by the consumer whose decrement of `n`'s consumer counter reached zero
///   (acquire), or after the run, when no worker is left.
///
/// A slot starts empty ([`Slot::empty`]) or, in a plain run, unwritten ([`unwritten`]): there
/// every settler writes its node's slot, a value or `None`, before anyone reads it.
#[repr(transparent)]
pub(crate) struct Slot(UnsafeCell<MaybeUninit<Option<Value>>>);

// SAFETY: access follows the protocol above: one writer, then readers, then one taker, each
// ordered by release/acquire atomics in the scheduler.
unsafe impl Sync for Slot {}

impl Slot {
    pub(crate) fn empty() -> Self {
        Slot(UnsafeCell::new(MaybeUninit::new(None)))
    }

    /// # Safety
    /// No other thread may access the slot concurrently (see the protocol), and the slot was
    /// made [`Slot::empty`] (its old value is dropped).
    pub(crate) unsafe fn set(&self, value: Value) {
        // SAFETY: exclusive access and an initialised slot per the caller's contract.
        unsafe { *(*self.0.get()).assume_init_mut() = Some(value) }
    }

    /// [`Slot::set`] for a slot that is empty or unwritten: nothing is dropped.
    ///
    /// # Safety
    /// No other thread may access the slot concurrently, and it must hold no value (else the
    /// value leaks).
    #[inline]
    pub(crate) unsafe fn put(&self, value: Value) {
        // SAFETY: exclusive access per the caller's contract.
        unsafe { (*self.0.get()).write(Some(value)) };
    }

    /// Writes "no output" into a slot that is empty or unwritten.
    ///
    /// # Safety
    /// As [`Slot::put`].
    #[inline]
    pub(crate) unsafe fn put_none(&self) {
        // SAFETY: exclusive access per the caller's contract.
        unsafe { (*self.0.get()).write(None) };
    }

    /// # Safety
    /// The slot was written (or made empty), and must not be written or taken concurrently
    /// (see the protocol).
    pub(crate) unsafe fn get(&self) -> Option<&Value> {
        // SAFETY: initialised, and no concurrent writer, per the caller's contract.
        unsafe { (*self.0.get()).assume_init_ref().as_ref() }
    }

    /// # Safety
    /// The slot was written (or made empty), and no other thread may access it concurrently
    /// (see the protocol).
    pub(crate) unsafe fn take(&self) -> Option<Value> {
        // SAFETY: initialised and exclusive per the caller's contract.
        unsafe { (*self.0.get()).assume_init_mut().take() }
    }
}

/// `n` unwritten slots, for a plain run: each settler writes its node's slot before anyone
/// reads it.
pub(crate) fn unwritten(n: usize) -> Vec<Slot> {
    let mut slots = Vec::with_capacity(n);
    // SAFETY: a `Slot` is a `MaybeUninit` (behind transparent wrappers): any bytes are a valid
    // one, and the capacity is `n`.
    unsafe { slots.set_len(n) };
    slots
}

/// A per-node cell written once by the worker that settles the node, read after the run.
#[repr(transparent)]
pub(crate) struct Cell<T>(UnsafeCell<T>);

// SAFETY: each cell is written by the single worker that settles its node and read only after the
// scope that ran every worker has returned (which happens-after every write).
unsafe impl<T: Send> Sync for Cell<T> {}

impl<T> Cell<T> {
    pub(crate) fn new(value: T) -> Self {
        Cell(UnsafeCell::new(value))
    }

    /// # Safety
    /// Only the worker settling this cell's node may call this, once.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn get_mut(&self) -> &mut T {
        // SAFETY: exclusive access per the caller's contract.
        unsafe { &mut *self.0.get() }
    }

    /// # Safety
    /// The settling worker must have finished writing the cell, and the read must be ordered
    /// after that write (the scheduler's release/acquire counters do this).
    pub(crate) unsafe fn get(&self) -> &T {
        // SAFETY: no concurrent writer per the caller's contract.
        unsafe { &*self.0.get() }
    }

    /// Mutable access through exclusive ownership (no other thread can hold the cell).
    pub(crate) fn get_mut_owned(&mut self) -> &mut T {
        self.0.get_mut()
    }
}

/// Unwraps every slot at once, without copying: `Slot` is a transparent wrapper of
/// `UnsafeCell<MaybeUninit<Option<Value>>>`, itself transparent over `Option<Value>`.
///
/// # Safety
/// Every slot was written or made empty (true after a finished run, see [`Slot`]).
unsafe fn into_values(slots: Vec<Slot>) -> Vec<Option<Value>> {
    let mut slots = std::mem::ManuallyDrop::new(slots);
    let (ptr, len, cap) = (slots.as_mut_ptr(), slots.len(), slots.capacity());
    // SAFETY: same size and alignment (repr(transparent) all the way down), every element is
    // initialised per the caller's contract; the original vector is not dropped, so the
    // allocation changes owner exactly once.
    unsafe { Vec::from_raw_parts(ptr.cast::<Option<Value>>(), len, cap) }
}

/// The outputs a run hands to its [`Execution`](super::Execution), by node: every node's (the
/// run kept them all) or only the final node's (the rest were freed as the run went).
pub(crate) enum Kept {
    /// One entry per node (`keep_outputs`, re-runs).
    Every(Vec<Option<Value>>),
    /// The final node's output, if it left one.
    Final(Option<(usize, Value)>),
}

impl Kept {
    /// Node `i`'s kept output.
    pub(crate) fn get(&self, i: usize) -> Option<&Value> {
        match self {
            Kept::Every(v) => v.get(i)?.as_ref(),
            Kept::Final(f) => f.as_ref().filter(|f| f.0 == i).map(|f| &f.1),
        }
    }

    /// Takes node `i`'s kept output out.
    pub(crate) fn take(&mut self, i: usize) -> Option<Value> {
        match self {
            Kept::Every(v) => v.get_mut(i)?.take(),
            Kept::Final(f) if f.as_ref().is_some_and(|f| f.0 == i) => f.take().map(|f| f.1),
            Kept::Final(_) => None,
        }
    }

    /// Takes every kept output out, handing each to `f`.
    pub(crate) fn take_each(&mut self, mut f: impl FnMut(Value)) {
        match self {
            Kept::Every(v) => v.drain(..).flatten().for_each(f),
            Kept::Final(kept) => {
                if let Some((_, value)) = kept.take() {
                    f(value);
                }
            }
        }
    }
}

/// What is left in `slots` after a run: all of it with `keep_all`, else the output of `fin`;
/// the other leftovers that own memory come back apart (the caller drops them, catching a
/// panicking `Drop`). `frees[i]` says whether node `i`'s output owns memory.
///
/// # Safety
/// Every slot was written or made empty (true after a finished run, see [`Slot`]).
pub(crate) unsafe fn kept(
    slots: Vec<Slot>,
    frees: &[bool],
    keep_all: bool,
    fin: Option<usize>,
) -> (Kept, Vec<(usize, Value)>) {
    // SAFETY: per the caller's contract.
    let mut values = unsafe { into_values(slots) };
    if keep_all {
        return (Kept::Every(values), Vec::new());
    }
    let kept = fin.and_then(|i| Some((i, values.get_mut(i)?.take()?)));
    let mut leftovers = Vec::new();
    // Outputs that own memory were freed by their last consumer; one left (an output no
    // consumer took) goes back to the caller.
    if frees.iter().any(|&f| f) {
        for (i, (value, &f)) in values.iter_mut().zip(frees).enumerate() {
            if f && let Some(v) = value.take() {
                leftovers.push((i, v));
            }
        }
    }
    // What is left is zero-sized without drop glue: its `Box` owns no memory and dropping it
    // runs no code, so the vector is freed without visiting its entries.
    // SAFETY: length 0 needs no initialised element; forgetting the entries leaks nothing.
    unsafe { values.set_len(0) };
    (Kept::Final(kept), leftovers)
}

/// One [`Record`](super::plan::Record) per node. In a plain run each record is written whole
/// by the worker that settles its node, before anyone reads it, so the vector starts
/// unwritten (no pass over it before the first task); the other runs update records field by
/// field and start from a blank one.
pub(crate) struct Records {
    cells: Vec<Cell<std::mem::MaybeUninit<super::plan::Record>>>,
    /// Whether every record was written at creation (else each settler writes its own).
    blank: bool,
}

impl Records {
    /// `n` copies of `blank`.
    pub(crate) fn blank(n: usize, blank: &super::plan::Record) -> Self {
        let mut cells = Vec::with_capacity(n);
        cells.resize_with(n, || Cell::new(std::mem::MaybeUninit::new(blank.clone())));
        Records { cells, blank: true }
    }

    /// `n` records, each to be written once with [`Records::write`] before it is read.
    pub(crate) fn unwritten(n: usize) -> Self {
        let mut cells = Vec::with_capacity(n);
        // SAFETY: `MaybeUninit` needs no initialisation, and `Cell` is transparent over it.
        unsafe { cells.set_len(n) };
        Records {
            cells,
            blank: false,
        }
    }

    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }

    /// Record `i`, to update in place.
    ///
    /// # Safety
    /// The records were made [`Records::blank`] or record `i` was written; only the worker
    /// settling node `i` may call this, and `i < len`.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn get_mut(&self, i: usize) -> &mut super::plan::Record {
        debug_assert!(self.blank && i < self.cells.len());
        // SAFETY: initialised and exclusive per the caller's contract.
        unsafe { self.cells.get_unchecked(i).get_mut().assume_init_mut() }
    }

    /// Where record `i` lives (for prefetching; any `i`).
    pub(crate) fn ptr(&self, i: usize) -> *const super::plan::Record {
        self.cells.as_ptr().wrapping_add(i).cast()
    }

    /// Writes record `i` whole.
    ///
    /// # Safety
    /// Only the worker settling node `i` may call this, once, and `i < len`.
    pub(crate) unsafe fn write(&self, i: usize, record: super::plan::Record) {
        debug_assert!(i < self.cells.len());
        // SAFETY: exclusive per the caller's contract; a `Record` has no drop glue, so
        // overwriting a blank one leaks nothing.
        unsafe { self.cells.get_unchecked(i).get_mut().write(record) };
    }

    /// Record `i`, settled.
    ///
    /// # Safety
    /// Record `i` was written (or the records were made blank), that write is ordered before
    /// this read (the scheduler's release/acquire counters do this), and `i < len`.
    pub(crate) unsafe fn get(&self, i: usize) -> &super::plan::Record {
        debug_assert!(i < self.cells.len());
        // SAFETY: per the caller's contract.
        unsafe { self.cells.get_unchecked(i).get().assume_init_ref() }
    }

    /// Every record, once the run is over.
    ///
    /// # Safety
    /// Every record was written (true of a finished plain run: every node settles exactly
    /// once, and a settler writes its record whatever happens to the node), or the records
    /// were made blank.
    pub(crate) unsafe fn into_records(self) -> Vec<super::plan::Record> {
        let mut cells = std::mem::ManuallyDrop::new(self.cells);
        let (ptr, len, cap) = (cells.as_mut_ptr(), cells.len(), cells.capacity());
        // SAFETY: `Cell<MaybeUninit<Record>>` has `Record`'s layout (transparent all the way
        // down), every element is initialised per the caller's contract, and the allocation
        // changes owner exactly once.
        unsafe { Vec::from_raw_parts(ptr.cast::<super::plan::Record>(), len, cap) }
    }
}
