//! The port's one clock: embassy-time (esp-rtos's driver, 1 MHz ticks since
//! boot) in the core's microseconds since boot, and back for the timer.

use firmware_core::Instant;

/// The core's `Instant` for now.
pub(crate) fn now() -> Instant {
    Instant::from_micros(embassy_time::Instant::now().as_micros())
}

/// The embassy-time instant at which the core's `at` falls due.
pub(crate) fn deadline(at: Instant) -> embassy_time::Instant {
    embassy_time::Instant::from_micros(at.as_micros())
}
