//! The serde shape of a value: a 64-bit digest of the names and primitive types a value shows
//! when it is serialized, independent of the values themselves.
//!
//! The digest is computed by a [`serde::Serializer`] that records, in order, every struct,
//! tuple-struct, newtype and enum name, every field name, every variant (name and index) and
//! the kind of every primitive (`u32` and `i32` differ, so do `f32` and `f64`), but no number,
//! string or byte content. Two parts are order-independent on purpose: the elements of a
//! sequence and the entries of a map are recorded as the *set* of their shapes, because a
//! `HashMap` or `HashSet` serializes its entries in a different order in every process; the
//! order of struct fields and tuple elements is part of the shape.
//!
//! What it proves: a value decoded from stored bytes whose shape equals the stored shape went
//! through the same struct, field and variant names, in the same field order, with the same
//! primitive types, as the value that was stored. What it cannot see: anything the value does
//! not show — the element type of an empty collection, the payload of an `Option` that is
//! `None`, enum variants absent from the value (the decoded value is then still the stored one:
//! an empty list is an empty list) — and meaning that serde does not spell (a custom
//! `Serialize` impl writing the same primitives for a different meaning, a `#[serde(skip)]`
//! field, a unit changed in a comment). Those need a `version` bump.

use serde::ser::{self, Serialize};
use std::fmt;

/// The shape digest of `value` (see the module docs).
pub(crate) fn shape_of<T: Serialize + ?Sized>(value: &T) -> Result<u64, String> {
    value.serialize(Shaper).map_err(|e| e.0)
}

/// Token kinds, mixed into the digest before their content.
mod tag {
    pub const BOOL: u64 = 1;
    pub const I8: u64 = 2;
    pub const I16: u64 = 3;
    pub const I32: u64 = 4;
    pub const I64: u64 = 5;
    pub const I128: u64 = 6;
    pub const U8: u64 = 7;
    pub const U16: u64 = 8;
    pub const U32: u64 = 9;
    pub const U64: u64 = 10;
    pub const U128: u64 = 11;
    pub const F32: u64 = 12;
    pub const F64: u64 = 13;
    pub const CHAR: u64 = 14;
    pub const STR: u64 = 15;
    pub const BYTES: u64 = 16;
    pub const NONE: u64 = 17;
    pub const SOME: u64 = 18;
    pub const UNIT: u64 = 19;
    pub const UNIT_STRUCT: u64 = 20;
    pub const UNIT_VARIANT: u64 = 21;
    pub const NEWTYPE_STRUCT: u64 = 22;
    pub const NEWTYPE_VARIANT: u64 = 23;
    pub const SEQ: u64 = 24;
    pub const TUPLE: u64 = 25;
    pub const TUPLE_STRUCT: u64 = 26;
    pub const TUPLE_VARIANT: u64 = 27;
    pub const MAP: u64 = 28;
    pub const STRUCT: u64 = 29;
    pub const STRUCT_VARIANT: u64 = 30;
    pub const SKIPPED: u64 = 31;
    pub const END: u64 = 32;
}

/// splitmix64's finalizer: a fixed, well-mixing permutation of `u64` (stable across
/// versions and platforms, since shapes are stored on disk).
fn fmix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn mix(h: u64, x: u64) -> u64 {
    fmix(h.rotate_left(23) ^ fmix(x))
}

fn mix_str(mut h: u64, s: &str) -> u64 {
    h = mix(h, s.len() as u64);
    for chunk in s.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(word));
    }
    h
}

fn mix_variant(tag: u64, name: &str, index: u32, variant: &str) -> u64 {
    mix(mix_str(mix_str(tag, name), variant), u64::from(index))
}

/// Why a shape could not be computed (a `Serialize` impl reported an error).
#[derive(Debug)]
pub(crate) struct ShapeError(String);

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShapeError {}

impl ser::Error for ShapeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ShapeError(msg.to_string())
    }
}

struct Shaper;

/// An ordered compound (struct, tuple, variant): its fields' shapes in order.
struct Ordered(u64);

/// An unordered compound (sequence, map): the set of its elements' shapes.
struct Unordered {
    head: u64,
    set: Vec<u64>,
    key: Option<u64>,
}

impl Unordered {
    fn new(head: u64) -> Self {
        Unordered {
            head,
            set: Vec::new(),
            key: None,
        }
    }

    fn insert(&mut self, shape: u64) {
        if !self.set.contains(&shape) {
            self.set.push(shape);
        }
    }

    fn finish(mut self) -> u64 {
        self.set.sort_unstable();
        let h = self.set.iter().fold(self.head, |h, &s| mix(h, s));
        mix(mix(h, self.set.len() as u64), tag::END)
    }
}

type R = Result<u64, ShapeError>;

impl ser::Serializer for Shaper {
    type Ok = u64;
    type Error = ShapeError;
    type SerializeSeq = Unordered;
    type SerializeTuple = Ordered;
    type SerializeTupleStruct = Ordered;
    type SerializeTupleVariant = Ordered;
    type SerializeMap = Unordered;
    type SerializeStruct = Ordered;
    type SerializeStructVariant = Ordered;

    fn is_human_readable(&self) -> bool {
        // As postcard: types with two representations pick the one that is stored.
        false
    }
    fn serialize_bool(self, _: bool) -> R {
        Ok(tag::BOOL)
    }
    fn serialize_i8(self, _: i8) -> R {
        Ok(tag::I8)
    }
    fn serialize_i16(self, _: i16) -> R {
        Ok(tag::I16)
    }
    fn serialize_i32(self, _: i32) -> R {
        Ok(tag::I32)
    }
    fn serialize_i64(self, _: i64) -> R {
        Ok(tag::I64)
    }
    fn serialize_i128(self, _: i128) -> R {
        Ok(tag::I128)
    }
    fn serialize_u8(self, _: u8) -> R {
        Ok(tag::U8)
    }
    fn serialize_u16(self, _: u16) -> R {
        Ok(tag::U16)
    }
    fn serialize_u32(self, _: u32) -> R {
        Ok(tag::U32)
    }
    fn serialize_u64(self, _: u64) -> R {
        Ok(tag::U64)
    }
    fn serialize_u128(self, _: u128) -> R {
        Ok(tag::U128)
    }
    fn serialize_f32(self, _: f32) -> R {
        Ok(tag::F32)
    }
    fn serialize_f64(self, _: f64) -> R {
        Ok(tag::F64)
    }
    fn serialize_char(self, _: char) -> R {
        Ok(tag::CHAR)
    }
    fn serialize_str(self, _: &str) -> R {
        Ok(tag::STR)
    }
    fn serialize_bytes(self, _: &[u8]) -> R {
        Ok(tag::BYTES)
    }
    fn serialize_none(self) -> R {
        Ok(tag::NONE)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
        Ok(mix(tag::SOME, value.serialize(Shaper)?))
    }
    fn serialize_unit(self) -> R {
        Ok(tag::UNIT)
    }
    fn serialize_unit_struct(self, name: &'static str) -> R {
        Ok(mix_str(tag::UNIT_STRUCT, name))
    }
    fn serialize_unit_variant(self, name: &'static str, index: u32, variant: &'static str) -> R {
        Ok(mix_variant(tag::UNIT_VARIANT, name, index, variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> R {
        Ok(mix(
            mix_str(tag::NEWTYPE_STRUCT, name),
            value.serialize(Shaper)?,
        ))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> R {
        let head = mix_variant(tag::NEWTYPE_VARIANT, name, index, variant);
        Ok(mix(head, value.serialize(Shaper)?))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Unordered, ShapeError> {
        Ok(Unordered::new(tag::SEQ))
    }
    fn serialize_tuple(self, _: usize) -> Result<Ordered, ShapeError> {
        Ok(Ordered(tag::TUPLE))
    }
    fn serialize_tuple_struct(self, name: &'static str, _: usize) -> Result<Ordered, ShapeError> {
        Ok(Ordered(mix_str(tag::TUPLE_STRUCT, name)))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Ordered, ShapeError> {
        Ok(Ordered(mix_variant(
            tag::TUPLE_VARIANT,
            name,
            index,
            variant,
        )))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Unordered, ShapeError> {
        Ok(Unordered::new(tag::MAP))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Ordered, ShapeError> {
        Ok(Ordered(mix_str(tag::STRUCT, name)))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Ordered, ShapeError> {
        Ok(Ordered(mix_variant(
            tag::STRUCT_VARIANT,
            name,
            index,
            variant,
        )))
    }
}

impl Ordered {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.0 = mix(self.0, value.serialize(Shaper)?);
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), ShapeError> {
        self.0 = mix_str(self.0, key);
        self.element(value)
    }

    fn end(self) -> R {
        Ok(mix(self.0, tag::END))
    }
}

impl ser::SerializeTuple for Ordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.element(value)
    }
    fn end(self) -> R {
        Ordered::end(self)
    }
}

impl ser::SerializeTupleStruct for Ordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.element(value)
    }
    fn end(self) -> R {
        Ordered::end(self)
    }
}

impl ser::SerializeTupleVariant for Ordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ShapeError> {
        self.element(value)
    }
    fn end(self) -> R {
        Ordered::end(self)
    }
}

impl ser::SerializeStruct for Ordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ShapeError> {
        self.field(key, value)
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), ShapeError> {
        self.0 = mix_str(mix(self.0, tag::SKIPPED), key);
        Ok(())
    }
    fn end(self) -> R {
        Ordered::end(self)
    }
}

impl ser::SerializeStructVariant for Ordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ShapeError> {
        self.field(key, value)
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), ShapeError> {
        self.0 = mix_str(mix(self.0, tag::SKIPPED), key);
        Ok(())
    }
    fn end(self) -> R {
        Ordered::end(self)
    }
}

impl ser::SerializeSeq for Unordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ShapeError> {
        let shape = value.serialize(Shaper)?;
        self.insert(shape);
        Ok(())
    }
    fn end(self) -> R {
        Ok(self.finish())
    }
}

impl ser::SerializeMap for Unordered {
    type Ok = u64;
    type Error = ShapeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ShapeError> {
        self.key = Some(key.serialize(Shaper)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ShapeError> {
        let key = self.key.take().unwrap_or(tag::UNIT);
        let shape = mix(key, value.serialize(Shaper)?);
        self.insert(shape);
        Ok(())
    }
    fn end(self) -> R {
        Ok(self.finish())
    }
}
