//! Persistable outputs: a postcard codec for the type-erased outputs of serde-capable tasks.
//!
//! Format: [postcard](https://docs.rs/postcard) — serde's compact binary format (varints, no
//! field names), maintained, fast, and a small dependency. A task whose output implements
//! `Serialize + DeserializeOwned` gets a [`Codec`] automatically (the macro probes the concrete
//! type); other tasks still run, they are just never cached or checkpointed.

use crate::task::Value;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::marker::PhantomData;

/// Encodes and decodes one task's output.
#[derive(Clone, Copy)]
pub struct Codec {
    /// Serializes the output (which must be of the task's output type).
    pub encode: fn(&(dyn Any + Send + Sync)) -> Result<Vec<u8>, String>,
    /// Deserializes an output.
    pub decode: fn(&[u8]) -> Result<Value, String>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Codec(postcard)")
    }
}

impl Codec {
    /// The codec of `T`.
    #[must_use]
    pub fn of<T: Serialize + DeserializeOwned + Send + Sync + 'static>() -> Codec {
        Codec {
            encode: encode::<T>,
            decode: decode::<T>,
        }
    }
}

fn encode<T: Serialize + 'static>(value: &(dyn Any + Send + Sync)) -> Result<Vec<u8>, String> {
    let value = value
        .downcast_ref::<T>()
        .ok_or_else(|| format!("value is not a `{}`", std::any::type_name::<T>()))?;
    postcard::to_stdvec(value).map_err(|e| e.to_string())
}

fn decode<T: DeserializeOwned + Send + Sync + 'static>(bytes: &[u8]) -> Result<Value, String> {
    postcard::from_bytes::<T>(bytes)
        .map(|v| Box::new(v) as Value)
        .map_err(|e| format!("cannot decode a `{}`: {e}", std::any::type_name::<T>()))
}

/// Autoref-specialization probe: `(&Probe::<T>::NEW).codec()` is `Some` exactly when `T`
/// is serde-capable (used by generated code, where `T` is concrete).
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
