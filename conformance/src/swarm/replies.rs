//! What the module's final results and CIPSTATUS replies tell the host:
//! its view of links, modes and stored settings, and the replies that
//! break the dialect on their own (an `OK` to a refused line, a prompt
//! nobody asked for, a CIPSTATUS that disagrees with what came before).

use firmware_core::Settings;

use super::check;
use super::host::Link;
use super::play::{Player, ms};
use super::session::{Cmd, Command, show};

impl Player<'_> {
    /// What a final result to `c` tells the host.
    pub(super) fn after(&mut self, c: &Command, f: &[u8]) {
        let ok = f == b"OK";
        if matches!(
            c.cmd,
            Cmd::SysStore(_) | Cmd::Dns(_) | Cmd::DnsAuto | Cmd::Restore
        ) {
            self.stored.answered(ok);
        }
        if f == b">" {
            return self.unstick(&show(&c.line));
        }
        let accepted = ok || f == b"SEND OK";
        match &c.cmd {
            Cmd::Invalid if accepted => {
                let what = format!(
                    "{} answered {}: the dialect refuses it",
                    show(&c.line),
                    show(f)
                );
                self.find("reply", what);
                self.view.known = false;
            }
            Cmd::Unknown if accepted => {
                self.view.known = false;
                self.stored.acked = Settings::decode(&self.w.flash());
            }
            Cmd::Start {
                id,
                udp,
                remote,
                port,
                server,
            } if ok => {
                if self.view.known && self.view.links[*id as usize].is_some() {
                    self.find(
                        "reply",
                        format!("OK to CIPSTART on link {id}, which is open (SS-9)"),
                    );
                }
                let target = (0..self.targets.len()).find(|&t| {
                    let x = &self.targets[t];
                    x.ip == *remote && x.port == Some(*port as u16) && x.tcp != *udp
                });
                let link = Link {
                    udp: *udp,
                    server: server.is_some(),
                    remote: server.is_none().then_some(*remote),
                    port: Some(*port as u16),
                    target: target.filter(|_| server.is_none()),
                    epoch: 0,
                };
                let epoch = self.view.open(*id, link);
                if let Some(why) = link.target.and_then(|t| self.doom_next.remove(&t)) {
                    self.doomed.insert(epoch, why);
                }
                // A closer drops what arrives after it closed, whenever
                // that is (a cut or a delay may hold the bytes past it).
                if link.target.is_some_and(|t| self.targets[t].closer) {
                    self.doomed.insert(epoch, "a closer peer closes on its own");
                }
            }
            Cmd::Close(id) if ok => {
                let ids = if *id == 5 { 0..5 } else { *id..*id + 1 };
                for i in ids {
                    if let Some(slot) = self.view.links.get_mut(i as usize) {
                        *slot = None;
                    }
                }
                if *id == 5 {
                    self.view.known = true;
                }
            }
            Cmd::Mux(on) if ok => self.view.mux = *on,
            Cmd::Mode(on) if ok => self.view.mode = *on,
            Cmd::Echo(on) if ok => self.view.echo = *on,
            Cmd::Status if ok => drop(self.status()),
            Cmd::Reset | Cmd::Restore if ok => {
                // B-2: every link is dropped, with what it still held.
                self.lost(|_| true, "the module restarted");
                self.reboots += 1;
                self.restarting();
            }
            _ => {}
        }
    }

    /// A CIPSTATUS reply against the view; if the view was uncertain, it
    /// settles it where it can.
    pub(super) fn status(&mut self) -> Vec<check::StatusLine> {
        let lines: Vec<check::StatusLine> = self
            .info
            .iter()
            .filter(|l| l.starts_with(b"+BIPSTATUS"))
            .filter_map(|l| check::parse_status(l))
            .collect();
        if !self.view.known {
            self.view.resync(&lines);
            return lines;
        }
        if check::status(&self.view.expected(), &lines).is_some() {
            // A CLOSED right behind the reply may explain it (G-7).
            self.run_for(ms(300));
            self.flush();
            if self.view.known
                && let Some(d) = check::status(&self.view.expected(), &lines)
            {
                self.find("status", d);
                self.view.known = false;
            }
        }
        lines
    }
}
