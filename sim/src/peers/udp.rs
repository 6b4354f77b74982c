//! UDP services: echo and sink, and their DTLS-PSK forms.
//!
//! Both keep every datagram; the echo also sends it back to its sender. A
//! DTLS one runs a session per sender ([`super::tls`]) and keeps and
//! echoes what it decrypts.
//! Both serve the scenario's outbox: a `Send` goes as one datagram to the
//! last sender and waits in the outbox until there is one; a `Close` means
//! nothing without a connection and is dropped.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;

use super::tls::{Psk, Session};
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

/// A DTLS-PSK server that echoes (or, with `echo` false, keeps) what it
/// decrypts; bound at `at`. A sender's next ClientHello after its session
/// ended starts a new one.
pub(super) async fn dtls<N: Net>(
    at: SocketAddr,
    psk: Psk,
    echo: bool,
    shared: Shared,
) -> io::Result<()> {
    let socket = N::bind_udp(at).await?;
    let ready = shared.borrow().outbox_ready.clone();
    let mut sessions: BTreeMap<SocketAddr, Session> = BTreeMap::new();
    let mut last_sender = None;
    let mut buf = vec![0; MAX_DATAGRAM];
    loop {
        if let Some(session) = last_sender.and_then(|to| sessions.get_mut(&to)) {
            let requests: Vec<_> = shared.borrow_mut().outbox.drain(..).collect();
            let mut out = Vec::new();
            for request in requests {
                out.extend(match request {
                    Outgoing::Send(bytes) => session.send(&bytes).send,
                    Outgoing::Close => session.close().send,
                });
            }
            for datagram in out {
                let _ = N::send_to(&socket, &datagram, last_sender.unwrap()).await;
            }
        }
        tokio::select! {
            biased;
            () = ready.notified() => {}
            received = super::net::recv::<N>(&socket, &mut buf) => {
                let (n, from) = received?;
                last_sender = Some(from);
                let hello = buf.first() == Some(&22);
                let session = sessions.entry(from).or_insert_with(|| Session::new(true, &psk));
                if !session.is_open() && session.failure.is_some() && hello {
                    *session = Session::new(true, &psk);
                }
                let got = session.input(&buf[..n]);
                let mut send = got.send;
                if !got.data.is_empty() {
                    let mut s = shared.borrow_mut();
                    s.received.extend_from_slice(&got.data);
                    s.datagrams.push(got.data.len());
                    drop(s);
                    if echo {
                        send.extend(session.send(&got.data).send);
                    }
                }
                if got.over && session.failure.is_none() {
                    // Closed cleanly: the next hello starts afresh.
                    sessions.remove(&from);
                }
                for datagram in send {
                    let _ = N::send_to(&socket, &datagram, from).await;
                }
            }
        }
    }
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
