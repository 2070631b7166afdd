//! Tests of the codec's stamp: what a stored value must match to be decoded.

use super::{Codec, shape::shape_of};
use serde::{Deserialize, Serialize};
use std::any::type_name;
use std::collections::{BTreeMap, HashMap, HashSet};

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

#[derive(Serialize)]
enum E {
    A(u32),
    B { s: String },
    C,
}

fn s<T: Serialize>(v: &T) -> u64 {
    shape_of(v).expect("shape")
}

#[test]
fn names_order_and_primitive_kinds_count_values_do_not() {
    let a = s(&v1::P { x: 1.0, y: 2.0 });
    assert_eq!(a, s(&v1::P { x: 5.0, y: -3.0 }));
    assert_ne!(a, s(&v2::P { x: 1.0, y: 2.0 }), "field order");
    assert_ne!(s(&vec![1u32]), s(&vec![1i32]));
    assert_ne!(s(&1.0f32), s(&1.0f64));
    assert_eq!(s(&vec![1u32, 2, 3]), s(&vec![9u32]));
    assert_ne!(s(&Some(1u8)), s(&None::<u8>));
    assert_ne!(s(&(1u8, 2u16)), s(&(2u16, 1u8)), "tuple order");
    assert_ne!(s(&E::A(1)), s(&E::C));
    assert_ne!(
        s(&E::B { s: "x".into() }),
        s(&E::A(1)),
        "variant names and payloads"
    );
}

#[test]
fn maps_and_sets_do_not_depend_on_iteration_order() {
    let map: HashMap<String, u32> = (0..100).map(|i| (i.to_string(), i)).collect();
    let other: HashMap<String, u32> = (0..100).rev().map(|i| (i.to_string(), i)).collect();
    assert_eq!(s(&map), s(&other));
    let tree: BTreeMap<String, u32> = map.clone().into_iter().collect();
    assert_eq!(s(&map), s(&tree), "both are serde maps of str to u32");
    let set: HashSet<u64> = (0..50).collect();
    assert_eq!(s(&set), s(&vec![7u64]));
    let mixed = vec![E::A(1), E::C, E::A(2)];
    assert_eq!(s(&mixed), s(&vec![E::C, E::A(3)]));
    assert_ne!(s(&mixed), s(&vec![E::C]));
}
