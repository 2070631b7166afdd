//! Run ids: `{unix µs}-{pid}-{counter}` in hex, unique across runs and processes.

use std::time::SystemTime;

/// A run id unique across runs and processes: `{unix µs}-{pid}-{counter}` in hex.
pub(crate) fn new_run_id(started_at: SystemTime) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let micros = started_at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let seq = COUNTER.fetch_add(1, Ordering::Relaxed);
    run_id_of(micros, std::process::id(), seq)
}

/// `{micros:x}-{pid:x}-{seq:x}`, written without `format!` (one allocation).
fn run_id_of(micros: u128, pid: u32, seq: u64) -> String {
    /// Appends the lowercase hex digits of `v` (no leading zeros; "0" for 0).
    fn hex(out: &mut Vec<u8>, v: u128) {
        let digits = (128 - v.leading_zeros()).div_ceil(4).max(1);
        // Today's micros fit in 64 bits: shift a u64 then (cheaper than a u128).
        match u64::try_from(v) {
            Ok(v) => out.extend(
                (0..digits)
                    .rev()
                    .map(|i| DIGITS[(v >> (4 * i)) as usize & 0xf]),
            ),
            Err(_) => out.extend(
                (0..digits)
                    .rev()
                    .map(|i| DIGITS[(v >> (4 * i)) as usize & 0xf]),
            ),
        }
    }
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // At most 32 + 1 + 8 + 1 + 16 bytes.
    let mut out = Vec::with_capacity(58);
    hex(&mut out, micros);
    out.push(b'-');
    hex(&mut out, u128::from(pid));
    out.push(b'-');
    hex(&mut out, u128::from(seq));
    // Hex digits and dashes: always valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::run_id_of;

    #[test]
    fn a_run_id_is_the_three_numbers_in_lowercase_hex() {
        for (micros, pid, seq) in [
            (0, 0, 0),
            (1, 1, 1),
            (0xf, 0x10, 0xff),
            (0x63f1_2a4b_9c01, 4242, 17),
            (u128::from(u64::MAX), u32::MAX, u64::MAX),
            (u128::MAX, 0xdead_beef, 0x0123_4567_89ab_cdef),
        ] {
            assert_eq!(
                run_id_of(micros, pid, seq),
                format!("{micros:x}-{pid:x}-{seq:x}")
            );
        }
        assert_eq!(run_id_of(0x1a2b, 0xc, 0), "1a2b-c-0");
    }
}
