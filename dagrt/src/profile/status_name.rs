//! How profile JSON spells a [`NodeStatus`]: capitalised (`"Completed"`), the form reports
//! have always been written in. The words are [`NodeStatus::as_str`]'s.

use serde::de::{Error, IntoDeserializer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::NodeStatus;

/// `completed` → `Completed`.
fn capitalised(status: NodeStatus) -> String {
    let word = status.as_str();
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    out.push_str(chars.as_str());
    out
}

pub(super) fn serialize<S: Serializer>(status: &NodeStatus, s: S) -> Result<S::Ok, S::Error> {
    capitalised(*status).serialize(s)
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NodeStatus, D::Error> {
    let word = String::deserialize(d)?;
    let status = NodeStatus::deserialize(word.to_lowercase().into_deserializer())
        .map_err(|e: serde::de::value::Error| D::Error::custom(e))?;
    if capitalised(status) == word {
        Ok(status)
    } else {
        Err(D::Error::custom(format!(
            "unknown status `{word}`, expected `{}`",
            capitalised(status)
        )))
    }
}
