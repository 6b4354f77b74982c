//! The host's side of each action: command lines and their final
//! results, CIPSEND with its data, passthrough rounds, the way back to
//! commands, and what each reply tells the host's view.

use std::net::SocketAddrV4;
use std::time::Duration;

use firmware_core::Settings;
use sim::peers::{Outgoing, Service};

use super::check::Acked;
use super::play::{ANSWER_LIMIT, Player, Stop, Target, ms};
use super::session::{Action, Cmd, Command, Piece, client_ip, show};

impl Player<'_> {
    // ---- the host's commands ----

    /// The next final result, within `limit`.
    pub(super) fn wait_final(&mut self, limit: Duration) -> Result<Vec<u8>, Stop> {
        let (end, reboots, disturbed) = (self.w.now() + limit, self.reboots, self.disturbed);
        loop {
            if let Some(f) = self.take_final() {
                return Ok(f);
            }
            if self.reboots != reboots {
                return Err(Stop::Rebooted);
            }
            if self.w.now() >= end {
                let excused = self.disturbed != disturbed || self.awaiting_ready;
                return Err(Stop::Timeout { excused });
            }
            self.tick();
        }
    }

    /// The final result for `what`; a hang is a finding, and the host
    /// then brings the module back to commands.
    pub(super) fn answer(&mut self, what: &[u8]) -> Option<Vec<u8>> {
        match self.wait_final(ANSWER_LIMIT) {
            Ok(f) => Some(f),
            Err(Stop::Rebooted) => None,
            Err(Stop::Timeout { excused }) => {
                if !excused {
                    let what = show(what);
                    self.find(
                        "hang",
                        format!("no final result for {what} within {ANSWER_LIMIT:?}"),
                    );
                }
                self.view.known = false;
                self.model.lost();
                self.recover();
                None
            }
        }
    }

    /// A command's final result: the model judges it, then the host's
    /// view learns from it (its information lines go with it).
    pub(super) fn answered(&mut self, c: &Command, f: &[u8]) {
        self.judge(&c.line, f);
        self.after(c, f);
        self.info.clear();
    }

    /// Writes a line the host's own logic needs and returns its result.
    pub(super) fn internal(&mut self, line: &[u8]) -> Option<Vec<u8>> {
        self.flush();
        self.w.host_write(line);
        self.answer(line)
    }

    /// Echo off before a line whose echo could read as a reply.
    pub(super) fn echo_safe(&mut self, line: &[u8]) {
        let body = line.trim_ascii_end();
        let safe = (body.starts_with(b"AT") || body.starts_with(b"at"))
            && !body.contains(&b'\r')
            && !body.contains(&b'\n');
        if self.view.echo && !safe {
            let f = self.internal(b"ATE0\r\n");
            if let Some(f) = &f {
                self.judge(b"ATE0\r\n", f);
            }
            if f.as_deref() == Some(b"OK") {
                self.view.echo = false;
            }
        }
    }

    /// The escape with its guard times, then `AT` until `OK`: the way back
    /// to commands from passthrough or anything else. False if no `OK`.
    pub fn recover(&mut self) -> bool {
        self.run_for(ms(50));
        self.w.host_write(b"+++");
        self.run_for(ms(1100));
        if self.raw {
            // Passthrough output held back (RTS) comes now: all of it is
            // raw data, not replies.
            self.quiesce();
            // PT-6: a link that closed in passthrough says CLOSED there.
            let closed = self.out.windows(8).any(|w| w == b"CLOSED\r\n");
            self.model.passthrough_over(closed);
            if closed {
                for l in self.view.links.iter_mut().filter_map(Option::take) {
                    for s in &mut self.sends {
                        s.closed_reported |= s.conn == l.epoch;
                    }
                }
            }
            self.raw = false;
            self.out.clear();
            self.view.known = false;
        }
        self.flush();
        self.w.host_write(b"\r\nAT\r\n");
        let (reboots, disturbed) = (self.reboots, self.disturbed);
        let end = self.w.now() + ms(5000);
        while self.w.now() < end {
            match self.wait_final(end - self.w.now()) {
                Ok(f) if f == b"OK" => return true,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        if self.reboots == reboots && self.disturbed == disturbed {
            self.find("hang", "no OK to AT within 5 s of the guarded escape");
        }
        false
    }

    /// Plays one action.
    pub fn act(&mut self, a: &Action) {
        let kind = match a {
            Action::Command(c) => match c.cmd {
                Cmd::Invalid => "invalid line",
                Cmd::Unknown => "random line",
                Cmd::Start {
                    server: Some(_), ..
                } => "CIPSTART server",
                Cmd::Start { .. } => "CIPSTART",
                Cmd::Status => "CIPSTATUS",
                Cmd::SysStore(_) | Cmd::Dns(_) | Cmd::DnsAuto => "settings",
                Cmd::Reset | Cmd::Restore => "restart",
                _ => "command",
            },
            Action::Busy(..) => "busy pair",
            Action::Send { .. } => "CIPSEND",
            Action::Passthrough(_) => "passthrough",
            Action::Raw(_) => "random bytes",
            Action::PeerSend { .. } => "peer sends",
            Action::PeerClose { .. } => "peer closes",
            Action::Connect { .. } => "client connects",
            Action::PowerLossAfter { .. } => "store then power loss",
            Action::Wait(_) => "wait",
        };
        *self.stats.actions.entry(kind).or_default() += 1;
        self.ensure_ready();
        self.flush();
        match a {
            Action::Command(c) => self.command(c),
            Action::Busy(a, b) => self.busy(a, b),
            Action::Send {
                id,
                len,
                line,
                data,
                split,
                gap_ms,
                then_at,
            } => self.send(*id, *len, line, data, split, *gap_ms, *then_at),
            Action::Passthrough(pieces) => self.passthrough(pieces),
            Action::Raw(bytes) => {
                self.echo_safe(b"\x00");
                self.w.host_write(&[&bytes[..], b"\r\n"].concat());
                self.run_for(self.wire(bytes.len()) + ms(300));
                let finals = self.flush();
                if finals.iter().any(|f| f != b"ERROR") {
                    self.model.lost();
                    self.view.known = false;
                    self.stored.acked = Settings::decode(&self.w.flash());
                }
                if finals.iter().any(|f| f == b">") {
                    self.unstick("random bytes");
                }
            }
            Action::PeerSend { peer, data } => {
                self.targets[*peer]
                    .shared
                    .borrow_mut()
                    .push(Outgoing::Send(data.clone()));
                self.run_for(ms(20));
            }
            Action::PeerClose { peer } => {
                self.targets[*peer]
                    .shared
                    .borrow_mut()
                    .push(Outgoing::Close);
                let (ip, port) = (self.targets[*peer].ip, self.targets[*peer].port);
                if !self
                    .view
                    .links
                    .iter()
                    .flatten()
                    .any(|l| l.target == Some(*peer))
                {
                    self.doom_next.insert(*peer, "the peer closed");
                }
                self.lost(|t| t.ip == ip && t.port == port, "the peer closed");
                self.run_for(ms(20));
            }
            Action::Connect { port } => {
                let n = self.targets.len();
                let to = SocketAddrV4::new(sim::MODULE_IP, *port);
                let shared = self.w.add_service(client_ip(n), Service::TcpClient { to });
                let ip = client_ip(n);
                self.targets.push(Target {
                    ip,
                    port: None,
                    shared,
                    tcp: true,
                    closer: false,
                });
                self.run_for(ms(30));
            }
            Action::PowerLossAfter { cmd, after_us } => {
                self.stored.sending(&cmd.cmd);
                self.model.sent(&cmd.line);
                self.w.host_write(&cmd.line);
                self.run_for(Duration::from_micros(*after_us));
                if let Some(f) = self.take_final() {
                    self.answered(cmd, &f);
                }
                self.power_cycle();
                *self.stats.faults.entry("power loss mid-store").or_default() += 1;
            }
            Action::Wait(n) => self.run_for(ms(*n)),
        }
    }

    pub(super) fn wire(&self, n: usize) -> Duration {
        Duration::from_micros(n as u64 * 10_000_000 / u64::from(self.s.baud))
    }

    pub(super) fn command(&mut self, c: &Command) {
        self.echo_safe(&c.line);
        self.flush();
        self.stored.sending(&c.cmd);
        self.model.sent(&c.line);
        self.w.host_write(&c.line);
        if let Some(f) = self.answer(&c.line) {
            self.answered(c, &f);
        }
    }

    pub(super) fn busy(&mut self, a: &Command, b: &Command) {
        self.stored.sending(&a.cmd);
        self.model.sent(&a.line);
        let reboots = self.reboots;
        self.w.host_write(&a.line);
        self.run_for(self.wire(a.line.len()) + ms(5));
        if self.reboots != reboots {
            return; // the first line died with the power
        }
        self.w.host_write(&b.line);
        let Some(first) = self.answer(&a.line) else {
            return;
        };
        if first == b"busy p..." {
            for d in self.model.busy_while(&a.line, false) {
                self.find("model", d);
            }
            if let Some(f) = self.answer(&a.line) {
                self.answered(a, &f);
            }
        } else {
            self.answered(a, &first);
            if let Some(f) = self.answer(&b.line) {
                self.answered(b, &f);
            }
        }
    }

    /// A prompt nobody asked for: fill any CIPSEND, then escape.
    pub(super) fn unstick(&mut self, after: &str) {
        self.model.lost();
        self.find("reply", format!("a `>` prompt after {after}"));
        self.w.host_write(&[b'x'; 2048]);
        self.raw = true;
        self.recover();
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &mut self,
        id: u32,
        len: u32,
        line: &[u8],
        data: &[u8],
        split: &[usize],
        gap_ms: u64,
        then_at: bool,
    ) {
        let link = self.view.links.get(id as usize).copied().flatten();
        let target = link.filter(|l| self.view.known && !l.udp && l.target.is_some());
        self.w.host_write(line);
        let line_in = self.w.now() + self.wire(line.len());
        let Some(f) = self.answer(line) else { return };
        self.judge(line, &f);
        self.info.clear();
        if f != b">" {
            return;
        }
        // G-1, SD-4: an LF this soon after a CR-ended line is that line's
        // (the UART cut its CRLF in two); data that starts with LF after a
        // lone CR waits the dialect's window out, as a careful host does.
        let lf_after = line_in + firmware_core::SEED.lf_window + ms(1);
        if line.ends_with(b"\r") && data.first() == Some(&b'\n') && self.w.now() < lf_after {
            self.run_for(lf_after - self.w.now());
        }
        if !(1..=2048).contains(&len) {
            self.find("reply", format!("a prompt to {} (SD-2)", show(line)));
        }
        let (mut from, reboots) = (0, self.reboots);
        for &cut in split.iter().chain([&data.len()]) {
            if self.reboots != reboots {
                return; // the module restarted: the rest is no data now
            }
            self.w.host_write(&data[from..cut]);
            if cut < data.len() && gap_ms > 0 {
                self.run_for(self.wire(cut - from) + ms(gap_ms));
            }
            from = cut;
        }
        if then_at {
            self.w.host_write(b"AT\r\n");
        }
        let mut busy = false;
        let f = loop {
            match self.answer(line) {
                Some(f) if then_at && !busy && f == b"busy p..." => {
                    busy = true;
                    for d in self.model.busy_while(line, true) {
                        self.find("model", d);
                    }
                }
                other => break other,
            }
        };
        for d in f
            .as_deref()
            .map(|f| self.model.data_final(f))
            .unwrap_or_default()
        {
            self.find("model", d);
        }
        self.info.clear();
        if f.as_deref() == Some(b"SEND OK")
            && let Some(l) = target
            && let Some(t) = l.target
        {
            self.stats.acked_bytes += data.len();
            let at = self.w.now();
            let (data, closed_reported, lost) = (data.to_vec(), false, None);
            let acked = Acked {
                link: id,
                conn: l.epoch,
                target: t,
                data,
                at,
                closed_reported,
                lost,
            };
            self.sends.push(acked);
        }
        if then_at
            && !busy
            && f.is_some()
            && let Some(f) = self.answer(b"AT\r\n")
        {
            self.judge(b"AT\r\n", &f);
        }
    }

    pub(super) fn passthrough(&mut self, pieces: &[Piece]) {
        let enter = b"AT+CIPSEND\r\n";
        self.w.host_write(enter);
        let f = self.answer(enter);
        if let Some(f) = &f {
            self.judge(enter, f);
        }
        if f.as_deref() != Some(b">") {
            return;
        }
        self.count("passthrough");
        self.raw = true;
        let reboots = self.reboots;
        for p in pieces {
            if self.reboots != reboots {
                return;
            }
            match p {
                Piece::Data(d) => {
                    self.w.host_write(d);
                    self.run_for(self.wire(d.len()));
                }
                Piece::Pause(n) => self.run_for(ms(*n)),
                Piece::Plus => {
                    self.w.host_write(b"+++");
                    self.run_for(self.wire(3));
                }
            }
        }
        let plus = pieces.contains(&Piece::Plus);
        self.model.passthrough_typed(plus);
        self.recover();
    }
}
