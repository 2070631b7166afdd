//! Retry: the attempts of a failing task and the delay between two of them.

use std::time::Duration;

/// The longest delay between two attempts of a task, whatever `backoff` and the attempt
/// number say (the delay doubles after each failure, then gets a ±50% jitter): 10 minutes.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// One attempt of a task that may run several times (retries).
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub node: u32,
    pub attempt: u32,
    pub start: u64,
    pub end: u64,
    pub error: Option<String>,
    /// The attempt was stopped at its deadline (`#[task(timeout = ..)]`).
    pub timed_out: bool,
}

/// `base × 2^(attempt-1)`, times a jitter in [0.5, 1.5) so that retrying workers spread out,
/// never more than [`MAX_BACKOFF`].
pub(crate) fn backoff_delay(base: Duration, attempt: u32, node: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let seed = u64::from(nanos)
        ^ (u64::from(node) << 32)
        ^ u64::from(attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    jittered(base, attempt, seed)
}

/// The delay before attempt `attempt + 1` for a given random `seed`: saturating arithmetic
/// only, so no `base` (not even `Duration::MAX`) and no attempt number can overflow.
fn jittered(base: Duration, attempt: u32, seed: u64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let exp = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    let jitter =
        0.5 + (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
    // `exp` ≤ MAX_BACKOFF and `jitter` < 1.5: the product fits a `Duration` with room to spare.
    exp.mul_f64(jitter).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::{MAX_BACKOFF, jittered};
    use std::time::Duration;

    #[test]
    fn backoff_is_bounded_and_never_overflows() {
        let seeds = [0, 1, u64::MAX, 0x9E37_79B9_7F4A_7C15, 12_345];
        for base in [Duration::MAX, Duration::from_secs(u64::MAX), MAX_BACKOFF] {
            for attempt in [0, 1, 2, 3, 17, u32::MAX] {
                for seed in seeds {
                    let d = jittered(base, attempt, seed);
                    assert!(d <= MAX_BACKOFF, "{base:?} {attempt} {seed}: {d:?}");
                    assert!(d >= MAX_BACKOFF / 2, "{base:?} {attempt} {seed}: {d:?}");
                }
            }
        }
        // Small delays double, within the jitter.
        let ms = Duration::from_millis(10);
        for seed in seeds {
            let third = jittered(ms, 3, seed);
            assert!(third >= ms * 2 && third < ms * 6, "{third:?}");
        }
    }
}
