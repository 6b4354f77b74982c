//! The Wi-Fi station of a dialect that has one (esp-at.md EW): joining,
//! leaving, scanning, and what the host is told of it.

use super::Module;
use crate::net::NetEvent;
use crate::time::Instant;

impl Module {
    pub(super) fn station_event(&mut self, _now: Instant, _event: NetEvent<'_>) {}
}
