//! The ping responder every peer host runs.
//!
//! turmoil has no ICMP: an echo request is a datagram to [`PING_PORT`] and
//! the reply is the same datagram sent back, so the module host measures a
//! round trip over the same links, latencies and partitions as any traffic.

use std::io;
use std::net::Ipv4Addr;

use turmoil::net::UdpSocket;

use super::PING_PORT;

/// Echoes every datagram on [`PING_PORT`] to its sender, forever.
pub(super) async fn respond() -> io::Result<()> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, PING_PORT)).await?;
    let mut buf = vec![0; 1 << 16];
    loop {
        let (n, from) = socket.recv_from(&mut buf).await?;
        // A send fails only when the sender's host is gone; so is the ping.
        let _ = socket.send_to(&buf[..n], from).await;
    }
}
