//! A session: the peers, the host's timed actions and the fault plan one
//! seed stands for, and its text form (what a failing seed prints).
//!
//! [`generate`](super::generate) makes one; `play` runs it. Times are
//! milliseconds of simulated time: faults from the session's start (after
//! the module's first `ready`), actions one after the other, each when the
//! one before it is done.

use std::fmt;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

/// The TCP sink's port on every peer host.
pub const SINK: u16 = 2000;
/// The TCP echo's port.
pub const ECHO: u16 = 2001;
/// The TCP closer's port.
pub const CLOSER: u16 = 2002;
/// The UDP echo's port.
pub const UDP_ECHO: u16 = 2003;
/// A port nothing listens on: a connection is refused.
pub const NOBODY: u16 = 2009;
/// The module's own port for TCP server links (SS-8).
pub const SERVER_PORT: u16 = 5637;
/// The SNTP server the zone's `pool.ntp.org` names.
pub const SNTP_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 123);
/// A host that never answers (a held link): CIPSTART to it times out.
pub const SILENT_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 120);

/// The peer host link `id`'s connections go to: one host per link ID, so
/// each peer's stream holds one link's data only.
pub fn peer_ip(id: u32) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, 0, 110 + id.min(9) as u8)
}

/// The host of the `n`-th TCP client that connects to a server link.
pub fn client_ip(n: usize) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, 0, 130 + (n % 100) as u8)
}

/// The DNS name of `peer_ip(id)` in the network's zone.
pub fn peer_name(id: u32) -> String {
    format!("peer{id}.lan")
}

/// What a peer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeerKind {
    /// Keeps every byte.
    TcpSink,
    /// Echoes every byte.
    TcpEcho,
    /// Closes each connection this long after accepting it.
    TcpCloser {
        /// Milliseconds.
        after_ms: u64,
    },
    /// Echoes every datagram.
    UdpEcho,
}

/// A peer service on a lab host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerPlan {
    /// Its host.
    pub ip: Ipv4Addr,
    /// Its port.
    pub port: u16,
    /// What it does.
    pub kind: PeerKind,
}

/// What a command line means to the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmd {
    /// `AT+CIPSTART`, in range: link `id`, to `remote:port`; `server` is
    /// the local port of the server form.
    Start {
        /// The link ID.
        id: u32,
        /// UDP (else TCP).
        udp: bool,
        /// The remote address (a name in the line is resolved here).
        remote: Ipv4Addr,
        /// The remote port.
        port: u32,
        /// The server form's local port.
        server: Option<u16>,
    },
    /// `AT+CIPCLOSE=<id>` (5: all).
    Close(u32),
    /// `AT+CIPMUX=<0|1>`.
    Mux(bool),
    /// `AT+CIPMODE=<0|1>`.
    Mode(bool),
    /// `ATE0` / `ATE1`.
    Echo(bool),
    /// `AT+CIPSTATUS?`.
    Status,
    /// `AT+SYSSTORE=<0|1>`.
    SysStore(bool),
    /// `AT+CIPDNS=1[,<ip>...]` (no address: the dialect's fallback).
    Dns(Vec<Ipv4Addr>),
    /// `AT+CIPDNS=0`.
    DnsAuto,
    /// `AT+RESTORE`.
    Restore,
    /// `AT+RST`.
    Reset,
    /// A valid command that changes nothing the checks follow (queries,
    /// PING, CIPDOMAIN, SNTP, PSK).
    Query,
    /// A line the dialect must refuse whatever the state (G-3, G-4, SS-2,
    /// SS-5, SD-2, CL-1, MX-2, MD-2, DN-2, DN-3, NT-1).
    Invalid,
    /// Random text: any answer goes, but `OK` means the checks lose track.
    Unknown,
}

/// A command line and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// Its meaning.
    pub cmd: Cmd,
    /// Its bytes, line end included.
    #[serde(with = "text")]
    pub line: Vec<u8>,
}

/// A piece of passthrough input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Piece {
    /// Data bytes.
    Data(#[serde(with = "text")] Vec<u8>),
    /// Silence, in milliseconds.
    Pause(u64),
    /// The three bytes `+++` (an escape only with silence around them).
    Plus,
}

/// One thing the host (or a peer, on the scenario's behalf) does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// A command line; the host waits for its final result.
    Command(Command),
    /// A slow command, then a second line right behind it (G-6: `busy`).
    Busy(Command, Command),
    /// `AT+CIPSEND=<id>,<len>[,<ip>,<port>]`, then the data in pieces.
    Send {
        /// The link ID.
        id: u32,
        /// The declared length (0 and 2049 are refused: SD-2).
        len: u32,
        /// The command line.
        #[serde(with = "text")]
        line: Vec<u8>,
        /// The data (`len` bytes when the length is valid).
        #[serde(with = "text")]
        data: Vec<u8>,
        /// Where the data is cut into pieces, with `gap_ms` between them.
        split: Vec<usize>,
        /// Silence between pieces.
        gap_ms: u64,
        /// `AT\r\n` right behind the data (SD-7), not waiting for `SEND OK`.
        then_at: bool,
    },
    /// `AT+CIPSEND` (passthrough), these pieces, then the guarded escape.
    Passthrough(Vec<Piece>),
    /// Random bytes and a line end (echo off first).
    Raw(#[serde(with = "text")] Vec<u8>),
    /// A peer sends bytes on its newest connection (or to its last sender).
    PeerSend {
        /// Index into [`Session::peers`].
        peer: usize,
        /// The bytes.
        #[serde(with = "text")]
        data: Vec<u8>,
    },
    /// A peer closes its newest connection.
    PeerClose {
        /// Index into [`Session::peers`].
        peer: usize,
    },
    /// A TCP client on a new host connects to the module's `port`.
    Connect {
        /// The module's port.
        port: u16,
    },
    /// A settings command, then power lost `after_us` after its line went out.
    PowerLossAfter {
        /// The command.
        cmd: Command,
        /// Microseconds after the host wrote the line.
        after_us: u64,
    },
    /// Silence, in milliseconds.
    Wait(u64),
}

/// A kind of fault; each seed enables a random subset (swarm testing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FaultKind {
    /// A peer host's link cut, then restored.
    Cut,
    /// A peer host's link slowed down for a while.
    Delay,
    /// A peer host crashed, then restarted.
    Crash,
    /// A peer stops reading its connections for a while.
    Stall,
    /// A host's datagrams lost (UDP echo, DNS, SNTP).
    Loss,
    /// The DNS server stops answering for a while.
    DnsSilence,
    /// The module's power lost at a random instant (and mid-store).
    PowerLoss,
    /// RTS/CTS turned on and off.
    FlowControl,
    /// The host deasserts RTS for a while (with flow control on).
    HostStall,
    /// Little room in flight per TCP connection for a while.
    Budget,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 10] = [
        FaultKind::Cut,
        FaultKind::Delay,
        FaultKind::Crash,
        FaultKind::Stall,
        FaultKind::Loss,
        FaultKind::DnsSilence,
        FaultKind::PowerLoss,
        FaultKind::FlowControl,
        FaultKind::HostStall,
        FaultKind::Budget,
    ];
}

/// One fault event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// `World::cut`.
    Cut(Ipv4Addr),
    /// `World::restore`.
    Restore(Ipv4Addr),
    /// `World::delay`, in milliseconds.
    Delay(Ipv4Addr, u64),
    /// `World::crash`.
    Crash(Ipv4Addr),
    /// `World::restart`.
    Restart(Ipv4Addr),
    /// The peer (index) stops reading.
    Pause(usize),
    /// The peer reads again.
    Resume(usize),
    /// `World::set_datagram_loss`, percent.
    Loss(Ipv4Addr, u8),
    /// The DNS server stops (true) or resumes answering.
    DnsSilent(bool),
    /// `World::power_cycle`.
    PowerCycle,
    /// `World::set_flow_control`.
    FlowControl(bool),
    /// `World::host_ready`.
    HostRts(bool),
    /// `World::set_flight_budget`, bytes.
    Budget(usize),
}

/// A whole session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The seed (also the world's).
    pub seed: u64,
    /// The UART's rate.
    pub baud: u32,
    /// One-way network latency, milliseconds.
    pub latency_ms: u64,
    /// RTS/CTS at the start.
    pub flow_control: bool,
    /// The peer services.
    pub peers: Vec<PeerPlan>,
    /// The fault kinds this seed enabled.
    pub kinds: Vec<FaultKind>,
    /// The fault plan: (ms after the start, fault), in time order.
    pub faults: Vec<(u64, Fault)>,
    /// The host's actions, in order.
    pub actions: Vec<Action>,
}

/// Bytes in a stored session: the transcript's escapes (`\r`, `\n`,
/// `\xNN`), so a case file reads like a transcript.
mod text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::new();
        sim::transcript::escape(&mut out, bytes).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        sim::transcript::unescape(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// Bytes as text: printable ASCII as is, the rest escaped; long runs cut.
pub fn show(bytes: &[u8]) -> String {
    const MAX: usize = 48;
    let text: String = bytes[..bytes.len().min(MAX)].escape_ascii().to_string();
    match bytes.len() > MAX {
        true => format!("\"{text}\"... ({} bytes)", bytes.len()),
        false => format!("\"{text}\""),
    }
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "session seed {}: {} baud, latency {} ms, flow control {}",
            self.seed,
            self.baud,
            self.latency_ms,
            if self.flow_control { "on" } else { "off" }
        )?;
        for p in &self.peers {
            writeln!(f, "  peer {}:{} {:?}", p.ip, p.port, p.kind)?;
        }
        writeln!(f, "  fault kinds: {:?}", self.kinds)?;
        for (at, fault) in &self.faults {
            writeln!(f, "  fault @{at} ms: {fault:?}")?;
        }
        for (i, a) in self.actions.iter().enumerate() {
            write!(f, "  {i:>3}. ")?;
            match a {
                Action::Command(c) => writeln!(f, "{} ({:?})", show(&c.line), c.cmd)?,
                Action::Busy(a, b) => {
                    writeln!(f, "busy: {} then {}", show(&a.line), show(&b.line))?
                }
                Action::Send {
                    line,
                    data,
                    split,
                    gap_ms,
                    then_at,
                    ..
                } => writeln!(
                    f,
                    "send {} data {} cut at {split:?} gap {gap_ms} ms{}",
                    show(line),
                    show(data),
                    if *then_at { " then AT" } else { "" }
                )?,
                Action::Passthrough(pieces) => {
                    let text: Vec<String> = pieces
                        .iter()
                        .map(|p| match p {
                            Piece::Data(d) => show(d),
                            Piece::Pause(ms) => format!("{ms}ms"),
                            Piece::Plus => "+++".into(),
                        })
                        .collect();
                    writeln!(f, "passthrough [{}]", text.join(" "))?;
                }
                Action::Raw(b) => writeln!(f, "raw {}", show(b))?,
                Action::PeerSend { peer, data } => {
                    let p = &self.peers[*peer];
                    writeln!(f, "peer {}:{} sends {}", p.ip, p.port, show(data))?;
                }
                Action::PeerClose { peer } => {
                    let p = &self.peers[*peer];
                    writeln!(f, "peer {}:{} closes", p.ip, p.port)?;
                }
                Action::Connect { port } => writeln!(f, "a TCP client connects to :{port}")?,
                Action::PowerLossAfter { cmd, after_us } => {
                    writeln!(f, "{} then power lost after {after_us} us", show(&cmd.line))?;
                }
                Action::Wait(ms) => writeln!(f, "wait {ms} ms")?,
            }
        }
        Ok(())
    }
}
