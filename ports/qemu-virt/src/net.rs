//! The in-memory network: carries out the core's [`NetCommand`]s without a
//! network stack, for the world the comparison test builds in the
//! simulator too.
//!
//! - The module is 192.168.0.107; DHCP (`Configured`, at boot) names
//!   192.168.0.1 as the DNS server.
//! - 192.168.0.103 runs a TCP echo server on port 20108: a connection opens
//!   at once, every send is accepted and comes straight back.
//! - 192.168.0.1 answers DNS on port 53 (real RFC 1035 messages: one name,
//!   [`ECHO_NAME`], has an A record; every other name is NXDOMAIN) and SNTP
//!   on port 123 (real RFC 4330 replies). Its clock reads [`CLOCK_START`]
//!   when the first SNTP request arrives and runs on from there.
//! - Nothing else listens: any other TCP connection is refused; datagrams
//!   to anywhere else vanish. Ping is answered by 192.168.0.103 and
//!   192.168.0.1 only. TLS and DTLS are refused, as in the simulator.
//!
//! - A dialect with Wi-Fi (`esp-at` feature) gets no address at boot: one
//!   access point, [`AP_SSID`] with password [`AP_PASSWORD`] (WPA2, -40 dBm,
//!   channel 6), is in range, and joining it gives the address above.
//!
//! Local ports are given the way turmoil gives them in the simulator, so
//! `AT+CIPSTATUS?` prints the same: ephemeral ports count up from 49152
//! for every socket that needs one (TCP connect, UDP bind to port 0, and a
//! ping, which the simulator sends from a fresh UDP socket), skip ports in
//! use and wrap after 65535. The core's three internal UDP sockets take
//! 49152–49154 at boot.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::ToString;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use driver_kit::Report;
use firmware_core::{AccessPoint, Instant, JoinFailure, NetCommand, SocketId};
use simple_dns::rdata::{A, RData};
use simple_dns::{CLASS, Packet, PacketFlag, QCLASS, QTYPE, RCODE, ResourceRecord, TYPE};

/// The module's address, from DHCP.
pub(crate) const MODULE: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);
/// The router: DHCP names it as DNS server; it also serves SNTP.
pub(crate) const ROUTER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);
/// The subnet's mask, from DHCP.
pub(crate) const NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);
/// The TCP echo peer.
pub(crate) const ECHO: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 103), 20108);
/// The one name the DNS server knows: [`ECHO`]'s address.
pub(crate) const ECHO_NAME: &str = "echo.lan";
/// What the router's clock reads at the first SNTP request, in Unix
/// microseconds: 2022-10-21 11:20:39 UTC, the example of the command page
/// (19:20:39 at UTC+8).
pub(crate) const CLOCK_START: i64 = 1_666_351_239_000_000;

const DNS_PORT: u16 = 53;
const SNTP_PORT: u16 = 123;
/// TTL of the DNS answer, seconds (the core does not cache).
const TTL: u32 = 300;
const EPHEMERAL: core::ops::RangeInclusive<u16> = 49152..=65535;

/// An SNTP message without extensions (RFC 4330 §4).
const SNTP_LEN: usize = 48;
/// Seconds from 1900 (NTP era 0) to 1970.
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;

/// What a socket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A TCP connection to the echo peer.
    Echo,
    /// Listening; nobody ever connects in this network.
    Listening,
    /// UDP.
    Datagram,
}

#[derive(Debug)]
struct Socket {
    local_port: u16,
    kind: Kind,
}

/// A socket's news, as the kit's inbox takes it.
pub(crate) type Event = (SocketId, Report<Vec<u8>>);

/// The one access point in range.
pub(crate) const AP_SSID: &[u8] = b"lab";
/// Its WPA2 password.
pub(crate) const AP_PASSWORD: &[u8] = b"labpass1";
/// Its details, as a scan or a join reports them.
pub(crate) const AP: AccessPoint<'static> = AccessPoint {
    ssid: AP_SSID,
    // As the simulator's and atmodule's access points have theirs.
    bssid: driver_kit::radio::bssid_of(AP_SSID),
    rssi: -40,
    channel: 6,
    secured: true,
};

/// What became of the station's last request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StationNews {
    /// Associated with [`AP`], then configured by DHCP.
    Joined,
    Failed(JoinFailure),
    Scanned,
}

/// The network and everything on it.
pub(crate) struct Net {
    sockets: BTreeMap<SocketId, Socket>,
    /// Reports in the order things happened.
    events: VecDeque<Event>,
    next_port: u16,
    /// When the router's clock read [`CLOCK_START`].
    clock_set_at: Option<Instant>,
    /// The station's news, for the core.
    station: VecDeque<StationNews>,
}

impl Net {
    pub(crate) fn new() -> Self {
        Net {
            sockets: BTreeMap::new(),
            events: VecDeque::new(),
            next_port: *EPHEMERAL.start(),
            clock_set_at: None,
            station: VecDeque::new(),
        }
    }

    /// The station's next news.
    pub(crate) fn next_station_news(&mut self) -> Option<StationNews> {
        self.station.pop_front()
    }

    /// What DHCP hands the module: its address and the DNS servers.
    pub(crate) fn dhcp() -> (Ipv4Addr, [Ipv4Addr; 1]) {
        (MODULE, [ROUTER])
    }

    /// Whether a report waits to be taken.
    pub(crate) fn has_event(&self) -> bool {
        !self.events.is_empty() || !self.station.is_empty()
    }

    /// The next report, in the order things happened.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Carries out one command; its reports queue up for `next_event`.
    pub(crate) fn execute(&mut self, now: Instant, command: NetCommand) {
        match command {
            NetCommand::Connect { socket, remote, .. } => {
                // turmoil takes the port before it knows the outcome.
                let local_port = self.ephemeral_port();
                if remote == ECHO {
                    self.open(socket, local_port, Kind::Echo);
                } else {
                    self.events.push_back((socket, Report::Failed));
                }
            }
            // Nobody here connects to a server: it only listens.
            NetCommand::Listen {
                socket, local_port, ..
            }
            | NetCommand::Serve { socket, local_port } => {
                if self.in_use(local_port) {
                    self.events.push_back((socket, Report::Failed));
                } else {
                    self.open(socket, local_port, Kind::Listening);
                }
            }
            NetCommand::Bind { socket, local_port } => {
                if local_port != 0 && self.in_use(local_port) {
                    self.events.push_back((socket, Report::Failed));
                    return;
                }
                let port = match local_port {
                    0 => self.ephemeral_port(),
                    port => port,
                };
                self.open(socket, port, Kind::Datagram);
            }
            NetCommand::Send { socket, data, to } => {
                let Some(kind) = self.sockets.get(&socket).map(|s| s.kind) else {
                    return;
                };
                self.events.push_back((socket, Report::Sent));
                let reply = match (kind, to) {
                    (Kind::Echo, _) => Some((ECHO, data.to_vec())),
                    (Kind::Datagram, Some(to)) => self.serve_datagram(now, to, &data),
                    _ => None,
                };
                if let Some((from, reply)) = reply {
                    self.events
                        .push_back((socket, Report::Received(from, reply)));
                }
            }
            NetCommand::Close { socket } => {
                self.sockets.remove(&socket);
            }
            NetCommand::Ping { socket, to } => {
                // The simulator pings from a fresh UDP socket.
                self.ephemeral_port();
                if to == *ECHO.ip() || to == ROUTER {
                    self.events.push_back((socket, Report::PingReply));
                }
            }
            NetCommand::Join {
                ssid,
                password,
                bssid,
                ..
            } => self.station.push_back(match () {
                _ if ssid != AP_SSID || bssid.is_some_and(|b| b != AP.bssid) => {
                    StationNews::Failed(JoinFailure::NotFound)
                }
                _ if password != AP_PASSWORD => StationNews::Failed(JoinFailure::WrongPassword),
                _ => StationNews::Joined,
            }),
            // Nothing in range goes away here: leaving says nothing.
            NetCommand::Leave => {}
            NetCommand::Scan => self.station.push_back(StationNews::Scanned),
        }
    }

    fn open(&mut self, socket: SocketId, local_port: u16, kind: Kind) {
        self.sockets.insert(socket, Socket { local_port, kind });
        self.events.push_back((socket, Report::Opened(local_port)));
    }

    fn in_use(&self, port: u16) -> bool {
        self.sockets.values().any(|s| s.local_port == port)
    }

    /// The next free ephemeral port, as turmoil counts them.
    fn ephemeral_port(&mut self) -> u16 {
        for _ in EPHEMERAL {
            let port = self.next_port;
            self.next_port = if port == *EPHEMERAL.end() {
                *EPHEMERAL.start()
            } else {
                port + 1
            };
            if !self.in_use(port) {
                return port;
            }
        }
        // 16 384 sockets open at once: the core has a handful.
        unreachable!("ephemeral ports exhausted")
    }

    /// The answer to a datagram sent to `to`, and where it comes from.
    fn serve_datagram(
        &mut self,
        now: Instant,
        to: SocketAddrV4,
        data: &[u8],
    ) -> Option<(SocketAddrV4, Vec<u8>)> {
        if *to.ip() != ROUTER {
            return None;
        }
        let reply = match to.port() {
            DNS_PORT => dns_answer(data)?,
            SNTP_PORT => {
                let set_at = *self.clock_set_at.get_or_insert(now);
                let elapsed = now.saturating_since(set_at).as_micros();
                let unix_micros = CLOCK_START + i64::try_from(elapsed).unwrap_or(i64::MAX);
                sntp_reply(data, unix_micros)?.to_vec()
            }
            _ => return None,
        };
        Some((to, reply))
    }
}

/// The DNS server's reply to `query` (RFC 1035 §4.1), as a recursive
/// resolver on a home router gives it: RA set, RD copied, the question
/// repeated. `None` for what is no query.
fn dns_answer(query: &[u8]) -> Option<Vec<u8>> {
    let packet = Packet::parse(query).ok()?;
    if packet.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let mut reply = Packet::new_reply(packet.id());
    let mut flags = PacketFlag::RECURSION_AVAILABLE;
    if packet.has_flags(PacketFlag::RECURSION_DESIRED) {
        flags |= PacketFlag::RECURSION_DESIRED;
    }
    reply.set_flags(flags);
    reply.questions = packet.questions.clone();
    *reply.rcode_mut() = match packet.questions.as_slice() {
        [q] if q.qname.to_string().eq_ignore_ascii_case(ECHO_NAME) => {
            let wants_a = matches!(q.qtype, QTYPE::TYPE(TYPE::A) | QTYPE::ANY);
            let in_class = matches!(q.qclass, QCLASS::CLASS(CLASS::IN) | QCLASS::ANY);
            if wants_a && in_class {
                reply.answers.push(ResourceRecord::new(
                    q.qname.clone(),
                    CLASS::IN,
                    TTL,
                    RData::A(A::from(*ECHO.ip())),
                ));
            }
            RCODE::NoError
        }
        [_] => RCODE::NameError,
        _ => RCODE::FormatError,
    };
    reply.build_bytes_vec_compressed().ok()
}

/// The SNTP server's reply to `request` when its clock reads
/// `unix_micros` (RFC 4330 §5): a stratum-1 server on a local clock;
/// reference, receive and transmit times are all now; the originate time
/// is the request's transmit time. `None` for what is no client request.
fn sntp_reply(request: &[u8], unix_micros: i64) -> Option<[u8; SNTP_LEN]> {
    let request: &[u8; SNTP_LEN] = request.get(..SNTP_LEN)?.try_into().ok()?;
    let version = (request[0] >> 3) & 0b111;
    if request[0] & 0b111 != 3 || !(3..=4).contains(&version) {
        return None;
    }
    let now = ntp_timestamp(unix_micros).to_be_bytes();
    let mut reply = [0; SNTP_LEN];
    reply[0] = (version << 3) | 4; // LI 0, the request's version, server
    reply[1] = 1; // stratum 1
    reply[2] = request[2]; // poll, copied
    reply[3] = (-20i8).to_be_bytes()[0]; // precision: about 1 µs
    reply[12..16].copy_from_slice(b"LOCL");
    reply[16..24].copy_from_slice(&now);
    reply[24..32].copy_from_slice(&request[40..48]);
    reply[32..40].copy_from_slice(&now);
    reply[40..48].copy_from_slice(&now);
    Some(reply)
}

/// An NTP timestamp (RFC 4330 §3): seconds since 1900 modulo 2^32, and the
/// fraction rounded up so a client truncating to microseconds reads back
/// exactly `unix_micros`.
fn ntp_timestamp(unix_micros: i64) -> u64 {
    let secs = unix_micros.div_euclid(1_000_000) + NTP_UNIX_OFFSET;
    let micros = unix_micros.rem_euclid(1_000_000) as u64;
    let fraction = (micros << 32).div_ceil(1_000_000);
    ((secs.rem_euclid(1 << 32) as u64) << 32) | fraction
}
