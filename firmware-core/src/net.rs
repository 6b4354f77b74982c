//! What the core asks of the network, and what the network tells it.
//!
//! The core opens no socket itself: it names each socket it wants with a
//! fresh [`SocketId`] in a [`NetCommand`], and the driver reports what became
//! of it with a [`NetEvent`] carrying the same ID. IDs are never reused
//! while a module runs, so an event for a socket the core already gave up on
//! (a late reply, a close racing a CIPCLOSE) is recognised and ignored.
//!
//! The driver MUST carry out commands in the order `poll_net` returns them:
//! a `Send` that follows a `Bind` or `Connect` for the same socket is only
//! valid after it, and a `Close` follows the sends before it.

use alloc::vec::Vec;

use bytes::Bytes;
use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

/// Names one socket (or one ping) the core asked the driver for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(pub(crate) u32);

impl SocketId {
    /// The number inside, for a driver's table or a transcript.
    pub fn raw(self) -> u32 {
        self.0
    }

    /// The ID with this number, for tests and tools that replay what a
    /// driver recorded; a driver makes no other IDs than
    /// [`incoming`](Self::incoming) ones, the core hands them out.
    pub const fn from_raw(raw: u32) -> Self {
        SocketId(raw)
    }

    /// The driver's name for its `n`-th [`NetEvent::Incoming`] connection:
    /// the upper half of the ID space, which the core never uses itself.
    pub const fn incoming(n: u32) -> Self {
        SocketId(Self::INCOMING | n)
    }

    /// The first ID of the drivers' half.
    pub(crate) const INCOMING: u32 = 0x8000_0000;
}

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

/// A pre-shared key for TLS-PSK or DTLS-PSK (PK-2); lengths are checked
/// against the dialect when the host sets it.
///
/// Its `Debug` shows the identity and the key's length, never the key
/// (TL-7): drivers and the simulator log commands with `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk {
    /// The key.
    pub key: Vec<u8>,
    /// The PSK identity the module presents (the page's "hint").
    pub identity: Vec<u8>,
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Psk")
            .field("key", &format_args!("<{} bytes>", self.key.len()))
            .field(
                "identity",
                &format_args!("\"{}\"", self.identity.escape_ascii()),
            )
            .finish()
    }
}

/// TCP keep-alive options for a link (SS-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// TCP_KEEPIDLE.
    pub idle: Duration,
    /// TCP_KEEPINTVL.
    pub interval: Duration,
    /// TCP_KEEPCNT.
    pub count: u8,
}

/// Something the driver MUST do. Each variant says what to report back.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetCommand {
    /// Open a TCP connection to `remote`. Report [`NetEvent::Opened`] once
    /// connected, or [`NetEvent::Failed`] when refused or unreachable. The
    /// core gives up by itself after its connect timeout and then sends
    /// `Close`. (A TLS link is a TCP connection to the driver: the core
    /// runs the session over it, and no key ever reaches a driver, TL-7.)
    Connect {
        /// The new socket.
        socket: SocketId,
        /// Where to connect.
        remote: SocketAddrV4,
        /// Keep-alive to set on the socket; `None` for off. A peer found
        /// dead by it is reported as [`NetEvent::Closed`].
        keepalive: Option<Keepalive>,
    },
    /// Listen for TCP on `local_port`, on every local address. Report
    /// `Opened` once listening or `Failed` (port in use). Accept exactly one
    /// connection, report it as [`NetEvent::Accepted`] and stop listening:
    /// later connection attempts are refused. From then on the socket is
    /// that connection.
    Listen {
        /// The new socket.
        socket: SocketId,
        /// The port to listen on.
        local_port: u16,
        /// Keep-alive for the accepted connection.
        keepalive: Option<Keepalive>,
    },
    /// Open a UDP socket on `local_port` (0: any free port). Report
    /// `Opened` with the port bound, or `Failed`. (DTLS runs in the core
    /// over such a socket.) Deliver every datagram that arrives, from
    /// any sender, as one [`NetEvent::Received`].
    Bind {
        /// The new socket.
        socket: SocketId,
        /// The local port; 0 for an ephemeral one.
        local_port: u16,
    },
    /// Send `data` on an open socket: for TCP/TLS append it to the stream,
    /// for UDP/DTLS send it as exactly one datagram to `to`. Report
    /// [`NetEvent::Sent`] once the network stack has accepted all of it,
    /// or `Closed` if the socket died first.
    Send {
        /// An open socket.
        socket: SocketId,
        /// The bytes: a slice of the core's own buffer, so no copy is made
        /// on the way; drop it once sent, and the core reuses the storage.
        data: Bytes,
        /// The datagram's destination (UDP); `None` on a stream.
        to: Option<SocketAddrV4>,
    },
    /// Close a socket: gracefully for TCP/TLS, after every byte of the
    /// sends before it (CL-2); a listening socket stops listening. Report
    /// nothing; later events for this socket are ignored.
    Close {
        /// The socket.
        socket: SocketId,
    },
    /// Send one ICMP echo request to `to`. Report [`NetEvent::PingReply`]
    /// when the reply comes; report nothing if none does (the core times
    /// out by itself).
    Ping {
        /// Names this ping; not a socket.
        socket: SocketId,
        /// The host to ping.
        to: Ipv4Addr,
    },
    /// Wi-Fi (a dialect with a station): join the access point named
    /// `ssid`, leaving any other first. Report [`NetEvent::Associated`]
    /// or [`NetEvent::JoinFailed`]; once associated, with `dhcp`, ask its
    /// DHCP server for an address and report [`NetEvent::Configured`].
    /// Once joined, an access point unheard for `inactive_time` is lost:
    /// report [`NetEvent::Disassociated`]. Every socket is the core's to
    /// close; the driver keeps them.
    Join {
        /// 1 to 32 bytes.
        ssid: Vec<u8>,
        /// Empty for an open access point.
        password: Vec<u8>,
        /// Only the access point with this MAC address.
        bssid: Option<[u8; 6]>,
        /// Ask for an address once associated.
        dhcp: bool,
        /// How long beacons may be missed before the access point is lost.
        inactive_time: Duration,
    },
    /// Listen on `local_port` for any number of TCP clients (a server,
    /// esp-at.md ET-12): report [`NetEvent::Opened`] (or `Failed`) for
    /// `socket`, then each connection as [`NetEvent::Incoming`] on a socket
    /// the driver names. `Close` of `socket` stops listening; the clients
    /// stay.
    Serve {
        /// Names the listener.
        socket: SocketId,
        /// The port, 1 to 65535.
        local_port: u16,
    },
    /// Wi-Fi: leave the access point (or stop joining); report nothing.
    Leave,
    /// Wi-Fi: list the access points in range; report
    /// [`NetEvent::Scanned`] once.
    Scan,
}

/// An access point a Wi-Fi scan found, or the one the station joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessPoint<'a> {
    /// Its network name.
    pub ssid: &'a [u8],
    /// Its MAC address.
    pub bssid: [u8; 6],
    /// Signal strength, dBm.
    pub rssi: i8,
    /// 1 to 14.
    pub channel: u8,
    /// Whether it needs a password (WPA2-PSK) or is open.
    pub secured: bool,
}

/// Why a Wi-Fi join failed (EW-5's codes 2 to 4; 1 is the core's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinFailure {
    /// The access point refused the password.
    WrongPassword,
    /// No access point with that SSID (and BSSID).
    NotFound,
    /// Anything else.
    Other,
}

/// Why the network ended a socket, for logs and transcripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The peer closed its end (FIN).
    Peer,
    /// The peer reset the connection.
    Reset,
    /// Keep-alive found the peer unreachable.
    Timeout,
    /// Any other failure of the socket or the network.
    Error,
}

/// What happened on the network. `handle_net` takes one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetEvent<'a> {
    /// DHCP configured the interface (at boot, after a reconnect): the
    /// module's address and the network's DNS servers (at most 3 are used).
    Configured {
        /// The module's own address.
        address: Ipv4Addr,
        /// DNS servers offered by DHCP.
        dns: &'a [Ipv4Addr],
        /// The router; `0.0.0.0` when DHCP named none.
        gateway: Ipv4Addr,
        /// The subnet's mask.
        netmask: Ipv4Addr,
    },
    /// A `Connect`, `Listen` or `Bind` succeeded.
    Opened {
        /// The socket.
        socket: SocketId,
        /// The local port it uses.
        local_port: u16,
    },
    /// A `Connect`, `Listen` or `Bind` failed; the socket is gone.
    Failed {
        /// The socket.
        socket: SocketId,
    },
    /// A listening socket accepted its connection.
    Accepted {
        /// The socket.
        socket: SocketId,
        /// The peer.
        remote: SocketAddrV4,
    },
    /// Data arrived: one read of a stream, or one whole datagram. Carry at
    /// most [`Module::net_rx_room`](crate::Module::net_rx_room) bytes; the
    /// core drops and counts what does not fit.
    Received {
        /// The socket.
        socket: SocketId,
        /// The sender (for a stream: its peer).
        from: SocketAddrV4,
        /// The bytes.
        data: &'a [u8],
    },
    /// The oldest `Send` not yet reported on this socket was accepted in
    /// full by the network stack.
    Sent {
        /// The socket.
        socket: SocketId,
    },
    /// An open socket ended without the core asking.
    Closed {
        /// The socket.
        socket: SocketId,
        /// Why.
        reason: CloseReason,
    },
    /// An echo reply to `Ping` arrived.
    PingReply {
        /// The ping's ID.
        socket: SocketId,
    },
    /// A client connected to a `Serve` listener. `socket` is the driver's
    /// name for the connection, made with [`SocketId::incoming`]; from here
    /// on it is the core's socket like any other, which it closes at once
    /// if it does not want it.
    Incoming {
        /// The `Serve` socket.
        listener: SocketId,
        /// The connection.
        socket: SocketId,
        /// Its peer.
        remote: SocketAddrV4,
    },
    /// Wi-Fi: the station associated with `ap` (`Join`).
    Associated {
        /// The access point joined.
        ap: AccessPoint<'a>,
    },
    /// Wi-Fi: the `Join` failed; the station is not associated.
    JoinFailed {
        /// Why.
        reason: JoinFailure,
    },
    /// Wi-Fi: the access point was lost; the address with it.
    Disassociated,
    /// Wi-Fi: the access points a `Scan` found, in any order.
    Scanned {
        /// Every access point in range.
        access_points: &'a [AccessPoint<'a>],
    },
}
