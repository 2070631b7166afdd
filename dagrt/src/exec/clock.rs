//! Clock: the process-wide tick source every record's start and end are read from.

use std::sync::OnceLock;

/// The process-wide calibrated TSC clock (calibration costs milliseconds, so it happens once).
pub(crate) fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}
