//! The core's own clock type.
//!
//! The core never reads a clock: every input carries an [`Instant`] the
//! driver made from its own time source, in one place per port. Microseconds
//! since boot in a `u64` last 584 000 years, so arithmetic saturates instead
//! of wrapping and no input can make it panic.

use core::fmt;
use core::ops::{Add, Sub};
use core::time::Duration;

/// A point in time: microseconds since the module booted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// Boot.
    pub const ZERO: Instant = Instant(0);

    /// Never: later than any instant a module reaches.
    pub const MAX: Instant = Instant(u64::MAX);

    /// The instant `micros` microseconds after boot.
    pub const fn from_micros(micros: u64) -> Self {
        Instant(micros)
    }

    /// The instant `millis` milliseconds after boot.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis.saturating_mul(1000))
    }

    /// Microseconds since boot.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Time elapsed from `earlier` to `self`; zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(whole_micros(d)))
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant(self.0.saturating_sub(whole_micros(d)))
    }
}

/// `d` in whole microseconds, `u64::MAX` if more: `d.as_micros()` without
/// its `u128`, which costs a 32-bit core (the ESP32-C3's) dearly on every
/// input (the passthrough flush time is computed per UART piece).
fn whole_micros(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000)
        .saturating_add(u64::from(d.subsec_micros()))
}

impl fmt::Display for Instant {
    /// `s.micros`, the form transcripts use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = Instant::from_micros(u64::MAX - 1);
        assert_eq!(t + Duration::from_secs(1), Instant::from_micros(u64::MAX));
        assert_eq!(Instant::ZERO - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(Instant::ZERO.saturating_since(t), Duration::ZERO);
    }

    #[test]
    fn durations_add_in_whole_micros_as_u128_would() {
        let t = Instant::from_micros(5);
        for d in [
            Duration::ZERO,
            Duration::from_nanos(999),
            Duration::from_nanos(1_999),
            Duration::from_millis(20),
            Duration::new(18_446_744_073_709, 551_615_999),
            Duration::new(18_446_744_073_709, 551_616_000),
            Duration::MAX,
        ] {
            let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
            assert_eq!(whole_micros(d), micros, "{d:?}");
            assert_eq!(t + d, Instant(5u64.saturating_add(micros)), "{d:?}");
            assert_eq!(t - d, Instant(5u64.saturating_sub(micros)), "{d:?}");
        }
    }

    #[test]
    fn displays_seconds_and_micros() {
        assert_eq!(
            alloc::format!("{}", Instant::from_micros(1_020_003)),
            "1.020003"
        );
    }
}
