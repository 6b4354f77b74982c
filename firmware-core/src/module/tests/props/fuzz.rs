//! Any input: no panic, memory within the dialect, the `poll_timeout`
//! contract, and output that ignores how UART bytes split.
//!
//! The driver here plays a careless host and a hostile network: UART bytes
//! biased towards command fragments, whole command lines, events for the
//! sockets the module asked for (and for sockets it never named), answers
//! to its DNS and SNTP queries, and time jumps from a microsecond to an hour.

use alloc::vec;
use core::net::SocketAddrV4;

use super::*;

mod ops;

use ops::{Boot, From, Net, Op, Sock, boot, op};

/// The most commands one input may queue for the network: a restart or
/// `AT+CIPCLOSE=5` closes every link, a CIPSTART opens one, and DNS, SNTP
/// and passthrough each add one at a time. Generous; the queue is drained
/// after every input anyway.
const NET_COMMANDS_MAX: usize = 2 * SEED.links as usize + 4;

/// The careless host and the hostile network around one module.
struct Rig {
    m: Module,
    now: Instant,
    /// Whether the host reads every UART byte after every input.
    reads_all: bool,
    /// Every UART byte read so far.
    out: Vec<u8>,
    /// Every network command so far.
    net: Vec<NetCommand>,
    /// Every socket the module named, oldest first.
    sockets: Vec<SocketId>,
    /// Host bytes the module has not taken yet.
    pending: Vec<u8>,
    /// The sockets of `Send`s on links not yet answered, oldest first.
    unacked: VecDeque<SocketId>,
}

impl Rig {
    fn new(boot: &Boot, reads_all: bool) -> Self {
        let m = match boot {
            Boot::Raw(stored) => Module::new(&SEED, stored, 11),
            Boot::Ready { echo: false } => Driver::booted().m,
            Boot::Ready { echo: true } => Driver::power_on(&[]).m,
        };
        let mut rig = Rig {
            m,
            now: Instant::ZERO,
            reads_all,
            out: Vec::new(),
            net: Vec::new(),
            // The harness's boot took the internal sockets' Binds.
            sockets: match boot {
                Boot::Raw(_) => Vec::new(),
                Boot::Ready { .. } => (0..3).map(SocketId).collect(),
            },
            pending: Vec::new(),
            unacked: VecDeque::new(),
        };
        rig.check();
        rig.drain();
        rig
    }

    fn apply(&mut self, op: &Op, split_uart: bool) {
        match op {
            Op::Uart { bytes, cuts } if split_uart => {
                for piece in cuts.split(bytes) {
                    self.uart(piece);
                }
            }
            Op::Uart { bytes, .. } => self.uart(bytes),
            Op::Net(n) => self.net(n),
            Op::Wait(by) => self.wait(*by),
            Op::Read(n) => {
                let mut buf = vec![0; *n];
                let got = self.m.poll_uart(&mut buf);
                self.out.extend_from_slice(&buf[..got]);
                self.check();
                self.offer();
            }
            Op::Open(line) => self.open(line),
            Op::Passthrough => {
                self.uart(b"AT+CIPMODE=1\r\n");
                self.open(b"AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",1\r\n");
                self.uart(b"AT+CIPSEND\r\n");
            }
        }
        // A tick at the same instant: nothing is due, and the contract
        // holds in every state.
        self.tick(self.now);
    }

    fn uart(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        self.offer();
    }

    /// Offers the host's waiting bytes until the module takes no more.
    fn offer(&mut self) {
        while !self.pending.is_empty() {
            let used = self.m.handle_uart(self.now, &self.pending);
            assert!(used <= self.pending.len());
            self.check();
            self.pending.drain(..used);
            self.drain();
            if used == 0 {
                break;
            }
        }
    }

    /// `line`, and every socket it asks for opened at once.
    fn open(&mut self, line: &[u8]) {
        let before = self.net.len();
        self.uart(line);
        let asked: Vec<(SocketId, bool)> = self.net[before..]
            .iter()
            .filter_map(|c| match c {
                NetCommand::Connect { socket, .. } | NetCommand::Bind { socket, .. } => {
                    Some((*socket, false))
                }
                NetCommand::Listen { socket, .. } => Some((*socket, true)),
                _ => None,
            })
            .collect();
        for (socket, listens) in asked {
            self.net(&Net::Opened(Sock::Number(socket.0), 50000));
            if listens {
                self.net(&Net::Accepted(Sock::Number(socket.0), 40000));
            }
        }
    }

    fn socket(&self, s: Sock) -> SocketId {
        match s {
            Sock::Unacked => self.unacked.front().copied().unwrap_or(SocketId(3)),
            Sock::Recent(_) if self.sockets.is_empty() => SocketId(0),
            Sock::Recent(back) => self.sockets[self.sockets.len() - 1 - back % self.sockets.len()],
            Sock::Number(raw) => SocketId(raw),
        }
    }

    fn net(&mut self, n: &Net) {
        let peer = SocketAddrV4::new(PEER, 80);
        let event = |rig: &mut Rig, e: NetEvent<'_>| {
            rig.m.handle_net(rig.now, e);
            rig.check();
            rig.drain();
            rig.offer();
        };
        match n {
            Net::Opened(s, local_port) => {
                let socket = self.socket(*s);
                event(
                    self,
                    NetEvent::Opened {
                        socket,
                        local_port: *local_port,
                    },
                );
            }
            Net::Failed(s) => event(
                self,
                NetEvent::Failed {
                    socket: self.socket(*s),
                },
            ),
            Net::Accepted(s, port) => {
                let remote = SocketAddrV4::new(PEER, *port);
                event(
                    self,
                    NetEvent::Accepted {
                        socket: self.socket(*s),
                        remote,
                    },
                );
            }
            Net::Received(s, from, data) => {
                let from = match *from {
                    From::Peer => peer,
                    From::Dns => SocketAddrV4::new(DHCP_DNS, 53),
                    From::Stranger(ip, port) => SocketAddrV4::new(ip.into(), port),
                };
                let socket = self.socket(*s);
                event(self, NetEvent::Received { socket, from, data });
            }
            Net::Sent(s) => {
                let socket = self.socket(*s);
                if let Some(i) = self.unacked.iter().position(|&u| u == socket) {
                    self.unacked.remove(i);
                }
                event(self, NetEvent::Sent { socket });
            }
            Net::Closed(s, reason) => {
                let socket = self.socket(*s);
                event(
                    self,
                    NetEvent::Closed {
                        socket,
                        reason: *reason,
                    },
                );
            }
            Net::PingReply(s) => event(
                self,
                NetEvent::PingReply {
                    socket: self.socket(*s),
                },
            ),
            Net::Configured(dns) => {
                event(
                    self,
                    NetEvent::Configured {
                        address: MODULE_IP,
                        dns,
                        gateway: Ipv4Addr::new(192, 168, 0, 1),
                        netmask: Ipv4Addr::new(255, 255, 255, 0),
                    },
                );
            }
            Net::Reply(ip, secs) => {
                let Some((socket, to, answer)) = self.reply(*ip, *secs) else {
                    return;
                };
                event(
                    self,
                    NetEvent::Received {
                        socket,
                        from: to,
                        data: &answer,
                    },
                );
            }
        }
    }

    /// A valid answer to the latest query on an internal socket (DNS on
    /// sockets 0 and 1, SNTP on 2).
    fn reply(&self, ip: Option<Ipv4Addr>, secs: u32) -> Option<(SocketId, SocketAddrV4, Vec<u8>)> {
        let (socket, query, to) = self.net.iter().rev().find_map(|c| match c {
            NetCommand::Send {
                socket,
                data,
                to: Some(to),
            } if socket.0 < 3 => Some((*socket, data, *to)),
            _ => None,
        })?;
        let mut answer = query.to_vec();
        if socket.0 == 2 {
            // RFC 4330: server mode, stratum 1, our transmit time echoed.
            answer.resize(48, 0);
            answer[0] = 0x24;
            answer[1] = 1;
            let transmit: [u8; 8] = answer[40..48].try_into().ok()?;
            answer[24..32].copy_from_slice(&transmit);
            answer[40..44].copy_from_slice(&secs.to_be_bytes());
            return Some((socket, to, answer));
        }
        // RFC 1035: the query, flagged as a response, with one A record.
        if answer.len() < 12 {
            return None;
        }
        answer[2] |= 0x80;
        match ip {
            None => answer[3] = 0x83,
            Some(ip) => {
                answer[3] = 0x80;
                answer[7] = 1;
                answer.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
                answer.extend_from_slice(&ip.octets());
            }
        }
        Some((socket, to, answer))
    }

    /// Moves time forward by `by`, firing every wake-up on the way.
    fn wait(&mut self, by: Duration) {
        let end = self.now + by;
        let mut fired = 0;
        while let Some(t) = self.m.poll_timeout().filter(|&t| t <= end) {
            self.tick(self.now.max(t));
            fired += 1;
            assert!(fired < 10_000, "livelock at {}", self.now);
        }
        self.tick(end);
    }

    /// `handle_timeout(t)`, then the contract: the next wake-up is later.
    fn tick(&mut self, t: Instant) {
        self.now = t;
        self.m.handle_timeout(t);
        self.check();
        self.drain();
        if let Some(next) = self.m.poll_timeout() {
            assert!(
                next > t,
                "poll_timeout {next} not after handle_timeout({t})"
            );
        }
        self.offer();
    }

    /// What a driver does after each input: every output, in order.
    fn drain(&mut self) {
        if self.reads_all {
            let mut buf = [0u8; 512];
            loop {
                let n = self.m.poll_uart(&mut buf);
                if n == 0 && self.m.poll_line_rate().is_none() {
                    break;
                }
                self.out.extend_from_slice(&buf[..n]);
            }
        }
        while let Some(c) = self.m.poll_net() {
            if let NetCommand::Connect { socket, .. }
            | NetCommand::Listen { socket, .. }
            | NetCommand::Bind { socket, .. }
            | NetCommand::Ping { socket, .. } = c
            {
                self.sockets.push(socket);
            }
            if let NetCommand::Send { socket, .. } = c
                && socket.0 >= 3
            {
                self.unacked.push_back(socket);
            }
            self.net.push(c);
        }
        let _ = self.m.poll_store();
    }

    /// Memory stays within the dialect, checked right after an input,
    /// before anything is drained.
    fn check(&self) {
        let u = self.m.usage();
        assert!(u.uart_tx <= SEED.uart_tx_buffer, "{u:?}");
        assert!(u.urcs <= SEED.urc_buffer, "{u:?}");
        assert!(u.passthrough <= SEED.passthrough_buffer, "{u:?}");
        assert!(u.links <= usize::from(SEED.links), "{u:?}");
        assert!(u.net_commands <= NET_COMMANDS_MAX, "{u:?}");
        // RTS only drops in passthrough (PT-7).
        assert!(self.m.uart_rx_ready() || self.m.is_passthrough());
    }
}

/// Whether echo may have been on while `op` ran (`before`, `after`: the
/// echo setting around it). Then a CRLF split across pieces legitimately
/// moves the echoed LF after the reply (G-2 echoes bytes as they arrive),
/// so the chunking comparison ignores LF bytes.
fn echo_may_be_on(before: bool, after: bool, op: &Op) -> bool {
    let turns_on = match op {
        // `ATE1` completed by this op.
        Op::Uart { bytes, .. } => bytes.starts_with(b"1") || bytes.windows(2).any(|w| w == b"E1"),
        _ => false,
    };
    before || after || turns_on
}

fn without_lf(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().copied().filter(|&b| b != b'\n').collect()
}

proptest! {
    #![proptest_config(config(2048))]

    /// 2048 cases of up to 60 steps, the host reading every byte: no panic,
    /// every buffer within the dialect after every input, and after
    /// `handle_timeout(t)` the next wake-up is later than `t`.
    #[test]
    fn any_input_keeps_memory_within_the_dialect(
        boot in boot(),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let mut rig = Rig::new(&boot, true);
        for op in &ops {
            rig.apply(op, false);
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// 1024 cases of up to 60 steps with a host that reads the UART only
    /// now and then: output backs up, and still no buffer outgrows the
    /// dialect.
    #[test]
    fn a_slow_host_keeps_memory_within_the_dialect(
        boot in boot(),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let mut rig = Rig::new(&boot, false);
        for op in &ops {
            rig.apply(op, false);
        }
    }

    /// 1024 cases of up to 40 steps: the same input, once with each UART
    /// chunk whole and once cut into pieces at the same instant, gives the
    /// same UART output and the same network commands at every step.
    #[test]
    fn output_ignores_how_uart_bytes_split(
        boot in boot(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut whole = Rig::new(&boot, true);
        let mut cut = Rig::new(&boot, true);
        for (step, op) in ops.iter().enumerate() {
            let (seen, echo_before) = (whole.out.len(), whole.m.cfg.echo);
            let (seen_cut, net_seen) = (cut.out.len(), whole.net.len());
            whole.apply(op, false);
            cut.apply(op, true);
            let (mut a, mut b) = (whole.out[seen..].to_vec(), cut.out[seen_cut..].to_vec());
            if echo_may_be_on(echo_before, whole.m.cfg.echo, op) {
                (a, b) = (without_lf(&a), without_lf(&b));
            }
            prop_assert_eq!(
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b),
                "UART output of step {}", step
            );
            prop_assert_eq!(&whole.net[net_seen..], &cut.net[net_seen..], "network commands of step {}", step);
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// 1024 cases of up to 60 steps: a module whose events run only
    /// passthrough's clocks while nothing else can fall due (the calm
    /// path, `Module::calm_until`) and a twin that runs every clock on
    /// every event give the same UART output and network commands at every
    /// step.
    #[test]
    fn the_calm_path_changes_nothing(
        boot in boot(),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let mut calm = Rig::new(&boot, true);
        let mut every = Rig::new(&boot, true);
        every.m.calm_off = true;
        every.m.calm_until = Instant::ZERO;
        for (step, op) in ops.iter().enumerate() {
            calm.apply(op, false);
            every.apply(op, false);
            prop_assert_eq!(
                String::from_utf8_lossy(&calm.out),
                String::from_utf8_lossy(&every.out),
                "UART output up to step {}", step
            );
            prop_assert_eq!(&calm.net, &every.net, "network commands up to step {}", step);
        }
    }
}
