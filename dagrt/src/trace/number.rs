//! JSON form of trace numbers: finite values as numbers, `NaN` and `±inf` as the strings
//! `"NaN"`, `"Infinity"` and `"-Infinity"` (JSON has no number for them), so every trace
//! survives `to_json` / `from_json`.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

const NAN: &str = "NaN";
const INF: &str = "Infinity";
const NEG_INF: &str = "-Infinity";

/// Writes `x` as a number, or as one of the three strings when it is not finite.
pub(super) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else if x.is_nan() {
        s.serialize_str(NAN)
    } else if *x > 0.0 {
        s.serialize_str(INF)
    } else {
        s.serialize_str(NEG_INF)
    }
}

/// Reads a number, or one of the three strings.
pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(Number)
}

struct Number;

impl Visitor<'_> for Number {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a number, \"{NAN}\", \"{INF}\" or \"{NEG_INF}\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v {
            NAN => Ok(f64::NAN),
            INF => Ok(f64::INFINITY),
            NEG_INF => Ok(f64::NEG_INFINITY),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// [`serialize`] and [`deserialize`] for an `Option<f64>` field (absent when `None`).
pub(super) mod option {
    use serde::{Deserializer, Serializer};

    /// Writes the number (only called for `Some`: the field skips `None`).
    pub(in crate::trace) fn serialize<S: Serializer>(
        x: &Option<f64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match x {
            Some(x) => super::serialize(x, s),
            None => s.serialize_none(),
        }
    }

    /// Reads `null` as `None`, else a number or one of the three strings.
    pub(in crate::trace) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<f64>, D::Error> {
        d.deserialize_option(Maybe)
    }

    struct Maybe;

    impl<'de> serde::de::Visitor<'de> for Maybe {
        type Value = Option<f64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("null, a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}
