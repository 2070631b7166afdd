//! Columns: task bodies and what the executor needs of them, one vector per field (binding
//! bodies given by id moves the vectors whole).

use super::{DynAsyncBody, OutputType};
use crate::exec::DynBody;
use crate::exec::policy::NodeSpec;

/// Makes the output type of a task (a function pointer: 8 bytes per task, not 32).
pub(crate) type OutputOf = fn() -> OutputType;

/// One body, as given to `Tasks`.
pub(crate) struct Part<'a> {
    pub body: DynBody<'a>,
    pub frees: bool,
    pub output: OutputOf,
    /// `None`: the default spec (boxed: a `NodeSpec` is large and rarely set).
    pub spec: Option<Box<NodeSpec>>,
    /// When it was given; 0 while no body was given the other way (by name for an id, by
    /// id for a name), so every body of the other kind comes later.
    pub seq: u32,
}

/// Bodies in slots (a slot is a node id, or the position of a name).
#[derive(Default)]
pub(crate) struct Columns<'a> {
    /// `None`: no body in this slot (or taken).
    pub bodies: Vec<Option<DynBody<'a>>>,
    pub frees: Vec<bool>,
    pub outputs: Vec<OutputOf>,
    /// When each body was given (shorter than `bodies` while every body was given one way:
    /// a missing one is 0).
    pub seqs: Vec<u32>,
    /// Specs other than the default one (shorter than `bodies` until one is set).
    pub specs: Vec<Option<Box<NodeSpec>>>,
    /// Async bodies (shorter than `bodies` until one is set).
    pub asyncs: Vec<Option<DynAsyncBody<'a>>>,
}

impl<'a> Columns<'a> {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Columns {
            bodies: Vec::with_capacity(n),
            frees: Vec::with_capacity(n),
            outputs: Vec::with_capacity(n),
            seqs: Vec::new(),
            specs: Vec::new(),
            asyncs: Vec::new(),
        }
    }

    /// Number of slots.
    pub(crate) fn len(&self) -> usize {
        self.bodies.len()
    }

    /// Puts `part` in `slot` (growing the columns); whether the slot was empty.
    ///
    /// Inline: `part` is written straight into the columns, not copied onto the stack for a
    /// call first (reading that copy back stalled on store forwarding: 83 % of a 100k-body
    /// binding's samples in `Tasks::add` sat on it).
    #[inline]
    pub(crate) fn set(&mut self, slot: usize, part: Part<'a>) -> bool {
        if slot == self.bodies.len() && part.spec.is_none() && part.seq == 0 {
            // The usual case: plain bodies given in slot order, one way only.
            self.bodies.push(Some(part.body));
            self.frees.push(part.frees);
            self.outputs.push(part.output);
            return true;
        }
        self.set_anywhere(slot, part)
    }

    /// [`Columns::set`] out of slot order, or with a spec or an order (the rare case).
    #[inline(never)]
    fn set_anywhere(&mut self, slot: usize, part: Part<'a>) -> bool {
        if slot >= self.bodies.len() {
            let n = slot + 1;
            self.bodies.resize_with(n, || None);
            self.frees.resize(n, false);
            self.outputs.resize(n, OutputType::of::<()>);
        }
        let was_empty = self.bodies[slot].replace(part.body).is_none();
        self.frees[slot] = part.frees;
        self.outputs[slot] = part.output;
        if part.seq != 0 || slot < self.seqs.len() {
            if slot >= self.seqs.len() {
                self.seqs.resize(slot + 1, 0);
            }
            self.seqs[slot] = part.seq;
        }
        if let Some(spec) = part.spec {
            *self.spec_slot(slot) = Some(spec);
        } else if let Some(old) = self.specs.get_mut(slot) {
            *old = None;
        }
        if let Some(old) = self.asyncs.get_mut(slot) {
            *old = None;
        }
        was_empty
    }

    /// When the body in `slot` was given.
    pub(crate) fn seq(&self, slot: usize) -> u32 {
        self.seqs.get(slot).copied().unwrap_or(0)
    }

    /// Whether `slot` holds a body.
    pub(crate) fn has(&self, slot: usize) -> bool {
        matches!(self.bodies.get(slot), Some(Some(_)))
    }

    /// The spec of the body in `slot`, to set.
    pub(crate) fn spec_mut(&mut self, slot: usize) -> &mut NodeSpec {
        self.spec_slot(slot).get_or_insert_with(Box::default)
    }

    fn spec_slot(&mut self, slot: usize) -> &mut Option<Box<NodeSpec>> {
        if slot >= self.specs.len() {
            self.specs.resize_with(slot + 1, || None);
        }
        &mut self.specs[slot]
    }

    /// Sets the async body of the body in `slot`.
    #[cfg(feature = "tokio")]
    pub(crate) fn set_async(&mut self, slot: usize, body: DynAsyncBody<'a>) {
        if slot >= self.asyncs.len() {
            self.asyncs.resize_with(slot + 1, || None);
        }
        self.asyncs[slot] = Some(body);
    }

    /// The spec of `slot` (the default one unless set).
    pub(crate) fn spec(&self, slot: usize) -> NodeSpec {
        self.specs
            .get(slot)
            .and_then(Option::as_deref)
            .copied()
            .unwrap_or_default()
    }

    /// The async body of `slot`, if any.
    pub(crate) fn async_body(&self, slot: usize) -> Option<&DynAsyncBody<'a>> {
        self.asyncs.get(slot).and_then(Option::as_ref)
    }

    /// Takes the async body of `slot` out.
    pub(crate) fn take_async(&mut self, slot: usize) -> Option<DynAsyncBody<'a>> {
        self.asyncs.get_mut(slot).and_then(Option::take)
    }
}
