//! Persistable outputs: a postcard codec for the type-erased outputs of serde-capable tasks,
//! and the type stamp that guards every stored value.
//!
//! Format: [postcard](https://docs.rs/postcard) — serde's compact binary format (varints, no
//! field names), maintained, fast, and a small dependency. A task whose output implements
//! `Serialize + DeserializeOwned` gets a [`Codec`] automatically (the macro probes the concrete
//! type); other tasks still run, they are just never cached or checkpointed.
//!
//! postcard bytes carry no type information: the bytes of `P { x: 1.0, y: 2.0 }` decode just as
//! well into a `P { y, x }` written later, and `[10, 20, 30]` as `u32`s decode as `[5, 10, 15]`
//! as `i32`s. So a stored value is a *stamp* ([`Codec::stamp`]) followed by the postcard bytes:
//!
//! | part  | content                                                            |
//! |-------|--------------------------------------------------------------------|
//! | stamp | postcard `(type_name: &str, shape: u64)`                           |
//! | value | postcard bytes of the value                                        |
//!
//! `type_name` is [`std::any::type_name`] of the output type (which also goes into cache keys
//! and checkpoint manifests), `shape` the digest of the value's serde shape (see
//! [`shape`](self::shape): struct, field and variant names, field order, primitive kinds).
//! [`Codec::open`] accepts stored bytes only when the type name is the same, the value decodes
//! with no byte left over, and the decoded value has the stored shape. Reordered fields, a
//! field whose type changed, a renamed variant: the shapes differ and the value is refused.
//! What the shape cannot see is listed in its module docs (e.g. a custom `Serialize` that
//! writes the same primitives with another meaning): bump the task's `version` for those.

mod shape;

use crate::value::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::{Any, type_name};
use std::marker::PhantomData;

/// Encodes and decodes one task's output (one type, `T`, fixed when the codec is made with
/// [`Codec::of`]).
#[derive(Clone, Copy)]
pub struct Codec {
    type_name: fn() -> &'static str,
    encode: fn(&(dyn Any + Send + Sync)) -> Result<Vec<u8>, String>,
    shape: fn(&(dyn Any + Send + Sync)) -> Result<u64, String>,
    decode: fn(&[u8]) -> Result<Value, String>,
    json: fn(&(dyn Any + Send + Sync)) -> Result<String, String>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Codec(postcard, {})", (self.type_name)())
    }
}

impl Codec {
    /// The codec of `T`.
    #[must_use]
    pub fn of<T: Serialize + DeserializeOwned + Send + Sync + 'static>() -> Codec {
        Codec {
            type_name: type_name::<T>,
            encode: encode::<T>,
            shape: shape::<T>,
            decode: decode::<T>,
            json: json::<T>,
        }
    }

    /// The full name of the type this codec encodes.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        (self.type_name)()
    }

    /// The postcard bytes of `value` (used as its content hash by dependents and reruns).
    pub(crate) fn encode(&self, value: &(dyn Any + Send + Sync)) -> Result<Vec<u8>, String> {
        (self.encode)(value)
    }

    /// `value` as pretty-printed JSON (how the command line prints a final output).
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub(crate) fn to_json(self, value: &(dyn Any + Send + Sync)) -> Result<String, String> {
        (self.json)(value)
    }

    /// The stamp stored before the postcard bytes of `value` (kept apart, so that writers
    /// need not copy the bytes; see the module docs for the layout).
    pub(crate) fn stamp(&self, value: &(dyn Any + Send + Sync)) -> Result<Vec<u8>, String> {
        let shape = (self.shape)(value)?;
        postcard::to_stdvec(&(self.type_name(), shape)).map_err(|e| e.to_string())
    }

    /// Decodes stored bytes (stamp then value), refusing them unless the type name and the
    /// shape match and no byte is left over; the error says which check failed.
    pub(crate) fn open(&self, stored: &[u8]) -> Result<Value, String> {
        let ((stored_type, stored_shape), rest) = postcard::take_from_bytes::<(&str, u64)>(stored)
            .map_err(|e| format!("no type stamp ({e})"))?;
        let expected = self.type_name();
        if stored_type != expected {
            return Err(format!(
                "it holds a `{stored_type}`, and the task's output is a `{expected}`"
            ));
        }
        let value = (self.decode)(rest)?;
        let shape = (self.shape)(value.as_ref())?;
        if shape != stored_shape {
            return Err(format!(
                "it was written by another definition of `{expected}` (its fields, their order \
                 or their types differ)"
            ));
        }
        Ok(value)
    }
}

fn downcast<T: 'static>(value: &(dyn Any + Send + Sync)) -> Result<&T, String> {
    value
        .downcast_ref::<T>()
        .ok_or_else(|| format!("value is not a `{}`", type_name::<T>()))
}

fn encode<T: Serialize + 'static>(value: &(dyn Any + Send + Sync)) -> Result<Vec<u8>, String> {
    postcard::to_stdvec(downcast::<T>(value)?).map_err(|e| e.to_string())
}

fn json<T: Serialize + 'static>(value: &(dyn Any + Send + Sync)) -> Result<String, String> {
    serde_json::to_string_pretty(downcast::<T>(value)?).map_err(|e| e.to_string())
}

fn shape<T: Serialize + 'static>(value: &(dyn Any + Send + Sync)) -> Result<u64, String> {
    shape::shape_of(downcast::<T>(value)?)
}

fn decode<T: DeserializeOwned + Send + Sync + 'static>(bytes: &[u8]) -> Result<Value, String> {
    let (value, rest) = postcard::take_from_bytes::<T>(bytes)
        .map_err(|e| format!("cannot decode a `{}`: {e}", type_name::<T>()))?;
    if !rest.is_empty() {
        return Err(format!(
            "{} bytes are left over after a `{}`",
            rest.len(),
            type_name::<T>()
        ));
    }
    Ok(Box::new(value))
}

/// Autoref-specialization probe: `(&Probe::<T>::NEW).codec()` is `Some` exactly when `T`
/// is serde-capable (used by generated code, where `T` is concrete). Trait selection ignores
/// lifetimes, so the macro does not probe output types that spell a lifetime or a reference
/// (`&'static str` is `Deserialize<'static>` only, not `DeserializeOwned`).
pub struct Probe<T>(PhantomData<T>);

impl<T> Probe<T> {
    /// The probe.
    pub const NEW: Probe<T> = Probe(PhantomData);
}

/// Picked for serde-capable outputs.
pub trait SerdeCodec {
    /// The output's codec.
    fn codec(&self) -> Option<Codec>;
}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> SerdeCodec for Probe<T> {
    fn codec(&self) -> Option<Codec> {
        Some(Codec::of::<T>())
    }
}

/// The fallback: no codec.
pub trait NoCodec {
    /// No codec.
    fn codec(&self) -> Option<Codec>;
}

impl<T> NoCodec for &Probe<T> {
    fn codec(&self) -> Option<Codec> {
        None
    }
}

/// Outputs that `#[task(cache)]` can persist.
#[diagnostic::on_unimplemented(
    message = "`#[task(cache)]` needs an output serde can persist, and `{Self}` is not `Serialize + DeserializeOwned`",
    label = "this task's output cannot be cached",
    note = "derive `serde::Serialize` and `serde::Deserialize` for the output type, or remove `cache`"
)]
pub trait Persistable: Serialize + DeserializeOwned {}
impl<T: Serialize + DeserializeOwned> Persistable for T {}

/// Compile-time check emitted for `#[task(cache)]`.
pub const fn assert_persistable<T: Persistable>() {}

/// The codec of a `#[task(cache)]` output (checked by [`assert_persistable`]).
#[must_use]
pub fn persistable_codec<T: Persistable + Send + Sync + 'static>() -> Option<Codec> {
    Some(Codec::of::<T>())
}

#[cfg(test)]
mod tests;
