//! The ping responder every peer host runs on a network without ICMP.
//!
//! turmoil has no ICMP: an echo request is a datagram to [`PING_PORT`] and
//! the reply is the same datagram sent back, so the module host measures a
//! round trip over the same links, latencies and partitions as any traffic.
//! On real sockets the OS answers pings, and no host runs this.
//!
//! [`PING_PORT`]: super::PING_PORT

use std::io;
use std::net::SocketAddr;

use super::Net;

/// Echoes every datagram on `at` (port [`PING_PORT`](super::PING_PORT)) to
/// its sender, forever.
pub(super) async fn respond<N: Net>(at: SocketAddr) -> io::Result<()> {
    let socket = N::bind_udp(at).await?;
    let mut buf = vec![0; 1 << 16];
    loop {
        let (n, from) = super::net::recv::<N>(&socket, &mut buf).await?;
        // A send fails only when the sender's host is gone; so is the ping.
        let _ = N::send_to(&socket, &buf[..n], from).await;
    }
}
