//! UDP services: echo and sink.
//!
//! Both keep every datagram; the echo also sends it back to its sender.
//! Both serve the scenario's outbox: a `Send` goes as one datagram to the
//! last sender and waits in the outbox until there is one; a `Close` means
//! nothing without a connection and is dropped.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use turmoil::net::UdpSocket;

use super::{Outgoing, Shared};

/// The largest UDP payload: any datagram fits whole.
const MAX_DATAGRAM: usize = 65_535;

/// Echoes every datagram to its sender.
pub(super) async fn echo(port: u16, shared: Shared) -> io::Result<()> {
    serve(port, true, shared).await
}

/// Keeps every datagram.
pub(super) async fn sink(port: u16, shared: Shared) -> io::Result<()> {
    serve(port, false, shared).await
}

/// The receive loop and the outbox of one service.
async fn serve(port: u16, echo: bool, shared: Shared) -> io::Result<()> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, port)).await?;
    let ready = shared.borrow().outbox_ready.clone();
    let mut last_sender: Option<SocketAddr> = None;
    let mut buf = vec![0; MAX_DATAGRAM];
    loop {
        if let Some(to) = last_sender {
            let requests: Vec<_> = shared.borrow_mut().outbox.drain(..).collect();
            for request in requests {
                if let Outgoing::Send(bytes) = request {
                    // UDP: a datagram that cannot go is lost, as on a wire.
                    let _ = socket.send_to(&bytes, to).await;
                }
            }
        }
        tokio::select! {
            biased;
            () = ready.notified() => {}
            received = socket.recv_from(&mut buf) => {
                let (n, from) = received?;
                {
                    let mut s = shared.borrow_mut();
                    s.received.extend_from_slice(&buf[..n]);
                    s.datagrams.push(n);
                }
                last_sender = Some(from);
                if echo {
                    let _ = socket.send_to(&buf[..n], from).await;
                }
            }
        }
    }
}
