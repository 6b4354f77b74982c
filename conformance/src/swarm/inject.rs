//! Faults and restarts from the host's side: applying the plan's events
//! to the world, what they may have lost, and the module coming back
//! (`ready`, the flash against the acknowledged settings, B-6).

use std::time::Duration;

use firmware_core::Settings;

use super::check;
use super::play::{ANSWER_LIMIT, Player, READY_LIMIT, Target, ms};
use super::session::Fault;

impl Player<'_> {
    pub(super) fn apply(&mut self, f: &Fault) {
        let name = match f {
            Fault::Cut(ip) => {
                self.cut.insert(*ip);
                self.w.cut(*ip);
                "cut"
            }
            Fault::Restore(ip) => {
                if self.cut.remove(ip) {
                    self.w.restore(*ip);
                }
                "restore"
            }
            Fault::Delay(ip, d) => {
                self.w.delay(*ip, ms(*d));
                "delay"
            }
            Fault::Crash(ip) => {
                if self.crashed.insert(*ip) {
                    self.w.crash(*ip);
                    self.lost(|t| t.ip == *ip, "the peer crashed");
                }
                "crash"
            }
            Fault::Restart(ip) => {
                if self.crashed.remove(ip) {
                    self.w.restart(*ip);
                }
                "restart"
            }
            Fault::Pause(p) | Fault::Resume(p) => {
                let on = matches!(f, Fault::Pause(_));
                self.targets[*p].shared.borrow_mut().set_paused(on);
                match on {
                    true => self.paused.insert(*p),
                    false => self.paused.remove(p),
                };
                "stall"
            }
            Fault::Loss(ip, pct) => {
                self.touched.insert(*ip);
                self.w.set_datagram_loss(*ip, *pct);
                "datagram loss"
            }
            Fault::DnsSilent(on) => {
                self.w.dns().borrow_mut().silent = *on;
                "dns silence"
            }
            Fault::PowerCycle => {
                self.power_cycle();
                "power loss"
            }
            Fault::FlowControl(on) => {
                self.disturbed += 1;
                self.w.set_flow_control(*on);
                "flow control"
            }
            Fault::HostRts(on) => {
                self.disturbed += 1;
                self.rts_off = !on;
                // Held output comes now: quiet is counted from here.
                self.last_output = self.w.now();
                self.w.host_ready(*on);
                "host stall"
            }
            Fault::Budget(n) => {
                self.w.set_flight_budget(*n);
                "flight budget"
            }
        };
        *self.stats.faults.entry(name).or_default() += 1;
    }

    /// Bytes acknowledged so far, and later on the links open now, may
    /// be lost on their way to the peers `which` picks.
    pub(super) fn lost(&mut self, which: impl Fn(&Target) -> bool, why: &'static str) {
        for s in &mut self.sends {
            if which(&self.targets[s.target]) && s.lost.is_none() {
                s.lost = Some(why);
            }
        }
        for l in self.view.links.iter().flatten() {
            if l.target.is_some_and(|t| which(&self.targets[t])) {
                self.doomed.entry(l.epoch).or_insert(why);
            }
        }
    }

    /// Cuts the module's power (a fault, or right after a store command).
    pub(super) fn power_cycle(&mut self) {
        self.w.power_cycle();
        self.power_cycles += 1;
        self.reboots += 1;
        // Bytes still on their way reach the new boot as commands.
        self.drain_after_boot = self.w.host_pending() > 0;
        self.restarting();
        self.lost(|_| true, "the module lost power");
    }

    /// The module restarts: what it said before is gone.
    pub(super) fn restarting(&mut self) {
        self.awaiting_ready = true;
        self.raw = false;
        self.events.clear();
        self.info.clear();
    }

    /// After `ready`: the view's defaults, and the flash holds what the
    /// host saw acknowledged, or a change not yet answered (B-6).
    pub(super) fn booted(&mut self) {
        self.count("ready");
        self.view.boot();
        let flash = Settings::decode(&self.w.flash());
        if let Some(d) = check::settings(&flash, &self.stored.acked, self.stored.pending.as_ref()) {
            self.find("settings", d);
        }
        self.stored.acked = flash;
        if !self.drain_after_boot {
            self.stored.pending = None;
        }
    }

    /// Waits for `ready` if a restart is under way.
    pub(super) fn ensure_ready(&mut self) {
        let end = self.w.now() + READY_LIMIT;
        while self.awaiting_ready && self.w.now() < end {
            self.tick();
        }
        if self.awaiting_ready {
            self.awaiting_ready = false;
            self.find(
                "hang",
                format!("no `ready` within {READY_LIMIT:?} of a restart"),
            );
        }
        if std::mem::take(&mut self.drain_after_boot) {
            // What the host wrote before the power went is still on the
            // line (with flow control it waited for the new boot): the new
            // boot answers it as commands; skip those answers.
            self.draining = true;
            self.quiesce();
            self.draining = false;
            self.out.clear();
            self.events.clear();
            self.info.clear();
            // The new boot may have carried out the command in transit.
            self.view.known = false;
            let flash = Settings::decode(&self.w.flash());
            let (acked, pending) = (&self.stored.acked, self.stored.pending.as_ref());
            if let Some(d) = check::settings(&flash, acked, pending) {
                self.find("settings", d);
            }
            self.stored.acked = flash;
            self.stored.pending = None;
        }
    }

    /// Runs until the line is quiet: the host's bytes delivered, its RTS
    /// asserted and no output for 300 ms (15 s at most).
    pub(super) fn quiesce(&mut self) {
        let end = self.w.now() + ANSWER_LIMIT;
        let quiet = Duration::from_millis(300);
        while (self.w.host_pending() > 0 || self.rts_off || self.w.now() < self.last_output + quiet)
            && self.w.now() < end
        {
            self.tick();
        }
    }
}
