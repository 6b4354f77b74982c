//! One of the user's connections (ST, SS, SD, CL, RX).

use core::fmt;
use core::net::SocketAddrV4;

use alloc::boxed::Box;

use crate::command::{Kind, UdpMode};
use crate::module::Held;
use crate::net::SocketId;
use crate::tls::session::Session;

/// Where a link stands. A link that is closed is no link: its slot is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// CIPSTART asked the network; no answer yet.
    Opening,
    /// A TCP server link waiting for its one peer (SS-8).
    Listening,
    /// Data may flow.
    Connected,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Opening => "opening",
            State::Listening => "listening",
            State::Connected => "connected",
        })
    }
}

/// An open (or opening) link.
pub(crate) struct Link {
    pub(crate) socket: SocketId,
    pub(crate) kind: Kind,
    /// `<tetype>` 1 (ST-2).
    pub(crate) server: bool,
    /// The peer; for a server link before its peer, the CIPSTART remote.
    /// UDP sends go here unless CIPSEND names another (SD-1, SS-8).
    pub(crate) remote: SocketAddrV4,
    /// The real local port, once the network reported it.
    pub(crate) local_port: u16,
    pub(crate) state: State,
    /// Sends handed to the network, and those it reported accepted: their
    /// difference is what is in flight.
    pub(crate) issued: u32,
    pub(crate) acked: u32,
    /// A TLS or DTLS link's session, once its socket is open.
    pub(crate) tls: Option<Box<Session>>,
    /// Whose datagrams move a UDP link's remote (ET-5).
    pub(crate) udp_mode: UdpMode,
    /// Data kept for the host to read, in passive mode (ER-4).
    pub(crate) held: Held,
    /// A server's client: when data last went either way (ET-14).
    pub(crate) last_io: Option<crate::time::Instant>,
}

impl fmt::Debug for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Link")
            .field("socket", &self.socket)
            .field("kind", &self.kind)
            .field("remote", &self.remote)
            .field("state", &self.state)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl Link {
    pub(crate) fn new(socket: SocketId, kind: Kind, server: bool, remote: SocketAddrV4) -> Self {
        Link {
            socket,
            kind,
            server,
            remote,
            local_port: 0,
            state: State::Opening,
            issued: 0,
            acked: 0,
            tls: None,
            udp_mode: UdpMode::Fixed,
            held: Held::default(),
            last_io: None,
        }
    }

    /// SD-3: open, and a server link has its peer.
    pub(crate) fn may_send(&self) -> bool {
        self.state == State::Connected
    }

    pub(crate) fn in_flight(&self) -> bool {
        self.issued != self.acked
    }

    /// The datagram destination of a send on this link (`None` on streams).
    pub(crate) fn destination(&self, to: Option<SocketAddrV4>) -> Option<SocketAddrV4> {
        if self.kind.is_stream() {
            None
        } else {
            Some(to.unwrap_or(self.remote))
        }
    }
}
