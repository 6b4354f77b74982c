//! What a socket tells the driver's loop, owned so it can wait there.

use core::net::SocketAddrV4;

use firmware_core::{CloseReason, NetEvent, SocketId};

/// One socket's news: a [`NetEvent`] that owns its data. `D` is the
/// received bytes' container: a `Vec<u8>`, or a driver's type that also
/// holds a read credit and gives it back when dropped.
#[derive(Debug)]
pub enum Report<D> {
    /// See [`NetEvent::Opened`].
    Opened(u16),
    /// See [`NetEvent::Failed`].
    Failed,
    /// See [`NetEvent::Accepted`].
    Accepted(SocketAddrV4),
    /// On a `Serve` listener: a client connected, as the socket named (see
    /// [`NetEvent::Incoming`]); its own reports follow on that socket.
    Incoming(SocketId, SocketAddrV4),
    /// One read of a stream or one whole datagram, from this sender.
    Received(SocketAddrV4, D),
    /// See [`NetEvent::Sent`].
    Sent,
    /// See [`NetEvent::Closed`].
    Closed(CloseReason),
    /// See [`NetEvent::PingReply`].
    PingReply,
}

impl<D> Report<D> {
    /// The event for the core; `None` for received data, which the inbox
    /// hands over itself (in parts, or whole).
    pub(crate) fn event(&self, socket: SocketId) -> Option<NetEvent<'static>> {
        Some(match *self {
            Report::Opened(local_port) => NetEvent::Opened { socket, local_port },
            Report::Failed => NetEvent::Failed { socket },
            Report::Accepted(remote) => NetEvent::Accepted { socket, remote },
            Report::Incoming(client, remote) => NetEvent::Incoming {
                listener: socket,
                socket: client,
                remote,
            },
            Report::Sent => NetEvent::Sent { socket },
            Report::Closed(reason) => NetEvent::Closed { socket, reason },
            Report::PingReply => NetEvent::PingReply { socket },
            Report::Received(..) => return None,
        })
    }

    /// Whether the socket is gone after this report.
    pub(crate) fn ends(&self) -> bool {
        matches!(self, Report::Failed | Report::Closed(_))
    }
}

/// Received bytes with what the driver holds until the core has all of
/// them: a read credit whose drop lets the socket read again, so a socket
/// whose data waits stops reading and the peer's window closes.
#[derive(Debug)]
pub struct Credited<T>(pub alloc::vec::Vec<u8>, pub T);

impl<T> AsRef<[u8]> for Credited<T> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
