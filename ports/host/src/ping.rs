//! ICMP echo for `NetCommand::Ping`, with the OS's own sockets.
//!
//! An unprivileged ICMP datagram socket comes first (Linux allows one when
//! `net.ipv4.ping_group_range` covers the process's group; the kernel then
//! picks the echo identifier and hands back only this socket's replies,
//! without the IP header). Failing that, a raw ICMP socket (root, or
//! `CAP_NET_RAW`): every ICMP packet arrives with its IP header, and the
//! identifier tells ours apart. With neither, pings go unanswered and the
//! core reports `+PING:TIMEOUT` by itself.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddrV4};

use firmware_core::SocketId;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::net::{Report, What};

/// Pings awaiting a reply; the core times each out long before this many
/// more are sent (it runs one ping at a time).
const PENDING: usize = 32;

/// What follows the echo header; any bytes do.
const PAYLOAD: &[u8] = b"atmodule ping\0\0\0";

/// Which socket the OS gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `SOCK_DGRAM` + `IPPROTO_ICMP`: unprivileged.
    Datagram,
    /// `SOCK_RAW` + `IPPROTO_ICMP`: root.
    Raw,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Datagram => "unprivileged ICMP datagram socket",
            Kind::Raw => "raw ICMP socket",
        })
    }
}

/// An open ICMP socket, bound to the module's host address.
pub(crate) struct Icmp {
    socket: Socket,
    kind: Kind,
}

impl Icmp {
    /// The first ICMP socket the OS allows, bound to `bind` so replies come
    /// back to the module's address; the error is the raw socket's.
    pub(crate) fn open(bind: Ipv4Addr) -> io::Result<Icmp> {
        let open = |ty: Type| -> io::Result<Socket> {
            let socket = Socket::new(Domain::IPV4, ty, Some(Protocol::ICMPV4))?;
            socket.bind(&SockAddr::from(SocketAddrV4::new(bind, 0)))?;
            socket.set_nonblocking(true)?;
            Ok(socket)
        };
        match open(Type::DGRAM) {
            Ok(socket) => Ok(Icmp {
                socket,
                kind: Kind::Datagram,
            }),
            Err(_) => open(Type::RAW).map(|socket| Icmp {
                socket,
                kind: Kind::Raw,
            }),
        }
    }

    /// Which kind it is.
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }
}

/// Sends an echo request for each `(ping, host address)` order and
/// reports `PingReply` for each reply that matches one. Runs until the
/// order channel closes.
pub(crate) async fn run(
    icmp: Icmp,
    mut orders: mpsc::UnboundedReceiver<(SocketId, Ipv4Addr)>,
    reports: mpsc::UnboundedSender<Report>,
) {
    let kind = icmp.kind;
    // tokio has no ICMP socket type; a datagram socket's calls (sendto,
    // recvfrom) are the same ones, so it carries the ICMP socket as well.
    let socket = match UdpSocket::from_std(icmp.socket.into()) {
        Ok(socket) => socket,
        Err(e) => {
            eprintln!("atmodule: ping: {e}; PING will time out");
            return;
        }
    };
    // The raw socket's identifier; the kernel sets the datagram socket's.
    let id = (std::process::id() & 0xffff) as u16;
    let mut seq: u16 = 0;
    let mut pending: VecDeque<(u16, SocketId)> = VecDeque::new();
    let mut buf = vec![0; 2048];
    loop {
        tokio::select! {
            biased;
            order = orders.recv() => {
                let Some((ping, to)) = order else { return };
                seq = seq.wrapping_add(1);
                let packet = echo_request(id, seq);
                if socket.send_to(&packet, (to, 0)).await.is_ok() {
                    if pending.len() == PENDING {
                        pending.pop_front();
                    }
                    pending.push_back((seq, ping));
                }
            }
            got = socket.recv_from(&mut buf) => {
                let Ok((n, _)) = got else { continue };
                let Some(reply) = echo_reply(kind, &buf[..n]) else { continue };
                if kind == Kind::Raw && reply.0 != id {
                    continue;
                }
                if let Some(i) = pending.iter().position(|&(s, _)| s == reply.1) {
                    let (_, ping) = pending.remove(i).expect("position is in range");
                    let _ = reports.send((ping, What::PingReply));
                }
            }
        }
    }
}

/// An ICMP echo request (RFC 792): type 8, code 0, checksum, identifier,
/// sequence number, payload.
fn echo_request(id: u16, seq: u16) -> Vec<u8> {
    let mut p = vec![8, 0, 0, 0];
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(PAYLOAD);
    let sum = checksum(&p);
    p[2..4].copy_from_slice(&sum.to_be_bytes());
    p
}

/// `(identifier, sequence)` of an echo reply (type 0, code 0); a raw
/// socket's packet starts with the IP header.
fn echo_reply(kind: Kind, packet: &[u8]) -> Option<(u16, u16)> {
    let icmp = match kind {
        Kind::Datagram => packet,
        Kind::Raw => packet.get(usize::from(packet.first()? & 0x0f) * 4..)?,
    };
    match icmp {
        [0, 0, _, _, i0, i1, s0, s1, ..] => Some((
            u16::from_be_bytes([*i0, *i1]),
            u16::from_be_bytes([*s0, *s1]),
        )),
        _ => None,
    }
}

/// The Internet checksum (RFC 1071).
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_checksums_to_zero() {
        let p = echo_request(0x1234, 7);
        assert_eq!(&p[..2], &[8, 0]);
        assert_eq!(&p[4..8], &[0x12, 0x34, 0, 7]);
        assert_eq!(checksum(&p), 0);
    }

    #[test]
    fn replies_are_read_with_and_without_the_ip_header() {
        let mut reply = echo_request(0x1234, 7);
        reply[0] = 0;
        assert_eq!(echo_reply(Kind::Datagram, &reply), Some((0x1234, 7)));
        let mut ip = vec![0x45; 1];
        ip.extend_from_slice(&[0; 19]);
        ip.extend_from_slice(&reply);
        assert_eq!(echo_reply(Kind::Raw, &ip), Some((0x1234, 7)));
        // A request (seen by a raw socket on loopback) is not a reply.
        assert_eq!(echo_reply(Kind::Datagram, &echo_request(1, 1)), None);
        assert_eq!(echo_reply(Kind::Raw, &[0x45, 0, 0]), None);
    }
}
