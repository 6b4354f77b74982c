//! One socket slot's task: waits for an open, serves that socket until it
//! ends, says the slot is free ([`News::Gone`]), then waits again. Orders
//! for a socket that already ended are stale and ignored.

use core::net::SocketAddrV4;

use embassy_futures::select::{Either, select};
use embassy_net::tcp::{State, TcpSocket};
use embassy_net::udp::{UdpMetadata, UdpSocket};
use embassy_net::{IpAddress, IpEndpoint, Stack};
use embassy_time::{Duration, WithTimeout};
use firmware_core::{CloseReason, Keepalive, SocketId};

use crate::net::{Chunk, NEWS, News, Order, Report, SLOT, SLOTS, Slot, SlotBuffers, SlotMeta};

/// The most bytes one read of a stream takes.
const CHUNK: usize = 1460;
/// How long a closed TCP connection may take to deliver what it still holds
/// and finish its FIN exchange before it is reset.
const LINGER: Duration = Duration::from_secs(5);

#[embassy_executor::task(pool_size = SLOTS)]
pub(crate) async fn socket_task(
    index: usize,
    stack: Stack<'static>,
    buffers: &'static mut SlotBuffers,
    meta: &'static mut SlotMeta,
) -> ! {
    let slot = &SLOT[index];
    let s = Serve { index, slot, stack };
    loop {
        let order = slot.orders.receive().await;
        slot.consumed.reset();
        match order {
            Order::Connect {
                socket,
                remote,
                keepalive,
            } => s.connect(buffers, socket, remote, keepalive).await,
            Order::Listen {
                socket,
                port,
                keepalive,
            } => s.listen(buffers, socket, port, keepalive).await,
            Order::Bind { socket, port } => s.bind(buffers, meta, socket, port).await,
            // For a socket that already ended: stale.
            Order::Send { .. } | Order::Close { .. } => continue,
        }
        // The socket was dropped, so the stack let go of it.
        NEWS.send(News::Gone(index)).await;
    }
}

/// What a socket's service needs to know about its slot.
struct Serve {
    index: usize,
    slot: &'static Slot,
    stack: Stack<'static>,
}

/// How a connection's service ended.
enum End {
    /// Close gracefully: the core closed it (CL-2), or the peer did.
    Close,
    /// The network ended it; the core has been told.
    Gone,
}

impl Serve {
    async fn report(&self, socket: SocketId, report: Report) {
        NEWS.send(News::Report(socket, report)).await;
    }

    /// The core's close of `socket`, while it waits for the network; other
    /// orders are leftovers of an earlier socket.
    async fn closed(&self, socket: SocketId) {
        loop {
            if let Order::Close { socket: s } = self.slot.orders.receive().await
                && s == socket
            {
                return;
            }
        }
    }

    async fn connect(
        &self,
        buffers: &mut SlotBuffers,
        socket: SocketId,
        remote: SocketAddrV4,
        keepalive: Option<Keepalive>,
    ) {
        let mut tcp = TcpSocket::new(self.stack, &mut buffers.rx, &mut buffers.tx);
        set_keepalive(&mut tcp, keepalive);
        // The core times the connect out itself, and then closes.
        match select(tcp.connect(endpoint(remote)), self.closed(socket)).await {
            Either::First(Ok(())) => {
                let port = tcp.local_endpoint().map_or(0, |e| e.port);
                self.report(socket, Report::Opened(port)).await;
                self.stream(&mut tcp, socket, remote).await;
            }
            Either::First(Err(_)) => self.report(socket, Report::Failed).await,
            Either::Second(()) => reset(&mut tcp).await,
        }
    }

    async fn listen(
        &self,
        buffers: &mut SlotBuffers,
        socket: SocketId,
        port: u16,
        keepalive: Option<Keepalive>,
    ) {
        if port == 0 {
            return self.report(socket, Report::Failed).await;
        }
        let mut tcp = TcpSocket::new(self.stack, &mut buffers.rx, &mut buffers.tx);
        set_keepalive(&mut tcp, keepalive);
        // Listening starts at the first poll of `accept`, which cannot
        // report by itself: say so first. The socket takes exactly one
        // connection and then is it; later SYNs find no listener and are
        // refused.
        self.report(socket, Report::Opened(port)).await;
        match select(tcp.accept(port), self.closed(socket)).await {
            Either::First(Ok(())) => match tcp.remote_endpoint() {
                Some(remote) => {
                    let remote = v4(remote);
                    self.report(socket, Report::Accepted(remote)).await;
                    self.stream(&mut tcp, socket, remote).await;
                }
                None => {
                    self.report(socket, Report::Closed(CloseReason::Reset))
                        .await;
                    reset(&mut tcp).await;
                }
            },
            Either::First(Err(_)) => {
                self.report(socket, Report::Closed(CloseReason::Error))
                    .await;
                reset(&mut tcp).await;
            }
            Either::Second(()) => reset(&mut tcp).await,
        }
    }

    /// An open TCP connection: reads become `Received`, writes `Sent`.
    async fn stream(&self, tcp: &mut TcpSocket<'_>, socket: SocketId, peer: SocketAddrV4) {
        let end = {
            let (mut reader, mut writer) = tcp.split();
            // A `Received` is out and not yet dropped.
            let mut handing = false;
            loop {
                let read = async {
                    if handing {
                        self.slot.consumed.wait().await;
                        None
                    } else {
                        let chunk = |b: &mut [u8]| {
                            let n = b.len().min(CHUNK);
                            (n, b[..n].to_vec())
                        };
                        Some(reader.read_with(chunk).await)
                    }
                };
                match select(self.slot.orders.receive(), read).await {
                    Either::First(Order::Send {
                        socket: s, data, ..
                    }) if s == socket => {
                        // A peer that stops reading holds the write up; a
                        // close still ends it.
                        match select(write_all(&mut writer, &data), self.closed(socket)).await {
                            Either::First(Ok(())) => self.report(socket, Report::Sent).await,
                            Either::First(Err(_)) => {
                                self.report(socket, Report::Closed(CloseReason::Reset))
                                    .await;
                                break End::Gone;
                            }
                            Either::Second(()) => break End::Close,
                        }
                    }
                    Either::First(Order::Close { socket: s }) if s == socket => break End::Close,
                    // A leftover of an earlier socket.
                    Either::First(_) => {}
                    Either::Second(None) => handing = false,
                    Either::Second(Some(Ok(data))) if data.is_empty() => {
                        // The peer's FIN: answer with ours.
                        self.report(socket, Report::Closed(CloseReason::Peer)).await;
                        break End::Close;
                    }
                    Either::Second(Some(Ok(data))) => {
                        handing = true;
                        let chunk = Chunk::new(self.index, data);
                        self.report(socket, Report::Received(peer, chunk)).await;
                    }
                    Either::Second(Some(Err(_))) => {
                        self.report(socket, Report::Closed(CloseReason::Reset))
                            .await;
                        break End::Gone;
                    }
                }
            }
        };
        if let End::Close = end {
            // FIN after what was written; then let the peer finish,
            // discarding what it still sends (the core stopped listening).
            tcp.close();
            let finished = async {
                let _ = tcp.flush().await;
                while let Ok(n) = tcp.read_with(|b| (b.len(), b.len())).await {
                    if n == 0 {
                        break;
                    }
                }
            };
            let _ = finished.with_timeout(LINGER).await;
        }
        if !matches!(tcp.state(), State::Closed | State::TimeWait) {
            reset(tcp).await;
        }
    }

    /// A UDP socket: each datagram in is one `Received`, each send one
    /// datagram.
    async fn bind(
        &self,
        buffers: &mut SlotBuffers,
        meta: &mut SlotMeta,
        socket: SocketId,
        port: u16,
    ) {
        let mut udp = UdpSocket::new(
            self.stack,
            &mut meta.rx,
            &mut buffers.rx,
            &mut meta.tx,
            &mut buffers.tx,
        );
        if udp.bind(port).is_err() {
            return self.report(socket, Report::Failed).await;
        }
        self.report(socket, Report::Opened(udp.endpoint().port))
            .await;
        let mut handing = false;
        loop {
            let recv = async {
                if handing {
                    self.slot.consumed.wait().await;
                    None
                } else {
                    let datagram =
                        |data: &[u8], meta: UdpMetadata| (data.to_vec(), v4(meta.endpoint));
                    Some(udp.recv_from_with(datagram).await)
                }
            };
            match select(self.slot.orders.receive(), recv).await {
                Either::First(Order::Send {
                    socket: s,
                    data,
                    to,
                }) if s == socket => {
                    if let Some(to) = to {
                        // UDP has no delivery feedback: handed to the stack
                        // (or refused by it, with no route yet) is sent.
                        let _ = udp.send_to(&data, endpoint(to)).await;
                    }
                    self.report(socket, Report::Sent).await;
                }
                Either::First(Order::Close { socket: s }) if s == socket => return,
                // A leftover of an earlier socket.
                Either::First(_) => {}
                Either::Second(None) => handing = false,
                Either::Second(Some((data, from))) => {
                    handing = true;
                    let chunk = Chunk::new(self.index, data);
                    self.report(socket, Report::Received(from, chunk)).await;
                }
            }
        }
    }
}

fn v4(endpoint: IpEndpoint) -> SocketAddrV4 {
    // The stack is IPv4-only (no `proto-ipv6`).
    let IpAddress::Ipv4(ip) = endpoint.addr;
    SocketAddrV4::new(ip, endpoint.port)
}

fn endpoint(addr: SocketAddrV4) -> IpEndpoint {
    IpEndpoint::new(IpAddress::Ipv4(*addr.ip()), addr.port())
}

/// Resets a connection and gives the RST a moment to leave before the
/// socket is dropped.
async fn reset(tcp: &mut TcpSocket<'_>) {
    tcp.abort();
    let _ = tcp.flush().with_timeout(Duration::from_millis(100)).await;
}

async fn write_all(
    writer: &mut embassy_net::tcp::TcpWriter<'_>,
    mut data: &[u8],
) -> Result<(), embassy_net::tcp::Error> {
    while !data.is_empty() {
        match writer.write(data).await? {
            0 => return Err(embassy_net::tcp::Error::ConnectionReset),
            n => data = &data[n..],
        }
    }
    Ok(())
}

/// TCP keep-alive from the core's options. smoltcp has one keep-alive
/// interval and an idle timeout: probes go out after `idle` of silence, and
/// the connection is given up `interval × count` after the first probe.
fn set_keepalive(tcp: &mut TcpSocket<'_>, keepalive: Option<Keepalive>) {
    let to_embassy = |d: core::time::Duration| Duration::from_micros(d.as_micros() as u64);
    match keepalive {
        Some(k) => {
            tcp.set_keep_alive(Some(to_embassy(k.idle)));
            tcp.set_timeout(Some(to_embassy(k.idle + k.interval * u32::from(k.count))));
        }
        None => {
            tcp.set_keep_alive(None);
            tcp.set_timeout(None);
        }
    }
}
