//! The network: each `NetCommand` carried out with the OS's sockets
//! (tokio), each outcome sent back to the loop as a [`Report`].
//!
//! One task per socket (a TCP connection has a reader and a writer), as in
//! the simulator's module host. A task knows its socket's ID and nothing of
//! AT: addresses go through the [`Map`] on the way out and on the way in,
//! and every socket is bound to the module's host address.
//!
//! Received data is credit-based: a socket has at most [`CREDITS`] reads
//! waiting for the core, each holding a semaphore permit until the loop has
//! given all of it to the core. A socket out of credit stops reading, so
//! TCP's window closes on the peer instead of the driver's memory growing.

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

use firmware_core::{Bytes, CloseReason, Keepalive, NetCommand, SocketId};
use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};

use crate::map::{Map, Silent};
use crate::ping::{self, Icmp};

/// Reads of one socket waiting for the core at most.
const CREDITS: usize = 4;

/// One TCP read.
const TCP_READ: usize = 4096;

/// After the module closes a connection, how long the driver goes on
/// reading (and discarding) until the peer closes its side too; closing
/// with unread data would reset the connection instead of ending it.
const LINGER: Duration = Duration::from_secs(10);

/// What became of a socket, as its task reports it to the loop.
pub(crate) type Report = (SocketId, What);

/// A socket task's news, owned so it can cross the channel.
pub(crate) type What = driver_kit::Report<Credited>;

/// Data from a peer (as the module sees it), with the socket's read credit.
pub(crate) type Credited = driver_kit::Credited<OwnedSemaphorePermit>;

/// A socket and where its task takes orders.
type OrderChannel = (SocketId, mpsc::UnboundedSender<Order>);

/// A listener's clients, named by it (`SocketId::incoming`) and handed to
/// the loop's order table.
#[derive(Clone, Default)]
struct Incoming {
    channels: Arc<std::sync::Mutex<Vec<OrderChannel>>>,
    named: Arc<std::sync::atomic::AtomicU32>,
}

/// What the loop asks of a socket task.
enum Order {
    Send(Bytes, Option<SocketAddrV4>),
    Close,
}

/// The sockets the core asked for, by ID.
pub(crate) struct Sockets {
    map: Arc<Map>,
    silent: Silent,
    /// The module's address on the host: every socket is bound to it.
    bind: Ipv4Addr,
    /// One order channel per live socket task.
    orders: BTreeMap<SocketId, mpsc::UnboundedSender<Order>>,
    /// A listener's clients (AT+CIPSERVER): their order channels until
    /// `orders` takes them, and how many were named.
    incoming: Incoming,
    /// The ping task, when the OS gave an ICMP socket.
    pinger: Option<mpsc::UnboundedSender<(SocketId, Ipv4Addr)>>,
    reports: mpsc::UnboundedSender<Report>,
    verbose: bool,
}

impl Sockets {
    /// Sockets bound to `bind` (the module's host address), reporting on
    /// `reports`; pings go out on `icmp` if there is one.
    pub(crate) fn new(
        map: Map,
        silent: Silent,
        bind: Ipv4Addr,
        icmp: Option<Icmp>,
        reports: mpsc::UnboundedSender<Report>,
        verbose: bool,
    ) -> Self {
        let pinger = icmp.map(|icmp| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(ping::run(icmp, rx, reports.clone()));
            tx
        });
        Sockets {
            map: Arc::new(map),
            silent,
            bind,
            orders: BTreeMap::new(),
            incoming: Incoming::default(),
            pinger,
            reports,
            verbose,
        }
    }

    /// The socket ended (`Failed`, `Closed`): its task is done or ends.
    pub(crate) fn forget(&mut self, socket: SocketId) {
        self.orders.remove(&socket);
    }

    /// Carries out one command of the core.
    pub(crate) fn execute(&mut self, c: NetCommand) {
        if self.verbose {
            log_command(&c);
        }
        if let Ok(mut channels) = self.incoming.channels.lock() {
            self.orders.extend(channels.drain(..));
        }
        match c {
            // The loop's radio (`air`) carries these out.
            NetCommand::Join { .. } | NetCommand::Leave | NetCommand::Scan => {}
            NetCommand::Serve { socket, local_port } => {
                let task = self.task(socket);
                let orders = self.new_orders(socket);
                tokio::spawn(serve(task, local_port, orders, self.incoming.clone()));
            }
            NetCommand::Connect {
                socket,
                remote,
                keepalive,
            } => {
                let task = self.task(socket);
                let orders = self.new_orders(socket);
                tokio::spawn(connect(task, remote, keepalive, orders));
            }
            NetCommand::Listen {
                socket,
                local_port,
                keepalive,
            } => {
                let task = self.task(socket);
                let orders = self.new_orders(socket);
                tokio::spawn(listen(task, local_port, keepalive, orders));
            }
            NetCommand::Bind { socket, local_port } => {
                let task = self.task(socket);
                let orders = self.new_orders(socket);
                tokio::spawn(bind(task, local_port, orders));
            }
            NetCommand::Send { socket, data, to } => {
                if let Some(tx) = self.orders.get(&socket) {
                    let _ = tx.send(Order::Send(data, to));
                }
            }
            NetCommand::Close { socket } => {
                if let Some(tx) = self.orders.remove(&socket) {
                    let _ = tx.send(Order::Close);
                }
            }
            NetCommand::Ping { socket, to } => {
                let task = self.task(socket);
                if let (Some(pinger), Some(to)) = (&self.pinger, task.outward_ip(to)) {
                    let _ = pinger.send((socket, to));
                }
            }
        }
    }

    fn task(&self, socket: SocketId) -> Task {
        Task {
            socket,
            bind: self.bind,
            map: self.map.clone(),
            silent: self.silent.clone(),
            reports: self.reports.clone(),
        }
    }

    fn new_orders(&mut self, socket: SocketId) -> mpsc::UnboundedReceiver<Order> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.orders.insert(socket, tx);
        rx
    }
}

/// One line on stderr per command (`-v`); keys stay out of it.
fn log_command(c: &NetCommand) {
    match c {
        NetCommand::Connect {
            socket,
            remote,
            keepalive,
        } => eprintln!("atmodule: {socket} connect {remote} keepalive={keepalive:?}"),
        NetCommand::Bind { socket, local_port } => {
            eprintln!("atmodule: {socket} bind {local_port}")
        }
        NetCommand::Send { socket, data, to } => match to {
            Some(to) => eprintln!("atmodule: {socket} send {} bytes to {to}", data.len()),
            None => eprintln!("atmodule: {socket} send {} bytes", data.len()),
        },
        other => eprintln!("atmodule: {other:?}"),
    }
}

/// What a socket task knows: its ID, the map, where to report.
#[derive(Clone)]
struct Task {
    socket: SocketId,
    bind: Ipv4Addr,
    map: Arc<Map>,
    silent: Silent,
    reports: mpsc::UnboundedSender<Report>,
}

impl Task {
    fn report(&self, what: What) {
        let _ = self.reports.send((self.socket, what));
    }

    /// Where on the host the module's `to` is; `None` when a socket bound
    /// to the module's address cannot reach it (a loopback address never
    /// talks to the outside: the map leaves nothing to chance there).
    fn outward(&self, to: SocketAddrV4) -> Option<SocketAddrV4> {
        if self.silent.contains(*to.ip()) {
            return None;
        }
        let to = self.map.outward(to);
        self.reachable(*to.ip()).then_some(to)
    }

    fn outward_ip(&self, to: Ipv4Addr) -> Option<Ipv4Addr> {
        if self.silent.contains(to) {
            return None;
        }
        let to = self.map.outward_ip(to);
        self.reachable(to).then_some(to)
    }

    fn reachable(&self, to: Ipv4Addr) -> bool {
        !self.bind.is_loopback() || to.is_loopback()
    }

    fn inward(&self, from: SocketAddr) -> Option<SocketAddrV4> {
        match from {
            SocketAddr::V4(from) => Some(self.map.inward(from)),
            SocketAddr::V6(_) => None,
        }
    }
}

/// `Connect`: a TCP connection from the module's address. A `Close` before
/// it is up (the core's connect timeout) abandons it.
async fn connect(
    task: Task,
    remote: SocketAddrV4,
    keepalive: Option<Keepalive>,
    mut orders: mpsc::UnboundedReceiver<Order>,
) {
    let silent = task.silent.contains(*remote.ip());
    let attempt = async {
        if silent {
            // Nothing answers there: the SYN goes unanswered.
            std::future::pending::<()>().await;
        }
        let to = task
            .outward(remote)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NetworkUnreachable))?;
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::V4(SocketAddrV4::new(task.bind, 0)))?;
        socket.connect(SocketAddr::V4(to)).await
    };
    let connected = tokio::select! {
        biased;
        // Only a Close can come before Opened.
        _ = orders.recv() => return,
        connected = attempt => connected,
    };
    match connected {
        Ok(stream) => {
            set_keepalive(&stream, keepalive);
            let port = stream.local_addr().map_or(0, |a| a.port());
            task.report(What::Opened(port));
            run_stream(task, stream, remote, orders).await;
        }
        Err(_) => task.report(What::Failed),
    }
}

/// `Listen`: on the module's address; exactly one connection, then the
/// listener is gone and later attempts are refused.
async fn listen(
    task: Task,
    local_port: u16,
    keepalive: Option<Keepalive>,
    mut orders: mpsc::UnboundedReceiver<Order>,
) {
    let Ok(listener) = TcpListener::bind((task.bind, local_port)).await else {
        task.report(What::Failed);
        return;
    };
    let port = listener.local_addr().map_or(local_port, |a| a.port());
    task.report(What::Opened(port));
    let accepted = tokio::select! {
        biased;
        // A Close before the connection stops listening at once (CL-2).
        _ = orders.recv() => return,
        accepted = listener.accept() => accepted,
    };
    drop(listener);
    let Some((stream, peer)) = accepted
        .ok()
        .and_then(|(stream, peer)| Some((stream, task.inward(peer)?)))
    else {
        task.report(What::Closed(CloseReason::Error));
        return;
    };
    set_keepalive(&stream, keepalive);
    task.report(What::Accepted(peer));
    run_stream(task, stream, peer, orders).await;
}

/// AT+CIPSERVER's listener: every client a socket of its own, until a
/// Close stops listening (the clients stay).
async fn serve(
    task: Task,
    local_port: u16,
    mut orders: mpsc::UnboundedReceiver<Order>,
    incoming: Incoming,
) {
    let Ok(listener) = TcpListener::bind((task.bind, local_port)).await else {
        task.report(What::Failed);
        return;
    };
    task.report(What::Opened(local_port));
    loop {
        let accepted = tokio::select! {
            biased;
            _ = orders.recv() => return,
            accepted = listener.accept() => accepted,
        };
        let Some((stream, peer)) = accepted
            .ok()
            .and_then(|(stream, peer)| Some((stream, task.inward(peer)?)))
        else {
            continue;
        };
        let n = incoming
            .named
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let client = SocketId::incoming(n);
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut channels) = incoming.channels.lock() {
            channels.push((client, tx));
        }
        task.report(What::Incoming(client, peer));
        let client_task = Task {
            socket: client,
            ..task.clone()
        };
        tokio::spawn(run_stream(client_task, stream, peer, rx));
    }
}

fn set_keepalive(stream: &TcpStream, keepalive: Option<Keepalive>) {
    let sock = SockRef::from(stream);
    let result = match keepalive {
        Some(k) => sock.set_tcp_keepalive(
            &TcpKeepalive::new()
                .with_time(k.idle)
                .with_interval(k.interval)
                .with_retries(u32::from(k.count)),
        ),
        None => sock.set_keepalive(false),
    };
    if let Err(e) = result {
        eprintln!("atmodule: keep-alive: {e}");
    }
}

/// A TCP connection: the writer runs here, in the order of the orders;
/// `Close` shuts the write side down after the writes before it (CL-2).
/// The reader reports the data and how the connection ended.
async fn run_stream(
    task: Task,
    stream: TcpStream,
    peer: SocketAddrV4,
    mut orders: mpsc::UnboundedReceiver<Order>,
) {
    let (rd, mut wr) = stream.into_split();
    let (closing, closed) = oneshot::channel();
    tokio::spawn(read_stream(task.clone(), rd, peer, closed));
    while let Some(order) = orders.recv().await {
        match order {
            Order::Send(data, _) => {
                // A failed write reports nothing: the reader reports the
                // end of the connection, with its reason.
                if wr.write_all(&data).await.is_ok() {
                    task.report(What::Sent);
                }
            }
            Order::Close => break,
        }
    }
    let _ = wr.shutdown().await;
    let _ = closing.send(());
}

async fn read_stream(
    task: Task,
    mut rd: OwnedReadHalf,
    peer: SocketAddrV4,
    mut closing: oneshot::Receiver<()>,
) {
    let credit = Arc::new(Semaphore::new(CREDITS));
    let mut buf = vec![0; TCP_READ];
    loop {
        let (permit, got) = tokio::select! {
            biased;
            _ = &mut closing => break,
            got = async {
                let permit = credit.clone().acquire_owned().await;
                (permit, rd.read(&mut buf).await)
            } => got,
        };
        match (permit, got) {
            (_, Ok(0)) => return task.report(What::Closed(CloseReason::Peer)),
            (Ok(permit), Ok(n)) => task.report(What::Received(
                peer,
                driver_kit::Credited(buf[..n].to_vec(), permit),
            )),
            (Err(_), Ok(_)) => return,
            (_, Err(e)) => return task.report(What::Closed(close_reason(&e))),
        }
    }
    // The module closed: read until the peer closes its side too.
    let drain = async { while let Ok(1..) = rd.read(&mut buf).await {} };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

fn close_reason(e: &io::Error) -> CloseReason {
    match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => CloseReason::Reset,
        // Keep-alive found the peer gone.
        io::ErrorKind::TimedOut => CloseReason::Timeout,
        _ => CloseReason::Error,
    }
}

/// `Bind`: a UDP socket on the module's address. Each datagram in is one
/// `Received`; each `Send` one datagram, reported `Sent` once handed to the
/// OS (UDP has no delivery feedback), or dropped when its destination is
/// out of reach.
async fn bind(task: Task, local_port: u16, mut orders: mpsc::UnboundedReceiver<Order>) {
    let udp = match UdpSocket::bind((task.bind, local_port)).await {
        Ok(udp) => udp,
        Err(_) => return task.report(What::Failed),
    };
    let port = udp.local_addr().map_or(local_port, |a| a.port());
    task.report(What::Opened(port));
    let credit = Arc::new(Semaphore::new(CREDITS));
    let mut buf = vec![0; 65_536];
    loop {
        tokio::select! {
            biased;
            order = orders.recv() => match order {
                Some(Order::Send(data, to)) => {
                    if let Some(to) = to.and_then(|to| task.outward(to)) {
                        let _ = udp.send_to(&data, SocketAddr::V4(to)).await;
                    }
                    task.report(What::Sent);
                }
                Some(Order::Close) | None => return,
            },
            (permit, got) = async {
                let permit = credit.clone().acquire_owned().await;
                (permit, udp.recv_from(&mut buf).await)
            } => {
                if let (Ok(permit), Ok((n, from))) = (permit, got)
                    && let Some(from) = task.inward(from)
                {
                    task.report(What::Received(from, driver_kit::Credited(buf[..n].to_vec(), permit)));
                }
            }
        }
    }
}
