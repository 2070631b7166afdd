//! Tests of the codec's stamp: what a stored value must match to be decoded.

use super::{Codec, shape::shape_of};
use serde::{Deserialize, Serialize};
use std::any::type_name;

/// The first definition of a type, as an old build of the program had it.
mod v1 {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct P {
        pub x: f64,
        pub y: f64,
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct S {
        pub n: u32,
        pub label: String,
    }
}

/// The same types edited: fields reordered, a field's type changed.
mod v2 {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct P {
        pub y: f64,
        pub x: f64,
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    pub struct S {
        pub n: i64,
        pub label: String,
    }
}

/// What an old build stored for `value`, under the type name the new build has for `New`
/// (in a real program both definitions have the same path, so the same name).
fn stored_by_old_build<Old: Serialize, New>(value: &Old) -> Vec<u8> {
    let shape = shape_of(value).expect("shape");
    let mut out = postcard::to_stdvec(&(type_name::<New>(), shape)).expect("stamp");
    out.extend(postcard::to_stdvec(value).expect("bytes"));
    out
}

fn sealed<T: Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static>(value: T) -> Vec<u8> {
    let codec = Codec::of::<T>();
    let bytes = codec.encode(&value).expect("encode");
    let stamp = codec.stamp(&value).expect("stamp");
    [stamp, bytes].concat()
}

#[test]
fn a_value_round_trips_through_its_stamp() {
    let stored = sealed(v1::P { x: 2.0, y: 1.0 });
    let value = Codec::of::<v1::P>().open(&stored).expect("same type");
    assert_eq!(
        value.downcast_ref::<v1::P>(),
        Some(&v1::P { x: 2.0, y: 1.0 })
    );
}

#[test]
fn reordered_fields_are_refused() {
    // postcard alone decodes these bytes as `P { y: 2.0, x: 1.0 }`: the fields swapped.
    let old = v1::P { x: 2.0, y: 1.0 };
    let raw = postcard::to_stdvec(&old).expect("bytes");
    assert_eq!(
        postcard::from_bytes::<v2::P>(&raw).expect("decodes"),
        v2::P { y: 2.0, x: 1.0 }
    );
    let err = Codec::of::<v2::P>()
        .open(&stored_by_old_build::<_, v2::P>(&old))
        .expect_err("another definition");
    assert!(err.contains("another definition of"), "{err}");
}

#[test]
fn a_changed_field_type_is_refused() {
    let old = v1::S {
        n: 7,
        label: "seven".into(),
    };
    let raw = postcard::to_stdvec(&old).expect("bytes");
    assert_eq!(
        postcard::from_bytes::<v2::S>(&raw).expect("decodes").n,
        -4,
        "what postcard alone returns"
    );
    let err = Codec::of::<v2::S>()
        .open(&stored_by_old_build::<_, v2::S>(&old))
        .expect_err("another definition");
    assert!(err.contains("another definition of"), "{err}");
}

#[test]
fn another_type_name_is_refused() {
    // `Vec<u32>` switched to `Vec<i32>` behind an alias: the names differ.
    let stored = sealed(vec![10u32, 20, 30]);
    let err = Codec::of::<Vec<i32>>()
        .open(&stored)
        .expect_err("other type");
    assert_eq!(
        err,
        "it holds a `alloc::vec::Vec<u32>`, and the task's output is a `alloc::vec::Vec<i32>`"
    );
}

#[test]
fn trailing_bytes_and_missing_stamps_are_refused() {
    let mut stored = sealed(5u32);
    stored.push(0);
    let err = Codec::of::<u32>().open(&stored).expect_err("trailing");
    assert_eq!(err, "1 bytes are left over after a `u32`");
    let err = Codec::of::<u32>().open(&[]).expect_err("empty");
    assert!(err.starts_with("no type stamp"), "{err}");
}
