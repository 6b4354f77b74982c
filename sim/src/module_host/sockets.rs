//! The driver's socket tasks, and what it knows of the network that
//! turmoil does not model.
//!
//! One task per socket carries out the driver's orders and reports what
//! happened, in order, over a channel; the tasks hold no AT logic.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::rc::Rc;
use std::time::Duration;

use firmware_core::{CloseReason, Keepalive, SocketId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use turmoil::net::{TcpStream, UdpSocket};

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
}

impl NetView {
    pub(super) fn latency(&self, ip: &Ipv4Addr) -> Duration {
        self.latency.get(ip).copied().unwrap_or(self.base_latency)
    }

    pub(super) fn reachable(&self, ip: &Ipv4Addr) -> bool {
        !self.unreachable.contains(ip)
    }
}

/// A socket task's report, owned so it can cross the channel.
pub(super) type Report = driver_kit::Report<Vec<u8>>;

/// What the driver asks of a socket task.
pub(super) enum Order {
    Send(Vec<u8>, Option<SocketAddrV4>),
    Close,
}

/// A TCP connection as the driver keeps it.
pub(super) struct Link {
    pub(super) socket: SocketId,
    pub(super) peer: SocketAddrV4,
    pub(super) keepalive: Option<Keepalive>,
    pub(super) view: Rc<RefCell<NetView>>,
}

/// A TCP connection: reads become `Received`, writes `Sent`; `Close` shuts
/// the write side down after the writes before it (CL-2). With keep-alive,
/// a probe goes out after `idle` without traffic and every `interval`
/// after an unanswered one; `count` unanswered probes end the connection
/// (SS-5: at idle + count × interval).
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
    } = link;
    let (mut rd, mut wr) = stream.into_split();
    let (read_tx, mut reads) = mpsc::unbounded_channel::<Vec<u8>>();
    let mut reader = tokio::task::spawn_local(async move {
        let mut buf = vec![0; 2048];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) => break Report::Closed(CloseReason::Peer),
                Ok(n) => {
                    let _ = read_tx.send(buf[..n].to_vec());
                }
                Err(_) => break Report::Closed(CloseReason::Reset),
            }
        }
    });
    let idle_from = |now: tokio::time::Instant| keepalive.map(|k| now + k.idle);
    let mut probe_at = idle_from(tokio::time::Instant::now());
    let mut unanswered = 0u8;
    loop {
        let probe = async {
            match probe_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            order = orders.recv() => match order {
                Some(Order::Send(data, _)) => {
                    if wr.write_all(&data).await.is_ok() {
                        let _ = reports.send((socket, Report::Sent));
                    }
                    probe_at = idle_from(tokio::time::Instant::now());
                    unanswered = 0;
                }
                Some(Order::Close) | None => {
                    let _ = wr.shutdown().await;
                    return;
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
                let report = ended.unwrap_or(Report::Closed(CloseReason::Error));
                let _ = reports.send((socket, report));
                return;
            }
            () = probe => {
                let Some(k) = keepalive else { continue };
                let now = tokio::time::Instant::now();
                if unanswered >= k.count {
                    let _ = reports.send((socket, Report::Closed(CloseReason::Timeout)));
                    return;
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
    }
}

/// A UDP socket: each datagram in is one `Received`, each send one datagram.
pub(super) async fn datagram_task(
    socket: SocketId,
    udp: UdpSocket,
    mut orders: mpsc::UnboundedReceiver<Order>,
    reports: mpsc::UnboundedSender<(SocketId, Report)>,
) {
    let mut buf = vec![0; 65_536];
    loop {
        tokio::select! {
            biased;
            order = orders.recv() => match order {
                Some(Order::Send(data, Some(to))) => {
                    // UDP has no delivery feedback: handed to the network is sent.
                    let _ = udp.send_to(&data, SocketAddr::V4(to)).await;
                    let _ = reports.send((socket, Report::Sent));
                }
                Some(Order::Send(_, None)) => {
                    let _ = reports.send((socket, Report::Sent));
                }
                Some(Order::Close) | None => return,
            },
            got = udp.recv_from(&mut buf) => {
                if let Ok((n, SocketAddr::V4(from))) = got {
                    let _ = reports.send((socket, Report::Received(from, buf[..n].to_vec())));
                }
            }
        }
    }
}
