//! Plays a [`Session`] in the simulator as a host MCU would, applying the
//! fault plan as simulated time passes, and collects what the checks need.
//!
//! The host reads the module's output as lines ([`crate::lines`]), takes
//! final results in order, and follows URCs (`CLOSED`, `CONNECT`, `ready`)
//! into its [`View`]. Every command waits for its final result (15 s at
//! most: the dialect's slowest command, a CIPSEND held back by the
//! network, answers within 10 s); a command left unanswered with no power
//! loss or host stall to explain it is a hang.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::Ipv4Addr;
use std::time::Duration;

use sim::World;
use sim::peers::{Record, Service, Shared};

use super::check::{Acked, Finding};
use super::host::{Stored, View};
use super::model::Model;
use super::session::*;
use crate::lines::next_line;

/// The longest a final result may take.
pub const ANSWER_LIMIT: Duration = Duration::from_secs(15);
/// The longest `ready` may take after a restart.
pub const READY_LIMIT: Duration = Duration::from_secs(3);
const FINALS: [&[u8]; 6] = [
    b"OK",
    b"ERROR",
    b"CMDRSP:ERROR",
    b"SEND OK",
    b">",
    b"busy p...",
];

pub(super) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// What a run did, for coverage figures.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Actions played, by kind.
    pub actions: BTreeMap<&'static str, usize>,
    /// Faults applied, by kind of event.
    pub faults: BTreeMap<&'static str, usize>,
    /// Final results and URCs seen, by line.
    pub lines: BTreeMap<String, usize>,
    /// Bytes acknowledged with `SEND OK` to peers the checks follow.
    pub acked_bytes: usize,
    /// Simulated time of the run.
    pub sim_time: Duration,
}

/// A peer stream the checks follow.
pub(super) struct Target {
    pub(super) ip: Ipv4Addr,
    pub(super) port: Option<u16>,
    pub(super) shared: Shared,
    pub(super) tcp: bool,
    pub(super) closer: bool,
}

/// A line from the module, kept in order until the host acts on it: a
/// URC changes the host's view only after the replies read before it.
pub(super) enum Ev {
    /// A final result (`OK`, `ERROR`, `>`, `SEND OK`, `busy p...`, ...).
    Final(Vec<u8>),
    /// `CLOSED` or `<id>,CLOSED`.
    Closed(Option<u32>),
    /// `CONNECT` or `<id>,CONNECT`.
    Connect(Option<u32>),
    /// An information line (`+BIPSTATUS:...`).
    Info(Vec<u8>),
    /// `+IPD,<id>,...` or `+IPD,...` (the link ID, when given).
    Ipd(Option<u32>),
}

/// Why waiting for a final result stopped without one.
pub(super) enum Stop {
    Timeout { excused: bool },
    Rebooted,
}

/// One run of one session.
pub struct Player<'s> {
    pub(super) s: &'s Session,
    /// The world.
    pub w: World,
    pub(super) t0: Duration,
    pub(super) started: bool,
    pub(super) next_fault: usize,
    pub(super) out: Vec<u8>,
    pub(super) raw: bool,
    pub(super) awaiting_ready: bool,
    /// What the host read and has not acted on yet, in order.
    pub(super) events: VecDeque<Ev>,
    pub(super) info: Vec<Vec<u8>>,
    pub(super) view: View,
    pub(super) stored: Stored,
    /// The reference model: what the dialect allows from here.
    pub(super) model: Model,
    pub(super) targets: Vec<Target>,
    pub(super) assigned: BTreeSet<usize>,
    pub(super) sends: Vec<Acked>,
    /// What the run found.
    pub findings: Vec<Finding>,
    /// What the run did.
    pub stats: Stats,
    pub(super) reboots: u32,
    pub(super) power_cycles: u32,
    pub(super) disturbed: u32,
    pub(super) crashed: BTreeSet<Ipv4Addr>,
    pub(super) cut: BTreeSet<Ipv4Addr>,
    pub(super) paused: BTreeSet<usize>,
    pub(super) touched: BTreeSet<Ipv4Addr>,
    /// Host bytes may still reach the module after a power loss: they are
    /// input to the new boot, so its replies to them are skipped.
    pub(super) drain_after_boot: bool,
    /// Skipping the new boot's answers to those bytes.
    pub(super) draining: bool,
    /// Connections (by link epoch) a fault or the peer ended: what was
    /// acknowledged on them, even later, may be lost.
    pub(super) doomed: BTreeMap<u64, &'static str>,
    /// Peers asked to close while no link went to them: the request waits
    /// for their next connection.
    pub(super) doom_next: BTreeMap<usize, &'static str>,
    /// The host holds the module's output back (RTS deasserted).
    pub(super) rts_off: bool,
    /// When the last output reached the host.
    pub(super) last_output: Duration,
}

impl<'s> Player<'s> {
    /// The world of `s`: its peers, the zone, a silent host; the module
    /// booted.
    pub fn new(s: &'s Session) -> Self {
        let uart = sim::UartConfig {
            baud: s.baud,
            flow_control: s.flow_control,
            ..Default::default()
        };
        let mut w = World::builder()
            .seed(s.seed)
            .latency(ms(s.latency_ms))
            .uart(uart)
            .build();
        let mut targets = Vec::new();
        for p in &s.peers {
            let (port, closer) = (p.port, matches!(p.kind, PeerKind::TcpCloser { .. }));
            let service = match p.kind {
                PeerKind::TcpSink => Service::TcpSink { port },
                PeerKind::TcpEcho => Service::TcpEcho { port },
                PeerKind::TcpCloser { after_ms } => Service::TcpCloser {
                    port,
                    after: ms(after_ms),
                },
                PeerKind::UdpEcho => Service::UdpEcho { port },
            };
            let tcp = p.kind != PeerKind::UdpEcho;
            let shared = w.add_service(p.ip, service);
            let port = Some(port);
            targets.push(Target {
                ip: p.ip,
                port,
                shared,
                tcp,
                closer,
            });
        }
        for id in 0..5 {
            w.add_host(peer_ip(id));
            let dns = w.dns();
            dns.borrow_mut()
                .zone
                .insert(peer_name(id), vec![Record::A(peer_ip(id))]);
        }
        w.dns()
            .borrow_mut()
            .zone
            .insert("pool.ntp.org".into(), vec![Record::A(SNTP_IP)]);
        w.add_sntp_server(SNTP_IP, 1_767_225_600_000_000);
        w.add_silent_host(SILENT_IP);
        let mut p = Player {
            s,
            w,
            t0: Duration::ZERO,
            started: false,
            next_fault: 0,
            out: Vec::new(),
            raw: false,
            awaiting_ready: true,
            events: VecDeque::new(),
            info: Vec::new(),
            view: View::default(),
            stored: Stored::default(),
            model: Model::new(sim::MODULE_IP),
            targets,
            assigned: BTreeSet::new(),
            sends: Vec::new(),
            findings: Vec::new(),
            stats: Stats::default(),
            reboots: 0,
            power_cycles: 0,
            disturbed: 0,
            crashed: BTreeSet::new(),
            cut: BTreeSet::new(),
            paused: BTreeSet::new(),
            touched: BTreeSet::new(),
            drain_after_boot: false,
            draining: false,
            doomed: BTreeMap::new(),
            doom_next: BTreeMap::new(),
            rts_off: false,
            last_output: Duration::ZERO,
        };
        p.ensure_ready();
        p.t0 = p.w.now();
        p.started = true;
        p
    }

    pub(super) fn find(&mut self, check: &'static str, detail: impl Into<String>) {
        let at = Some(self.w.now());
        self.findings.push(Finding::new(check, at, detail));
    }

    /// `ready`: the model restarts too; bytes a new boot reads as
    /// commands leave it unsure.
    fn model_ready(&mut self) {
        self.model.ready();
        if self.drain_after_boot || self.draining {
            self.model.drained();
        }
    }

    /// The model's verdict on `fin` to `line`, with the information
    /// lines read before it.
    pub(super) fn judge(&mut self, line: &[u8], fin: &[u8]) {
        for d in self.model.judge(line, fin, &self.info) {
            self.find("model", d);
        }
    }

    pub(super) fn count(&mut self, what: &str) {
        *self.stats.lines.entry(what.to_string()).or_default() += 1;
    }

    // ---- time, output, faults ----

    /// One millisecond: what reached the host, then the faults due.
    pub fn tick(&mut self) {
        self.w.step();
        self.look();
    }

    /// What reached the host, then the faults due now.
    fn look(&mut self) {
        // What came before a fault of this instant is read first: a power
        // loss then ends a boot whose output the host has all seen.
        let bytes = self.w.host_read();
        if !bytes.is_empty() {
            self.last_output = self.w.now();
            self.out.extend_from_slice(&bytes);
            self.parse();
        }
        let elapsed = self.w.now().saturating_sub(self.t0).as_millis() as u64;
        let s = self.s;
        while self.started
            && let Some((at, fault)) = s.faults.get(self.next_fault)
            && *at <= elapsed
        {
            self.next_fault += 1;
            self.apply(fault);
        }
    }

    /// Runs for `d` of simulated time. Stretches in which nothing can
    /// happen pass in one leap (`World::step_toward`): never past a byte
    /// reaching the host, nor past the next fault, so what the host reads
    /// and when faults strike are as with a step at a time.
    pub fn run_for(&mut self, d: Duration) {
        let end = self.w.now() + d;
        while self.w.now() < end {
            let fault = self
                .s
                .faults
                .get(self.next_fault)
                .filter(|_| self.started)
                .map(|&(at, _)| self.t0 + Duration::from_millis(at));
            self.w.step_toward(fault.map_or(end, |f| f.min(end)));
            self.look();
        }
    }

    pub(super) fn parse(&mut self) {
        if self.awaiting_ready {
            let Some(i) = self.out.windows(7).position(|w| w == b"ready\r\n") else {
                return;
            };
            self.out.drain(..i + 7);
            self.awaiting_ready = false;
            self.booted();
            self.model_ready();
        }
        while !self.raw {
            // The echo of `+++` typed in command mode ends no line: a URC
            // may follow on it (`+++` then `+IPD,..`), framed on its own.
            if self.out.starts_with(b"+++") {
                self.out.drain(..3);
            }
            let Some(line) = next_line(&mut self.out) else {
                break;
            };
            self.on_line(line);
        }
    }

    pub(super) fn on_line(&mut self, line: Vec<u8>) {
        if line.starts_with(b"AT") || line.starts_with(b"at") {
            // The echo of the host's own line (G-2), which ends as the host
            // ended it: after a lone CR the module's reply shares its line.
            if let Some(cr) = line.iter().position(|&b| b == b'\r')
                && cr + 1 < line.len()
            {
                self.on_line(line[cr + 1..].to_vec());
            }
            return;
        }
        if let Some(rest) = line.strip_prefix(b"+++") {
            // The echo of the escape written in command mode: whatever
            // follows it on the line is the module's.
            if !rest.is_empty() {
                self.on_line(rest.to_vec());
            }
            return;
        }
        let text = String::from_utf8_lossy(&line).into_owned();
        let id = |word: &str| {
            let head = text.strip_suffix(word)?.strip_suffix(',')?;
            head.parse::<u32>().ok().map(Some)
        };
        if line == b"ready" {
            if !self.draining {
                self.find(
                    "reply",
                    "`ready` with no restart asked for: the module restarted by itself",
                );
            }
            self.booted();
            self.model_ready();
        } else if let Some(id) = (text == "CLOSED").then_some(None).or_else(|| id("CLOSED")) {
            self.count("CLOSED");
            self.events.push_back(Ev::Closed(id));
        } else if let Some(id) = (text == "CONNECT")
            .then_some(None)
            .or_else(|| id("CONNECT"))
        {
            self.count("CONNECT");
            self.events.push_back(Ev::Connect(id));
        } else if line.starts_with(b"+IPD") {
            self.count("+IPD");
            // `+IPD,<id>,<len>:` has two numbers before the colon.
            let head = line.split(|&b| b == b':').next().unwrap_or_default();
            let nums: Vec<&[u8]> = head.split(|&b| b == b',').skip(1).collect();
            let id = nums
                .first()
                .and_then(|n| std::str::from_utf8(n).ok()?.parse().ok());
            self.events
                .push_back(Ev::Ipd(id.filter(|_| nums.len() == 2)));
        } else if FINALS.contains(&&line[..]) {
            self.count(&text);
            self.events.push_back(Ev::Final(line));
        } else {
            self.events.push_back(Ev::Info(line));
        }
    }

    /// The next final result already read, acting on the URCs and keeping
    /// the information lines before it.
    pub(super) fn take_final(&mut self) -> Option<Vec<u8>> {
        while let Some(ev) = self.events.pop_front() {
            match ev {
                Ev::Final(f) => return Some(f),
                Ev::Closed(id) => self.on_closed(id),
                Ev::Connect(id) => self.on_connect(id),
                Ev::Info(l) => self.info.push(l),
                Ev::Ipd(id) => {
                    if let Some(d) = self.model.ipd(id) {
                        self.find("model", d);
                    }
                }
            }
        }
        None
    }

    /// Acts on the URCs read so far; final results and information lines
    /// no command waits for are dropped (the finals are returned).
    pub(super) fn flush(&mut self) -> Vec<Vec<u8>> {
        let mut finals = Vec::new();
        while let Some(f) = self.take_final() {
            finals.push(f);
        }
        self.info.clear();
        finals
    }

    pub(super) fn on_closed(&mut self, id: Option<u32>) {
        if let Some(d) = self.model.closed(id) {
            self.find("model", d);
        }
        if self.view.known && id.is_none() == self.view.mux {
            self.find(
                "reply",
                format!("CLOSED line `{id:?},CLOSED` in the wrong form for CIPMUX"),
            );
        }
        let Some(id) = self.view.closed_id(id) else {
            if self.view.known {
                self.find("reply", "CLOSED with no link open");
            }
            return;
        };
        match self.view.links.get_mut(id as usize).and_then(Option::take) {
            Some(link) => {
                for s in &mut self.sends {
                    s.closed_reported |= s.conn == link.epoch;
                }
            }
            None if self.view.known => {
                self.find(
                    "reply",
                    format!("CLOSED for link {id}, which is not open (CL-3?)"),
                );
            }
            None => {}
        }
    }

    pub(super) fn on_connect(&mut self, id: Option<u32>) {
        if let Some(d) = self.model.connect(id) {
            self.find("model", d);
        }
        let slot = match id {
            Some(id) => Some(id as usize),
            None => (0..5).find(|&i| self.view.links[i].is_some_and(|l| l.server)),
        };
        let client = (0..self.targets.len())
            .rev()
            .find(|&t| self.targets[t].port.is_none() && !self.assigned.contains(&t))
            .filter(|&t| self.targets[t].shared.borrow().accepted > 0);
        match slot.and_then(|i| self.view.links.get_mut(i)?.as_mut()) {
            Some(link) if link.server && !link.udp => {
                if let Some(t) = client {
                    self.assigned.insert(t);
                    link.remote = Some(self.targets[t].ip);
                    link.target = Some(t);
                }
            }
            _ if self.view.known => {
                self.find("reply", format!("CONNECT for link {id:?}, no server link"))
            }
            _ => {}
        }
    }
}
