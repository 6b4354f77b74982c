//! The generator: a seed becomes a [`Session`].
//!
//! Actions come in small templates (open a link, send on it, a passthrough
//! round, switch CIPMUX, store settings, ...) chosen at random, so that
//! most commands are valid in the state the earlier ones probably left
//! (the generator keeps a rough guess of it) and the rest are borderline,
//! invalid or random. Faults come from a random subset of the kinds, each
//! with random instants and intensities (swarm testing: a seed that leaves
//! a kind out explores what that kind would have masked).

use super::commands::{command, invalid, query, settings, slow, start, unknown};
use super::plan::{faults, peers};
use super::rng::Rng;
use super::session::*;

/// Bytes the host types into data: random, text that looks like commands
/// or escapes, or both.
fn data(r: &mut Rng, len: usize) -> Vec<u8> {
    let words: [&[u8]; 6] = [
        b"AT\r\n",
        b"+++",
        b"\r\n",
        b"OK",
        b"+IPD,0,4:",
        b"ERROR\r\n",
    ];
    let mut out = Vec::with_capacity(len);
    let textual = r.chance(25);
    while out.len() < len {
        if textual && r.chance(30) {
            let word = words[r.below(words.len() as u64) as usize];
            out.extend_from_slice(word);
        } else {
            out.push(r.next_u64() as u8);
        }
    }
    out.truncate(len);
    out
}

/// The generator's guess of the module's state.
struct Gen {
    r: Rng,
    baud: u32,
    peers: Vec<PeerPlan>,
    power: bool,
    mux: bool,
    mode: bool,
    /// Which peer (if any) each link probably goes to; `Some(None)` for a
    /// link to no peer of ours (a server link).
    open: [Option<Option<usize>>; 5],
    actions: Vec<Action>,
    /// Estimated simulated time of the actions so far, in ms.
    est: u64,
}

impl Gen {
    fn push(&mut self, a: Action, ms: u64) {
        self.actions.push(a);
        self.est += ms;
    }

    /// Milliseconds to send `n` bytes on the UART.
    fn wire(&self, n: usize) -> u64 {
        n as u64 * 10_000 / u64::from(self.baud)
    }

    fn cmd(&mut self, c: Command) {
        let ms = 20 + self.wire(c.line.len());
        self.push(Action::Command(c), ms);
    }

    fn text(&mut self, cmd: Cmd, text: &str) {
        let c = command(&mut self.r, cmd, text);
        self.cmd(c);
    }

    fn any_open(&self) -> bool {
        self.open.iter().any(Option::is_some)
    }

    fn close_all(&mut self) {
        if self.any_open() || self.r.chance(30) {
            self.text(Cmd::Close(5), "AT+CIPCLOSE=5");
        }
        self.open = [None; 5];
    }

    /// A link ID for a new link.
    fn new_id(&mut self) -> u32 {
        match self.mux {
            true => self.r.below(5) as u32,
            false if self.r.chance(85) => 0,
            false => self.r.below(5) as u32,
        }
    }

    /// A link that is probably open (or any ID).
    fn some_link(&mut self) -> u32 {
        let open: Vec<u32> = (0..5)
            .filter(|&i| self.open[i as usize].is_some())
            .collect();
        match open.is_empty() || self.r.chance(5) {
            true => self.r.below(5) as u32,
            false => *self.r.pick(&open),
        }
    }

    fn open_link(&mut self, id: u32, tcp_only: bool) {
        let ip = peer_ip(id);
        let mine: Vec<usize> = (0..self.peers.len())
            .filter(|&p| self.peers[p].ip == ip)
            .filter(|&p| !tcp_only || self.peers[p].kind != PeerKind::UdpEcho)
            .collect();
        let choice = self.r.weighted(&[88, 2, 5, 5]);
        let c = match choice {
            0 if !mine.is_empty() => {
                let p = *self.r.pick(&mine);
                let udp = self.peers[p].kind == PeerKind::UdpEcho;
                self.open[id as usize] = Some(Some(p));
                start(
                    &mut self.r,
                    id,
                    udp,
                    ip,
                    u32::from(self.peers[p].port),
                    None,
                )
            }
            1 => start(&mut self.r, id, false, SILENT_IP, 80, None),
            2 => {
                self.open[id as usize] = Some(None);
                let udp = !tcp_only && self.r.chance(30);
                let server = Some(SERVER_PORT + u16::from(udp));
                start(&mut self.r, id, udp, ip, u32::from(UDP_ECHO), server)
            }
            _ => start(&mut self.r, id, false, ip, u32::from(NOBODY), None),
        };
        let silent = matches!(c.cmd, Cmd::Start { remote, .. } if remote == SILENT_IP);
        self.cmd(c);
        self.est += if silent { 5000 } else { 0 };
        if choice == 2 && self.r.chance(70) {
            self.push(Action::Connect { port: SERVER_PORT }, 30);
        }
    }

    fn sends(&mut self) {
        if !self.any_open() && self.r.chance(80) {
            let id = self.new_id();
            self.open_link(id, true);
        }
        let id = self.some_link();
        for _ in 0..self.r.range(1, 4) {
            let len = match self.r.weighted(&[5, 5, 50, 30, 10]) {
                0 => 1,
                1 => 2048,
                2 => self.r.range(2, 64),
                3 => self.r.range(65, 600),
                _ => self.r.range(601, 2047),
            } as usize;
            let data = data(&mut self.r, len);
            let mut split: Vec<usize> = (0..self.r.below(3))
                .map(|_| self.r.range(1, len as u64) as usize)
                .collect();
            split.sort_unstable();
            split.dedup();
            let gap_ms = match self.r.weighted(&[60, 30, 10]) {
                0 => 0,
                1 => self.r.range(1, 100),
                _ => self.r.range(500, 2500),
            };
            let line = command(&mut self.r, Cmd::Query, &format!("AT+CIPSEND={id},{len}")).line;
            let ms = 40 + self.wire(line.len() + len) + gap_ms * split.len() as u64;
            let then_at = self.r.chance(10);
            let send = Action::Send {
                id,
                len: len as u32,
                line,
                data,
                split,
                gap_ms,
                then_at,
            };
            self.push(send, ms);
        }
    }

    fn passthrough(&mut self) {
        if self.mux {
            self.close_all();
            self.text(Cmd::Mux(false), "AT+CIPMUX=0");
            self.mux = false;
        }
        if !self.mode {
            self.text(Cmd::Mode(true), "AT+CIPMODE=1");
            self.mode = true;
        }
        if self.open[0].is_none() || self.r.chance(20) {
            self.close_all();
            let tcp_only = self.r.chance(85);
            self.open_link(0, tcp_only);
        }
        let mut pieces = Vec::new();
        let mut bytes = 0;
        for _ in 0..self.r.range(1, 6) {
            let p = match self.r.weighted(&[50, 25, 15, 10]) {
                0 => {
                    let n = match self.r.chance(5) {
                        true => self.r.range(8000, 12000),
                        false => self.r.range(1, 3000),
                    } as usize;
                    bytes += n;
                    Piece::Data(data(&mut self.r, n))
                }
                1 => Piece::Pause(self.r.range(0, 120)),
                2 => Piece::Plus,
                _ => {
                    // A guarded escape in the middle: what follows within
                    // 1 s is discarded (PT-5).
                    pieces.push(Piece::Pause(self.r.range(21, 60)));
                    pieces.push(Piece::Plus);
                    Piece::Pause(self.r.range(21, 60))
                }
            };
            pieces.push(p);
        }
        let ms = 1400 + self.wire(bytes) * 2;
        self.push(Action::Passthrough(pieces), ms);
        if self.r.chance(50) {
            self.text(Cmd::Mode(false), "AT+CIPMODE=0");
            self.mode = false;
        }
    }

    fn mux_switch(&mut self) {
        let on = self.r.chance(60);
        if self.any_open() && self.r.chance(25) {
            // MX-2, MD-2: a switch with links open, or passthrough mode
            // with CIPMUX=1, is refused; the guess of the state stays.
            match self.mux && self.r.chance(40) {
                true => self.text(Cmd::Mode(true), "AT+CIPMODE=1"),
                false => self.text(Cmd::Mux(on), &format!("AT+CIPMUX={}", u8::from(on))),
            }
            return;
        }
        self.close_all();
        if on && self.mode {
            self.text(Cmd::Mode(false), "AT+CIPMODE=0");
            self.mode = false;
        }
        self.text(Cmd::Mux(on), &format!("AT+CIPMUX={}", u8::from(on)));
        self.mux = on;
    }

    fn settings(&mut self) {
        let c = settings(&mut self.r);
        if self.power && self.r.chance(40) {
            let byte_us = 10_000_000 / u64::from(self.baud);
            let after_us = byte_us * (c.line.len() as u64 + 10) + self.r.range(0, 4000);
            self.push(Action::PowerLossAfter { cmd: c, after_us }, 400);
            self.booted();
        } else {
            self.cmd(c);
        }
    }

    /// What a restart leaves (B-2).
    fn booted(&mut self) {
        (self.mux, self.mode, self.open) = (false, false, [None; 5]);
    }

    fn peer_action(&mut self) {
        if self.peers.is_empty() {
            return;
        }
        let linked: Vec<usize> = self.open.iter().flatten().flatten().copied().collect();
        let p = match linked.is_empty() {
            true => self.r.below(self.peers.len() as u64) as usize,
            false => *self.r.pick(&linked),
        };
        if self.r.chance(85) {
            let n = self.r.range(1, 1500) as usize;
            let data = self.r.bytes(n);
            self.push(Action::PeerSend { peer: p, data }, 20);
        } else {
            self.push(Action::PeerClose { peer: p }, 20);
        }
    }

    fn template(&mut self) {
        let w = [14, 20, 6, 4, 6, 8, 8, 5, 10, 3, 3, 7, 3, 6, 2, 1, 1];
        match self.r.weighted(&w) {
            0 => {
                let id = self.new_id();
                self.open_link(id, false);
            }
            1 => self.sends(),
            2 => self.passthrough(),
            3 => self.mux_switch(),
            4 => {
                let id = self.some_link();
                self.open[id as usize] = None;
                self.text(Cmd::Close(id), &format!("AT+CIPCLOSE={id}"));
            }
            5 => self.text(Cmd::Status, "AT+CIPSTATUS?"),
            6 => {
                let c = query(&mut self.r);
                self.cmd(c);
                self.est += 1000;
            }
            7 => self.settings(),
            8 => {
                let c = match self.r.chance(60) {
                    true => invalid(&mut self.r),
                    false => unknown(&mut self.r),
                };
                self.cmd(c);
            }
            9 => {
                let n = self.r.range(1, 64) as usize;
                let raw = self.r.bytes(n);
                self.push(Action::Raw(raw), 300);
            }
            10 => {
                let (a, b) = (slow(&mut self.r), query(&mut self.r));
                self.push(Action::Busy(a, b), 5000);
            }
            11 => self.peer_action(),
            12 => {
                let on = self.r.chance(50);
                self.text(Cmd::Echo(on), if on { "ATE1" } else { "ATE0" });
            }
            13 => {
                let ms = match self.r.chance(70) {
                    true => self.r.range(1, 200),
                    false => self.r.range(200, 3000),
                };
                self.push(Action::Wait(ms), ms);
            }
            14 => {
                let ms = self.r.range(0, 300);
                self.push(Action::Wait(ms), ms);
                self.status_after_wait();
            }
            15 => {
                self.text(Cmd::Reset, "AT+RST");
                self.est += 400;
                self.booted();
            }
            _ => {
                self.text(Cmd::Restore, "AT+RESTORE");
                self.est += 400;
                self.booted();
            }
        }
    }

    fn status_after_wait(&mut self) {
        self.text(Cmd::Status, "AT+CIPSTATUS?");
    }
}

/// The session seed `seed` stands for.
pub fn generate(seed: u64) -> Session {
    let mut r = Rng::new(seed, 1);
    let baud = [115_200, 921_600, 57_600][r.weighted(&[70, 25, 5])];
    let latency_ms = if r.chance(50) { 1 } else { r.range(1, 40) };
    let flow_control = r.chance(20);
    let peers = peers(&mut r);
    let mut kr = Rng::new(seed, 2);
    let kinds: Vec<FaultKind> = FaultKind::ALL
        .into_iter()
        .filter(|_| kr.chance(40))
        .collect();
    let mut g = Gen {
        r,
        baud,
        peers,
        power: kinds.contains(&FaultKind::PowerLoss),
        mux: false,
        mode: false,
        open: [None; 5],
        actions: Vec::new(),
        est: 0,
    };
    for _ in 0..g.r.range(6, 30) {
        g.template();
    }
    let mut s = Session {
        seed,
        baud,
        latency_ms,
        flow_control,
        peers: g.peers,
        kinds,
        faults: Vec::new(),
        actions: g.actions,
    };
    s.faults = faults(&mut Rng::new(seed, 3), &s, g.est.max(1000));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_one_session() {
        assert_eq!(generate(42), generate(42));
        assert_ne!(generate(42), generate(43));
    }

    #[test]
    fn sessions_cover_the_dialect_and_every_fault_kind() {
        let sessions: Vec<Session> = (0..200).map(generate).collect();
        for kind in FaultKind::ALL {
            assert!(sessions.iter().any(|s| s.kinds.contains(&kind)), "{kind:?}");
        }
        let all: Vec<&Action> = sessions.iter().flat_map(|s| &s.actions).collect();
        let has = |f: &dyn Fn(&Action) -> bool| all.iter().any(|a| f(a));
        assert!(has(&|a| matches!(a, Action::Passthrough(_))));
        assert!(has(&|a| matches!(a, Action::Send { len: 2048, .. })));
        assert!(has(&|a| matches!(a, Action::PowerLossAfter { .. })));
        assert!(has(&|a| matches!(a, Action::Connect { .. })));
        assert!(has(
            &|a| matches!(a, Action::Command(c) if c.cmd == Cmd::Invalid)
        ));
        assert!(has(
            &|a| matches!(a, Action::Command(c) if c.cmd == Cmd::Unknown)
        ));
        let text = sessions[0].to_string();
        assert!(text.starts_with("session seed 0"), "{text}");
    }
}
