//! TCP services: echo, sink, greeter and closer, their TLS-PSK forms, and
//! a client that connects to the module.
//!
//! All are one accept loop with a task per connection; they differ only
//! in what a connection does besides keeping the bytes it receives
//! ([`Behaviour`]). A TLS one keeps and echoes the decrypted bytes: its
//! session ([`super::tls`]) stands between the socket and the rest. Every one also serves the scenario's outbox: a request
//! goes to the most recent connection still open, and waits in the outbox
//! while there is none.

use std::cell::RefCell;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::rc::Rc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::idle::Watch;

use super::tls::{Psk, Session};
use super::{Net, Outgoing, Shared};
use crate::flight::{self, Key};

/// Bytes read from a connection at a time: any size works; this one is the
/// module's largest UART piece, so a piece rarely needs two reads.
const READ_CHUNK: usize = 1024;

/// Echoes every byte back on the same connection; listens at `at`.
pub(super) async fn echo<N: Net>(at: SocketAddr, shared: Shared) -> io::Result<()> {
    serve::<N>(at, Behaviour::Echo, shared).await
}

/// Keeps every byte; listens at `at`.
pub(super) async fn sink<N: Net>(at: SocketAddr, shared: Shared) -> io::Result<()> {
    serve::<N>(at, Behaviour::Sink, shared).await
}

/// A TLS-PSK server that echoes (or, with `echo` false, keeps) what it
/// decrypts; listens at `at`.
pub(super) async fn tls<N: Net>(
    at: SocketAddr,
    psk: Psk,
    echo: bool,
    shared: Shared,
) -> io::Result<()> {
    serve::<N>(at, Behaviour::Tls { psk, echo }, shared).await
}

/// Sends `greeting` on each connection right after accepting it, then keeps
/// every byte; listens at `at`.
pub(super) async fn greeter<N: Net>(
    at: SocketAddr,
    greeting: Vec<u8>,
    shared: Shared,
) -> io::Result<()> {
    serve::<N>(at, Behaviour::Greet(greeting), shared).await
}

/// Closes each connection `after` accepting it; keeps the bytes until then;
/// listens at `at`.
pub(super) async fn closer<N: Net>(
    at: SocketAddr,
    after: Duration,
    shared: Shared,
) -> io::Result<()> {
    serve::<N>(at, Behaviour::CloseAfter(after), shared).await
}

/// Connects from `from` to the module at `to` (its server link, SS-8), then
/// keeps every byte and serves the outbox like the services above. A
/// refused connection is not an error of the simulation: `accepted` stays 0.
pub(super) async fn client<N: Net>(
    from: Ipv4Addr,
    to: SocketAddrV4,
    shared: Shared,
) -> io::Result<()> {
    let Ok(stream) = N::connect(from.into(), to.into()).await else {
        return Ok(());
    };
    let ready = shared.borrow().outbox_ready.clone();
    let open: Open = Rc::default();
    let (tx, rx) = mpsc::unbounded_channel();
    open.borrow_mut().push((0, tx));
    {
        let mut s = shared.borrow_mut();
        s.accepted += 1;
        s.open_connections += 1;
    }
    let guard = Guard {
        id: 0,
        open: open.clone(),
        shared: shared.clone(),
    };
    let key = Key {
        module_port: to.port(),
        to_peer: true,
    };
    let task = tokio::task::spawn_local(connection::<N>(stream, Behaviour::Sink, rx, guard, key));
    while !task.is_finished() {
        dispatch(&shared, &open);
        ready.notified().await;
    }
    Ok(())
}

/// What a connection does besides keeping the bytes it receives.
#[derive(Debug, Clone)]
enum Behaviour {
    Echo,
    Sink,
    Greet(Vec<u8>),
    CloseAfter(Duration),
    Tls { psk: Psk, echo: bool },
}

impl Behaviour {
    fn echoes(&self) -> bool {
        matches!(self, Behaviour::Echo | Behaviour::Tls { echo: true, .. })
    }
}

/// The open connections of one service, oldest first: where outbox requests
/// go. A connection leaves it when it ends, or as soon as a `Close` is
/// dispatched to it, so a later `Send` goes to the connection that will
/// still be open.
type Open = Rc<RefCell<Vec<(u64, mpsc::UnboundedSender<Outgoing>)>>>;

/// The accept loop and the outbox dispatcher of one service.
async fn serve<N: Net>(at: SocketAddr, behaviour: Behaviour, shared: Shared) -> io::Result<()> {
    let listener = N::bind_tcp(at).await?;
    let ready = shared.borrow().outbox_ready.clone();
    let open: Open = Rc::default();
    let mut next_id = 0;
    loop {
        dispatch(&shared, &open);
        tokio::select! {
            biased;
            () = ready.notified() => {}
            accepted = N::accept(&listener) => {
                let (stream, module) = match accepted {
                    Ok(accepted) => accepted,
                    // One connection that failed before it was accepted.
                    Err(e) if super::net::is_passing(&e) => continue,
                    Err(e) => return Err(e),
                };
                let key = Key {
                    module_port: module.port(),
                    to_peer: true,
                };
                let (tx, rx) = mpsc::unbounded_channel();
                open.borrow_mut().push((next_id, tx));
                {
                    let mut s = shared.borrow_mut();
                    s.accepted += 1;
                    s.open_connections += 1;
                }
                let guard = Guard { id: next_id, open: open.clone(), shared: shared.clone() };
                next_id += 1;
                tokio::task::spawn_local(connection::<N>(stream, behaviour.clone(), rx, guard, key));
            }
        }
    }
}

/// Moves outbox requests to the most recent open connection, while there is
/// one.
fn dispatch(shared: &Shared, open: &Open) {
    let mut open = open.borrow_mut();
    let mut state = shared.borrow_mut();
    while let Some((_, tx)) = open.last() {
        let Some(request) = state.outbox.pop_front() else {
            break;
        };
        let close = request == Outgoing::Close;
        // A send fails only if the connection task already ended; its guard
        // is about to remove it. The request is lost with the connection.
        let _ = tx.send(request);
        if close {
            open.pop();
        }
    }
}

/// One connection: keeps what arrives, does its behaviour, carries out the
/// requests dispatched to it, and closes when the module closes, when asked,
/// or when its behaviour says so. `key` names its module-to-peer direction
/// for the in-flight accounting: reads give that budget back, writes spend
/// the other direction's.
async fn connection<N: Net>(
    stream: N::TcpStream,
    behaviour: Behaviour,
    mut requests: mpsc::UnboundedReceiver<Outgoing>,
    guard: Guard,
    key: Key,
) {
    let accepted_at = Instant::now();
    let (mut rd, mut wr) = N::into_split(stream);
    let (flight, resumed, watch) = {
        let s = guard.shared.borrow();
        (s.flight.clone(), s.resumed.clone(), s.watch.clone())
    };
    let out = key.reverse();
    if let Behaviour::Greet(greeting) = &behaviour
        && flight::write(flight.as_ref(), out, &mut wr, greeting)
            .await
            .is_err()
    {
        return;
    }
    let close_at = match behaviour {
        Behaviour::CloseAfter(after) => Some(accepted_at + after),
        _ => None,
    };
    let mut tls = match &behaviour {
        Behaviour::Tls { psk, .. } => Some(Session::new(false, psk)),
        _ => None,
    };
    let mut buf = vec![0; READ_CHUNK];
    // What is still to be written: the peer keeps reading meanwhile, as a
    // program with a reader and a writer does (both ways at once).
    // `pending[sent..]` is still to go (an offset, not a drain: a bulk
    // send is megabytes).
    let mut pending: Vec<u8> = Vec::new();
    let mut sent = 0;
    let mut closing = false;
    loop {
        if sent == pending.len() {
            pending.clear();
            sent = 0;
        }
        if closing && pending.is_empty() {
            break;
        }
        let paused = guard.shared.borrow().paused;
        let resumed = resumed.notified();
        tokio::select! {
            biased;
            request = requests.recv(), if !closing => match (request, &mut tls) {
                (Some(Outgoing::Send(bytes)), Some(tls)) => {
                    pending.extend(tls.send(&bytes).send.concat());
                }
                (Some(Outgoing::Send(bytes)), None) => pending.extend_from_slice(&bytes),
                // Asked to close, once what was asked to be sent is (TLS:
                // after a close_notify); `None` cannot happen while the
                // service runs (it holds the sender until the connection
                // ends).
                (Some(Outgoing::Close) | None, tls) => {
                    if let Some(tls) = tls {
                        pending.extend(tls.close().send.concat());
                    }
                    closing = true;
                }
            },
            () = sleep_until(watch.as_ref(), close_at) => break,
            // Stopped or resumed reading: look again.
            () = resumed => {}
            wrote = flight::write_some(flight.as_ref(), out, &mut wr, &pending[sent..]), if sent < pending.len() => match wrote {
                Ok(n) if n > 0 => sent += n,
                _ => break,
            },
            read = rd.read(&mut buf), if !paused => match read {
                // The module closed (FIN) or reset the connection.
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Some(f) = &flight {
                        f.borrow_mut().read(key, n);
                    }
                    let Some(tls) = &mut tls else {
                        guard.shared.borrow_mut().received.extend_from_slice(&buf[..n]);
                        if behaviour.echoes() {
                            pending.extend_from_slice(&buf[..n]);
                        }
                        continue;
                    };
                    let got = tls.input(&buf[..n]);
                    pending.extend(got.send.concat());
                    guard.shared.borrow_mut().received.extend_from_slice(&got.data);
                    if behaviour.echoes() && !got.data.is_empty() {
                        pending.extend(tls.send(&got.data).send.concat());
                    }
                    // The module's close_notify, or a failure (its alert
                    // goes first).
                    closing |= got.over;
                }
            },
        }
    }
    if let Some(f) = &flight {
        f.borrow_mut().forget(key);
    }
    // Dropping both halves closes: a FIN, or a RST if unread data is left,
    // as a real socket's close does.
    drop((rd, wr, guard));
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(watch: Option<&Watch>, deadline: Option<Instant>) {
    match deadline {
        Some(at) => Watch::sleep_until(watch, at).await,
        None => std::future::pending().await,
    }
}

/// Counts a connection as open while it lives, and takes it out of the
/// outbox's reach when it ends, however it ends (closed, failed, or dropped
/// by a host crash).
struct Guard {
    id: u64,
    open: Open,
    shared: Shared,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.try_borrow_mut() {
            open.retain(|(id, _)| *id != self.id);
        }
        // A crash drops this while the scenario may hold a borrow; run_host
        // then resets the count at restart.
        if let Ok(mut s) = self.shared.try_borrow_mut() {
            s.open_connections = s.open_connections.saturating_sub(1);
        }
    }
}
