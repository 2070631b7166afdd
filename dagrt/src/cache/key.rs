//! Cache keys: 32-byte blake3 digests and the builder that derives them from a task's identity.

use std::fmt;

/// A 32-byte content address: a blake3 digest naming a cached output.
///
/// Displays as 64 lowercase hex digits, which is also the entry's file name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key([u8; 32]);

impl Key {
    /// Wraps raw digest bytes.
    #[cfg(test)]
    pub const fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    /// The blake3 hash of `content` (used as an output's content hash).
    pub fn of_bytes(content: &[u8]) -> Key {
        Key(*blake3::hash(content).as_bytes())
    }

    /// The raw digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses 64 hex digits (either case); `None` for any other input.
    #[cfg(test)]
    pub fn from_hex(hex: &str) -> Option<Key> {
        let hex = hex.as_bytes();
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Some(Key(out))
    }
}

#[cfg(test)]
fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({self})")
    }
}

/// Context string for blake3's key derivation mode: keeps builder keys apart
/// from plain content hashes ([`Key::of_bytes`]) and from other uses of blake3.
const KEY_CONTEXT: &str = "dag cache key v2";

/// Derives the [`Key`] of a task's output from everything that determines it:
/// the task name, the hash of its code, an optional user version, the output's
/// type name, and the keys of its inputs.
///
/// Every field is tagged and length-prefixed before hashing, so no two
/// different field lists hash the same byte stream. `code`, `version` and
/// `output_type` may be called in any order (the last call wins); inputs are hashed in the order
/// they are added.
#[derive(Clone, Debug)]
pub struct KeyBuilder {
    task: String,
    code: Option<String>,
    version: Option<String>,
    output_type: Option<String>,
    inputs: Vec<(String, Key)>,
}

impl KeyBuilder {
    /// Starts a key for the task named `task_name`.
    pub fn new(task_name: &str) -> KeyBuilder {
        KeyBuilder {
            task: task_name.to_owned(),
            code: None,
            version: None,
            output_type: None,
            inputs: Vec::new(),
        }
    }

    /// Sets the hash of the task's code (computed by the macro from its tokens).
    #[must_use]
    pub fn code(mut self, code_hash: &str) -> KeyBuilder {
        self.code = Some(code_hash.to_owned());
        self
    }

    /// Sets a user-supplied version, for tasks reading external data.
    #[must_use]
    pub fn version(mut self, v: &str) -> KeyBuilder {
        self.version = Some(v.to_owned());
        self
    }

    /// Sets the full name of the output's type ([`std::any::type_name`]), so that a task
    /// whose output type changed (an alias switched from `Vec<u32>` to `Vec<i32>`) misses.
    #[must_use]
    pub fn output_type(mut self, type_name: &str) -> KeyBuilder {
        self.output_type = Some(type_name.to_owned());
        self
    }

    /// Appends an input: its parameter name and the key of its value. Order matters.
    #[must_use]
    pub fn input(mut self, name: &str, key: &Key) -> KeyBuilder {
        self.inputs.push((name.to_owned(), *key));
        self
    }

    /// Hashes the fields into a key. Absent and empty `code`/`version`/`output_type` differ.
    pub fn finish(&self) -> Key {
        let mut h = blake3::Hasher::new_derive_key(KEY_CONTEXT);
        field(&mut h, b'T', self.task.as_bytes());
        optional(&mut h, b'C', self.code.as_deref());
        optional(&mut h, b'V', self.version.as_deref());
        optional(&mut h, b'O', self.output_type.as_deref());
        h.update(&(self.inputs.len() as u64).to_le_bytes());
        for (name, key) in &self.inputs {
            field(&mut h, b'I', name.as_bytes());
            h.update(key.as_bytes());
        }
        Key(*h.finalize().as_bytes())
    }
}

/// Hashes a tag byte, the length of `bytes` as `u64` LE, then `bytes`.
fn field(h: &mut blake3::Hasher, tag: u8, bytes: &[u8]) {
    h.update(&[tag]);
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// Hashes an optional field: its presence byte, then the field when present.
fn optional(h: &mut blake3::Hasher, tag: u8, value: Option<&str>) {
    match value {
        Some(v) => {
            h.update(&[1]);
            field(h, tag, v.as_bytes());
        }
        None => {
            h.update(&[0]);
        }
    }
}
