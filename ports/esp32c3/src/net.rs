//! The core's sockets on embassy-net.
//!
//! A fixed set of socket slots, one embassy task each, with statically
//! allocated buffers: the dialect's links plus the core's three internal UDP
//! sockets (DNS, SNTP's DNS, SNTP). The module task maps each `SocketId` the
//! core names to a slot ([`Sockets`]), sends the slot its orders over a
//! channel, and gets back [`Report`]s on one channel in the order they
//! happened. A slot serves one socket at a time; its orders run in the
//! order the core gave them.
//!
//! Received data is read from the embassy-net socket one chunk at a time:
//! a slot reads again only once the module task has handed the last chunk
//! to the core, so what the core has no room for waits in the socket's
//! receive buffer (and TCP's window closes) rather than here.
//!
//! Ping has a task and an ICMP socket of its own. TLS and DTLS are not
//! supported on this port: those opens fail at once.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use embassy_futures::select::{Either, select};
use embassy_net::icmp::ping::{PingManager, PingParams};
use embassy_net::tcp::{State, TcpSocket};
use embassy_net::udp::{PacketMetadata, UdpMetadata, UdpSocket};
use embassy_net::{IpAddress, IpEndpoint, Stack};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_time::{Duration, WithTimeout};
use firmware_core::{CloseReason, Keepalive, NetCommand, SocketId};

/// The user's links.
const LINKS: usize = firmware_core::SEED.links as usize;
/// Links plus the core's internal DNS, SNTP-DNS and SNTP sockets.
pub(crate) const SLOTS: usize = LINKS + 3;

/// Each slot's receive and send buffers. The send buffer holds the longest
/// datagram the core sends (CIPSEND's limit).
const RX_BUFFER: usize = 2920;
const TX_BUFFER: usize = if firmware_core::SEED.max_send > 2920 {
    firmware_core::SEED.max_send
} else {
    2920
};
/// Datagrams a UDP socket queues each way.
const DATAGRAMS: usize = 4;
/// The most bytes one read of a stream takes.
const CHUNK: usize = 1460;
/// How long a closed TCP connection may take to deliver what it still holds
/// and finish its FIN exchange before it is reset.
const LINGER: Duration = Duration::from_secs(5);

/// A slot's buffers, whichever kind of socket it serves. All zero, so a
/// static of them takes no flash.
pub(crate) struct SlotBuffers {
    rx: [u8; RX_BUFFER],
    tx: [u8; TX_BUFFER],
}

impl SlotBuffers {
    pub(crate) const fn new() -> Self {
        SlotBuffers {
            rx: [0; RX_BUFFER],
            tx: [0; TX_BUFFER],
        }
    }
}

/// A slot's datagram queues, when it serves a UDP socket.
pub(crate) struct SlotMeta {
    rx: [PacketMetadata; DATAGRAMS],
    tx: [PacketMetadata; DATAGRAMS],
}

impl SlotMeta {
    pub(crate) const fn new() -> Self {
        SlotMeta {
            rx: [PacketMetadata::EMPTY; DATAGRAMS],
            tx: [PacketMetadata::EMPTY; DATAGRAMS],
        }
    }
}

/// The ping socket's buffers: one echo request and one reply.
pub(crate) struct PingBuffers {
    rx: [u8; 128],
    tx: [u8; 128],
    rx_meta: [embassy_net::icmp::PacketMetadata; 1],
    tx_meta: [embassy_net::icmp::PacketMetadata; 1],
}

impl PingBuffers {
    pub(crate) const fn new() -> Self {
        PingBuffers {
            rx: [0; 128],
            tx: [0; 128],
            rx_meta: [embassy_net::icmp::PacketMetadata::EMPTY; 1],
            tx_meta: [embassy_net::icmp::PacketMetadata::EMPTY; 1],
        }
    }
}

/// What a slot's task must do; each names the socket it is for.
enum Order {
    Connect {
        socket: SocketId,
        remote: SocketAddrV4,
        keepalive: Option<Keepalive>,
    },
    Listen {
        socket: SocketId,
        port: u16,
        keepalive: Option<Keepalive>,
    },
    Bind {
        socket: SocketId,
        port: u16,
    },
    Send {
        socket: SocketId,
        data: Vec<u8>,
        to: Option<SocketAddrV4>,
    },
    Close {
        socket: SocketId,
    },
}

impl Order {
    fn socket(&self) -> SocketId {
        match self {
            Order::Connect { socket, .. }
            | Order::Listen { socket, .. }
            | Order::Bind { socket, .. }
            | Order::Send { socket, .. }
            | Order::Close { socket } => *socket,
        }
    }
}

/// What became of a socket, for the core.
pub(crate) struct Report {
    /// The slot that reported; `None` for ping and refusals.
    pub(crate) slot: Option<usize>,
    pub(crate) socket: SocketId,
    pub(crate) what: What,
}

pub(crate) enum What {
    Opened(u16),
    Failed,
    Accepted(SocketAddrV4),
    Received(SocketAddrV4, Vec<u8>),
    Sent,
    Closed(CloseReason),
    PingReply,
}

/// Orders a slot's task has not taken yet. The core has at most a few
/// outstanding per socket (an open, one send in flight, a close); a full
/// queue means something is badly wrong and ends the socket.
const ORDERS: usize = 8;

struct Slot {
    orders: Channel<CriticalSectionRawMutex, Order, ORDERS>,
    /// The module task handed the slot's last `Received` to the core.
    consumed: Signal<CriticalSectionRawMutex, ()>,
}

static SLOT: [Slot; SLOTS] = [const {
    Slot {
        orders: Channel::new(),
        consumed: Signal::new(),
    }
}; SLOTS];

/// Every report, in the order things happened.
pub(crate) static REPORTS: Channel<CriticalSectionRawMutex, Report, 16> = Channel::new();

/// Echo requests for the ping task.
static PINGS: Channel<CriticalSectionRawMutex, (SocketId, Ipv4Addr), 2> = Channel::new();

async fn report(slot: Option<usize>, socket: SocketId, what: What) {
    REPORTS.send(Report { slot, socket, what }).await;
}

fn v4(endpoint: IpEndpoint) -> SocketAddrV4 {
    // The stack is IPv4-only (no `proto-ipv6`).
    let IpAddress::Ipv4(ip) = endpoint.addr;
    SocketAddrV4::new(ip, endpoint.port)
}

fn endpoint(addr: SocketAddrV4) -> IpEndpoint {
    IpEndpoint::new(IpAddress::Ipv4(*addr.ip()), addr.port())
}

/// The module task's side: which slot serves which socket, and the reports
/// not yet given to the core.
pub(crate) struct Sockets {
    table: [Option<SocketId>; SLOTS],
    /// Where the search for a free slot starts: just after the last one
    /// taken, so a slot still lingering over a closed connection is reused
    /// last.
    cursor: usize,
    /// Reports waiting for the core (received data while it has no room,
    /// and that socket's reports after it), and the refusals the driver
    /// answers itself.
    pub(crate) inbox: VecDeque<Report>,
}

impl Sockets {
    pub(crate) fn new() -> Self {
        Sockets {
            table: [None; SLOTS],
            cursor: 0,
            inbox: VecDeque::new(),
        }
    }

    /// Carries out one command of the core (or queues its orders).
    pub(crate) fn execute(&mut self, command: NetCommand) {
        let order = match command {
            NetCommand::Connect {
                socket,
                remote,
                tls,
                keepalive,
            } => {
                if tls.is_some() {
                    // TLS-PSK is not supported on this port (README.md).
                    return self.refuse(socket);
                }
                Order::Connect {
                    socket,
                    remote,
                    keepalive,
                }
            }
            NetCommand::Listen {
                socket,
                local_port,
                keepalive,
            } => Order::Listen {
                socket,
                port: local_port,
                keepalive,
            },
            NetCommand::Bind {
                socket,
                local_port,
                dtls,
            } => {
                if dtls.is_some() {
                    // Nor is DTLS-PSK.
                    return self.refuse(socket);
                }
                Order::Bind {
                    socket,
                    port: local_port,
                }
            }
            NetCommand::Send { socket, data, to } => Order::Send { socket, data, to },
            NetCommand::Close { socket } => {
                if let Some(slot) = self.slot_of(socket) {
                    self.table[slot] = None;
                    self.order(slot, Order::Close { socket });
                }
                return;
            }
            NetCommand::Ping { socket, to } => {
                // One ping runs at a time (the core waits for each); a ping
                // that finds the queue full goes unanswered and times out.
                let _ = PINGS.try_send((socket, to));
                return;
            }
        };
        let socket = order.socket();
        if let Order::Send { .. } = order {
            // A socket no longer open: the core learns it (or did) from the
            // report that ended it.
            if let Some(slot) = self.slot_of(socket) {
                self.order(slot, order);
            }
            return;
        }
        let free = (0..SLOTS)
            .map(|i| (self.cursor + i) % SLOTS)
            .find(|&i| self.table[i].is_none());
        match free {
            Some(slot) => {
                self.table[slot] = Some(socket);
                self.cursor = (slot + 1) % SLOTS;
                self.order(slot, order);
            }
            None => self.refuse(socket),
        }
    }

    /// A report is about to reach the core: a socket that ended frees its
    /// slot (unless the slot already serves a newer one).
    pub(crate) fn forget(&mut self, report: &Report) {
        if let (Some(slot), What::Failed | What::Closed(_)) = (report.slot, &report.what)
            && self.table[slot] == Some(report.socket)
        {
            self.table[slot] = None;
        }
    }

    /// The core has all of a `Received` from `slot`: it may read again.
    pub(crate) fn consumed(&self, slot: Option<usize>) {
        if let Some(slot) = slot {
            SLOT[slot].consumed.signal(());
        }
    }

    fn slot_of(&self, socket: SocketId) -> Option<usize> {
        self.table.iter().position(|s| *s == Some(socket))
    }

    fn order(&mut self, slot: usize, order: Order) {
        let socket = order.socket();
        let what = match order {
            Order::Connect { .. } | Order::Listen { .. } | Order::Bind { .. } => What::Failed,
            Order::Send { .. } | Order::Close { .. } => What::Closed(CloseReason::Error),
        };
        if SLOT[slot].orders.try_send(order).is_err() {
            self.table[slot] = None;
            self.inbox.push_back(Report {
                slot: None,
                socket,
                what,
            });
        }
    }

    fn refuse(&mut self, socket: SocketId) {
        self.inbox.push_back(Report {
            slot: None,
            socket,
            what: What::Failed,
        });
    }
}

/// One socket slot: waits for an open, serves that socket until it ends,
/// then waits again.
#[embassy_executor::task(pool_size = SLOTS)]
pub(crate) async fn socket_task(
    index: usize,
    stack: Stack<'static>,
    buffers: &'static mut SlotBuffers,
    meta: &'static mut SlotMeta,
) -> ! {
    let slot = &SLOT[index];
    let s = Serve { index, slot, stack };
    // An open that came while the slot still served an earlier socket.
    let mut next = None;
    loop {
        let order = match next.take() {
            Some(order) => order,
            None => slot.orders.receive().await,
        };
        slot.consumed.reset();
        next = match order {
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
            Order::Send { .. } | Order::Close { .. } => None,
        };
    }
}

/// What a socket's service needs to know about its slot.
struct Serve {
    index: usize,
    slot: &'static Slot,
    stack: Stack<'static>,
}

/// How a socket's service ended.
enum End {
    /// Close gracefully: the core closed it (CL-2), or the peer did.
    Close,
    /// The network ended it; the core has been told.
    Gone,
    /// The core opened another socket on this slot: this one is over (the
    /// core gave up on it), the next one starts with this order.
    Next(Order),
}

impl End {
    /// What a slot's order means to the socket `socket` it serves.
    fn of(order: Order, socket: SocketId) -> Option<End> {
        match order {
            Order::Close { socket: s } if s == socket => Some(End::Close),
            Order::Connect { .. } | Order::Listen { .. } | Order::Bind { .. } => {
                Some(End::Next(order))
            }
            // A leftover for an earlier socket.
            Order::Send { .. } | Order::Close { .. } => None,
        }
    }

    fn next(self) -> Option<Order> {
        match self {
            End::Next(order) => Some(order),
            End::Close | End::Gone => None,
        }
    }
}

impl Serve {
    async fn report(&self, socket: SocketId, what: What) {
        report(Some(self.index), socket, what).await;
    }

    /// The next order that ends the socket while it waits for the network.
    async fn until_end(&self, socket: SocketId) -> End {
        loop {
            if let Some(end) = End::of(self.slot.orders.receive().await, socket) {
                return end;
            }
        }
    }

    async fn connect(
        &self,
        buffers: &mut SlotBuffers,
        socket: SocketId,
        remote: SocketAddrV4,
        keepalive: Option<Keepalive>,
    ) -> Option<Order> {
        let mut tcp = TcpSocket::new(self.stack, &mut buffers.rx, &mut buffers.tx);
        set_keepalive(&mut tcp, keepalive);
        // The core times the connect out itself, and then closes.
        match select(tcp.connect(endpoint(remote)), self.until_end(socket)).await {
            Either::First(Ok(())) => {
                let port = tcp.local_endpoint().map_or(0, |e| e.port);
                self.report(socket, What::Opened(port)).await;
                self.stream(&mut tcp, socket, remote).await
            }
            Either::First(Err(_)) => {
                self.report(socket, What::Failed).await;
                None
            }
            Either::Second(end) => {
                reset(&mut tcp).await;
                end.next()
            }
        }
    }

    async fn listen(
        &self,
        buffers: &mut SlotBuffers,
        socket: SocketId,
        port: u16,
        keepalive: Option<Keepalive>,
    ) -> Option<Order> {
        if port == 0 {
            self.report(socket, What::Failed).await;
            return None;
        }
        let mut tcp = TcpSocket::new(self.stack, &mut buffers.rx, &mut buffers.tx);
        set_keepalive(&mut tcp, keepalive);
        // Listening starts at the first poll of `accept`, which cannot
        // report by itself: say so first. The socket takes exactly one
        // connection and then is it; later SYNs find no listener and are
        // refused.
        self.report(socket, What::Opened(port)).await;
        match select(tcp.accept(port), self.until_end(socket)).await {
            Either::First(Ok(())) => match tcp.remote_endpoint() {
                Some(remote) => {
                    let remote = v4(remote);
                    self.report(socket, What::Accepted(remote)).await;
                    self.stream(&mut tcp, socket, remote).await
                }
                None => {
                    self.report(socket, What::Closed(CloseReason::Reset)).await;
                    reset(&mut tcp).await;
                    None
                }
            },
            Either::First(Err(_)) => {
                self.report(socket, What::Closed(CloseReason::Error)).await;
                reset(&mut tcp).await;
                None
            }
            Either::Second(end) => {
                reset(&mut tcp).await;
                end.next()
            }
        }
    }

    /// An open TCP connection: reads become `Received`, writes `Sent`.
    async fn stream(
        &self,
        tcp: &mut TcpSocket<'_>,
        socket: SocketId,
        peer: SocketAddrV4,
    ) -> Option<Order> {
        let end = {
            let (mut reader, mut writer) = tcp.split();
            // A `Received` is out and the core does not have all of it yet.
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
                        match select(write_all(&mut writer, &data), self.until_end(socket)).await {
                            Either::First(Ok(())) => self.report(socket, What::Sent).await,
                            Either::First(Err(_)) => {
                                self.report(socket, What::Closed(CloseReason::Reset)).await;
                                break End::Gone;
                            }
                            Either::Second(end) => break end,
                        }
                    }
                    Either::First(order) => {
                        if let Some(end) = End::of(order, socket) {
                            break end;
                        }
                    }
                    Either::Second(None) => handing = false,
                    Either::Second(Some(Ok(data))) if data.is_empty() => {
                        // The peer's FIN: answer with ours.
                        self.report(socket, What::Closed(CloseReason::Peer)).await;
                        break End::Close;
                    }
                    Either::Second(Some(Ok(data))) => {
                        handing = true;
                        self.report(socket, What::Received(peer, data)).await;
                    }
                    Either::Second(Some(Err(_))) => {
                        self.report(socket, What::Closed(CloseReason::Reset)).await;
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
        end.next()
    }

    /// A UDP socket: each datagram in is one `Received`, each send one
    /// datagram.
    async fn bind(
        &self,
        buffers: &mut SlotBuffers,
        meta: &mut SlotMeta,
        socket: SocketId,
        port: u16,
    ) -> Option<Order> {
        let mut udp = UdpSocket::new(
            self.stack,
            &mut meta.rx,
            &mut buffers.rx,
            &mut meta.tx,
            &mut buffers.tx,
        );
        if udp.bind(port).is_err() {
            self.report(socket, What::Failed).await;
            return None;
        }
        self.report(socket, What::Opened(udp.endpoint().port)).await;
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
                    self.report(socket, What::Sent).await;
                }
                Either::First(order) => {
                    if let Some(end) = End::of(order, socket) {
                        return end.next();
                    }
                }
                Either::Second(None) => handing = false,
                Either::Second(Some((data, from))) => {
                    handing = true;
                    self.report(socket, What::Received(from, data)).await;
                }
            }
        }
    }
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

/// Echo requests, one at a time, each answered by `PingReply` or by nothing
/// (the core times out by itself).
#[embassy_executor::task]
pub(crate) async fn ping_task(stack: Stack<'static>, buffers: &'static mut PingBuffers) -> ! {
    let mut pinger = PingManager::new(
        stack,
        &mut buffers.rx_meta,
        &mut buffers.rx,
        &mut buffers.tx_meta,
        &mut buffers.tx,
    );
    let timeout = firmware_core::SEED.ping_timeout_after;
    loop {
        let (socket, to) = PINGS.receive().await;
        let mut params = PingParams::new(to);
        params
            .set_count(1)
            .set_payload(b"atcert")
            .set_timeout(Duration::from_millis(timeout.as_millis() as u64))
            .set_rate_limit(Duration::from_ticks(0));
        if pinger.ping(&params).await.is_ok() {
            report(None, socket, What::PingReply).await;
        }
    }
}
