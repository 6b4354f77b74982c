//! The software of one peer host: its services and the ping responder.
//!
//! turmoil restarts a host by calling its software again (`bounce`), so this
//! function must rebuild everything from the service list; what a scenario
//! observes lives in the [`Shared`] cells, outside the host, and survives.

use std::cell::RefCell;
use std::rc::Rc;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::{Service, Shared, dns, ping, sntp, tcp, udp};

/// Runs a peer host: every service in `services` plus the ping responder,
/// then each service appended to `services` later, after `added` is
/// notified (`notify_one`, so a notification made while the host is busy or
/// between steps is not lost).
///
/// On a (re)start it sets every service's `open_connections` to 0: a crash
/// killed the connections.
///
/// # Errors
/// When a service cannot run, typically because its port is taken (two
/// services on one port, or one on [`PING_PORT`](super::PING_PORT)): the
/// scenario is wrong, and the simulation stops with the reason.
pub async fn run_host(
    services: Rc<RefCell<Vec<(Service, Shared)>>>,
    added: Rc<Notify>,
) -> turmoil::Result {
    for (_, shared) in services.borrow().iter() {
        shared.borrow_mut().open_connections = 0;
    }
    let mut tasks = JoinSet::new();
    tasks.spawn_local(async {
        ping::respond()
            .await
            .map_err(|e| format!("ping responder: {e}"))
    });
    let mut spawned = 0;
    loop {
        let new: Vec<_> = services.borrow()[spawned..].to_vec();
        spawned += new.len();
        for (service, shared) in new {
            tasks.spawn_local(async move {
                let what = format!("{service:?}");
                run(service, shared)
                    .await
                    .map_err(|e| format!("peer service {what}: {e}"))
            });
        }
        tokio::select! {
            biased;
            Some(done) = tasks.join_next() => match done {
                Ok(Ok(())) => {}
                Ok(Err(reason)) => return Err(reason.into()),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => return Err(e.into()),
            },
            () = added.notified() => {}
        }
    }
}

/// Runs one service until it fails.
async fn run(service: Service, shared: Shared) -> std::io::Result<()> {
    match service {
        Service::TcpEcho { port } => tcp::echo(port, shared).await,
        Service::TcpSink { port } => tcp::sink(port, shared).await,
        Service::TcpGreeter { port, greeting } => tcp::greeter(port, greeting, shared).await,
        Service::TcpCloser { port, after } => tcp::closer(port, after, shared).await,
        Service::TcpClient { to } => tcp::client(to, shared).await,
        Service::UdpEcho { port } => udp::echo(port, shared).await,
        Service::UdpSink { port } => udp::sink(port, shared).await,
        Service::Dns(state) => dns::serve(state, shared).await,
        Service::Sntp(clock) => sntp::serve(clock, shared).await,
    }
}
