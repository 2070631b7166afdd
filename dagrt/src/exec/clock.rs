//! Clock: the process-wide tick source every record's start and end are read from.
//!
//! Records hold raw ticks, converted to nanoseconds only when read. On x86_64 with an
//! invariant TSC (what quanta needs to use it) a tick is a raw TSC read, and quanta's
//! calibration (at least 500 rounds of 1 µs, more on a busy machine) runs the first time a
//! duration is read, not at the first run. Elsewhere the ticks are quanta's, calibrated at
//! the first run as before.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Where ticks come from.
pub(crate) struct Clock {
    /// `None`: raw TSC reads (converted by [`tsc_converter`]); else quanta's clock.
    quanta: Option<quanta::Clock>,
}

/// The process-wide clock.
pub(crate) fn clock() -> &'static Clock {
    static CLOCK: OnceLock<Clock> = OnceLock::new();
    CLOCK.get_or_init(|| {
        if tsc::usable() {
            // Start of the span a fallback converter would measure (see `Convert::Measured`).
            let _ = origin();
            Clock { quanta: None }
        } else {
            Clock {
                quanta: Some(quanta::Clock::new()),
            }
        }
    })
}

impl Clock {
    /// The current tick.
    #[inline]
    pub(crate) fn raw(&self) -> u64 {
        match &self.quanta {
            None => tsc::read(),
            Some(q) => q.raw(),
        }
    }

    /// Nanoseconds from tick `start` to tick `end` (0 when `end` is not after `start`). The
    /// first call calibrates the TSC.
    pub(crate) fn delta_as_nanos(&self, start: u64, end: u64) -> u64 {
        match &self.quanta {
            None => tsc_converter().delta_as_nanos(start, end),
            Some(q) => q.delta_as_nanos(start, end),
        }
    }

    /// Whether converting ticks needs no calibration any more (it has run, or is not needed).
    #[cfg(test)]
    pub(crate) fn is_calibrated(&self) -> bool {
        self.quanta.is_some() || CONVERTER.get().is_some()
    }
}

/// The end of the last task the current worker settled in a plain run, while nothing has
/// happened on the worker since but scheduling (no wait): what a join's second side starts at
/// when the worker runs it right after the first side, instead of a clock read.
pub(crate) mod last_end {
    use std::cell::Cell;

    /// No known end: the worker may have waited since its last task.
    const UNKNOWN: u64 = u64::MAX;

    thread_local! {
        static LAST_END: Cell<u64> = const { Cell::new(UNKNOWN) };
    }

    /// The worker settled a task that ended at tick `t`, and goes on scheduling.
    #[inline]
    pub(crate) fn note(t: u64) {
        LAST_END.with(|c| c.set(t));
    }

    /// The worker may have waited (a join's second side was stolen and the worker blocked on
    /// it): the next task it starts reads the clock.
    #[inline]
    pub(crate) fn forget() {
        LAST_END.with(|c| c.set(UNKNOWN));
    }

    /// The end noted last, unless forgotten since.
    #[inline]
    pub(crate) fn get() -> Option<u64> {
        Some(LAST_END.with(Cell::get)).filter(|&t| t != UNKNOWN)
    }
}

/// How TSC ticks become nanoseconds.
enum Convert {
    /// quanta's calibration (its clock reads the same TSC: checked when it is made).
    Quanta(quanta::Clock),
    /// Nanoseconds per tick measured against `Instant` since [`origin`]: only if quanta chose
    /// another source than the TSC this module reads (its detection is replicated here, so
    /// this is a safety net, not a path a supported machine takes).
    Measured(f64),
}

impl Convert {
    fn delta_as_nanos(&self, start: u64, end: u64) -> u64 {
        match self {
            Convert::Quanta(q) => q.delta_as_nanos(start, end),
            Convert::Measured(per_tick) => (end.saturating_sub(start) as f64 * per_tick) as u64,
        }
    }
}

static CONVERTER: OnceLock<Convert> = OnceLock::new();

/// The TSC's converter, calibrated on first use.
fn tsc_converter() -> &'static Convert {
    CONVERTER.get_or_init(|| {
        let q = quanta::Clock::new();
        if reads_the_tsc(|| q.raw()) {
            return Convert::Quanta(q);
        }
        let (ticks0, t0) = *origin();
        let mut now = Instant::now();
        // At least 10 ms of span, for a per-tick factor good to about 1e-6.
        while now.duration_since(t0) < Duration::from_millis(10) {
            std::hint::spin_loop();
            now = Instant::now();
        }
        let ticks = tsc::read().saturating_sub(ticks0).max(1);
        Convert::Measured(now.duration_since(t0).as_nanos() as f64 / ticks as f64)
    })
}

/// Whether `raw` returns TSC ticks: its value falls between two TSC reads around it.
fn reads_the_tsc(raw: impl Fn() -> u64) -> bool {
    (0..3).any(|_| {
        let before = tsc::read();
        let value = raw();
        let after = tsc::read();
        before <= value && value <= after
    })
}

/// A TSC read and the `Instant` of the clock's creation.
fn origin() -> &'static (u64, Instant) {
    static ORIGIN: OnceLock<(u64, Instant)> = OnceLock::new();
    ORIGIN.get_or_init(|| (tsc::read(), Instant::now()))
}

#[cfg(target_arch = "x86_64")]
mod tsc {
    use std::arch::x86_64::{__cpuid, _rdtsc};

    /// quanta's test for using the TSC: invariant (CPUID 8000_0007h EDX bit 8) and `rdtscp`
    /// present (CPUID 8000_0001h EDX bit 27).
    pub(super) fn usable() -> bool {
        let max_extended = __cpuid(0x8000_0000).eax;
        max_extended >= 0x8000_0007
            && __cpuid(0x8000_0007).edx & (1 << 8) != 0
            && __cpuid(0x8000_0001).edx & (1 << 27) != 0
    }

    /// The TSC, as quanta reads it.
    #[inline]
    pub(super) fn read() -> u64 {
        // SAFETY: `rdtsc` exists on every x86_64 CPU and reads a register; nothing to uphold.
        unsafe { _rdtsc() }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod tsc {
    /// No TSC here: ticks are quanta's.
    pub(super) fn usable() -> bool {
        false
    }

    /// Never called (ticks are quanta's).
    pub(super) fn read() -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_of_ticks_converts_to_the_nanoseconds_instant_measures_around_it() {
        let c = clock();
        let outer = Instant::now();
        let start = c.raw();
        let inner = Instant::now();
        while inner.elapsed() < Duration::from_millis(2) {
            std::hint::spin_loop();
        }
        let inside = inner.elapsed().as_nanos() as u64;
        let end = c.raw();
        let outside = outer.elapsed().as_nanos() as u64;
        let nanos = c.delta_as_nanos(start, end);
        assert!(c.is_calibrated());
        // Inner span <= tick span <= outer span, up to the calibration's error (a TSC count
        // taken for nanoseconds would be off by the TSC's GHz factor).
        assert!(nanos >= inside * 95 / 100, "{nanos} ns, inside {inside} ns");
        assert!(
            nanos <= outside * 105 / 100 + 10_000,
            "{nanos} ns, outside {outside} ns"
        );
        assert_eq!(c.delta_as_nanos(end, start), 0);
    }

    #[test]
    fn only_values_between_two_tsc_reads_count_as_tsc_reads() {
        assert!(reads_the_tsc(tsc::read) || !tsc::usable());
        assert!(!reads_the_tsc(|| 0));
        assert!(!reads_the_tsc(|| u64::MAX));
    }
}
