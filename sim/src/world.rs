//! The simulated world: the module, its UART, the peers and the network
//! between them, in deterministic simulated time.
//!
//! One `u64` seed drives everything random (turmoil's RNG, which picks
//! latencies, and the module's own seed); the epoch is fixed; turmoil runs
//! hosts in a fixed order. The same seed and the same scenario give the same
//! transcript, byte for byte.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};

use driver_kit::radio::{self, Ap, Radio};
use firmware_core::Dialect;
use tokio::sync::Notify;

use crate::flight::Flight;
use crate::idle::{IdleRef, Watch};
use crate::module_host::{self, ModuleCtx, NetView};
use crate::peers::{Clock, DNS_PORT, DnsState, HostServices, SNTP_PORT, Service, Shared, Turmoil};
use crate::transcript::{Event, Transcript};
use crate::uart::{Uart, UartConfig};

/// One step of simulated time.
const TICK: Duration = Duration::from_millis(1);

/// The module's address by default: the spec's examples use it.
pub const MODULE_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);
/// The network's DNS server, handed to the module by DHCP.
pub const DNS_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);

/// How a world is made.
#[derive(Debug, Clone)]
pub struct Builder {
    seed: u64,
    latency: Duration,
    max_latency: Option<Duration>,
    module: Ipv4Addr,
    dns: Ipv4Addr,
    uart: UartConfig,
    flash: Vec<u8>,
    dialect: &'static Dialect,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            seed: 0,
            latency: Duration::from_millis(1),
            max_latency: None,
            module: MODULE_IP,
            dns: DNS_IP,
            uart: UartConfig::default(),
            flash: Vec::new(),
            dialect: &firmware_core::SEED,
        }
    }
}

impl Builder {
    /// The seed of everything random.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// One-way network latency, fixed.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self.max_latency = None;
        self
    }

    /// One-way latency drawn (from the seed) between `min` and `max`.
    pub fn random_latency(mut self, min: Duration, max: Duration) -> Self {
        self.latency = min;
        self.max_latency = Some(max);
        self
    }

    /// The module's address.
    pub fn module_address(mut self, ip: Ipv4Addr) -> Self {
        self.module = ip;
        self
    }

    /// The UART's settings.
    pub fn uart(mut self, cfg: UartConfig) -> Self {
        self.uart = cfg;
        self
    }

    /// What the module's non-volatile storage holds at power-on.
    pub fn flash(mut self, blob: Vec<u8>) -> Self {
        self.flash = blob;
        self
    }

    /// The dialect the module speaks (default `seed`). With one that has
    /// Wi-Fi ([`Dialect::wifi`]) the network is not configured at boot:
    /// the module joins one of the world's access points
    /// ([`World::add_access_point`]) and gets its address from it.
    pub fn dialect(mut self, dialect: &'static Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Builds the world and powers the module on (its `ready` arrives a
    /// moment later, as the UART carries it).
    pub fn build(self) -> World {
        let mut sim = turmoil::Builder::new()
            .tick_duration(TICK)
            .rng_seed(self.seed)
            .epoch(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
            .simulation_duration(Duration::from_secs(365 * 24 * 3600))
            .min_message_latency(self.latency)
            .max_message_latency(self.max_latency.unwrap_or(self.latency))
            .tcp_capacity(1 << 20)
            .udp_capacity(1 << 16)
            .build();
        let log = Rc::new(RefCell::new(Transcript::new(self.seed)));
        let idle = IdleRef::default();
        let flight = Rc::new(RefCell::new(Flight::watched(idle.clone())));
        let ctx = Rc::new(ModuleCtx {
            address: self.module,
            dns: self.dns,
            seed: self.seed,
            dialect: self.dialect,
            radio: Rc::new(RefCell::new(Radio::new(self.module, &[self.dns]))),
            radio_changed: Rc::new(Notify::new()),
            uart: Rc::new(RefCell::new(Uart::new(self.uart))),
            uart_written: Rc::new(Notify::new()),
            flash: Rc::new(RefCell::new(crate::flash::Flash::new(&self.flash))),
            log: log.clone(),
            boots: Rc::new(RefCell::new(0)),
            view: Rc::new(RefCell::new(NetView {
                base_latency: self.latency,
                loss_rng: self.seed ^ 0x1055_1055_1055_1055,
                ..NetView::default()
            })),
            flight,
            watch: Watch {
                idle: idle.clone(),
                host: self.module.into(),
            },
        });
        let host_ctx = ctx.clone();
        sim.host(self.module, move || module_host::run(host_ctx.clone()));
        // The module host's software starts in the first step.
        idle.poke();
        let mut world = World {
            sim,
            idle,
            ctx,
            log,
            module: self.module,
            dns_ip: self.dns,
            hosts: BTreeMap::new(),
            dns: Rc::new(RefCell::new(DnsState::default())),
            silent_hosts: Vec::new(),
        };
        let dns = world.dns.clone();
        world.add_service(
            self.dns,
            Service::Dns {
                port: DNS_PORT,
                state: dns,
            },
        );
        world
    }
}

/// A running simulation.
pub struct World {
    sim: turmoil::Sim<'static>,
    /// What the hosts have to do: a step runs only those that have some.
    /// Every method that changes the world pokes it, so that all hosts
    /// look at the change in the next step.
    idle: IdleRef,
    ctx: Rc<ModuleCtx>,
    log: Rc<RefCell<Transcript>>,
    module: Ipv4Addr,
    dns_ip: Ipv4Addr,
    hosts: BTreeMap<Ipv4Addr, HostServices>,
    dns: Rc<RefCell<DnsState>>,
    silent_hosts: Vec<Ipv4Addr>,
}

impl World {
    /// A world with default settings and `seed`.
    pub fn new(seed: u64) -> Self {
        Builder::default().seed(seed).build()
    }

    /// Where to start for anything else.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.log.borrow().seed
    }

    /// Simulated time since the world was built.
    pub fn now(&self) -> Duration {
        self.sim.elapsed()
    }

    /// The module's address.
    pub fn module_address(&self) -> Ipv4Addr {
        self.module
    }

    /// The dialect the module speaks.
    pub fn dialect(&self) -> &'static Dialect {
        self.ctx.dialect
    }

    /// The transcript so far.
    pub fn transcript(&self) -> Transcript {
        self.log.borrow().clone()
    }

    /// Adds a line to the transcript.
    pub fn note(&self, text: impl Into<String>) {
        self.log
            .borrow_mut()
            .push(self.now(), Event::Note(text.into()));
    }

    // ---- time ----

    /// One turmoil step (1 ms of simulated time), which runs the hosts that
    /// have something to do in it (see `idle.rs`).
    ///
    /// # Panics
    /// If a host's software failed: the simulation is broken, not the module.
    pub fn step(&mut self) {
        let end = self.now() + TICK;
        let idle = self.idle.clone();
        self.step_lazy(TICK, |host| idle.busy(host, end));
    }

    /// A turmoil step of `tick` that runs the hosts `wake` names (and those
    /// turmoil wakes itself).
    fn step_lazy(&mut self, tick: Duration, wake: impl FnMut(std::net::IpAddr) -> bool) {
        let stepped = self.sim.step_lazy(tick, wake);
        self.idle.stepped();
        if let Err(e) = stepped {
            panic!("simulation failed (seed {}): {e}", self.seed());
        }
    }

    /// Moves toward `end`: one step, or several at once while nothing can
    /// happen. A leap ends before the first instant at which a host has
    /// something to do (a timer, a message arriving, a wake-up from
    /// outside it) or a byte from the module reaches the host, and never
    /// after the step that reaches `end`. So whoever looks at the world
    /// between steps (UART, peers, transcript) sees it at the same steps
    /// as without leaps, and only a wait on the clock alone may see a later
    /// instant than the first step past its mark.
    pub fn step_toward(&mut self, end: Duration) {
        let now = self.now();
        let ticks = |d: Duration| d.as_nanos().div_ceil(TICK.as_nanos());
        let due = [
            self.idle.next_timer(),
            self.sim.quiet_for().map(|d| now + d),
            self.ctx.uart.borrow().next_host_arrival(now),
        ]
        .into_iter()
        .flatten()
        .min();
        // Whole steps that end before `due`, and none past `end`.
        let quiet = due.map_or(u128::MAX, |due| {
            ticks(due.saturating_sub(now)).saturating_sub(1)
        });
        let leap = quiet.min(ticks(end.saturating_sub(now)));
        if leap <= 1 || self.idle.poked_recently() {
            return self.step();
        }
        let leap = TICK * u32::try_from(leap).unwrap_or(u32::MAX);
        self.step_lazy(leap, |_| false);
    }

    /// Runs for `d` of simulated time.
    pub fn run_for(&mut self, d: Duration) {
        let end = self.now() + d;
        while self.now() < end {
            self.step_toward(end);
        }
    }

    /// Steps until `done` holds or `limit` of simulated time passed;
    /// returns whether it held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&mut World) -> bool) -> bool {
        let end = self.now() + limit;
        loop {
            if done(self) {
                return true;
            }
            if self.now() >= end {
                return false;
            }
            self.step_toward(end);
        }
    }

    // ---- the UART, from the host MCU's side ----

    /// The host MCU writes `bytes` now.
    pub fn host_write(&mut self, bytes: &[u8]) {
        let now = self.now();
        self.ctx.uart.borrow_mut().host_write(now, bytes);
        self.idle.poke();
        self.ctx.uart_written.notify_one();
    }

    /// Bytes from the module that reached the host since the last read.
    pub fn host_read(&mut self) -> Vec<u8> {
        let now = self.now();
        self.ctx.uart.borrow_mut().host_read(now)
    }

    /// The host MCU asserts (`true`) or deasserts its RTS: with flow
    /// control on, the module's transmitter waits while it is deasserted.
    pub fn host_ready(&mut self, ready: bool) {
        let now = self.now();
        self.note(format!("host rts {}", if ready { "on" } else { "off" }));
        self.ctx.uart.borrow_mut().host_ready(now, ready);
        self.idle.poke();
        self.ctx.uart_written.notify_one();
    }

    /// Host bytes the line has not delivered yet.
    pub fn host_pending(&self) -> usize {
        self.ctx.uart.borrow().host_pending()
    }

    /// The UART's settings.
    pub fn uart_config(&self) -> UartConfig {
        self.ctx.uart.borrow().config()
    }

    // ---- peers ----

    /// Runs `service` on the peer host at `ip` (created on first use);
    /// returns its observable state.
    pub fn add_service(&mut self, ip: Ipv4Addr, service: Service) -> Shared {
        self.note(format!("peer {ip} {}", describe(&service)));
        self.add_host(ip);
        let shared = self.hosts[&ip].add(service);
        shared.borrow_mut().flight = Some(self.ctx.flight.clone());
        shared
    }

    // ---- the network pushing back ----

    /// Every TCP connection holds at most `bytes` in flight each way, from
    /// now on: what one program wrote and the other has not read yet
    /// (see [`crate::flight`]).
    pub fn set_flight_budget(&mut self, bytes: usize) {
        self.ctx.flight.borrow_mut().set_budget(bytes);
        self.note(format!(
            "at most {bytes} bytes in flight per TCP connection"
        ));
    }

    /// The link to `ip` loses `percent` of its datagrams from now on (UDP
    /// only: turmoil's TCP does not retransmit), by a seeded draw.
    pub fn set_datagram_loss(&mut self, ip: Ipv4Addr, percent: u8) {
        self.idle.poke();
        self.ctx.view.borrow_mut().loss.insert(ip, percent.min(100));
        self.note(format!(
            "the link to {ip} loses {percent}% of its datagrams"
        ));
    }

    /// Turns RTS/CTS on or off on both sides of the UART.
    pub fn set_flow_control(&mut self, on: bool) {
        self.idle.poke();
        let now = self.now();
        self.ctx.uart.borrow_mut().set_flow_control(now, on);
        self.note(format!(
            "hardware flow control {}",
            if on { "on" } else { "off" }
        ));
    }

    /// Whether the module asserts its RTS (the host's CTS): false while it
    /// holds the host back (PT-7).
    pub fn module_rts(&self) -> bool {
        self.ctx.uart.borrow().module_rts()
    }

    /// A host with no services that still answers ping.
    pub fn add_host(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        if !self.hosts.contains_key(&ip) {
            let host = HostServices::watched(Watch {
                idle: self.idle.clone(),
                host: ip.into(),
            });
            let software = host.clone();
            // A turmoil host's sockets have its address whatever they bind.
            self.sim
                .host(ip, move || software.run::<Turmoil>(Ipv4Addr::UNSPECIFIED));
            self.hosts.insert(ip, host);
        }
    }

    /// A host whose packets vanish: whatever is sent to it times out.
    /// (Held, not partitioned: turmoil answers a dropped SYN with an
    /// immediate refusal, a held one waits like an unanswered one.)
    pub fn add_silent_host(&mut self, ip: Ipv4Addr) {
        self.add_host(ip);
        self.sim.hold(self.module, ip);
        self.ctx.view.borrow_mut().unreachable.insert(ip);
        self.silent_hosts.push(ip);
        self.note(format!("no host answers at {ip}"));
    }

    /// The network's DNS server's data.
    pub fn dns(&self) -> Rc<RefCell<DnsState>> {
        self.dns.clone()
    }

    /// The network's DNS server's address.
    pub fn dns_address(&self) -> Ipv4Addr {
        self.dns_ip
    }

    /// A DNS server of its own at `ip`.
    pub fn add_dns_server(&mut self, ip: Ipv4Addr) -> Rc<RefCell<DnsState>> {
        let state = Rc::new(RefCell::new(DnsState::default()));
        self.add_service(
            ip,
            Service::Dns {
                port: DNS_PORT,
                state: state.clone(),
            },
        );
        state
    }

    /// An SNTP server at `ip` whose clock reads `unix_micros` now.
    pub fn add_sntp_server(&mut self, ip: Ipv4Addr, unix_micros: i64) -> Rc<RefCell<Clock>> {
        let clock = Rc::new(RefCell::new(Clock {
            set_at: self.now(),
            unix_micros,
        }));
        self.add_service(
            ip,
            Service::Sntp {
                port: SNTP_PORT,
                clock: clock.clone(),
            },
        );
        clock
    }

    // ---- Wi-Fi: access points on the module's radio ----

    /// An access point named `ssid` on the module's radio, up from now:
    /// with `password` (WPA2) or open (`None`), heard at `rssi` dBm
    /// (default -40) on `channel` (default 6); its BSSID is derived from
    /// the SSID ([`radio::bssid_of`]), which it returns. One with the same
    /// SSID is replaced. Only a dialect with Wi-Fi joins it (see
    /// [`driver_kit::radio`] for what a join, a scan and a lost access
    /// point report, and when).
    pub fn add_access_point(
        &mut self,
        ssid: impl AsRef<[u8]>,
        password: Option<&[u8]>,
        rssi: Option<i8>,
        channel: Option<u8>,
    ) -> [u8; 6] {
        let ssid = ssid.as_ref();
        let ap = Ap::new(ssid, password).signal(
            rssi.unwrap_or(radio::DEFAULT_RSSI),
            channel.unwrap_or(radio::DEFAULT_CHANNEL),
        );
        let bssid = ap.bssid;
        self.note(format!(
            "access point \"{}\" {} {} dBm channel {}",
            ssid.escape_ascii(),
            if password.is_some() {
                "secured"
            } else {
                "open"
            },
            ap.rssi,
            ap.channel
        ));
        self.ctx.radio.borrow_mut().add(ap);
        self.idle.poke();
        self.ctx.radio_changed.notify_one();
        bssid
    }

    /// The access point `ssid` goes down (`false`: the module, joined to
    /// it, loses it after the join's inactive time) or comes back up
    /// (`true`). Returns `false`, doing nothing, if there is no such
    /// access point.
    #[must_use]
    pub fn set_access_point_up(&mut self, ssid: impl AsRef<[u8]>, up: bool) -> bool {
        let ssid = ssid.as_ref();
        let now = self.now();
        if !self.ctx.radio.borrow_mut().set_up(ssid, up, now) {
            return false;
        }
        self.note(format!(
            "access point \"{}\" {}",
            ssid.escape_ascii(),
            if up { "up" } else { "down" }
        ));
        self.idle.poke();
        self.ctx.radio_changed.notify_one();
        true
    }

    /// Carries out a Wi-Fi command (`Join`, `Leave`, `Scan`) on the
    /// module's radio now, as if the module had asked for it: its events go
    /// to the module and into the transcript as a command of the module's
    /// would. For tests of the air while the core does not ask yet; any
    /// other command panics.
    pub fn radio_command(&mut self, command: &firmware_core::NetCommand) {
        let text =
            radio::describe(command).unwrap_or_else(|| panic!("{command:?} is no Wi-Fi command"));
        let now = self.now();
        self.log.borrow_mut().push(now, Event::Net(text));
        assert!(self.ctx.radio.borrow_mut().execute(now, command));
        self.idle.poke();
        self.ctx.radio_changed.notify_one();
    }

    /// The access points on the module's radio (in the order they were
    /// added) and whether each is up.
    pub fn access_points(&self) -> Vec<(Ap, bool)> {
        self.ctx
            .radio
            .borrow()
            .access_points()
            .map(|(ap, up)| (ap.clone(), up))
            .collect()
    }

    // ---- faults ----

    /// Cuts the network between the module and `ip`: nothing gets through
    /// until [`restore`](Self::restore). Packets wait on the link rather
    /// than vanish: turmoil's TCP has no retransmission, so waiting is how
    /// a real TCP connection across a cut behaves (its data arrives after
    /// the repair), and a connection attempt hangs instead of being refused.
    pub fn cut(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        self.note(format!("cut {ip}"));
        self.sim.hold(self.module, ip);
        self.ctx.view.borrow_mut().unreachable.insert(ip);
    }

    /// Restores what [`cut`](Self::cut) cut; waiting packets go on.
    pub fn restore(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        self.note(format!("restore {ip}"));
        self.sim.release(self.module, ip);
        self.ctx.view.borrow_mut().unreachable.remove(&ip);
    }

    /// Holds packets between the module and `ip` until released.
    pub fn hold(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        self.note(format!("hold {ip}"));
        self.sim.hold(self.module, ip);
        self.ctx.view.borrow_mut().unreachable.insert(ip);
    }

    /// Releases held packets.
    pub fn release(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        self.note(format!("release {ip}"));
        self.sim.release(self.module, ip);
        self.ctx.view.borrow_mut().unreachable.remove(&ip);
    }

    /// Sets the one-way latency between the module and `ip`.
    pub fn delay(&mut self, ip: Ipv4Addr, latency: Duration) {
        self.idle.poke();
        self.note(format!("delay {ip} {latency:?}"));
        self.sim.set_link_latency(self.module, ip, latency);
        self.ctx.view.borrow_mut().latency.insert(ip, latency);
    }

    /// Crashes the peer host at `ip`: its software stops, its sockets die.
    pub fn crash(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        self.note(format!("crash {ip}"));
        self.sim.crash(ip);
    }

    /// Restarts a crashed peer host.
    pub fn restart(&mut self, ip: Ipv4Addr) {
        self.idle.poke();
        self.note(format!("restart {ip}"));
        self.sim.bounce(ip);
    }

    /// Power-cycles the module: every volatile state is lost, its
    /// non-volatile storage stays.
    pub fn power_cycle(&mut self) {
        self.idle.poke();
        self.note("power cycle");
        self.sim.bounce(self.module);
    }

    /// What the module's non-volatile storage holds.
    pub fn flash(&self) -> Vec<u8> {
        self.ctx.flash.borrow().blob()
    }

    /// How many times the module has booted.
    pub fn boots(&self) -> u32 {
        *self.ctx.boots.borrow()
    }
}

fn tls_note(kind: &str, port: u16, psk: &crate::peers::Psk) -> String {
    format!(
        "{kind} :{port} identity \"{}\"",
        psk.identity.escape_ascii()
    )
}

/// A service in a transcript note: its kind and port, not its state.
fn describe(service: &Service) -> String {
    match service {
        Service::TcpEcho { port } => format!("tcp echo :{port}"),
        Service::UdpEcho { port } => format!("udp echo :{port}"),
        Service::TcpSink { port } => format!("tcp sink :{port}"),
        Service::UdpSink { port } => format!("udp sink :{port}"),
        Service::TcpGreeter { port, greeting } => {
            format!("tcp greeter :{port} ({} bytes)", greeting.len())
        }
        Service::TcpCloser { port, after } => format!("tcp closer :{port} after {after:?}"),
        Service::TcpClient { to } => format!("tcp client to {to}"),
        Service::UdpPeer { port, to, first } => {
            format!("udp peer :{port} sends {} bytes to {to}", first.len())
        }
        // TL-7: no key in a note; the identity is no secret.
        Service::TlsPskEcho { port, psk } => tls_note("tls-psk echo", *port, psk),
        Service::TlsPskSink { port, psk } => tls_note("tls-psk sink", *port, psk),
        Service::DtlsPskEcho { port, psk } => tls_note("dtls-psk echo", *port, psk),
        Service::DtlsPskSink { port, psk } => tls_note("dtls-psk sink", *port, psk),
        Service::Dns { port, .. } => format!("dns :{port}"),
        Service::Sntp { port, .. } => format!("sntp :{port}"),
    }
}
