//! The software of one peer host: its services and the ping responder.
//!
//! turmoil restarts a host by calling its software again (`bounce`), so this
//! function must rebuild everything from the service list; what a scenario
//! observes lives in the [`Shared`] cells, outside the host, and survives.

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::idle::Watch;

use super::{Net, PING_PORT, PeerState, Service, Shared, dns, ping, sntp, tcp, udp};

/// A peer host's services as its owner (the world or the lab) keeps them:
/// the list [`run_host`] reads and the signal that it grew. Clones share
/// both, so the host's software, rebuilt at each restart, sees every
/// service added before and after.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostServices {
    services: Rc<RefCell<Vec<(Service, Shared)>>>,
    added: Rc<Notify>,
    /// The simulated world's view of the host, none in the lab.
    watch: Option<Watch>,
}

impl HostServices {
    /// A simulated host, watched by its world (see [`crate::idle`]).
    pub(crate) fn watched(watch: Watch) -> Self {
        HostServices {
            watch: Some(watch),
            ..HostServices::default()
        }
    }

    /// The host's software on network `N`, its sockets at `bind_ip`: see
    /// [`run_host`].
    pub(crate) fn run<N: Net>(
        &self,
        bind_ip: Ipv4Addr,
    ) -> impl Future<Output = turmoil::Result> + use<N> {
        run_host::<N>(bind_ip, self.services.clone(), self.added.clone())
    }

    /// Adds `service` to the host and wakes the host's software to start
    /// it; returns the service's state, fresh.
    pub(crate) fn add(&self, service: Service) -> Shared {
        let state: Shared = Rc::new(RefCell::new(PeerState {
            watch: self.watch.clone(),
            ..PeerState::default()
        }));
        self.services.borrow_mut().push((service, state.clone()));
        self.added.notify_one();
        Watch::poke(self.watch.as_ref());
        state
    }
}

/// Runs a peer host on network `N`: every service in `services` plus the
/// ping responder (unless the network [answers pings](Net::ANSWERS_PING)
/// itself), then each service appended to `services` later, after `added`
/// is notified (`notify_one`, so a notification made while the host is busy
/// or between steps is not lost).
///
/// Its sockets are bound at `bind_ip`: unspecified on turmoil, where a
/// host's sockets have the host's address anyway; the host's own loopback
/// address on real sockets, where many hosts share one machine. A TCP
/// client connects from it too.
///
/// On a (re)start it sets every service's `open_connections` to 0: a crash
/// killed the connections.
///
/// # Errors
/// When a service cannot run, typically because its port is taken (two
/// services on one port, or one on [`PING_PORT`]): the scenario is wrong,
/// and the simulation (or the lab) stops with the reason.
pub async fn run_host<N: Net>(
    bind_ip: Ipv4Addr,
    services: Rc<RefCell<Vec<(Service, Shared)>>>,
    added: Rc<Notify>,
) -> turmoil::Result {
    for (_, shared) in services.borrow().iter() {
        shared.borrow_mut().open_connections = 0;
    }
    let mut tasks = JoinSet::new();
    if !N::ANSWERS_PING {
        tasks.spawn_local(async move {
            ping::respond::<N>((bind_ip, PING_PORT).into())
                .await
                .map_err(|e| format!("ping responder: {e}"))
        });
    }
    let mut spawned = 0;
    loop {
        let new: Vec<_> = services.borrow()[spawned..].to_vec();
        spawned += new.len();
        for (service, shared) in new {
            tasks.spawn_local(async move {
                let what = format!("{service:?}");
                run::<N>(bind_ip, service, shared)
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

/// Runs one service, its sockets at `ip`, until it fails.
async fn run<N: Net>(ip: Ipv4Addr, service: Service, shared: Shared) -> io::Result<()> {
    let at = |port| SocketAddr::from((ip, port));
    match service {
        Service::TcpEcho { port } => tcp::echo::<N>(at(port), shared).await,
        Service::TcpSink { port } => tcp::sink::<N>(at(port), shared).await,
        Service::TcpGreeter { port, greeting } => {
            tcp::greeter::<N>(at(port), greeting, shared).await
        }
        Service::TcpCloser { port, after } => tcp::closer::<N>(at(port), after, shared).await,
        Service::TcpClient { to } => tcp::client::<N>(ip, to, shared).await,
        Service::UdpEcho { port } => udp::echo::<N>(at(port), shared).await,
        Service::UdpSink { port } => udp::sink::<N>(at(port), shared).await,
        Service::UdpPeer { port, to, first } => {
            udp::first::<N>(at(port), to.into(), first, shared).await
        }
        Service::TlsPskEcho { port, psk } => tcp::tls::<N>(at(port), psk, true, shared).await,
        Service::TlsPskSink { port, psk } => tcp::tls::<N>(at(port), psk, false, shared).await,
        Service::DtlsPskEcho { port, psk } => udp::dtls::<N>(at(port), psk, true, shared).await,
        Service::DtlsPskSink { port, psk } => udp::dtls::<N>(at(port), psk, false, shared).await,
        Service::Dns { port, state } => dns::serve::<N>(at(port), state, shared).await,
        Service::Sntp { port, clock } => sntp::serve::<N>(at(port), clock, shared).await,
    }
}
