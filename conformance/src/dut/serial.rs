//! A device on a serial line, with the lab's peers as real sockets.
//!
//! The module under test is a real device (`serial:/dev/ttyUSB0@115200`),
//! or `atmodule` (the core on a pseudo-terminal, started once per scenario).
//! Peers run on this machine on real sockets (`sim::lab`), at the lab's
//! addresses: the scenario's 192.168.0.N is 127.0.0.N here, the same map
//! `atmodule` applies, so everything stays on loopback. Time is real time.
//!
//! What a real lab cannot do — cut links, delay them, make an address go
//! silent, crash a peer — is `Unsupported`: those scenarios are tagged
//! `@sim` and left out of serial runs.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::Child;
use std::rc::Rc;
use std::time::{Duration, Instant};

use firmware_core::Dialect;
use serialport::SerialPort;
use sim::lab::Lab;
use sim::peers::{Clock, DnsState, Service, Shared};
use sim::transcript::{Event, Transcript};

use super::atmodule::{Start, ap_text, start_atmodule, stop};
use super::{AccessPoint, Dut, Fault, LabMap, Target, Unsupported};

/// How long a device gets to say `ready` after a reset.
const BOOT_LIMIT: Duration = Duration::from_secs(10);

/// The silence around a `+++` that escapes passthrough (PT-4's 20 ms, with
/// room for a line that is not perfectly idle).
const GUARD: Duration = Duration::from_millis(50);

/// How long after the escape commands count again (PT-5's 1 s, and some).
const COOLDOWN: Duration = Duration::from_millis(1100);

/// How long a write may find the line full before the module counts as
/// no longer taking bytes.
const WRITE_STALL: Duration = Duration::from_secs(30);

/// The most one write hands the line. The port blocks until a write is
/// all taken, and meanwhile nobody reads what the module sends: a slice
/// keeps that wait to a few of the line's milliseconds (256 bytes are
/// 2.8 ms at 921600 baud, 22 ms at 115200), which the line's buffer the
/// other way holds.
const WRITE_SLICE: usize = 256;

/// A write that timed out or was interrupted: try again.
fn is_retry(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{Interrupted, TimedOut, WouldBlock};
    matches!(e.kind(), TimedOut | WouldBlock | Interrupted)
}

/// The module on a serial line and the lab around it.
pub struct SerialDut {
    target: Target,
    map: LabMap,
    port: Box<dyn SerialPort>,
    child: Option<Child>,
    store: Option<PathBuf>,
    lab: Lab,
    network_dns: Rc<RefCell<DnsState>>,
    start: Instant,
    log: Transcript,
    /// Bytes to hand out before the line's (the `ready` of a reset).
    pending: Vec<u8>,
    /// The dialect the run certifies (`atmodule --dialect`).
    dialect: &'static Dialect,
    /// The access points the scenario put on `atmodule`'s radio, and
    /// whether each is up: given again when it restarts.
    aps: Vec<(AccessPoint, bool)>,
}

impl SerialDut {
    /// Connects to the module, resets it to factory state, and starts the
    /// lab with the network's DNS server (192.168.0.1, port 53: the lab must
    /// be allowed to bind low ports, e.g. run as root). The module speaks
    /// `dialect` (`atmodule` is started with it; a device is taken to).
    ///
    /// # Errors
    /// When the line cannot be opened, `atmodule` cannot start, or the
    /// device does not say `ready`.
    pub fn open(
        target: Target,
        map: LabMap,
        seed: u64,
        dialect: &'static Dialect,
    ) -> Result<SerialDut, String> {
        wait_port_free(std::net::SocketAddrV4::new(
            map.host(sim::DNS_IP),
            sim::peers::DNS_PORT,
        ));
        let mut lab = Lab::new().map_err(|e| format!("the lab: {e}"))?;
        let network_dns = lab.add_dns_server(map.host(sim::DNS_IP), sim::peers::DNS_PORT);
        let (port, child, store) = match &target {
            Target::Serial { path, baud, .. } => (open_line(path, *baud)?, None, None),
            Target::Atmodule { exe, pace, rts_cts } => {
                // One per lab too: an outline's rows share a seed and may
                // run side by side, each in a lab of its own.
                let [a, b, c] = map.host;
                let store = std::env::temp_dir().join(format!(
                    "atcert-{}-{a}.{b}.{c}-{seed}.store",
                    std::process::id()
                ));
                let _ = std::fs::remove_file(&store);
                let how = Start {
                    line: (*pace, *rts_cts),
                    store: &store,
                    seed,
                    map,
                    dialect,
                    aps: &[],
                };
                let (child, port) = start_atmodule(exe, &how)?;
                (port, Some(child), Some(store))
            }
        };
        let mut dut = SerialDut {
            target,
            map,
            port,
            child,
            store,
            lab,
            network_dns,
            start: Instant::now(),
            log: Transcript::new(seed),
            pending: Vec::new(),
            dialect,
            aps: Vec::new(),
        };
        if matches!(dut.target, Target::Serial { .. }) {
            dut.recover()?;
        }
        Ok(dut)
    }

    /// Brings a device that stays powered back to factory state, from
    /// whatever the last scenario left: still in passthrough, a command
    /// half typed, a CIPSEND collecting, a restart under way. Then a fresh
    /// `ready` is handed to the scenario, as after a power-on.
    fn recover(&mut self) -> Result<(), String> {
        // Whatever is still coming (a boot's `ready`, a peer's data, a
        // late line) is dropped: only what follows the restore's `OK`
        // counts.
        if !self.answers_at() {
            // Passthrough (PT-4): silence, `+++`, silence; then the
            // cooldown (PT-5) before a command counts. A CIPSEND that
            // collects data takes the bytes instead and ends.
            self.quiet(GUARD);
            self.host_write(b"+++");
            self.quiet(GUARD + COOLDOWN);
            if !(0..3).any(|_| self.answers_at()) {
                return Err("the device does not answer AT, not even after +++".into());
            }
        }
        self.host_write(b"AT+RESTORE\r\n");
        let seen = self.read_until(BOOT_LIMIT, |seen| {
            // The `ready` that counts comes after the restore's `OK`.
            let text = String::from_utf8_lossy(seen);
            text.find("\r\nOK\r\n")
                .is_some_and(|ok| text[ok..].contains("ready\r\n"))
        });
        if !seen.1 {
            return Err(format!(
                "no OK, then ready, after AT+RESTORE: {:?}",
                String::from_utf8_lossy(&seen.0)
            ));
        }
        self.pending = b"\r\nready\r\n".to_vec();
        Ok(())
    }

    /// `AT` answered with `OK` within a moment (anything before it, the
    /// echo included, is dropped).
    fn answers_at(&mut self) -> bool {
        self.host_write(b"AT\r\n");
        let (_, ok) = self.read_until(Duration::from_millis(300), |seen| {
            seen.windows(6).any(|w| w == b"\r\nOK\r\n")
        });
        ok
    }

    /// Reads for `d`, dropping what comes.
    fn quiet(&mut self, d: Duration) {
        let _ = self.read_until(d, |_| false);
    }

    /// Reads until `done` holds for what came, or `limit` passed.
    fn read_until(&mut self, limit: Duration, done: impl Fn(&[u8]) -> bool) -> (Vec<u8>, bool) {
        let mut seen = Vec::new();
        let end = Instant::now() + limit;
        loop {
            seen.extend(self.read_line_bytes());
            if done(&seen) {
                return (seen, true);
            }
            if Instant::now() > end {
                return (seen, false);
            }
            self.tick();
        }
    }

    /// Restarts the module: `atmodule` on its store, stopped cleanly (a
    /// power cycle) or killed (a power loss); a device on a serial line by
    /// the bench's power control, then its line opened again (a USB serial
    /// device goes away with its power).
    fn restart(&mut self, clean: bool) -> Result<(), Unsupported> {
        let what = if clean { "power cycle" } else { "power loss" };
        match &self.target {
            Target::Serial { power, .. } if power.is_none() => {
                return Err(Unsupported(format!(
                    "a {what} of a device on a serial line: the bench has no power control (--power-cmd or --reset-line)"
                )));
            }
            Target::Serial { path, baud, power } => {
                self.log.push(
                    self.start.elapsed(),
                    Event::Note(format!("{what}: {power:?}")),
                );
                if let Err(e) = power.restart(self.port.as_mut(), path, !clean) {
                    panic!("the bench's power control failed: {e}");
                }
                let end = Instant::now() + BOOT_LIMIT;
                self.port = loop {
                    match open_line(path, *baud) {
                        Ok(port) => break port,
                        Err(e) if Instant::now() > end => {
                            panic!("the line did not come back after a {what}: {e}")
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                };
            }
            Target::Atmodule { exe, pace, rts_cts } => {
                self.log
                    .push(self.start.elapsed(), Event::Note(what.into()));
                if let Some(mut child) = self.child.take() {
                    if clean {
                        stop(child);
                    } else {
                        let _ = child.kill();
                        let _ = child.wait();
                    }
                }
                let store = self.store.clone().expect("atmodule has a store");
                let how = Start {
                    line: (*pace, *rts_cts),
                    store: &store,
                    seed: self.log.seed,
                    map: self.map,
                    dialect: self.dialect,
                    aps: &self.aps,
                };
                let (child, port) = start_atmodule(exe, &how).map_err(Unsupported)?;
                self.child = Some(child);
                self.port = port;
            }
        }
        Ok(())
    }

    /// Lab control lines on `atmodule`'s stdin, then a moment for its
    /// control thread to take them before the next command.
    fn control(&mut self, lines: &[String]) -> Result<(), Unsupported> {
        let stdin = self
            .child
            .as_mut()
            .and_then(|c| c.stdin.as_mut())
            .ok_or_else(|| Unsupported("atmodule's stdin is gone".into()))?;
        for line in lines {
            writeln!(stdin, "{line}")
                .and_then(|()| stdin.flush())
                .map_err(|e| Unsupported(format!("telling atmodule {line:?}: {e}")))?;
        }
        self.lab.tick(Duration::from_millis(5));
        Ok(())
    }

    fn read_line_bytes(&mut self) -> Vec<u8> {
        let n = self.port.bytes_to_read().unwrap_or(0) as usize;
        let mut buf = vec![0; n];
        let got = if n > 0 {
            self.port.read(&mut buf).unwrap_or(0)
        } else {
            0
        };
        buf.truncate(got);
        if !buf.is_empty() {
            self.log
                .push(self.start.elapsed(), Event::UartOut(buf.clone()));
        }
        buf
    }
}

/// Waits (up to 2 s) until the lab's DNS port can be bound: the lab of
/// the scenario before on this network may not have let go of its sockets
/// yet (cucumber can keep a scenario's world, and so its lab, until its
/// writer has taken the scenario's events). When every socket of that lab
/// is closed at once, this one is a fair sign for all of them.
fn wait_port_free(at: std::net::SocketAddrV4) {
    let end = Instant::now() + Duration::from_secs(2);
    while std::net::UdpSocket::bind(at).is_err() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(super) fn open_line(path: &str, baud: u32) -> Result<Box<dyn SerialPort>, String> {
    serialport::new(path, baud)
        .timeout(Duration::from_millis(10))
        .open()
        .map_err(|e| format!("{path}: {e}"))
}

impl Drop for SerialDut {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            stop(child);
        }
        if let Some(store) = &self.store {
            let _ = std::fs::remove_file(store);
        }
    }
}

impl Dut for SerialDut {
    fn describe(&self) -> String {
        match &self.target {
            Target::Serial { path, baud, .. } => {
                format!("device on {path} at {baud} baud, seed {}", self.log.seed)
            }
            Target::Atmodule { exe, pace, .. } => {
                let paced = pace
                    .map(|b| format!(", paced at {b} baud"))
                    .unwrap_or_default();
                let dialect = match self.dialect.name {
                    "seed" => String::new(),
                    other => format!(", {other} dialect"),
                };
                format!(
                    "atmodule ({}{paced}{dialect}), seed {}",
                    exe.display(),
                    self.log.seed
                )
            }
        }
    }

    fn dialect(&self) -> &'static Dialect {
        self.dialect
    }

    fn host_write(&mut self, bytes: &[u8]) {
        self.log
            .push(self.start.elapsed(), Event::UartIn(bytes.to_vec()));
        // A module that takes its bytes slowly (a paced line, flow control)
        // fills the line's buffer: the write waits, and meanwhile what the
        // module sends is kept (and the lab runs while the line takes
        // nothing), so neither side stalls: both ways at once is a
        // benchmark point.
        let mut rest = bytes;
        let mut stalled = Instant::now();
        while !rest.is_empty() {
            let written = self.port.write(&rest[..rest.len().min(WRITE_SLICE)]);
            let got = self.read_line_bytes();
            self.pending.extend(got);
            match written {
                Ok(n) if n > 0 => {
                    rest = &rest[n..];
                    stalled = Instant::now();
                }
                Err(e) if !is_retry(&e) => {
                    panic!("the serial line failed while writing to the module: {e}")
                }
                _ if stalled.elapsed() > WRITE_STALL => panic!(
                    "the module took none of {} bytes for {} s",
                    rest.len(),
                    WRITE_STALL.as_secs()
                ),
                _ => self.lab.tick(Duration::from_millis(1)),
            }
        }
        if let Err(e) = self.port.flush() {
            panic!("the serial line failed while draining to the module: {e}");
        }
    }

    fn host_read(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.pending);
        out.extend(self.read_line_bytes());
        out
    }

    fn tick(&mut self) {
        self.lab.tick(Duration::from_millis(1));
    }

    fn host_pending(&self) -> usize {
        // `host_write` flushes (tcdrain) before it returns.
        0
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn lose_power(&mut self) -> Result<(), Unsupported> {
        // SIGKILL: no clean shutdown (B-6).
        self.restart(false)
    }

    fn power_cycle(&mut self) -> Result<(), Unsupported> {
        self.restart(true)
    }

    fn add_service(&mut self, ip: Ipv4Addr, service: Service) -> Shared {
        self.log.push(
            self.start.elapsed(),
            Event::Note(format!("peer {ip} at {}", self.map.host(ip))),
        );
        // A client reaches the module at its lab address too.
        let service = match service {
            Service::TcpClient { to } => Service::TcpClient {
                to: std::net::SocketAddrV4::new(self.map.host(*to.ip()), to.port()),
            },
            Service::UdpPeer { port, to, first } => Service::UdpPeer {
                port,
                to: std::net::SocketAddrV4::new(self.map.host(*to.ip()), to.port()),
                first,
            },
            other => other,
        };
        self.lab.add_service(self.map.host(ip), service)
    }

    fn add_host(&mut self, _ip: Ipv4Addr) {
        // Every loopback address answers ping and refuses what nobody
        // listens for: nothing to start.
    }

    fn add_silent_host(&mut self, ip: Ipv4Addr) -> Result<(), Unsupported> {
        // Loopback always answers and refuses, so atmodule swallows packets
        // to `ip` on request; on a real network the bench names addresses
        // nobody holds.
        if let Some(stdin) = self.child.as_mut().and_then(|c| c.stdin.as_mut()) {
            writeln!(stdin, "drop {ip}")
                .and_then(|()| stdin.flush())
                .map_err(|e| Unsupported(format!("telling atmodule to drop {ip}: {e}")))?;
            // Let its control thread take the line before the next command.
            self.lab.tick(Duration::from_millis(5));
        } else if !self.map.silent(ip) {
            let at = self.map.host(ip);
            return Err(Unsupported(if at.is_loopback() {
                format!("a silent host at {ip}: loopback ({at}) answers at every address")
            } else {
                format!(
                    "a silent host at {ip}: {at} is not named unused in --lab (`{},unused={at}`)",
                    self.map
                )
            }));
        }
        self.log.push(
            self.start.elapsed(),
            Event::Note(format!("no host answers at {ip}")),
        );
        Ok(())
    }

    fn network_dns(&mut self) -> Rc<RefCell<DnsState>> {
        self.network_dns.clone()
    }

    fn add_dns_server(&mut self, ip: Ipv4Addr) -> Rc<RefCell<DnsState>> {
        self.lab
            .add_dns_server(self.map.host(ip), sim::peers::DNS_PORT)
    }

    fn add_sntp_server(&mut self, ip: Ipv4Addr, unix_micros: i64) -> Rc<RefCell<Clock>> {
        self.lab
            .add_sntp_server(self.map.host(ip), sim::peers::SNTP_PORT, unix_micros)
    }

    fn network_now(&self) -> Duration {
        self.lab.now()
    }

    fn set_flight_budget(&mut self, bytes: usize) -> Result<(), Unsupported> {
        Err(Unsupported(format!(
            "bounding a real network to {bytes} bytes in flight"
        )))
    }

    fn set_datagram_loss(&mut self, ip: Ipv4Addr, percent: u8) -> Result<(), Unsupported> {
        Err(Unsupported(format!(
            "losing {percent}% of the datagrams to {ip} on a real network"
        )))
    }

    fn set_flow_control(&mut self, on: bool) -> Result<(), Unsupported> {
        match &self.target {
            Target::Serial { path, .. } => {
                let flow = match on {
                    true => serialport::FlowControl::Hardware,
                    false => serialport::FlowControl::None,
                };
                self.port
                    .set_flow_control(flow)
                    .map_err(|e| Unsupported(format!("RTS/CTS on {path}: {e}")))
            }
            Target::Atmodule { rts_cts, .. } if *rts_cts == on => Ok(()),
            Target::Atmodule { .. } => Err(Unsupported(
                "RTS/CTS on atmodule's pty, which is chosen when it starts".into(),
            )),
        }
    }

    fn hold_output(&mut self, _hold: bool) -> Result<(), Unsupported> {
        Err(Unsupported(
            "RTS/CTS on this line (not driven by the serial DUT yet)".into(),
        ))
    }

    fn module_rts(&mut self) -> Result<bool, Unsupported> {
        // The module's RTS is the host's CTS; a pty has no modem lines.
        self.port
            .read_clear_to_send()
            .map_err(|e| Unsupported(format!("reading CTS on this line: {e}")))
    }

    fn fault(&mut self, fault: Fault) -> Result<(), Unsupported> {
        Err(Unsupported(format!("{fault:?} on a real network")))
    }

    fn add_access_point(&mut self, ap: &AccessPoint) -> Result<(), Unsupported> {
        if matches!(self.target, Target::Serial { .. }) {
            return Err(Unsupported(format!(
                "an access point \"{}\" on a real module's radio (the bench has no Wi-Fi lab)",
                ap.ssid.escape_ascii()
            )));
        }
        // atmodule: on its stdin now, on its command line at a restart.
        let (ssid, password) = ap_text(ap).map_err(Unsupported)?;
        let mut lines = vec![format!("ap {ssid}:{password}")];
        if let (Some(rssi), Some(channel)) = (ap.rssi, ap.channel) {
            lines.push(format!("ap-signal {ssid}={rssi},{channel}"));
        }
        self.control(&lines)?;
        self.aps.retain(|(a, _)| a.ssid != ap.ssid);
        self.aps.push((ap.clone(), true));
        self.log.push(
            self.start.elapsed(),
            Event::Note(format!("access point \"{}\"", ap.ssid.escape_ascii())),
        );
        Ok(())
    }

    fn set_access_point_up(&mut self, ssid: &[u8], up: bool) -> Result<(), Unsupported> {
        let word = if up { "up" } else { "down" };
        if matches!(self.target, Target::Serial { .. }) {
            return Err(Unsupported(format!(
                "an access point going {word} by a real module (the bench has no Wi-Fi lab)"
            )));
        }
        let Some(i) = self.aps.iter().position(|(a, _)| a.ssid == ssid) else {
            return Err(Unsupported(format!(
                "no access point \"{}\" on atmodule's radio",
                ssid.escape_ascii()
            )));
        };
        let (text, _) = ap_text(&self.aps[i].0).map_err(Unsupported)?;
        self.control(&[format!("ap-{word} {text}")])?;
        self.aps[i].1 = up;
        self.log.push(
            self.start.elapsed(),
            Event::Note(format!("access point \"{text}\" {word}")),
        );
        Ok(())
    }

    fn transcript(&self) -> String {
        self.log.render()
    }
}
