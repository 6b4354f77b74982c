//! What falls due: every subsystem's timers, run by each input before and
//! after it, and passthrough's packets, which go out as the link takes them
//! (PT-2).

use super::{Job, Mode, Module};
use crate::time::Instant;

impl Module {
    /// The earliest timer but passthrough's own.
    pub(super) fn others_timeout(&self) -> Option<Instant> {
        let job = match &self.mode {
            Mode::Busy(
                Job::StartOpening { deadline, .. }
                | Job::Pinging { deadline, .. }
                | Job::Sending { deadline, .. },
            ) => Some(*deadline),
            Mode::Busy(
                Job::Restart { until }
                | Job::Joining { deadline: until }
                | Job::Scanning { until, done: true },
            ) => Some(*until),
            _ => None,
        };
        [
            job,
            self.resolver.poll_timeout(),
            self.sntp_resolver.poll_timeout(),
            self.sntp.poll_timeout(),
            self.secure_poll_timeout(),
            self.station.poll_timeout(),
            self.server_poll_timeout(),
            // While a try is under way, its outcome is what is awaited.
            self.redial
                .filter(|_| self.pt_link.is_some_and(|id| self.link(id).is_none()))
                .map(|r| r.at),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Fires everything due at `now`; harmless when nothing is.
    pub(super) fn advance(&mut self, now: Instant) {
        if now < self.calm_until {
            debug_assert!(
                self.others_timeout().is_none_or(|t| t > now),
                "a timer moved while calm"
            );
            self.escape_due(now);
            if matches!(self.mode, Mode::Passthrough) {
                return self.pump(now);
            }
        }
        if let Mode::Busy(job) = &self.mode {
            match *job {
                Job::StartOpening { link, deadline } if now >= deadline => {
                    // SS-6: not connected in time; the link stays free.
                    self.drop_link(link);
                    self.final_result(self.d.error);
                }
                Job::Pinging { deadline, .. } if now >= deadline => self.ping_failed(),
                Job::Sending { link, deadline, .. } if now >= deadline => {
                    // SD-5: the network never took the data; the link is
                    // given up as if it had gone down.
                    self.drop_link(link);
                    self.final_result(self.d.cmdrsp_error);
                    self.link_urc(link, self.d.closed);
                }
                Job::Restart { until } if now >= until => {
                    self.final_result(self.d.ready);
                    self.station_ready(now);
                }
                _ => {}
            }
        }
        self.station_timeouts(now);
        self.server_timeouts(now);
        self.escape_due(now);
        self.redial_due(now);
        self.secure_timeouts(now);
        self.pump(now);
        self.resolver.handle_timeout(now);
        self.sntp_resolver.handle_timeout(now);
        self.sntp.handle_timeout(now);
        self.drive_dns(now);
        self.drive_sntp(now);
        let calm = matches!(self.mode, Mode::Passthrough);
        #[cfg(test)]
        let calm = calm && !self.calm_off;
        self.calm_until = match calm {
            true => self.others_timeout().unwrap_or(Instant::MAX),
            false => Instant::ZERO,
        };
    }

    /// PT-4, PT-5: an escape whose guard ended leaves passthrough, silently.
    pub(super) fn escape_due(&mut self, now: Instant) {
        if matches!(self.mode, Mode::Passthrough)
            && let Some(last_plus) = self.pt.handle_timeout(now)
        {
            self.mode = Mode::Cooldown {
                until: last_plus + self.d.escape_cooldown,
            };
            if self.redial.take().is_some() {
                // EP-7: no more tries; link 0 is free.
                if let Some(id) = self.pt_link.take() {
                    self.drop_link(id);
                }
            }
        }
    }

    /// Sends passthrough data while the link takes it (PT-2).
    pub(super) fn pump(&mut self, now: Instant) {
        let Some(id) = self.pt_link.filter(|_| self.pt.buffered() > 0) else {
            return;
        };
        let flush = !matches!(self.mode, Mode::Passthrough);
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return;
        };
        if link.in_flight() || !link.may_send() || self.net_out.len() >= self.d.net_queue / 2 {
            return;
        }
        let Some(data) = self.pt.take_packet(now, flush) else {
            return;
        };
        let Some(data) = self.seal(id, data) else {
            // A session that can seal no more ends the link (PT-6).
            return self.secure_end(id);
        };
        self.send_on(id, data, None);
    }
}
