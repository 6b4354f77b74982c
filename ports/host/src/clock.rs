//! The one place the host's clock becomes the core's [`Instant`].
//!
//! The module boots when the process starts: `std::time::Instant` then is
//! the core's zero. It is monotonic, so time never goes backwards between
//! the core's inputs.

use std::time::Duration;

use firmware_core::Instant;

/// The module's clock; `Copy`, so the UART reader thread stamps arrivals
/// with the same time base.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    boot: std::time::Instant,
}

impl Clock {
    /// A clock whose zero is now.
    pub(crate) fn start() -> Self {
        Clock {
            boot: std::time::Instant::now(),
        }
    }

    /// The core's time now.
    pub(crate) fn now(&self) -> Instant {
        let micros = self.boot.elapsed().as_micros();
        Instant::from_micros(u64::try_from(micros).unwrap_or(u64::MAX))
    }

    /// The tokio instant at which the core's `at` falls due.
    pub(crate) fn deadline(&self, at: Instant) -> tokio::time::Instant {
        let at = self
            .boot
            .checked_add(Duration::from_micros(at.as_micros()))
            // Far beyond any run: sleep "forever".
            .unwrap_or_else(|| std::time::Instant::now() + Duration::from_secs(86_400 * 365));
        tokio::time::Instant::from_std(at)
    }
}
