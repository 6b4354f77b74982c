//! The device under test, seen from the test machine.
//!
//! Steps talk to a [`Dut`]: the UART from the host MCU's side, the peers
//! the module talks to, time, and (on a simulator) faults. [`SimDut`] is
//! the simulated module; [`SerialDut`] a device on a serial line (or
//! `atmodule`) with the lab's peers on real sockets.

mod atmodule;
mod lab_map;
mod power;
mod serial;
mod target;

pub use atmodule::default_atmodule;
pub use lab_map::LabMap;
pub use power::{ModemLine, Power};
pub use serial::SerialDut;
pub use target::Target;

use std::cell::RefCell;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::time::Duration;

use firmware_core::Dialect;
use sim::World;
use sim::peers::{Clock, DnsState, Service, Shared};

/// A network fault a scenario injects (simulator only, `@sim`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Packets between the module and the host are dropped.
    Cut(Ipv4Addr),
    /// Undoes `Cut`.
    Restore(Ipv4Addr),
    /// One-way latency between the module and the host.
    Delay(Ipv4Addr, Duration),
    /// The host's software stops; its connections die.
    Crash(Ipv4Addr),
    /// The crashed host starts again.
    Restart(Ipv4Addr),
}

/// An access point a scenario puts on the module's radio (STEPS.md,
/// "Wi-Fi").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPoint {
    /// Its network name.
    pub ssid: Vec<u8>,
    /// Its WPA2 password; `None` for an open access point.
    pub password: Option<Vec<u8>>,
    /// Its signal at the module, dBm, if the scenario says.
    pub rssi: Option<i8>,
    /// Its channel, if the scenario says.
    pub channel: Option<u8>,
}

/// What a DUT cannot do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// A scenario's verdict when a step asks what the DUT cannot do (STEPS.md,
/// "What a DUT cannot do"): neither failed nor passed. Raised as a panic
/// payload by [`skip`], recognised by the runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip(pub String);

/// Ends the scenario as skipped, with the reason.
pub fn skip(reason: String) -> ! {
    std::panic::panic_any(Skip(reason))
}

/// A module under test and the lab around it.
pub trait Dut {
    /// For reports: which module, and how to reproduce the run.
    fn describe(&self) -> String;
    /// The dialect the run certifies, which the module is taken to speak.
    fn dialect(&self) -> &'static Dialect;
    /// Writes bytes on the UART, as the host MCU.
    fn host_write(&mut self, bytes: &[u8]);
    /// Bytes from the module that arrived since the last call.
    fn host_read(&mut self) -> Vec<u8>;
    /// Lets a little time pass (one simulation step, or a short sleep).
    fn tick(&mut self);
    /// Lets time pass toward `end` (on [`now`](Self::now)'s clock): a
    /// tick, or more where the DUT knows nothing can happen meanwhile (the
    /// simulator's [`sim::World::step_toward`]); never past the first tick
    /// that reaches `end`.
    fn tick_toward(&mut self, _end: Duration) {
        self.tick();
    }
    /// Host bytes the line has not carried to the module yet (0 once a
    /// serial port's output has drained: writes drain before returning).
    fn host_pending(&self) -> usize;
    /// Time since the DUT was set up.
    fn now(&self) -> Duration;
    /// Power-cycles the module (stored settings survive).
    fn power_cycle(&mut self) -> Result<(), Unsupported>;
    /// Cuts the power at once, with no clean shutdown (what the module had
    /// not made durable is gone), then powers it on (B-6).
    fn lose_power(&mut self) -> Result<(), Unsupported>;
    /// Runs `service` on the lab host at `ip`.
    fn add_service(&mut self, ip: Ipv4Addr, service: Service) -> Shared;
    /// A lab host with no services that answers ping.
    fn add_host(&mut self, ip: Ipv4Addr);
    /// An address where nothing answers: packets vanish.
    fn add_silent_host(&mut self, ip: Ipv4Addr) -> Result<(), Unsupported>;
    /// The network's DNS server (the one DHCP gives the module).
    fn network_dns(&mut self) -> Rc<RefCell<DnsState>>;
    /// A DNS server of its own at `ip`.
    fn add_dns_server(&mut self, ip: Ipv4Addr) -> Rc<RefCell<DnsState>>;
    /// An SNTP server at `ip` whose clock reads `unix_micros` now; its clock.
    fn add_sntp_server(&mut self, ip: Ipv4Addr, unix_micros: i64) -> Rc<RefCell<Clock>>;
    /// The network's time, as the lab's clocks count it ([`Clock::set_at`]).
    fn network_now(&self) -> Duration;
    /// Every TCP connection holds at most `bytes` in flight each way.
    fn set_flight_budget(&mut self, bytes: usize) -> Result<(), Unsupported>;
    /// The link to `ip` loses `percent` of its datagrams.
    fn set_datagram_loss(&mut self, ip: Ipv4Addr, percent: u8) -> Result<(), Unsupported>;
    /// RTS/CTS on both sides of the UART.
    fn set_flow_control(&mut self, on: bool) -> Result<(), Unsupported>;
    /// The host deasserts (`true`) or asserts its RTS.
    fn hold_output(&mut self, hold: bool) -> Result<(), Unsupported>;
    /// Whether the module asserts its RTS (lets the host send).
    fn module_rts(&mut self) -> Result<bool, Unsupported>;
    /// Injects a fault.
    fn fault(&mut self, fault: Fault) -> Result<(), Unsupported>;
    /// Puts an access point on the module's radio, up (one with the same
    /// SSID is replaced).
    fn add_access_point(&mut self, ap: &AccessPoint) -> Result<(), Unsupported>;
    /// The access point `ssid` (one [`add_access_point`](Dut::add_access_point)
    /// put there) goes down (`false`) or comes back up.
    fn set_access_point_up(&mut self, ssid: &[u8], up: bool) -> Result<(), Unsupported>;
    /// The record of the run so far, for failure reports.
    fn transcript(&self) -> String;
}

/// The simulated module (`sim::World`).
pub struct SimDut {
    world: World,
}

impl SimDut {
    /// A new simulated world with `seed`, its module speaking `seed`.
    pub fn new(seed: u64) -> Self {
        SimDut {
            world: World::new(seed),
        }
    }

    /// A new simulated world with `seed`, its module speaking `dialect`.
    pub fn with_dialect(seed: u64, dialect: &'static Dialect) -> Self {
        SimDut {
            world: World::builder().seed(seed).dialect(dialect).build(),
        }
    }

    /// A DUT on a world built elsewhere (a line rate, a latency).
    pub fn from_world(world: World) -> Self {
        SimDut { world }
    }

    /// The world, for what the trait does not cover.
    pub fn world(&mut self) -> &mut World {
        &mut self.world
    }
}

impl Dut for SimDut {
    fn describe(&self) -> String {
        let dialect = self.world.dialect().name;
        match dialect {
            "seed" => format!("simulated module, seed {}", self.world.seed()),
            _ => format!(
                "simulated module ({dialect} dialect), seed {}",
                self.world.seed()
            ),
        }
    }

    fn dialect(&self) -> &'static Dialect {
        self.world.dialect()
    }

    fn host_write(&mut self, bytes: &[u8]) {
        self.world.host_write(bytes);
    }

    fn host_read(&mut self) -> Vec<u8> {
        self.world.host_read()
    }

    fn tick(&mut self) {
        self.world.step();
    }

    fn tick_toward(&mut self, end: Duration) {
        self.world.step_toward(end);
    }

    fn host_pending(&self) -> usize {
        self.world.host_pending()
    }

    fn now(&self) -> Duration {
        self.world.now()
    }

    fn power_cycle(&mut self) -> Result<(), Unsupported> {
        self.world.power_cycle();
        Ok(())
    }

    fn lose_power(&mut self) -> Result<(), Unsupported> {
        // The simulated flash write completes within the instant the core
        // asks for it, and the module host never shuts down cleanly: a
        // power cycle is a power loss.
        self.world.power_cycle();
        Ok(())
    }

    fn add_service(&mut self, ip: Ipv4Addr, service: Service) -> Shared {
        self.world.add_service(ip, service)
    }

    fn add_host(&mut self, ip: Ipv4Addr) {
        self.world.add_host(ip);
    }

    fn add_silent_host(&mut self, ip: Ipv4Addr) -> Result<(), Unsupported> {
        self.world.add_silent_host(ip);
        Ok(())
    }

    fn network_dns(&mut self) -> Rc<RefCell<DnsState>> {
        self.world.dns()
    }

    fn add_dns_server(&mut self, ip: Ipv4Addr) -> Rc<RefCell<DnsState>> {
        self.world.add_dns_server(ip)
    }

    fn add_sntp_server(&mut self, ip: Ipv4Addr, unix_micros: i64) -> Rc<RefCell<Clock>> {
        self.world.add_sntp_server(ip, unix_micros)
    }

    fn network_now(&self) -> Duration {
        self.world.now()
    }

    fn set_flight_budget(&mut self, bytes: usize) -> Result<(), Unsupported> {
        self.world.set_flight_budget(bytes);
        Ok(())
    }

    fn set_datagram_loss(&mut self, ip: Ipv4Addr, percent: u8) -> Result<(), Unsupported> {
        self.world.set_datagram_loss(ip, percent);
        Ok(())
    }

    fn set_flow_control(&mut self, on: bool) -> Result<(), Unsupported> {
        self.world.set_flow_control(on);
        Ok(())
    }

    fn hold_output(&mut self, hold: bool) -> Result<(), Unsupported> {
        self.world.host_ready(!hold);
        Ok(())
    }

    fn module_rts(&mut self) -> Result<bool, Unsupported> {
        Ok(self.world.module_rts())
    }

    fn fault(&mut self, fault: Fault) -> Result<(), Unsupported> {
        match fault {
            Fault::Cut(ip) => self.world.cut(ip),
            Fault::Restore(ip) => self.world.restore(ip),
            Fault::Delay(ip, d) => self.world.delay(ip, d),
            Fault::Crash(ip) => self.world.crash(ip),
            Fault::Restart(ip) => self.world.restart(ip),
        }
        Ok(())
    }

    fn add_access_point(&mut self, ap: &AccessPoint) -> Result<(), Unsupported> {
        self.world
            .add_access_point(&ap.ssid, ap.password.as_deref(), ap.rssi, ap.channel);
        Ok(())
    }

    fn set_access_point_up(&mut self, ssid: &[u8], up: bool) -> Result<(), Unsupported> {
        match self.world.set_access_point_up(ssid, up) {
            true => Ok(()),
            false => Err(Unsupported(format!(
                "no access point \"{}\" on the simulated radio",
                ssid.escape_ascii()
            ))),
        }
    }

    fn transcript(&self) -> String {
        self.world.transcript().render()
    }
}
