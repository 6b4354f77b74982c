//! The peers on real sockets, in real time: the network of a serial DUT.
//!
//! A real module on a serial line cannot join turmoil's network, so its
//! peers run on the OS's sockets instead, each peer host on a loopback
//! address of its own (Linux accepts any 127.0.0.0/8 address without
//! setup). They are the [`World`](crate::World)'s services, the same code
//! ([`run_host`](crate::peers::run_host)) on the [`Tokio`] network, so a
//! real module and the simulated one are judged by one implementation.
//!
//! A [`Lab`] owns its runtime and runs nothing between calls: the caller
//! drives it, as it drives a world, with [`tick`](Lab::tick),
//! [`run_until`](Lab::run_until) or [`run`](Lab::run), and reads and
//! writes the services' [`Shared`] state between them. Time is real, so
//! unlike the world's it passes between calls too: a module's connection
//! to a lab host is accepted by the kernel at once, but the service only
//! sees it at the next call. The peers share `Rc`s, so a lab and all its
//! tasks live on the thread that made it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::task::{JoinHandle, LocalSet};

use crate::peers::{Clock, DnsState, HostServices, LabClock, Net, Service, Shared, Tokio};

/// How long [`Lab::add_service`] runs the lab so that the service binds
/// its socket before the call returns. Binding a loopback socket takes the
/// service's first poll and no waiting; 1 ms of slack is far more than the
/// runtime needs to poll every ready task before its timer fires.
const START: Duration = Duration::from_millis(1);

/// How often [`Lab::run_until`] checks its condition: chosen as the world's
/// step, fine enough that a condition is seen promptly on loopback.
const POLL: Duration = Duration::from_millis(1);

/// A peer host: its services and the task running them.
struct PeerHost {
    services: HostServices,
    task: JoinHandle<turmoil::Result>,
}

/// Peer hosts on loopback addresses, on real sockets, in real time.
///
/// # Examples
///
/// ```no_run
/// use std::net::Ipv4Addr;
/// use std::time::Duration;
/// use sim::Lab;
/// use sim::peers::Service;
///
/// let mut lab = Lab::new().unwrap();
/// let echo = lab.add_service(Ipv4Addr::new(127, 0, 0, 103), Service::TcpEcho { port: 20108 });
/// // ... the module connects to 127.0.0.103:20108 and sends ...
/// lab.run_until(Duration::from_secs(2), || !echo.borrow().received.is_empty());
/// ```
pub struct Lab {
    // Dropped before the runtime, so the tasks' sockets are closed while
    // their driver still exists.
    local: LocalSet,
    hosts: BTreeMap<Ipv4Addr, PeerHost>,
    rt: Runtime,
    _clock: LabClock,
}

impl Lab {
    /// An empty lab; its clock ([`now`](Self::now)) starts now.
    ///
    /// # Errors
    /// When the OS refuses the runtime's resources (an I/O driver).
    ///
    /// # Panics
    /// If a lab already lives on this thread: [`Tokio::now`] reads one
    /// clock per thread.
    pub fn new() -> io::Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        Ok(Lab {
            local: LocalSet::new(),
            hosts: BTreeMap::new(),
            rt,
            _clock: Tokio::start_clock(),
        })
    }

    /// Real time since the lab was made: the time an SNTP [`Clock`] counts
    /// from ([`Tokio::now`]).
    pub fn now(&self) -> Duration {
        Tokio::now()
    }

    /// Runs `service` on the peer host at `ip` (created on first use),
    /// bound at `ip`; returns its observable state once the service is
    /// listening. `ip` should be a loopback address (127.0.0.0/8) so that
    /// the lab contacts no other machine; a TCP client connects from it.
    ///
    /// Ports below 1024 need root (Linux's default): give a DNS or SNTP
    /// server a higher port than [`DNS_PORT`](crate::peers::DNS_PORT) or
    /// [`SNTP_PORT`](crate::peers::SNTP_PORT), and the module the mapping.
    ///
    /// # Panics
    /// If the service cannot run, typically because its port is taken (by
    /// another service, or another program on this machine).
    pub fn add_service(&mut self, ip: Ipv4Addr, service: Service) -> Shared {
        let host = self.hosts.entry(ip).or_insert_with(|| {
            let services = HostServices::default();
            let task = self.local.spawn_local(services.run::<Tokio>(ip));
            PeerHost { services, task }
        });
        let state = host.services.add(service);
        self.tick(START);
        state
    }

    /// A DNS server at `ip`, UDP port `port`, with an empty zone.
    ///
    /// # Panics
    /// As [`add_service`](Self::add_service).
    pub fn add_dns_server(&mut self, ip: Ipv4Addr, port: u16) -> Rc<RefCell<DnsState>> {
        let state = Rc::new(RefCell::new(DnsState::default()));
        let service = Service::Dns {
            port,
            state: state.clone(),
        };
        self.add_service(ip, service);
        state
    }

    /// An SNTP server at `ip`, UDP port `port`, whose clock reads
    /// `unix_micros` now.
    ///
    /// # Panics
    /// As [`add_service`](Self::add_service).
    pub fn add_sntp_server(
        &mut self,
        ip: Ipv4Addr,
        port: u16,
        unix_micros: i64,
    ) -> Rc<RefCell<Clock>> {
        let clock = Rc::new(RefCell::new(Clock {
            set_at: self.now(),
            unix_micros,
        }));
        let service = Service::Sntp {
            port,
            clock: clock.clone(),
        };
        self.add_service(ip, service);
        clock
    }

    /// Runs the peers for `d` of real time: they accept, read, answer and
    /// carry out outbox requests only while the lab runs.
    ///
    /// # Panics
    /// If a peer host failed (see [`add_service`](Self::add_service)).
    pub fn tick(&mut self, d: Duration) {
        // The sleep is made inside: a timer needs the runtime's context.
        self.run(async move { tokio::time::sleep(d).await });
    }

    /// Runs the peers until `done` holds or `limit` of real time passed;
    /// returns whether it held. `done` is checked every millisecond, with
    /// the peers' state free to borrow.
    ///
    /// # Panics
    /// If a peer host failed (see [`add_service`](Self::add_service)).
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut() -> bool) -> bool {
        let end = self.now() + limit;
        loop {
            if done() {
                return true;
            }
            if self.now() >= end {
                return false;
            }
            self.tick(POLL);
        }
    }

    /// Runs the peers until `future` completes; its output. A test's client
    /// or a driver's own sockets may run here, beside the peers, on this
    /// lab's runtime; bound it with `tokio::time::timeout`, as the peers run
    /// forever. Timers need the runtime's context, so make them inside an
    /// `async` block: `lab.run(async { timeout(d, f).await })`.
    ///
    /// # Panics
    /// If a peer host failed (see [`add_service`](Self::add_service)).
    pub fn run<F: Future>(&mut self, future: F) -> F::Output {
        let out = self.rt.block_on(self.local.run_until(future));
        self.check();
        out
    }

    /// Panics with the reason if a peer host stopped: a host runs forever
    /// unless one of its services failed.
    fn check(&mut self) {
        for (ip, host) in &mut self.hosts {
            if !host.task.is_finished() {
                continue;
            }
            match self.rt.block_on(&mut host.task) {
                Ok(Ok(())) => panic!("lab peer host {ip} stopped"),
                Ok(Err(reason)) => panic!("lab peer host {ip} failed: {reason}"),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("lab peer host {ip} failed: {e}"),
            }
        }
    }
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("hosts", &self.hosts.keys().collect::<Vec<_>>())
            .field("now", &self.now())
            .finish_non_exhaustive()
    }
}
