//! The driver's socket tasks, and what it knows of the network that
//! turmoil does not model.
//!
//! One task per socket carries out the driver's orders and reports what
//! happened, in order, over a channel; the tasks hold no AT logic.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use driver_kit::Credited;
use firmware_core::{Bytes, CloseReason, Keepalive, SocketId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use turmoil::net::tcp::OwnedWriteHalf;
use turmoil::net::{TcpStream, UdpSocket};

use crate::flight::{self, FlightRef, Key};
use crate::idle::Watch;

/// What a real TCP stack learns from packets turmoil does not model, taken
/// from what the world knows instead: turmoil completes a connect with an
/// in-process reply rather than a SYN-ACK crossing the link (so the driver
/// adds that one-way delay), and it has no keep-alive probes (so a probe's
/// fate is whether the peer is reachable when it would be sent).
#[derive(Debug, Default)]
pub(crate) struct NetView {
    /// One-way latency where no link has its own.
    pub(crate) base_latency: Duration,
    /// Links given their own latency.
    pub(crate) latency: BTreeMap<Ipv4Addr, Duration>,
    /// Peers cut off from the module, or silent.
    pub(crate) unreachable: BTreeSet<Ipv4Addr>,
    /// Links that lose this share of their datagrams, in percent.
    pub(crate) loss: BTreeMap<Ipv4Addr, u8>,
    /// The loss decisions' generator (xorshift64*), seeded by the world.
    pub(crate) loss_rng: u64,
}

impl NetView {
    pub(super) fn latency(&self, ip: &Ipv4Addr) -> Duration {
        self.latency.get(ip).copied().unwrap_or(self.base_latency)
    }

    pub(super) fn reachable(&self, ip: &Ipv4Addr) -> bool {
        !self.unreachable.contains(ip)
    }

    /// Whether the next datagram on the link to `ip` is lost. turmoil's own
    /// fail rate would break TCP too (it does not retransmit), so datagram
    /// loss is decided here, from the world's seed.
    pub(super) fn loses(&mut self, ip: &Ipv4Addr) -> bool {
        let Some(&percent) = self.loss.get(ip) else {
            return false;
        };
        let mut x = self.loss_rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.loss_rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) % 100 < u64::from(percent)
    }
}

/// A socket task's report, owned so it can cross the channel; received
/// data carries its read credit.
pub(super) type Report = driver_kit::Report<Credited<Option<OwnedSemaphorePermit>>>;

/// Reads of one connection waiting for the core at most: a connection out
/// of credit stops reading, and the peer's writes then wait on its
/// in-flight budget (see [`crate::flight`]).
const CREDITS: usize = 4;

/// What the driver asks of a socket task.
pub(super) enum Order {
    Send(Bytes, Option<SocketAddrV4>),
    Close,
}

/// A TCP connection as the driver keeps it.
pub(super) struct Link {
    pub(super) socket: SocketId,
    pub(super) peer: SocketAddrV4,
    pub(super) keepalive: Option<Keepalive>,
    pub(super) view: Rc<RefCell<NetView>>,
    pub(super) flight: FlightRef,
    pub(super) watch: Watch,
}

/// A TCP connection: reads become `Received`, writes `Sent` once the
/// network took every byte (the connection's in-flight budget may hold a
/// write back, SD-5); `Close` shuts the write side down after the writes
/// before it (CL-2), giving up on what the network has not taken. With
/// keep-alive, a probe goes out after `idle` without traffic and every
/// `interval` after an unanswered one; `count` unanswered probes end the
/// connection (SS-5: at idle + count × interval).
pub(super) async fn stream_task(
    link: Link,
    stream: TcpStream,
    mut orders: mpsc::UnboundedReceiver<Order>,
    reports: mpsc::UnboundedSender<(SocketId, Report)>,
) {
    let Link {
        socket,
        peer,
        keepalive,
        view,
        flight,
        watch,
    } = link;
    let out = Key {
        module_port: stream.local_addr().map_or(0, |a| a.port()),
        to_peer: true,
    };
    let (mut rd, wr) = stream.into_split();
    let (read_tx, mut reads) = mpsc::unbounded_channel();
    let credit = Arc::new(Semaphore::new(CREDITS));
    let reader_flight = flight.clone();
    let mut reader = tokio::task::spawn_local(async move {
        let mut buf = vec![0; 2048];
        loop {
            let Ok(permit) = credit.clone().acquire_owned().await else {
                break Report::Closed(CloseReason::Error);
            };
            match rd.read(&mut buf).await {
                Ok(0) => break Report::Closed(CloseReason::Peer),
                Ok(n) => {
                    reader_flight.borrow_mut().read(out.reverse(), n);
                    let _ = read_tx.send(Credited(buf[..n].to_vec(), Some(permit)));
                }
                Err(_) => break Report::Closed(CloseReason::Reset),
            }
        }
    });
    let (jobs, jobs_rx) = mpsc::unbounded_channel();
    let (abort, aborted) = oneshot::channel();
    tokio::task::spawn_local(writer(
        wr,
        jobs_rx,
        aborted,
        (flight.clone(), out),
        (socket, reports.clone()),
    ));
    let mut abort = Some(abort);
    let idle_from = |now: tokio::time::Instant| keepalive.map(|k| now + k.idle);
    let mut probe_at = idle_from(tokio::time::Instant::now());
    let mut unanswered = 0u8;
    let end = loop {
        let probe = async {
            match probe_at {
                Some(at) => Watch::sleep_until(Some(&watch), at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            order = orders.recv() => match order {
                Some(Order::Send(data, _)) => {
                    let _ = jobs.send(Some(data));
                    probe_at = idle_from(tokio::time::Instant::now());
                    unanswered = 0;
                }
                Some(Order::Close) | None => {
                    // Writes the network took go out before the FIN; one
                    // still waiting for room is given up.
                    let _ = jobs.send(None);
                    if let Some(abort) = abort.take() {
                        let _ = abort.send(());
                    }
                    break None;
                }
            },
            Some(data) = reads.recv() => {
                let _ = reports.send((socket, Report::Received(peer, data)));
                probe_at = idle_from(tokio::time::Instant::now());
                unanswered = 0;
            }
            ended = &mut reader => {
                // What was read before the end goes first.
                while let Ok(data) = reads.try_recv() {
                    let _ = reports.send((socket, Report::Received(peer, data)));
                }
                break Some(ended.unwrap_or(Report::Closed(CloseReason::Error)));
            }
            () = probe => {
                let Some(k) = keepalive else { continue };
                let now = tokio::time::Instant::now();
                if unanswered >= k.count {
                    break Some(Report::Closed(CloseReason::Timeout));
                }
                if view.borrow().reachable(peer.ip()) {
                    unanswered = 0;
                    probe_at = idle_from(now);
                } else {
                    unanswered += 1;
                    probe_at = Some(now + k.interval);
                }
            }
        }
    };
    flight.borrow_mut().forget(out);
    if let Some(report) = end {
        if let Some(abort) = abort.take() {
            let _ = abort.send(());
        }
        let _ = reports.send((socket, report));
    }
}

/// The write side of a TCP connection: each job is written as the
/// connection's in-flight budget allows and reported `Sent`; `None` (the
/// module's close) shuts the side down. `aborted` gives up on a write still
/// waiting for room.
async fn writer(
    mut wr: OwnedWriteHalf,
    mut jobs: mpsc::UnboundedReceiver<Option<Bytes>>,
    mut aborted: oneshot::Receiver<()>,
    (flight, key): (FlightRef, Key),
    (socket, reports): (SocketId, mpsc::UnboundedSender<(SocketId, Report)>),
) {
    while let Some(Some(data)) = jobs.recv().await {
        let wrote = tokio::select! {
            biased;
            _ = &mut aborted => break,
            wrote = flight::write(Some(&flight), key, &mut wr, &data) => wrote,
        };
        if wrote.is_err() {
            // The reader reports the end of the connection, with its reason.
            break;
        }
        let _ = reports.send((socket, Report::Sent));
    }
    let _ = wr.shutdown().await;
}

/// A UDP socket: each datagram in is one `Received`, each send one datagram.
pub(super) async fn datagram_task(
    socket: SocketId,
    udp: UdpSocket,
    view: Rc<RefCell<NetView>>,
    mut orders: mpsc::UnboundedReceiver<Order>,
    reports: mpsc::UnboundedSender<(SocketId, Report)>,
) {
    let mut buf = vec![0; 65_536];
    loop {
        tokio::select! {
            biased;
            order = orders.recv() => match order {
                Some(Order::Send(data, Some(to))) => {
                    // UDP has no delivery feedback: handed to the network is
                    // sent, lost on the way or not.
                    if !view.borrow_mut().loses(to.ip()) {
                        let _ = udp.send_to(&data, SocketAddr::V4(to)).await;
                    }
                    let _ = reports.send((socket, Report::Sent));
                }
                Some(Order::Send(_, None)) => {
                    let _ = reports.send((socket, Report::Sent));
                }
                Some(Order::Close) | None => return,
            },
            got = udp.recv_from(&mut buf) => {
                if let Ok((n, SocketAddr::V4(from))) = got {
                    if view.borrow_mut().loses(from.ip()) {
                        continue;
                    }
                    // A datagram socket does not push back: the inbox keeps
                    // or drops whole datagrams.
                    let data = Credited(buf[..n].to_vec(), None);
                    let _ = reports.send((socket, Report::Received(from, data)));
                }
            }
        }
    }
}
