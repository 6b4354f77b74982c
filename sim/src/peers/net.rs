//! The network the peers run on: turmoil's simulated one, or the OS's.
//!
//! The simulator certifies `firmware-core` in simulated time; a serial DUT
//! certifies a real module, whose peers must be real sockets. Both are to
//! be judged by the same services, so each service is written once,
//! generic over [`Net`], and the network is picked at compile time:
//! [`Turmoil`] in the [`World`](crate::World), [`Tokio`] in the
//! [`Lab`](crate::Lab).
//!
//! The trait is the narrow boundary between the peers and a socket layer:
//! the few operations the peers use, as associated functions on the
//! libraries' own types, with no instance and no dynamic dispatch. Its
//! futures are not `Send`: peers share state through `Rc` and run on one
//! thread, in a turmoil host or the lab's `LocalSet`.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

/// The socket operations and the clock the peer services use.
///
/// Every operation means what the same-named method of `tokio::net` means;
/// both implementations are thin forwards to it or to turmoil's copy of it.
/// `accept` and `recv_from` are cancel safe, as the peers' `select!` loops
/// need.
pub trait Net: 'static {
    /// A listening TCP socket.
    type TcpListener: 'static;
    /// An established TCP connection.
    type TcpStream: 'static;
    /// The receiving half of a [`TcpStream`](Self::TcpStream).
    type ReadHalf: AsyncRead + Unpin + 'static;
    /// The sending half of a [`TcpStream`](Self::TcpStream). Dropping it
    /// and its read half closes the connection: a FIN, or a RST if unread
    /// data is left.
    type WriteHalf: AsyncWrite + Unpin + 'static;
    /// A bound UDP socket.
    type UdpSocket: 'static;

    /// Whether the network itself answers pings. On real sockets the OS
    /// does, with ICMP; turmoil has no ICMP, so on it every peer host runs
    /// the ping responder on [`PING_PORT`](super::PING_PORT).
    const ANSWERS_PING: bool;

    /// Listens for TCP connections at `addr`.
    fn bind_tcp(addr: SocketAddr) -> impl Future<Output = io::Result<Self::TcpListener>>;

    /// The next connection made to `listener`, and where it comes from.
    fn accept(
        listener: &Self::TcpListener,
    ) -> impl Future<Output = io::Result<(Self::TcpStream, SocketAddr)>>;

    /// Connects from address `from` (an unspecified one: the network's
    /// choice) to `to`. On turmoil a host's sockets always have the host's
    /// address, so `from` changes nothing there; on real sockets it makes a
    /// lab host's connections come from that host, not from 127.0.0.1.
    fn connect(from: IpAddr, to: SocketAddr) -> impl Future<Output = io::Result<Self::TcpStream>>;

    /// Splits `stream` into halves that a task may read and write at once.
    fn into_split(stream: Self::TcpStream) -> (Self::ReadHalf, Self::WriteHalf);

    /// A UDP socket bound at `addr`.
    fn bind_udp(addr: SocketAddr) -> impl Future<Output = io::Result<Self::UdpSocket>>;

    /// Sends `buf` as one datagram to `to`; the bytes sent.
    fn send_to(
        socket: &Self::UdpSocket,
        buf: &[u8],
        to: SocketAddr,
    ) -> impl Future<Output = io::Result<usize>>;

    /// The next datagram into `buf`: its length and its sender.
    fn recv_from(
        socket: &Self::UdpSocket,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>>;

    /// Where `socket` is bound: the port the OS picked for port 0.
    fn local_addr(socket: &Self::UdpSocket) -> io::Result<SocketAddr>;

    /// The network's time now: since the world started (simulated time) or
    /// since the lab started (real time). An SNTP [`Clock`](super::Clock)
    /// counts from it.
    fn now() -> Duration;
}

/// Whether an I/O error says something about one datagram or connection
/// (an ICMP port unreachable after a send to a closed port, which some
/// systems report on an unconnected UDP socket's next receive; a connection
/// reset before it was accepted), not about the socket: the peer goes on.
/// Only other errors end a peer host, and the lab reports those.
pub(super) fn is_passing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
    )
}

/// The next datagram, passing over errors that concern one datagram.
pub(super) async fn recv<N: Net>(
    socket: &N::UdpSocket,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr)> {
    loop {
        match N::recv_from(socket, buf).await {
            Err(e) if is_passing(&e) => continue,
            other => return other,
        }
    }
}

/// turmoil's simulated network: the peers of the [`World`](crate::World).
#[derive(Debug, Clone, Copy, Default)]
pub struct Turmoil;

impl Net for Turmoil {
    type TcpListener = turmoil::net::TcpListener;
    type TcpStream = turmoil::net::TcpStream;
    type ReadHalf = turmoil::net::tcp::OwnedReadHalf;
    type WriteHalf = turmoil::net::tcp::OwnedWriteHalf;
    type UdpSocket = turmoil::net::UdpSocket;

    const ANSWERS_PING: bool = false;

    async fn bind_tcp(addr: SocketAddr) -> io::Result<Self::TcpListener> {
        turmoil::net::TcpListener::bind(addr).await
    }

    async fn accept(listener: &Self::TcpListener) -> io::Result<(Self::TcpStream, SocketAddr)> {
        listener.accept().await
    }

    async fn connect(_from: IpAddr, to: SocketAddr) -> io::Result<Self::TcpStream> {
        turmoil::net::TcpStream::connect(to).await
    }

    fn into_split(stream: Self::TcpStream) -> (Self::ReadHalf, Self::WriteHalf) {
        stream.into_split()
    }

    async fn bind_udp(addr: SocketAddr) -> io::Result<Self::UdpSocket> {
        turmoil::net::UdpSocket::bind(addr).await
    }

    async fn send_to(socket: &Self::UdpSocket, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        socket.send_to(buf, to).await
    }

    async fn recv_from(
        socket: &Self::UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr)> {
        socket.recv_from(buf).await
    }

    fn local_addr(socket: &Self::UdpSocket) -> io::Result<SocketAddr> {
        socket.local_addr()
    }

    fn now() -> Duration {
        sim_now()
    }
}

/// Simulated time since the simulation started, as the running host sees it
/// now, to the microsecond: the time of the current step plus the tokio time
/// the host advanced within it. turmoil's `sim_elapsed` already computes
/// exactly that (the step's start plus the host runtime's paused tokio clock
/// since then), so this only names the contract and rejects use outside a
/// host. It is [`Turmoil`]'s [`Net::now`].
///
/// # Panics
/// If called outside a turmoil host's software (a broken invariant: every
/// peer runs inside one).
pub fn sim_now() -> Duration {
    turmoil::sim_elapsed().expect("sim_now is called from a turmoil host's software")
}

/// The OS's sockets, through `tokio::net`: the peers of the
/// [`Lab`](crate::Lab), in real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

thread_local! {
    /// When the lab on this thread started. Per thread because a lab and
    /// its peers live on the one thread that made it (they share `Rc`s),
    /// and tests run labs on many threads at once.
    static LAB_START: Cell<Option<Instant>> = const { Cell::new(None) };
}

impl Tokio {
    /// Starts the clock [`Tokio::now`] reads on this thread; it stops when
    /// the returned guard drops.
    ///
    /// # Panics
    /// If this thread's clock already runs: one lab per thread.
    pub(crate) fn start_clock() -> LabClock {
        LAB_START.with(|start| {
            assert!(start.get().is_none(), "one lab per thread");
            start.set(Some(Instant::now()));
        });
        LabClock(())
    }
}

/// Keeps this thread's lab clock running; see [`Tokio::start_clock`].
#[derive(Debug)]
pub(crate) struct LabClock(());

impl Drop for LabClock {
    fn drop(&mut self) {
        LAB_START.with(|start| start.set(None));
    }
}

impl Net for Tokio {
    type TcpListener = tokio::net::TcpListener;
    type TcpStream = tokio::net::TcpStream;
    type ReadHalf = tokio::net::tcp::OwnedReadHalf;
    type WriteHalf = tokio::net::tcp::OwnedWriteHalf;
    type UdpSocket = tokio::net::UdpSocket;

    const ANSWERS_PING: bool = true;

    async fn bind_tcp(addr: SocketAddr) -> io::Result<Self::TcpListener> {
        tokio::net::TcpListener::bind(addr).await
    }

    async fn accept(listener: &Self::TcpListener) -> io::Result<(Self::TcpStream, SocketAddr)> {
        listener.accept().await
    }

    async fn connect(from: IpAddr, to: SocketAddr) -> io::Result<Self::TcpStream> {
        let socket = match to {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        if !from.is_unspecified() {
            socket.bind(SocketAddr::new(from, 0))?;
        }
        socket.connect(to).await
    }

    fn into_split(stream: Self::TcpStream) -> (Self::ReadHalf, Self::WriteHalf) {
        stream.into_split()
    }

    async fn bind_udp(addr: SocketAddr) -> io::Result<Self::UdpSocket> {
        tokio::net::UdpSocket::bind(addr).await
    }

    async fn send_to(socket: &Self::UdpSocket, buf: &[u8], to: SocketAddr) -> io::Result<usize> {
        socket.send_to(buf, to).await
    }

    async fn recv_from(
        socket: &Self::UdpSocket,
        buf: &mut [u8],
    ) -> io::Result<(usize, SocketAddr)> {
        socket.recv_from(buf).await
    }

    fn local_addr(socket: &Self::UdpSocket) -> io::Result<SocketAddr> {
        socket.local_addr()
    }

    /// Real time since the lab on this thread started.
    ///
    /// # Panics
    /// If no lab runs on this thread (a broken invariant: every `Tokio`
    /// peer runs inside one).
    fn now() -> Duration {
        let start = LAB_START
            .with(Cell::get)
            .expect("Tokio::now is called in a lab");
        start.elapsed()
    }
}
