//! UDP services: echo and sink.
//!
//! Both keep every datagram; the echo also sends it back to its sender.
//! Both serve the scenario's outbox: a `Send` goes as one datagram to the
//! last sender and waits in the outbox until there is one; a `Close` means
//! nothing without a connection and is dropped.

use std::io;
use std::net::SocketAddr;

use super::{Net, Outgoing, Shared};

/// The largest UDP payload: any datagram fits whole.
const MAX_DATAGRAM: usize = 65_535;

/// Echoes every datagram to its sender; bound at `at`.
pub(super) async fn echo<N: Net>(at: SocketAddr, shared: Shared) -> io::Result<()> {
    serve::<N>(at, true, shared).await
}

/// Keeps every datagram; bound at `at`.
pub(super) async fn sink<N: Net>(at: SocketAddr, shared: Shared) -> io::Result<()> {
    serve::<N>(at, false, shared).await
}

/// Sends `first` to `to`, then keeps every datagram like a sink; the
/// outbox answers go to `to` until another sender speaks.
pub(super) async fn first<N: Net>(
    at: SocketAddr,
    to: SocketAddr,
    first: Vec<u8>,
    shared: Shared,
) -> io::Result<()> {
    let socket = N::bind_udp(at).await?;
    let _ = N::send_to(&socket, &first, to).await;
    run::<N>(socket, false, Some(to), shared).await
}

/// The receive loop and the outbox of one service.
async fn serve<N: Net>(at: SocketAddr, echo: bool, shared: Shared) -> io::Result<()> {
    let socket = N::bind_udp(at).await?;
    run::<N>(socket, echo, None, shared).await
}

async fn run<N: Net>(
    socket: N::UdpSocket,
    echo: bool,
    mut last_sender: Option<SocketAddr>,
    shared: Shared,
) -> io::Result<()> {
    let ready = shared.borrow().outbox_ready.clone();
    let mut buf = vec![0; MAX_DATAGRAM];
    loop {
        if let Some(to) = last_sender {
            let requests: Vec<_> = shared.borrow_mut().outbox.drain(..).collect();
            for request in requests {
                if let Outgoing::Send(bytes) = request {
                    // UDP: a datagram that cannot go is lost, as on a wire.
                    let _ = N::send_to(&socket, &bytes, to).await;
                }
            }
        }
        tokio::select! {
            biased;
            () = ready.notified() => {}
            received = super::net::recv::<N>(&socket, &mut buf) => {
                let (n, from) = received?;
                {
                    let mut s = shared.borrow_mut();
                    s.received.extend_from_slice(&buf[..n]);
                    s.datagrams.push(n);
                }
                last_sender = Some(from);
                if echo {
                    let _ = N::send_to(&socket, &buf[..n], from).await;
                }
            }
        }
    }
}
