//! `atmodule`: firmware-core as a virtual AT module on a pseudo-terminal
//! (or an existing serial line), with the OS's sockets for its links, DNS,
//! SNTP and ping, and its stored settings in a file.
//!
//! A thin driver (STYLE.md §10): no AT meaning and no timing rule lives
//! here; those are the core's. This crate maps the core's socket IDs to
//! tokio sockets, the module's addresses to the host's (`map.rs`), its
//! clock to the host's (`clock.rs`), and its UART to a tty (`uart.rs`).
//! `README.md` beside this crate says how to run it and talk to it.

#![deny(unsafe_code)]

mod air;
mod clock;
mod map;
mod module;
mod net;
mod ping;
mod stop;
mod store;
mod uart;

use std::io::Write;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use driver_kit::radio::Radio;
use firmware_core::{Dialect, Module, NetEvent};
use tokio::sync::mpsc;

use crate::air::Control;
use crate::clock::Clock;
use crate::map::{Map, Rule, Silent};
use crate::module::{Driver, End};
use crate::net::Sockets;
use crate::ping::Icmp;
use crate::stop::Stop;
use crate::store::Store;
use crate::uart::Line;

/// The spec's network on loopback: 192.168.0.N is 127.0.0.N.
const DEFAULT_MAP: &str = "192.168.0.0/24=127.0.0.0/24";

/// The port the core sends DNS queries to (RFC 1035).
const DNS_PORT: u16 = 53;

/// A virtual AT TCP/IP module (firmware-core) on a pseudo-terminal, with
/// real sockets on loopback.
#[derive(Debug, Parser)]
#[command(name = "atmodule", version)]
struct Args {
    /// Create a pseudo-terminal and print `atmodule: <path>` on stdout;
    /// open that path (at any baud) to talk to the module.
    #[arg(long, required_unless_present = "serial", conflicts_with = "serial")]
    pty: bool,
    /// With --pty: also make PATH a symbolic link to it (replaced if it
    /// exists), a name that outlives the module, as a USB serial device's
    /// `/dev/serial/by-id/` link outlives a power cycle.
    #[arg(long, value_name = "PATH", requires = "pty")]
    pty_link: Option<PathBuf>,
    /// Use an existing serial line instead (a device, or one end of a pty
    /// pair another program made).
    #[arg(long, value_name = "PATH")]
    serial: Option<String>,
    /// Line rate: the idle time that ends a UART piece is 10 byte times
    /// at it; with --serial also the line's speed.
    #[arg(long, default_value_t = 115_200,
          value_parser = clap::value_parser!(u32).range(300..=5_000_000))]
    baud: u32,
    /// The module's non-volatile settings; read at start (missing means
    /// factory), replaced atomically on every change. Without it settings
    /// last as long as the process.
    #[arg(long, value_name = "FILE")]
    store: Option<PathBuf>,
    /// The module's own address, as DHCP gives it; its sockets bind to
    /// this address's host side (by the map).
    #[arg(long, value_name = "IP", default_value = "192.168.0.107")]
    address: Ipv4Addr,
    /// A DNS server DHCP offers (repeat for up to 3; more is refused).
    #[arg(long, value_name = "IP", default_value = "192.168.0.1")]
    dns: Vec<Ipv4Addr>,
    /// The host port to send the --dns servers' queries to instead of 53
    /// (a lab DNS server that cannot bind port 53 without root).
    #[arg(long, value_name = "PORT")]
    dns_port: Option<u16>,
    /// An address map rule MODULE=HOST, each `ADDR[/LEN][:PORT]`: e.g.
    /// 192.168.0.0/24=127.0.0.0/24 or 192.168.0.5:123=127.0.0.5:12300.
    /// Repeatable; added to the default rule 192.168.0.0/24=127.0.0.0/24.
    #[arg(long = "map", value_name = "MODULE=HOST")]
    maps: Vec<Rule>,
    /// Leave out the default rule 192.168.0.0/24=127.0.0.0/24.
    #[arg(long)]
    no_default_map: bool,
    /// Hold the other end back (stop reading the line) while the module
    /// cannot take passthrough data, instead of letting it drop the excess
    /// as a module without RTS/CTS does.
    #[arg(long)]
    flow_control: bool,
    /// Seed for DNS IDs and SNTP nonces (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Stop when standard input reaches its end (as well as on SIGINT and
    /// SIGTERM). Its lines are then lab controls: `drop IP` (the address
    /// goes silent), `ap SSID:PASSWORD`, `ap-signal SSID=RSSI,CHANNEL`
    /// (as --ap, --ap-signal), `ap-down SSID`, `ap-up SSID`.
    #[arg(long)]
    exit_on_stdin_eof: bool,
    /// Log UART pieces, network commands and network events on stderr.
    #[arg(short, long)]
    verbose: bool,
    /// With --pty: carry bytes at --baud both ways (10 bits a byte), as a
    /// serial line of that rate would, for throughput measurements
    /// (`atcert bench --dut atmodule`). Off by default: a pty cannot tell
    /// the other end when its bytes were carried (tcdrain returns at once),
    /// so a host's "wait after sending" would start early.
    #[arg(long, requires = "pty")]
    pace: bool,
    /// Allow the module's sockets on an address outside loopback (by
    /// --address and the map): its server links then accept connections
    /// from other machines.
    #[arg(long)]
    expose: bool,
    /// The dialect the module speaks (`seed`, `esp-at`). A dialect with
    /// Wi-Fi gets its address (--address, --dns) only once it has joined
    /// one of the virtual access points (--ap), not at start.
    #[arg(long, value_name = "NAME", default_value = "seed", value_parser = dialect)]
    dialect: &'static Dialect,
    /// A virtual access point in range (a dialect with Wi-Fi): SSID, then
    /// its WPA2 password after the first `:` (`SSID:` for an open one),
    /// at -40 dBm on channel 6. Repeatable. With none, any SSID and any
    /// password join; with some, only those exist. Stdin's `ap` line adds
    /// one later.
    #[arg(long, value_name = "SSID:PASSWORD", value_parser = Control::parse_ap)]
    ap: Vec<Control>,
    /// Where an --ap access point is heard (repeatable): its signal in dBm
    /// and its channel, e.g. `cafe=-70,11`.
    #[arg(long, value_name = "SSID=RSSI,CHANNEL", value_parser = Control::parse_signal)]
    ap_signal: Vec<Control>,
    /// An --ap access point that is down at start (repeatable); stdin's
    /// `ap-up SSID` brings it up.
    #[arg(long, value_name = "SSID", value_parser = Control::parse_down)]
    ap_down: Vec<Control>,
}

/// `--dialect`'s value.
fn dialect(name: &str) -> Result<&'static Dialect, String> {
    firmware_core::dialect::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = firmware_core::dialect::names().collect();
        format!("no dialect {name:?}; one of: {}", names.join(", "))
    })
}

impl Args {
    /// What clap cannot check: refuses settings that would start a module
    /// that cannot work, or one that listens beyond this machine unasked.
    fn check(&self, bind: Ipv4Addr) -> Result<(), String> {
        if self.dns.len() > 3 {
            return Err(format!(
                "{} --dns servers given; DHCP offers at most 3",
                self.dns.len()
            ));
        }
        if let Some(store) = &self.store {
            let folder = store.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(folder) = folder.filter(|f| !f.is_dir()) {
                return Err(format!(
                    "--store {}: the folder {} does not exist",
                    store.display(),
                    folder.display()
                ));
            }
        }
        if self.dialect.wifi.is_none() && !self.ap.is_empty() {
            return Err(format!(
                "--ap: the {} dialect has no Wi-Fi (--dialect esp-at has)",
                self.dialect.name
            ));
        }
        if !bind.is_loopback() && !self.expose {
            return Err(format!(
                "the module's sockets would bind to {bind} (--address {} by the map), outside \
                 loopback: its server links would accept connections from other machines; \
                 add --expose to allow it",
                self.address
            ));
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(rt) => rt.block_on(run(args)),
        Err(e) => fail(format!("tokio: {e}")),
    }
}

fn fail(why: String) -> ExitCode {
    eprintln!("atmodule: {why}");
    ExitCode::FAILURE
}

async fn run(args: Args) -> ExitCode {
    let clock = Clock::start();
    let map = address_map(&args);
    let bind = map.outward_ip(args.address);
    if let Err(e) = args.check(bind) {
        return fail(e);
    }
    if args.expose && !bind.is_loopback() {
        eprintln!(
            "atmodule: exposed: the module's sockets bind to {bind}; its server links accept \
             connections from other machines"
        );
    }
    let store = Store::new(args.store.clone());
    let stored = match store.load() {
        Ok(stored) => stored,
        Err(e) => return fail(format!("reading the store: {e}")),
    };
    let line = match &args.serial {
        Some(path) => Line::serial(path, args.baud, clock),
        None => Line::pty(clock, args.pace.then_some(args.baud)),
    };
    let line = match line {
        Ok(line) => line,
        Err(e) => return fail(format!("opening the line: {e}")),
    };
    let icmp = match Icmp::open(bind) {
        Ok(icmp) => {
            eprintln!("atmodule: ping: {}", icmp.kind());
            Some(icmp)
        }
        Err(e) => {
            eprintln!("atmodule: ping: no ICMP socket ({e}); PING will time out");
            None
        }
    };
    let mut radio = Radio::new(args.address, &args.dns).accept_any(true);
    let controls = args.ap.iter().chain(&args.ap_signal).chain(&args.ap_down);
    for control in controls {
        if let Err(e) = control.apply(&mut radio, Duration::ZERO) {
            return fail(format!("{e} (--ap-signal and --ap-down name an --ap)"));
        }
    }
    let (air_tx, air) = mpsc::unbounded_channel();
    let silent = Silent::default();
    let mut stop = match Stop::new(args.exit_on_stdin_eof, silent.clone(), air_tx) {
        Ok(stop) => stop,
        Err(e) => return fail(format!("signals: {e}")),
    };
    let rules: Vec<String> = map.rules().iter().map(Rule::to_string).collect();
    eprintln!(
        "atmodule: module {} on {bind}; dns {:?}; map {}; dialect {}",
        args.address,
        args.dns,
        rules.join(" "),
        args.dialect.name
    );

    let seed = args.seed.unwrap_or_else(seed_from_clock);
    let mut m = Module::new(args.dialect, &stored, seed);
    m.set_line_rate(args.baud);
    if args.dialect.wifi.is_none() {
        // No station: the network is up from the start. A dialect with
        // Wi-Fi gets it from the access point it joins (`air`).
        let dns: Vec<Ipv4Addr> = args.dns.iter().copied().take(3).collect();
        m.handle_net(
            clock.now(),
            NetEvent::Configured {
                address: args.address,
                dns: &dns,
                gateway: driver_kit::radio::lab_gateway(args.address),
                netmask: driver_kit::radio::LAB_NETMASK,
            },
        );
    }
    let (reports_tx, reports) = mpsc::unbounded_channel();
    let sockets = Sockets::new(map, silent, bind, icmp, reports_tx, args.verbose);
    if let Some(link) = &args.pty_link {
        // Made beside and renamed over: whoever opens the link never finds
        // it missing or half made.
        let fresh = link.with_extension(format!("new{}", std::process::id()));
        let made = std::os::unix::fs::symlink(&line.path, &fresh)
            .and_then(|()| std::fs::rename(&fresh, link));
        if let Err(e) = made {
            return fail(format!("linking {}: {e}", link.display()));
        }
    }
    if args.pty {
        // One line for a parent process to read; flushed, as stdout may be
        // a pipe.
        let mut out = std::io::stdout().lock();
        let printed = writeln!(out, "atmodule: {}", line.path).and_then(|()| out.flush());
        if let Err(e) = printed {
            return fail(format!("printing the path: {e}"));
        }
    }
    let driver = Driver {
        clock,
        line,
        pieces: driver_kit::Pieces::new(args.dialect, args.baud),
        flow_control: args.flow_control,
        sockets,
        reports,
        radio,
        air,
        store,
        verbose: args.verbose,
    };
    match module::run(driver, m, &mut stop).await {
        End::Stopped(why) => {
            eprintln!("atmodule: stopped ({why})");
            ExitCode::SUCCESS
        }
        End::LineClosed => fail("the line closed".into()),
    }
}

/// The rules given, the default, and the DNS port rules, most specific
/// first.
fn address_map(args: &Args) -> Map {
    let mut rules = args.maps.clone();
    if !args.no_default_map {
        rules.push(DEFAULT_MAP.parse().expect("the default rule parses"));
    }
    let map = Map::new(rules);
    match args.dns_port {
        Some(port) => {
            let dns = args.dns.iter().map(|&s| map.port_rule(s, DNS_PORT, port));
            Map::new(dns.chain(map.rules().iter().copied()).collect())
        }
        None => map,
    }
}

/// A seed that differs from run to run; the core needs no more than that.
fn seed_from_clock() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(["atmodule", "--pty"].iter().chain(extra))
    }

    fn checked(extra: &[&str]) -> Result<(), String> {
        let a = args(extra).map_err(|e| e.to_string())?;
        let bind = address_map(&a).outward_ip(a.address);
        a.check(bind)
    }

    #[test]
    fn the_defaults_are_accepted() {
        assert_eq!(checked(&[]), Ok(()));
    }

    #[test]
    fn a_baud_rate_no_uart_has_is_refused() {
        for baud in ["0", "299", "5000001"] {
            assert!(args(&["--baud", baud]).is_err(), "--baud {baud}");
        }
        assert!(args(&["--baud", "300"]).is_ok());
        assert!(args(&["--baud", "5000000"]).is_ok());
    }

    #[test]
    fn more_than_three_dns_servers_are_refused() {
        let four = [
            "--dns", "1.1.1.1", "--dns", "1.1.1.2", "--dns", "1.1.1.3", "--dns", "1.1.1.4",
        ];
        assert!(checked(&four).unwrap_err().contains("at most 3"));
        assert_eq!(checked(&four[..6]), Ok(()));
    }

    #[test]
    fn a_store_in_a_missing_folder_is_refused_at_start() {
        let e = checked(&["--store", "/nonexistent-atmodule-folder/settings"]).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
        assert_eq!(checked(&["--store", "settings"]), Ok(()));
    }

    #[test]
    fn dialects_are_chosen_by_name() {
        assert_eq!(args(&[]).unwrap().dialect.name, "seed");
        let a = args(&["--dialect", "esp-at"]).unwrap();
        assert_eq!(a.dialect.name, "esp-at");
        let e = args(&["--dialect", "klingon"]).unwrap_err().to_string();
        assert!(e.contains("one of: seed, esp-at"), "{e}");
    }

    #[test]
    fn access_points_need_a_dialect_with_wifi() {
        let wifi = [
            "--dialect",
            "esp-at",
            "--ap",
            "lab:labpass1",
            "--ap",
            "cafe:",
        ];
        assert_eq!(checked(&wifi), Ok(()));
        let a = args(&wifi).unwrap();
        assert_eq!(a.ap.len(), 2);
        let e = checked(&["--ap", "lab:labpass1"]).unwrap_err();
        assert!(e.contains("no Wi-Fi"), "{e}");
        assert!(args(&["--dialect", "esp-at", "--ap", "lab"]).is_err());
        assert!(args(&["--dialect", "esp-at", "--ap-signal", "lab=-40"]).is_err());
    }

    #[test]
    fn an_address_outside_loopback_needs_expose() {
        let e = checked(&["--address", "0.0.0.0"]).unwrap_err();
        assert!(e.contains("--expose"), "{e}");
        assert_eq!(checked(&["--address", "0.0.0.0", "--expose"]), Ok(()));
    }
}
