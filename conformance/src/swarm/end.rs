//! The end of a session: every fault repaired, the module brought back to
//! commands (no hang), then the checks that need a quiet network:
//! CIPSTATUS against the host's view and the peers' connections, a full
//! close that must leave no peer connection behind, every acknowledged
//! byte at its peer, and the flash holding the acknowledged settings.

use std::time::Duration;

use firmware_core::Settings;

use super::check::{self, Acked, Finding, PeerView};
use super::play::{Player, ms};
use super::session::{Cmd, Command, FaultKind, peer_ip};

/// How long the network gets to settle before the end checks.
pub const SETTLE: Duration = Duration::from_secs(2);

impl Player<'_> {
    /// Repairs every fault still in force; the rest of the plan is dropped.
    fn repair(&mut self) {
        self.next_fault = self.s.faults.len();
        for ip in std::mem::take(&mut self.cut) {
            self.w.restore(ip);
        }
        for ip in std::mem::take(&mut self.crashed) {
            self.w.restart(ip);
        }
        for p in std::mem::take(&mut self.paused) {
            self.targets[p].shared.borrow_mut().set_paused(false);
        }
        for ip in std::mem::take(&mut self.touched) {
            self.w.set_datagram_loss(ip, 0);
        }
        if self.s.kinds.contains(&FaultKind::Delay) {
            for id in 0..5 {
                self.w.delay(peer_ip(id), ms(self.s.latency_ms));
            }
        }
        self.w.dns().borrow_mut().silent = false;
        self.w.host_ready(true);
        self.rts_off = false;
        self.w.set_flight_budget(sim::flight::DEFAULT_BUDGET);
    }

    fn peers(&self) -> Vec<PeerView> {
        self.targets
            .iter()
            .filter(|t| t.tcp)
            .map(|t| PeerView {
                ip: t.ip,
                port: t.port,
                open: t.shared.borrow().open_connections,
            })
            .collect()
    }

    /// The end checks; the findings land in `self.findings`.
    pub fn finish(&mut self) {
        self.repair();
        self.ensure_ready();
        self.recover();
        self.run_for(SETTLE);
        let half_open = self.power_cycles > 0;
        let status = b"AT+CIPSTATUS?\r\n";
        let f = self.internal(status);
        if let Some(f) = &f {
            self.judge(status, f);
        }
        if f.as_deref() == Some(b"OK") {
            let module = self.status();
            let found = check::network(&module, &self.peers(), half_open);
            self.stamp(found);
        }
        let close = Command {
            cmd: Cmd::Close(5),
            line: b"AT+CIPCLOSE=5\r\n".to_vec(),
        };
        if let Some(f) = self.internal(&close.line) {
            self.answered(&close, &f);
            self.run_for(SETTLE);
            for p in self
                .peers()
                .into_iter()
                .filter(|p| p.open > 0 && !half_open)
            {
                let at = format!(
                    "{}:{}",
                    p.ip,
                    p.port.map_or("client".into(), |n| n.to_string())
                );
                let what = format!("{at} still holds {} connections after CIPCLOSE=5", p.open);
                self.find("network", what);
            }
        }
        let received: Vec<Vec<u8>> = self
            .targets
            .iter()
            .map(|t| t.shared.borrow().received.clone())
            .collect();
        let sends: Vec<Acked> = self
            .sends
            .iter()
            .map(|s| Acked {
                lost: s.lost.or_else(|| self.doomed.get(&s.conn).copied()),
                ..s.clone()
            })
            .collect();
        self.findings.extend(check::integrity(&sends, &received));
        let flash = Settings::decode(&self.w.flash());
        if let Some(d) = check::settings(&flash, &self.stored.acked, self.stored.pending.as_ref()) {
            self.find("settings", d);
        }
        self.stats.sim_time = self.w.now();
    }

    fn stamp(&mut self, found: Vec<Finding>) {
        let now = self.w.now();
        self.findings
            .extend(found.into_iter().map(|f| Finding { at: Some(now), ..f }));
    }
}
