//! One-to-one escaping of node names into file names.

/// Escapes `name` for use as a file name: bytes outside `[A-Za-z0-9_.-]`, and
/// a leading `.`, become `%XX` (uppercase hex of each UTF-8 byte).
pub(crate) fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, b) in name.bytes().enumerate() {
        let plain = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (b == b'.' && i > 0);
        if plain {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// Inverts [`escape`]; `None` for any string `escape` never produces.
pub(crate) fn unescape(escaped: &str) -> Option<String> {
    let bytes = escaped.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = escaped.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(out).ok()?;
    // Reject non-canonical spellings (`%41`, lowercase hex, a bare leading `.`)
    // so that distinct file names never map to the same node.
    (escape(&name) == escaped).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::{escape, unescape};

    #[test]
    fn escapes_and_round_trips() {
        let cases = [
            ("load", "load"),
            ("etl::load", "etl%3A%3Aload"),
            ("a/b", "a%2Fb"),
            (".hidden", "%2Ehidden"),
            ("v1.2-x_y", "v1.2-x_y"),
            ("50%", "50%25"),
            ("é", "%C3%A9"),
            ("", ""),
            ("..", "%2E."),
        ];
        for (name, file) in cases {
            assert_eq!(escape(name), file);
            assert_eq!(unescape(file).as_deref(), Some(name));
        }
    }

    #[test]
    fn rejects_non_canonical() {
        for bad in ["%41", "%2e", ".x", "%", "%4", "%ZZ", "%FF", "a b"] {
            assert_eq!(unescape(bad), None, "{bad}");
        }
    }
}
