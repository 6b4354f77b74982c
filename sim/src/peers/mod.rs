//! The module's network's other hosts: the services a scenario talks to.
//!
//! Every peer host runs its services as tasks on its host, plus a ping
//! responder where the network has no ICMP. The services are written once,
//! generic over the network ([`Net`]): turmoil's simulated one in the
//! [`World`](crate::World), the OS's sockets in the [`Lab`](crate::Lab), so
//! a simulated module and a real one meet the same peers. A service's
//! observable state lives in a [`Shared`] cell that the scenario reads
//! (what arrived, how many connections) and writes (data to send, a
//! connection to close) between simulation steps.
//!
//! The servers are real: DNS (RFC 1035) and SNTP (RFC 4330) answer wire
//! messages, written here independently of the module's clients so that
//! the one tests the other.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::idle::Watch;

mod dns;
mod host;
mod net;
mod ping;
mod sntp;
mod tcp;
mod tls;
mod udp;

pub(crate) use host::HostServices;
pub use host::run_host;
pub(crate) use net::LabClock;
pub use net::{Net, Tokio, Turmoil, sim_now};
pub use tls::Psk;

/// UDP port of the ping responder on every peer host. turmoil has no ICMP,
/// so an echo request is modelled as a datagram to this port (the port of
/// the Echo Protocol, RFC 862) and the reply as the same datagram sent back.
pub const PING_PORT: u16 = 7;

/// The DNS port (RFC 1035 §4.2.1): where the world's DNS servers listen.
/// A lab's cannot without root, and takes a higher one (see [`Lab`]).
///
/// [`Lab`]: crate::Lab
pub const DNS_PORT: u16 = 53;

/// The NTP port (RFC 4330 §4): where the world's SNTP servers listen. A
/// lab's cannot without root, and takes a higher one (see [`Lab`]).
///
/// [`Lab`]: crate::Lab
pub const SNTP_PORT: u16 = 123;

/// What a scenario asks a service to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// Send these bytes: on the most recent TCP connection still open, or
    /// as one datagram to the last sender (UDP).
    Send(Vec<u8>),
    /// Close the most recent TCP connection still open (a FIN, or a RST if
    /// bytes it received are unread); later requests go to the connection
    /// before it. A UDP service drops it.
    Close,
}

/// A service's observable state.
#[derive(Debug, Default)]
pub struct PeerState {
    /// Every byte received, in order (TCP: all connections' streams one
    /// after the other; UDP: datagrams concatenated).
    pub received: Vec<u8>,
    /// Sizes of the datagrams received (UDP services).
    pub datagrams: Vec<usize>,
    /// TCP connections open now; 0 once the host crashed.
    pub open_connections: usize,
    /// TCP connections accepted so far.
    pub accepted: usize,
    /// Requests from the scenario, oldest first. Add to it with
    /// [`push`](Self::push), which also wakes the service; a request stays
    /// here until the service can carry it out (a TCP connection or a UDP
    /// sender exists). A request pushed here directly, without `push`,
    /// waits for the service's next wake-up (a connection or a datagram).
    pub outbox: VecDeque<Outgoing>,
    /// Wakes the service when the outbox gains a request. A `Notify` and not
    /// a poll so the request goes out in the step it was made, without a
    /// timer per service; behind an `Rc` because the service awaits it
    /// without holding a borrow of this state.
    pub outbox_ready: Rc<Notify>,
    /// The program stopped taking bytes off its TCP connections: their
    /// windows fill and the module's sends stall. Change it with
    /// [`set_paused`](Self::set_paused).
    pub paused: bool,
    /// Wakes connections when `paused` changes.
    pub resumed: Rc<Notify>,
    /// The world's in-flight accounting (simulated network only; real
    /// sockets push back by themselves).
    pub flight: Option<crate::flight::FlightRef>,
    /// The host's timers and wake-ups, told to the world (simulated
    /// network only; see [`crate::idle`]).
    pub(crate) watch: Option<Watch>,
}

impl PeerState {
    /// Stops (`true`) or resumes reading the service's TCP connections.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        self.resumed.notify_waiters();
        Watch::poke(self.watch.as_ref());
    }

    /// Queues `request` and wakes the service, which carries it out in the
    /// next simulation step (or the current one, from inside a host).
    pub fn push(&mut self, request: Outgoing) {
        self.outbox.push_back(request);
        self.outbox_ready.notify_one();
        Watch::poke(self.watch.as_ref());
    }
}

/// State shared between a service and the scenario.
pub type Shared = Rc<RefCell<PeerState>>;

/// A DNS record in a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// An address.
    A(Ipv4Addr),
    /// An alias.
    Cname(String),
}

/// A DNS server's data: lower-case name (no trailing dot) → records.
pub type Zone = BTreeMap<String, Vec<Record>>;

/// The DNS server's shared state: its zone and whether it answers.
#[derive(Debug, Default)]
pub struct DnsState {
    /// The records it serves.
    pub zone: Zone,
    /// When true, queries are dropped (a silent server).
    pub silent: bool,
    /// Queries received, for scenarios that check the server was asked.
    pub queries: usize,
}

/// An SNTP server's clock: reads `unix_micros` at the network's instant
/// `set_at` and runs at the network's rate (see [`Clock::unix_micros_at`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    /// The network's time ([`Net::now`]: simulated time since the world
    /// started, or real time since the lab started) when the clock was set.
    pub set_at: Duration,
    /// Microseconds since the Unix epoch at `set_at`.
    pub unix_micros: i64,
}

impl Clock {
    /// What the clock reads at the network's instant `now` (see
    /// [`Net::now`]): microseconds since the Unix epoch.
    pub fn unix_micros_at(&self, now: Duration) -> i64 {
        let since_set = now.as_micros() as i128 - self.set_at.as_micros() as i128;
        (self.unix_micros as i128 + since_set) as i64
    }
}

/// A service on a peer host.
#[derive(Debug, Clone)]
pub enum Service {
    /// Echoes every byte back on the same connection.
    TcpEcho {
        /// The TCP port it listens on.
        port: u16,
    },
    /// Echoes every datagram to its sender.
    UdpEcho {
        /// The UDP port it listens on.
        port: u16,
    },
    /// Accepts connections and keeps every byte.
    TcpSink {
        /// The TCP port it listens on.
        port: u16,
    },
    /// Keeps every datagram.
    UdpSink {
        /// The UDP port it listens on.
        port: u16,
    },
    /// Sends `greeting` to each connection right after accepting it, then
    /// keeps every byte.
    TcpGreeter {
        /// The TCP port it listens on.
        port: u16,
        /// The bytes each connection gets first.
        greeting: Vec<u8>,
    },
    /// Closes each connection `after` it was accepted; keeps the bytes
    /// until then.
    TcpCloser {
        /// The TCP port it listens on.
        port: u16,
        /// How long after accepting a connection it closes it.
        after: Duration,
    },
    /// Sends `first` as one datagram to `to` (a module's UDP server link),
    /// then keeps every datagram and answers through the outbox like a UDP
    /// sink: the peer speaks first.
    UdpPeer {
        /// The UDP port it sends from.
        port: u16,
        /// The module's address and the port of its link.
        to: std::net::SocketAddrV4,
        /// The first datagram.
        first: Vec<u8>,
    },
    /// Connects to the module once and keeps what it receives; the outbox
    /// sends and closes on that connection.
    TcpClient {
        /// The module's address and the port of its server link.
        to: std::net::SocketAddrV4,
    },
    /// A TLS-PSK server (TL-1…TL-6, OpenSSL's): echoes what it decrypts.
    TlsPskEcho {
        /// The TCP port it listens on.
        port: u16,
        /// Its key and the identity it expects.
        psk: Psk,
    },
    /// A TLS-PSK server that keeps what it decrypts.
    TlsPskSink {
        /// The TCP port it listens on.
        port: u16,
        /// Its key and the identity it expects.
        psk: Psk,
    },
    /// A DTLS-PSK server (OpenSSL's): echoes what it decrypts.
    DtlsPskEcho {
        /// The UDP port it listens on.
        port: u16,
        /// Its key and the identity it expects.
        psk: Psk,
    },
    /// A DTLS-PSK server that keeps what it decrypts.
    DtlsPskSink {
        /// The UDP port it listens on.
        port: u16,
        /// Its key and the identity it expects.
        psk: Psk,
    },
    /// A DNS server (RFC 1035).
    Dns {
        /// The UDP port it listens on: [`DNS_PORT`] in the world.
        port: u16,
        /// Its zone, and whether it answers.
        state: Rc<RefCell<DnsState>>,
    },
    /// An SNTP server (RFC 4330).
    Sntp {
        /// The UDP port it listens on: [`SNTP_PORT`] in the world.
        port: u16,
        /// The time it gives.
        clock: Rc<RefCell<Clock>>,
    },
}
